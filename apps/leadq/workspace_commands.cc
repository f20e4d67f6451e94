#include "workspace_commands.h"

#include "cli_support.h"

#include <iostream>
#include <memory>

#include "core/text.h"
#include "core/time.h"
#include "service/import.h"
#include "service/lifecycle_ops.h"
#include "service/model_summary.h"
#include "service/models.h"
#include "service/progress.h"
#include "service/workspace.h"

namespace leadq::cli {
void AddWorkspaceCommands(CLI::App& app, CLI::App& model_cmd, std::vector<Runnable>& out) {
  // init
  {
    auto dir = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("init", "Create a workspace (a directory with leadq.db)");
    cmd->add_option("dir", *dir, "Directory to create")->required();
    out.push_back({cmd, [dir]() -> CommandResult {
                     Result<service::Workspace> ws = service::InitWorkspace(*dir);
                     if (!ws.ok()) return Fail("init", ws.status());
                     std::cout << "leadq init: workspace ready in " << *dir
                               << "\nNext: leadq model apply MODEL.toml -m \"why\" -w " << *dir
                               << "; leadq import leads FILE.csv -w " << *dir << "\n";
                     return {0};
                   }});
  }

  // import
  {
    struct Options {
      Common common;
      std::string kind, file, map, rejects, by;
      bool partial = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "import", "Import leads, accounts, events or outcomes from CSV (upsert; all or nothing)");
    cmd->add_option("kind", o->kind, "leads, accounts, events or outcomes")
        ->required()
        ->check(CLI::IsMember({"leads", "accounts", "events", "outcomes"}));
    cmd->add_option("file", o->file, "CSV file")->required();
    cmd->add_option("--map", o->map, "Column mapping: hubspot, salesforce, or a mapping file");
    cmd->add_flag("--partial", o->partial, "Import the usable rows even when some are rejected");
    cmd->add_option("--rejects", o->rejects,
                    "Where to write rejected rows (default <workspace>/rejects/FILE.rejects.csv)");
    cmd->add_option("--by", o->by, "Who imports (default $LEADQ_USER or $USER)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("import", o->common, [&](service::Workspace& ws) {
                       service::ImportRequest r;
                       r.kind = o->kind == "leads"      ? service::ImportKind::kLeads
                                : o->kind == "accounts" ? service::ImportKind::kAccounts
                                : o->kind == "events"   ? service::ImportKind::kEvents
                                                        : service::ImportKind::kOutcomes;
                       r.file = o->file;
                       r.map = o->map;
                       r.partial = o->partial;
                       if (!o->rejects.empty()) r.rejects = o->rejects;
                       r.actor = "import:" + service::ResolveActor(o->by);
                       r.now = Now();
                       Result<service::ImportReport> rep = service::ImportFile(ws, r);
                       if (!rep.ok()) return Fail("import", rep.status());
                       const store::WriteStats& s = rep->stats;
                       std::cerr << rep->first_reasons;
                       if (!rep->committed) {
                         std::cerr << "leadq import: " << GroupThousands(rep->rejected) << " of "
                                   << GroupThousands(rep->rows)
                                   << " rows cannot be used (all listed in "
                                   << rep->rejects_file.string()
                                   << "); nothing was imported. Fix them, or use --partial to "
                                      "import the other rows.\n";
                         return CommandResult{kExitInput};
                       }
                       std::cout << "leadq import " << o->kind << ": " << GroupThousands(rep->rows)
                                 << " rows: " << GroupThousands(s.inserted) << " new, "
                                 << GroupThousands(s.updated) << " updated, "
                                 << GroupThousands(s.unchanged) << " unchanged";
                       if (s.duplicates > 0) {
                         std::cout << ", " << GroupThousands(s.duplicates) << " already stored";
                       }
                       if (rep->rejected > 0) {
                         std::cout << ", " << GroupThousands(rep->rejected) << " rejected (see "
                                   << rep->rejects_file.string() << ")";
                       }
                       std::cout << "\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // model apply / history / show / diff / rollback
  {
    struct Options {
      Common common;
      std::string file, message, by;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = model_cmd.add_subcommand("apply", "Store a model as the new active version");
    cmd->add_option("file", o->file, "Model file (TOML)")->required();
    cmd->add_option("-m,--message", o->message, "Why this change")->required();
    cmd->add_option("--by", o->by, "Author (default $LEADQ_USER or $USER)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("model apply", o->common, [&](service::Workspace& ws) {
                       Result<service::AppliedModel> a = service::ApplyModel(
                           ws, o->file, o->message, service::ResolveActor(o->by), Now());
                       if (!a.ok()) return Fail("model apply", a.status());
                       if (a->unchanged) {
                         std::cout << "leadq model apply: unchanged (the same as version "
                                   << a->version << ")\n";
                         return CommandResult{0};
                       }
                       std::cout << "leadq model apply: version " << a->version << " is active\n";
                       for (const std::string& c : a->changes) std::cout << "  " << c << "\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    auto common = std::make_shared<Common>();
    CLI::App* cmd = model_cmd.add_subcommand("history", "List the stored model versions");
    AddWorkspaceOption(cmd, *common);
    out.push_back({cmd, [common]() {
                     return WithWorkspace("model history", *common, [&](service::Workspace& ws) {
                       Result<std::unique_ptr<store::Transaction>> tx = ws.store->Begin();
                       if (!tx.ok()) return Fail("model history", tx.status());
                       Result<std::vector<store::ModelVersion>> versions = (*tx)->ModelVersions();
                       if (!versions.ok()) return Fail("model history", versions.status());
                       for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
                         std::cout << "v" << it->version
                                   << (it == versions->rbegin() ? " (active)" : "") << "  "
                                   << FormatTimestamp(it->created_at) << "  " << it->author << "  "
                                   << it->hash.substr(0, 12) << "  " << it->message << "\n";
                       }
                       if (versions->empty()) std::cout << "no model applied yet\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      int64_t version = 0;
      bool summary = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd =
        model_cmd.add_subcommand("show", "Print a stored model version (default: active)");
    cmd->add_option("version", o->version, "Version number");
    cmd->add_flag("--summary", o->summary, "Print the summary instead of the TOML");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("model show", o->common, [&](service::Workspace& ws) {
                       Result<std::unique_ptr<store::Transaction>> tx = ws.store->Begin();
                       if (!tx.ok()) return Fail("model show", tx.status());
                       store::ModelVersion v;
                       if (o->version > 0) {
                         Result<store::ModelVersion> got = (*tx)->GetModelVersion(o->version);
                         if (!got.ok()) return Fail("model show", got.status());
                         v = *got;
                       } else {
                         Result<std::optional<store::ModelVersion>> got = (*tx)->ActiveModel();
                         if (!got.ok()) return Fail("model show", got.status());
                         if (!*got) {
                           return Fail("model show",
                                       Status::FailedPrecondition("no model applied yet"));
                         }
                         v = **got;
                       }
                       if (!o->summary) {
                         std::cout << v.content;
                         return CommandResult{0};
                       }
                       Result<model::Model> m = service::LoadModelVersion(ws, v);
                       if (!m.ok()) return Fail("model show", m.status());
                       std::cout << "version " << v.version << " by " << v.author << " on "
                                 << FormatTimestamp(v.created_at) << ": " << v.message << "\n"
                                 << service::ModelSummary(*m);
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      int64_t a = 0, b = 0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = model_cmd.add_subcommand("diff", "What changed between two versions, in words");
    cmd->add_option("a", o->a, "Older version")->required();
    cmd->add_option("b", o->b, "Newer version")->required();
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("model diff", o->common, [&](service::Workspace& ws) {
                       Result<std::unique_ptr<store::Transaction>> tx = ws.store->Begin();
                       if (!tx.ok()) return Fail("model diff", tx.status());
                       Result<store::ModelVersion> va = (*tx)->GetModelVersion(o->a);
                       if (!va.ok()) return Fail("model diff", va.status());
                       Result<store::ModelVersion> vb = (*tx)->GetModelVersion(o->b);
                       if (!vb.ok()) return Fail("model diff", vb.status());
                       Result<model::Model> ma = service::LoadModelVersion(ws, *va);
                       if (!ma.ok()) return Fail("model diff", ma.status());
                       Result<model::Model> mb = service::LoadModelVersion(ws, *vb);
                       if (!mb.ok()) return Fail("model diff", mb.status());
                       std::vector<std::string> changes = service::DiffModels(*ma, *mb);
                       std::cout << "v" << o->a << " -> v" << o->b << ": "
                                 << (changes.empty() ? "no change in meaning"
                                                     : std::to_string(changes.size()) + " changes")
                                 << "\n";
                       for (const std::string& c : changes) std::cout << "  " << c << "\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      int64_t version = 0;
      std::string by;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = model_cmd.add_subcommand(
        "rollback", "Make an earlier version active again (stored as a new version)");
    cmd->add_option("version", o->version, "Version to return to")->required();
    cmd->add_option("--by", o->by, "Author (default $LEADQ_USER or $USER)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("model rollback", o->common, [&](service::Workspace& ws) {
                       Result<service::AppliedModel> a = service::RollbackModel(
                           ws, o->version, service::ResolveActor(o->by), Now());
                       if (!a.ok()) return Fail("model rollback", a.status());
                       if (a->unchanged) {
                         std::cout << "leadq model rollback: version " << o->version
                                   << " is already the active content (version " << a->version
                                   << ")\n";
                         return CommandResult{0};
                       }
                       std::cout << "leadq model rollback: version " << a->version
                                 << " (the content of version " << o->version << ") is active\n";
                       for (const std::string& c : a->changes) std::cout << "  " << c << "\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // rescore
  {
    struct Options {
      Common common;
      std::string as_of;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "rescore", "Score every lead with the active model and apply automatic transitions");
    cmd->add_option("--as-of", o->as_of, "Score as of this time (default: now)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("rescore", "--as-of", o->as_of, as_of))
                       return CommandResult{2};
                     return WithWorkspace("rescore", o->common, [&](service::Workspace& ws) {
                       service::Progress progress("leadq rescore");
                       Result<service::RescoreReport> r = service::Rescore(ws, as_of, progress);
                       progress.Clear();
                       if (!r.ok()) return Fail("rescore", r.status());
                       std::cout << "leadq rescore: " << GroupThousands(r->leads)
                                 << " leads scored with model v" << r->model_version << " as of "
                                 << FormatTimestamp(as_of) << "\n  actions:";
                       for (const auto& [action, n] : r->by_action) {
                         std::cout << " " << action << " " << GroupThousands(n);
                       }
                       std::cout << "\n  transitions: " << GroupThousands(r->transitions) << "\n";
                       for (const auto& [move, n] : r->moves) {
                         std::cout << "    " << move << "  " << GroupThousands(n) << "\n";
                       }
                       if (!r->assigned.empty() || r->waiting > 0) {
                         std::cout << "  new mqls assigned:";
                         for (const auto& [owner, n] : r->assigned) {
                           std::cout << " " << owner << " " << GroupThousands(n);
                         }
                         std::cout << "; waiting for an owner " << GroupThousands(r->waiting)
                                   << "\n";
                       }
                       if (!r->issues.empty()) std::cerr << r->issues.Messages();
                       return CommandResult{0};
                     });
                   }});
  }

  // stage
  {
    struct Options {
      Common common;
      std::string lead, to, by, reason, note, until, at;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("stage", "Move a lead to another stage (a person's move)");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--to", o->to, "Target stage")->required();
    cmd->add_option("--by", o->by, "Who moves it")->required();
    cmd->add_option("--reason", o->reason, "Reason code (needed for disqualified and lost)");
    cmd->add_option("--note", o->note, "A note for the log");
    cmd->add_option("--until", o->until, "recycled: when it returns (default: recycle_days)");
    cmd->add_option("--at", o->at, "When (default: now)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     service::StageRequest r;
                     if (!TimeOption("stage", "--at", o->at, r.at)) return CommandResult{2};
                     if (!o->until.empty()) {
                       TimePoint until;
                       if (!TimeOption("stage", "--until", o->until, until))
                         return CommandResult{2};
                       r.until = until;
                     }
                     r.lead_id = o->lead;
                     r.to = o->to;
                     r.by = o->by;
                     r.reason = o->reason;
                     r.note = o->note;
                     return WithWorkspace("stage", o->common, [&](service::Workspace& ws) {
                       Result<store::Transition> t = service::MoveStage(ws, r);
                       if (!t.ok()) return Fail("stage", t.status());
                       std::cout << "leadq stage: " << t->lead_id << " " << t->from_stage << " -> "
                                 << t->to_stage << " by " << t->actor
                                 << (t->reason.empty() ? "" : " (" + t->reason + ")")
                                 << (t->note.empty() ? "" : "; " + t->note) << "\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // qualify
  {
    struct Options {
      Common common;
      std::string lead, framework, evidence, source, by, at, expires;
      std::vector<std::string> sets;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "qualify", "Record framework answers (BANT, MEDDIC, CHAMP, custom) with evidence");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--framework", o->framework, "bant, meddic, champ or a model framework")
        ->required();
    cmd->add_option("--set", o->sets, "criterion=met|partial|unmet|unknown (repeatable)")
        ->required();
    cmd->add_option("--evidence", o->evidence, "What shows it (a quote, a document)");
    cmd->add_option("--source", o->source, "call, email, meeting, ...");
    cmd->add_option("--by", o->by, "Who answers")->required();
    cmd->add_option("--at", o->at, "When (default: now)");
    cmd->add_option("--expires", o->expires, "After this time the answer counts as unknown");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     service::QualifyRequest r;
                     if (!TimeOption("qualify", "--at", o->at, r.at)) return CommandResult{2};
                     if (!o->expires.empty()) {
                       TimePoint e;
                       if (!TimeOption("qualify", "--expires", o->expires, e)) {
                         return CommandResult{2};
                       }
                       r.expires_at = e;
                     }
                     for (const std::string& s : o->sets) {
                       size_t eq = s.find('=');
                       if (eq == std::string::npos) {
                         std::cerr << "leadq qualify: --set \"" << s
                                   << "\" must be criterion=value (budget=met)\n";
                         return CommandResult{2};
                       }
                       r.answers.emplace_back(s.substr(0, eq), s.substr(eq + 1));
                     }
                     r.lead_id = o->lead;
                     r.framework = o->framework;
                     r.evidence = o->evidence;
                     r.source = o->source;
                     r.by = o->by;
                     return WithWorkspace("qualify", o->common, [&](service::Workspace& ws) {
                       Result<std::string> text = service::Qualify(ws, r);
                       if (!text.ok()) return Fail("qualify", text.status());
                       std::cout << *text;
                       return CommandResult{0};
                     });
                   }});
  }

  // show
  {
    struct Options {
      Common common;
      std::string lead, as_of;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("show", "A lead's profile: fields, scores, stage, answers");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--as-of", o->as_of, "Explain the scores as of this time (default: now)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("show", "--as-of", o->as_of, as_of)) return CommandResult{2};
                     return WithWorkspace("show", o->common, [&](service::Workspace& ws) {
                       Result<std::string> text = service::ShowLead(ws, o->lead, as_of);
                       if (!text.ok()) return Fail("show", text.status());
                       std::cout << *text;
                       return CommandResult{0};
                     });
                   }});
  }

  // status
  {
    auto common = std::make_shared<Common>();
    CLI::App* cmd =
        app.add_subcommand("status", "The workspace at a glance: counts, model, stages");
    AddWorkspaceOption(cmd, *common);
    out.push_back({cmd, [common]() {
                     return WithWorkspace("status", *common, [&](service::Workspace& ws) {
                       Result<std::string> text = service::WorkspaceStatus(ws);
                       if (!text.ok()) return Fail("status", text.status());
                       std::cout << *text;
                       return CommandResult{0};
                     });
                   }});
  }

  // list
  {
    struct Options {
      Common common;
      std::string stage, action, grade, owner, search, sort = "-score", format = "table";
      size_t limit = 50;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("list", "List leads with their stage and latest score");
    cmd->add_option("--stage", o->stage, "Only this stage");
    cmd->add_option("--action", o->action, "Only this action");
    cmd->add_option("--grade", o->grade, "Only this grade cell (A1)");
    cmd->add_option("--owner", o->owner, "Only leads this owner works (open handoff)");
    cmd->add_option("--search", o->search,
                    "Only leads with this text (any case) in their id, fields, account id or "
                    "account's fields");
    cmd->add_option("--sort", o->sort, "score, -score (default), created, lead")
        ->check(CLI::IsMember({"score", "-score", "created", "lead"}));
    cmd->add_option("--limit", o->limit, "At most this many (default 50; 0: all)");
    cmd->add_option("--format", o->format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("list", o->common, [&](service::Workspace& ws) {
                       store::LeadQuery q;
                       q.stage = o->stage;
                       q.action = o->action;
                       q.cell = o->grade;
                       q.owner = o->owner;
                       q.text = o->search;
                       q.limit = o->limit;
                       q.sort = o->sort == "score"     ? store::LeadQuery::Sort::kScoreAsc
                                : o->sort == "created" ? store::LeadQuery::Sort::kCreated
                                : o->sort == "lead"    ? store::LeadQuery::Sort::kLeadId
                                                       : store::LeadQuery::Sort::kScoreDesc;
                       service::ListFormat f = o->format == "csv"    ? service::ListFormat::kCsv
                                               : o->format == "json" ? service::ListFormat::kJson
                                                                     : service::ListFormat::kTable;
                       Result<std::string> text = service::ListLeads(ws, q, f);
                       if (!text.ok()) return Fail("list", text.status());
                       std::cout << *text;
                       return CommandResult{0};
                     });
                   }});
  }
}

}  // namespace leadq::cli
