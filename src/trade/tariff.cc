#include "trade/tariff.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include "core/csv.h"
#include "core/text.h"
#include "trade/hs.h"

namespace leadq::trade {
namespace {

constexpr std::string_view kCent = "\xC2\xA2";  // ¢ in UTF-8

// Up to 10 significant digits, no trailing zeros: 0.154 * 100 -> "15.4", not 15.400000000000002.
std::string FormatNumber(double value) {
  std::array<char, 32> buf{};
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::general, 10);
  if (ec != std::errc()) return "?";
  return std::string(buf.data(), end);
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

bool IsCurrencyCode(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
         });
}

// "kg" -> "kg"; "No.", "each", "unit" (any case) -> "unit"; anything else -> nullopt.
std::optional<std::string> SpecificUnit(std::string_view text) {
  std::string unit = AsciiLower(Trim(text));
  if (!unit.empty() && unit.back() == '.') unit.pop_back();
  if (unit == "kg") return "kg";
  if (unit == "no" || unit == "each" || unit == "unit" || unit == "units") return "unit";
  return std::nullopt;
}

std::optional<double> NonNegative(std::string_view text) {
  std::optional<double> n = ParseNumber(text);
  if (!n || *n < 0) return std::nullopt;
  return n;
}

// Reads one rate; on failure returns the reason (without the rate itself) in `why`.
std::optional<DutyRate> ReadRate(std::string_view written, std::string& why) {
  DutyRate rate;
  rate.text = std::string(Trim(written));
  std::string_view text = rate.text;
  if (text.empty()) {
    why = "the rate is empty";
    return std::nullopt;
  }
  if (IEquals(text, "free")) {
    rate.free = true;
    return rate;
  }
  bool has_ad_valorem = false;
  bool has_specific = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t plus = text.find('+', start);
    if (plus == std::string_view::npos) plus = text.size();
    std::string_view term = Trim(text.substr(start, plus - start));
    start = plus + 1;
    if (term.empty()) {
      why = "a part is missing around \"+\"";
      return std::nullopt;
    }
    if (term.back() == '%') {
      std::optional<double> pct = NonNegative(term.substr(0, term.size() - 1));
      if (!pct) {
        why = "\"" + std::string(Trim(term.substr(0, term.size() - 1))) +
              "\" is not a percentage (write 5.5%)";
        return std::nullopt;
      }
      if (has_ad_valorem) {
        why = "it has two ad valorem parts";
        return std::nullopt;
      }
      has_ad_valorem = true;
      rate.ad_valorem = *pct / 100;
      continue;
    }
    size_t slash = term.find('/');
    if (slash == std::string_view::npos) {
      why = "\"" + std::string(term) +
            "\" is neither a percentage (5.5%) nor an amount per kg or unit (0.5¢/kg, $1.20/kg)";
      return std::nullopt;
    }
    if (has_specific) {
      why = "it has two specific parts";
      return std::nullopt;
    }
    std::string_view amount = Trim(term.substr(0, slash));
    std::string_view per = Trim(term.substr(slash + 1));
    std::optional<std::string> unit = SpecificUnit(per);
    if (!unit) {
      why = "per \"" + std::string(per) +
            "\" is not supported: only per kg and per unit of product (No., each, unit)";
      return std::nullopt;
    }
    std::optional<double> value;
    if (amount.ends_with(kCent)) {
      value = NonNegative(amount.substr(0, amount.size() - kCent.size()));
      if (value) *value /= 100;
      rate.specific_currency = "USD";
    } else if (amount.starts_with('$')) {
      value = NonNegative(amount.substr(1));
      rate.specific_currency = "USD";
    } else {
      size_t space = amount.rfind(' ');
      std::string_view code = space == std::string_view::npos ? "" : amount.substr(space + 1);
      if (!IsCurrencyCode(code)) {
        why = "\"" + std::string(amount) +
              "\" names no currency (write 0.5¢/kg, $1.20/kg or 1.20 EUR/kg)";
        return std::nullopt;
      }
      value = NonNegative(amount.substr(0, space));
      rate.specific_currency = AsciiUpper(code);
    }
    if (!value) {
      why = "\"" + std::string(amount) + "\" is not an amount";
      return std::nullopt;
    }
    has_specific = true;
    rate.specific = *value;
    rate.specific_unit = *unit;
  }
  rate.free = rate.ad_valorem == 0 && rate.specific == 0;
  return rate;
}

std::string_view Cell(std::span<const std::string_view> fields, int column) {
  if (column < 0 || static_cast<size_t>(column) >= fields.size()) return {};
  return Trim(fields[static_cast<size_t>(column)]);
}

std::string Key(std::string_view destination, std::string_view prefix) {
  return AsciiUpper(destination) + ":" + std::string(prefix);
}

// Collects the lines and errors of all files.
struct TableBuilder {
  std::vector<TariffLine> lines;
  std::unordered_map<std::string, size_t> by_key;
  std::vector<std::string> errors;

  void Add(TariffLine line) {
    auto [it, fresh] = by_key.emplace(Key(line.destination, line.hs_prefix), lines.size());
    if (!fresh) {
      const TariffLine& first = lines[it->second];
      errors.push_back(line.source + ": " + FormatHs(line.hs_prefix) + " into " + line.destination +
                       " is already given at " + first.source);
      return;
    }
    lines.push_back(std::move(line));
  }
};

// The HS prefix of a row, or an error naming it.
std::optional<std::string> ReadPrefix(std::string_view cell, std::string_view column,
                                      const std::string& at, std::vector<std::string>& errors) {
  std::string digits = HsDigits(cell);
  if (digits.size() < 2 || digits.size() > 10) {
    errors.push_back(at + "the HS code \"" + std::string(cell) + "\" in " + std::string(column) +
                     " is not 2 to 10 digits");
    return std::nullopt;
  }
  return digits;
}

void ReadHtsLayout(const model::TariffFile& file, const std::string& name,
                   const internal::CsvText& text, TableBuilder& table) {
  if (Trim(file.destination).empty()) {
    std::string where;
    if (file.pos.line > 0) {
      where = " (model line " + std::to_string(file.pos.line);
      if (file.pos.column > 0) where += ", column " + std::to_string(file.pos.column);
      where += ")";
    }
    table.errors.push_back(name +
                           ": the US HTS layout has no destination column; say which country "
                           "its rates are for: { file = \"" +
                           name + "\", destination = \"US\" }" + where);
    return;
  }
  const std::string destination = AsciiUpper(Trim(file.destination));
  const int code_col = text.FindColumn("hts_code");
  const int rate_col = text.FindColumn("general_rate");
  int description_col = text.FindColumn("full_description");
  if (description_col < 0) description_col = text.FindColumn("description");
  const std::string_view bytes = file.content;
  CsvReader reader(bytes, text.body_begin, bytes.size(), text.body_line);
  while (reader.Next()) {
    auto fields = reader.fields();
    const std::string source = name + ":" + std::to_string(reader.line());
    std::string_view rate_text = Cell(fields, rate_col);
    if (rate_text.empty()) continue;  // a heading
    std::optional<std::string> prefix =
        ReadPrefix(Cell(fields, code_col), "hts_code", source + ": ", table.errors);
    std::string why;
    std::optional<DutyRate> rate = ReadRate(rate_text, why);
    if (!rate) {
      table.errors.push_back(source + ": cannot read the rate \"" + std::string(rate_text) +
                             "\" in general_rate: " + why);
    }
    if (!prefix || !rate) continue;
    table.Add(TariffLine{destination, std::move(*prefix), std::move(*rate),
                         std::string(Cell(fields, description_col)), source});
  }
  if (!reader.status().ok()) table.errors.push_back(reader.status().WithPrefix(name).message());
}

void ReadLeadqLayout(const model::TariffFile& file, const std::string& name,
                     const internal::CsvText& text, TableBuilder& table) {
  const int prefix_col = text.FindColumn("hs_prefix");
  const int destination_col = text.FindColumn("destination");
  const int ad_valorem_col = text.FindColumn("ad_valorem_pct");
  const int specific_col = text.FindColumn("specific_per_unit");
  const int unit_col = text.FindColumn("unit");
  const int currency_col = text.FindColumn("currency");
  const int note_col = text.FindColumn("note");
  const std::string default_destination = AsciiUpper(Trim(file.destination));
  if (ad_valorem_col < 0 && specific_col < 0) {
    table.errors.push_back(name +
                           ":1: no column ad_valorem_pct or specific_per_unit; expected "
                           "hs_prefix,destination,ad_valorem_pct,specific_per_unit");
    return;
  }
  if (destination_col < 0 && default_destination.empty()) {
    table.errors.push_back(name +
                           ":1: no destination column; add one, or give the file a destination "
                           "in the model");
    return;
  }
  const std::string_view bytes = file.content;
  CsvReader reader(bytes, text.body_begin, bytes.size(), text.body_line);
  while (reader.Next()) {
    auto fields = reader.fields();
    const std::string source = name + ":" + std::to_string(reader.line());
    const std::string at = source + ": ";
    const size_t errors_before = table.errors.size();
    std::optional<std::string> prefix =
        ReadPrefix(Cell(fields, prefix_col), "hs_prefix", at, table.errors);
    std::string destination = AsciiUpper(Cell(fields, destination_col));
    if (destination.empty()) destination = default_destination;
    if (destination.empty()) table.errors.push_back(at + "destination is empty");

    DutyRate rate;
    std::string_view ad_valorem = Cell(fields, ad_valorem_col);
    if (ad_valorem.ends_with('%')) ad_valorem = Trim(ad_valorem.substr(0, ad_valorem.size() - 1));
    if (!ad_valorem.empty()) {
      std::optional<double> pct = NonNegative(ad_valorem);
      if (pct) {
        rate.ad_valorem = *pct / 100;
      } else {
        table.errors.push_back(at + "cannot read the rate \"" +
                               std::string(Cell(fields, ad_valorem_col)) +
                               "\" in ad_valorem_pct: not a percentage (write 18 for 18%)");
      }
    }
    std::string_view specific = Cell(fields, specific_col);
    if (!specific.empty()) {
      std::optional<double> amount = NonNegative(specific);
      if (amount) {
        rate.specific = *amount;
      } else {
        table.errors.push_back(at + "cannot read the rate \"" + std::string(specific) +
                               "\" in specific_per_unit: not an amount");
      }
    }
    if (rate.specific > 0) {
      std::string_view unit_text = Cell(fields, unit_col);
      std::optional<std::string> unit =
          unit_text.empty() ? std::optional<std::string>("kg") : SpecificUnit(unit_text);
      if (unit) {
        rate.specific_unit = *unit;
      } else {
        table.errors.push_back(at + "the unit \"" + std::string(unit_text) +
                               "\" is not kg or unit");
      }
      std::string_view currency = Cell(fields, currency_col);
      if (!currency.empty() && !IsCurrencyCode(currency)) {
        table.errors.push_back(at + "the currency \"" + std::string(currency) +
                               "\" is not a three-letter code");
      }
      rate.specific_currency = AsciiUpper(currency);
    }
    if (table.errors.size() != errors_before) continue;
    rate.free = rate.ad_valorem == 0 && rate.specific == 0;
    rate.text = FormatDutyRate(rate);
    table.Add(TariffLine{std::move(destination), std::move(*prefix), std::move(rate),
                         std::string(Cell(fields, note_col)), source});
  }
  if (!reader.status().ok()) table.errors.push_back(reader.status().WithPrefix(name).message());
}

}  // namespace

Result<DutyRate> ParseDutyRate(std::string_view text) {
  std::string why;
  std::optional<DutyRate> rate = ReadRate(text, why);
  if (!rate) return Status::Invalid("cannot read the rate \"" + std::string(text) + "\": " + why);
  return std::move(*rate);
}

std::string FormatPercent(double fraction) { return FormatNumber(fraction * 100) + "%"; }

std::string FormatDutyRate(const DutyRate& rate) {
  if (rate.ad_valorem == 0 && rate.specific == 0) return "Free";
  std::string out;
  if (rate.specific != 0) {
    const std::string unit = rate.specific_unit.empty() ? "kg" : rate.specific_unit;
    if (rate.specific_currency == "USD" && rate.specific < 1) {
      out = FormatNumber(rate.specific * 100) + std::string(kCent) + "/" + unit;
    } else if (rate.specific_currency == "USD") {
      out = "$" + FormatNumber(rate.specific) + "/" + unit;
    } else if (!rate.specific_currency.empty()) {
      out = FormatNumber(rate.specific) + " " + rate.specific_currency + "/" + unit;
    } else {
      out = FormatNumber(rate.specific) + "/" + unit;
    }
  }
  if (rate.ad_valorem != 0) {
    if (!out.empty()) out += " + ";
    out += FormatPercent(rate.ad_valorem);
  }
  return out;
}

Result<TariffTable> TariffTable::Load(std::span<const model::TariffFile> files) {
  TableBuilder builder;
  for (const model::TariffFile& file : files) {
    const std::string name = file.written.empty() ? file.file : file.written;
    Result<internal::CsvText> text = internal::ReadCsvText(file.content, name);
    if (!text.ok()) {
      builder.errors.push_back(text.status().message());
      continue;
    }
    if (text->FindColumn("hts_code") >= 0 && text->FindColumn("general_rate") >= 0) {
      ReadHtsLayout(file, name, *text, builder);
    } else if (text->FindColumn("hs_prefix") >= 0) {
      ReadLeadqLayout(file, name, *text, builder);
    } else {
      builder.errors.push_back(
          name +
          ":1: not a tariff layout leadq reads: expected the US HTS export (hts_code, ..., "
          "general_rate) or hs_prefix,destination,ad_valorem_pct,specific_per_unit");
    }
  }
  if (!builder.errors.empty()) return Status::Invalid(JoinStrings(builder.errors, "\n"));
  TariffTable table;
  table.lines_ = std::move(builder.lines);
  table.by_key_ = std::move(builder.by_key);
  return table;
}

const TariffLine* TariffTable::Find(std::string_view destination,
                                    std::string_view hs_digits) const {
  std::string key = Key(destination, "");
  const size_t base = key.size();
  for (size_t length = std::min<size_t>(hs_digits.size(), 10); length >= 2; --length) {
    key.resize(base);
    key.append(hs_digits.substr(0, length));
    auto it = by_key_.find(key);
    if (it != by_key_.end()) return &lines_[it->second];
  }
  return nullptr;
}

std::vector<const TariffLine*> TariffTable::Under(std::string_view destination,
                                                  std::string_view hs_digits) const {
  std::vector<const TariffLine*> under;
  for (const TariffLine& line : lines_) {
    if (IEquals(line.destination, destination) && line.hs_prefix.size() > hs_digits.size() &&
        line.hs_prefix.starts_with(hs_digits)) {
      under.push_back(&line);
    }
  }
  std::sort(under.begin(), under.end(),
            [](const TariffLine* a, const TariffLine* b) { return a->hs_prefix < b->hs_prefix; });
  return under;
}

TariffChoice ChooseTariff(const TariffTable& table, std::string_view destination,
                          std::string_view hs_digits) {
  TariffChoice choice;
  choice.line = table.Find(destination, hs_digits);
  if (choice.line != nullptr) return choice;
  std::vector<const TariffLine*> under = table.Under(destination, hs_digits);
  if (under.empty()) return choice;
  auto dearer = [](const TariffLine* a, const TariffLine* b) {
    if (a->rate.ad_valorem != b->rate.ad_valorem) return a->rate.ad_valorem < b->rate.ad_valorem;
    return a->rate.specific < b->rate.specific;
  };
  auto [low, high] = std::minmax_element(under.begin(), under.end(), dearer);
  choice.line = *high;
  if (under.size() > 1) {
    choice.note = FormatHs(hs_digits) + " has " + std::to_string(under.size()) +
                  " national lines in " + std::string(destination) + ", " +
                  FormatDutyRate((*low)->rate) + " to " + FormatDutyRate((*high)->rate) +
                  ": the highest (" + FormatHs((*high)->hs_prefix) + ") taken";
  }
  return choice;
}

}  // namespace leadq::trade
