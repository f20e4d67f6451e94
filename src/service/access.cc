#include "service/access.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/text.h"
#include "store/hash.h"

namespace leadq::service {
namespace {

using ojson = nlohmann::ordered_json;

constexpr Role kRoles[] = {Role::kIngest, Role::kSeller, Role::kOps, Role::kAdmin};
constexpr size_t kMaxNameLength = 64;
constexpr size_t kSecretBytes = 32;
constexpr std::string_view kSecretPrefix = "lq_";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status CheckName(const std::string& name) {
  if (name.empty()) return Status::Invalid("a token needs a name (what it is for: crm-sync, ana)");
  if (name.size() > kMaxNameLength || !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return Status::Invalid("token name \"" + name + "\": use 1 to " +
                           std::to_string(kMaxNameLength) + " of A-Z a-z 0-9 . _ @ -");
  }
  if (IsDigits(name)) {
    return Status::Invalid("token name \"" + name +
                           "\": digits alone would read as a token id; add a letter");
  }
  return Status::Ok();
}

// Unpadded base64url (RFC 4648 section 5): 32 bytes give 43 characters.
std::string Base64Url(const unsigned char* bytes, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t chunk = static_cast<uint32_t>(bytes[i]) << 16;
    if (i + 1 < n) chunk |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < n) chunk |= bytes[i + 2];
    const size_t chars = std::min<size_t>(n - i, 3) + 1;  // 1, 2, 3 bytes: 2, 3, 4 characters
    for (size_t k = 0; k < chars; ++k) out += kAlphabet[(chunk >> (18 - 6 * k)) & 63];
  }
  return out;
}

Result<std::string> NewSecret() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("the random generator (OpenSSL RAND_bytes) failed; no token was made");
  }
  return std::string(kSecretPrefix) + Base64Url(bytes.data(), bytes.size());
}

// The service's view of a stored token; Internal when its role is not one leadq knows (the
// database was edited by hand).
Result<TokenInfo> InfoOf(const store::ApiToken& t) {
  std::optional<Role> role = ParseRole(t.role);
  if (!role) {
    return Status::Internal("API token \"" + t.name + "\" has an unknown role \"" + t.role + "\"");
  }
  TokenInfo info;
  info.id = t.id;
  info.name = t.name;
  info.role = *role;
  info.owner = t.owner;
  info.created_at = t.created_at;
  info.revoked_at = t.revoked_at;
  info.last_used_at = t.last_used_at;
  return info;
}

ojson OptionalTime(const std::optional<TimePoint>& t) {
  return t ? ojson(FormatTimestamp(*t)) : ojson(nullptr);
}

std::string TimeOrDash(const std::optional<TimePoint>& t) {
  return t ? FormatTimestamp(*t) : std::string("-");
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kSeller:
      return "seller";
    case Role::kOps:
      return "ops";
    case Role::kAdmin:
      return "admin";
  }
  return "ingest";  // unreachable: every enumerator is handled above
}

std::optional<Role> ParseRole(std::string_view name) {
  std::string_view t = Trim(name);
  for (Role r : kRoles) {
    if (IEquals(t, RoleName(r))) return r;
  }
  return std::nullopt;
}

Result<NewToken> CreateToken(Workspace& ws, const std::string& name, Role role,
                             const std::string& owner, TimePoint now) {
  LEADQ_TRY(CheckName(name));
  if (role == Role::kSeller && owner.empty()) {
    return Status::Invalid("a seller token needs an owner: the owner_id whose leads it works (" +
                           name + ")");
  }
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  if (!owner.empty()) {
    LEADQ_TRY(std::optional<store::Owner> found, tx->GetOwner(owner));
    if (!found) {
      return Status::Invalid("no owner \"" + owner +
                             "\" in the workspace (add one with leadq owner add, or see leadq "
                             "owner list)");
    }
  }
  LEADQ_TRY(std::string secret, NewSecret());
  store::ApiToken row;
  row.name = name;
  row.role = std::string(RoleName(role));
  row.owner = owner;
  row.secret_hash = store::Sha256Hex(secret);
  row.created_at = now;
  LEADQ_TRY(row.id, tx->AddApiToken(row));
  LEADQ_TRY(tx->Commit());
  LEADQ_TRY(TokenInfo info, InfoOf(row));
  return NewToken{std::move(info), std::move(secret)};
}

Result<std::vector<TokenInfo>> ListTokens(Workspace& ws) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::ApiToken> rows, tx->ApiTokens());
  std::vector<TokenInfo> out;
  out.reserve(rows.size());
  for (const store::ApiToken& t : rows) {
    LEADQ_TRY(TokenInfo info, InfoOf(t));
    out.push_back(std::move(info));
  }
  return out;
}

Result<Revocation> RevokeToken(Workspace& ws, const std::string& id_or_name, TimePoint now) {
  std::string_view key = Trim(id_or_name);
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::ApiToken> rows, tx->ApiTokens());
  // Names are never digits alone (CheckName), so digits are an id.
  const bool by_id = IsDigits(key);
  auto it = std::find_if(rows.begin(), rows.end(), [&](const store::ApiToken& t) {
    return by_id ? std::to_string(t.id) == key : t.name == key;
  });
  if (it == rows.end()) {
    return Status::NotFound("no API token " +
                            (by_id ? std::string(key) : "\"" + std::string(key) + "\"") +
                            " (see leadq token list)");
  }
  Revocation r;
  r.already = it->revoked_at.has_value();
  if (!r.already) {
    LEADQ_TRY(tx->RevokeApiToken(it->id, now));
    LEADQ_TRY(tx->Commit());
    it->revoked_at = now;
  }
  LEADQ_TRY(r.token, InfoOf(*it));
  return r;
}

Result<std::optional<TokenInfo>> Authenticate(store::Store& store, std::string_view secret) {
  // Anything but a leadq secret is refused without a database read.
  if (secret.size() <= kSecretPrefix.size() ||
      secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return std::optional<TokenInfo>();
  }
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, store.Begin());
  LEADQ_TRY(std::optional<store::ApiToken> found, tx->FindApiTokenByHash(store::Sha256Hex(secret)));
  if (!found || found->revoked_at) return std::optional<TokenInfo>();
  Result<TokenInfo> info = InfoOf(*found);
  if (!info.ok()) return std::optional<TokenInfo>();  // a role leadq does not know grants nothing
  return std::optional<TokenInfo>(std::move(*info));
}

Status RecordUse(store::Store& store, const std::vector<std::pair<int64_t, TimePoint>>& uses) {
  if (uses.empty()) return Status::Ok();
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, store.Begin());
  LEADQ_TRY(tx->TouchApiTokens(uses));
  return tx->Commit();
}

Status AppendAudit(store::Store& store, const std::vector<store::AuditEntry>& entries) {
  if (entries.empty()) return Status::Ok();
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, store.Begin());
  LEADQ_TRY(tx->AppendAudit(entries));
  return tx->Commit();
}

Result<ojson> AuditJson(Workspace& ws, size_t limit, size_t offset) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(uint64_t total, tx->CountAudit());
  LEADQ_TRY(std::vector<store::AuditEntry> entries, tx->Audit(limit, offset));
  ojson items = ojson::array();
  for (const store::AuditEntry& e : entries) {
    items.push_back({{"seq", e.seq},
                     {"at", FormatTimestamp(e.at)},
                     {"token", e.token},
                     {"method", e.method},
                     {"path", e.path},
                     {"status", e.status},
                     {"summary", e.summary}});
  }
  ojson out;
  out["total"] = total;
  out["items"] = std::move(items);
  return out;
}

ojson TokenJson(const TokenInfo& token) {
  ojson out;
  out["id"] = token.id;
  out["name"] = token.name;
  out["role"] = std::string(RoleName(token.role));
  out["owner"] = token.owner;
  out["created_at"] = FormatTimestamp(token.created_at);
  out["revoked_at"] = OptionalTime(token.revoked_at);
  out["last_used_at"] = OptionalTime(token.last_used_at);
  return out;
}

std::string TokenTable(const std::vector<TokenInfo>& tokens) {
  if (tokens.empty()) {
    return "no API tokens; make one with leadq token create --name NAME --role ROLE\n";
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "ROLE", "OWNER", "CREATED", "LAST USED", "REVOKED"}};
  for (const TokenInfo& t : tokens) {
    rows.push_back({std::to_string(t.id), t.name, std::string(RoleName(t.role)),
                    t.owner.empty() ? "-" : t.owner, FormatTimestamp(t.created_at),
                    TimeOrDash(t.last_used_at), TimeOrDash(t.revoked_at)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out.append(widths[c] - row[c].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

}  // namespace leadq::service
