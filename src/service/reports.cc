#include "service/reports.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analytics/calibration.h"
#include "analytics/funnel.h"
#include "analytics/html_report.h"
#include "analytics/thresholds.h"
#include "core/text.h"
#include "service/evidence.h"
#include "service/models.h"
#include "service/scoring.h"

namespace leadq::service {
namespace {

constexpr double kMicrosPerWeek = 7.0 * static_cast<double>(kMicrosPerDay);

std::string MonthOf(TimePoint t) { return FormatDate(t).substr(0, 7); }

std::string CellOf(const store::ScoreRecord& s) { return s.fit_grade + s.intent_grade; }

bool InRange(TimePoint t, const FunnelRequest& r) {
  return (!r.from || t >= *r.from) && (!r.to || t < *r.to);
}

template <typename Map>
std::string Lookup(const Map& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

// One free-form lead column for every lead that has it.
Result<std::unordered_map<std::string, std::string>> LeadColumn(store::Transaction& tx,
                                                                const std::string& key) {
  std::unordered_map<std::string, std::string> out;
  LEADQ_TRY(tx.ScanLeads(
      {key}, [&](std::string_view id, std::string_view, std::span<const std::string_view> values) {
        if (!values.empty() && !values[0].empty())
          out.emplace(std::string(id), std::string(values[0]));
      }));
  return out;
}

Result<std::unordered_map<std::string, store::ScoreRecord>> LatestScores(store::Transaction& tx) {
  store::LeadQuery q;
  q.sort = store::LeadQuery::Sort::kLeadId;
  LEADQ_TRY(std::vector<store::LeadSummary> leads, tx.ListLeads(q));
  std::unordered_map<std::string, store::ScoreRecord> out;
  for (store::LeadSummary& l : leads) {
    if (l.score) out.emplace(l.lead_id, std::move(*l.score));
  }
  return out;
}

analytics::DealState StateOf(store::DealStatus s) {
  switch (s) {
    case store::DealStatus::kWon:
      return analytics::DealState::kWon;
    case store::DealStatus::kLost:
      return analytics::DealState::kLost;
    case store::DealStatus::kOpen:
      break;
  }
  return analytics::DealState::kOpen;
}

Result<analytics::FunnelInput> GatherFunnel(store::Transaction& tx, const FunnelRequest& r) {
  analytics::FunnelInput in;
  in.by = r.by;
  in.as_of = r.as_of;
  LEADQ_TRY(std::vector<store::Transition> log, tx.AllTransitions());
  LEADQ_TRY(std::vector<store::Handoff> handoffs, tx.Handoffs({}));
  LEADQ_TRY(std::vector<store::OutcomeRow> deals, tx.Outcomes());

  std::unordered_map<std::string, std::string> owner_of;  // the latest handoff's owner
  for (const store::Handoff& h : handoffs) owner_of[h.lead_id] = h.owner_id;
  std::unordered_map<std::string, std::string> column;
  if (r.by == "channel" || r.by == "source") {
    LEADQ_TRY(column, LeadColumn(tx, r.by));
  }
  std::unordered_map<std::string, store::ScoreRecord> latest;
  if (r.by == "channel" || r.by == "grade") {
    LEADQ_TRY(latest, LatestScores(tx));
  }

  std::unordered_map<std::string, std::string> group_of;  // every lead's group
  for (size_t i = 0; i < log.size();) {
    size_t end = i;
    while (end < log.size() && log[end].lead_id == log[i].lead_id) ++end;
    const std::string& id = log[i].lead_id;
    std::string group;
    if (r.by == "channel") {
      group = Lookup(column, id);
      auto s = latest.find(id);
      if (group.empty() && s != latest.end()) group = s->second.channel;
    } else if (r.by == "source") {
      group = Lookup(column, id);
    } else if (r.by == "owner") {
      group = Lookup(owner_of, id);
    } else if (r.by == "grade") {
      for (size_t k = i; k < end && group.empty(); ++k) {
        if (log[k].to_stage == "mql" && log[k].scores) group = CellOf(*log[k].scores);
      }
      auto s = latest.find(id);
      if (group.empty() && s != latest.end()) group = CellOf(s->second);
    } else if (r.by == "month") {
      group = MonthOf(log[i].at);
    }
    group_of[id] = group;
    if (InRange(log[i].at, r)) {
      analytics::FunnelLead lead;
      lead.group = group;
      for (size_t k = i; k < end; ++k) {
        lead.moves.push_back({log[k].from_stage, log[k].to_stage, log[k].at, log[k].reason});
      }
      in.leads.push_back(std::move(lead));
    }
    i = end;
  }
  for (const store::Handoff& h : handoffs) {
    if (h.sla_rule.empty() || !h.due_at || !InRange(h.assigned_at, r)) continue;
    in.clocks.push_back({r.by == "owner" ? h.owner_id : Lookup(group_of, h.lead_id), h.clock_start,
                         *h.due_at, h.first_touch_at});
  }
  for (const store::OutcomeRow& d : deals) {
    std::optional<TimePoint> when = d.created_at ? d.created_at : d.closed_at;
    if ((r.from || r.to) && (!when || !InRange(*when, r))) continue;
    analytics::FunnelDeal deal;
    deal.state = StateOf(d.status);
    deal.created_at = d.created_at;
    deal.closed_at = d.closed_at;
    deal.value = d.value;
    deal.lost_reason = d.lost_reason;
    if (r.by == "owner") {
      deal.group = d.owner.empty() ? Lookup(owner_of, d.lead_id) : d.owner;
    } else if (r.by == "month") {
      deal.group = when ? MonthOf(*when) : "";
    } else if (!r.by.empty() && !d.lead_id.empty()) {
      deal.group = Lookup(group_of, d.lead_id);
    }
    in.deals.push_back(std::move(deal));
  }
  return in;
}

struct CalibrationData {
  analytics::CalibrationInput input;
  uint64_t known = 0;      // leads with a known outcome
  uint64_t never_mql = 0;  // of those, no mql with recorded scores
  uint64_t mql_after = 0;  // of those kept, mql only after the outcome was known
};

// The leads with a known outcome and their mql scores; with `rules`, which rules of the active
// model they matched at their mql time (when a model is active).
Result<CalibrationData> GatherCalibration(Workspace& ws, store::Transaction& tx, bool rules) {
  CalibrationData data;
  LEADQ_TRY(std::vector<LeadHistory> histories, LoadLeadHistories(tx));
  std::vector<std::pair<std::string, TimePoint>> at;
  for (const LeadHistory& h : histories) {
    if (h.outcome == Outcome::kUnknown) continue;
    ++data.known;
    if (!h.mql_at || !h.mql_scores) {
      ++data.never_mql;
      continue;
    }
    if (h.closed_at && *h.mql_at > *h.closed_at) ++data.mql_after;
    analytics::LabelledLead l;
    l.lead_id = h.lead_id;
    l.score = h.mql_scores->score;
    l.cell = CellOf(*h.mql_scores);
    l.won = h.outcome == Outcome::kWon;
    l.cycle_days = h.CycleDays();
    data.input.leads.push_back(std::move(l));
    at.emplace_back(h.lead_id, *h.mql_at);
  }
  if (!rules) return data;
  Result<ActiveModel> active = LoadActiveModel(ws, tx);
  if (!active.ok()) return data;  // no model: the report says rules are not available
  const model::Model& m = active->model;
  for (const model::FitRule& rule : m.fit.rules) data.input.rules.push_back("fit: " + rule.name);
  for (const model::IntentEntry& e : m.intent.entries) {
    data.input.rules.push_back("intent: " + e.Label());
  }
  for (const model::NegativeEntry& n : m.negatives) {
    data.input.rules.push_back("negative: " + n.name);
  }
  data.input.rules_known = true;
  if (at.empty()) return data;
  LEADQ_TRY(std::vector<LeadSnapshot> then, ScoreAtTimes(tx, m, at));
  const size_t fit_n = m.fit.rules.size(), intent_n = m.intent.entries.size();
  for (size_t i = 0; i < then.size() && i < data.input.leads.size(); ++i) {
    std::vector<std::string>& matched = data.input.leads[i].rules;
    for (uint16_t id : then[i].fit_rule_ids) matched.push_back(data.input.rules[id]);
    for (uint16_t id : then[i].intent_entry_ids) matched.push_back(data.input.rules[fit_n + id]);
    for (uint16_t id : then[i].negative_ids) {
      matched.push_back(data.input.rules[fit_n + intent_n + id]);
    }
  }
  return data;
}

analytics::CalibrationReport Calibrate(const CalibrationData& data) {
  analytics::CalibrationReport r = analytics::ComputeCalibration(data.input);
  if (data.never_mql > 0) {
    r.notes.push_back(GroupThousands(data.never_mql) + " of " + GroupThousands(data.known) +
                      " leads with a known outcome never became an mql with recorded scores "
                      "and are left out");
  }
  if (data.mql_after > 0) {
    r.notes.push_back(GroupThousands(data.mql_after) +
                      " leads became an mql only after their outcome was known (history imported "
                      "after the fact): their scores may reflect it");
  }
  return r;
}

Result<analytics::ThresholdInput> GatherThresholds(store::Transaction& tx,
                                                   const ThresholdRequest& req,
                                                   const analytics::CalibrationReport& cal) {
  analytics::ThresholdInput in;
  if (req.capacity) {
    in.capacity = *req.capacity;
  } else {
    LEADQ_TRY(std::vector<store::Owner> owners, tx.Owners());
    for (const store::Owner& o : owners) {
      if (o.active) in.capacity += static_cast<double>(o.weekly_capacity);
    }
    if (in.capacity <= 0) {
      return Status::Invalid(
          "no capacity: give --capacity N/week, or add owners with a weekly capacity (leadq "
          "owner add ID --capacity N)");
    }
  }
  in.weeks = req.weeks;
  const TimePoint start =
      req.as_of - static_cast<TimePoint>(std::llround(req.weeks * kMicrosPerWeek));
  in.window = "from " + FormatDate(start) + " to " + FormatDate(req.as_of);
  LEADQ_TRY(auto created, LeadColumn(tx, "created_at"));
  store::LeadQuery q;
  q.sort = store::LeadQuery::Sort::kLeadId;
  LEADQ_TRY(std::vector<store::LeadSummary> leads, tx.ListLeads(q));
  for (const store::LeadSummary& l : leads) {
    TimePoint arrived = l.created_at;
    auto c = created.find(l.lead_id);
    if (c != created.end()) {
      if (std::optional<TimePoint> t = ParseTimestamp(c->second)) arrived = *t;
    }
    if (arrived <= start || arrived > req.as_of) continue;
    if (!l.score) {
      ++in.unscored;
    } else if (l.score->action != "disqualified") {  // a disqualified lead never reaches a seller
      in.scores.push_back(l.score->score);
    }
  }
  in.fit = cal.fit;
  in.labelled = cal.leads;
  if (!cal.deciles.empty()) {
    in.labelled_low = cal.deciles.front().low;
    in.labelled_high = cal.deciles.back().high;
  }
  return in;
}

// A report in the format asked for.
template <typename Report>
std::string Rendered(const Report& r, ListFormat format, std::string (*table)(const Report&),
                     std::string (*csv)(const Report&), std::string (*json)(const Report&)) {
  switch (format) {
    case ListFormat::kCsv:
      return csv(r);
    case ListFormat::kJson:
      return json(r);
    case ListFormat::kTable:
      break;
  }
  return table(r);
}

}  // namespace

Result<std::string> FunnelReportText(Workspace& ws, const FunnelRequest& request,
                                     ListFormat format) {
  if (!request.by.empty() && std::find(std::begin(kFunnelBreakdowns), std::end(kFunnelBreakdowns),
                                       request.by) == std::end(kFunnelBreakdowns)) {
    return Status::Invalid("--by \"" + request.by + "\" is not one of " +
                           JoinStrings(kFunnelBreakdowns));
  }
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(analytics::FunnelInput in, GatherFunnel(*tx, request));
  analytics::FunnelReport r = analytics::ComputeFunnel(in);
  return Rendered(r, format, analytics::RenderFunnelTable, analytics::RenderFunnelCsv,
                  analytics::RenderFunnelJson);
}

Result<std::string> CalibrationReportText(Workspace& ws, ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(CalibrationData data, GatherCalibration(ws, *tx, /*rules=*/true));
  analytics::CalibrationReport r = Calibrate(data);
  return Rendered(r, format, analytics::RenderCalibrationTable, analytics::RenderCalibrationCsv,
                  analytics::RenderCalibrationJson);
}

Result<std::string> ThresholdsReportText(Workspace& ws, const ThresholdRequest& request,
                                         ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(CalibrationData data, GatherCalibration(ws, *tx, /*rules=*/false));
  analytics::CalibrationReport cal = Calibrate(data);
  LEADQ_TRY(analytics::ThresholdInput in, GatherThresholds(*tx, request, cal));
  analytics::ThresholdReport r = analytics::ComputeThresholds(in);
  return Rendered(r, format, analytics::RenderThresholdsTable, analytics::RenderThresholdsCsv,
                  analytics::RenderThresholdsJson);
}

Status WriteHtmlReport(Workspace& ws, const HtmlReportRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  analytics::HtmlReportInput in;
  in.title = ws.dir.string();
  in.as_of = request.thresholds.as_of;
  FunnelRequest funnel;
  funnel.as_of = in.as_of;
  LEADQ_TRY(analytics::FunnelInput f, GatherFunnel(*tx, funnel));
  in.funnel = analytics::ComputeFunnel(f);
  LEADQ_TRY(CalibrationData data, GatherCalibration(ws, *tx, /*rules=*/true));
  in.calibration = Calibrate(data);
  LEADQ_TRY(auto latest, LatestScores(*tx));
  for (const auto& [id, s] : latest) in.scores.push_back(s.score);
  Result<analytics::ThresholdInput> t = GatherThresholds(*tx, request.thresholds, in.calibration);
  if (t.ok()) {
    in.thresholds = analytics::ComputeThresholds(*t);
  } else if (t.status().code() != StatusCode::kInvalidInput) {
    return t.status();
  } else {
    in.thresholds_note = t.status().message();
  }
  return WriteOutput(request.out, analytics::RenderHtmlReport(in));
}

}  // namespace leadq::service
