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

namespace text_internal {

// Powers of ten that a double holds exactly.
inline constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The common cell, a plain decimal ("-12", "3.250") of 1 to 15 digits with nothing around it,
// by Clinger's fast path: its digits as an integer are exact in a double, and so is the power of
// ten it is divided by, so the one division rounds correctly, to the same double from_chars
// gives. False for anything else (white space, an exponent, more digits, no digit at all), which
// ParseNumberGeneral reads.
inline bool ParsePlainDecimal(std::string_view s, double& out) {
  const char* p = s.data();
  const char* end = p + s.size();
  if (p == end) return false;
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    ++p;
  }
  uint64_t digits = 0;
  const char* first = p;
  for (; p < end && static_cast<unsigned char>(*p - '0') <= 9; ++p) {
    digits = digits * 10 + static_cast<uint64_t>(*p - '0');
  }
  ptrdiff_t count = p - first;
  ptrdiff_t fraction = 0;
  if (p < end && *p == '.') {
    const char* point = ++p;
    for (; p < end && static_cast<unsigned char>(*p - '0') <= 9; ++p) {
      digits = digits * 10 + static_cast<uint64_t>(*p - '0');
    }
    fraction = p - point;
    count += fraction;
  }
  if (p != end || count == 0 || count > 15) return false;
  double value = static_cast<double>(digits) / kExactPowersOfTen[fraction];
  out = negative ? -value : value;
  return true;
}

}  // namespace text_internal

// ParseNumber for the cells the inline fast path does not read (white space, an exponent, more
// than 15 digits, not a number at all).
std::optional<double> ParseNumberGeneral(std::string_view cell);

// A cell read as a decimal number: the whole trimmed cell must parse ("-12", "3.5", "1e3",
// "+4"); "1,000", "12 employees", "inf", "nan", "0x1A" and the empty string do not. Inline for
// the plain decimal, which most numeric cells are (this runs per cell of large files).
inline std::optional<double> ParseNumber(std::string_view cell) {
  double value;
  if (text_internal::ParsePlainDecimal(cell, value)) return value;
  return ParseNumberGeneral(cell);
}

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

// Appends a number with exactly six decimals, correctly rounded: what std::to_chars(fixed, 6)
// writes. Faster for the common case, a probability in [0, 1] (predict writes one per row).
void AppendFixed6(std::string& out, double value);

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
