// The CLI's workspace commands (init, import, model apply/history/show/diff/rollback, rescore,
// stage, qualify, show, list): each registers its options on the CLI11 app and, when parsed,
// calls the service layer and prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

#include "commands.h"

namespace leadq::cli {

// A command to run after parsing, when its subcommand was given.
struct Runnable {
  CLI::App* command;
  std::function<CommandResult()> run;
};

// Adds the workspace commands to `app` (and `model` subcommands to `model_cmd`). The returned
// runnables hold the option values; keep them alive until after parsing.
void AddWorkspaceCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out);

}  // namespace leadq::cli
