// The CLI's handoff commands: owner add|list|update, assign, handoff, sla, tick, touch, queue and
// webhook add|list|remove|test|deliver. Each parses its options, calls the service layer (or the
// webhook sender in server/) and prints.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

void AddHandoffCommands(CLI::App& app, std::vector<Runnable>& out);

}  // namespace leadq::cli
