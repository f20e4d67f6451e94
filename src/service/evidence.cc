#include "service/evidence.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "analytics/metrics.h"
#include "core/text.h"
#include "engine/score.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"

namespace leadq::service {
namespace {

constexpr double kMicrosPerDay = 86'400e6;

// The outcome a set of deals gives: won if any is won (earliest close), lost if all are lost
// (latest close), else unknown.
struct DealVerdict {
  Outcome outcome = Outcome::kUnknown;
  const store::OutcomeRow* deal = nullptr;
};

DealVerdict JudgeDeals(const std::vector<const store::OutcomeRow*>& deals) {
  DealVerdict v;
  if (deals.empty()) return v;
  const store::OutcomeRow* won = nullptr;
  const store::OutcomeRow* last_lost = nullptr;
  bool any_open = false;
  for (const store::OutcomeRow* d : deals) {
    if (d->status == store::DealStatus::kWon) {
      if (won == nullptr || d->closed_at.value_or(INT64_MAX) < won->closed_at.value_or(INT64_MAX)) {
        won = d;
      }
    } else if (d->status == store::DealStatus::kLost) {
      if (last_lost == nullptr || d->closed_at.value_or(0) > last_lost->closed_at.value_or(0)) {
        last_lost = d;
      }
    } else {
      any_open = true;
    }
  }
  if (won != nullptr) return {Outcome::kWon, won};
  if (last_lost != nullptr && !any_open) return {Outcome::kLost, last_lost};
  return v;
}

}  // namespace

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kWon:
      return "won";
    case Outcome::kLost:
      return "lost";
    case Outcome::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<double> LeadHistory::CycleDays() const {
  if (!cycle_start || !closed_at || *closed_at < *cycle_start) return std::nullopt;
  return static_cast<double>(*closed_at - *cycle_start) / kMicrosPerDay;
}

Result<std::vector<LeadHistory>> LoadLeadHistories(store::Transaction& tx) {
  std::vector<LeadHistory> out;
  std::unordered_map<std::string, size_t> index;
  // A lead's own created_at field (its creation in the source system), when it holds a time,
  // is when it was created; else its first transition (the import).
  LEADQ_TRY(tx.ScanLeads({"created_at"}, [&](std::string_view id, std::string_view account,
                                             std::span<const std::string_view> values) {
    LeadHistory h;
    h.lead_id = std::string(id);
    h.account_id = std::string(account);
    h.created_at = ParseTimestamp(Trim(values[0])).value_or(0);
    out.push_back(std::move(h));
  }));
  std::sort(out.begin(), out.end(),
            [](const LeadHistory& a, const LeadHistory& b) { return a.lead_id < b.lead_id; });
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].lead_id, i);

  LEADQ_TRY(std::vector<store::Transition> all, tx.AllTransitions());
  for (store::Transition& t : all) {
    auto it = index.find(t.lead_id);
    if (it == index.end()) continue;  // the store keeps logs of its own leads only
    out[it->second].transitions.push_back(std::move(t));
  }

  LEADQ_TRY(std::vector<store::OutcomeRow> deals, tx.Outcomes());
  std::unordered_map<std::string, std::vector<const store::OutcomeRow*>> by_lead, by_account;
  for (const store::OutcomeRow& d : deals) {
    if (!d.lead_id.empty()) by_lead[d.lead_id].push_back(&d);
    if (!d.account_id.empty()) by_account[d.account_id].push_back(&d);
  }

  for (LeadHistory& h : out) {
    std::optional<TimePoint> opportunity_at;
    for (const store::Transition& t : h.transitions) {
      if (t.from_stage.empty() && h.created_at == 0) h.created_at = t.at;
      if (t.to_stage == "mql" && !h.mql_at) {
        h.mql_at = t.at;
        h.mql_scores = t.scores;
      }
      if (t.to_stage == "opportunity" && !opportunity_at) opportunity_at = t.at;
      if (t.to_stage == "won" || t.to_stage == "lost") {
        h.outcome = t.to_stage == "won" ? Outcome::kWon : Outcome::kLost;
        h.closed_at = t.at;
        h.outcome_source = "stage " + t.to_stage;
      }
    }
    if (!h.transitions.empty()) {
      if (h.created_at == 0) h.created_at = h.transitions.front().at;
      h.stage = h.transitions.back().to_stage;
    }
    if (h.outcome != Outcome::kUnknown) {
      h.cycle_start = opportunity_at ? opportunity_at : h.mql_at ? h.mql_at : h.created_at;
      continue;
    }
    DealVerdict v;
    std::string source = "deal ";
    if (auto it = by_lead.find(h.lead_id); it != by_lead.end()) v = JudgeDeals(it->second);
    if (v.outcome == Outcome::kUnknown && !h.account_id.empty()) {
      if (auto it = by_account.find(h.account_id); it != by_account.end()) {
        std::vector<const store::OutcomeRow*> later;
        for (const store::OutcomeRow* d : it->second) {
          if (!d->created_at || *d->created_at >= h.created_at) later.push_back(d);
        }
        v = JudgeDeals(later);
        source = "account deal ";
      }
    }
    if (v.outcome == Outcome::kUnknown) continue;
    h.outcome = v.outcome;
    h.closed_at = v.deal->closed_at;
    h.cycle_start = v.deal->created_at;
    h.outcome_source = source + v.deal->deal_id;
  }
  return out;
}

Result<std::vector<LeadSnapshot>> ScoreAtTimes(
    store::Transaction& tx, const model::Model& model,
    std::span<const std::pair<std::string, TimePoint>> leads) {
  std::vector<LeadSnapshot> out;
  if (leads.empty()) return out;
  LEADQ_TRY(std::unique_ptr<Workset> work, BindStoreData(tx, model, leads.front().second));
  const engine::Dataset& data = work->data;
  out.reserve(leads.size());
  for (const auto& [lead_id, as_of] : leads) {
    std::optional<uint32_t> row = data.leads.index.Find(lead_id);
    if (!row) return Status::NotFound("no lead '" + lead_id + "' in the workspace");
    engine::LeadExplanation why = engine::ExplainLead(work->compiled, data, as_of, *row);
    work->as_of = as_of;
    store::ScoreRecord r = RecordOf(*work, 0, *row, why.score);
    LeadSnapshot s;
    s.lead_id = lead_id;
    s.as_of = as_of;
    s.fit = r.fit;
    s.intent = r.intent;
    s.negative = r.negative;
    s.score = r.score;
    s.fit_grade = r.fit_grade;
    s.intent_grade = r.intent_grade;
    s.action = r.action;
    for (uint16_t i : why.fit_rules) {
      s.fit_rule_ids.push_back(i);
      s.fit_rules.push_back(work->model.fit.rules[i].name);
    }
    for (const engine::EntryContribution& e : why.entries) {
      s.intent_entry_ids.push_back(e.entry);
      s.intent_entries.push_back(work->model.intent.entries[e.entry].Label());
      s.intent_entry_points.push_back(e.counted);
    }
    for (const engine::NegativeContribution& n : why.negatives) {
      s.negative_ids.push_back(n.entry);
      s.negatives.push_back(work->model.negatives[n.entry].name);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// --- model backtest ---------------------------------------------------------------------------

double MqlCohort::WinRate() const {
  return known == 0 ? std::numeric_limits<double>::quiet_NaN()
                    : static_cast<double>(won) / static_cast<double>(known);
}

std::optional<double> MqlCohort::MedianCycle() const {
  if (cycle_days.empty()) return std::nullopt;
  return analytics::Quantile(cycle_days, 0.5);
}

namespace {

void AddToCohort(MqlCohort& c, const LeadHistory& h) {
  ++c.leads;
  if (h.outcome == Outcome::kUnknown) return;
  ++c.known;
  if (h.outcome == Outcome::kWon) ++c.won;
  if (std::optional<double> d = h.CycleDays()) c.cycle_days.push_back(*d);
}

std::string RateText(const MqlCohort& c) {
  if (c.known == 0) return "no outcome known";
  return std::to_string(c.won) + " won of " + std::to_string(c.known) + " known (" +
         FormatFixed2(100.0 * c.WinRate()) + "%)";
}

std::string CycleText(const MqlCohort& c) {
  std::optional<double> m = c.MedianCycle();
  return m ? FormatFixed2(*m) + " days" : "-";
}

nlohmann::json CohortJson(const MqlCohort& c) {
  nlohmann::json j = {{"leads", c.leads}, {"known", c.known}, {"won", c.won}};
  j["win_rate"] = c.known == 0 ? nlohmann::json(nullptr) : nlohmann::json(c.WinRate());
  std::optional<double> m = c.MedianCycle();
  j["median_cycle_days"] = m ? nlohmann::json(*m) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

Result<BacktestReport> Backtest(Workspace& ws, const BacktestRequest& request) {
  LEADQ_TRY(model::Model proposed, model::LoadModel(request.model));
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  BacktestReport report;
  report.proposed = request.model.string();
  std::optional<model::Model> current;
  Result<ActiveModel> active = LoadActiveModel(ws, *tx);
  if (active.ok()) {
    report.active_version = active->version;
    report.diff = DiffModels(active->model, proposed);
    current = std::move(active->model);
  } else if (active.status().code() != StatusCode::kFailedPrecondition) {
    return active.status();
  }

  LEADQ_TRY(std::vector<LeadHistory> histories, LoadLeadHistories(*tx));
  std::vector<const LeadHistory*> window;
  std::vector<std::pair<std::string, TimePoint>> moments;  // creation, then mql when it has one
  std::vector<std::pair<size_t, bool>> moment_of;          // (window index, is the mql moment)
  for (const LeadHistory& h : histories) {
    if (h.transitions.empty()) continue;
    if (request.from && h.created_at < *request.from) continue;
    if (request.to && h.created_at >= *request.to) continue;
    window.push_back(&h);
    moments.emplace_back(h.lead_id, h.created_at);
    moment_of.emplace_back(window.size() - 1, false);
    if (h.mql_at) {
      moments.emplace_back(h.lead_id, *h.mql_at);
      moment_of.emplace_back(window.size() - 1, true);
    }
  }
  report.leads = window.size();
  report.evaluations = moments.size();

  LEADQ_TRY(std::vector<LeadSnapshot> next, ScoreAtTimes(*tx, proposed, moments));
  std::vector<LeadSnapshot> before;
  if (current) {
    LEADQ_TRY(before, ScoreAtTimes(*tx, *current, moments));
  }
  std::vector<uint8_t> sent_now(window.size(), 0), sent_next(window.size(), 0),
      changed(window.size(), 0);
  for (size_t k = 0; k < moments.size(); ++k) {
    const size_t w = moment_of[k].first;
    if (next[k].action == "mql") sent_next[w] = 1;
    if (!current) continue;
    if (before[k].action == "mql") sent_now[w] = 1;
    if (before[k].action != next[k].action) {
      changed[w] = 1;
      ++(moment_of[k].second ? report.changed_at_mql : report.changed_at_creation);
      ++report.moves[before[k].action + " -> " + next[k].action];
    }
  }
  for (size_t w = 0; w < window.size(); ++w) {
    const LeadHistory& h = *window[w];
    if (h.mql_at) AddToCohort(report.history, h);
    if (sent_next[w]) AddToCohort(report.proposed_mqls, h);
    if (sent_now[w]) AddToCohort(report.current, h);
    if (sent_now[w] && !sent_next[w]) AddToCohort(report.only_current, h);
    if (sent_next[w] && !sent_now[w]) AddToCohort(report.only_proposed, h);
    report.changed_leads += changed[w];
  }
  return report;
}

std::string BacktestText(const BacktestReport& r) {
  std::string out = "backtest of " + r.proposed + " on " + GroupThousands(r.leads) + " leads (" +
                    GroupThousands(r.evaluations) +
                    " moments: each lead at its creation and, when it became an MQL, then)\n";
  if (r.active_version == 0) {
    out += "no model applied yet: nothing to compare with, the proposed model alone\n";
  } else {
    out += "against the active model, version " + std::to_string(r.active_version) + "\n";
    if (r.diff.empty()) {
      out += "the two models score alike: no rule, entry or threshold differs\n";
    } else {
      out += "\nwhat changes:\n";
      for (const std::string& d : r.diff) out += "  " + d + "\n";
    }
    out += "\nleads whose action changes: " + GroupThousands(r.changed_leads) + " (" +
           GroupThousands(r.changed_at_creation) + " at creation, " +
           GroupThousands(r.changed_at_mql) + " at MQL time); the changes, by moment:\n";
    for (const auto& [move, n] : r.moves) {
      out += "  " + move + ": " + GroupThousands(n) + "\n";
    }
  }
  out += "\nleads sent to MQL and how they ended:\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %-34s %8s  %-36s %s\n", "", "mqls", "win rate",
                "median cycle");
  out += line;
  auto row = [&](const char* label, const MqlCohort& c) {
    std::snprintf(line, sizeof line, "  %-34s %8s  %-36s %s\n", label,
                  GroupThousands(c.leads).c_str(), RateText(c).c_str(), CycleText(c).c_str());
    out += line;
  };
  row("history (the log)", r.history);
  if (r.active_version != 0) row("active model, re-scored", r.current);
  row("proposed model", r.proposed_mqls);
  if (r.active_version != 0) {
    row("  only the active model sends", r.only_current);
    row("  only the proposed model sends", r.only_proposed);
  }
  if (r.history.known + r.proposed_mqls.known == 0) {
    out +=
        "\nno lead in the window has a known outcome yet: import outcomes or move leads to won "
        "or lost to compare win rates\n";
  }
  return out;
}

std::string BacktestJson(const BacktestReport& r) {
  nlohmann::json j = {{"proposed", r.proposed},
                      {"active_version", r.active_version},
                      {"diff", r.diff},
                      {"leads", r.leads},
                      {"evaluations", r.evaluations},
                      {"changed_leads", r.changed_leads},
                      {"changed_at_creation", r.changed_at_creation},
                      {"changed_at_mql", r.changed_at_mql},
                      {"moves", r.moves},
                      {"history", CohortJson(r.history)},
                      {"proposed_mqls", CohortJson(r.proposed_mqls)}};
  if (r.active_version != 0) {
    j["active_mqls"] = CohortJson(r.current);
    j["only_active"] = CohortJson(r.only_current);
    j["only_proposed"] = CohortJson(r.only_proposed);
  }
  return j.dump(2) + "\n";
}

}  // namespace leadq::service
