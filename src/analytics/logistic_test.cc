#include "analytics/logistic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace leadq::analytics {
namespace {

// Rows drawn from a known logistic model: y ~ Bernoulli(sigmoid(b0 + x . beta)).
struct Simulated {
  Eigen::MatrixXd x;
  std::vector<double> y;
};
Simulated Simulate(int n, const std::vector<double>& beta, double b0, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  Simulated s;
  s.x.resize(n, static_cast<Eigen::Index>(beta.size()));
  s.y.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    double z = b0;
    for (size_t j = 0; j < beta.size(); ++j) {
      s.x(i, static_cast<Eigen::Index>(j)) = normal(rng);
      z += beta[j] * s.x(i, static_cast<Eigen::Index>(j));
    }
    s.y[static_cast<size_t>(i)] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  return s;
}

TEST(FitLogistic, RecoversTheCoefficientsOfTheModelThatMadeTheData) {
  Simulated s = Simulate(20000, {1.0, -0.5, 0.0}, -0.7, 1);
  LogisticFit fit = FitLogistic(s.x, s.y, {.l2 = 1e-6});
  EXPECT_TRUE(fit.converged);
  EXPECT_LT(fit.iterations, 12);
  EXPECT_NEAR(fit.coef[0], 1.0, 0.06);
  EXPECT_NEAR(fit.coef[1], -0.5, 0.06);
  EXPECT_NEAR(fit.coef[2], 0.0, 0.06);
  EXPECT_NEAR(fit.intercept, -0.7, 0.06);
}

TEST(FitLogistic, GradientIsZeroAtTheOptimum) {
  // At the optimum: X'(y - p) = l2 * beta and sum(y - p) = 0 (the intercept is free).
  Simulated s = Simulate(500, {0.8, 0.3}, 0.2, 2);
  const double l2 = 5.0;
  LogisticFit fit = FitLogistic(s.x, s.y, {.l2 = l2});
  ASSERT_TRUE(fit.converged);
  std::vector<double> p = LogisticProbabilities(fit, s.x);
  double g0 = 0, g1 = 0, g2 = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double r = s.y[i] - p[i];
    g0 += r;
    g1 += r * s.x(static_cast<Eigen::Index>(i), 0);
    g2 += r * s.x(static_cast<Eigen::Index>(i), 1);
  }
  EXPECT_NEAR(g0, 0, 1e-6);
  EXPECT_NEAR(g1, l2 * fit.coef[0], 1e-6);
  EXPECT_NEAR(g2, l2 * fit.coef[1], 1e-6);
}

TEST(FitLogistic, MostlyZeroIndicatorsTakeTheSparsePathToTheSameOptimum) {
  // One-hot columns (10 levels): 90% zeros, so the Hessian is summed over the non-zeros only.
  std::mt19937_64 rng(6);
  const int n = 3000;
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, 10);
  std::vector<double> y(n);
  std::uniform_real_distribution<double> uniform;
  for (int i = 0; i < n; ++i) {
    int level = static_cast<int>(rng() % 10);
    x(i, level) = 1;
    y[static_cast<size_t>(i)] = uniform(rng) < 0.1 + 0.08 * level ? 1 : 0;
  }
  const double l2 = 2.0;
  LogisticFit fit = FitLogistic(x, y, {.l2 = l2});
  ASSERT_TRUE(fit.converged);
  std::vector<double> p = LogisticProbabilities(fit, x);
  Eigen::VectorXd g = Eigen::VectorXd::Zero(10);
  double g0 = 0;
  for (int i = 0; i < n; ++i) {
    double r = y[static_cast<size_t>(i)] - p[static_cast<size_t>(i)];
    g0 += r;
    g += r * x.row(i).transpose();
  }
  EXPECT_NEAR(g0, 0, 1e-6);
  for (int j = 0; j < 10; ++j) EXPECT_NEAR(g[j], l2 * fit.coef[static_cast<size_t>(j)], 1e-6);
  EXPECT_LT(fit.coef[0], fit.coef[9]);
}

TEST(FitLogistic, PenaltyKeepsSeparableDataFinite) {
  Eigen::MatrixXd x(4, 1);
  x << -2, -1, 1, 2;
  std::vector<double> y{0, 0, 1, 1};
  LogisticFit fit = FitLogistic(x, y, {.l2 = 0.1});
  EXPECT_TRUE(fit.converged);
  EXPECT_TRUE(std::isfinite(fit.coef[0]));
  EXPECT_GT(fit.coef[0], 1.0);
}

TEST(FitLogistic, ZeroWeightRowsDoNotCount) {
  Simulated s = Simulate(400, {1.0}, 0.0, 3);
  std::vector<double> w(400, 1.0);
  // Rows 200.. get weight 0 and their labels flipped: the fit must not notice.
  Simulated flipped = s;
  for (size_t i = 200; i < 400; ++i) {
    w[i] = 0;
    flipped.y[i] = 1 - flipped.y[i];
  }
  LogisticFit a = FitLogistic(s.x.topRows(200), std::span(s.y).first(200), {.l2 = 1});
  LogisticFit b = FitLogistic(flipped.x, flipped.y, {.l2 = 1}, w);
  EXPECT_NEAR(a.coef[0], b.coef[0], 1e-6);
  EXPECT_NEAR(a.intercept, b.intercept, 1e-6);
}

TEST(FitLogistic, WarmStartReachesTheSameOptimum) {
  Simulated s = Simulate(2000, {0.5, -1.0}, 0.3, 4);
  LogisticFit near = FitLogistic(s.x, s.y, {.l2 = 10});
  LogisticFit cold = FitLogistic(s.x, s.y, {.l2 = 1});
  LogisticFit warm = FitLogisticFrom(s.x, s.y, {.l2 = 1}, {}, near);
  EXPECT_NEAR(cold.coef[0], warm.coef[0], 1e-6);
  EXPECT_NEAR(cold.coef[1], warm.coef[1], 1e-6);
  EXPECT_LE(warm.iterations, cold.iterations);
}

TEST(CrossValidateLogistic, PrefersLittlePenaltyWithMuchSignalAndReturnsHeldOutProbabilities) {
  Simulated s = Simulate(3000, {1.5, -1.0, 0.5}, 0.0, 5);
  std::vector<int> fold(3000);
  for (size_t i = 0; i < fold.size(); ++i) fold[i] = static_cast<int>(i % 5);
  LogisticCrossValidation cv = CrossValidateLogistic(s.x, s.y, fold, 5, DefaultL2Grid());
  ASSERT_GE(cv.grid.size(), 3u);
  ASSERT_EQ(cv.mean_log_loss.size(), cv.grid.size());
  EXPECT_GT(cv.grid.front(), cv.grid.back());
  EXPECT_LE(cv.best_l2, 100);
  ASSERT_EQ(cv.out_of_fold.size(), 3000u);
  for (double p : cv.out_of_fold) {
    EXPECT_GT(p, 0);
    EXPECT_LT(p, 1);
  }
  // The heaviest penalty shrinks everything to the base rate: worse held-out log loss.
  EXPECT_GT(cv.mean_log_loss.front(), cv.mean_log_loss.back());
}

}  // namespace
}  // namespace leadq::analytics
