// Who may use the HTTP API: API tokens with a role (and, for sellers, the owner they act for),
// and the audit trail of what was done through the API. `leadq token` and the API's /tokens and
// /audit routes call these; the server calls Authenticate on each request it has not cached,
// and RecordUse and AppendAudit in batches from its background thread.
//
// A token's secret is "lq_" followed by 43 characters of base64url (32 random bytes from
// OpenSSL's RAND_bytes). It is shown once, when the token is made: the workspace keeps only its
// SHA-256 (store/hash.h), so a copy of leadq.db gives nobody access. Tokens are revoked, never
// deleted: a revoked token stops working and its name stays taken, so the audit trail's names
// keep meaning.
//
// Roles (api-contract.md): admin may do everything; ops everything but tokens and model changes;
// seller only its own leads (those whose open handoff's owner is the token's owner); ingest only
// posts events and leads. The server's route table decides what each role may call.
//
// Every function runs in a transaction of its own. Thread-safe as the Store is (any thread may
// call them at once).
//
// Example:
//   LEADQ_TRY(NewToken t, CreateToken(ws, "crm-sync", Role::kIngest, "", now));
//   std::cout << t.secret << "\n";  // shown once
//   LEADQ_TRY(std::optional<TokenInfo> who, Authenticate(*ws.store, t.secret));
//   // who->name == "crm-sync", who->role == Role::kIngest
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

enum class Role { kIngest, kSeller, kOps, kAdmin };

// "ingest", "seller", "ops", "admin".
std::string_view RoleName(Role role);
// The role of a name, ignoring case and surrounding spaces; nullopt for any other text.
std::optional<Role> ParseRole(std::string_view name);

// A token as the workspace knows it (never its secret).
struct TokenInfo {
  int64_t id = 0;
  std::string name;
  Role role = Role::kIngest;
  std::string owner;  // the owner_id a seller acts for; empty for none
  TimePoint created_at = 0;
  std::optional<TimePoint> revoked_at, last_used_at;
};

// A token just made, with the secret that is shown this once.
struct NewToken {
  TokenInfo info;
  std::string secret;
};

// Makes a token. `name`: 1 to 64 of A-Z a-z 0-9 . _ @ -, not digits only (those read as an id),
// and not taken by another token, revoked ones included. A seller needs an `owner` that exists
// in the workspace; other roles may have one (it must exist too) or none. Fails with
// InvalidInput saying which of these is wrong; Internal when the random generator fails.
Result<NewToken> CreateToken(Workspace& ws, const std::string& name, Role role,
                             const std::string& owner, TimePoint now);

// Every token, revoked ones included, oldest first.
Result<std::vector<TokenInfo>> ListTokens(Workspace& ws);

// What RevokeToken did: the token as it now is, and whether it had been revoked before this call
// (then nothing changed).
struct Revocation {
  TokenInfo token;
  bool already = false;
};

// Revokes the token with this id (digits) or name and returns it. Revoking a revoked token
// changes nothing (revoked_at stays the first revocation's; `already` says so). NotFound when
// there is no such token.
Result<Revocation> RevokeToken(Workspace& ws, const std::string& id_or_name, TimePoint now);

// The token whose secret this is; nullopt when the secret is unknown or the token revoked.
// Reads in its own transaction; fails only when the database does.
Result<std::optional<TokenInfo>> Authenticate(store::Store& store, std::string_view secret);

// Records when tokens were last used: (token id, time) pairs, one transaction for the batch; a
// use never moves last_used_at back. Fails when the database does (nothing is recorded then).
Status RecordUse(store::Store& store, const std::vector<std::pair<int64_t, TimePoint>>& uses);

// Appends entries to the audit trail in one transaction (all or none).
Status AppendAudit(store::Store& store, const std::vector<store::AuditEntry>& entries);

// A page of the audit trail, newest first:
// {"total":n,"items":[{"seq","at":"2026-03-01T09:30:00Z","token","method","path","status",
// "summary"}]}. `limit` 0 is all. Fails when the database does.
Result<nlohmann::ordered_json> AuditJson(Workspace& ws, size_t limit, size_t offset);

// {"id","name","role","owner","created_at","revoked_at","last_used_at"}: times as ISO 8601 UTC
// strings, null when not set; owner "" when none. Never the secret.
nlohmann::ordered_json TokenJson(const TokenInfo& token);

// The tokens as an aligned text table with a header line (ID NAME ROLE OWNER CREATED LAST USED
// REVOKED), "-" for what is not set; a hint to make one when there are none.
std::string TokenTable(const std::vector<TokenInfo>& tokens);

}  // namespace leadq::service
