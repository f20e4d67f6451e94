#include "evidence_commands.h"

#include <iostream>
#include <memory>

#include "cli_support.h"
#include "service/evidence.h"

namespace leadq::cli {
void AddEvidenceCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out) {
  // suggest-weights
  {
    struct Options {
      Common common;
      service::SuggestRequest request;
      std::string out;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "suggest-weights",
        "Fit the active model's rules against won and lost outcomes and propose new points, "
        "written as a model file and a diff");
    cmd->add_option("--out", o->out,
                    "Where to write the proposed model (default suggested-model.toml)");
    cmd->add_option("--min-leads", o->request.min_leads,
                    "Leads with an outcome a rule must match, and miss, to be re-weighted "
                    "(default 10)")
        ->check(CLI::Range(1, 1'000'000));
    cmd->add_option("--folds", o->request.folds, "Cross-validation folds (default 5)")
        ->check(CLI::Range(2, 20));
    cmd->add_option("--seed", o->request.seed, "Seed of the fold assignment (default 7)");
    cmd->add_flag("--json", o->json, "Print JSON instead of text");
    AddWorkspaceOption(cmd, o->common);
    out.push_back(
        {cmd, [o]() {
           if (!o->out.empty()) o->request.out = o->out;
           return WithWorkspace("suggest-weights", o->common, [&](service::Workspace& ws) {
             Result<service::SuggestReport> r = service::SuggestWeights(ws, o->request);
             if (!r.ok()) return Fail("suggest-weights", r.status());
             std::cout << (o->json ? service::SuggestJson(*r) : service::SuggestText(*r));
             return CommandResult{0};
           });
         }});
  }

  // model backtest
  {
    struct Options {
      Common common;
      std::string file, from, to;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = model_cmd.add_subcommand(
        "backtest",
        "Re-score history with a proposed model: which leads change action, and the win rate "
        "and cycle length of the MQLs each version sends");
    cmd->add_option("file", o->file, "The proposed model (TOML)")->required();
    cmd->add_option("--from", o->from, "Only leads created at or after this ISO 8601 time");
    cmd->add_option(
        "--to", o->to,
        "Only leads created before this ISO 8601 time (a date alone: to the end of that day)");
    cmd->add_flag("--json", o->json, "Print JSON instead of text");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     service::BacktestRequest req;
                     req.model = o->file;
                     if (!RangeOption("model backtest", "--from", o->from, false, req.from) ||
                         !RangeOption("model backtest", "--to", o->to, true, req.to)) {
                       return CommandResult{kExitUsage};
                     }
                     return WithWorkspace("model backtest", o->common, [&](service::Workspace& ws) {
                       Result<service::BacktestReport> r = service::Backtest(ws, req);
                       if (!r.ok()) return Fail("model backtest", r.status());
                       std::cout << (o->json ? service::BacktestJson(*r)
                                             : service::BacktestText(*r));
                       return CommandResult{0};
                     });
                   }});
  }
}

}  // namespace leadq::cli
