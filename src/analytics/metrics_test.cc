#include "analytics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace leadq::analytics {
namespace {

TEST(RocAuc, PerfectReversedAndTied) {
  std::vector<double> s{0.1, 0.2, 0.8, 0.9};
  std::vector<uint8_t> y{0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(RocAuc(s, y), 1.0);
  std::vector<uint8_t> reversed{1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(RocAuc(s, reversed), 0.0);
  std::vector<double> tied{0.5, 0.5, 0.5, 0.5};
  EXPECT_DOUBLE_EQ(RocAuc(tied, y), 0.5);
}

TEST(RocAuc, CountsPairsWithTiesAsHalf) {
  // positives: 0.4, 0.7; negatives: 0.4, 0.2, 0.9
  // pairs (p > n): 0.4>0.2, 0.7>0.4, 0.7>0.2 = 3; tie 0.4=0.4 = 0.5; total 3.5 / 6
  std::vector<double> s{0.4, 0.7, 0.4, 0.2, 0.9};
  std::vector<uint8_t> y{1, 1, 0, 0, 0};
  EXPECT_NEAR(RocAuc(s, y), 3.5 / 6.0, 1e-12);
}

TEST(RocAuc, UndefinedWithOneClass) {
  std::vector<double> s{0.1, 0.2};
  std::vector<uint8_t> y{1, 1};
  EXPECT_TRUE(std::isnan(RocAuc(s, y)));
  Interval ci = BootstrapAuc(s, y, 100, 1);
  EXPECT_TRUE(std::isnan(ci.low));
}

TEST(BootstrapAuc, BracketsTheEstimateAndIsDeterministic) {
  std::vector<double> s;
  std::vector<uint8_t> y;
  for (int i = 0; i < 400; ++i) {
    s.push_back((i * 37 % 101) / 101.0);
    y.push_back(static_cast<uint8_t>((i * 37 % 101) + (i % 7) * 9 > 60 ? 1 : 0));
  }
  const double auc = RocAuc(s, y);
  Interval a = BootstrapAuc(s, y, 300, 9);
  Interval b = BootstrapAuc(s, y, 300, 9);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_LT(a.low, auc);
  EXPECT_GT(a.high, auc);
  EXPECT_GT(a.low, 0.5);
}

TEST(LogLossAndBrier, KnownValues) {
  std::vector<double> p{0.8, 0.3};
  std::vector<uint8_t> y{1, 0};
  EXPECT_NEAR(LogLoss(p, y), -(std::log(0.8) + std::log(0.7)) / 2, 1e-12);
  EXPECT_NEAR(Brier(p, y), (0.04 + 0.09) / 2, 1e-12);
}

TEST(RocCurve, StartsAtZeroEndsAtOne) {
  std::vector<double> s{0.1, 0.4, 0.35, 0.8};
  std::vector<uint8_t> y{0, 0, 1, 1};
  std::vector<RocPoint> c = RocCurve(s, y);
  ASSERT_EQ(c.size(), 5U);
  EXPECT_EQ(c.front().true_positive_rate, 0);
  EXPECT_EQ(c.back().true_positive_rate, 1);
  EXPECT_EQ(c.back().false_positive_rate, 1);
  EXPECT_DOUBLE_EQ(c[1].true_positive_rate, 0.5);   // 0.8 is a positive
  EXPECT_DOUBLE_EQ(c[2].false_positive_rate, 0.5);  // 0.4 is a negative
}

TEST(Reliability, BinsByProbability) {
  std::vector<double> p{0.05, 0.15, 0.95, 1.0};
  std::vector<uint8_t> y{0, 1, 1, 1};
  std::vector<ReliabilityBin> bins = Reliability(p, y, 10);
  ASSERT_EQ(bins.size(), 10U);
  EXPECT_EQ(bins[0].count, 1U);
  EXPECT_EQ(bins[1].count, 1U);
  EXPECT_EQ(bins[9].count, 2U);
  EXPECT_DOUBLE_EQ(bins[9].observed_rate, 1.0);
  EXPECT_DOUBLE_EQ(bins[9].mean_predicted, 0.975);
}

TEST(Quantile, Interpolates) {
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({5}, 0.9), 5);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  EXPECT_DOUBLE_EQ(Quantile({10, 0}, 0.9), 9);
}

TEST(AucVerdict, SaysWhatTheIntervalSays) {
  EXPECT_EQ(AucVerdict(0.71, {0.68, 0.74}),
            "the score ranks wins better than chance: AUC 0.71 [0.68, 0.74]");
  EXPECT_EQ(AucVerdict(0.52, {0.45, 0.6}),
            "the score ranks wins no better than chance: AUC 0.52 [0.45, 0.60]");
  EXPECT_EQ(AucVerdict(0.3, {0.2, 0.4}),
            "the score ranks wins worse than chance: AUC 0.30 [0.20, 0.40]");
}

}  // namespace
}  // namespace leadq::analytics
