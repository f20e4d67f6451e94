// What the workspace commands share: the --workspace option, the clock, time options and the
// way a failure is printed.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "commands.h"
#include "core/status.h"
#include "core/time.h"
#include "service/workspace.h"

namespace leadq::cli {

inline TimePoint Now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Options every workspace command has.
struct Common {
  std::string workspace;
};

inline void AddWorkspaceOption(CLI::App* cmd, Common& common) {
  cmd->add_option("--workspace,-w", common.workspace,
                  "Workspace directory (default: $LEADQ_WORKSPACE, else the current directory)");
}

inline CommandResult Fail(std::string_view command, const Status& status) {
  std::cerr << "leadq " << command << ": " << status.message() << "\n";
  return {kExitInput};
}

// Parses an optional ISO 8601 option; the clock's now when empty.
inline bool TimeOption(std::string_view command, const std::string& name, const std::string& text,
                       TimePoint& out) {
  if (text.empty()) {
    out = Now();
    return true;
  }
  std::optional<TimePoint> t = ParseTimestamp(text);
  if (!t) {
    std::cerr << "leadq " << command << ": " << name << " \"" << text
              << "\" is not an ISO 8601 time (for example 2026-03-01T14:05:00Z)\n";
    return false;
  }
  out = *t;
  return true;
}

template <typename Fn>
CommandResult WithWorkspace(std::string_view command, const Common& common, Fn fn) {
  Result<service::Workspace> ws =
      service::OpenWorkspace(service::ResolveWorkspaceDir(common.workspace));
  if (!ws.ok()) return Fail(command, ws.status());
  return fn(*ws);
}

}  // namespace leadq::cli
