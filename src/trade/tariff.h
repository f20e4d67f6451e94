// Import duty rates and the tariff tables that hold them, by destination country and HS prefix.
//
// A rate is written as customs schedules write it: "Free", "5.5%", "0.5¢/kg", "$1.20/kg",
// "3.9¢/No.", "15.4¢/kg + 53.5%" (an ad valorem part, a specific part, or both). A table is read
// from the tariff files an [export] model names, in either of two CSV layouts: the US HTS export
// (hts_code, ..., general_rate, ...; the destination comes from the model) or leadq's own
// (hs_prefix, destination, ad_valorem_pct, specific_per_unit[, unit][, currency][, note]).
//
// Example:
//   LEADQ_TRY(DutyRate rate, ParseDutyRate("15.4¢/kg + 53.5%"));
//   // rate.ad_valorem == 0.535, rate.specific == 0.154, rate.specific_unit == "kg",
//   // rate.specific_currency == "USD"
//   LEADQ_TRY(TariffTable table, TariffTable::Load(section.tariffs));
//   if (const TariffLine* line = table.Find("US", "8708305020")) Use(line->rate);
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "model/model.h"

namespace leadq::trade {

// One duty rate. The duty on one unit is ad_valorem x customs value + specific x quantity, where
// the quantity is the unit's weight in kg (specific_unit "kg") or 1 (specific_unit "unit").
struct DutyRate {
  bool free = false;              // nothing to pay: "Free", "0%", or 0 and 0 in leadq's layout
  double ad_valorem = 0;          // a fraction: 5.5% -> 0.055
  double specific = 0;            // an amount per specific_unit: 15.4¢/kg -> 0.154
  std::string specific_unit;      // "kg" or "unit"; "" when there is no specific part
  std::string specific_currency;  // "USD" for the ¢ and $ forms; "" = the destination's own
  std::string text;               // as written: "15.4¢/kg + 53.5%"

  bool operator==(const DutyRate&) const = default;
};

// Reads one rate: "Free" (any case); "5.5%"; a specific amount "0.5¢/kg", "$1.20/kg" per kg or
// per unit of product ("¢/No.", "/each", "/unit"); or a specific and an ad valorem part joined by
// "+" in either order. Fails with Invalid("cannot read the rate \"<text>\": <why>") for anything
// else (the empty string, "5,5 %", "4.4¢/liter", "5% on the value of the sugar"). Pure,
// thread-safe.
Result<DutyRate> ParseDutyRate(std::string_view text);

// A fraction as a percentage with up to 10 significant digits: 0.003464 -> "0.3464%",
// 0.055 -> "5.5%". Pure, thread-safe.
std::string FormatPercent(double fraction);

// The rate written back in the schedule's style: "Free", "2.5%", "15.4¢/kg + 53.5%",
// "1.5 EUR/unit + 16%". Pure, thread-safe.
std::string FormatDutyRate(const DutyRate& rate);

// One row of a tariff table.
struct TariffLine {
  std::string destination;  // ISO 3166-1 alpha-2, upper case: "US"
  std::string hs_prefix;    // 2 to 10 digits: the codes this rate applies to
  DutyRate rate;
  std::string description;  // the schedule's description, or the note in leadq's layout
  std::string source;       // "tariffs/us-hts-8708.csv:4" (the file as written in the model)

  bool operator==(const TariffLine&) const = default;
};

// The tariff lines of every destination. Immutable once loaded: const methods are thread-safe.
class TariffTable {
 public:
  // Reads every tariff file the model names (model::TariffFile: its bytes, the file as written,
  // the destination for layouts without a destination column). The layout is told apart by the
  // header:
  //  (a) the US HTS export (hts_code, ..., general_rate, ...): every row is for
  //      TariffFile::destination; the rate is general_rate; rows with an empty general_rate are
  //      headings and are skipped; the description is full_description (else description).
  //  (b) leadq's own: hs_prefix, destination, ad_valorem_pct (18 means 18%), specific_per_unit
  //      (an amount per `unit`: "kg", the default, or "unit"), currency (of the specific amount;
  //      empty: the destination's own), note. Empty cells are 0; a row whose rates are both 0
  //      is Free. A row without a destination takes TariffFile::destination.
  // Columns are matched by key (core/text.h ColumnKey) in any order; others are ignored. HS
  // prefixes may be written with dots and must have 2 to 10 digits. Fails with every error
  // found, one per line, each naming the file, the line and the string:
  //   tariffs/duties.csv:4: cannot read the rate "5,5 %" in general_rate: ...
  //   tariffs/us.csv: the US HTS layout has no destination column; ... (model line 25)
  // Also fails when one destination and prefix are given twice (naming both places).
  static Result<TariffTable> Load(std::span<const model::TariffFile> files);

  // The line for `destination` (any case) with the longest hs_prefix that prefixes
  // `hs_digits` (digits only); nullptr if none.
  const TariffLine* Find(std::string_view destination, std::string_view hs_digits) const;

  // The lines for `destination` whose hs_prefix is longer than `hs_digits` and starts with it,
  // in prefix order: the national tariff lines under a 6-digit product code when no line
  // covers the code itself ("870830" -> 8708.30.10.00 Free, 8708.30.50 2.5%). The caller
  // decides what to do when they disagree.
  std::vector<const TariffLine*> Under(std::string_view destination,
                                       std::string_view hs_digits) const;

  size_t size() const { return lines_.size(); }
  const std::vector<TariffLine>& lines() const { return lines_; }

 private:
  std::vector<TariffLine> lines_;                   // in file order
  std::unordered_map<std::string, size_t> by_key_;  // "US:870830" -> index in lines_
};

// The tariff line to price a code with: the line covering it (TariffTable::Find), else, for a
// code shorter than the national lines, the dearest of the lines under it (by ad valorem rate,
// then specific rate), with a note saying so ("8708.30 has 2 national lines, Free to 2.5%: the
// highest taken"). `line` is null when neither exists. Thread-safe.
struct TariffChoice {
  const TariffLine* line = nullptr;
  std::string note;  // empty when the code itself has a line
};
TariffChoice ChooseTariff(const TariffTable& table, std::string_view destination,
                          std::string_view hs_digits);

}  // namespace leadq::trade
