#include "core/text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace leadq {

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

std::optional<double> ParseNumberGeneral(std::string_view cell) {
  std::string_view s = Trim(cell);
  if (s.empty()) return std::nullopt;
  double plain;
  if (text_internal::ParsePlainDecimal(s, plain)) return plain;
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

namespace {

// Walks 16-byte runs of ASCII from `i` on, adding their LFs to `newlines`; returns where the
// first run with a byte of 128 or more (or the last 15 bytes) begins. Each LF adds one to its
// lane of a byte vector (a comparison is -1 where equal), summed into `newlines` before a lane
// can overflow.
size_t CountAsciiLines(const unsigned char* p, size_t i, size_t n, int64_t& newlines) {
  using Bytes = unsigned char __attribute__((vector_size(16)));  // one SSE2 register
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kEven = 0x00FF00FF00FF00FFULL;
  Bytes lanes = {};
  int steps = 0;
  auto sum_lanes = [&] {
    uint64_t w[2];
    std::memcpy(w, &lanes, sizeof w);
    for (uint64_t x : w) {
      x = (x & kEven) + ((x >> 8) & kEven);  // four 16-bit sums of two lanes each
      newlines += static_cast<int64_t>((x * 0x0001000100010001ULL) >> 48);
    }
    lanes = Bytes{};
    steps = 0;
  };
  while (i + 16 <= n) {
    Bytes v;
    std::memcpy(&v, p + i, sizeof v);
    uint64_t w[2];
    std::memcpy(w, &v, sizeof w);
    if (((w[0] | w[1]) & kHigh) != 0) break;
    lanes -= reinterpret_cast<Bytes>(v == '\n');
    i += 16;
    if (++steps == 255) sum_lanes();
  }
  if (steps > 0) sum_lanes();
  return i;
}

// FindInvalidUtf8, and when kCount the LF bytes of `bytes` added to *newlines.
template <bool kCount>
size_t ScanUtf8(std::string_view bytes, int64_t* newlines) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    if constexpr (kCount) {
      i = CountAsciiLines(p, i, n, *newlines);
      if (i == n) break;
    }
    // Fast path: eight ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        if constexpr (kCount) {
          // Exactly the zero bytes of word ^ LF get their high bit (no borrow between bytes).
          constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
          uint64_t x = word ^ 0x0A0A0A0A0A0A0A0AULL;
          // Their sum by one multiply (a popcount instruction is not in the baseline x86-64).
          uint64_t ones = ~(((x & kLow7) + kLow7) | x | kLow7) >> 7;
          *newlines += static_cast<int64_t>((ones * 0x0101010101010101ULL) >> 56);
        }
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      if constexpr (kCount) *newlines += c == '\n';
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

}  // namespace

size_t FindInvalidUtf8(std::string_view bytes) { return ScanUtf8<false>(bytes, nullptr); }

size_t FindInvalidUtf8(std::string_view bytes, int64_t& newlines) {
  return ScanUtf8<true>(bytes, &newlines);
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

void AppendFixed6(std::string& out, double value) {
  // value x 10^6 is within 2^-33 of its exact product for value in [0, 1], so its rounding to an
  // integer is the exact product's unless the fraction is very near one half.
  if (value >= 0 && value <= 1) {
    double scaled = value * 1e6;
    double whole = std::floor(scaled);
    double fraction = scaled - whole;
    if (std::fabs(fraction - 0.5) > 1e-6) {
      auto micros = static_cast<uint32_t>(whole) + (fraction > 0.5 ? 1u : 0u);
      char buf[8];
      buf[0] = static_cast<char>('0' + micros / 1'000'000);
      buf[1] = '.';
      uint32_t rest = micros % 1'000'000;
      for (int i = 7; i >= 2; --i) {
        buf[i] = static_cast<char>('0' + rest % 10);
        rest /= 10;
      }
      out.append(buf, sizeof buf);
      return;
    }
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 6);
  out.append(buf, r.ptr);
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
