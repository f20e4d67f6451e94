// The CLI's report commands: report funnel|calibration|thresholds, report --html and model
// backtest.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddReportCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out);

}  // namespace leadq::cli
