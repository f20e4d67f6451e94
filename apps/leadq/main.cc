// leadq: the command line. Thin by design: parse arguments, call a service, print, exit.
//
// Exit codes: 0 success; 1 the input or the model is wrong (the message says where); 2 the
// command line is wrong; 3 --strict and some rows could not be used.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "core/memory.h"
#include "core/time.h"
#include "evidence_commands.h"
#include "handoff_commands.h"
#include "learn_commands.h"
#include "report_commands.h"
#include "serve_commands.h"
#include "token_commands.h"
#include "trade_commands.h"
#include "workspace_commands.h"

int main(int argc, char** argv) {
  leadq::RestartWithHugeHeapPages(argv);  // may start this program again (core/memory.h)
  using leadq::cli::CommandResult;
  using leadq::cli::kExitUsage;
  CLI::App app{
      "leadq: lead qualification engine. Scores leads for fit and intent with a "
      "qualification model kept as a TOML file, and explains every number."};
  app.set_version_flag("--version", std::string("leadq ") + LEADQ_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  // score
  leadq::cli::ScoreCommand score;
  CLI::App* score_cmd = app.add_subcommand(
      "score", "Score every lead and write one CSV row per lead (MODEL.md contract)");
  score_cmd->add_option("--model", score.request.model, "Qualification model (TOML)")->required();
  score_cmd->add_option("--leads", score.request.leads, "Leads CSV (needs lead_id)")->required();
  score_cmd->add_option("--accounts", score.request.accounts, "Accounts CSV (needs account_id)");
  score_cmd->add_option("--events", score.request.events,
                        "Events CSV (needs lead_id, type, occurred_at)");
  score_cmd->add_option("--as-of", score.request.as_of, "Score as of this ISO 8601 time")
      ->required();
  score_cmd->add_option("--out", score.out, "Write to this file instead of standard output");
  score_cmd->add_option("--format", score.format, "csv (default) or json (with explanations)")
      ->check(CLI::IsMember({"csv", "json"}));
  score_cmd->add_flag("--strict", score.strict, "Exit 3 when any row could not be used");

  // explain
  leadq::cli::ExplainCommand explain;
  CLI::App* explain_cmd = app.add_subcommand(
      "explain", "Explain, for a seller, why leads got their scores, grades and actions");
  explain_cmd->add_option("--model", explain.request.model, "Qualification model (TOML)")
      ->required();
  explain_cmd->add_option("--leads", explain.request.leads, "Leads CSV")->required();
  explain_cmd->add_option("--accounts", explain.request.accounts, "Accounts CSV");
  explain_cmd->add_option("--events", explain.request.events, "Events CSV");
  explain_cmd->add_option("--as-of", explain.request.as_of, "ISO 8601 time")->required();
  explain_cmd->add_flag("--json", explain.json, "Print JSON instead of text");
  explain_cmd->add_option("lead_ids", explain.lead_ids, "Leads to explain")->required();

  // model check
  CLI::App* model_cmd = app.add_subcommand("model", "Work with model files");
  model_cmd->require_subcommand(1);
  std::string check_path;
  CLI::App* check_cmd =
      model_cmd->add_subcommand("check", "Validate a model and print its summary");
  check_cmd->add_option("file", check_path, "Model file (TOML)")->required();

  std::vector<leadq::cli::Runnable> workspace_commands;
  leadq::cli::AddWorkspaceCommands(app, *model_cmd, workspace_commands);
  leadq::cli::AddHandoffCommands(app, workspace_commands);
  leadq::cli::AddLearnCommands(app, *model_cmd, workspace_commands);
  leadq::cli::AddEvidenceCommands(app, *model_cmd, workspace_commands);
  leadq::cli::AddReportCommands(app, *model_cmd, workspace_commands);
  leadq::cli::AddTradeCommands(app, workspace_commands);
  leadq::cli::AddTokenCommands(app, workspace_commands);
  leadq::cli::AddServeCommands(app, workspace_commands);

  // demo
  leadq::cli::DemoCommand demo;
  std::string demo_as_of;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Write a realistic demo data set and model, score it and print a summary");
  demo_cmd->add_option("--leads", demo.leads, "Number of leads (default 2000)")
      ->check(CLI::Range(1, 10'000'000));
  demo_cmd->add_option("--seed", demo.seed, "Random seed (default 42)");
  demo_cmd->add_option("--out", demo.dir, "Directory to write (default ./demo)");
  demo_cmd->add_option("--as-of", demo_as_of, "The demo's present (default: today, midnight UTC)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  CommandResult result;
  if (score_cmd->parsed()) {
    result = leadq::cli::RunScoreCommand(score);
  } else if (explain_cmd->parsed()) {
    result = leadq::cli::RunExplainCommand(explain);
  } else if (check_cmd->parsed()) {
    result = leadq::cli::RunModelCheck(check_path);
  } else if (demo_cmd->parsed()) {
    if (demo_as_of.empty()) {
      demo.as_of = leadq::cli::TodayMidnightUtc();
    } else {
      std::optional<leadq::TimePoint> t = leadq::ParseTimestamp(demo_as_of);
      if (!t) {
        std::cerr << "leadq demo: --as-of \"" << demo_as_of
                  << "\" is not an ISO 8601 time (for example 2026-03-01)\n";
        return kExitUsage;
      }
      demo.as_of = *t;
    }
    result = leadq::cli::RunDemoCommand(demo);
  } else {
    for (const leadq::cli::Runnable& r : workspace_commands) {
      if (r.command->parsed()) result = r.run();
    }
  }
  std::fflush(stdout);
  return result.exit_code;
}
