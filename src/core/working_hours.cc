#include "core/working_hours.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <utility>

#include "core/text.h"

namespace leadq {
namespace {

using Micros = std::chrono::microseconds;
using LocalMicros = date::local_time<Micros>;

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// date::locate_zone reports an unknown name (and an unreadable database) by throwing; here that
// becomes nullptr.
const date::time_zone* FindZone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// A zone, with UTC standing in should the lookup fail. That cannot happen for a WorkingHours
// (ParseWorkingHours checked its zone and the database never shrinks), but a wrong clock is
// better than a crash if it ever did.
class Zone {
 public:
  explicit Zone(std::string_view name) : zone_(FindZone(name)) {}

  LocalMicros ToLocal(TimePoint t) const {
    const date::sys_time<Micros> sys{Micros{t}};
    if (zone_ == nullptr) return LocalMicros{sys.time_since_epoch()};
    return zone_->to_local(sys);
  }

  // The instant of `minute` minutes past midnight of `day` on the wall clock: a skipped time maps
  // to the instant of the change, a repeated one to its first occurrence.
  TimePoint ToSys(date::local_days day, int minute) const {
    const date::local_seconds local = day + std::chrono::minutes{minute};
    date::sys_seconds sys{local.time_since_epoch()};
    if (zone_ != nullptr) sys = zone_->to_sys(local, date::choose::earliest);
    return std::chrono::duration_cast<Micros>(sys.time_since_epoch()).count();
  }

 private:
  const date::time_zone* zone_;
};

// A stretch of working time in UTC, [begin, end).
struct Span {
  TimePoint begin = 0;
  TimePoint end = 0;
};

// Yields the working spans that end after `after`, in time order, one wall-clock day at a time.
// Because the wall clock only moves forward through a change (earliest mapping), spans of one day
// never overlap each other or the next day's. Starting a day early costs little and covers an
// instant that falls in a repeated hour before its local midnight.
class SpanWalker {
 public:
  SpanWalker(const WorkingHours& hours, TimePoint after)
      : days_(hours.days()),
        zone_(hours.time_zone()),
        after_(after),
        day_(date::floor<date::days>(zone_.ToLocal(after)) - date::days{1}) {}

  // Never runs out: every week has a working minute, and a span is empty only when the clocks
  // skip all of it, which happens to a given weekday at most a few times a year.
  Span Next() {
    for (;;) {
      const std::vector<MinuteInterval>& intervals = days_[date::weekday{day_}.iso_encoding() - 1];
      while (index_ < intervals.size()) {
        const MinuteInterval& m = intervals[index_++];
        const Span span{zone_.ToSys(day_, m.begin), zone_.ToSys(day_, m.end)};
        if (span.end > span.begin && span.end > after_) return span;
      }
      day_ += date::days{1};
      index_ = 0;
    }
  }

 private:
  const std::array<std::vector<MinuteInterval>, 7>& days_;
  Zone zone_;
  TimePoint after_;
  date::local_days day_;
  size_t index_ = 0;
};

TimePoint AddWorkingMicros(const WorkingHours& hours, TimePoint start, int64_t micros) {
  if (hours.always()) return start + micros;
  SpanWalker walker(hours, start);
  for (;;) {
    const Span span = walker.Next();
    const TimePoint from = std::max(span.begin, start);
    if (micros <= span.end - from) return from + micros;
    micros -= span.end - from;
  }
}

// --- parsing

std::string FormatMinute(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

std::string FormatInterval(const MinuteInterval& m) {
  return FormatMinute(m.begin) + "-" + FormatMinute(m.end);
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Lower case, runs of white space as one space, none around ',', '-', '+' and '/', so that
// "Mon - Fri  09:00 - 17:00 ," reads as "mon-fri 09:00-17:00,".
std::string Normalize(std::string_view spec) {
  auto is_joiner = [](char c) { return c == ',' || c == '-' || c == '+' || c == '/'; };
  std::string out;
  bool pending_space = false;
  for (char c : Trim(spec)) {
    if (IsSpace(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && !is_joiner(out.back()) && !is_joiner(c)) out += ' ';
    pending_space = false;
    out += AsciiLower(c);
  }
  return out;
}

// Parsing fails with a message for the person who wrote the spec; every failure goes through
// Fail so that they all name it the same way.
class SpecParser {
 public:
  explicit SpecParser(std::string_view spec) : spec_(spec) {}

  Status Fail(std::string_view what) const {
    return Status::Invalid("working hours " + Quote(spec_) + ": " + std::string(what));
  }

  Result<int> ParseDay(std::string_view name) const {
    for (int d = 0; d < 7; ++d) {
      if (name == kDayNames[d] || name == kLongDayNames[d]) return d;
    }
    return Fail("unknown day " + Quote(name) + "; days are mon tue wed thu fri sat sun");
  }

  // "mon", "mon-fri", "fri-mon" (wraps past Sunday), "sat+sun", "mon-wed/fri".
  Result<std::array<bool, 7>> ParseDays(std::string_view text) const {
    std::array<bool, 7> days{};
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != '+' && text[i] != '/') continue;
      const std::string_view item = text.substr(start, i - start);
      start = i + 1;
      const std::vector<std::string_view> ends = Split(item, '-');
      if (ends.size() > 2) return Fail(Quote(item) + " is not a day or a range of days");
      LEADQ_TRY(const int first, ParseDay(ends.front()));
      LEADQ_TRY(const int last, ParseDay(ends.back()));
      if (ends.size() == 2 && first == last) {
        return Fail(Quote(item) + " runs from a day to itself; write " + Quote(kDayNames[first]) +
                    " or a range such as \"mon-sun\"");
      }
      for (int d = first;; d = (d + 1) % 7) {
        if (days[d]) return Fail(Quote(text) + " names " + std::string(kDayNames[d]) + " twice");
        days[d] = true;
        if (d == last) break;
      }
    }
    return days;
  }

  // "9:00", "09:00", "24:00" (only when `is_end`).
  Result<int> ParseTime(std::string_view text, std::string_view interval, bool is_end) const {
    const Status malformed =
        Fail(Quote(interval) + " is not an interval; write HH:MM-HH:MM, e.g. 09:00-17:00");
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) {
      return malformed;
    }
    int hour = 0;
    int minute = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (i == colon) continue;
      if (text[i] < '0' || text[i] > '9') return malformed;
      int& field = i < colon ? hour : minute;
      field = field * 10 + (text[i] - '0');
    }
    if (hour > 24 || minute > 59 || (hour == 24 && minute != 0)) {
      return Fail(Quote(text) + " is not a time of day (00:00 to 24:00)");
    }
    if (hour == 24 && !is_end) {
      return Fail(Quote(interval) + " starts at 24:00; 24:00 can only end an interval");
    }
    return hour * 60 + minute;
  }

  Result<MinuteInterval> ParseInterval(std::string_view text) const {
    const size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
      return Fail(Quote(text) + " is not an interval; write HH:MM-HH:MM, e.g. 09:00-17:00");
    }
    LEADQ_TRY(const int begin, ParseTime(text.substr(0, dash), text, /*is_end=*/false));
    LEADQ_TRY(const int end, ParseTime(text.substr(dash + 1), text, /*is_end=*/true));
    if (begin >= end) {
      return Fail(Quote(text) +
                  " does not end after it starts; an interval cannot cross midnight, split it at "
                  "24:00 (e.g. \"mon 22:00-24:00, tue 00:00-06:00\")");
    }
    return MinuteInterval{begin, end};
  }

  // Every part of the spec in turn; `days` receives the intervals unsorted.
  Status ParseParts(std::string_view text, std::array<std::vector<MinuteInterval>, 7>& days) const {
    for (std::string_view part : Split(text, ',')) {
      if (part.empty()) return Fail("a comma with nothing before or after it");
      if (part == "always") return Fail("\"always\" stands alone; it cannot join other parts");
      const std::vector<std::string_view> words = Split(part, ' ');
      if (words.front()[0] >= '0' && words.front()[0] <= '9') {
        return Fail(Quote(part) + " does not start with days; write e.g. \"mon-fri " +
                    std::string(part) + "\"");
      }
      LEADQ_TRY(const auto selected, ParseDays(words.front()));
      if (words.size() == 1) {
        return Fail(Quote(part) + " has no hours; write e.g. \"" + std::string(part) +
                    " 09:00-17:00\"");
      }
      for (size_t w = 1; w < words.size(); ++w) {
        LEADQ_TRY(const MinuteInterval interval, ParseInterval(words[w]));
        for (int d = 0; d < 7; ++d) {
          if (selected[d]) days[d].push_back(interval);
        }
      }
    }
    return Status::Ok();
  }

  // Sorts each day, refuses overlaps and joins intervals that touch.
  Status Tidy(std::array<std::vector<MinuteInterval>, 7>& days) const {
    for (int d = 0; d < 7; ++d) {
      std::vector<MinuteInterval>& intervals = days[d];
      std::sort(intervals.begin(), intervals.end(),
                [](const MinuteInterval& a, const MinuteInterval& b) {
                  return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                });
      std::vector<MinuteInterval> joined;
      for (const MinuteInterval& m : intervals) {
        if (!joined.empty() && m.begin < joined.back().end) {
          return Fail("on " + std::string(kDayNames[d]) + ", " + FormatInterval(joined.back()) +
                      " and " + FormatInterval(m) + " overlap");
        }
        if (!joined.empty() && m.begin == joined.back().end) {
          joined.back().end = m.end;
        } else {
          joined.push_back(m);
        }
      }
      intervals = std::move(joined);
    }
    return Status::Ok();
  }

 private:
  std::string_view spec_;
};

}  // namespace

WorkingHours::WorkingHours() : time_zone_("UTC") {
  days_.fill({MinuteInterval{0, kMinutesPerDay}});
}

Result<WorkingHours> ParseWorkingHours(std::string_view spec, std::string_view time_zone) {
  LEADQ_TRY(CheckTimeZone(time_zone));
  WorkingHours hours;
  hours.time_zone_ = std::string(time_zone);
  const std::string text = Normalize(spec);
  if (text.empty() || text == "always") return hours;

  const SpecParser parser(spec);
  std::array<std::vector<MinuteInterval>, 7> days;
  LEADQ_TRY(parser.ParseParts(text, days));
  LEADQ_TRY(parser.Tidy(days));
  // Every part has an interval of at least one minute, so some day works; the check guards the
  // walkers' promise that a working minute is always ahead should the grammar ever change.
  if (std::all_of(days.begin(), days.end(), [](const auto& d) { return d.empty(); })) {
    return parser.Fail("no working minute in the week");
  }
  hours.days_ = std::move(days);
  hours.always_ = std::all_of(hours.days_.begin(), hours.days_.end(), [](const auto& d) {
    return d == std::vector<MinuteInterval>{{0, kMinutesPerDay}};
  });
  return hours;
}

Status CheckTimeZone(std::string_view time_zone) {
  if (time_zone.empty()) {
    return Status::Invalid("time zone is empty; use an IANA name such as \"Europe/Berlin\"");
  }
  const date::tzdb* db = nullptr;
  try {
    db = &date::get_tzdb();
  } catch (const std::exception& e) {
    return Status::IoError(std::string("cannot read the time zone database: ") + e.what());
  }
  if (FindZone(time_zone) != nullptr) return Status::Ok();
  std::string message = "unknown time zone " + Quote(time_zone);
  for (const date::time_zone& zone : db->zones) {
    if (IEquals(zone.name(), Trim(time_zone))) {
      message += " (did you mean " + Quote(zone.name()) + "?)";
      break;
    }
  }
  return Status::Invalid(message);
}

std::string FormatWorkingHours(const WorkingHours& hours) {
  if (hours.always()) return "always";
  const auto& days = hours.days();
  std::string out;
  std::array<bool, 7> written{};
  for (int d = 0; d < 7; ++d) {
    if (written[d] || days[d].empty()) continue;
    // All days with the same intervals as `d`, as runs of consecutive days joined by '+'.
    if (!out.empty()) out += ", ";
    bool first_run = true;
    for (int run = d; run < 7;) {
      if (written[run] || days[run] != days[d]) {
        ++run;
        continue;
      }
      int last = run;
      while (last + 1 < 7 && days[last + 1] == days[d]) ++last;
      if (!first_run) out += '+';
      first_run = false;
      out += kDayNames[run];
      if (last > run) out += (last == run + 1 ? "+" : "-") + std::string(kDayNames[last]);
      for (int i = run; i <= last; ++i) written[i] = true;
      run = last + 1;
    }
    for (const MinuteInterval& m : days[d]) out += " " + FormatInterval(m);
  }
  return out;
}

bool IsWorkingTime(const WorkingHours& hours, TimePoint t) {
  if (hours.always()) return true;
  return SpanWalker(hours, t).Next().begin <= t;
}

TimePoint NextWorkingTime(const WorkingHours& hours, TimePoint t) {
  return AddWorkingMicros(hours, t, 0);
}

TimePoint AddWorkingMinutes(const WorkingHours& hours, TimePoint start, int64_t minutes) {
  return AddWorkingMicros(hours, start, std::max<int64_t>(minutes, 0) * kMicrosPerMinute);
}

int64_t WorkingMicrosBetween(const WorkingHours& hours, TimePoint a, TimePoint b) {
  if (b < a) return -WorkingMicrosBetween(hours, b, a);
  if (hours.always()) return b - a;
  int64_t total = 0;
  SpanWalker walker(hours, a);
  for (Span span = walker.Next(); span.begin < b; span = walker.Next()) {
    total += std::min(span.end, b) - std::max(span.begin, a);
  }
  return total;
}

int64_t WorkingMinutesBetween(const WorkingHours& hours, TimePoint a, TimePoint b) {
  if (b < a) return -WorkingMinutesBetween(hours, b, a);
  return WorkingMicrosBetween(hours, a, b) / kMicrosPerMinute;
}

std::string FormatLocal(TimePoint t, std::string_view time_zone) {
  const date::sys_time<Micros> sys{Micros{t}};
  const date::time_zone* zone = FindZone(time_zone);
  const std::chrono::seconds offset =
      zone != nullptr ? zone->get_info(sys).offset : std::chrono::seconds{0};
  const auto local = date::floor<std::chrono::minutes>(sys + offset);
  const date::sys_days day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const int64_t minute_of_day = (local - day).count();

  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d ", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(minute_of_day / 60), static_cast<int>(minute_of_day % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (zone == nullptr) return out + "UTC";
  const int64_t seconds = offset.count();
  const int64_t magnitude = seconds < 0 ? -seconds : seconds;
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+',
                    static_cast<int>(magnitude / 3600), static_cast<int>(magnitude / 60 % 60));
  out.append(buf, static_cast<size_t>(n));
  // Offsets before standard time (local mean time) can have seconds; show them rather than lie.
  if (magnitude % 60 != 0) {
    n = std::snprintf(buf, sizeof buf, ":%02d", static_cast<int>(magnitude % 60));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace leadq
