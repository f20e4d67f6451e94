#include "core/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

namespace leadq {
namespace {

TEST(ColumnKey, FollowsModelMd) {
  EXPECT_EQ(ColumnKey("Total Time Spent on Website"), "total_time_spent_on_website");
  EXPECT_EQ(ColumnKey("  Lead ID  "), "lead_id");
  EXPECT_EQ(ColumnKey("lead-id"), "lead_id");
  EXPECT_EQ(ColumnKey("__Annual   Revenue ($)__"), "annual_revenue");
  EXPECT_EQ(ColumnKey("occurred_at"), "occurred_at");
  EXPECT_EQ(ColumnKey("A/B Test #2"), "a_b_test_2");
  EXPECT_EQ(ColumnKey("Ünïcode Name"), "n_code_name");
  EXPECT_EQ(ColumnKey(""), "");
  EXPECT_EQ(ColumnKey("---"), "");
}

TEST(ParseNumber, WholeDecimalOnly) {
  EXPECT_EQ(ParseNumber("-12"), -12.0);
  EXPECT_EQ(ParseNumber("3.5"), 3.5);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseNumber("  42  "), 42.0);
  EXPECT_EQ(ParseNumber("+4"), 4.0);
  EXPECT_EQ(ParseNumber(".5"), 0.5);
  EXPECT_FALSE(ParseNumber("1,000"));
  EXPECT_FALSE(ParseNumber("12 employees"));
  EXPECT_FALSE(ParseNumber(""));
  EXPECT_FALSE(ParseNumber("   "));
  EXPECT_FALSE(ParseNumber("inf"));
  EXPECT_FALSE(ParseNumber("nan"));
  EXPECT_FALSE(ParseNumber("0x1A"));
  EXPECT_FALSE(ParseNumber("1e999"));
  EXPECT_FALSE(ParseNumber("--1"));
  EXPECT_FALSE(ParseNumber("+-1"));
  EXPECT_FALSE(ParseNumber("1.2.3"));
}

// The plain-decimal fast path must give the very double the general parser gives, at every
// digit count around its limit of 15, with and without a fraction, sign and leading zeros.
TEST(ParseNumber, PlainDecimalsAsFromChars) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    int digits = 1 + static_cast<int>(rng() % 18);
    std::string s = (rng() % 3 == 0) ? "-" : ((rng() % 5 == 0) ? "+" : "");
    int point = static_cast<int>(rng() % static_cast<uint64_t>(digits + 2)) - 1;
    for (int d = 0; d < digits; ++d) {
      if (d == point) s += '.';
      s += static_cast<char>('0' + rng() % 10);
    }
    if (point == digits) s += '.';
    std::string_view body = s;
    if (!body.empty() && body.front() == '+') body.remove_prefix(1);
    double expected = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), expected);
    ASSERT_TRUE(ec == std::errc() && ptr == body.data() + body.size()) << s;
    std::optional<double> got = ParseNumber(s);
    ASSERT_TRUE(got.has_value()) << s;
    ASSERT_EQ(std::memcmp(&*got, &expected, sizeof expected), 0) << s;  // -0.0 too
  }
  EXPECT_EQ(ParseNumber("1."), 1.0);
  EXPECT_EQ(ParseNumber("-.25"), -0.25);
  EXPECT_FALSE(ParseNumber("."));
  EXPECT_FALSE(ParseNumber("-"));
  EXPECT_FALSE(ParseNumber("+"));
}

// Six decimals as to_chars writes them: random values in [0, 1], values next to a rounding
// boundary, the exact ties (1/128 is 0.0078125 exactly), the ends, and values outside [0, 1].
TEST(AppendFixed6, AsToChars) {
  auto expected = [](double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
    return std::string(buf, r.ptr);
  };
  auto got = [](double v) {
    std::string s;
    AppendFixed6(s, v);
    return s;
  };
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    double v = unit(rng);
    ASSERT_EQ(got(v), expected(v)) << v;
    // Next to the boundary between two millionths.
    double boundary = (std::floor(v * 1e6) + 0.5) / 1e6;
    for (double b : {std::nextafter(boundary, 0.0), boundary, std::nextafter(boundary, 1.0)}) {
      ASSERT_EQ(got(b), expected(b)) << b;
    }
  }
  for (double v : {0.0, 1.0, 0.0078125, 0.0234375, 0.9921875, 0.5, 1e-7, 5e-7, 0.9999995, -0.25,
                   1.5, 123.4567895, std::nextafter(1.0, 0.0)}) {
    EXPECT_EQ(got(v), expected(v)) << v;
  }
  EXPECT_EQ(got(0.0078125), "0.007812");  // the tie goes to even, as to_chars does
  EXPECT_EQ(got(1.0), "1.000000");
}

// The LF count covers the view and nothing past it (the byte after a view is an LF here), for
// every length around the 8- and 16-byte steps, with and without characters of several bytes.
TEST(FindInvalidUtf8, CountsTheLinesOfTheViewOnly) {
  for (std::string unit : {"ab,\n", "a\xC3\xA9\n", "abcdefgh,1234567"}) {
    std::string units;
    while (units.size() < 300) units += unit;
    for (size_t len = 0; len <= 300; ++len) {
      std::string_view body = std::string_view(units).substr(0, len);
      while (!body.empty() && (static_cast<unsigned char>(body.back()) & 0x80) != 0) {
        body.remove_suffix(1);  // never end inside a character
      }
      const std::string text = std::string(body) + "\n\n";  // LFs just past the view
      const std::string_view view = std::string_view(text).substr(0, body.size());
      int64_t lines = 0;
      EXPECT_EQ(FindInvalidUtf8(view, lines), std::string_view::npos) << len;
      EXPECT_EQ(lines, std::count(view.begin(), view.end(), '\n')) << unit << " " << len;
    }
  }
}

TEST(ParseBool, ModelMdWords) {
  for (const char* t : {"true", "YES", "1", "y", "T", " True "}) EXPECT_EQ(ParseBool(t), true) << t;
  for (const char* f : {"false", "No", "0", "n", "F"}) EXPECT_EQ(ParseBool(f), false) << f;
  for (const char* x : {"maybe", "", "2", "on", "yess"}) EXPECT_FALSE(ParseBool(x)) << x;
}

TEST(Trim, AsciiWhiteSpace) {
  EXPECT_EQ(Trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("   "), "");
}

TEST(IEquals, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(IEquals("Software", "sOFTWARE"));
  EXPECT_FALSE(IEquals("soft", "software"));
  EXPECT_FALSE(IEquals("É", "é"));
}

TEST(FormatFixed2, HalfAwayFromZero) {
  EXPECT_EQ(FormatFixed2(0.125), "0.13");
  EXPECT_EQ(FormatFixed2(-0.125), "-0.13");
  EXPECT_EQ(FormatFixed2(2.675), "2.68");  // stored as 2.67499999...; a person expects 2.68
  EXPECT_EQ(FormatFixed2(1.005), "1.01");
  EXPECT_EQ(FormatFixed2(-2.5), "-2.50");
  EXPECT_EQ(FormatFixed2(0.004), "0.00");
  EXPECT_EQ(FormatFixed2(-0.004), "0.00");  // never "-0.00"
  EXPECT_EQ(FormatFixed2(-0.0), "0.00");
  EXPECT_EQ(FormatFixed2(29.996), "30.00");
  EXPECT_EQ(FormatFixed2(100), "100.00");
  EXPECT_EQ(FormatFixed2(-1234567.891), "-1234567.89");
  EXPECT_EQ(FormatFixed2(0.015), "0.02");
  EXPECT_EQ(FormatFixed2(0.045), "0.05");
}

TEST(AppendCsvField, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField(out, "plain");
  out += "|";
  AppendCsvField(out, "a,b");
  out += "|";
  AppendCsvField(out, "say \"hi\"");
  out += "|";
  AppendCsvField(out, "two\nlines");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"");
}

TEST(FindInvalidUtf8, FindsFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii text that is long enough"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xE9 latin1"), 3u);
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);         // overlong
  EXPECT_EQ(FindInvalidUtf8("ab\xED\xA0\x80"), 2u);   // surrogate
  EXPECT_EQ(FindInvalidUtf8("abcdefghij\xC3"), 10u);  // truncated
}

TEST(GroupThousands, Groups) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(999), "999");
  EXPECT_EQ(GroupThousands(1000), "1,000");
  EXPECT_EQ(GroupThousands(12345678), "12,345,678");
}

}  // namespace
}  // namespace leadq
