// The Harmonized System nomenclature: HS codes at 2 (chapter), 4 (heading) and 6 (subheading)
// digits with their descriptions, and the spelling of codes ("8708.30" <-> "870830").
//
// HsNomenclature::Builtin() is the HS 2022 nomenclature compiled into the binary
// (data/hs/harmonized-system.csv, ODC-PDDL-1.0), so it needs no file at run time. National
// tariff lines go further (8 and 10 digits); Longest() and Describe() fall back to the longest
// HS code that prefixes them.
//
// Example:
//   const HsNomenclature& hs = HsNomenclature::Builtin();
//   std::string digits = HsDigits("8708.30.50");           // "87083050"
//   hs.Describe(digits);  // "8708.30.50 Vehicle parts; brakes, servo-brakes and parts thereof"
//   hs.Longest(digits)->code == "870830";
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/status.h"

namespace leadq::trade {

// The digits of an HS code as written: "8708.30" and "8708 30" -> "870830". Returns "" when the
// text holds anything but digits, dots and spaces, or no digit at all. Pure, thread-safe.
std::string HsDigits(std::string_view text);

// An HS code spelled with dots: 4 digits, then groups of 2: "870830" -> "8708.30",
// "8708305020" -> "8708.30.50.20", "87" -> "87". Accepts what HsDigits accepts; returns "" for
// anything else. Pure, thread-safe.
std::string FormatHs(std::string_view code);

// One code of the nomenclature.
struct HsEntry {
  std::string code;         // digits: "870830"
  std::string description;  // "Vehicle parts; brakes, servo-brakes and parts thereof"
  std::string parent;       // the code one level up ("8708"); "" for a chapter
  int level = 0;            // 2, 4 or 6: the number of digits
  std::string section;      // the HS section, a Roman numeral: "XVII"; "" for chapter 99

  bool operator==(const HsEntry&) const = default;
};

// An HS nomenclature: immutable once built, so every const method is thread-safe.
class HsNomenclature {
 public:
  // The HS 2022 nomenclature compiled into the binary, parsed on first use (thread-safe).
  static const HsNomenclature& Builtin();

  // Reads a CSV with the columns section, hscode (or hs_code), description, parent and level
  // (matched by key, in any order; others ignored), as data/hs/harmonized-system.csv. The summary
  // row whose code is TOTAL is skipped; a parent or section of TOTAL means none. Fails with every
  // bad row listed, one per line, as "name:line: what is wrong" (a code that is not 2, 4 or 6
  // digits, a level that does not match it, a code given twice, a missing column, a file that is
  // not UTF-8).
  static Result<HsNomenclature> Parse(std::string_view csv, std::string_view name);

  // The entry of exactly this 2, 4 or 6-digit code; nullptr if unknown.
  const HsEntry* Find(std::string_view digits) const;
  // The entry of the longest known prefix (6, 4, then 2 digits) of a code of any length
  // ("8708305020" -> 870830); nullptr if none, or if `digits` is not all digits.
  const HsEntry* Longest(std::string_view digits) const;
  // "8708.30.50 Vehicle parts; brakes, servo-brakes ...": the code as given, with dots,
  // and the description of Longest(). Just the code when no prefix is known; "" when `digits`
  // is not an HS code (see HsDigits).
  std::string Describe(std::string_view digits) const;

  size_t size() const { return entries_.size(); }
  // Every entry, in code order.
  const std::vector<HsEntry>& entries() const { return entries_; }

 private:
  std::vector<HsEntry> entries_;  // sorted by code
};

namespace internal {

// A CSV held in memory with its header read: what CsvFile::Open does for a file on disk (a
// UTF-8 byte-order mark skipped, UTF-8 checked, header keys unique), for bytes that came from
// elsewhere (the embedded nomenclature, a tariff file the model read). Belongs in core/csv.h.
struct CsvText {
  std::vector<CsvColumn> columns;
  size_t body_begin = 0;  // where the rows begin
  int64_t body_line = 2;  // the line they begin on
  // The index of the column with this key, or -1.
  int FindColumn(std::string_view key) const;
};
// Fails with "name: ..." (or "name:line:column: ...") when the bytes are empty, not UTF-8, or
// the header is malformed or has two columns with one key. Thread-safe.
Result<CsvText> ReadCsvText(std::string_view bytes, std::string_view name);

}  // namespace internal

}  // namespace leadq::trade
