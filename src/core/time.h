// Points in time as microseconds since 1970-01-01T00:00:00Z, and the ISO 8601 forms MODEL.md
// accepts: "2026-03-01", "2026-03-01T14:05:00", "...Z", "...+02:00", with optional fractional
// seconds (kept to the microsecond). A date alone is midnight UTC; a time without an offset is
// UTC. A space may stand for the 'T'; offsets may be written +02:00, +0200 or +02.
//
// All functions are pure and thread-safe.
//
// Example:
//   std::optional<TimePoint> t = ParseTimestamp("2026-03-01T14:05:00+02:00");
//   FormatTimestamp(*t) == "2026-03-01T12:05:00Z"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadq {

using TimePoint = int64_t;  // microseconds since the Unix epoch, UTC
inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400LL * kMicrosPerSecond;

// Parses a trimmed ISO 8601 timestamp; nullopt when it is not one (or names an impossible date
// such as 2026-02-30).
std::optional<TimePoint> ParseTimestamp(std::string_view text);

// Days since the epoch of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// The day `months` calendar months from `days` (negative: back), the day of month clamped to the
// target month's length (2026-03-31 minus one month is 2026-02-28). Both in days since the epoch.
int64_t AddMonths(int64_t days, int months);
// year * 12 + (month - 1) of a day since the epoch: consecutive months are consecutive numbers.
int64_t MonthIndex(int64_t days);

// "2026-03-01T12:05:00Z", with ".250000" fractional seconds only when they are not zero.
std::string FormatTimestamp(TimePoint t);
// "2026-03-01".
std::string FormatDate(TimePoint t);

// (later - earlier) in days, as a real number.
inline double AgeDays(TimePoint earlier, TimePoint later) {
  return static_cast<double>(later - earlier) / static_cast<double>(kMicrosPerDay);
}

}  // namespace leadq
