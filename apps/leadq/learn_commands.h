// The CLI's learning commands: learn and predict.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddLearnCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out);

}  // namespace leadq::cli
