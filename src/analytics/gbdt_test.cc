#include "analytics/gbdt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "analytics/metrics.h"

namespace leadq::analytics {
namespace {

// y depends on x0 through a step and on x1 through an interaction with an indicator x2.
struct Data {
  Eigen::MatrixXd x;
  std::vector<double> y;
  std::vector<uint8_t> label;
};
Data Make(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  Data d;
  d.x.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    d.x(i, 0) = normal(rng);
    d.x(i, 1) = normal(rng);
    d.x(i, 2) = uniform(rng) < 0.5 ? 1 : 0;
    double z = (d.x(i, 0) > 0.3 ? 1.5 : -1.0) + d.x(i, 1) * d.x(i, 2);
    double y = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    d.y.push_back(y);
    d.label.push_back(static_cast<uint8_t>(y));
  }
  return d;
}

TEST(Gbdt, CopiedTreesPredictWhatXgboostPredicts) {
  Data d = Make(1000, 1);
  GbdtOptions o;
  o.max_rounds = 20;
  o.threads = 1;
  GbdtFit fit;
  Result<std::vector<double>> margins = XgboostMargins(d.x, d.y, o, d.x, &fit);
  ASSERT_TRUE(margins.ok()) << margins.status().message();
  ASSERT_EQ(fit.trees.size(), 20u);
  for (Eigen::Index i = 0; i < d.x.rows(); ++i) {
    Eigen::RowVectorXd row = d.x.row(i);
    double mine = TreesMargin(fit.trees, fit.base_margin, std::span(row.data(), 3));
    ASSERT_NEAR(mine, (*margins)[static_cast<size_t>(i)], 1e-5) << "row " << i;
  }
}

TEST(Gbdt, EarlyStoppingKeepsTheBestRoundsAndGeneralises) {
  Data train = Make(3000, 2), valid = Make(1000, 3), test = Make(2000, 4);
  GbdtOptions o;
  o.threads = 2;
  Result<GbdtFit> fit = FitGbdt(train.x, train.y, &valid.x, valid.y, o);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_LT(fit->best_rounds, o.max_rounds);
  EXPECT_EQ(static_cast<int>(fit->trees.size()), fit->best_rounds);
  std::vector<double> score;
  for (Eigen::Index i = 0; i < test.x.rows(); ++i) {
    Eigen::RowVectorXd row = test.x.row(i);
    score.push_back(TreesMargin(fit->trees, fit->base_margin, std::span(row.data(), 3)));
  }
  EXPECT_GT(RocAuc(score, test.label), 0.75);
  // The step on x0 carries most of the gain.
  EXPECT_GT(fit->gain[0], fit->gain[2]);
}

}  // namespace
}  // namespace leadq::analytics
