// The CLI's `leadq serve`: the workspace as an HTTP service (server/api.h) with the dashboard,
// until SIGINT or SIGTERM; with --demo on a workspace seeded with the demo data.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddServeCommands(CLI::App& app, std::vector<Runnable>& out);

}  // namespace leadq::cli
