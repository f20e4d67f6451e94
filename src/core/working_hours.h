// An owner's working hours in their time zone, the response clock counted in them ("first touch
// within 240 working minutes"), and instants shown in local time.
//
// Working hours are written as text, case-insensitive and tolerant of white space:
//
//   ""  or  "always"                        every minute counts
//   "mon-fri 09:00-17:00"                   one interval on five days
//   "mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00"
//   "sat+sun 10:00-14:00"  "sat/sun ..."    a list of days joined by '+' or '/'
//   "fri-mon 18:00-24:00"                   a range may wrap past Sunday (fri sat sun mon)
//
// Days are mon tue wed thu fri sat sun (full names are accepted too). Times are H:MM or HH:MM
// in the zone's wall clock; "24:00" may end an interval. An interval cannot cross midnight: split
// it at 24:00 ("mon 22:00-24:00, tue 00:00-02:00"). Intervals of one day may not overlap; ones
// that touch are joined.
//
// Daylight saving time. An interval is the span between its two wall-clock ends mapped to UTC,
// so a working day that contains a change is an hour shorter or longer, as the owner lives it.
// A wall-clock time that does not exist (skipped when clocks spring forward) maps to the instant
// of the change; one that happens twice (when clocks fall back) maps to its first occurrence.
// Debian's date library reads the explicit transitions of /usr/share/zoneinfo, which end in 2037:
// later instants keep the offset in force at the last transition.
//
// Precision. All counting is done in microseconds; WorkingMinutesBetween floors to whole
// minutes. So for m >= 0: WorkingMinutesBetween(h, a, AddWorkingMinutes(h, a, m)) == m, and if
// WorkingMinutesBetween(h, a, b) == m > 0 then AddWorkingMinutes(h, a, m) <= b.
//
// Thread safety: every function is pure and safe to call concurrently. The time zone database
// is read once, on first use, under the date library's own synchronization (a function-local
// static for the zone list, std::call_once for each zone's transitions); that first call reads
// /usr/share/zoneinfo and takes a few milliseconds.
//
// Example:
//   LEADQ_TRY(WorkingHours hours, ParseWorkingHours("mon-fri 09:00-17:00", "Europe/Berlin"));
//   // Friday 2026-03-06 16:00 in Berlin is 15:00Z; 240 working minutes later is Monday 12:00.
//   TimePoint due = AddWorkingMinutes(hours, *ParseTimestamp("2026-03-06T15:00:00Z"), 240);
//   FormatLocal(due, hours.time_zone()) == "2026-03-09 12:00 +01:00"
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace leadq {

inline constexpr int kMinutesPerDay = 24 * 60;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;

// Minutes of a day on the wall clock, [begin, end): 0 <= begin < end <= 1440.
struct MinuteInterval {
  int begin = 0;
  int end = 0;

  bool operator==(const MinuteInterval&) const = default;
};

// Parsed working hours: for each weekday the working intervals, and the IANA time zone they are
// read in. Only ParseWorkingHours builds one other than the default, so the intervals are always
// sorted, disjoint and not touching, at least one minute of the week works, and the zone exists.
//
// Example:
//   WorkingHours hours;    // every minute counts, zone "UTC"
//   hours.days()[0]        // Monday's intervals: {{0, 1440}}
class WorkingHours {
 public:
  WorkingHours();  // "always" in UTC

  // Monday first (index 0), Sunday last (index 6).
  const std::array<std::vector<MinuteInterval>, 7>& days() const { return days_; }
  const std::string& time_zone() const { return time_zone_; }
  // True when every minute of the week works ("always", or 00:00-24:00 on all seven days).
  bool always() const { return always_; }

  bool operator==(const WorkingHours&) const = default;

 private:
  friend Result<WorkingHours> ParseWorkingHours(std::string_view spec, std::string_view time_zone);

  std::array<std::vector<MinuteInterval>, 7> days_;
  std::string time_zone_;
  bool always_ = true;
};

// Reads `spec` (grammar above) in `time_zone` (an IANA name such as "Europe/Berlin").
// Fails with InvalidInput naming the spec and what is wrong, e.g.
//   working hours "mon-fry 09:00-17:00": unknown day "fry"; days are mon tue wed thu fri sat sun
// or with CheckTimeZone's error for the zone.
Result<WorkingHours> ParseWorkingHours(std::string_view spec, std::string_view time_zone);

// Ok when `time_zone` names a zone of the database (exact case, as IANA writes it). Otherwise
// InvalidInput: `unknown time zone "Europe/Berln"`, with a hint when only the case differs;
// IoError when the database itself cannot be read.
Status CheckTimeZone(std::string_view time_zone);

// The canonical text of `hours` ("mon-fri 09:00-17:00, sat 10:00-12:00", or "always"); days with
// the same intervals are grouped into ranges. ParseWorkingHours reads it back to an equal value.
std::string FormatWorkingHours(const WorkingHours& hours);

// Whether the instant `t` falls within working hours.
bool IsWorkingTime(const WorkingHours& hours, TimePoint t);

// `t` when it is working time, otherwise the next instant at which work starts.
TimePoint NextWorkingTime(const WorkingHours& hours, TimePoint t);

// The instant at which `minutes` working minutes have passed since `start`; counting begins at
// NextWorkingTime(start). For 0 that is NextWorkingTime(start); otherwise the instant the last
// minute completes, which may be the end of a working interval (Friday 17:00, not Monday 09:00).
// Negative `minutes` count as 0. Cost grows with the calendar days crossed, not the minutes:
// about 50 us for 100000 minutes of a 40-hour week (-O2, one core).
TimePoint AddWorkingMinutes(const WorkingHours& hours, TimePoint start, int64_t minutes);

// The working time in [a, b) in microseconds; when b < a, minus the working time in [b, a).
// Like AddWorkingMinutes, cost grows with the calendar days in the range.
int64_t WorkingMicrosBetween(const WorkingHours& hours, TimePoint a, TimePoint b);

// The whole working minutes in [a, b) (the working time floored to minutes); when b < a, minus
// the whole working minutes in [b, a).
int64_t WorkingMinutesBetween(const WorkingHours& hours, TimePoint a, TimePoint b);

// "2026-03-02 09:05 +01:00": the wall-clock date and time (floored to the minute) in `time_zone`
// and the offset in force there. For an unknown zone, UTC marked as such: "2026-03-02 08:05 UTC".
std::string FormatLocal(TimePoint t, std::string_view time_zone);

}  // namespace leadq
