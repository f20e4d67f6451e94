#include "handoff_commands.h"

#include <csignal>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "core/text.h"
#include "server/webhook_sender.h"
#include "service/handoff.h"

namespace leadq::cli {
namespace {

struct OwnerOptions {
  Common common;
  std::string id, name, email, role, hours, tz, manager, active;
  std::optional<int64_t> capacity;
};

void AddOwnerFields(CLI::App* cmd, OwnerOptions& o) {
  cmd->add_option("id", o.id, "Owner id (what pools, --to and --owner name)")->required();
  cmd->add_option("--name", o.name, "Full name");
  cmd->add_option("--email", o.email, "Email");
  cmd->add_option("--role", o.role, "SDR, AE, ...");
  cmd->add_option("--capacity", o.capacity, "New leads per 7 days");
  cmd->add_option("--hours", o.hours,
                  "Working hours, e.g. \"mon-fri 09:00-17:00\" (default: always)");
  cmd->add_option("--tz", o.tz, "IANA time zone, e.g. Europe/Berlin (default UTC)");
  cmd->add_option("--manager", o.manager, "Owner id of the manager (escalations notify them)");
  AddWorkspaceOption(cmd, o.common);
}

void PrintOwner(std::string_view verb, const store::Owner& o) {
  std::cout << "leadq owner " << verb << ": " << o.owner_id << " ("
            << (o.role.empty() ? "-" : o.role) << "), capacity " << o.weekly_capacity
            << "/week, hours " << (o.working_hours.empty() ? "always" : o.working_hours) << " "
            << o.time_zone << (o.active ? "" : ", inactive") << "\n";
}

// "a, b,c" -> {"a", "b", "c"}, trimmed.
std::vector<std::string_view> SplitComma(std::string_view text) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    size_t comma = text.find(',');
    parts.push_back(Trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

}  // namespace

void AddHandoffCommands(CLI::App& app, std::vector<Runnable>& out) {
  // owner add | update | list
  CLI::App* owner = app.add_subcommand("owner", "People who work leads: add, update, list");
  owner->require_subcommand(1);
  {
    auto o = std::make_shared<OwnerOptions>();
    CLI::App* cmd = owner->add_subcommand("add", "Add an owner");
    AddOwnerFields(cmd, *o);
    out.push_back({cmd, [o]() {
                     store::Owner w;
                     w.owner_id = o->id;
                     w.name = o->name;
                     w.email = o->email;
                     w.role = o->role;
                     w.weekly_capacity = o->capacity.value_or(0);
                     w.working_hours = o->hours;
                     w.time_zone = o->tz.empty() ? "UTC" : o->tz;
                     w.manager = o->manager;
                     return WithWorkspace("owner add", o->common, [&](service::Workspace& ws) {
                       Result<store::Owner> r = service::AddOwner(ws, w, Now());
                       if (!r.ok()) return Fail("owner add", r.status());
                       PrintOwner("add", *r);
                       if (r->weekly_capacity == 0) {
                         std::cerr << "leadq owner add: capacity is 0: the rules give "
                                   << r->owner_id << " no leads (set --capacity)\n";
                       }
                       return CommandResult{0};
                     });
                   }});
  }
  {
    auto o = std::make_shared<OwnerOptions>();
    CLI::App* cmd = owner->add_subcommand("update", "Change an owner (only the options given)");
    AddOwnerFields(cmd, *o);
    cmd->add_option("--active", o->active, "true or false")
        ->check(CLI::IsMember({"true", "false"}));
    out.push_back({cmd, [o, cmd]() {
                     service::OwnerPatch p;
                     auto given = [&](const char* name) { return cmd->count(name) > 0; };
                     if (given("--name")) p.name = o->name;
                     if (given("--email")) p.email = o->email;
                     if (given("--role")) p.role = o->role;
                     if (given("--hours")) p.working_hours = o->hours;
                     if (given("--tz")) p.time_zone = o->tz;
                     if (given("--manager")) p.manager = o->manager;
                     if (o->capacity) p.weekly_capacity = *o->capacity;
                     if (given("--active")) p.active = o->active == "true";
                     return WithWorkspace("owner update", o->common, [&](service::Workspace& ws) {
                       Result<store::Owner> r = service::UpdateOwner(ws, o->id, p, Now());
                       if (!r.ok()) return Fail("owner update", r.status());
                       PrintOwner("update", *r);
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      std::string as_of, format = "table";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = owner->add_subcommand("list", "Owners with their load this week");
    cmd->add_option("--as-of", o->as_of, "Count the load as of this time (default: now)");
    AddFormatOption(cmd, o->format);
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("owner list", "--as-of", o->as_of, as_of))
                       return CommandResult{2};
                     return WithWorkspace("owner list", o->common, [&](service::Workspace& ws) {
                       return PrintOr("owner list",
                                      service::ListOwners(ws, as_of, FormatOf(o->format)));
                     });
                   }});
  }

  // assign
  {
    struct Options {
      Common common;
      std::string lead, to, by, at;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "assign", "Assign a lead now: to an owner, or by the model's rules (reassigns)");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--to", o->to, "Owner id (default: the model's assignment rules)");
    cmd->add_option("--by", o->by, "Who assigns (default: $LEADQ_USER or $USER)");
    cmd->add_option("--at", o->at, "When (default: now); the response clock starts then");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     service::AssignRequest r;
                     if (!TimeOption("assign", "--at", o->at, r.at)) return CommandResult{2};
                     r.lead_id = o->lead;
                     r.to = o->to;
                     r.by = service::ResolveActor(o->by);
                     return WithWorkspace("assign", o->common, [&](service::Workspace& ws) {
                       Result<service::AssignOutcome> a = service::AssignLead(ws, r);
                       if (!a.ok()) return Fail("assign", a.status());
                       std::cout << "leadq assign: " << a->lead_id << " -> " << a->owner_id << " ("
                                 << a->why << ")";
                       if (a->due_at) {
                         std::cout << "; first touch due " << FormatTimestamp(*a->due_at) << " ("
                                   << a->sla_rule << ")";
                       }
                       std::cout << "\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // handoff
  {
    struct Options {
      Common common;
      std::string lead, as_of;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "handoff", "The handoff packet: who, why, what is known and missing, the next step");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--as-of", o->as_of, "As of this time (default: now)");
    cmd->add_flag("--json", o->json, "JSON (the body of the assignment webhook's data)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("handoff", "--as-of", o->as_of, as_of))
                       return CommandResult{2};
                     return WithWorkspace("handoff", o->common, [&](service::Workspace& ws) {
                       if (o->json) {
                         Result<nlohmann::ordered_json> j =
                             service::HandoffPacketJson(ws, o->lead, as_of);
                         if (!j.ok()) return Fail("handoff", j.status());
                         std::cout << j->dump(2) << "\n";
                         return CommandResult{0};
                       }
                       return PrintOr("handoff", service::HandoffPacketText(ws, o->lead, as_of));
                     });
                   }});
  }

  // sla
  {
    struct Options {
      Common common;
      std::string as_of, format = "table";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "sla", "Response clocks: open ones with time left, breaches, time to first touch");
    cmd->add_option("--as-of", o->as_of, "As of this time (default: now)");
    AddFormatOption(cmd, o->format);
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("sla", "--as-of", o->as_of, as_of)) return CommandResult{2};
                     return WithWorkspace("sla", o->common, [&](service::Workspace& ws) {
                       return PrintOr("sla", service::SlaReport(ws, as_of, FormatOf(o->format)));
                     });
                   }});
  }

  // tick
  {
    struct Options {
      Common common;
      std::string as_of;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "tick", "Apply what time decides: breaches, escalations, ended cadences, waiting mqls");
    cmd->add_option("--as-of", o->as_of, "As of this time (default: now)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("tick", "--as-of", o->as_of, as_of)) return CommandResult{2};
                     return WithWorkspace("tick", o->common, [&](service::Workspace& ws) {
                       Result<service::TickReport> r = service::Tick(ws, as_of);
                       if (!r.ok()) return Fail("tick", r.status());
                       for (const std::string& line : r->lines) std::cout << "  " << line << "\n";
                       std::cout << "leadq tick: as of " << FormatTimestamp(as_of) << ": "
                                 << r->breaches << " breached, " << r->notified << " notified, "
                                 << r->reassigned << " reassigned, " << r->recycled
                                 << " recycled (unresponsive), " << r->assigned << " assigned, "
                                 << r->waiting << " mqls waiting for an owner\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // touch
  {
    struct Options {
      Common common;
      std::string lead, channel, outcome, by, at, note;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("touch", "Record a contact attempt with a lead");
    cmd->add_option("lead", o->lead, "Lead id")->required();
    cmd->add_option("--channel", o->channel, "email, call, linkedin or meeting")->required();
    cmd->add_option("--outcome", o->outcome,
                    "sent, no_answer, voicemail, connected, replied, bounced, opted_out, "
                    "meeting_booked, held")
        ->required();
    cmd->add_option("--by", o->by, "Who touched it")->required();
    cmd->add_option("--at", o->at, "When (default: now)");
    cmd->add_option("--note", o->note, "A note");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     service::TouchRequest r;
                     if (!TimeOption("touch", "--at", o->at, r.at)) return CommandResult{2};
                     r.lead_id = o->lead;
                     r.channel = o->channel;
                     r.outcome = o->outcome;
                     r.by = o->by;
                     r.note = o->note;
                     return WithWorkspace("touch", o->common, [&](service::Workspace& ws) {
                       return PrintOr("touch", service::RecordTouch(ws, r));
                     });
                   }});
  }

  // queue
  {
    struct Options {
      Common common;
      std::string owner, as_of, format = "table";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("queue", "An owner's work list, most urgent first");
    cmd->add_option("--owner", o->owner, "Owner id")->required();
    cmd->add_option("--as-of", o->as_of, "As of this time (default: now)");
    AddFormatOption(cmd, o->format);
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     TimePoint as_of;
                     if (!TimeOption("queue", "--as-of", o->as_of, as_of)) return CommandResult{2};
                     return WithWorkspace("queue", o->common, [&](service::Workspace& ws) {
                       return PrintOr("queue",
                                      service::Queue(ws, o->owner, as_of, FormatOf(o->format)));
                     });
                   }});
  }

  // webhook add | list | remove | test | deliver
  CLI::App* webhook =
      app.add_subcommand("webhook", "CRM webhooks: add, list, remove, test, deliver");
  webhook->require_subcommand(1);
  {
    struct Options {
      Common common;
      std::string url, secret, kinds;
      int64_t max_attempts = 8;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = webhook->add_subcommand("add", "Subscribe a URL to kinds of events");
    cmd->add_option("url", o->url, "http:// or https:// URL")->required();
    cmd->add_option("--secret", o->secret, "Secret for the HMAC-SHA256 signature")->required();
    cmd->add_option("--kinds", o->kinds,
                    "Comma-separated: transition, assignment, sla_breach, touch (default: all)");
    cmd->add_option("--max-attempts", o->max_attempts,
                    "Failed attempts before a message is dead (default 8)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     Result<server::WebhookUrl> url = server::ParseWebhookUrl(o->url);
                     if (!url.ok()) return Fail("webhook add", url.status());
                     store::Webhook hook;
                     hook.url = o->url;
                     hook.secret = o->secret;
                     hook.max_attempts = o->max_attempts;
                     for (std::string_view part : SplitComma(o->kinds)) {
                       if (!part.empty()) hook.kinds.emplace_back(part);
                     }
                     return WithWorkspace("webhook add", o->common, [&](service::Workspace& ws) {
                       Result<store::Webhook> h = service::AddWebhook(ws, hook, Now());
                       if (!h.ok()) return Fail("webhook add", h.status());
                       std::cout << "leadq webhook add: webhook " << h->id << " -> " << h->url
                                 << " for";
                       for (const std::string& k : h->kinds) std::cout << " " << k;
                       std::cout << "\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    auto common = std::make_shared<Common>();
    CLI::App* cmd = webhook->add_subcommand("list", "Webhooks with their message counts");
    AddWorkspaceOption(cmd, *common);
    out.push_back({cmd, [common]() {
                     return WithWorkspace("webhook list", *common, [&](service::Workspace& ws) {
                       return PrintOr("webhook list", service::ListWebhooks(ws));
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      int64_t id = 0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = webhook->add_subcommand(
        "remove", "Remove a webhook and its pending messages (delivered and dead ones stay)");
    cmd->add_option("id", o->id, "Webhook id")->required();
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("webhook remove", o->common, [&](service::Workspace& ws) {
                       Status s = service::RemoveWebhook(ws, o->id);
                       if (!s.ok()) return Fail("webhook remove", s);
                       std::cout << "leadq webhook remove: webhook " << o->id << " removed\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      int64_t id = 0;
      int64_t timeout = 10;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = webhook->add_subcommand("test", "Send a signed ping to a webhook now");
    cmd->add_option("id", o->id, "Webhook id")->required();
    cmd->add_option("--timeout", o->timeout, "Seconds to wait for an answer (default 10)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     std::signal(SIGPIPE, SIG_IGN);
                     return WithWorkspace("webhook test", o->common, [&](service::Workspace& ws) {
                       Result<store::Webhook> hook = service::GetWebhook(ws, o->id);
                       if (!hook.ok()) return Fail("webhook test", hook.status());
                       Result<server::TestResult> r =
                           server::SendTestMessage(*hook, Now(), o->timeout);
                       if (!r.ok()) return Fail("webhook test", r.status());
                       if (!r->delivered) {
                         std::cerr << "leadq webhook test: " << hook->url << ": " << r->error
                                   << "\n";
                         return CommandResult{kExitInput};
                       }
                       std::cout << "leadq webhook test: " << hook->url << " answered HTTP "
                                 << r->http_status << " in " << r->elapsed_us / 1000 << " ms\n";
                       return CommandResult{0};
                     });
                   }});
  }
  {
    struct Options {
      Common common;
      std::string as_of;
      int64_t timeout = 10;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = webhook->add_subcommand(
        "deliver", "Send the outbox's due messages (retries with backoff, then dead)");
    cmd->add_option("--as-of", o->as_of, "The sender's clock (default: now)");
    cmd->add_option("--timeout", o->timeout, "Seconds to wait for each answer (default 10)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back(
        {cmd, [o]() {
           std::signal(SIGPIPE, SIG_IGN);
           TimePoint now;
           if (!TimeOption("webhook deliver", "--as-of", o->as_of, now)) {
             return CommandResult{2};
           }
           return WithWorkspace("webhook deliver", o->common, [&](service::Workspace& ws) {
             server::DeliveryOptions options;
             options.timeout_seconds = o->timeout;
             options.lease_seconds = std::max<int64_t>(120, 2 * o->timeout);
             Result<server::DeliveryReport> r = server::DeliverDue(*ws.store, now, options);
             if (!r.ok()) return Fail("webhook deliver", r.status());
             for (const server::DeliveryFailure& f : r->failures) {
               std::cerr << "  message " << f.seq << " to " << f.url << ": " << f.error
                         << (f.dead ? " (dead)" : " (will retry)") << "\n";
             }
             std::cout << "leadq webhook deliver: " << r->attempted << " sent, " << r->delivered
                       << " delivered, " << r->failed << " to retry, " << r->dead << " dead\n";
             return CommandResult{0};
           });
         }});
  }
}

}  // namespace leadq::cli
