// The CLI's API token commands: `leadq token create|list|revoke`, the tokens `leadq serve`
// accepts (service/access.h). The secret of a new token is printed once, alone on stdout (so
// that `TOKEN=$(leadq token create ...)` captures it); nothing shows it again.
//
// Example:
//   leadq token create --name crm-sync --role ingest -w ws
//   leadq token list --format json -w ws
//   leadq token revoke crm-sync -w ws
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "workspace_commands.h"

namespace leadq::cli {

// Adds `token` and its subcommands to `app`; their runnables go to `out` (keep them alive until
// after parsing).
void AddTokenCommands(CLI::App& app, std::vector<Runnable>& out);

}  // namespace leadq::cli
