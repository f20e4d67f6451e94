#include "core/time.h"

#include <gtest/gtest.h>

namespace leadq {
namespace {

TimePoint T(const char* s) {
  std::optional<TimePoint> t = ParseTimestamp(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(0);
}

TEST(ParseTimestamp, ModelMdForms) {
  const TimePoint midnight = T("2026-03-01");
  EXPECT_EQ(FormatTimestamp(midnight), "2026-03-01T00:00:00Z");
  EXPECT_EQ(T("2026-03-01T14:05:00") - midnight, (14 * 3600 + 5 * 60) * kMicrosPerSecond);
  EXPECT_EQ(T("2026-03-01T14:05:00Z"), T("2026-03-01T14:05:00"));
  EXPECT_EQ(T("2026-03-01T14:05:00+02:00"), T("2026-03-01T12:05:00Z"));
  EXPECT_EQ(T("2026-03-01T14:05:00-05:30"), T("2026-03-01T19:35:00Z"));
  EXPECT_EQ(T("2026-03-01T14:05:00.25Z") - T("2026-03-01T14:05:00Z"), 250'000);
  EXPECT_EQ(T("2026-03-01T14:05:00.123456789Z") - T("2026-03-01T14:05:00Z"), 123'456);
  EXPECT_EQ(T("2026-03-01 14:05"), T("2026-03-01T14:05:00Z"));
  EXPECT_EQ(T("2026-03-01T14:05:00+0200"), T("2026-03-01T12:05:00Z"));
  EXPECT_EQ(T("  2026-03-01  "), midnight);
  EXPECT_EQ(T("1970-01-01"), 0);
  EXPECT_EQ(T("1969-12-31T23:59:59Z"), -kMicrosPerSecond);
}

TEST(ParseTimestamp, RefusesImpossibleAndMalformed) {
  for (const char* bad :
       {"", "2026-13-01", "2026-02-30", "2025-02-29", "2026-3-1", "01/03/2026", "2026-03-01T25:00",
        "2026-03-01T12:60", "2026-03-01T12:00:00+", "2026-03-01T12:00:00Zjunk", "2026-03-01T",
        "2026-03-01T12:00:00.", "yesterday", "2026-03-01T12:00:61"}) {
    EXPECT_FALSE(ParseTimestamp(bad)) << bad;
  }
  EXPECT_TRUE(ParseTimestamp("2024-02-29"));
}

TEST(AgeDays, SecondsOver86400) {
  EXPECT_DOUBLE_EQ(AgeDays(T("2026-02-15"), T("2026-03-01")), 14.0);
  EXPECT_DOUBLE_EQ(AgeDays(T("2026-02-28T12:00:00Z"), T("2026-03-01")), 0.5);
  EXPECT_DOUBLE_EQ(AgeDays(T("2026-03-02"), T("2026-03-01")), -1.0);
}

TEST(FormatTimestamp, RoundTrips) {
  for (const char* s : {"2026-03-01T00:00:00Z", "1999-12-31T23:59:59Z", "2024-02-29T12:30:15Z",
                        "2026-03-01T14:05:00.250000Z"}) {
    EXPECT_EQ(FormatTimestamp(T(s)), s);
  }
  EXPECT_EQ(FormatDate(T("2026-03-01T14:05:00Z")), "2026-03-01");
}

TEST(AddMonths, ClampsToTheTargetMonthAndCrossesYears) {
  auto day = [](int64_t y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d); };
  EXPECT_EQ(AddMonths(day(2026, 3, 31), -1), day(2026, 2, 28));
  EXPECT_EQ(AddMonths(day(2024, 3, 31), -1), day(2024, 2, 29));  // leap year
  EXPECT_EQ(AddMonths(day(2026, 11, 23), -12), day(2025, 11, 23));
  EXPECT_EQ(AddMonths(day(2026, 1, 15), -25), day(2023, 12, 15));
  EXPECT_EQ(AddMonths(day(2026, 12, 1), 1), day(2027, 1, 1));
  EXPECT_EQ(MonthIndex(day(2026, 1, 1)) - MonthIndex(day(2025, 12, 31)), 1);
}

}  // namespace
}  // namespace leadq
