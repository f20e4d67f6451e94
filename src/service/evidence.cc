#include "service/evidence.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "engine/score.h"
#include "service/lifecycle_ops.h"

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
  LEADQ_TRY(tx.ScanLeads(
      {}, [&](std::string_view id, std::string_view account, std::span<const std::string_view>) {
        LeadHistory h;
        h.lead_id = std::string(id);
        h.account_id = std::string(account);
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
      if (t.from_stage.empty()) h.created_at = t.at;
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

}  // namespace leadq::service
