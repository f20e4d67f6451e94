// Gradient-boosted trees for a binary outcome through XGBoost's C API, with early stopping on a
// validation set; the fitted trees are copied out into plain Tree values (learned_model.h) so
// that prediction needs no XGBoost and is safe on any thread.
//
// XGBoost's errors (they are never the user's input: the matrices are built here) become an
// internal Status with XGBoost's own message.
//
// Example:
//   GbdtOptions options{.seed = 7};
//   LEADQ_TRY(GbdtFit fit, FitGbdt(train_x, train_y, &valid_x, &valid_y, options));
//   double margin = TreesMargin(fit.trees, fit.base_margin, row);
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

#include "analytics/learned_model.h"
#include "core/status.h"

namespace leadq::analytics {

struct GbdtOptions {
  int max_rounds = 1000;
  int early_stopping_rounds = 30;  // stop when the validation log loss has not improved
  double learning_rate = 0.1;
  int max_depth = 4;
  double subsample = 0.8;
  double colsample = 0.8;
  double min_child_weight = 1;
  double l2 = 1;  // XGBoost's lambda
  uint64_t seed = 1;
  int threads = 0;  // 0: WorkerCount()
};

struct GbdtFit {
  double base_margin = 0;
  std::vector<Tree> trees;
  int best_rounds = 0;       // rounds kept (the best validation round, or all without one)
  std::vector<double> gain;  // total gain per feature
};

// Fits trees to (x, y). With a validation set, boosts until its log loss has not improved for
// early_stopping_rounds rounds (or max_rounds) and keeps the best round; without one, boosts
// exactly max_rounds. Deterministic for a seed. Thread-safe (XGBoost uses `threads` threads).
Result<GbdtFit> FitGbdt(const Eigen::MatrixXd& x, std::span<const double> y,
                        const Eigen::MatrixXd* valid_x, std::span<const double> valid_y,
                        const GbdtOptions& options);

// Fits like FitGbdt without a validation set (into *fit_out when not null) and returns
// XGBoost's own margins for the rows of x: tests use it to check that the copied trees predict
// what XGBoost predicts.
Result<std::vector<double>> XgboostMargins(const Eigen::MatrixXd& train_x,
                                           std::span<const double> train_y,
                                           const GbdtOptions& options, const Eigen::MatrixXd& x,
                                           GbdtFit* fit_out);

}  // namespace leadq::analytics
