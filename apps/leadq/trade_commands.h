// The CLI's export pre-qualification commands: `leadq trade import|buyers|merge|split|access|
// promote|shortlist|landed-cost|demo` (../shared/spec/SHIPMENTS.md).
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddTradeCommands(CLI::App& app, std::vector<Runnable>& out);

}  // namespace leadq::cli
