// Evidence from history: what happened to each lead (created, became an MQL with which scores,
// won or lost), a model's view of leads at past moments, and, built on both, the two ways to
// change a model with evidence: suggest-weights and model backtest.
//
// Outcome of a lead (LeadHistory::outcome), in this order:
//   1. its own lifecycle: the last move into `won` or `lost` (closed_at = that move's time);
//   2. else its deals (outcomes with its lead_id): won if any is won (the earliest close), lost
//      if every one is lost;
//   3. else the deals of its account that name no lead, created at or after the lead was
//      (account-based selling): the same rule.
// Open deals and leads without either are kUnknown. The sales cycle runs from the deal's
// creation (2, 3) or from the lead's first move into `opportunity`, else `mql`, else its
// creation (1), to closed_at.
//
// Example:
//   LEADQ_TRY(std::vector<LeadHistory> all, LoadLeadHistories(*tx));
//   std::vector<std::pair<std::string, TimePoint>> at{{"L1", *all[0].mql_at}};
//   LEADQ_TRY(std::vector<LeadSnapshot> then, ScoreAtTimes(*tx, model, at));
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "model/model.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

enum class Outcome { kUnknown, kWon, kLost };
std::string_view OutcomeName(Outcome o);  // "unknown", "won", "lost"

struct LeadHistory {
  std::string lead_id, account_id;
  TimePoint created_at = 0;  // its created_at field when that holds a time, else first transition
  std::optional<TimePoint> mql_at;               // first entry into mql
  std::optional<store::ScoreRecord> mql_scores;  // scores recorded on that transition
  std::string stage;                             // current stage
  Outcome outcome = Outcome::kUnknown;
  std::optional<TimePoint> closed_at;          // when the outcome was known
  std::optional<TimePoint> cycle_start;        // see the header comment
  std::string outcome_source;                  // "stage won", "deal D-17", "account deal D-3"
  std::vector<store::Transition> transitions;  // oldest first

  // Days from cycle_start to closed_at, when both are known and in order.
  std::optional<double> CycleDays() const;
};

// Every lead of the workspace, by lead_id.
Result<std::vector<LeadHistory>> LoadLeadHistories(store::Transaction& tx);

// A lead as `model` saw it at `as_of`: the scores and which rules, entries and negative
// signals counted. Profile fields are today's (the store keeps no history of fields); events
// count only up to as_of.
struct LeadSnapshot {
  std::string lead_id;
  TimePoint as_of = 0;
  double fit = 0, intent = 0, negative = 0, score = 0;
  std::string fit_grade, intent_grade, action;
  std::vector<std::string> fit_rules, intent_entries, negatives;       // names
  std::vector<uint16_t> fit_rule_ids, intent_entry_ids, negative_ids;  // indices in the model
  std::vector<double> intent_entry_points;  // counted points of each of intent_entry_ids
};

// Re-scores the given leads, each at its own time, with `model` over the workspace's data, in
// the order given. An id the workspace does not hold: NotFound.
Result<std::vector<LeadSnapshot>> ScoreAtTimes(
    store::Transaction& tx, const model::Model& model,
    std::span<const std::pair<std::string, TimePoint>> leads);

// --- model backtest ---------------------------------------------------------------------------

// The leads one version sends to MQL and how they ended.
struct MqlCohort {
  uint64_t leads = 0;  // sent to MQL
  uint64_t known = 0;  // of which the outcome is known
  uint64_t won = 0;
  std::vector<double> cycle_days;  // of the won and lost ones with a known cycle

  double WinRate() const;                     // NaN when no outcome is known
  std::optional<double> MedianCycle() const;  // days
};

struct BacktestRequest {
  std::filesystem::path model;  // the proposed model file
  // Or the proposed model as text (posted over HTTP): read as ParseModelContent reads it, and
  // named "model.toml" in the report and in errors.
  std::optional<std::string> content = std::nullopt;
  std::optional<TimePoint> from = std::nullopt;  // leads created at or after
  std::optional<TimePoint> to = std::nullopt;    // leads created before
};

struct BacktestReport {
  std::string proposed;           // the file
  int64_t active_version = 0;     // 0: no model applied yet, nothing to compare with
  std::vector<std::string> diff;  // the change in words (DiffModels), when there is an active one
  uint64_t leads = 0;             // leads in the window
  uint64_t evaluations = 0;       // (lead, moment) pairs re-scored per version
  uint64_t changed_at_creation = 0, changed_at_mql = 0, changed_leads = 0;
  std::map<std::string, uint64_t> moves;  // "nurture -> mql": count of changed evaluations
  MqlCohort history;                      // the leads that really became MQLs (the log)
  MqlCohort current;                      // the active version, re-scored the same way
  MqlCohort proposed_mqls;                // the proposed version
  MqlCohort only_current, only_proposed;  // sent by one version and not the other
};

// Re-scores every lead of the window as of its creation and (when it has one) its MQL time, with
// the active and the proposed model, and compares the actions and the MQLs each sends. A version
// "sends a lead to MQL" when its action is `mql` at either moment. Fails on a bad model file
// (every error, with positions).
Result<BacktestReport> Backtest(Workspace& ws, const BacktestRequest& request);
std::string BacktestText(const BacktestReport& report);
std::string BacktestJson(const BacktestReport& report);

// --- suggest-weights ----------------------------------------------------------------------------

struct SuggestRequest {
  std::filesystem::path out = "suggested-model.toml";  // the proposed model is written here
  uint64_t min_leads = 10;  // a rule needs this many leads (with an outcome) matched and not
  int folds = 5;
  uint64_t seed = 7;
};

// One fit rule, intent entry or negative signal of the active model.
struct WeightSuggestion {
  std::string section;  // "fit", "intent" or "negative"
  std::string name;
  uint64_t matched = 0, matched_won = 0;      // leads with an outcome that it matched, won
  uint64_t unmatched = 0, unmatched_won = 0;  // and that it did not
  std::optional<double> coef;  // log-odds of winning when it matches; none when not estimable
  double current = 0, proposed = 0;
  std::string note;  // why the proposal is what it is, when that is not just the fit
};

struct SuggestReport {
  int64_t active_version = 0;
  uint64_t leads = 0, won = 0;  // leads with a known outcome, and how many won
  double l2 = 0;                // the penalty cross-validation chose
  double indicators_auc = 0;    // cross-validated AUC of the rule indicators (NaN: unknown)
  double current_auc = 0;       // AUC of the current score at the same moments
  std::vector<WeightSuggestion> rows;
  std::vector<std::string> diff;           // the proposed model against the active one, in words
  std::filesystem::path out;               // the model file written
  std::string model_text;                  // what was written to it
  std::vector<std::string> files_written;  // list files written beside it
};

// Fits L2-regularised logistic regression of the outcome on the indicators of the active model's
// fit rules, intent entries (took at least one event) and negative signals, each lead seen as of
// its MQL time (else when its deal opened, else its first move, else its creation), and proposes
// points proportional to the coefficients, scaled so that each section keeps the total points it
// has (grade thresholds keep their meaning). Intent points stay >= 0 and negative points <= 0: an
// entry whose coefficient has the wrong sign is proposed at 0. Rules matched (or missed) by fewer
// than min_leads leads keep their points. Writes the active model's text with only those points
// changed to `out`, and checks it loads. Needs an active model and at least 20 leads with an
// outcome, some won and some lost.
Result<SuggestReport> SuggestWeights(Workspace& ws, const SuggestRequest& request);
std::string SuggestText(const SuggestReport& report);
std::string SuggestJson(const SuggestReport& report);

// `text` with the number written at each position replaced by its new value (whole numbers
// without a decimal point). Positions are toml++'s: 1-based line and column in code points.
std::string RewriteNumbers(std::string_view text,
                           std::vector<std::pair<model::SourcePos, double>> edits);

}  // namespace leadq::service
