// Measures of a binary prediction against outcomes: ROC AUC (with a bootstrap confidence
// interval), log loss, Brier score, the ROC curve, a reliability (calibration) table and
// quantiles. Pure functions over spans; `label` is 1 for a positive outcome (won, converted) and
// 0 otherwise; `score` is any number where higher means "more likely positive" (a probability for
// LogLoss, Brier and Reliability).
//
// Example:
//   double auc = RocAuc(scores, labels);                       // NaN when one class is absent
//   Interval ci = BootstrapAuc(scores, labels, 1000, /*seed=*/7);
//   std::string verdict = AucVerdict(auc, ci);                  // "ranks wins better than chance"
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace leadq::analytics {

// Area under the ROC curve: the probability that a random positive scores above a random
// negative, ties counted as one half. NaN when there is no positive or no negative.
double RocAuc(std::span<const double> score, std::span<const uint8_t> label);

struct Interval {
  double low = 0, high = 0;
};

// Percentile bootstrap interval of the AUC (resampling rows with replacement, `reps` times,
// deterministic for a seed). `level` is the coverage (0.95). NaN bounds when AUC is undefined.
Interval BootstrapAuc(std::span<const double> score, std::span<const uint8_t> label, int reps,
                      uint64_t seed, double level = 0.95);

// Mean negative log-likelihood; probabilities are clipped to [1e-15, 1 - 1e-15].
double LogLoss(std::span<const double> probability, std::span<const uint8_t> label);

// Mean squared difference between probability and outcome.
double Brier(std::span<const double> probability, std::span<const uint8_t> label);

// One point of the ROC curve: at threshold t, the rates of rows scoring >= t.
struct RocPoint {
  double threshold = 0;
  double false_positive_rate = 0;
  double true_positive_rate = 0;
};
// The curve from (0,0) to (1,1), one point per distinct score (highest first), thinned to at
// most `max_points` points (the first and last kept).
std::vector<RocPoint> RocCurve(std::span<const double> score, std::span<const uint8_t> label,
                               size_t max_points = 200);

// One bin of a reliability table: rows whose probability falls in [low, high).
struct ReliabilityBin {
  double low = 0, high = 0;
  uint64_t count = 0;
  double mean_predicted = 0;  // 0 when empty
  double observed_rate = 0;   // 0 when empty
};
// `bins` equal-width bins over [0, 1].
std::vector<ReliabilityBin> Reliability(std::span<const double> probability,
                                        std::span<const uint8_t> label, int bins = 10);

// The q-quantile (0 <= q <= 1) with linear interpolation between order statistics; NaN for
// an empty input. Takes a copy to sort.
double Quantile(std::vector<double> values, double q);

// A plain sentence about an AUC and its interval, for a person: "the score ranks wins better
// than chance: AUC 0.71 [0.68, 0.74]", "... no better than chance ...", "... worse than chance
// ...", or that there are too few outcomes to say.
std::string AucVerdict(double auc, Interval ci, const std::string& what = "the score",
                       const std::string& positives = "wins");

}  // namespace leadq::analytics
