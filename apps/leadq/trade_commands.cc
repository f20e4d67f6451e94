#include "trade_commands.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "service/trade.h"
#include "trade/hs.h"

namespace leadq::cli {
namespace {

// Writes `text` to `path`, or to stdout when `path` is empty.
CommandResult Emit(std::string_view command, const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text;
    return {0};
  }
  std::ofstream file(path, std::ios::binary);
  file << text;
  if (!file) return Fail(command, Status::Internal("cannot write " + path));
  std::cerr << "leadq " << command << ": wrote " << path << "\n";
  return {0};
}

void AddImport(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    std::string file, map, rejects;
    bool partial = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "import", "Import bill-of-lading records (CSV; upsert by bol_number and hs_code)");
  cmd->add_option("file", o->file, "Shipment records, CSV (columns as SHIPMENTS.md)")->required();
  cmd->add_option("--map", o->map, "A mapping file for other column names ([columns] ...)");
  cmd->add_flag("--partial", o->partial, "Import the usable rows even when some are rejected");
  cmd->add_option("--rejects", o->rejects,
                  "Where to write rejected rows (default <workspace>/rejects/FILE.rejects.csv)");
  AddWorkspaceOption(cmd, o->common);
  out.push_back({cmd, [o]() {
                   return WithWorkspace("trade import", o->common, [&](service::Workspace& ws) {
                     service::TradeImportRequest r;
                     r.file = o->file;
                     r.map = o->map;
                     r.partial = o->partial;
                     if (!o->rejects.empty()) r.rejects = o->rejects;
                     r.now = Now();
                     Result<service::TradeImportReport> rep = service::ImportShipments(ws, r);
                     if (!rep.ok()) return Fail("trade import", rep.status());
                     for (const std::string& w : rep->warnings) {
                       std::cerr << "leadq trade import: warning: " << w << "\n";
                     }
                     std::cerr << rep->first_reasons;
                     if (!rep->committed) {
                       std::cerr << "leadq trade import: " << GroupThousands(rep->rejected)
                                 << " of " << GroupThousands(rep->rows)
                                 << " rows cannot be used (all listed in "
                                 << rep->rejects_file.string()
                                 << "); nothing was imported. Fix them, or use --partial to "
                                    "import the other rows.\n";
                       return CommandResult{kExitInput};
                     }
                     const store::WriteStats& s = rep->stats;
                     std::cout << "leadq trade import: " << GroupThousands(rep->rows)
                               << " rows: " << GroupThousands(s.inserted) << " new, "
                               << GroupThousands(s.updated) << " updated, "
                               << GroupThousands(s.unchanged) << " unchanged";
                     if (rep->rejected > 0) {
                       std::cout << ", " << GroupThousands(rep->rejected) << " rejected (see "
                                 << rep->rejects_file.string() << ")";
                     }
                     std::cout << "\n";
                     return CommandResult{0};
                   });
                 }});
}

void AddBuyers(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    service::BuyersQuery query;
    std::string format = "table";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "buyers",
      "Resolved buyers: their spellings (and why they were joined), shipments, "
      "suppliers, origins and HS codes");
  cmd->add_option("--country", o->query.country, "Only buyers in this country (ISO alpha-2)");
  cmd->add_option("--hs", o->query.hs_prefix, "Only buyers with shipments under this HS prefix");
  cmd->add_option("--search", o->query.search, "Only buyers with a spelling containing this text");
  AddFormatOption(cmd, o->format);
  AddWorkspaceOption(cmd, o->common);
  out.push_back({cmd, [o]() {
                   return WithWorkspace("trade buyers", o->common, [&](service::Workspace& ws) {
                     o->query.hs_prefix = trade::HsDigits(o->query.hs_prefix);
                     Result<std::vector<service::BuyerSummary>> buyers =
                         service::ListBuyers(ws, o->query);
                     if (!buyers.ok()) return Fail("trade buyers", buyers.status());
                     std::cout << service::BuyersText(*buyers, FormatOf(o->format));
                     return CommandResult{0};
                   });
                 }});
}

void AddRule(CLI::App& trade, std::vector<Runnable>& out, bool merge) {
  struct Options {
    Common common;
    service::TradeRuleRequest request;
  };
  auto o = std::make_shared<Options>();
  o->request.merge = merge;
  const char* name = merge ? "merge" : "split";
  CLI::App* cmd =
      trade.add_subcommand(name, merge ? "Force two spellings to be one buyer (or supplier)"
                                       : "Forbid two spellings from being one buyer (or supplier)");
  cmd->add_option("a", o->request.a, "A spelling as written in the records")->required();
  cmd->add_option("b", o->request.b, "Another spelling")->required();
  cmd->add_option("--country", o->request.country, "Their country (ISO alpha-2)")->required();
  cmd->add_option("--role", o->request.role, "buyer (default) or supplier")
      ->check(CLI::IsMember({"buyer", "supplier"}));
  cmd->add_option("--note", o->request.note, "Why");
  cmd->add_option("--by", o->request.by, "Who decides (default $LEADQ_USER or $USER)");
  AddWorkspaceOption(cmd, o->common);
  std::string command = std::string("trade ") + name;
  out.push_back({cmd, [o, command]() {
                   return WithWorkspace(command, o->common, [&](service::Workspace& ws) {
                     o->request.by = service::ResolveActor(o->request.by);
                     o->request.now = Now();
                     Result<store::TradeRule> rule = service::AddTradeRule(ws, o->request);
                     if (!rule.ok()) return Fail(command, rule.status());
                     std::cout << "leadq " << command << ": rule " << rule->id << ": " << rule->role
                               << "s \"" << rule->a << "\" and \"" << rule->b << "\" in "
                               << rule->country
                               << (rule->kind == "merge" ? " are one entity" : " are kept apart")
                               << "\n";
                     return CommandResult{0};
                   });
                 }});
}

void AddAccess(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    service::AccessRequest request;
    bool yes = false, no = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "access", "Record whether there is a credible path to a buyer's decision makers");
  cmd->add_option("buyer", o->request.buyer.text, "The buyer's id or one of its spellings")
      ->required();
  cmd->add_option("--country", o->request.buyer.country, "The buyer's country, when ambiguous");
  auto* yes = cmd->add_flag("--yes", o->yes, "There is a path (criterion 5 met)");
  auto* no = cmd->add_flag("--no", o->no, "There is none (criterion 5 failed)");
  yes->excludes(no);
  cmd->add_option("--note", o->request.note, "Who and how: \"purchasing director, met at a fair\"");
  cmd->add_option("--by", o->request.by, "Who records it (default $LEADQ_USER or $USER)");
  AddWorkspaceOption(cmd, o->common);
  out.push_back({cmd, [o]() {
                   if (!o->yes && !o->no) {
                     std::cerr << "leadq trade access: say --yes or --no\n";
                     return CommandResult{kExitUsage};
                   }
                   return WithWorkspace("trade access", o->common, [&](service::Workspace& ws) {
                     o->request.access = o->yes;
                     o->request.by = service::ResolveActor(o->request.by);
                     o->request.now = Now();
                     Result<service::BuyerSummary> b = service::RecordAccess(ws, o->request);
                     if (!b.ok()) return Fail("trade access", b.status());
                     std::cout << "leadq trade access: " << b->name << " (" << b->country << ", "
                               << b->id << "): " << (o->yes ? "access" : "no access")
                               << " recorded\n";
                     return CommandResult{0};
                   });
                 }});
}

void AddPromote(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    service::PromoteRequest request;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "promote",
      "Make a buyer an account of the workspace, so that contacts, frameworks, "
      "owners and the lifecycle apply");
  cmd->add_option("buyer", o->request.buyer.text, "The buyer's id or one of its spellings")
      ->required();
  cmd->add_option("--country", o->request.buyer.country, "The buyer's country, when ambiguous");
  cmd->add_option("--account", o->request.account_id, "The account id (default the buyer's id)");
  cmd->add_option("--by", o->request.by, "Who promotes (default $LEADQ_USER or $USER)");
  AddWorkspaceOption(cmd, o->common);
  out.push_back({cmd, [o]() {
                   return WithWorkspace("trade promote", o->common, [&](service::Workspace& ws) {
                     o->request.by = service::ResolveActor(o->request.by);
                     o->request.now = Now();
                     Result<service::PromoteResult> r = service::PromoteBuyer(ws, o->request);
                     if (!r.ok()) return Fail("trade promote", r.status());
                     std::cout << "leadq trade promote: " << r->buyer.name << " ("
                               << r->buyer.country << ") is account " << r->account_id
                               << (r->created ? " (new)" : " (updated)")
                               << "; add its contacts with `leadq import leads` (account_id "
                               << r->account_id << ", decision_role) to judge access\n";
                     return CommandResult{0};
                   });
                 }});
}

void AddShortlist(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    std::string model, tier, as_of, format = "table", out;
    size_t top = 40;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      trade.add_subcommand("shortlist",
                           "Screen buyers against the five criteria: ranked, with evidence and the "
                           "landed cost");
  cmd->add_option("--top", o->top, "How many buyers to show (default 40; 0: all)");
  cmd->add_option("--tier", o->tier, "Only this tier: qualified, developing or artifact")
      ->check(CLI::IsMember({"qualified", "developing", "artifact"}));
  cmd->add_option("--model", o->model, "An export model file (default: the active model)");
  cmd->add_option("--as-of", o->as_of, "The screening's present (default now)");
  cmd->add_option("--out", o->out, "Write to this file instead of standard output");
  AddFormatOption(cmd, o->format);
  AddWorkspaceOption(cmd, o->common);
  out.push_back({cmd, [o]() {
                   service::ShortlistRequest r;
                   if (!TimeOption("trade shortlist", "--as-of", o->as_of, r.as_of)) {
                     return CommandResult{kExitUsage};
                   }
                   if (!o->model.empty()) r.model_file = o->model;
                   return WithWorkspace("trade shortlist", o->common, [&](service::Workspace& ws) {
                     Result<service::ShortlistResult> s = service::Shortlist(ws, r);
                     if (!s.ok()) return Fail("trade shortlist", s.status());
                     service::ShortlistView view;
                     view.top = o->top;
                     if (!o->tier.empty()) view.tier = trade::ParseTier(o->tier);
                     service::ListFormat f = FormatOf(o->format);
                     std::string text =
                         f == service::ListFormat::kCsv    ? service::ShortlistCsv(*s, view)
                         : f == service::ListFormat::kJson ? service::ShortlistJson(*s, view)
                                                           : service::ShortlistText(*s, view);
                     return Emit("trade shortlist", o->out, text);
                   });
                 }});
}

void AddLandedCost(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    Common common;
    service::LandedCostRequest request;
    std::string model, incoterm = "FOB";
    double price = -1, freight = -1, units = -1;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "landed-cost", "The landed cost of one product in one destination, line by line");
  cmd->add_option("--hs", o->request.hs, "The HS code quoted (\"8708.30\")")->required();
  cmd->add_option("--to", o->request.to, "The destination country (ISO alpha-2)")->required();
  cmd->add_option("--incoterm", o->incoterm,
                  "What --price includes: FOB (default; freight and insurance are added) or CIF")
      ->check(CLI::IsMember({"FOB", "CIF", "fob", "cif"}));
  cmd->add_option("--price", o->price,
                  "Unit price in the seller's currency (default the "
                  "product's fob_price)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--freight", o->freight,
                  "Freight per unit in the seller's currency (default "
                  "the destination's rates)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--units-per-entry", o->units,
                  "Units in one customs entry (fees' minimum "
                  "and maximum)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--model", o->model,
                  "An export model file (default: the workspace's active "
                  "model)");
  cmd->add_flag("--json", o->json, "Print JSON instead of text");
  AddWorkspaceOption(cmd, o->common);
  out.push_back(
      {cmd, [o]() {
         service::LandedCostRequest& r = o->request;
         r.incoterm = (o->incoterm == "CIF" || o->incoterm == "cif") ? trade::Incoterm::kCif
                                                                     : trade::Incoterm::kFob;
         if (o->price >= 0) r.price = o->price;
         if (o->freight >= 0) r.freight_per_unit = o->freight;
         if (o->units > 0) r.units_per_entry = o->units;
         auto run = [&](service::Workspace* ws) {
           Result<service::LandedCostResult> c = service::ComputeLandedCostFor(ws, r);
           if (!c.ok()) return Fail("trade landed-cost", c.status());
           std::cout << (o->json ? service::LandedCostJson(*c) : service::LandedCostText(*c));
           return CommandResult{0};
         };
         if (!o->model.empty()) {
           r.model_file = o->model;
           return run(nullptr);
         }
         return WithWorkspace("trade landed-cost", o->common,
                              [&](service::Workspace& ws) { return run(&ws); });
       }});
}

void AddDemo(CLI::App& trade, std::vector<Runnable>& out) {
  struct Options {
    service::TradeDemoRun run;
    std::string dir = "trade-demo", as_of;
    size_t top = 15;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = trade.add_subcommand(
      "demo",
      "Write SYNTHETIC customs records and the example export model, import them into a "
      "workspace and print the shortlist");
  cmd->add_option("--out", o->dir, "Directory to write (default ./trade-demo)");
  cmd->add_option("--buyers", o->run.buyers, "Number of buyers (default 150)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--seed", o->run.seed, "Random seed (default 7)");
  cmd->add_option("--as-of", o->as_of, "The demo's present (default: today, midnight UTC)");
  cmd->add_option("--top", o->top, "Buyers to print (default 15)");
  out.push_back({cmd, [o]() {
                   o->run.dir = o->dir;
                   if (o->as_of.empty()) {
                     o->run.as_of = TodayMidnightUtc();
                   } else if (!TimeOption("trade demo", "--as-of", o->as_of, o->run.as_of)) {
                     return CommandResult{kExitUsage};
                   }
                   Result<service::TradeDemoReport> r = service::RunTradeDemo(o->run);
                   if (!r.ok()) return Fail("trade demo", r.status());
                   std::cout << "leadq trade demo: SYNTHETIC data (generated, not real customs "
                                "records), seed "
                             << o->run.seed << "\n"
                             << "  " << GroupThousands(r->rows) << " bill-of-lading lines in "
                             << r->shipments_file.string() << "\n"
                             << "  model " << r->model_file.string() << " (with tariffs/)\n"
                             << "  workspace " << r->workspace_dir.string() << " ("
                             << r->access_notes << " access notes recorded)\n"
                             << "  designed buyers:\n";
                   for (const auto& [who, story] : r->stories) {
                     std::cout << "    " << who << ": " << story << "\n";
                   }
                   std::cout << "\n";
                   service::ShortlistView view;
                   view.top = o->top;
                   std::cout << service::ShortlistText(r->shortlist, view);
                   std::cout << "\nNext: leadq trade shortlist -w " << r->workspace_dir.string()
                             << " --format csv --out shortlist.csv\n";
                   return CommandResult{0};
                 }});
}

}  // namespace

void AddTradeCommands(CLI::App& app, std::vector<Runnable>& out) {
  CLI::App* trade = app.add_subcommand(
      "trade", "Export pre-qualification: foreign buyers from customs records, with landed cost");
  trade->require_subcommand(1);
  AddImport(*trade, out);
  AddBuyers(*trade, out);
  AddRule(*trade, out, true);
  AddRule(*trade, out, false);
  AddAccess(*trade, out);
  AddPromote(*trade, out);
  AddShortlist(*trade, out);
  AddLandedCost(*trade, out);
  AddDemo(*trade, out);
}

}  // namespace leadq::cli
