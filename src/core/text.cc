#include "core/text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace leadq {

std::string_view Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string ColumnKey(std::string_view header) {
  std::string key;
  key.reserve(header.size());
  bool pending_sep = false;
  for (char raw : Trim(header)) {
    char c = AsciiLower(raw);
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!keep) {
      pending_sep = true;
      continue;
    }
    if (pending_sep && !key.empty()) key.push_back('_');
    pending_sep = false;
    key.push_back(c);
  }
  return key;
}

std::optional<double> ParseNumber(std::string_view cell) {
  std::string_view s = Trim(cell);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  }
  // Only digits, one sign, a point and an exponent are decimal; this refuses inf, nan and hex,
  // which from_chars would otherwise accept.
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
    if (!ok) return std::nullopt;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view cell) {
  std::string_view s = Trim(cell);
  if (s.size() > 5) return std::nullopt;
  char buf[6] = {};
  for (size_t i = 0; i < s.size(); ++i) buf[i] = AsciiLower(s[i]);
  std::string_view v(buf, s.size());
  if (v == "true" || v == "yes" || v == "1" || v == "y" || v == "t") return true;
  if (v == "false" || v == "no" || v == "0" || v == "n" || v == "f") return false;
  return std::nullopt;
}

size_t FindInvalidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Fast path: eight ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

void AppendFixed2(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    return;
  }
  bool negative = value < 0;
  double magnitude = std::fabs(value);
  if (magnitude >= 1e9) {
    // Too large for the exact integer path; such scores do not occur in practice.
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", value);
    out += buf;
    return;
  }
  // Nanos first (removes binary noise), then half away from zero at the hundredths.
  auto nanos = static_cast<uint64_t>(std::llround(magnitude * 1e9));
  uint64_t cents = (nanos + 5'000'000) / 10'000'000;
  if (cents == 0) negative = false;
  char buf[32];
  char* p = buf;
  if (negative) *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, cents / 100).ptr;
  *p++ = '.';
  *p++ = static_cast<char>('0' + (cents % 100) / 10);
  *p++ = static_cast<char>('0' + cents % 10);
  out.append(buf, static_cast<size_t>(p - buf));
}

std::string FormatFixed2(double value) {
  std::string out;
  AppendFixed2(out, value);
  return out;
}

void AppendCsvField(std::string& out, std::string_view field) {
  bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                      (!field.empty() && (IsSpace(field.front()) || IsSpace(field.back())));
  if (!needs_quotes) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string GroupThousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  int lead = static_cast<int>(digits.size() % 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (static_cast<int>(i) - lead) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> pieces;
  size_t from = 0;
  for (;;) {
    const size_t at = s.find(sep, from);
    pieces.push_back(
        s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos) return pieces;
    from = at + 1;
  }
}

}  // namespace leadq
