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
#include "core/text.h"
#include "core/time.h"
#include "service/lifecycle_ops.h"
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

// --format table|csv|json, as a service::ListFormat.
inline service::ListFormat FormatOf(const std::string& name) {
  return name == "csv"    ? service::ListFormat::kCsv
         : name == "json" ? service::ListFormat::kJson
                          : service::ListFormat::kTable;
}

inline void AddFormatOption(CLI::App* cmd, std::string& format) {
  cmd->add_option("--format", format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
}

// Prints text or the failure of a service call that returns text.
inline CommandResult PrintOr(std::string_view command, const Result<std::string>& text) {
  if (!text.ok()) return Fail(command, text.status());
  std::cout << *text;
  return {0};
}

// An optional --from/--to bound: empty is none. With `end_of_day`, a date alone (--to
// 2026-03-31) means the end of that day, so the day is included. False (after saying why) when
// the text is not an ISO 8601 date or time.
inline bool RangeOption(std::string_view command, const std::string& name, const std::string& text,
                        bool end_of_day, std::optional<TimePoint>& out) {
  if (text.empty()) return true;
  std::optional<TimePoint> t = ParseTimestamp(text);
  if (!t) {
    std::cerr << "leadq " << command << ": " << name << " \"" << text
              << "\" is not an ISO 8601 date or time (for example 2026-03-01)\n";
    return false;
  }
  const bool date_only = Trim(text).size() == 10;
  out = end_of_day && date_only ? *t + kMicrosPerDay : *t;
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
