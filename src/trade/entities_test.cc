#include "trade/entities.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace leadq::trade {

// Readable failures: GoogleTest finds these by argument-dependent lookup.
void PrintTo(const MergeReason& r, std::ostream* os) {
  *os << "{" << r.spelling << ", " << r.joined_to << ", \"" << r.why << "\"}";
}
void PrintTo(const Entity& e, std::ostream* os) {
  *os << "{" << e.id << ", " << e.country << ", \"" << e.name << "\", " << e.spellings.size()
      << " spellings}";
}

namespace {

// The input indexes of each entity, by entity name: what a user reads in the buyers list.
std::map<std::string, std::set<std::string>> Members(const std::vector<Spelling>& in,
                                                     const Resolution& r) {
  std::map<std::string, std::set<std::string>> out;
  for (const Entity& e : r.entities) {
    for (uint32_t i : e.spellings) out[e.country + " " + e.name].insert(in[i].name);
  }
  return out;
}

bool SameEntity(const Resolution& r, uint32_t a, uint32_t b) {
  return r.entity_of[a] == r.entity_of[b];
}

TEST(DisplaySpelling, TrimsUpperCasesAndCollapsesWhiteSpace) {
  EXPECT_EQ(DisplaySpelling("  Acme   Auto\tParts,  Inc. "), "ACME AUTO PARTS, INC.");
  EXPECT_EQ(DisplaySpelling("autopeças são paulo ltda"), "AUTOPEÇAS SÃO PAULO LTDA");
  EXPECT_EQ(DisplaySpelling("łódź\xC2\xA0moto"), "ŁÓDŹ MOTO");  // a no-break space
  EXPECT_EQ(DisplaySpelling("straße"), "STRAßE");               // no single upper-case ß in use
  EXPECT_EQ(DisplaySpelling(""), "");
  EXPECT_EQ(DisplaySpelling("ab\xFF"
                            "cd"),
            "AB\xFF"
            "CD");  // invalid UTF-8 kept
}

TEST(NameKey, StripsLegalFormsOfEachCountry) {
  // US, UK
  EXPECT_EQ(NameKey("Acme Auto Parts, Inc."), "ACME AUTO PARTS");
  EXPECT_EQ(NameKey("ACME AUTO PARTS L.L.C."), "ACME AUTO PARTS");
  EXPECT_EQ(NameKey("Acme Corporation"), "ACME");
  EXPECT_EQ(NameKey("The Acme Company"), "ACME");
  EXPECT_EQ(NameKey("British Gear Supplies Limited"), "BRITISH GEAR SUPPLIES");
  EXPECT_EQ(NameKey("BRITISH GEAR SUPPLIES PLC"), "BRITISH GEAR SUPPLIES");
  // DE: "GmbH & Co. KG" goes as a whole, the '&' with it.
  EXPECT_EQ(NameKey("Müller Autoteile GmbH & Co. KG"), "MULLER AUTOTEILE");
  EXPECT_EQ(NameKey("BOSCH AG"), "BOSCH");
  // BR
  EXPECT_EQ(NameKey("AUTOPEÇAS SÃO PAULO LTDA."), "AUTOPECAS SAO PAULO");
  EXPECT_EQ(NameKey("AUTOPECAS SAO PAULO S/A"), "AUTOPECAS SAO PAULO");
  EXPECT_EQ(NameKey("COMERCIO DE PECAS BRASIL EIRELI - ME"), "COMERCIO DE PECAS BRASIL");
  EXPECT_EQ(NameKey("FREIOS SUL & CIA LTDA"), "FREIOS SUL");
  // MX
  EXPECT_EQ(NameKey("AUTOPARTES DEL NORTE, S.A. DE C.V."), "AUTOPARTES DEL NORTE");
  EXPECT_EQ(NameKey("Refacciones Lopez S. de R.L. de C.V."), "REFACCIONES LOPEZ");
  EXPECT_EQ(NameKey("REFACCIONES LOPEZ SAPI DE CV"), "REFACCIONES LOPEZ");
  // PL
  EXPECT_EQ(NameKey("Łódź Moto Części Sp. z o.o."), "LODZ MOTO CZESCI");
  EXPECT_EQ(NameKey("LODZ MOTO CZESCI SPZOO"), "LODZ MOTO CZESCI");
  // CN
  EXPECT_EQ(NameKey("NINGBO XINGDA AUTO PARTS CO.,LTD."), "NINGBO XINGDA AUTO PARTS");
  EXPECT_EQ(NameKey("Ningbo Xingda Auto Parts Co Limited"), "NINGBO XINGDA AUTO PARTS");
  // FR, IT, ES, NL, MY
  EXPECT_EQ(NameKey("Pièces Auto Lyon S.A.S."), "PIECES AUTO LYON");
  EXPECT_EQ(NameKey("Pièces Auto Lyon SARL"), "PIECES AUTO LYON");
  EXPECT_EQ(NameKey("RICAMBI ROSSI S.P.A."), "RICAMBI ROSSI");
  EXPECT_EQ(NameKey("RICAMBI ROSSI S.R.L."), "RICAMBI ROSSI");
  EXPECT_EQ(NameKey("Recambios García, S.L."), "RECAMBIOS GARCIA");
  EXPECT_EQ(NameKey("Van der Berg Onderdelen B.V."), "VAN DER BERG ONDERDELEN");
  EXPECT_EQ(NameKey("PERODUA PARTS SDN. BHD."), "PERODUA PARTS");
}

TEST(NameKey, PunctuationAccentsAndWhatItNeverStrips) {
  EXPECT_EQ(NameKey("Smith & Sons Ltd"), "SMITH AND SONS");
  EXPECT_EQ(NameKey("O'Reilly Auto-Parts"), "OREILLY AUTO PARTS");
  EXPECT_EQ(NameKey("O\u2019REILLY AUTO PARTS"), "OREILLY AUTO PARTS");  // a typographic apostrophe
  EXPECT_EQ(NameKey("ÉTABLISSEMENTS ÇA VA ÑANDÚ"), "ETABLISSEMENTS CA VA NANDU");
  EXPECT_EQ(NameKey("Große Straße Öl"), "GROSSE STRASSE OL");
  EXPECT_EQ(NameKey("Ştefan Ţară Đuro Ø"), "STEFAN TARA DURO O");
  EXPECT_EQ(NameKey("Cafe\u0301 Noir"), "CAFE NOIR");  // a combining accent
  EXPECT_EQ(NameKey("ＡＣＭＥ　ＩＮＣ"), "ACME");      // full-width letters and space
  EXPECT_EQ(NameKey("  acme   auto  "), "ACME AUTO");
  // A name that is only a legal form keeps it; "THE" alone stays.
  EXPECT_EQ(NameKey("S.A."), "SA");
  EXPECT_EQ(NameKey("CO., LTD."), "CO");
  EXPECT_EQ(NameKey("The"), "THE");
  EXPECT_EQ(NameKey("The Company"), "COMPANY");
  EXPECT_EQ(NameKey("---"), "");
  // Legal forms only at the end: "CO" inside a name stays.
  EXPECT_EQ(NameKey("CO OPERATIVE PARTS INC"), "CO OPERATIVE PARTS");
}

struct LabelledPair {
  const char* country_a;
  const char* a;
  const char* country_b;
  const char* b;
  bool same;
};

// Pairs a person checked by hand. The similarity is 1 - d/L on the key without spaces (d the
// edits, L the longer length); 0.92 joins.
const LabelledPair kPairs[] = {
    // Legal forms, punctuation, case.
    {"US", "ACME AUTO PARTS INC", "US", "Acme Auto Parts, Inc.", true},
    {"US", "ACME AUTO PARTS INC", "US", "ACME AUTO PARTS CORPORATION", true},
    {"US", "THE ACME AUTO PARTS COMPANY", "US", "ACME AUTO PARTS", true},
    {"GB", "BRITISH GEAR SUPPLIES LIMITED", "GB", "BRITISH GEAR SUPPLIES LTD", true},
    {"GB", "SMITH & SONS LTD", "GB", "SMITH AND SONS", true},
    {"DE", "MÜLLER AUTOTEILE GMBH", "DE", "MULLER AUTOTEILE GMBH & CO. KG", true},
    {"BR", "AUTOPEÇAS SÃO PAULO LTDA", "BR", "AUTOPECAS SAO PAULO S/A", true},
    {"BR", "COMERCIO DE PECAS BRASIL EIRELI - ME", "BR", "COMERCIO DE PECAS BRASIL EIRELI", true},
    {"MX", "AUTOPARTES DEL NORTE SA DE CV", "MX", "AUTOPARTES DEL NORTE, S.A. DE C.V.", true},
    {"MX", "REFACCIONES LOPEZ S DE RL DE CV", "MX", "REFACCIONES LÓPEZ", true},
    {"PL", "ŁÓDŹ MOTO CZĘŚCI SP. Z O.O.", "PL", "LODZ MOTO CZESCI SPZOO", true},
    {"CN", "NINGBO XINGDA AUTO PARTS CO., LTD.", "CN", "NINGBO XINGDA AUTO PARTS CO LIMITED", true},
    {"FR", "PIÈCES AUTO LYON SAS", "FR", "PIECES AUTO LYON S.A.S.", true},
    {"IT", "RICAMBI ROSSI S.P.A.", "IT", "RICAMBI ROSSI SPA", true},
    {"ES", "RECAMBIOS GARCÍA S.L.", "ES", "RECAMBIOS GARCIA SL", true},
    {"NL", "VAN DER BERG ONDERDELEN B.V.", "NL", "VAN DER BERG ONDERDELEN BV", true},
    {"MY", "PERODUA PARTS SDN. BHD.", "MY", "PERODUA PARTS SDN BHD", true},
    // Spacing and word order.
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTO PARTES DEL NORTE", true},
    {"CN", "NINGBO XINGDA AUTO PARTS CO LTD", "CN", "XINGDA AUTO PARTS NINGBO CO LTD", true},
    {"US", "PARTS DEPOT NORTH", "US", "NORTH PARTS DEPOT", true},
    // Typos: "AUTOPARTESDELNORTH" / "...NORTE": 1 edit in 18 letters, 1 - 1/18 = 0.94.
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTOPARTES DEL NORTH", true},
    // A swap of two letters is one edit: 1 - 1/20 = 0.95.
    {"US", "CONTINENTAL AUTO PARTS", "US", "CONTINENTAL AUTO PRATS", true},
    // A dropped letter in 13: 1 - 1/13 = 0.923.
    {"US", "ACME AUTO PARTS", "US", "ACME AUTO PART", true},
    // Two edits in 26 letters: 1 - 2/26 = 0.923.
    {"DE", "NORDDEUTSCHE FAHRZEUGTEILE HANDEL", "DE", "NORDDEUTSCHE FARZEUGTEILE HANDL", true},

    // Never across countries.
    {"US", "ACME AUTO PARTS INC", "MX", "ACME AUTO PARTS SA DE CV", false},
    {"US", "ACME AUTO PARTS", "CA", "ACME AUTO PARTS", false},
    // Different digits.
    {"US", "AUTOZONE STORE 1234", "US", "AUTOZONE STORE 1235", false},
    {"US", "PARTS DEPOT 2 LLC", "US", "PARTS DEPOT 3 LLC", false},
    {"US", "ROUTE 9 STORE 12", "US", "ROUTE 12 STORE 9", false},
    // Short keys join only when equal: "ABC" / "ABD", "A B C" / "ABC", "AXA" / "AXE".
    {"US", "ABC INC", "US", "ABD INC", false},
    {"US", "A B C", "US", "ABC", false},
    {"FR", "AXA SA", "FR", "AXE SA", false},
    // Near misses below 0.92: "AUTOPARTESDELSUR" is 5 edits from "...NORTE" (0.72).
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTOPARTES DEL SUR", false},
    // 1 edit in 10 letters: 0.90.
    {"US", "LION MOTORS", "US", "LEON MOTORS", false},
    // EAST / WEST: 2 edits in 17 letters, 0.88.
    {"US", "GLOBAL TRADING EAST", "US", "GLOBAL TRADING WEST", false},
    // STAR / SEA: 2 edits in 18 letters, 0.89.
    {"US", "NORTH STAR LOGISTICS", "US", "NORTH SEA LOGISTICS", false},
    // A different word, not a typo: 2 edits in 13, 0.85.
    {"US", "ACME AUTO PARTS", "US", "ACME MOTO PARTS", false},
};

TEST(ResolveEntities, LabelledPairs) {
  for (const LabelledPair& pair : kPairs) {
    std::vector<Spelling> in = {{pair.country_a, pair.a, 5}, {pair.country_b, pair.b, 3}};
    Resolution r = ResolveEntities(in, {});
    EXPECT_EQ(SameEntity(r, 0, 1), pair.same) << pair.country_a << " \"" << pair.a << "\" / "
                                              << pair.country_b << " \"" << pair.b << "\"";
    EXPECT_EQ(r.entities.size(), pair.same ? 1u : 2u);
    EXPECT_EQ(r.reasons.size(), pair.same ? 1u : 0u);
  }
}

TEST(ResolveEntities, EntitiesAreNamedByTheirMostShippedSpellingWithReasons) {
  const std::vector<Spelling> in = {
      {"mx", "Autopartes del Norte SA de CV", 12},       // 0
      {"MX", "AUTO PARTES DEL NORTE, S.A. DE C.V.", 3},  // 1
      {"MX", "AUTOPARTES DEL NORTH SA DE CV", 1},        // 2
      {"US", "AUTOPARTES DEL NORTE INC", 7},             // 3
      {"US", "Acme Inc", 2},                             // 4
      {"US", "ACME, INC.", 9},                           // 5
      {"US", "ACME INC", 4},                             // 6: the same spelling as 4
  };
  Resolution r = ResolveEntities(in, {});
  ASSERT_EQ(r.entities.size(), 3u);
  // Ordered by country, then name.
  EXPECT_EQ(r.entities[0],
            (Entity{"mx-autopartes-del-norte", "MX", "AUTOPARTES DEL NORTE SA DE CV", {0, 1, 2}}));
  // "ACME INC" has 2 + 4 = 6 shipments, "ACME, INC." 9.
  EXPECT_EQ(r.entities[1], (Entity{"us-acme", "US", "ACME, INC.", {4, 5, 6}}));
  EXPECT_EQ(r.entities[2],
            (Entity{"us-autopartes-del-norte", "US", "AUTOPARTES DEL NORTE INC", {3}}));
  EXPECT_EQ(r.entity_of, (std::vector<uint32_t>{0, 0, 0, 2, 1, 1, 1}));
  // Each join, strongest first; the spelling sorting first is the one joined to. "AUTO PARTES DEL
  // NORTE" sorts before "AUTOPARTES DEL NORTE" (a space before a letter), so the others join it.
  const std::vector<MergeReason> expected = {
      {4, 6, "same spelling"},  // 6 has more shipments: it stands for the spelling
      {5, 6, "same name after normalisation (punctuation)"},
      {0, 1, "same name apart from spacing (AUTOPARTES DEL NORTE / AUTO PARTES DEL NORTE)"},
      {2, 1, "near match 0.94 (AUTOPARTES DEL NORTH / AUTO PARTES DEL NORTE)"},
  };
  EXPECT_EQ(r.reasons, expected);
}

TEST(ResolveEntities, ReasonsNameTheDroppedLegalForm) {
  const std::vector<Spelling> in = {{"US", "ACME", 1},
                                    {"US", "ACME INC", 1},
                                    {"BR", "PEÇAS SUL LTDA", 1},
                                    {"BR", "PECAS SUL", 1}};
  Resolution r = ResolveEntities(in, {});
  const std::vector<MergeReason> expected = {
      {2, 3, "same name after normalisation (LTDA dropped; accents)"},
      {1, 0, "same name after normalisation (INC dropped)"},
  };
  EXPECT_EQ(r.reasons, expected);
}

TEST(ResolveEntities, UserMergesAndSplits) {
  const std::vector<Spelling> in = {
      {"US", "ACME INC", 10},      // 0
      {"US", "ACME LLC", 4},       // 1
      {"US", "ACME", 2},           // 2
      {"US", "ACME HOLDINGS", 1},  // 3
      {"MX", "ACME SA DE CV", 1},  // 4
  };
  // Without rules the three ACMEs are one company, ACME HOLDINGS another.
  Resolution plain = ResolveEntities(in, {});
  EXPECT_TRUE(SameEntity(plain, 0, 1));
  EXPECT_TRUE(SameEntity(plain, 0, 2));
  EXPECT_FALSE(SameEntity(plain, 0, 3));

  const std::vector<EntityRule> rules = {
      {false, "us", "acme inc", "Acme LLC"},      // split, in any case
      {true, "US", "ACME HOLDINGS", "ACME INC"},  // merge
      {true, "US", "ACME INC", "ACME MISSING"},   // not in the input: ignored
      {true, "US", "ACME INC", "ACME SA DE CV"},  // the MX spelling is not in US: ignored
  };
  Resolution r = ResolveEntities(in, rules);
  EXPECT_TRUE(SameEntity(r, 0, 3));
  EXPECT_FALSE(SameEntity(r, 0, 1));
  // "ACME" has the same key as both; it joins the first key-sorted spelling's group ("ACME",
  // then "ACME HOLDINGS" joined to "ACME INC", then "ACME INC", then "ACME LLC", which the split
  // keeps out).
  EXPECT_TRUE(SameEntity(r, 0, 2));
  EXPECT_FALSE(SameEntity(r, 1, 2));
  EXPECT_FALSE(SameEntity(r, 0, 4));
  ASSERT_EQ(r.entities.size(), 3u);
  EXPECT_EQ(r.entities[1].name, "ACME INC");
  EXPECT_EQ(r.entities[1].id, "us-acme");
  EXPECT_EQ(r.entities[2].name, "ACME LLC");
  EXPECT_EQ(r.entities[2].id, "us-acme-2");  // the same key: the later one is numbered
  EXPECT_EQ(r.reasons.front(), (MergeReason{0, 3, "merged by the user"}));

  // A split wins over a merge of the same pair.
  const std::vector<EntityRule> both = {{true, "US", "ACME INC", "ACME HOLDINGS"},
                                        {false, "US", "ACME HOLDINGS", "ACME INC"}};
  EXPECT_FALSE(SameEntity(ResolveEntities(in, both), 0, 3));
}

TEST(ResolveEntities, SplitAlsoStopsNearMatchChains) {
  // B is one edit from A and from C; A and C may not be together, so B joins only one of them.
  const std::vector<Spelling> in = {
      {"US", "CONTINENTAL AUTO PARTS", 1},  // A
      {"US", "CONTINENTAL AUTO PARTZ", 1},  // B
      {"US", "CONTINENTAL AUTO PARTX", 1},  // C: 1 edit from B, 1 from A
  };
  const std::vector<EntityRule> rules = {
      {false, "US", "CONTINENTAL AUTO PARTS", "CONTINENTAL AUTO PARTX"}};
  Resolution r = ResolveEntities(in, rules);
  EXPECT_FALSE(SameEntity(r, 0, 2));
  EXPECT_EQ(r.entities.size(), 2u);
}

std::vector<Spelling> SyntheticSpellings(size_t companies, uint32_t seed) {
  static const char* const kSyllables[] = {"KA",  "LO", "MEN", "TRA", "VEX", "DOR", "SUN", "PLA",
                                           "RI",  "GO", "NEX", "TAL", "BRO", "ZEN", "MAR", "QUI",
                                           "FER", "HU", "JAN", "WEL", "OS",  "PEN", "CY",  "DU"};
  static const char* const kNouns[] = {"AUTO PARTS", "MOTORS",      "TRADING", "LOGISTICS",
                                       "SUPPLY",     "INDUSTRIAL",  "GROUP",   "IMPORTS",
                                       "COMPONENTS", "DISTRIBUTION"};
  struct CountryForms {
    const char* country;
    const char* forms[3];
  };
  static const CountryForms kCountries[] = {{"US", {"INC", "LLC", "CORP"}},
                                            {"MX", {"SA DE CV", "S DE RL DE CV", "S.A. DE C.V."}},
                                            {"BR", {"LTDA", "S/A", "EIRELI - ME"}},
                                            {"DE", {"GMBH", "AG", "GMBH & CO. KG"}},
                                            {"PL", {"SP. Z O.O.", "SPZOO", "S.A."}},
                                            {"CN", {"CO., LTD.", "CO LTD", "LIMITED"}},
                                            {"GB", {"LTD", "LIMITED", "PLC"}},
                                            {"MY", {"SDN BHD", "SDN. BHD.", "BHD"}}};
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<Spelling> out;
  out.reserve(companies * 4);
  for (size_t c = 0; c < companies; ++c) {
    std::string word1, word2;
    for (size_t s = 0, n = 2 + pick(2); s < n; ++s) word1 += kSyllables[pick(24)];
    for (size_t s = 0, n = 2 + pick(2); s < n; ++s) word2 += kSyllables[pick(24)];
    const CountryForms& country = kCountries[pick(8)];
    std::string base = word1 + " " + word2 + " " + kNouns[pick(10)];
    out.push_back({country.country, base + " " + country.forms[0], 10});
    // Punctuation and case.
    std::string lower = base;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.push_back({country.country, lower + ", " + country.forms[1], 3});
    out.push_back({country.country, "THE " + base + " " + country.forms[2], 2});
    // One letter changed: within reach when the key has 13 letters or more (it always has: two
    // words of 4 or more letters and a noun of 5 or more).
    std::string typo = base;
    size_t at = pick(word1.size());
    typo[at] = typo[at] == 'X' ? 'Y' : 'X';
    out.push_back({country.country, typo + " " + country.forms[0], 1});
  }
  return out;
}

TEST(ResolveEntities, SameEntitiesWhateverTheInputOrder) {
  std::vector<Spelling> in = SyntheticSpellings(500, 7);
  const std::vector<EntityRule> rules = {{false, in[0].country, in[0].name, in[1].name}};
  Resolution first = ResolveEntities(in, rules);
  std::vector<Spelling> shuffled = in;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(11));
  Resolution second = ResolveEntities(shuffled, rules);
  ASSERT_EQ(first.entities.size(), second.entities.size());
  for (size_t e = 0; e < first.entities.size(); ++e) {
    EXPECT_EQ(first.entities[e].id, second.entities[e].id);
    EXPECT_EQ(first.entities[e].name, second.entities[e].name);
    EXPECT_EQ(first.entities[e].country, second.entities[e].country);
  }
  EXPECT_EQ(Members(in, first), Members(shuffled, second));
  EXPECT_EQ(first.reasons.size(), second.reasons.size());
  EXPECT_FALSE(SameEntity(first, 0, 1));
}

// 200,000 spellings of 50,000 companies: each company's four spellings form one entity, no entity
// spans two countries, and the random names collide (or come within one edit) rarely.
TEST(ResolveEntities, TwoHundredThousandSpellings) {
  const size_t companies = 50000;
  std::vector<Spelling> in = SyntheticSpellings(companies, 42);
  Resolution r = ResolveEntities(in, {});
  ASSERT_EQ(r.entity_of.size(), in.size());
  size_t split_companies = 0;
  for (size_t c = 0; c < companies; ++c) {
    const uint32_t first = static_cast<uint32_t>(4 * c);
    bool together = true;
    for (uint32_t k = 1; k < 4; ++k) together = together && SameEntity(r, first, first + k);
    if (!together) ++split_companies;
  }
  EXPECT_EQ(split_companies, 0u);
  std::set<std::string> ids;
  size_t members = 0;
  for (size_t e = 0; e < r.entities.size(); ++e) {
    const Entity& entity = r.entities[e];
    EXPECT_TRUE(ids.insert(entity.id).second) << entity.id;
    for (uint32_t i : entity.spellings) {
      EXPECT_EQ(in[i].country, entity.country);
      EXPECT_EQ(r.entity_of[i], e);
    }
    members += entity.spellings.size();
  }
  EXPECT_EQ(members, in.size());
  EXPECT_LE(r.entities.size(), companies);
  EXPECT_GE(r.entities.size(), companies * 99 / 100);
}

}  // namespace
}  // namespace leadq::trade
