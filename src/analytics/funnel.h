// The funnel report: how leads move through the lifecycle (lead -> mql -> accepted -> sql ->
// opportunity -> won), how long they stay in each stage, why they are disqualified or lost,
// whether recycled leads come back, whether response clocks are kept, and how deals close.
// Pure: the caller gathers plain rows (service/reports.cc reads them from the store) and gets a
// report back, rendered as a table, CSV or JSON. No clock: `as_of` is an input.
//
// Definitions (the report prints them too):
// - A lead has *reached* a stage of the main sequence when it ever entered that stage or a later
//   one (a lead sales accepted straight from `new` has reached mql too); conversion is reached of
//   a stage over reached of the stage before.
// - Time in a stage is measured per visit, from entering it to the next transition; a visit not
//   yet left is counted as open, not measured. A visit whose next transition is earlier than its
//   start (data imported out of order) is left out and counted.
// - A recycled lead *came back* when, after being recycled, it entered mql or a later stage of
//   the main sequence; it *converted* when it was won after being recycled.
// - A response clock is met when the first touch came by its due time, late when after, overdue
//   when untouched past due as of `as_of`, running when untouched and not yet due.
// - A deal's cycle is created -> closed, for won and lost deals with both dates.
//
// Example:
//   FunnelInput in;
//   in.leads.push_back({.group = "inbound", .moves = {{"", "new", t0}, {"new", "mql", t1}}});
//   FunnelReport r = ComputeFunnel(in);
//   std::cout << RenderFunnelTable(r);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace leadq::analytics {

// The main sequence of the funnel, in order; "new" is the lead itself.
inline constexpr const char* kFunnelStages[] = {"new", "mql",         "accepted",
                                                "sql", "opportunity", "won"};

// One entry of a lead's lifecycle log.
struct StageMove {
  std::string from;  // empty for the first entry
  std::string to;
  TimePoint at = 0;
  std::string reason;  // reason code, may be empty
};

struct FunnelLead {
  std::string group;             // the value of the breakdown (--by); empty counts as "(none)"
  std::vector<StageMove> moves;  // oldest first
};

// The response clock of one handoff.
struct FunnelClock {
  std::string group;
  TimePoint clock_start = 0;
  TimePoint due_at = 0;
  std::optional<TimePoint> first_touch_at;
};

enum class DealState { kOpen, kWon, kLost };

struct FunnelDeal {
  std::string group;
  DealState state = DealState::kOpen;
  std::optional<TimePoint> created_at, closed_at;
  std::optional<double> value;
  std::string lost_reason;
};

struct FunnelInput {
  std::string by;  // what the groups are ("channel", "owner", ...); empty: no breakdown
  TimePoint as_of = 0;
  std::vector<FunnelLead> leads;
  std::vector<FunnelClock> clocks;
  std::vector<FunnelDeal> deals;
};

struct StageReach {
  std::string stage;
  uint64_t reached = 0;
  std::optional<double> conversion;  // reached / reached of the stage before; none for "new"
};

// Days spent in a stage, over the visits that ended.
struct StageTime {
  std::string stage;
  uint64_t visits = 0;  // ended visits, measured
  uint64_t open = 0;    // visits not yet left
  std::optional<double> median_days, p90_days;
};

struct ReasonCount {
  std::string reason;  // "(none)" when the transition had no reason
  uint64_t count = 0;
};

struct RecycleSummary {
  uint64_t recycled = 0;   // leads recycled at least once
  uint64_t came_back = 0;  // of those, entered mql or later after a recycle
  uint64_t won = 0;        // of those, won after a recycle
};

struct ClockSummary {
  uint64_t clocks = 0;
  uint64_t met = 0, late = 0, overdue = 0, running = 0;
  std::optional<double> adherence;  // met / (met + late + overdue)
  std::optional<double> median_minutes_to_touch, p90_minutes_to_touch;
};

struct DealSummary {
  uint64_t deals = 0, open = 0, won = 0, lost = 0;
  std::optional<double> win_rate;  // won / (won + lost)
  double value_won = 0;
  uint64_t cycles = 0;  // closed deals with both dates
  std::optional<double> median_cycle_days, p90_cycle_days;
  std::vector<ReasonCount> lost_reasons;  // most frequent first
};

struct FunnelGroup {
  std::string name;  // "all", or a value of the breakdown
  uint64_t leads = 0;
  std::vector<StageReach> stages;               // kFunnelStages, in order
  std::vector<StageTime> times;                 // every stage with a visit, in lifecycle order
  std::vector<ReasonCount> disqualified, lost;  // most frequent first
  RecycleSummary recycled;
  ClockSummary clocks;
  DealSummary deals;
};

struct FunnelReport {
  std::string by;
  TimePoint as_of = 0;
  std::vector<FunnelGroup> groups;  // "all" first, then the breakdown's values in order
  uint64_t backwards_visits = 0;    // visits left out: the next transition came earlier
};

FunnelReport ComputeFunnel(const FunnelInput& input);

// For people: sections with aligned columns; "-" where a number is undefined.
std::string RenderFunnelTable(const FunnelReport& report);
// One row per number: section,group,item,metric,value (long form, for spreadsheets).
std::string RenderFunnelCsv(const FunnelReport& report);
// The whole report; undefined numbers are null.
std::string RenderFunnelJson(const FunnelReport& report);

}  // namespace leadq::analytics
