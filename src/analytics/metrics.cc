#include "analytics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/text.h"

namespace leadq::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// AUC from the order of rows by score: the Mann-Whitney statistic with tied ranks averaged.
// `order` holds row indices sorted by score ascending.
double AucOfOrder(std::span<const double> score, std::span<const uint8_t> label,
                  std::span<const uint32_t> order) {
  double positives = 0, negatives = 0, rank_sum = 0;
  size_t i = 0;
  const size_t n = order.size();
  while (i < n) {
    size_t j = i;
    double tie_positives = 0;
    while (j < n && score[order[j]] == score[order[i]]) {
      tie_positives += label[order[j]] != 0 ? 1 : 0;
      ++j;
    }
    // ranks i+1 .. j, averaged
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    rank_sum += tie_positives * mean_rank;
    positives += tie_positives;
    negatives += static_cast<double>(j - i) - tie_positives;
    i = j;
  }
  if (positives == 0 || negatives == 0) return kNaN;
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

std::vector<uint32_t> OrderByScore(std::span<const double> score) {
  std::vector<uint32_t> order(score.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return score[a] < score[b]; });
  return order;
}

}  // namespace

double RocAuc(std::span<const double> score, std::span<const uint8_t> label) {
  std::vector<uint32_t> order = OrderByScore(score);
  return AucOfOrder(score, label, order);
}

Interval BootstrapAuc(std::span<const double> score, std::span<const uint8_t> label, int reps,
                      uint64_t seed, double level) {
  const size_t n = score.size();
  if (n == 0 || reps <= 0 || std::isnan(RocAuc(score, label))) return {kNaN, kNaN};
  // Sort once; a resample is a multiset of rows, so walking the sorted order with each row's
  // multiplicity gives the resample's sorted order without sorting again.
  std::vector<uint32_t> order = OrderByScore(score);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  std::vector<uint32_t> times(n);
  std::vector<double> aucs;
  aucs.reserve(static_cast<size_t>(reps));
  for (int r = 0; r < reps; ++r) {
    std::fill(times.begin(), times.end(), 0U);
    for (size_t k = 0; k < n; ++k) ++times[pick(rng)];
    double positives = 0, negatives = 0, rank_sum = 0, rank = 0;
    size_t i = 0;
    while (i < n) {
      size_t j = i;
      double tie_rows = 0, tie_positives = 0;
      while (j < n && score[order[j]] == score[order[i]]) {
        const double t = times[order[j]];
        tie_rows += t;
        if (label[order[j]] != 0) tie_positives += t;
        ++j;
      }
      const double mean_rank = rank + (tie_rows + 1) / 2.0;
      rank_sum += tie_positives * mean_rank;
      positives += tie_positives;
      negatives += tie_rows - tie_positives;
      rank += tie_rows;
      i = j;
    }
    if (positives == 0 || negatives == 0) continue;
    aucs.push_back((rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives));
  }
  if (aucs.empty()) return {kNaN, kNaN};
  const double tail = (1.0 - level) / 2.0;
  return {Quantile(aucs, tail), Quantile(aucs, 1.0 - tail)};
}

double LogLoss(std::span<const double> probability, std::span<const uint8_t> label) {
  if (probability.empty()) return kNaN;
  double sum = 0;
  for (size_t i = 0; i < probability.size(); ++i) {
    const double p = std::clamp(probability[i], 1e-15, 1.0 - 1e-15);
    sum -= label[i] != 0 ? std::log(p) : std::log(1.0 - p);
  }
  return sum / static_cast<double>(probability.size());
}

double Brier(std::span<const double> probability, std::span<const uint8_t> label) {
  if (probability.empty()) return kNaN;
  double sum = 0;
  for (size_t i = 0; i < probability.size(); ++i) {
    const double d = probability[i] - (label[i] != 0 ? 1.0 : 0.0);
    sum += d * d;
  }
  return sum / static_cast<double>(probability.size());
}

std::vector<RocPoint> RocCurve(std::span<const double> score, std::span<const uint8_t> label,
                               size_t max_points) {
  std::vector<uint32_t> order = OrderByScore(score);
  std::reverse(order.begin(), order.end());  // highest first
  double positives = 0, negatives = 0;
  for (uint8_t l : label) (l != 0 ? positives : negatives) += 1;
  std::vector<RocPoint> all;
  all.push_back({std::numeric_limits<double>::infinity(), 0, 0});
  if (positives == 0 || negatives == 0) return all;
  double tp = 0, fp = 0;
  size_t i = 0;
  while (i < order.size()) {
    const double t = score[order[i]];
    while (i < order.size() && score[order[i]] == t) {
      (label[order[i]] != 0 ? tp : fp) += 1;
      ++i;
    }
    all.push_back({t, fp / negatives, tp / positives});
  }
  if (max_points < 2 || all.size() <= max_points) return all;
  std::vector<RocPoint> thinned;
  const double step = static_cast<double>(all.size() - 1) / static_cast<double>(max_points - 1);
  for (size_t k = 0; k < max_points; ++k) {
    thinned.push_back(all[static_cast<size_t>(std::lround(static_cast<double>(k) * step))]);
  }
  thinned.back() = all.back();
  return thinned;
}

std::vector<ReliabilityBin> Reliability(std::span<const double> probability,
                                        std::span<const uint8_t> label, int bins) {
  bins = std::max(bins, 1);
  std::vector<ReliabilityBin> out(static_cast<size_t>(bins));
  std::vector<double> sum_p(out.size(), 0), sum_y(out.size(), 0);
  for (size_t b = 0; b < out.size(); ++b) {
    out[b].low = static_cast<double>(b) / bins;
    out[b].high = static_cast<double>(b + 1) / bins;
  }
  for (size_t i = 0; i < probability.size(); ++i) {
    const double p = std::clamp(probability[i], 0.0, 1.0);
    size_t b = std::min(out.size() - 1, static_cast<size_t>(p * bins));
    ++out[b].count;
    sum_p[b] += p;
    sum_y[b] += label[i] != 0 ? 1 : 0;
  }
  for (size_t b = 0; b < out.size(); ++b) {
    if (out[b].count == 0) continue;
    out[b].mean_predicted = sum_p[b] / static_cast<double>(out[b].count);
    out[b].observed_rate = sum_y[b] / static_cast<double>(out[b].count);
  }
  return out;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  const double frac = pos - static_cast<double>(lo);
  return values[lo] + (values[hi] - values[lo]) * frac;
}

std::string AucVerdict(double auc, Interval ci, const std::string& what,
                       const std::string& positives) {
  if (std::isnan(auc)) {
    return "too few outcomes to say whether " + what + " ranks " + positives +
           ": both outcomes are needed";
  }
  std::string numbers = "AUC " + FormatFixed2(auc);
  if (!std::isnan(ci.low)) {
    numbers += " [" + FormatFixed2(ci.low) + ", " + FormatFixed2(ci.high) + "]";
  }
  if (!std::isnan(ci.low) && ci.low > 0.5) {
    return what + " ranks " + positives + " better than chance: " + numbers;
  }
  if (!std::isnan(ci.high) && ci.high < 0.5) {
    return what + " ranks " + positives + " worse than chance: " + numbers;
  }
  return what + " ranks " + positives + " no better than chance: " + numbers;
}

}  // namespace leadq::analytics
