#include "service/evidence.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "analytics/logistic.h"
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
    // A deal that names a lead is that lead's; only deals of an account as a whole count for
    // every lead of the account.
    if (d.lead_id.empty() && !d.account_id.empty()) by_account[d.account_id].push_back(&d);
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
  LEADQ_TRY(model::Model proposed, request.content ? ParseModelContent(ws, *request.content)
                                                   : model::LoadModel(request.model));
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  BacktestReport report;
  report.proposed = request.content ? "model.toml" : request.model.string();
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

// --- suggest-weights ----------------------------------------------------------------------------

std::string RewriteNumbers(std::string_view text,
                           std::vector<std::pair<model::SourcePos, double>> edits) {
  // Byte offset of each edit, then replace from the last to the first so offsets stay valid.
  std::vector<size_t> line_start{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_start.push_back(i + 1);
  }
  std::vector<std::pair<size_t, double>> at;
  for (const auto& [pos, value] : edits) {
    if (pos.line < 1 || static_cast<size_t>(pos.line) > line_start.size() || pos.column < 1) {
      continue;
    }
    size_t i = line_start[static_cast<size_t>(pos.line - 1)];
    for (int col = 1; col < pos.column && i < text.size() && text[i] != '\n'; ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
      // skip the continuation bytes of the code point just counted
      while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
    }
    at.emplace_back(i, value);
  }
  std::sort(at.begin(), at.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out(text);
  for (const auto& [offset, value] : at) {
    size_t end = offset;
    while (end < out.size() &&
           (std::isdigit(static_cast<unsigned char>(out[end])) != 0 ||
            std::string_view("+-._eE").find(out[end]) != std::string_view::npos)) {
      ++end;
    }
    std::string number;
    if (value == std::round(value)) {
      number = std::to_string(static_cast<int64_t>(std::round(value)));
    } else {
      number = FormatFixed2(value);
    }
    out.replace(offset, end - offset, number);
  }
  return out;
}

namespace {

struct Item {
  std::string section, name;
  double current = 0;
  model::SourcePos pos;
  int sign = 0;  // 0: any; +1: >= 0; -1: <= 0
};

}  // namespace

Result<SuggestReport> SuggestWeights(Workspace& ws, const SuggestRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::ModelVersion> stored, tx->ActiveModel());
  if (!stored) {
    return Status::FailedPrecondition(
        "the workspace has no model yet: run `leadq model apply MODEL.toml -m \"why\"`, then "
        "suggest-weights re-weighs its rules");
  }
  LEADQ_TRY(const model::Model m, LoadModelVersion(ws, *stored));
  SuggestReport report;
  report.active_version = stored->version;
  report.out = request.out;

  LEADQ_TRY(std::vector<LeadHistory> histories, LoadLeadHistories(*tx));
  std::vector<std::pair<std::string, TimePoint>> moments;
  std::vector<uint8_t> label;
  for (const LeadHistory& h : histories) {
    if (h.outcome == Outcome::kUnknown || h.transitions.empty()) continue;
    TimePoint moment = h.created_at;
    if (h.mql_at) {
      moment = *h.mql_at;
    } else if (h.cycle_start && *h.cycle_start > h.created_at) {
      moment = *h.cycle_start;  // a deal opened without the lead becoming an MQL
    } else if (h.transitions.size() > 1) {
      moment = h.transitions[1].at;
    }
    moments.emplace_back(h.lead_id, moment);
    label.push_back(h.outcome == Outcome::kWon ? 1 : 0);
  }
  report.leads = label.size();
  for (uint8_t y : label) report.won += y;
  if (report.leads < 20 || report.won < 5 || report.leads - report.won < 5) {
    return Status::FailedPrecondition(
        "too few outcomes to suggest weights: " + std::to_string(report.leads) +
        " leads with a known outcome (" + std::to_string(report.won) +
        " won); at least 20, with 5 won and 5 lost, are needed (import outcomes, or move leads "
        "to won or lost)");
  }
  LEADQ_TRY(std::vector<LeadSnapshot> snaps, ScoreAtTimes(*tx, m, moments));

  // The items and each lead's indicators.
  std::vector<Item> items;
  for (const model::FitRule& r : m.fit.rules)
    items.push_back({"fit", r.name, r.points, r.points_pos, 0});
  for (const model::IntentEntry& e : m.intent.entries) {
    items.push_back({"intent", e.Label(), e.points, e.points_pos, +1});
  }
  for (const model::NegativeEntry& n : m.negatives) {
    items.push_back({"negative", n.name, n.points, n.points_pos, -1});
  }
  const size_t fit_end = m.fit.rules.size();
  const size_t intent_end = fit_end + m.intent.entries.size();
  const size_t n = label.size();
  Eigen::MatrixXd all =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(items.size()));
  std::vector<double> scores(n);
  for (size_t i = 0; i < n; ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    for (uint16_t r : snaps[i].fit_rule_ids) all(row, r) = 1;
    for (uint16_t e : snaps[i].intent_entry_ids)
      all(row, static_cast<Eigen::Index>(fit_end + e)) = 1;
    for (uint16_t g : snaps[i].negative_ids) {
      all(row, static_cast<Eigen::Index>(intent_end + g)) = 1;
    }
    scores[i] = snaps[i].score;
  }
  report.current_auc = analytics::RocAuc(scores, label);

  // Rows of the report, and which items have enough leads on both sides to estimate.
  std::vector<size_t> used;
  for (size_t k = 0; k < items.size(); ++k) {
    WeightSuggestion w;
    w.section = items[k].section;
    w.name = items[k].name;
    w.current = items[k].current;
    w.proposed = items[k].current;
    for (size_t i = 0; i < n; ++i) {
      const bool hit = all(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) != 0;
      ++(hit ? w.matched : w.unmatched);
      if (label[i] != 0) ++(hit ? w.matched_won : w.unmatched_won);
    }
    if (w.matched < request.min_leads || w.unmatched < request.min_leads) {
      w.note = "too few leads to say (" + std::to_string(w.matched) + " matched, " +
               std::to_string(w.unmatched) + " not; " + std::to_string(request.min_leads) +
               " each needed): points kept";
    } else {
      used.push_back(k);
    }
    report.rows.push_back(std::move(w));
  }
  if (used.empty()) {
    return Status::FailedPrecondition(
        "no rule of the active model is matched by at least " + std::to_string(request.min_leads) +
        " leads with an outcome and missed by as many: nothing to estimate (lower --min-leads)");
  }
  Eigen::MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(used.size()));
  for (size_t c = 0; c < used.size(); ++c) {
    x.col(static_cast<Eigen::Index>(c)) = all.col(static_cast<Eigen::Index>(used[c]));
  }
  std::vector<double> y(label.begin(), label.end());
  const int folds = std::clamp(request.folds, 2, static_cast<int>(std::min<uint64_t>(n, 10)));
  std::vector<int> fold(n);
  for (size_t i = 0; i < n; ++i) fold[i] = static_cast<int>(i % static_cast<size_t>(folds));
  std::shuffle(fold.begin(), fold.end(), std::mt19937_64(request.seed));
  analytics::LogisticCrossValidation cv =
      analytics::CrossValidateLogistic(x, y, fold, folds, analytics::DefaultL2Grid());
  report.l2 = cv.best_l2;
  report.indicators_auc = analytics::RocAuc(cv.out_of_fold, label);
  analytics::LogisticFit fit = analytics::FitLogistic(x, y, {.l2 = cv.best_l2});

  // Points proportional to the coefficients, each section keeping its total.
  for (const char* section : {"fit", "intent", "negative"}) {
    double current_total = 0, coef_total = 0;
    for (size_t c = 0; c < used.size(); ++c) {
      const Item& it = items[used[c]];
      if (it.section != section) continue;
      current_total += std::abs(it.current);
      coef_total += std::abs(fit.coef[c]);
    }
    for (size_t c = 0; c < used.size(); ++c) {
      const Item& it = items[used[c]];
      if (it.section != section) continue;
      WeightSuggestion& w = report.rows[used[c]];
      w.coef = fit.coef[c];
      if (coef_total == 0 || current_total == 0) {
        w.note = "the section has no points to share: points kept";
        continue;
      }
      double points = std::round(fit.coef[c] * current_total / coef_total);
      if (it.sign > 0 && points < 0) {
        points = 0;
        w.note = "goes with losing, not winning: 0 points proposed";
      } else if (it.sign < 0 && points > 0) {
        points = 0;
        w.note = "goes with winning, not losing: 0 points proposed";
      }
      w.proposed = points == 0 ? 0 : points;  // no "-0"
    }
  }

  // The model file: the active text with the changed points rewritten.
  std::vector<std::pair<model::SourcePos, double>> edits;
  for (size_t k = 0; k < items.size(); ++k) {
    if (report.rows[k].proposed != items[k].current) {
      edits.emplace_back(items[k].pos, report.rows[k].proposed);
    }
  }
  std::string text = RewriteNumbers(stored->content, edits);
  const std::filesystem::path base =
      request.out.has_parent_path() ? request.out.parent_path() : std::filesystem::path(".");
  for (const auto& [rel, content] : stored->files) {
    std::filesystem::path file = base / rel;
    if (std::filesystem::exists(file)) continue;
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream f(file, std::ios::binary);
    f << content;
    if (!f) return Status::IoError(file.string() + ": cannot write");
    report.files_written.push_back(file.string());
  }
  {
    std::ofstream f(request.out, std::ios::binary);
    f << text;
    if (!f) return Status::IoError(request.out.string() + ": cannot write");
  }
  Result<model::Model> proposed = model::LoadModel(request.out);
  if (!proposed.ok()) {
    return Status::Internal("the suggested model does not load (a bug): " +
                            proposed.status().message());
  }
  report.diff = DiffModels(m, *proposed);
  report.model_text = std::move(text);
  return report;
}

std::string SuggestText(const SuggestReport& r) {
  std::string out = "suggest-weights: " + GroupThousands(r.leads) + " leads with an outcome (" +
                    GroupThousands(r.won) +
                    " won), seen as of their MQL time, against model version " +
                    std::to_string(r.active_version) + "\n";
  out += "  the current score ranks them: AUC " +
         (std::isnan(r.current_auc) ? std::string("-") : FormatFixed2(r.current_auc)) + "\n";
  out += "  the rules re-weighted by logistic regression (L2 " + FormatFixed2(r.l2) +
         ", chosen by cross-validation): AUC " +
         (std::isnan(r.indicators_auc) ? std::string("-") : FormatFixed2(r.indicators_auc)) +
         " out of fold\n\n";
  char line[400];
  std::snprintf(line, sizeof line, "  %-8s %-30s %14s %14s %8s %8s %8s  %s\n", "section", "rule",
                "matched: won", "missed: won", "log-odds", "points", "proposed", "note");
  out += line;
  auto rate = [](uint64_t won, uint64_t all) {
    if (all == 0) return std::string("0: -");
    return std::to_string(all) + ": " + std::to_string(100 * won / all) + "%";
  };
  for (const WeightSuggestion& w : r.rows) {
    std::string coef = w.coef ? FormatFixed2(*w.coef) : "-";
    std::snprintf(line, sizeof line, "  %-8s %-30s %14s %14s %8s %8s %8s  %s\n", w.section.c_str(),
                  w.name.substr(0, 30).c_str(), rate(w.matched_won, w.matched).c_str(),
                  rate(w.unmatched_won, w.unmatched).c_str(), coef.c_str(),
                  FormatFixed2(w.current).c_str(), FormatFixed2(w.proposed).c_str(),
                  w.note.c_str());
    std::string text = line;  // without the padding of an empty note
    while (text.size() > 1 && text[text.size() - 2] == ' ') text.erase(text.size() - 2, 1);
    out += text;
  }
  out += "\nwritten: " + r.out.string() + "\n";
  for (const std::string& f : r.files_written) out += "  with its list file " + f + "\n";
  if (r.diff.empty()) {
    out += "the suggestion changes nothing: the current points already agree with the outcomes\n";
  } else {
    out += "what it changes:\n";
    for (const std::string& d : r.diff) out += "  " + d + "\n";
    out += "check it with `leadq model backtest " + r.out.string() +
           "`, then `leadq model apply` it if the evidence holds\n";
  }
  return out;
}

std::string SuggestJson(const SuggestReport& r) {
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  nlohmann::json rows = nlohmann::json::array();
  for (const WeightSuggestion& w : r.rows) {
    rows.push_back({{"section", w.section},
                    {"name", w.name},
                    {"matched", w.matched},
                    {"matched_won", w.matched_won},
                    {"unmatched", w.unmatched},
                    {"unmatched_won", w.unmatched_won},
                    {"coef", w.coef ? nlohmann::json(*w.coef) : nlohmann::json(nullptr)},
                    {"current", w.current},
                    {"proposed", w.proposed},
                    {"note", w.note}});
  }
  nlohmann::json j = {{"active_version", r.active_version},
                      {"leads", r.leads},
                      {"won", r.won},
                      {"l2", r.l2},
                      {"indicators_auc", num(r.indicators_auc)},
                      {"current_auc", num(r.current_auc)},
                      {"rules", rows},
                      {"diff", r.diff},
                      {"out", r.out.string()},
                      {"files_written", r.files_written}};
  return j.dump(2) + "\n";
}

}  // namespace leadq::service
