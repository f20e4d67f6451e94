// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
// squares), and the choice of the regularisation by cross-validation.
//
// The objective is the sum over rows of weight * log-loss plus l2/2 * |coef|^2: `l2` is a prior
// precision on the coefficients, so a value chosen on a subsample of rows means the same on all
// of them. The intercept is not penalised. Each Newton step solves (X'WX + l2 I) with a Cholesky
// (LDLT) factorisation; X'WX is accumulated over row blocks on WorkerCount() threads, so a fit
// costs about rows * features^2 / 2 multiply-adds per iteration.
//
// Example:
//   Eigen::MatrixXd x = ...;               // rows x features, standardised
//   std::vector<double> y = ...;           // 0 or 1
//   LogisticFit fit = FitLogistic(x, y, {.l2 = 1.0});
//   double p = LogisticProbability(fit, x.row(0));
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

namespace leadq::analytics {

struct LogisticOptions {
  double l2 = 1.0;  // penalty on the coefficients (not the intercept); >= 0
  int max_iterations = 50;
  // Converged when half the Newton decrement (the expected decrease of the objective) falls
  // below tolerance * (1 + |objective|).
  double tolerance = 1e-8;
};

struct LogisticFit {
  std::vector<double> coef;  // one per column of x
  double intercept = 0;
  int iterations = 0;
  bool converged = false;
};

// Fits y ~ x. x: rows x features (already scaled as the caller wants); y: 0/1 (values in
// between are allowed and act as soft labels); weights: one per row, or empty for all ones.
// Deterministic for given inputs. Never fails: with perfectly separable data the penalty keeps
// the coefficients finite (with l2 = 0 it stops at max_iterations, converged = false).
// Thread-safe (uses WorkerCount() threads itself).
LogisticFit FitLogistic(const Eigen::MatrixXd& x, std::span<const double> y,
                        const LogisticOptions& options, std::span<const double> weights = {});

// The same, starting from `start` (a fit of the same shape, for instance at a neighbouring l2:
// a warm start along a regularisation path needs fewer iterations).
LogisticFit FitLogisticFrom(const Eigen::MatrixXd& x, std::span<const double> y,
                            const LogisticOptions& options, std::span<const double> weights,
                            const LogisticFit& start);

// 1 / (1 + exp(-(intercept + coef . row))).
double LogisticProbability(const LogisticFit& fit, const Eigen::Ref<const Eigen::RowVectorXd>& row);

// The probability for every row of x.
std::vector<double> LogisticProbabilities(const LogisticFit& fit, const Eigen::MatrixXd& x);

// The outcome of choosing l2 by K-fold cross-validation.
struct LogisticCrossValidation {
  std::vector<double> grid;           // the l2 values tried, largest first
  std::vector<double> mean_log_loss;  // held-out log loss per value tried
  double best_l2 = 0;                 // the value with the lowest held-out log loss
  std::vector<double> out_of_fold;    // each row's held-out probability at best_l2
};

// Walks `grid` from the largest penalty down with the folds given by `fold` (one fold number in
// [0, folds) per row), each fold warm-started from its fit at the previous value, and picks the
// value with the lowest held-out log loss (metrics.h LogLoss over all rows). Stops once the
// loss has risen twice in a row past its minimum, so `grid` in the result may be shorter than
// the one given. Folds run in parallel on WorkerCount() threads. Deterministic. Requires at
// least 2 folds, each with rows.
LogisticCrossValidation CrossValidateLogistic(const Eigen::MatrixXd& x, std::span<const double> y,
                                              std::span<const int> fold, int folds,
                                              std::vector<double> grid,
                                              const LogisticOptions& options = {});

// The default grid: 10^3 ... 10^-1 in steps of half a decade (9 values), largest first. The
// features are expected standardised, so the same grid suits any data set.
std::vector<double> DefaultL2Grid();

}  // namespace leadq::analytics
