// Where to draw the MQL line: the lowest score line whose weekly workload fits the sellers'
// capacity, so that capacity goes to the leads most likely to win, with the expected wins,
// conversion and workload at neighbouring lines. Pure.
//
// The model of the week (the report prints it):
// - inflow: the scores of the leads that arrived in the last `weeks` weeks (the caller leaves out
//   leads a disqualifier stops, since they never reach a seller); at line t the weekly
//   workload is the number of them scoring >= t, divided by `weeks`;
// - win probability: p(score) from the labelled history (calibration.h FitLogistic); expected
//   wins per week at line t are the sum of p over the leads scoring >= t, divided by `weeks`;
//   conversion is expected wins over workload;
// - the line: candidate lines are whole scores; the chosen one is the lowest whose workload is at
//   most the capacity. When the score does not rank wins (slope <= 0) the line still fits the
//   capacity, and the report says that it does not pick likelier wins.
//
// Example:
//   ThresholdInput in{.scores = {...}, .weeks = 13, .capacity = 40, .fit = fit};
//   ThresholdReport r = ComputeThresholds(in);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/calibration.h"

namespace leadq::analytics {

struct ThresholdInput {
  std::vector<double> scores;  // of the leads that arrived in the window
  double weeks = 1;            // the window's length in weeks (> 0)
  double capacity = 0;         // leads per week the sellers can work
  LogisticFit fit;             // fitted == false: no win probability (workload only)
  uint64_t labelled = 0;       // leads the fit was made on, for the text
  double labelled_low = 0, labelled_high = 0;  // their scores: outside, p(score) extrapolates
  std::string window;                          // "2026-08-02 to 2026-11-01", for the text
  uint64_t unscored = 0;  // leads that arrived in the window without a score (left out)
};

struct ThresholdLine {
  double line = 0;
  double leads_per_week = 0;
  std::optional<double> wins_per_week;  // none without a fit
  std::optional<double> conversion;     // wins / leads
  double load = 0;                      // leads_per_week / capacity
  bool chosen = false;
  bool extrapolated = false;  // the line is outside the scores the fit was made on
};

struct ThresholdReport {
  double capacity = 0, weeks = 1;
  uint64_t arrivals = 0, labelled = 0;
  std::string window;
  LogisticFit fit;
  std::optional<double> chosen;      // the line; none when there are no arrivals
  std::vector<ThresholdLine> lines;  // neighbouring lines, highest first
  std::vector<std::string> notes;    // honest caveats, for people
};

ThresholdReport ComputeThresholds(const ThresholdInput& input);

std::string RenderThresholdsTable(const ThresholdReport& report);
std::string RenderThresholdsCsv(const ThresholdReport& report);
std::string RenderThresholdsJson(const ThresholdReport& report);

}  // namespace leadq::analytics
