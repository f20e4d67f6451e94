#include "analytics/funnel.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "analytics/metrics.h"
#include "analytics/report_text.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMainStages = std::size(kFunnelStages);
// Every lifecycle stage, in the order the time table lists them.
constexpr const char* kAllStages[] = {"new", "mql",  "accepted", "sql",          "opportunity",
                                      "won", "lost", "nurture",  "disqualified", "recycled"};
constexpr double kMicrosPerMinute = 60.0 * kMicrosPerSecond;

int MainIndex(const std::string& stage) {
  for (size_t i = 0; i < kMainStages; ++i) {
    if (stage == kFunnelStages[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string GroupName(const std::string& group) { return group.empty() ? "(none)" : group; }

std::vector<ReasonCount> SortedReasons(const std::map<std::string, uint64_t>& counts) {
  std::vector<ReasonCount> out;
  for (const auto& [reason, n] : counts) out.push_back({reason, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const ReasonCount& a, const ReasonCount& b) { return a.count > b.count; });
  return out;
}

std::optional<double> QuantileOf(const std::vector<double>& values, double q) {
  if (values.empty()) return std::nullopt;
  return Quantile(values, q);
}

// Accumulates one group; Finish turns the samples into the published numbers.
struct GroupAccumulator {
  uint64_t leads = 0;
  uint64_t reached[kMainStages] = {};
  std::map<std::string, std::vector<double>> stage_days;
  std::map<std::string, uint64_t> stage_open;
  std::map<std::string, uint64_t> disqualified, lost;
  RecycleSummary recycled;
  ClockSummary clocks;
  std::vector<double> touch_minutes;
  DealSummary deals;
  std::vector<double> cycle_days;
  std::map<std::string, uint64_t> lost_reasons;

  void AddLead(const FunnelLead& lead, uint64_t& backwards) {
    ++leads;
    int furthest = 0;
    bool was_recycled = false, came_back = false, won_after = false;
    for (size_t i = 0; i < lead.moves.size(); ++i) {
      const StageMove& m = lead.moves[i];
      furthest = std::max(furthest, MainIndex(m.to));
      if (i + 1 < lead.moves.size()) {
        TimePoint next = lead.moves[i + 1].at;
        if (next < m.at) {
          ++backwards;
        } else {
          stage_days[m.to].push_back(AgeDays(m.at, next));
        }
      } else {
        ++stage_open[m.to];
      }
      if (m.to == "disqualified") ++disqualified[m.reason.empty() ? "(none)" : m.reason];
      if (m.to == "lost") ++lost[m.reason.empty() ? "(none)" : m.reason];
      if (was_recycled && MainIndex(m.to) >= 1) came_back = true;
      if (was_recycled && m.to == "won") won_after = true;
      if (m.to == "recycled") was_recycled = true;
    }
    for (int i = 0; i <= furthest; ++i) ++reached[i];
    recycled.recycled += was_recycled;
    recycled.came_back += came_back;
    recycled.won += won_after;
  }

  void AddClock(const FunnelClock& c, TimePoint as_of) {
    ++clocks.clocks;
    if (c.first_touch_at) {
      (*c.first_touch_at <= c.due_at ? clocks.met : clocks.late) += 1;
      if (*c.first_touch_at >= c.clock_start) {
        touch_minutes.push_back(static_cast<double>(*c.first_touch_at - c.clock_start) /
                                kMicrosPerMinute);
      }
    } else {
      (c.due_at <= as_of ? clocks.overdue : clocks.running) += 1;
    }
  }

  void AddDeal(const FunnelDeal& d) {
    ++deals.deals;
    switch (d.state) {
      case DealState::kOpen:
        ++deals.open;
        return;
      case DealState::kWon:
        ++deals.won;
        deals.value_won += d.value.value_or(0);
        break;
      case DealState::kLost:
        ++deals.lost;
        ++lost_reasons[d.lost_reason.empty() ? "(none)" : d.lost_reason];
        break;
    }
    if (d.created_at && d.closed_at && *d.closed_at >= *d.created_at) {
      cycle_days.push_back(AgeDays(*d.created_at, *d.closed_at));
    }
  }

  FunnelGroup Finish(std::string name) const {
    FunnelGroup g;
    g.name = std::move(name);
    g.leads = leads;
    for (size_t i = 0; i < kMainStages; ++i) {
      StageReach s{kFunnelStages[i], reached[i], std::nullopt};
      if (i > 0) {
        s.conversion = Ratio(static_cast<double>(reached[i]), static_cast<double>(reached[i - 1]));
      }
      g.stages.push_back(std::move(s));
    }
    for (const char* stage : kAllStages) {
      auto days = stage_days.find(stage);
      auto open = stage_open.find(stage);
      if (days == stage_days.end() && open == stage_open.end()) continue;
      StageTime t;
      t.stage = stage;
      if (days != stage_days.end()) {
        t.visits = days->second.size();
        t.median_days = QuantileOf(days->second, 0.5);
        t.p90_days = QuantileOf(days->second, 0.9);
      }
      if (open != stage_open.end()) t.open = open->second;
      g.times.push_back(std::move(t));
    }
    g.disqualified = SortedReasons(disqualified);
    g.lost = SortedReasons(lost);
    g.recycled = recycled;
    g.clocks = clocks;
    g.clocks.adherence = Ratio(static_cast<double>(clocks.met),
                               static_cast<double>(clocks.met + clocks.late + clocks.overdue));
    g.clocks.median_minutes_to_touch = QuantileOf(touch_minutes, 0.5);
    g.clocks.p90_minutes_to_touch = QuantileOf(touch_minutes, 0.9);
    g.deals = deals;
    g.deals.win_rate =
        Ratio(static_cast<double>(deals.won), static_cast<double>(deals.won + deals.lost));
    g.deals.cycles = cycle_days.size();
    g.deals.median_cycle_days = QuantileOf(cycle_days, 0.5);
    g.deals.p90_cycle_days = QuantileOf(cycle_days, 0.9);
    g.deals.lost_reasons = SortedReasons(lost_reasons);
    return g;
  }
};

std::string Count(uint64_t n) { return GroupThousands(n); }

std::string Money(double v) {
  if (v < 0) return "-" + Money(-v);
  return GroupThousands(static_cast<uint64_t>(v + 0.5));
}

void RenderReasons(std::string& out, const char* title, const std::vector<ReasonCount>& reasons) {
  if (reasons.empty()) return;
  uint64_t total = 0;
  for (const ReasonCount& r : reasons) total += r.count;
  TextTable t({title, "count", "share"});
  for (const ReasonCount& r : reasons) {
    t.AddRow({r.reason, Count(r.count),
              Percent(Ratio(static_cast<double>(r.count), static_cast<double>(total)))});
  }
  out += t.Render("    ");
}

void RenderGroupTable(std::string& out, const FunnelGroup& g, bool any_clocks) {
  if (g.leads > 0) {
    TextTable stages({"stage", "reached", "conversion", "of all leads"});
    for (const StageReach& s : g.stages) {
      stages.AddRow({s.stage == std::string("new") ? "lead" : s.stage, Count(s.reached),
                     Percent(s.conversion),
                     Percent(Ratio(static_cast<double>(s.reached), static_cast<double>(g.leads)))});
    }
    out += stages.Render("    ");
    out += "\n";
    TextTable times({"time in stage (days)", "visits", "median", "p90", "still there"});
    for (const StageTime& t : g.times) {
      times.AddRow(
          {t.stage, Count(t.visits), Fixed(t.median_days, 1), Fixed(t.p90_days, 1), Count(t.open)});
    }
    out += times.Render("    ");
    if (!g.disqualified.empty() || !g.lost.empty()) out += "\n";
    RenderReasons(out, "disqualified because", g.disqualified);
    RenderReasons(out, "lost because", g.lost);
    out += "\n    recycled: " + Count(g.recycled.recycled) +
           " leads; came back to mql or later: " + Count(g.recycled.came_back) +
           "; won after recycling: " + Count(g.recycled.won) + "\n";
  }
  if (any_clocks) {
    const ClockSummary& c = g.clocks;
    if (c.clocks == 0) {
      out += "    response clocks: none\n";
    } else {
      out += "    response clocks: " + Count(c.clocks) + "; met " + Count(c.met) + ", late " +
             Count(c.late) + ", overdue untouched " + Count(c.overdue) + ", running " +
             Count(c.running) + "; adherence " + Percent(c.adherence) +
             "; time to first touch (minutes) median " + Fixed(c.median_minutes_to_touch, 0) +
             ", p90 " + Fixed(c.p90_minutes_to_touch, 0) + "\n";
    }
  }
  const DealSummary& d = g.deals;
  if (d.deals > 0) {
    out += "    deals: " + Count(d.deals) + " (open " + Count(d.open) + ", won " + Count(d.won) +
           ", lost " + Count(d.lost) + "); win rate " + Percent(d.win_rate) + "; value won " +
           Money(d.value_won) + "\n";
    out += "    sales cycle (days, created -> closed, " + Count(d.cycles) + " deals): median " +
           Fixed(d.median_cycle_days, 1) + ", p90 " + Fixed(d.p90_cycle_days, 1) + "\n";
    // A lost reason nobody recorded says nothing: the table shows only when one was.
    if (d.lost_reasons.size() > 1 ||
        (d.lost_reasons.size() == 1 && d.lost_reasons[0].reason != "(none)")) {
      RenderReasons(out, "deal lost because", d.lost_reasons);
    } else if (d.lost > 0) {
      out += "    no lost deal has a reason\n";
    }
  }
}

// The breakdown of every group side by side: one row per group.
void RenderOverview(std::string& out, const FunnelReport& r, bool any_leads, bool any_deals) {
  if (any_leads) {
    std::vector<std::string> header = {r.by};
    for (size_t i = 0; i < kMainStages; ++i) {
      header.push_back(i == 0 ? std::string("leads") : std::string(kFunnelStages[i]));
    }
    header.push_back("lead->won");
    TextTable t(header);
    for (const FunnelGroup& g : r.groups) {
      if (g.leads == 0) continue;
      std::vector<std::string> row = {g.name};
      for (const StageReach& s : g.stages) row.push_back(Count(s.reached));
      row.push_back(Percent(
          Ratio(static_cast<double>(g.stages.back().reached), static_cast<double>(g.leads))));
      t.AddRow(std::move(row));
    }
    out += t.Render("  ") + "\n";
  }
  if (any_deals) {
    TextTable t({r.by, "deals", "open", "won", "lost", "win rate", "value won", "cycle median",
                 "cycle p90"});
    for (const FunnelGroup& g : r.groups) {
      const DealSummary& d = g.deals;
      if (d.deals == 0) continue;
      t.AddRow({g.name, Count(d.deals), Count(d.open), Count(d.won), Count(d.lost),
                Percent(d.win_rate), Money(d.value_won), Fixed(d.median_cycle_days, 1),
                Fixed(d.p90_cycle_days, 1)});
    }
    out += t.Render("  ") + "\n";
  }
}

Json ReasonsJson(const std::vector<ReasonCount>& reasons) {
  Json a = Json::array();
  for (const ReasonCount& r : reasons) a.push_back({{"reason", r.reason}, {"count", r.count}});
  return a;
}

}  // namespace

FunnelReport ComputeFunnel(const FunnelInput& input) {
  FunnelReport report;
  report.by = input.by;
  report.as_of = input.as_of;
  GroupAccumulator all;
  std::map<std::string, GroupAccumulator> groups;
  const bool by = !input.by.empty();
  for (const FunnelLead& lead : input.leads) {
    all.AddLead(lead, report.backwards_visits);
    uint64_t ignored = 0;  // counted once, in "all"
    if (by) groups[GroupName(lead.group)].AddLead(lead, ignored);
  }
  for (const FunnelClock& c : input.clocks) {
    all.AddClock(c, input.as_of);
    if (by) groups[GroupName(c.group)].AddClock(c, input.as_of);
  }
  for (const FunnelDeal& d : input.deals) {
    all.AddDeal(d);
    if (by) groups[GroupName(d.group)].AddDeal(d);
  }
  report.groups.push_back(all.Finish("all"));
  for (const auto& [name, acc] : groups) report.groups.push_back(acc.Finish(name));
  return report;
}

std::string RenderFunnelTable(const FunnelReport& r) {
  const FunnelGroup& all = r.groups.front();
  std::string out = "Funnel as of " + FormatTimestamp(r.as_of);
  if (!r.by.empty()) out += ", by " + r.by;
  out += "\n";
  if (all.leads == 0 && all.deals.deals == 0) {
    out +=
        "  no leads and no deals in this period: import leads (leadq import leads) or outcomes "
        "(leadq import outcomes)\n";
    return out;
  }
  if (all.leads == 0) {
    out += "  no leads in this period; deals only\n";
  } else {
    out +=
        "  reached: entered the stage or a later one; conversion: reached over the stage "
        "before\n";
  }
  if (r.backwards_visits > 0) {
    out += "  note: " + Count(r.backwards_visits) +
           " stage visits end before they start (transitions recorded out of order) and are "
           "not timed\n";
  }
  out += "\n";
  const bool any_clocks = all.clocks.clocks > 0;
  if (r.groups.size() > 1) RenderOverview(out, r, all.leads > 0, all.deals.deals > 0);
  for (const FunnelGroup& g : r.groups) {
    // With deals only, the overview above says everything a group's section would.
    if (g.name != "all" && g.leads == 0 && g.clocks.clocks == 0) continue;
    out += g.name == "all" ? "All\n" : r.by + " " + g.name + "\n";
    RenderGroupTable(out, g, any_clocks);
    out += "\n";
  }
  if (!any_clocks && all.leads > 0) {
    out += "Response clocks: no handoff has a response clock (see [[handoff.sla]])\n";
  }
  if (all.deals.deals == 0) {
    out += "Deals: none (leadq import outcomes FILE)\n";
  }
  return out;
}

std::string RenderFunnelCsv(const FunnelReport& r) {
  std::string out = "section,group,item,metric,value\n";
  auto row = [&](std::string_view section, const std::string& group, std::string_view item,
                 std::string_view metric, const std::string& value) {
    AppendCsvRow(out, {section, group, item, metric, value});
  };
  auto num = [](uint64_t n) { return std::to_string(n); };
  for (const FunnelGroup& g : r.groups) {
    row("leads", g.name, "", "count", num(g.leads));
    for (const StageReach& s : g.stages) {
      row("stages", g.name, s.stage, "reached", num(s.reached));
      if (s.conversion) row("stages", g.name, s.stage, "conversion", CsvNumber(s.conversion));
    }
    for (const StageTime& t : g.times) {
      row("time_in_stage", g.name, t.stage, "visits", num(t.visits));
      row("time_in_stage", g.name, t.stage, "median_days", CsvNumber(t.median_days));
      row("time_in_stage", g.name, t.stage, "p90_days", CsvNumber(t.p90_days));
      row("time_in_stage", g.name, t.stage, "open", num(t.open));
    }
    for (const ReasonCount& x : g.disqualified) {
      row("disqualified", g.name, x.reason, "count", num(x.count));
    }
    for (const ReasonCount& x : g.lost) row("lost", g.name, x.reason, "count", num(x.count));
    row("recycled", g.name, "", "recycled", num(g.recycled.recycled));
    row("recycled", g.name, "", "came_back", num(g.recycled.came_back));
    row("recycled", g.name, "", "won", num(g.recycled.won));
    const ClockSummary& c = g.clocks;
    row("response_clock", g.name, "", "clocks", num(c.clocks));
    row("response_clock", g.name, "", "met", num(c.met));
    row("response_clock", g.name, "", "late", num(c.late));
    row("response_clock", g.name, "", "overdue", num(c.overdue));
    row("response_clock", g.name, "", "running", num(c.running));
    row("response_clock", g.name, "", "adherence", CsvNumber(c.adherence));
    row("response_clock", g.name, "", "median_minutes_to_touch",
        CsvNumber(c.median_minutes_to_touch));
    row("response_clock", g.name, "", "p90_minutes_to_touch", CsvNumber(c.p90_minutes_to_touch));
    const DealSummary& d = g.deals;
    row("deals", g.name, "", "deals", num(d.deals));
    row("deals", g.name, "", "open", num(d.open));
    row("deals", g.name, "", "won", num(d.won));
    row("deals", g.name, "", "lost", num(d.lost));
    row("deals", g.name, "", "win_rate", CsvNumber(d.win_rate));
    row("deals", g.name, "", "value_won", CsvNumber(d.value_won));
    row("deals", g.name, "", "cycles", num(d.cycles));
    row("deals", g.name, "", "median_cycle_days", CsvNumber(d.median_cycle_days));
    row("deals", g.name, "", "p90_cycle_days", CsvNumber(d.p90_cycle_days));
    for (const ReasonCount& x : d.lost_reasons) {
      row("deal_lost", g.name, x.reason, "count", num(x.count));
    }
  }
  return out;
}

std::string RenderFunnelJson(const FunnelReport& r) {
  Json groups = Json::array();
  for (const FunnelGroup& g : r.groups) {
    Json stages = Json::array();
    for (const StageReach& s : g.stages) {
      stages.push_back(
          {{"stage", s.stage}, {"reached", s.reached}, {"conversion", JsonNumber(s.conversion)}});
    }
    Json times = Json::array();
    for (const StageTime& t : g.times) {
      times.push_back({{"stage", t.stage},
                       {"visits", t.visits},
                       {"median_days", JsonNumber(t.median_days)},
                       {"p90_days", JsonNumber(t.p90_days)},
                       {"open", t.open}});
    }
    const ClockSummary& c = g.clocks;
    const DealSummary& d = g.deals;
    groups.push_back({{"group", g.name},
                      {"leads", g.leads},
                      {"stages", stages},
                      {"time_in_stage", times},
                      {"disqualified", ReasonsJson(g.disqualified)},
                      {"lost", ReasonsJson(g.lost)},
                      {"recycled",
                       {{"recycled", g.recycled.recycled},
                        {"came_back", g.recycled.came_back},
                        {"won", g.recycled.won}}},
                      {"response_clock",
                       {{"clocks", c.clocks},
                        {"met", c.met},
                        {"late", c.late},
                        {"overdue", c.overdue},
                        {"running", c.running},
                        {"adherence", JsonNumber(c.adherence)},
                        {"median_minutes_to_touch", JsonNumber(c.median_minutes_to_touch)},
                        {"p90_minutes_to_touch", JsonNumber(c.p90_minutes_to_touch)}}},
                      {"deals",
                       {{"deals", d.deals},
                        {"open", d.open},
                        {"won", d.won},
                        {"lost", d.lost},
                        {"win_rate", JsonNumber(d.win_rate)},
                        {"value_won", d.value_won},
                        {"cycles", d.cycles},
                        {"median_cycle_days", JsonNumber(d.median_cycle_days)},
                        {"p90_cycle_days", JsonNumber(d.p90_cycle_days)},
                        {"lost_reasons", ReasonsJson(d.lost_reasons)}}}});
  }
  Json j = {{"as_of", FormatTimestamp(r.as_of)},
            {"by", r.by.empty() ? Json(nullptr) : Json(r.by)},
            {"backwards_visits", r.backwards_visits},
            {"groups", groups}};
  return j.dump(2) + "\n";
}

}  // namespace leadq::analytics
