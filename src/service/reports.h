// The workspace reports: funnel, calibration of the score, where to draw the MQL line, and all of
// them as one HTML page. Each reads the workspace in one transaction (nothing is written to the
// store), hands plain rows to analytics/ (funnel.h, calibration.h, thresholds.h, html_report.h)
// and returns the rendered text. Empty or thin data gives an honest message, never a failure.
//
// What the reports read:
// - funnel: the transition log (a lead is in the period when its first transition is), the
//   response clocks of handoffs (assigned in the period), the deals (created in the period, or
//   closed when they have no creation date). --by: channel and source are the lead's columns of
//   those names (channel falls back to the model's channel of its latest score); owner is the
//   owner of the lead's latest handoff (a deal's own owner first); grade is the grade cell the
//   lead had when it became an mql, else its latest; month is the month of creation (UTC).
// - calibration: the leads whose outcome is known (service/evidence.h) and that became an mql
//   with scores recorded; their score and cell at that moment; which rules they matched then,
//   re-scored with the active model at their mql time.
// - thresholds: leads that arrived in the window (their `created_at` column when they have one,
//   else their first transition) with their latest score; the win probability fitted on the
//   calibration leads.
//
// Example:
//   LEADQ_TRY(std::string text, FunnelReportText(ws, {.by = "owner", .as_of = now},
//                                                 ListFormat::kTable));
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "service/lifecycle_ops.h"
#include "service/workspace.h"

namespace leadq::service {

// The breakdowns of the funnel report.
inline constexpr const char* kFunnelBreakdowns[] = {"channel", "source", "owner", "grade", "month"};

struct FunnelRequest {
  std::optional<TimePoint> from, to;  // [from, to)
  std::string by;                     // empty or one of kFunnelBreakdowns
  TimePoint as_of = 0;                // for response clocks still running
};
// InvalidInput for an unknown `by`.
Result<std::string> FunnelReportText(Workspace& ws, const FunnelRequest& request,
                                     ListFormat format);

Result<std::string> CalibrationReportText(Workspace& ws, ListFormat format);

struct ThresholdRequest {
  std::optional<double> capacity;  // leads a week; none: the active owners' weekly capacity
  double weeks = 13;               // the inflow window before as_of
  TimePoint as_of = 0;
};
// InvalidInput when no capacity is given and no active owner has one.
Result<std::string> ThresholdsReportText(Workspace& ws, const ThresholdRequest& request,
                                         ListFormat format);

struct HtmlReportRequest {
  std::filesystem::path out;
  ThresholdRequest thresholds;  // as_of is the report's
};
// Writes the page to `out` atomically (whole or not at all).
Status WriteHtmlReport(Workspace& ws, const HtmlReportRequest& request);

}  // namespace leadq::service
