#include "trade/hs.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "core/text.h"

// The bytes of data/hs/harmonized-system.csv, placed by the generated hs_embedded.cc (see
// costs.cmake).
extern "C" {
__attribute__((visibility("hidden"))) extern const char leadq_hs_csv_begin[];
__attribute__((visibility("hidden"))) extern const char leadq_hs_csv_end[];
}

namespace leadq::trade {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view Field(std::span<const std::string_view> fields, int column) {
  if (column < 0 || static_cast<size_t>(column) >= fields.size()) return {};
  return Trim(fields[static_cast<size_t>(column)]);
}

}  // namespace

std::string HsDigits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '.' && c != ' ') {
      return "";
    }
  }
  return digits;
}

std::string FormatHs(std::string_view code) {
  std::string digits = HsDigits(code);
  if (digits.size() <= 4) return digits;
  std::string out = digits.substr(0, 4);
  for (size_t i = 4; i < digits.size(); i += 2) {
    out += '.';
    out += digits.substr(i, 2);
  }
  return out;
}

namespace internal {

int CsvText::FindColumn(std::string_view key) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!key.empty() && columns[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

Result<CsvText> ReadCsvText(std::string_view bytes, std::string_view name) {
  const std::string prefix(name);
  size_t begin = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") begin = 3;
  if (Trim(bytes.substr(begin)).empty()) {
    return Status::Invalid(prefix + ": the file is empty; expected a header row");
  }
  size_t bad = FindInvalidUtf8(bytes);
  if (bad != std::string_view::npos) {
    TextPosition p = PositionOf(bytes, bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[bad]));
    return Status::Invalid(prefix + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                           ": not UTF-8 (byte " + hex + "); save the file as UTF-8");
  }
  CsvReader header(bytes, begin, bytes.size(), 1);
  if (!header.Next()) {
    if (!header.status().ok()) return header.status().WithPrefix(prefix);
    return Status::Invalid(prefix + ": the file is empty; expected a header row");
  }
  CsvText text;
  std::unordered_map<std::string, size_t> seen;
  for (std::string_view h : header.fields()) {
    CsvColumn col{std::string(Trim(h)), ColumnKey(h)};
    if (!col.key.empty()) {
      auto [it, fresh] = seen.emplace(col.key, text.columns.size());
      if (!fresh) {
        return Status::Invalid(prefix + ":" + std::to_string(header.line()) + ": columns " +
                               std::to_string(it->second + 1) + " and " +
                               std::to_string(text.columns.size() + 1) + " have the same key \"" +
                               col.key + "\"; rename one of them");
      }
    }
    text.columns.push_back(std::move(col));
  }
  text.body_begin = header.position();
  text.body_line =
      1 + std::count(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(text.body_begin), '\n');
  return text;
}

}  // namespace internal

const HsNomenclature& HsNomenclature::Builtin() {
  static const HsNomenclature builtin = [] {
    std::string_view csv(leadq_hs_csv_begin,
                         static_cast<size_t>(leadq_hs_csv_end - leadq_hs_csv_begin));
    Result<HsNomenclature> parsed = Parse(csv, "data/hs/harmonized-system.csv");
    // The file is part of the build: a failure here is a bug that hs_test catches, not input.
    assert(parsed.ok());
    return parsed.ok() ? std::move(parsed).value() : HsNomenclature();
  }();
  return builtin;
}

Result<HsNomenclature> HsNomenclature::Parse(std::string_view csv, std::string_view name) {
  LEADQ_TRY(internal::CsvText text, internal::ReadCsvText(csv, name));
  const std::string prefix(name);
  int code_col = text.FindColumn("hscode");
  if (code_col < 0) code_col = text.FindColumn("hs_code");
  const int description_col = text.FindColumn("description");
  const int parent_col = text.FindColumn("parent");
  const int level_col = text.FindColumn("level");
  const int section_col = text.FindColumn("section");
  std::vector<std::string> missing;
  if (code_col < 0) missing.push_back("hscode");
  if (description_col < 0) missing.push_back("description");
  if (!missing.empty()) {
    return Status::Invalid(prefix + ":1: no column " + JoinStrings(missing, " or ") +
                           "; expected section,hscode,description,parent,level");
  }

  HsNomenclature hs;
  std::vector<std::string> errors;
  std::vector<int64_t> lines;  // of each entry, for duplicates
  CsvReader reader(csv, text.body_begin, csv.size(), text.body_line);
  while (reader.Next()) {
    auto fields = reader.fields();
    const std::string at = prefix + ":" + std::to_string(reader.line()) + ": ";
    std::string_view code = Field(fields, code_col);
    if (IEquals(code, "TOTAL")) continue;
    if (!AllDigits(code) || (code.size() != 2 && code.size() != 4 && code.size() != 6)) {
      errors.push_back(at + "the code \"" + std::string(code) + "\" is not 2, 4 or 6 digits");
      continue;
    }
    HsEntry entry;
    entry.code = std::string(code);
    entry.level = static_cast<int>(code.size());
    if (level_col >= 0) {
      std::optional<double> level = ParseNumber(Field(fields, level_col));
      if (!level || *level != entry.level) {
        errors.push_back(at + "the level \"" + std::string(Field(fields, level_col)) + "\" of " +
                         entry.code + " is not its number of digits " +
                         std::to_string(entry.level));
        continue;
      }
    }
    entry.description = std::string(Field(fields, description_col));
    std::string_view parent = Field(fields, parent_col);
    if (!IEquals(parent, "TOTAL")) entry.parent = std::string(parent);
    std::string_view section = Field(fields, section_col);
    if (!IEquals(section, "TOTAL")) entry.section = std::string(section);  // chapter 99
    hs.entries_.push_back(std::move(entry));
    lines.push_back(reader.line());
  }
  if (!reader.status().ok()) errors.push_back(reader.status().WithPrefix(prefix).message());

  std::vector<size_t> order(hs.entries_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return hs.entries_[a].code < hs.entries_[b].code; });
  std::vector<HsEntry> sorted;
  sorted.reserve(order.size());
  int64_t previous_line = 0;
  for (size_t i : order) {
    HsEntry& entry = hs.entries_[i];
    if (!sorted.empty() && sorted.back().code == entry.code) {
      errors.push_back(prefix + ":" + std::to_string(lines[i]) + ": the code " + entry.code +
                       " is already given on line " + std::to_string(previous_line));
      continue;
    }
    previous_line = lines[i];
    sorted.push_back(std::move(entry));
  }
  hs.entries_ = std::move(sorted);
  if (!errors.empty()) return Status::Invalid(JoinStrings(errors, "\n"));
  return hs;
}

const HsEntry* HsNomenclature::Find(std::string_view digits) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), digits,
                             [](const HsEntry& e, std::string_view d) { return e.code < d; });
  if (it == entries_.end() || it->code != digits) return nullptr;
  return &*it;
}

const HsEntry* HsNomenclature::Longest(std::string_view digits) const {
  if (!AllDigits(digits)) return nullptr;
  for (size_t length : {6, 4, 2}) {
    if (digits.size() < length) continue;
    if (const HsEntry* entry = Find(digits.substr(0, length))) return entry;
  }
  return nullptr;
}

std::string HsNomenclature::Describe(std::string_view digits) const {
  std::string code = HsDigits(digits);
  if (code.empty()) return "";
  std::string out = FormatHs(code);
  if (const HsEntry* entry = Longest(code)) {
    out += ' ';
    out += entry->description;
  }
  return out;
}

}  // namespace leadq::trade
