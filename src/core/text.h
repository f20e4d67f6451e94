// Text primitives shared by every module: trimming, ASCII case, column keys, the number and
// boolean readings of a cell that MODEL.md fixes, and UTF-8 validation.
//
// All functions are pure and thread-safe.
//
// Example:
//   ColumnKey("Total Time Spent on Website") == "total_time_spent_on_website"
//   ParseNumber(" 1e3 ") == 1000.0;  ParseNumber("1,000") == std::nullopt
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadq {

inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Removes ASCII white space on both ends. Inline: most cells have none, and this runs per cell.
inline std::string_view Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string AsciiLower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);

// The key of a CSV header (MODEL.md "Keys"): trimmed, lower-cased, every run of characters other
// than a-z and 0-9 replaced by one '_', leading and trailing '_' removed. May be empty.
std::string ColumnKey(std::string_view header);

// A cell read as a decimal number: the whole trimmed cell must parse ("-12", "3.5", "1e3",
// "+4"); "1,000", "12 employees", "inf", "nan", "0x1A" and the empty string do not.
std::optional<double> ParseNumber(std::string_view cell);

// A cell read as a boolean: true, yes, 1, y, t / false, no, 0, n, f (any case, trimmed);
// anything else has no boolean reading.
std::optional<bool> ParseBool(std::string_view cell);

// The offset of the first byte that is not part of well-formed UTF-8, or npos when all is valid.
size_t FindInvalidUtf8(std::string_view bytes);
// The same, adding the number of LF bytes of `bytes` to `newlines` (all of them when the bytes
// are valid; up to the bad byte or a little past it when not).
size_t FindInvalidUtf8(std::string_view bytes, int64_t& newlines);

// Formats a number with exactly two decimals, rounded half away from zero. Binary noise below
// the ninth decimal is removed first, so 2.675 (stored as 2.67499999...) is written "2.68" as a
// person computing by hand expects. Zero is never written with a sign.
void AppendFixed2(std::string& out, double value);
std::string FormatFixed2(double value);

// Appends `field` to `out` as one RFC 4180 CSV field, quoted when it must be.
void AppendCsvField(std::string& out, std::string_view field);

// "a, b, c": the items (strings or string views) with `separator` between them.
template <typename Range>
std::string JoinStrings(const Range& items, std::string_view separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    out += item;
    first = false;
  }
  return out;
}

// "12,345,678": digits grouped by thousands, for messages and summaries.
std::string GroupThousands(uint64_t n);

// The pieces of `s` between each `sep` (empty pieces kept: Split("a,,b", ',') is {"a", "", "b"};
// Split("", ',') is {""}). The pieces view `s`.
std::vector<std::string_view> Split(std::string_view s, char sep);

}  // namespace leadq
