// The workspace report as one self-contained HTML page: the funnel, deals, the score
// distribution, win rate by score band, the reliability (calibration) curve, the ROC curve and
// the threshold table, drawn as inline SVG (svg.h). No script and nothing fetched: the file opens
// offline and prints (a print style sheet keeps charts whole on a page). Pure.
//
// Example:
//   HtmlReportInput in{.title = "ws", .as_of = now, .funnel = f, .calibration = c};
//   WriteFile(path, RenderHtmlReport(in));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/calibration.h"
#include "analytics/funnel.h"
#include "analytics/thresholds.h"

namespace leadq::analytics {

struct HtmlReportInput {
  std::string title;  // what the report is about (the workspace)
  TimePoint as_of = 0;
  FunnelReport funnel;
  CalibrationReport calibration;
  std::vector<double> scores;                 // the latest score of every scored lead
  std::optional<ThresholdReport> thresholds;  // none: `thresholds_note` says why
  std::string thresholds_note;
};

std::string RenderHtmlReport(const HtmlReportInput& input);

}  // namespace leadq::analytics
