#include "core/working_hours.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

namespace leadq {
namespace {

TimePoint T(const char* s) {
  std::optional<TimePoint> t = ParseTimestamp(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(0);
}

WorkingHours Hours(std::string_view spec, std::string_view zone) {
  Result<WorkingHours> hours = ParseWorkingHours(spec, zone);
  EXPECT_TRUE(hours.ok()) << spec << " in " << zone << ": " << hours.status().message();
  return hours.ok() ? *hours : WorkingHours();
}

std::string ParseError(std::string_view spec, std::string_view zone = "Europe/Berlin") {
  Result<WorkingHours> hours = ParseWorkingHours(spec, zone);
  if (hours.ok()) return "(parsed)";
  EXPECT_EQ(hours.status().code(), StatusCode::kInvalidInput) << spec;
  return hours.status().message();
}

constexpr int64_t kMinute = kMicrosPerMinute;

// --- parsing

TEST(WorkingHoursParse, ReadsDaysRangesListsAndIntervals) {
  const WorkingHours office = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  EXPECT_FALSE(office.always());
  EXPECT_EQ(office.time_zone(), "Europe/Berlin");
  for (int d = 0; d < 5; ++d)
    EXPECT_EQ(office.days()[d], (std::vector<MinuteInterval>{{540, 1020}}));
  EXPECT_TRUE(office.days()[5].empty());
  EXPECT_TRUE(office.days()[6].empty());

  const WorkingHours split =
      Hours("mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00", "Europe/Berlin");
  EXPECT_EQ(split.days()[3], (std::vector<MinuteInterval>{{480, 720}, {780, 1020}}));
  EXPECT_EQ(split.days()[4], (std::vector<MinuteInterval>{{480, 840}}));

  // Case, white space, one-digit hours, '+' and '/' lists and full day names are all one thing.
  EXPECT_EQ(Hours("  Mon - FRI   9:00 - 17:00 ", "Europe/Berlin"), office);
  EXPECT_EQ(Hours("sat/sun 10:00-14:00", "UTC"), Hours("sat+sun 10:00-14:00", "UTC"));
  EXPECT_EQ(Hours("Saturday+Sunday 10:00-14:00", "UTC"), Hours("sat+sun 10:00-14:00", "UTC"));

  // A range may wrap past Sunday.
  const WorkingHours nights = Hours("fri-mon 18:00-24:00", "UTC");
  for (int d : {0, 4, 5, 6}) EXPECT_EQ(nights.days()[d].size(), 1u) << d;
  for (int d : {1, 2, 3}) EXPECT_TRUE(nights.days()[d].empty()) << d;

  // Parts may name a day again; intervals are sorted and ones that touch are joined.
  EXPECT_EQ(Hours("tue 13:00-17:00, mon-fri 09:00-12:00", "UTC").days()[1],
            (std::vector<MinuteInterval>{{540, 720}, {780, 1020}}));
  EXPECT_EQ(Hours("mon 12:00-17:00 09:00-12:00", "UTC").days()[0],
            (std::vector<MinuteInterval>{{540, 1020}}));
}

TEST(WorkingHoursParse, AlwaysAndTheDefault) {
  for (const char* spec :
       {"", "  ", "always", "ALWAYS", "mon-sun 00:00-24:00", "mon-sun 00:00-12:00 12:00-24:00"}) {
    const WorkingHours hours = Hours(spec, "Asia/Kolkata");
    EXPECT_TRUE(hours.always()) << spec;
    EXPECT_EQ(hours.time_zone(), "Asia/Kolkata");
  }
  const WorkingHours default_hours;
  EXPECT_TRUE(default_hours.always());
  EXPECT_EQ(default_hours.time_zone(), "UTC");
  EXPECT_EQ(Hours("always", "UTC"), default_hours);
  EXPECT_FALSE(Hours("mon-sun 00:00-23:59", "UTC").always());
}

TEST(WorkingHoursParse, FormatIsCanonicalAndReadsBack) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"mon-fri 09:00-17:00", "mon-fri 09:00-17:00"},
      {"mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00",
       "mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00"},
      {"sat/sun 10:00-14:00", "sat+sun 10:00-14:00"},
      {"fri-mon 18:00-24:00", "mon+fri-sun 18:00-24:00"},
      {"wed 9:00-10:00, mon 9:00-10:00", "mon+wed 09:00-10:00"},
      {"mon-sun 00:00-24:00", "always"},
      {"", "always"},
  };
  for (const auto& [spec, canonical] : cases) {
    const WorkingHours hours = Hours(spec, "Europe/Berlin");
    EXPECT_EQ(FormatWorkingHours(hours), canonical) << spec;
    EXPECT_EQ(Hours(FormatWorkingHours(hours), "Europe/Berlin"), hours) << spec;
  }
}

TEST(WorkingHoursParse, ErrorsNameTheSpecAndWhatIsWrong) {
  EXPECT_EQ(ParseError("mon-fry 09:00-17:00"),
            "working hours \"mon-fry 09:00-17:00\": unknown day \"fry\"; days are mon tue wed thu "
            "fri sat sun");
  EXPECT_EQ(ParseError("mon-fri 17:00-09:00"),
            "working hours \"mon-fri 17:00-09:00\": \"17:00-09:00\" does not end after it starts; "
            "an interval cannot cross midnight, split it at 24:00 (e.g. \"mon 22:00-24:00, tue "
            "00:00-06:00\")");
  EXPECT_EQ(ParseError("mon 09:00-09:00"),
            "working hours \"mon 09:00-09:00\": \"09:00-09:00\" does not end after it starts; an "
            "interval cannot cross midnight, split it at 24:00 (e.g. \"mon 22:00-24:00, tue "
            "00:00-06:00\")");
  EXPECT_EQ(ParseError("mon-fri 09:00-17:00, fri 10:00-11:00"),
            "working hours \"mon-fri 09:00-17:00, fri 10:00-11:00\": on fri, 09:00-17:00 and "
            "10:00-11:00 overlap");
  EXPECT_EQ(ParseError("mon 09:00-17:00 13:00-18:00"),
            "working hours \"mon 09:00-17:00 13:00-18:00\": on mon, 09:00-17:00 and 13:00-18:00 "
            "overlap");
  EXPECT_EQ(ParseError("mon-fri"),
            "working hours \"mon-fri\": \"mon-fri\" has no hours; write e.g. \"mon-fri "
            "09:00-17:00\"");
  EXPECT_EQ(ParseError("09:00-17:00"),
            "working hours \"09:00-17:00\": \"09:00-17:00\" does not start with days; write e.g. "
            "\"mon-fri 09:00-17:00\"");
  EXPECT_EQ(ParseError("mon 9-17"),
            "working hours \"mon 9-17\": \"9-17\" is not an interval; write HH:MM-HH:MM, e.g. "
            "09:00-17:00");
  EXPECT_EQ(ParseError("mon 0900"),
            "working hours \"mon 0900\": \"0900\" is not an interval; write HH:MM-HH:MM, e.g. "
            "09:00-17:00");
  EXPECT_EQ(ParseError("mon 09:00-25:00"),
            "working hours \"mon 09:00-25:00\": \"25:00\" is not a time of day (00:00 to 24:00)");
  EXPECT_EQ(ParseError("mon 09:60-10:00"),
            "working hours \"mon 09:60-10:00\": \"09:60\" is not a time of day (00:00 to 24:00)");
  EXPECT_EQ(ParseError("mon 24:00-24:00"),
            "working hours \"mon 24:00-24:00\": \"24:00-24:00\" starts at 24:00; 24:00 can only "
            "end an interval");
  EXPECT_EQ(ParseError("mon-mon 09:00-17:00"),
            "working hours \"mon-mon 09:00-17:00\": \"mon-mon\" runs from a day to itself; write "
            "\"mon\" or a range such as \"mon-sun\"");
  EXPECT_EQ(ParseError("mon-fri+wed 09:00-17:00"),
            "working hours \"mon-fri+wed 09:00-17:00\": \"mon-fri+wed\" names wed twice");
  EXPECT_EQ(ParseError("mon-wed-fri 09:00-17:00"),
            "working hours \"mon-wed-fri 09:00-17:00\": \"mon-wed-fri\" is not a day or a range of "
            "days");
  EXPECT_EQ(ParseError("mon 09:00-17:00,"),
            "working hours \"mon 09:00-17:00,\": a comma with nothing before or after it");
  EXPECT_EQ(ParseError("always, sat 10:00-12:00"),
            "working hours \"always, sat 10:00-12:00\": \"always\" stands alone; it cannot "
            "join other parts");
}

TEST(WorkingHoursParse, TimeZones) {
  EXPECT_EQ(ParseError("mon-fri 09:00-17:00", "Europe/Berln"),
            "unknown time zone \"Europe/Berln\"");
  EXPECT_EQ(ParseError("mon-fri 09:00-17:00", "europe/berlin"),
            "unknown time zone \"europe/berlin\" (did you mean \"Europe/Berlin\"?)");
  EXPECT_EQ(ParseError("always", ""),
            "time zone is empty; use an IANA name such as \"Europe/Berlin\"");
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"}) {
    EXPECT_TRUE(CheckTimeZone(zone).ok()) << zone;
  }
  EXPECT_EQ(CheckTimeZone(" Europe/Berlin").message(),
            "unknown time zone \" Europe/Berlin\" (did you mean \"Europe/Berlin\"?)");
  EXPECT_EQ(CheckTimeZone("Mars/Olympus_Mons").code(), StatusCode::kInvalidInput);
}

// --- the response clock

TEST(WorkingHoursClock, FridayAfternoonLandsMondayNoonInBerlin) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  const TimePoint start = T("2026-03-06T16:00:00+01:00");  // a Friday
  const TimePoint due = AddWorkingMinutes(hours, start, 240);
  EXPECT_EQ(due, T("2026-03-09T12:00:00+01:00"));
  EXPECT_EQ(FormatLocal(due, hours.time_zone()), "2026-03-09 12:00 +01:00");
  EXPECT_EQ(WorkingMinutesBetween(hours, start, due), 240);
}

TEST(WorkingHoursClock, AcrossTheWeekend) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  // Thursday 15:00: 120 minutes on Thursday, 480 on Friday, 360 on Monday.
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-05T15:00:00+01:00"), 960),
            T("2026-03-09T15:00:00+01:00"));
  EXPECT_EQ(
      WorkingMinutesBetween(hours, T("2026-03-06T16:00:00+01:00"), T("2026-03-09T09:00:00+01:00")),
      60);
  EXPECT_EQ(
      WorkingMinutesBetween(hours, T("2026-03-07T00:00:00+01:00"), T("2026-03-09T00:00:00+01:00")),
      0);
  // The last minute completes at the end of Friday; the clock does not run on to Monday.
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-06T16:00:00+01:00"), 60),
            T("2026-03-06T17:00:00+01:00"));
  // A whole week is 5 x 480 minutes, and reversing the ends negates the count.
  const TimePoint monday = T("2026-03-02T00:00:00+01:00");
  EXPECT_EQ(WorkingMinutesBetween(hours, monday, monday + 7 * kMicrosPerDay), 2400);
  EXPECT_EQ(WorkingMinutesBetween(hours, monday + 7 * kMicrosPerDay, monday), -2400);
}

TEST(WorkingHoursClock, StartOnSaturday) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  const TimePoint saturday = T("2026-03-07T11:00:00+01:00");
  EXPECT_FALSE(IsWorkingTime(hours, saturday));
  EXPECT_EQ(NextWorkingTime(hours, saturday), T("2026-03-09T09:00:00+01:00"));
  EXPECT_EQ(AddWorkingMinutes(hours, saturday, 0), T("2026-03-09T09:00:00+01:00"));
  EXPECT_EQ(AddWorkingMinutes(hours, saturday, 30), T("2026-03-09T09:30:00+01:00"));
  EXPECT_EQ(AddWorkingMinutes(hours, saturday, -5), T("2026-03-09T09:00:00+01:00"));
}

TEST(WorkingHoursClock, BoundariesAreHalfOpen) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  const TimePoint opening = T("2026-03-02T09:00:00+01:00");
  const TimePoint closing = T("2026-03-02T17:00:00+01:00");
  EXPECT_FALSE(IsWorkingTime(hours, opening - 1));
  EXPECT_TRUE(IsWorkingTime(hours, opening));
  EXPECT_TRUE(IsWorkingTime(hours, closing - 1));
  EXPECT_FALSE(IsWorkingTime(hours, closing));
  EXPECT_EQ(NextWorkingTime(hours, opening), opening);
  EXPECT_EQ(NextWorkingTime(hours, closing), opening + kMicrosPerDay);
  // Sub-minute starts keep their seconds; partial minutes are floored.
  const TimePoint start = T("2026-03-02T09:00:30+01:00");
  EXPECT_EQ(AddWorkingMinutes(hours, start, 1), T("2026-03-02T09:01:30+01:00"));
  EXPECT_EQ(WorkingMicrosBetween(hours, start, T("2026-03-02T09:02:00+01:00")), 90 * 1'000'000);
  EXPECT_EQ(WorkingMinutesBetween(hours, start, T("2026-03-02T09:02:00+01:00")), 1);
  EXPECT_EQ(WorkingMinutesBetween(hours, T("2026-03-02T09:02:00+01:00"), start), -1);
}

TEST(WorkingHoursClock, MidnightEnd) {
  const WorkingHours hours = Hours("fri 18:00-24:00, sat 00:00-02:00", "Europe/Berlin");
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-06T23:00:00+01:00"), 120),
            T("2026-03-07T01:00:00+01:00"));
  const TimePoint midnight = AddWorkingMinutes(hours, T("2026-03-06T23:30:00+01:00"), 30);
  EXPECT_EQ(FormatLocal(midnight, "Europe/Berlin"), "2026-03-07 00:00 +01:00");
  EXPECT_TRUE(IsWorkingTime(hours, midnight));
  EXPECT_EQ(
      WorkingMinutesBetween(hours, T("2026-03-06T00:00:00+01:00"), T("2026-03-08T00:00:00+01:00")),
      480);
  // The week's only hours are Friday night and Saturday morning.
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-07T02:00:00+01:00"), 1),
            T("2026-03-13T18:01:00+01:00"));
}

TEST(WorkingHoursClock, SeveralIntervalsADay) {
  const WorkingHours hours =
      Hours("mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00", "Europe/Berlin");
  // Monday 11:00: an hour before lunch, an hour after.
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-02T11:00:00+01:00"), 120),
            T("2026-03-02T14:00:00+01:00"));
  EXPECT_FALSE(IsWorkingTime(hours, T("2026-03-02T12:30:00+01:00")));
  EXPECT_EQ(NextWorkingTime(hours, T("2026-03-02T12:30:00+01:00")), T("2026-03-02T13:00:00+01:00"));
  // Thursday 16:00 runs into Friday morning; Friday 13:00 runs into Monday.
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-05T16:00:00+01:00"), 180),
            T("2026-03-06T10:00:00+01:00"));
  EXPECT_EQ(AddWorkingMinutes(hours, T("2026-03-06T13:00:00+01:00"), 120),
            T("2026-03-09T09:00:00+01:00"));
  EXPECT_EQ(
      WorkingMinutesBetween(hours, T("2026-03-02T00:00:00+01:00"), T("2026-03-09T00:00:00+01:00")),
      4 * 480 + 360);
}

TEST(WorkingHoursClock, HalfHourOffsetInKolkata) {
  const WorkingHours hours = Hours("mon-fri 09:30-18:00", "Asia/Kolkata");
  const TimePoint due = AddWorkingMinutes(hours, T("2026-03-06T17:00:00+05:30"), 120);
  EXPECT_EQ(due, T("2026-03-09T05:00:00Z"));
  EXPECT_EQ(FormatLocal(due, "Asia/Kolkata"), "2026-03-09 10:30 +05:30");
  EXPECT_TRUE(IsWorkingTime(hours, T("2026-03-09T04:00:00Z")));   // 09:30 local
  EXPECT_FALSE(IsWorkingTime(hours, T("2026-03-09T03:59:59Z")));  // 09:29:59 local
}

TEST(WorkingHoursClock, AlwaysIsPlainAddition) {
  const WorkingHours hours = Hours("always", "Europe/Berlin");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    const TimePoint start = T("2026-01-01") + static_cast<int64_t>(rng() % (400 * kMicrosPerDay));
    const int64_t minutes = static_cast<int64_t>(rng() % 100'000);
    EXPECT_EQ(AddWorkingMinutes(hours, start, minutes), start + minutes * kMinute);
    EXPECT_EQ(WorkingMinutesBetween(hours, start, start + minutes * kMinute + 59'000'000), minutes);
    EXPECT_TRUE(IsWorkingTime(hours, start));
  }
}

TEST(WorkingHoursClock, LongClocksSkipWholeDays) {
  // 100000 minutes = 208 days of 480 minutes and 160 minutes: 41 weeks and 3 days after Monday.
  const WorkingHours utc = Hours("mon-fri 09:00-17:00", "UTC");
  const TimePoint start = T("2026-01-05T09:00:00Z");
  EXPECT_EQ(AddWorkingMinutes(utc, start, 100'000), T("2026-10-22T11:40:00Z"));
  EXPECT_EQ(WorkingMinutesBetween(utc, start, T("2026-10-22T11:40:00Z")), 100'000);
  // In Berlin the same count crosses both changes of 2026; the wall clock still says 11:40.
  const WorkingHours berlin = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  const TimePoint due = AddWorkingMinutes(berlin, T("2026-01-05T09:00:00+01:00"), 100'000);
  EXPECT_EQ(FormatLocal(due, "Europe/Berlin"), "2026-10-22 11:40 +02:00");
  EXPECT_EQ(WorkingMinutesBetween(berlin, T("2026-01-05T09:00:00+01:00"), due), 100'000);
}

// --- daylight saving time

TEST(WorkingHoursDst, EuropeSpringAndAutumn) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "Europe/Berlin");
  // 2026-03-29: 02:00 CET becomes 03:00 CEST. The weekend is an hour shorter; Monday is CEST.
  const TimePoint spring = AddWorkingMinutes(hours, T("2026-03-27T16:00:00+01:00"), 240);
  EXPECT_EQ(spring, T("2026-03-30T12:00:00+02:00"));
  EXPECT_EQ(FormatLocal(spring, "Europe/Berlin"), "2026-03-30 12:00 +02:00");
  // 2026-10-25: 03:00 CEST becomes 02:00 CET.
  const TimePoint autumn = AddWorkingMinutes(hours, T("2026-10-23T16:00:00+02:00"), 240);
  EXPECT_EQ(autumn, T("2026-10-26T12:00:00+01:00"));
  EXPECT_EQ(FormatLocal(autumn, "Europe/Berlin"), "2026-10-26 12:00 +01:00");
}

TEST(WorkingHoursDst, DaysOfTheChangeAreShorterOrLonger) {
  const WorkingHours sundays = Hours("sun 00:00-24:00", "Europe/Berlin");
  EXPECT_EQ(WorkingMinutesBetween(sundays, T("2026-03-28"), T("2026-03-31")), 23 * 60);
  EXPECT_EQ(WorkingMinutesBetween(sundays, T("2026-10-24"), T("2026-10-27")), 25 * 60);
  EXPECT_EQ(AddWorkingMinutes(sundays, T("2026-03-29T00:00:00+01:00"), 23 * 60),
            T("2026-03-30T00:00:00+02:00"));
}

TEST(WorkingHoursDst, SkippedTimesMapForwardRepeatedTimesToTheFirst) {
  const WorkingHours hours = Hours("sun 02:30-04:00", "Europe/Berlin");
  // Spring: 02:30 does not exist; the interval starts when the clocks jump, 03:00 CEST.
  EXPECT_EQ(NextWorkingTime(hours, T("2026-03-28T12:00:00Z")), T("2026-03-29T01:00:00Z"));
  EXPECT_EQ(WorkingMinutesBetween(hours, T("2026-03-28"), T("2026-03-30")), 60);
  // Autumn: 02:30 happens twice; the interval starts at the first, 02:30 CEST, and runs to
  // 04:00 CET, so the repeated 02:00-02:30 CET works too.
  EXPECT_EQ(NextWorkingTime(hours, T("2026-10-24T12:00:00Z")), T("2026-10-25T02:30:00+02:00"));
  EXPECT_EQ(WorkingMinutesBetween(hours, T("2026-10-24"), T("2026-10-26")), 150);
  EXPECT_TRUE(IsWorkingTime(hours, T("2026-10-25T02:10:00+01:00")));
  // An ordinary Sunday in between has the plain 90 minutes.
  EXPECT_EQ(WorkingMinutesBetween(hours, T("2026-06-06"), T("2026-06-08")), 90);
}

TEST(WorkingHoursDst, NewYork) {
  const WorkingHours hours = Hours("mon-fri 09:00-17:00", "America/New_York");
  // 2026-03-08: 02:00 EST becomes 03:00 EDT.
  const TimePoint due = AddWorkingMinutes(hours, T("2026-03-06T16:00:00-05:00"), 240);
  EXPECT_EQ(due, T("2026-03-09T12:00:00-04:00"));
  EXPECT_EQ(FormatLocal(due, "America/New_York"), "2026-03-09 12:00 -04:00");
  // Between 2026-03-08 and 2026-03-29 New York is on summer time and Berlin is not yet: the
  // offices are five hours apart instead of six.
  EXPECT_EQ(FormatLocal(T("2026-03-16T13:00:00Z"), "America/New_York"), "2026-03-16 09:00 -04:00");
  EXPECT_EQ(FormatLocal(T("2026-03-16T13:00:00Z"), "Europe/Berlin"), "2026-03-16 14:00 +01:00");
}

// --- consistency of the two directions

TEST(WorkingHoursConsistency, AddAndBetweenAgreeOnRandomClocks) {
  const std::vector<WorkingHours> all = {
      Hours("mon-fri 09:00-17:00", "Europe/Berlin"),
      Hours("mon-thu 08:00-12:00 13:00-17:00, fri 08:00-14:00", "America/New_York"),
      Hours("mon-fri 09:30-18:00, sat 10:00-13:00", "Asia/Kolkata"),
      Hours("fri-mon 18:00-24:00, tue 00:00-02:00", "Europe/Berlin"),
      Hours("sun 02:30-04:00, wed 00:00-24:00", "Europe/Berlin"),
  };
  std::mt19937_64 rng(20260301);
  const TimePoint from = T("2026-01-01");
  for (const WorkingHours& hours : all) {
    SCOPED_TRACE(FormatWorkingHours(hours) + " in " + hours.time_zone());
    for (int i = 0; i < 300; ++i) {
      const TimePoint a = from + static_cast<int64_t>(rng() % (365 * kMicrosPerDay));
      const int64_t minutes = static_cast<int64_t>(rng() % 5000);
      const TimePoint due = AddWorkingMinutes(hours, a, minutes);
      ASSERT_GE(due, a);
      ASSERT_EQ(WorkingMicrosBetween(hours, a, due), minutes * kMinute) << FormatTimestamp(a);
      ASSERT_EQ(WorkingMinutesBetween(hours, a, due), minutes);
      if (minutes > 0) {  // the earliest such instant: a microsecond earlier is a minute short
        ASSERT_TRUE(IsWorkingTime(hours, due - 1));
        ASSERT_EQ(WorkingMinutesBetween(hours, a, due - 1), minutes - 1);
      } else {
        ASSERT_EQ(due, NextWorkingTime(hours, a));
        ASSERT_TRUE(IsWorkingTime(hours, due));
      }

      const TimePoint b = a + static_cast<int64_t>(rng() % (30 * kMicrosPerDay));
      const int64_t m = WorkingMinutesBetween(hours, a, b);
      ASSERT_EQ(WorkingMinutesBetween(hours, b, a), -m);
      if (m > 0) {
        ASSERT_LE(AddWorkingMinutes(hours, a, m), b);
      }
      ASSERT_GT(AddWorkingMinutes(hours, a, m + 1), b);
      const TimePoint c = b + static_cast<int64_t>(rng() % (10 * kMicrosPerDay));
      ASSERT_EQ(WorkingMicrosBetween(hours, a, c),
                WorkingMicrosBetween(hours, a, b) + WorkingMicrosBetween(hours, b, c));
    }
  }
}

// --- local time for people

TEST(WorkingHoursFormat, FormatLocal) {
  const TimePoint t = T("2026-03-02T08:05:30Z");
  EXPECT_EQ(FormatLocal(t, "Europe/Berlin"), "2026-03-02 09:05 +01:00");
  EXPECT_EQ(FormatLocal(t, "Asia/Kolkata"), "2026-03-02 13:35 +05:30");
  EXPECT_EQ(FormatLocal(t, "America/New_York"), "2026-03-02 03:05 -05:00");
  EXPECT_EQ(FormatLocal(t, "UTC"), "2026-03-02 08:05 +00:00");
  EXPECT_EQ(FormatLocal(t, "Europe/Berln"), "2026-03-02 08:05 UTC");
  EXPECT_EQ(FormatLocal(T("1969-12-31T23:59:30Z"), "UTC"), "1969-12-31 23:59 +00:00");
}

}  // namespace
}  // namespace leadq
