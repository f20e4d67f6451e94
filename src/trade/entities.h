// Entity resolution of consignee (buyer) and shipper (supplier) names (SHIPMENTS.md "Buyers"):
// the spelling a person reads (DisplaySpelling), the key names are matched on (NameKey), and
// ResolveEntities, which joins the spellings of one country that are the same company and says
// why each join was made. The user's merge and split rules override the automatic joins.
//
// How spellings are joined, strongest first (all within one country, never across):
//   1. merge rules of the user ("merged by the user");
//   2. the same key ("same name after normalisation (INC dropped)");
//   3. the same key once spaces are removed ("same name apart from spacing (...)");
//   4. the same words in another order ("same words in another order (...)");
//   5. near matches: optimal-string-alignment edit distance d on the key without spaces, L the
//      longer length, similarity 1 - d/L of at least 0.92, and a fact of the shipment records
//      besides the name that both sides share ("near match 0.94 (...); same address ...").
//      One typo (a letter changed, added, dropped or two letters swapped) is within reach from 13
//      letters on, two from 25, three from 38. Lower thresholds reach real different companies:
//      at 0.90 "LION MOTORS" and "LEON MOTORS"; Jaro-Winkler rewards the long shared prefixes of
//      "AUTOPARTES DEL NORTE" and "AUTOPARTES DEL SUR" (0.9 and more), the edit distance does
//      not (0.72). But no threshold tells a typo from a real one-letter difference ("PACIFIC AUTO
//      PARTS" / "PACIFIC AUTO PARTY" is 0.94), and a wrong merge mixes two buyers' shipment
//      histories, so the name only proposes a near match; the records must confirm it: the same
//      address, notify party or supplier (what EvidenceLookup returns). The evidence compared is
//      the whole group each side belongs to when the match is tried (its spellings joined by
//      steps 1 to 4 and by earlier near matches), so a typo written once meets the facts of the
//      company's other spellings. Near matches chain (single linkage).
// Joins 3 to 5 need keys of at least 5 letters and the same digits in the same order
// ("STORE 12" and "STORE 13" never merge, whatever they share). Candidates for near matches come
// from an exact pigeonhole filter (each key of length L is cut into 2t+2 pieces, t the edits
// allowed; a key within t edits contains one of them, near where it was, even without the most
// common piece), so no pair above the threshold is missed and 200,000 spellings resolve in about
// a second; the evidence is asked for once, only for the groups near matches would join.
//
// Example:
//   std::vector<Spelling> in = {{"MX", "AUTOPARTES DEL NORTE SA DE CV", 12},
//                               {"MX", "AUTO PARTES DEL NORTE, S.A. DE C.V.", 3},
//                               {"MX", "AUTOPARTES DEL NORTH SA DE CV", 1},
//                               {"US", "AUTOPARTES DEL NORTE INC", 1}};
//   EvidenceLookup facts = [](std::span<const uint32_t> spellings) {
//     // What the records of each spelling say: here all at one address, fact 0.
//     return Evidence{std::vector<std::vector<uint32_t>>(spellings.size(), {0}),
//                     {"address AV JUAREZ 12"}};
//   };
//   Resolution r = ResolveEntities(in, {}, facts);
//   // r.entities: {"mx-autopartes-del-norte", "MX", "AUTOPARTES DEL NORTE SA DE CV", {0, 1, 2}},
//   //             {"us-autopartes-del-norte", "US", "AUTOPARTES DEL NORTE INC", {3}}
//   // r.reasons: {0, 1, "same name apart from spacing (AUTOPARTES DEL NORTE / ...)"},
//   //            {2, 1, "near match 0.94 (AUTOPARTES DEL NORTH / AUTO PARTES DEL NORTE); same
//   //                    address AV JUAREZ 12"}
//   // Without `facts`, "AUTOPARTES DEL NORTH" stays an entity of its own.
//   NameKey("Müller Autoteile GmbH & Co. KG") == "MULLER AUTOTEILE"
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leadq::trade {

// The spelling as a person reads it: trimmed, upper case (ASCII and the Latin-1 and Latin
// Extended-A letters of UTF-8: "é" -> "É"), every run of white space (also no-break spaces) as one
// space. Bytes that are not valid UTF-8 are kept as they are. Pure and thread-safe.
std::string DisplaySpelling(std::string_view raw);

// The matching key: upper case; accents folded to ASCII (Latin-1, Latin Extended-A, the common
// Latin Extended-B and Vietnamese letters, combining accents, full-width forms: "É" -> "E",
// "ß" -> "SS", "Ł" -> "L"); '.' and apostrophes deleted ("S.A." -> "SA"); '&' -> "AND"; other
// punctuation -> space; spaces collapsed; a leading "THE" dropped; legal forms (INC, LLC, LTD,
// GMBH, SA DE CV, SP Z OO, SDN BHD, LTDA, EIRELI, ME, ...) stripped from the end repeatedly, with
// the "&" that joined them ("GMBH & CO KG"). Never strips the whole name: "S.A." keys as "SA".
// Letters of other scripts are kept as they are. May be empty (a name of punctuation only).
// Pure and thread-safe.
std::string NameKey(std::string_view raw);

// The matching form of a street address or a city: folded like NameKey (upper case, accents,
// '.' and apostrophes deleted, other punctuation as one space) but with nothing stripped:
// "Av. Constitución 2201 Pte." -> "AV CONSTITUCION 2201 PTE". Pure and thread-safe.
std::string AddressKey(std::string_view raw);

// One spelling of a name as it appears in the shipments, with how many shipments use it.
struct Spelling {
  std::string country;  // ISO alpha-2 (any case), may be empty
  std::string name;     // as written; read through DisplaySpelling
  uint32_t shipments = 0;
  bool operator==(const Spelling&) const = default;
};

// The user's word on two spellings of one country: merge them, or never put them together.
struct EntityRule {
  bool merge = true;  // false: forbid (split)
  std::string country;
  std::string a, b;  // read through DisplaySpelling
  bool operator==(const EntityRule&) const = default;
};

struct Entity {
  std::string id;       // "<country lower>-<slug of the key>" ("xx-" without a country);
                        // unique, the later ones get "-2", "-3"...
  std::string country;  // upper case, trimmed
  std::string name;     // the spelling with most shipments (ties: the first alphabetically)
  std::vector<uint32_t> spellings;  // indexes into the input, ascending
  bool operator==(const Entity&) const = default;
};

// Why `spelling` was joined to `joined_to` (indexes into the input). An entity of n distinct
// spellings has n - 1 reasons, plus one "same spelling" per repeated input spelling.
struct MergeReason {
  uint32_t spelling = 0;
  uint32_t joined_to = 0;
  std::string why;  // "merged by the user", "same spelling", "same name after normalisation
                    // (INC dropped)", "same name apart from spacing (A / B)", "same words in
                    // another order (A / B)", "near match 0.94 (A / B); same supplier X (DE)"
  bool operator==(const MergeReason&) const = default;
};

struct Resolution {
  std::vector<Entity> entities;      // ordered by country, then name
  std::vector<uint32_t> entity_of;   // per input spelling: its index in `entities`
  std::vector<MergeReason> reasons;  // in the order the joins were made (strongest first)
};

// What the shipment records of some spellings say besides their names (EvidenceLookup).
struct Evidence {
  // Per asked spelling, in the order asked: the ids of its facts (any order, repeats allowed).
  std::vector<std::vector<uint32_t>> facts;
  // What each fact id stands for, as a reason names it: "address 1200 INDUSTRIAL PKWY,
  // DETROIT", "notify party EXPEDITORS INTERNATIONAL", "supplier ROBERT BOSCH (DE)". One id per
  // fact: two spellings share a fact when they have the same id.
  std::vector<std::string> names;
};

// The facts of the input spellings `spellings` (indexes, ascending). ResolveEntities calls it at
// most once, from the calling thread, for the groups near matches would join.
using EvidenceLookup = std::function<Evidence(std::span<const uint32_t> spellings)>;

// Resolves spellings into entities. Deterministic: the same spellings (with the same facts) in
// any order give the same entities (ids, names, members) and the same joins. Near matches join
// only groups that share a fact from `evidence` (none without it); the reason names up to two
// shared facts, first in text order ("; same address ...; same supplier ...; and 2 more"). A
// merge rule joins the two spellings' entities, with or without evidence; a split rule forbids
// the two spellings from ever being in one entity: any join that would put them together is
// skipped, including exact-key ones ("ACME INC" and "ACME LLC" may be different companies), and
// a split wins over a merge rule that contradicts it. A rule naming a spelling that is not in the
// input (or the same spelling twice) is ignored; the caller reports it. Never fails.
// Thread-safe; uses WorkerCount() threads (core/parallel.h).
Resolution ResolveEntities(std::span<const Spelling> spellings, std::span<const EntityRule> rules,
                           const EvidenceLookup& evidence = {});

}  // namespace leadq::trade
