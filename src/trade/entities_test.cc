#include "trade/entities.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <numeric>
#include <ostream>
#include <random>
#include <set>
#include <span>
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

// An EvidenceLookup over facts named per input spelling (a spelling past the end has none).
EvidenceLookup FactsOf(std::vector<std::vector<std::string>> facts) {
  return [facts = std::move(facts)](std::span<const uint32_t> asked) {
    Evidence out;
    std::map<std::string, uint32_t> ids;
    for (uint32_t i : asked) {
      out.facts.emplace_back();
      if (i >= facts.size()) continue;
      for (const std::string& name : facts[i]) {
        auto [it, added] = ids.try_emplace(name, static_cast<uint32_t>(out.names.size()));
        if (added) out.names.push_back(name);
        out.facts.back().push_back(it->second);
      }
    }
    return out;
  };
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
  // What the records of each say besides the name (EvidenceLookup), or nullptr for nothing.
  const char* fact_a;
  const char* fact_b;
  bool same;
};

constexpr const char* kDetroit = "address 1200 INDUSTRIAL PKWY, DETROIT";
constexpr const char* kOakland = "address 88 HARBOR RD, OAKLAND";
constexpr const char* kBosch = "supplier ROBERT BOSCH (DE)";
constexpr const char* kBroker = "notify party LIVINGSTON INTERNATIONAL";

// Pairs a person checked by hand. The similarity is 1 - d/L on the key without spaces (d the
// edits, L the longer length); 0.92 makes a near match, which joins only when the records share a
// fact. Joins by key, spacing and word order need no fact.
const LabelledPair kPairs[] = {
    // Legal forms, punctuation, case.
    {"US", "ACME AUTO PARTS INC", "US", "Acme Auto Parts, Inc.", nullptr, nullptr, true},
    {"US", "ACME AUTO PARTS INC", "US", "ACME AUTO PARTS CORPORATION", nullptr, nullptr, true},
    {"US", "THE ACME AUTO PARTS COMPANY", "US", "ACME AUTO PARTS", nullptr, nullptr, true},
    {"GB", "BRITISH GEAR SUPPLIES LIMITED", "GB", "BRITISH GEAR SUPPLIES LTD", nullptr, nullptr,
     true},
    {"GB", "SMITH & SONS LTD", "GB", "SMITH AND SONS", nullptr, nullptr, true},
    {"DE", "MÜLLER AUTOTEILE GMBH", "DE", "MULLER AUTOTEILE GMBH & CO. KG", nullptr, nullptr, true},
    {"BR", "AUTOPEÇAS SÃO PAULO LTDA", "BR", "AUTOPECAS SAO PAULO S/A", nullptr, nullptr, true},
    {"BR", "COMERCIO DE PECAS BRASIL EIRELI - ME", "BR", "COMERCIO DE PECAS BRASIL EIRELI", nullptr,
     nullptr, true},
    {"MX", "AUTOPARTES DEL NORTE SA DE CV", "MX", "AUTOPARTES DEL NORTE, S.A. DE C.V.", nullptr,
     nullptr, true},
    {"MX", "REFACCIONES LOPEZ S DE RL DE CV", "MX", "REFACCIONES LÓPEZ", nullptr, nullptr, true},
    {"PL", "ŁÓDŹ MOTO CZĘŚCI SP. Z O.O.", "PL", "LODZ MOTO CZESCI SPZOO", nullptr, nullptr, true},
    {"CN", "NINGBO XINGDA AUTO PARTS CO., LTD.", "CN", "NINGBO XINGDA AUTO PARTS CO LIMITED",
     nullptr, nullptr, true},
    {"FR", "PIÈCES AUTO LYON SAS", "FR", "PIECES AUTO LYON S.A.S.", nullptr, nullptr, true},
    {"IT", "RICAMBI ROSSI S.P.A.", "IT", "RICAMBI ROSSI SPA", nullptr, nullptr, true},
    {"ES", "RECAMBIOS GARCÍA S.L.", "ES", "RECAMBIOS GARCIA SL", nullptr, nullptr, true},
    {"NL", "VAN DER BERG ONDERDELEN B.V.", "NL", "VAN DER BERG ONDERDELEN BV", nullptr, nullptr,
     true},
    {"MY", "PERODUA PARTS SDN. BHD.", "MY", "PERODUA PARTS SDN BHD", nullptr, nullptr, true},
    // Spacing and word order.
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTO PARTES DEL NORTE", nullptr, nullptr, true},
    {"CN", "NINGBO XINGDA AUTO PARTS CO LTD", "CN", "XINGDA AUTO PARTS NINGBO CO LTD", nullptr,
     nullptr, true},
    {"US", "PARTS DEPOT NORTH", "US", "NORTH PARTS DEPOT", nullptr, nullptr, true},
    // Typos, confirmed by the records: "AUTOPARTESDELNORTH" / "...NORTE": 1 edit in 18 letters,
    // 1 - 1/18 = 0.94, at one address.
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTOPARTES DEL NORTH", kDetroit, kDetroit, true},
    // A swap of two letters is one edit: 1 - 1/20 = 0.95; a common supplier.
    {"US", "CONTINENTAL AUTO PARTS", "US", "CONTINENTAL AUTO PRATS", kBosch, kBosch, true},
    // A dropped letter in 13: 1 - 1/13 = 0.923; the same notify party.
    {"US", "ACME AUTO PARTS", "US", "ACME AUTO PART", kBroker, kBroker, true},
    // Two edits in 26 letters: 1 - 2/26 = 0.923.
    {"DE", "NORDDEUTSCHE FAHRZEUGTEILE HANDEL", "DE", "NORDDEUTSCHE FARZEUGTEILE HANDL", kDetroit,
     kDetroit, true},
    // One letter apart, 0.94: a typo or a second company; the name cannot tell, the address can.
    {"US", "PACIFIC AUTO PARTS INC", "US", "PACIFIC AUTO PARTY INC", kDetroit, kDetroit, true},

    // The same near matches without a shared fact: no evidence, no join.
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTOPARTES DEL NORTH", nullptr, nullptr, false},
    {"US", "CONTINENTAL AUTO PARTS", "US", "CONTINENTAL AUTO PRATS", kBosch, nullptr, false},
    {"US", "PACIFIC AUTO PARTS INC", "US", "PACIFIC AUTO PARTY INC", nullptr, nullptr, false},
    {"US", "PACIFIC AUTO PARTS INC", "US", "PACIFIC AUTO PARTY INC", kDetroit, kOakland, false},
    {"US", "PACIFIC AUTO PARTS INC", "US", "PACIFIC AUTO PARTY INC", kDetroit, kBroker, false},
    // Never across countries, whatever they share.
    {"US", "ACME AUTO PARTS INC", "MX", "ACME AUTO PARTS SA DE CV", kBosch, kBosch, false},
    {"US", "ACME AUTO PARTS", "CA", "ACME AUTO PARTS", kBosch, kBosch, false},
    {"US", "CONTINENTAL AUTO PARTS", "CA", "CONTINENTAL AUTO PRATS", kBosch, kBosch, false},
    // Different digits, even at one address.
    {"US", "AUTOZONE STORE 1234", "US", "AUTOZONE STORE 1235", kDetroit, kDetroit, false},
    {"US", "PARTS DEPOT 2 LLC", "US", "PARTS DEPOT 3 LLC", kDetroit, kDetroit, false},
    {"US", "ROUTE 9 STORE 12", "US", "ROUTE 12 STORE 9", kDetroit, kDetroit, false},
    {"US", "MOTOR PARTS SUPPLY 1", "US", "MOTOR PARTS SUPPLY 2", kDetroit, kDetroit, false},
    // Short keys join only when equal: "ABC" / "ABD", "A B C" / "ABC", "AXA" / "AXE".
    {"US", "ABC INC", "US", "ABD INC", kDetroit, kDetroit, false},
    {"US", "A B C", "US", "ABC", kDetroit, kDetroit, false},
    {"FR", "AXA SA", "FR", "AXE SA", kDetroit, kDetroit, false},
    // Below 0.92 the records do not matter: "AUTOPARTESDELSUR" is 5 edits from "...NORTE" (0.72).
    {"MX", "AUTOPARTES DEL NORTE", "MX", "AUTOPARTES DEL SUR", kDetroit, kDetroit, false},
    // A distinguishing word: 5 letters added to 18, 0.78.
    {"MX", "GRUPO ALFA MONTERREY", "MX", "GRUPO ALFA MONTERREY NORTE", kDetroit, kDetroit, false},
    // 1 edit in 10 letters: 0.90.
    {"US", "LION MOTORS", "US", "LEON MOTORS", kDetroit, kDetroit, false},
    // EAST / WEST: 2 edits in 17 letters, 0.88.
    {"US", "GLOBAL TRADING EAST", "US", "GLOBAL TRADING WEST", kDetroit, kDetroit, false},
    // STAR / SEA: 2 edits in 18 letters, 0.89.
    {"US", "NORTH STAR LOGISTICS", "US", "NORTH SEA LOGISTICS", kDetroit, kDetroit, false},
    // A different word, not a typo: 2 edits in 13, 0.85.
    {"US", "ACME AUTO PARTS", "US", "ACME MOTO PARTS", kDetroit, kDetroit, false},
};

TEST(ResolveEntities, LabelledPairs) {
  for (const LabelledPair& pair : kPairs) {
    std::vector<Spelling> in = {{pair.country_a, pair.a, 5}, {pair.country_b, pair.b, 3}};
    std::vector<std::vector<std::string>> facts(2);
    if (pair.fact_a != nullptr) facts[0].push_back(pair.fact_a);
    if (pair.fact_b != nullptr) facts[1].push_back(pair.fact_b);
    Resolution r = ResolveEntities(in, {}, FactsOf(facts));
    EXPECT_EQ(SameEntity(r, 0, 1), pair.same)
        << pair.country_a << " \"" << pair.a << "\" / " << pair.country_b << " \"" << pair.b
        << "\" (" << (pair.fact_a ? pair.fact_a : "-") << " / " << (pair.fact_b ? pair.fact_b : "-")
        << ")";
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
  // The typo (2) shares a supplier with spelling 0 only; 0 and 1 join first (spacing), so the
  // near match of 2 and 1 finds it in their group.
  const EvidenceLookup facts = FactsOf({{"supplier BREMBO (IT)", "address AV JUAREZ 12, LEON"},
                                        {"notify party AGENCIA ADUANAL GARZA"},
                                        {"supplier BREMBO (IT)"}});
  Resolution r = ResolveEntities(in, {}, facts);
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
      {2, 1,
       "near match 0.94 (AUTOPARTES DEL NORTH / AUTO PARTES DEL NORTE); same supplier BREMBO "
       "(IT)"},
  };
  EXPECT_EQ(r.reasons, expected);

  // Without the records' word the typo is an entity of its own.
  Resolution bare = ResolveEntities(in, {});
  EXPECT_EQ(bare.entities.size(), 4u);
  EXPECT_FALSE(SameEntity(bare, 0, 2));
  EXPECT_TRUE(SameEntity(bare, 0, 1));
}

TEST(ResolveEntities, NearMatchReasonsNameTwoSharedFactsAndCountTheRest) {
  const std::vector<Spelling> in = {{"US", "CONTINENTAL AUTO PARTS", 5},
                                    {"US", "CONTINENTAL AUTO PRATS", 1}};
  const std::vector<std::string> shared = {"supplier ROBERT BOSCH (DE)", "address 1 MAIN ST",
                                           "notify party LIVINGSTON", "supplier BREMBO (IT)"};
  std::vector<std::string> with_own = shared;
  with_own.push_back("supplier HANIL BRAKE (KR)");  // only one side: not counted
  Resolution r = ResolveEntities(in, {}, FactsOf({shared, with_own}));
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].why,
            "near match 0.95 (CONTINENTAL AUTO PRATS / CONTINENTAL AUTO PARTS); same address 1 "
            "MAIN ST; same notify party LIVINGSTON; and 2 more shared facts");
}

TEST(ResolveEntities, NearMatchesChainThroughTheFactsOfTheGroup) {
  // B is near A and C near B; C shares a fact only with A. Once B joins A (a common supplier),
  // the group A+B has A's address, and C joins it.
  const std::vector<Spelling> in = {
      {"US", "CONTINENTAL AUTO PARTS", 9},   // A
      {"US", "CONTINENTAL AUTO PARTZ", 1},   // B
      {"US", "CONTINENTAL AUTO PARTZX", 1},  // C: 1 edit from B, 2 from A (0.90)
  };
  Resolution r = ResolveEntities(in, {}, FactsOf({{kBosch, kDetroit}, {kBosch}, {kDetroit}}));
  EXPECT_TRUE(SameEntity(r, 0, 1));
  EXPECT_TRUE(SameEntity(r, 0, 2));
  // B-C is the closer pair (1 edit in 21 letters) but joins second, once A-B has.
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[1].why,
            "near match 0.95 (CONTINENTAL AUTO PARTZX / CONTINENTAL AUTO PARTZ); same address "
            "1200 INDUSTRIAL PKWY, DETROIT");
  // C alone with B, which shares nothing with it: apart.
  Resolution apart = ResolveEntities(in, {}, FactsOf({{kOakland}, {kBosch}, {kDetroit}}));
  EXPECT_FALSE(SameEntity(apart, 1, 2));
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
  // All three at one address: the split still wins.
  const EvidenceLookup facts = FactsOf({{kDetroit}, {kDetroit}, {kDetroit}});
  Resolution r = ResolveEntities(in, rules, facts);
  EXPECT_FALSE(SameEntity(r, 0, 2));
  EXPECT_EQ(r.entities.size(), 2u);
  // A merge rule needs no evidence.
  const std::vector<EntityRule> merge = {
      {true, "US", "CONTINENTAL AUTO PARTS", "CONTINENTAL AUTO PARTX"}};
  Resolution merged = ResolveEntities(in, merge);
  EXPECT_TRUE(SameEntity(merged, 0, 2));
  EXPECT_FALSE(SameEntity(merged, 0, 1));
}

// Four spellings of each company, and the records' facts of each: the company's address.
struct Synthetic {
  std::vector<Spelling> in;
  std::vector<std::vector<std::string>> facts;
};

Synthetic SyntheticSpellings(size_t companies, uint32_t seed) {
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
  Synthetic synthetic;
  std::vector<Spelling>& out = synthetic.in;
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
    const std::string address = "address " + std::to_string(c + 1) + " MAIN ST";
    for (int k = 0; k < 4; ++k) synthetic.facts.push_back({address});
  }
  return synthetic;
}

TEST(ResolveEntities, SameEntitiesWhateverTheInputOrder) {
  const Synthetic synthetic = SyntheticSpellings(500, 7);
  const std::vector<Spelling>& in = synthetic.in;
  const std::vector<EntityRule> rules = {{false, in[0].country, in[0].name, in[1].name}};
  Resolution first = ResolveEntities(in, rules, FactsOf(synthetic.facts));
  std::vector<size_t> order(in.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::shuffle(order.begin(), order.end(), std::mt19937(11));
  std::vector<Spelling> shuffled;
  std::vector<std::vector<std::string>> shuffled_facts;
  for (size_t i : order) {
    shuffled.push_back(in[i]);
    shuffled_facts.push_back(synthetic.facts[i]);
  }
  Resolution second = ResolveEntities(shuffled, rules, FactsOf(shuffled_facts));
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

TEST(ResolveEntities, WithoutTheRecordsFactsTyposStayApart) {
  const size_t companies = 2000;
  const Synthetic synthetic = SyntheticSpellings(companies, 5);
  Resolution bare = ResolveEntities(synthetic.in, {});
  size_t typos_apart = 0;
  for (size_t c = 0; c < companies; ++c) {
    const uint32_t first = static_cast<uint32_t>(4 * c);
    EXPECT_TRUE(SameEntity(bare, first, first + 1));
    EXPECT_TRUE(SameEntity(bare, first, first + 2));
    if (!SameEntity(bare, first, first + 3)) ++typos_apart;
  }
  // Bar a typo that happens to spell another company's name.
  EXPECT_GE(typos_apart, companies * 99 / 100);
  for (const MergeReason& reason : bare.reasons) {
    EXPECT_FALSE(reason.why.starts_with("near match")) << reason.why;
  }
}

// 200,000 spellings of 50,000 companies: each company's four spellings form one entity (the typo
// confirmed by the company's address), no entity spans two countries, and the random names
// collide (or come within one edit) rarely.
TEST(ResolveEntities, TwoHundredThousandSpellings) {
  const size_t companies = 50000;
  const Synthetic synthetic = SyntheticSpellings(companies, 42);
  const std::vector<Spelling>& in = synthetic.in;
  Resolution r = ResolveEntities(in, {}, FactsOf(synthetic.facts));
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
