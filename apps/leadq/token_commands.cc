#include "token_commands.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli_support.h"
#include "core/time.h"
#include "service/access.h"

namespace leadq::cli {
namespace {

// Now, to the second: token times are read by people, in lists and in the audit trail.
TimePoint NowToTheSecond() { return Now() / kMicrosPerSecond * kMicrosPerSecond; }

}  // namespace

void AddTokenCommands(CLI::App& app, std::vector<Runnable>& out) {
  CLI::App* token = app.add_subcommand(
      "token", "API tokens for leadq serve: create (the secret is shown once), list, revoke");
  token->require_subcommand(1);

  // token create
  {
    struct Options {
      Common common;
      std::string name, role, owner;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = token->add_subcommand(
        "create", "Make a token and print its secret, once (only its hash is kept)");
    cmd->add_option("--name", o->name, "What the token is for: crm-sync, ana (A-Z a-z 0-9 . _ @ -)")
        ->required();
    cmd->add_option("--role", o->role,
                    "admin (everything), ops (all but tokens and models), seller (own leads), "
                    "ingest (post events and leads)")
        ->required();
    cmd->add_option("--owner", o->owner, "The owner id a seller acts for (required for seller)");
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     std::optional<service::Role> role = service::ParseRole(o->role);
                     if (!role) {
                       std::cerr << "leadq token create: --role \"" << o->role
                                 << "\" is not admin, ops, seller or ingest\n";
                       return CommandResult{kExitUsage};
                     }
                     return WithWorkspace("token create", o->common, [&](service::Workspace& ws) {
                       Result<service::NewToken> t =
                           service::CreateToken(ws, o->name, *role, o->owner, NowToTheSecond());
                       if (!t.ok()) return Fail("token create", t.status());
                       std::cerr << "leadq token create: token " << t->info.name << " (id "
                                 << t->info.id << ", " << service::RoleName(t->info.role)
                                 << (t->info.owner.empty() ? "" : " for " + t->info.owner)
                                 << "). Copy its secret now: it cannot be shown again (the "
                                    "workspace keeps only its hash).\n";
                       std::cout << t->secret << "\n";
                       return CommandResult{0};
                     });
                   }});
  }

  // token list
  {
    struct Options {
      Common common;
      std::string format = "table";
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = token->add_subcommand("list", "Tokens with their role, owner and last use");
    cmd->add_option("--format", o->format, "table (default) or json")
        ->check(CLI::IsMember({"table", "json"}));
    AddWorkspaceOption(cmd, o->common);
    out.push_back(
        {cmd, [o]() {
           return WithWorkspace("token list", o->common, [&](service::Workspace& ws) {
             Result<std::vector<service::TokenInfo>> tokens = service::ListTokens(ws);
             if (!tokens.ok()) return Fail("token list", tokens.status());
             if (o->format == "json") {
               nlohmann::ordered_json items = nlohmann::ordered_json::array();
               for (const service::TokenInfo& t : *tokens) {
                 items.push_back(service::TokenJson(t));
               }
               std::cout << nlohmann::ordered_json{{"items", std::move(items)}}.dump(2) << "\n";
             } else {
               std::cout << service::TokenTable(*tokens);
             }
             return CommandResult{0};
           });
         }});
  }

  // token revoke
  {
    struct Options {
      Common common;
      std::string token;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd =
        token->add_subcommand("revoke", "Revoke a token: it stops working at once (kept listed)");
    cmd->add_option("token", o->token, "The token's id or name")->required();
    AddWorkspaceOption(cmd, o->common);
    out.push_back({cmd, [o]() {
                     return WithWorkspace("token revoke", o->common, [&](service::Workspace& ws) {
                       const TimePoint now = NowToTheSecond();
                       Result<service::Revocation> r = service::RevokeToken(ws, o->token, now);
                       if (!r.ok()) return Fail("token revoke", r.status());
                       const service::TokenInfo* t = &r->token;
                       std::cout << "leadq token revoke: " << t->name << " (id " << t->id << ") "
                                 << (r->already ? "was revoked at " : "revoked at ")
                                 << FormatTimestamp(t->revoked_at.value_or(now)) << "\n";
                       return CommandResult{0};
                     });
                   }});
  }
}

}  // namespace leadq::cli
