// Calibration of the rule-based score: for leads whose outcome is known, the score and grade cell
// they had when they became mql against the outcome. Win rate and sales-cycle length by score
// decile and by grade cell, ROC AUC with a bootstrap interval and a plain verdict, the score
// mapped to a probability by a one-variable logistic regression (and its Brier score), the
// reliability table and ROC curve for pictures, and which rules carry signal. Pure: the caller
// (service/reports.cc) gathers the leads.
//
// The probability: p(score) = 1 / (1 + exp(-(a + b * score))), a and b fitted by maximum
// likelihood (Newton's method, a tiny ridge so separable data stays finite) on the same leads it
// is judged on, so its Brier score is in-sample and somewhat optimistic. The report prints the
// Brier score of always predicting the base rate beside it: a useful score beats that.
//
// Example:
//   CalibrationInput in;
//   in.leads.push_back({.lead_id = "L1", .score = 72, .cell = "A1", .won = true});
//   CalibrationReport r = ComputeCalibration(in);
//   std::cout << RenderCalibrationTable(r);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/metrics.h"

namespace leadq::analytics {

struct LabelledLead {
  std::string lead_id;
  double score = 0;                  // at mql
  std::string cell;                  // "A1" at mql; empty when unknown
  bool won = false;                  // false: lost
  std::optional<double> cycle_days;  // the sales cycle, start to outcome (evidence.h CycleDays)
  std::vector<std::string> rules;    // the rules it matched at mql ("fit: Core industry")
};

struct CalibrationInput {
  std::vector<LabelledLead> leads;
  // Every rule of the model, in the model's order, so that a rule no lead matched shows too.
  std::vector<std::string> rules;
  bool rules_known = false;  // false: rule matches were not available (no active model)
  int bootstrap_reps = 1000;
  uint64_t seed = 7;
};

// A score band (a decile) or a grade cell.
struct Band {
  std::string label;
  double low = 0, high = 0;  // scores in the band
  uint64_t leads = 0, wins = 0;
  std::optional<double> win_rate;
  std::optional<double> median_cycle_days;  // of the won leads
};

// p(score) = 1 / (1 + exp(-(intercept + slope * score))).
struct LogisticFit {
  double intercept = 0, slope = 0;
  bool fitted = false;  // false: fewer than two outcomes of each kind, nothing was fitted
};
double WinProbability(const LogisticFit& fit, double score);
// Fits p(score) by maximum likelihood; `fitted` false when either class has fewer than 2 rows.
LogisticFit FitLogistic(std::span<const double> score, std::span<const uint8_t> label);

struct RuleSignal {
  std::string rule;
  uint64_t matched = 0, matched_wins = 0;
  uint64_t other = 0, other_wins = 0;
  std::optional<double> matched_rate, other_rate;
  std::optional<double> difference;  // matched_rate - other_rate
  bool thin = false;                 // fewer than kThinRule leads on either side
};
inline constexpr uint64_t kThinRule = 10;

struct CalibrationReport {
  uint64_t leads = 0, wins = 0, losses = 0;
  std::optional<double> base_rate;
  std::vector<Band> deciles;  // up to 10 bands of (nearly) equal size, lowest scores first
  std::vector<Band> cells;    // by grade cell, A1 first
  std::optional<double> auc;
  Interval auc_interval{};  // meaningful when auc is set
  std::string verdict;
  LogisticFit fit;
  std::optional<double> brier, brier_base_rate, log_loss;
  std::vector<ReliabilityBin> reliability;  // of the fitted probability
  std::vector<RocPoint> roc;
  bool rules_known = false;
  std::vector<RuleSignal> rules;   // largest |difference| first, thin ones last
  std::vector<std::string> notes;  // caveats the caller adds, printed with the report
};

CalibrationReport ComputeCalibration(const CalibrationInput& input);

// For people: "-" where a number is undefined; kNoOutcomesMessage when no lead has a known
// outcome.
std::string RenderCalibrationTable(const CalibrationReport& report);
// Long form: section,item,metric,value.
std::string RenderCalibrationCsv(const CalibrationReport& report);
std::string RenderCalibrationJson(const CalibrationReport& report);

// What the reports say when no lead has a known outcome.
inline constexpr const char* kNoOutcomesMessage =
    "no lead has a known outcome yet: import outcomes (leadq import outcomes FILE) or move "
    "leads to won/lost (leadq stage LEAD --to won)";

}  // namespace leadq::analytics
