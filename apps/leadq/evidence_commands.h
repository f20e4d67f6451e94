// The CLI's evidence commands: suggest-weights and model backtest.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddEvidenceCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out);

}  // namespace leadq::cli
