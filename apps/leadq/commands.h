// The CLI's commands: each one calls the service layer and prints for a person. Messages go to
// standard error, results to standard output (or --out).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/time.h"
#include "service/scoring.h"

namespace leadq::cli {

struct CommandResult {
  int exit_code = 0;
};

inline constexpr int kExitInput = 1;
inline constexpr int kExitUsage = 2;  // the command line is wrong
inline constexpr int kExitStrict = 3;

struct ScoreCommand {
  service::ScoreRequest request;
  std::filesystem::path out;
  std::string format = "csv";
  bool strict = false;
};
CommandResult RunScoreCommand(const ScoreCommand& command);

struct ExplainCommand {
  service::ScoreRequest request;
  std::vector<std::string> lead_ids;
  bool json = false;
};
CommandResult RunExplainCommand(const ExplainCommand& command);

CommandResult RunModelCheck(const std::filesystem::path& path);

struct DemoCommand {
  size_t leads = 2000;
  uint64_t seed = 42;
  std::filesystem::path dir = "demo";
  TimePoint as_of = 0;
};
CommandResult RunDemoCommand(const DemoCommand& command);

// Today at 00:00 UTC, from the system clock (the one place the CLI reads it).
TimePoint TodayMidnightUtc();

}  // namespace leadq::cli
