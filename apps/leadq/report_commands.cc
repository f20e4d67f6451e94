#include "report_commands.h"

#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_support.h"
#include "core/text.h"
#include "service/reports.h"

namespace leadq::cli {
namespace {

// "40/week", "40 / week" or "40": leads a week, > 0. nullopt when it is none of those.
std::optional<double> ParseCapacity(std::string_view text) {
  text = Trim(text);
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    std::string unit = AsciiLower(Trim(text.substr(slash + 1)));
    if (unit != "week" && unit != "wk" && unit != "w") return std::nullopt;
    text = Trim(text.substr(0, slash));
  }
  std::optional<double> n = ParseNumber(text);
  if (!n || !std::isfinite(*n) || *n <= 0) return std::nullopt;
  return n;
}

struct ReportOptions {
  Common common;
  std::string html, capacity, as_of;
  double weeks = 13;
  // funnel
  Common funnel_common;
  std::string from, to, by, funnel_format = "table", funnel_as_of;
  // calibration
  Common calibration_common;
  std::string calibration_format = "table";
  // thresholds
  Common thresholds_common;
  std::string thresholds_capacity, thresholds_format = "table", thresholds_as_of;
  double thresholds_weeks = 13;
};

// The capacity option: empty is "from the owners".
bool CapacityOption(const std::string& text, std::optional<double>& out) {
  if (text.empty()) return true;
  out = ParseCapacity(text);
  if (!out) {
    std::cerr << "leadq report: --capacity \"" << text
              << "\" is not a number of leads a week (for example 40/week)\n";
    return false;
  }
  return true;
}

CommandResult RunFunnel(const ReportOptions& o) {
  service::FunnelRequest r;
  if (!RangeOption("report", "--from", o.from, false, r.from) ||
      !RangeOption("report", "--to", o.to, true, r.to) ||
      !TimeOption("report funnel", "--as-of", o.funnel_as_of, r.as_of)) {
    return {kExitUsage};
  }
  if (r.from && r.to && *r.to <= *r.from) {
    std::cerr << "leadq report funnel: --to must be after --from\n";
    return {kExitUsage};
  }
  r.by = o.by;
  return WithWorkspace("report funnel", o.funnel_common, [&](service::Workspace& ws) {
    return PrintOr("report funnel", service::FunnelReportText(ws, r, FormatOf(o.funnel_format)));
  });
}

CommandResult RunThresholds(const ReportOptions& o) {
  service::ThresholdRequest r;
  if (!CapacityOption(o.thresholds_capacity, r.capacity) ||
      !TimeOption("report thresholds", "--as-of", o.thresholds_as_of, r.as_of)) {
    return {kExitUsage};
  }
  r.weeks = o.thresholds_weeks;
  return WithWorkspace("report thresholds", o.thresholds_common, [&](service::Workspace& ws) {
    return PrintOr("report thresholds",
                   service::ThresholdsReportText(ws, r, FormatOf(o.thresholds_format)));
  });
}

CommandResult RunHtml(const ReportOptions& o) {
  service::HtmlReportRequest r;
  r.out = o.html;
  if (!CapacityOption(o.capacity, r.thresholds.capacity) ||
      !TimeOption("report", "--as-of", o.as_of, r.thresholds.as_of)) {
    return {kExitUsage};
  }
  r.thresholds.weeks = o.weeks;
  return WithWorkspace("report", o.common, [&](service::Workspace& ws) {
    Status s = service::WriteHtmlReport(ws, r);
    if (!s.ok()) return Fail("report", s);
    std::cerr << "leadq report: wrote " << o.html << "\n";
    return CommandResult{0};
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, CLI::App& /*model_cmd*/, std::vector<Runnable>& out) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* report = app.add_subcommand(
      "report", "Reports on the workspace: funnel, calibration, thresholds, or all as HTML");
  report->require_subcommand(0, 1);
  report->add_option("--html", o->html,
                     "Write every report as one self-contained HTML page to this file");
  report->add_option("--capacity", o->capacity,
                     "For the threshold table: leads a week, e.g. 40/week (default: the active "
                     "owners' weekly capacity)");
  report->add_option("--weeks", o->weeks, "Inflow window before --as-of, in weeks (default 13)")
      ->check(CLI::Range(1.0, 520.0));
  report->add_option("--as-of", o->as_of, "As of this time (default: now)");
  AddWorkspaceOption(report, o->common);

  CLI::App* funnel = report->add_subcommand(
      "funnel",
      "Stage counts and conversion, time in stage, reasons, recycling, response "
      "clocks and deals");
  funnel->add_option("--from", o->from, "Leads (and deals) created at or after this date");
  funnel->add_option("--to", o->to, "... and before the end of this date");
  funnel->add_option("--by", o->by, "Break down by channel, source, owner, grade or month")
      ->check(CLI::IsMember({"channel", "source", "owner", "grade", "month"}));
  funnel->add_option("--as-of", o->funnel_as_of, "Response clocks as of (default: now)");
  AddFormatOption(funnel, o->funnel_format);
  AddWorkspaceOption(funnel, o->funnel_common);

  CLI::App* calibration = report->add_subcommand(
      "calibration", "Does the score at mql predict wins: bands, grade cells, AUC, Brier, rules");
  AddFormatOption(calibration, o->calibration_format);
  AddWorkspaceOption(calibration, o->calibration_common);

  CLI::App* thresholds = report->add_subcommand(
      "thresholds", "The mql line that fills the sellers' capacity with the likeliest wins");
  thresholds->add_option("--capacity", o->thresholds_capacity,
                         "Leads a week the sellers can work, e.g. 40/week (default: the active "
                         "owners' weekly capacity)");
  thresholds
      ->add_option("--weeks", o->thresholds_weeks,
                   "Inflow window before --as-of, in weeks (default 13)")
      ->check(CLI::Range(1.0, 520.0));
  thresholds->add_option("--as-of", o->thresholds_as_of, "As of this time (default: now)");
  AddFormatOption(thresholds, o->thresholds_format);
  AddWorkspaceOption(thresholds, o->thresholds_common);

  out.push_back(
      {report, [o, report, funnel, calibration, thresholds]() {
         const bool sub = funnel->parsed() || calibration->parsed() || thresholds->parsed();
         if (!o->html.empty() && sub) {
           std::cerr << "leadq report: --html writes every report; give it without "
                        "funnel, calibration or thresholds\n";
           return CommandResult{kExitUsage};
         }
         // `report -w DIR funnel` names the workspace before the subcommand; so may --as-of,
         // --capacity and --weeks be.
         for (Common* c : {&o->funnel_common, &o->calibration_common, &o->thresholds_common}) {
           if (c->workspace.empty()) c->workspace = o->common.workspace;
         }
         if (o->funnel_as_of.empty()) o->funnel_as_of = o->as_of;
         if (o->thresholds_as_of.empty()) o->thresholds_as_of = o->as_of;
         if (o->thresholds_capacity.empty()) o->thresholds_capacity = o->capacity;
         if (thresholds->count("--weeks") == 0) o->thresholds_weeks = o->weeks;
         if (funnel->parsed()) return RunFunnel(*o);
         if (calibration->parsed()) {
           return WithWorkspace(
               "report calibration", o->calibration_common, [&](service::Workspace& ws) {
                 return PrintOr("report calibration", service::CalibrationReportText(
                                                          ws, FormatOf(o->calibration_format)));
               });
         }
         if (thresholds->parsed()) return RunThresholds(*o);
         if (!o->html.empty()) return RunHtml(*o);
         std::cerr << "leadq report: give a report (funnel, calibration, thresholds) "
                      "or --html FILE\n"
                   << report->help();
         return CommandResult{kExitUsage};
       }});
}

}  // namespace leadq::cli
