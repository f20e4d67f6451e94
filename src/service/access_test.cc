// API tokens and the audit trail over a real workspace (a SQLite file in a temporary
// directory): what `leadq token` and the API's /tokens and /audit routes rely on.
#include "service/access.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"
#include "service/handoff.h"
#include "store/hash.h"

namespace leadq::service {
namespace {

namespace fs = std::filesystem;

TimePoint At(const char* iso) { return *ParseTimestamp(iso); }

const TimePoint kNow = At("2026-03-01T09:30:00Z");

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("leadq-access-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Result<Workspace> ws = InitWorkspace(dir_ / "ws");
    ASSERT_TRUE(ws.ok()) << ws.status().message();
    ws_ = std::move(*ws);
    store::Owner ana;
    ana.owner_id = "ana";
    ana.name = "Ana A";
    ana.weekly_capacity = 10;
    Result<store::Owner> added = AddOwner(ws_, ana, kNow);
    ASSERT_TRUE(added.ok()) << added.status().message();
  }
  void TearDown() override {
    ws_.store.reset();
    fs::remove_all(dir_);
  }

  NewToken Create(const std::string& name, Role role, const std::string& owner = "",
                  TimePoint at = kNow) {
    Result<NewToken> t = CreateToken(ws_, name, role, owner, at);
    EXPECT_TRUE(t.ok()) << name << ": " << t.status().message();
    return t.ok() ? *t : NewToken{};
  }

  fs::path dir_;
  Workspace ws_;
};

TEST(Roles, NamesRoundTripAndOtherWordsAreNoRole) {
  for (Role r : {Role::kIngest, Role::kSeller, Role::kOps, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r) << RoleName(r);
  }
  EXPECT_EQ(RoleName(Role::kOps), "ops");
  EXPECT_EQ(ParseRole(" Admin "), Role::kAdmin);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST_F(AccessTest, TokensAreCreatedListedAndRevokedByIdOrName) {
  NewToken admin = Create("t-admin", Role::kAdmin);
  NewToken seller = Create("ana@example.com", Role::kSeller, "ana", kNow + kMicrosPerSecond);
  NewToken feed = Create("crm.sync_1", Role::kIngest);

  // The secret: "lq_" and 43 characters of base64url (32 bytes * 4/3 = 42.7, rounded up), a new
  // one each time.
  for (const NewToken* t : {&admin, &seller, &feed}) {
    EXPECT_EQ(t->secret.size(), 46u) << t->secret;
    EXPECT_EQ(t->secret.rfind("lq_", 0), 0u) << t->secret;
    EXPECT_EQ(t->secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789-_",
                                          3),
              std::string::npos)
        << t->secret;
  }
  EXPECT_EQ(std::set<std::string>({admin.secret, seller.secret, feed.secret}).size(), 3u);
  EXPECT_EQ(seller.info.name, "ana@example.com");
  EXPECT_EQ(seller.info.role, Role::kSeller);
  EXPECT_EQ(seller.info.owner, "ana");
  EXPECT_EQ(seller.info.created_at, kNow + kMicrosPerSecond);
  EXPECT_LT(admin.info.id, seller.info.id);

  Result<std::vector<TokenInfo>> list = ListTokens(ws_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "t-admin");
  EXPECT_EQ((*list)[1].name, "ana@example.com");
  EXPECT_EQ((*list)[2].name, "crm.sync_1");
  EXPECT_EQ((*list)[2].role, Role::kIngest);
  EXPECT_FALSE((*list)[0].revoked_at.has_value());

  // By name, then by id; a second revocation keeps the first time.
  const TimePoint later = At("2026-03-02T10:00:00Z");
  Result<Revocation> revoked = RevokeToken(ws_, "crm.sync_1", later);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  EXPECT_EQ(revoked->token.id, feed.info.id);
  EXPECT_EQ(revoked->token.revoked_at, later);
  EXPECT_FALSE(revoked->already);
  // Again, even at the same moment: already revoked, nothing changed.
  revoked = RevokeToken(ws_, std::to_string(feed.info.id), later);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  EXPECT_TRUE(revoked->already);
  revoked = RevokeToken(ws_, std::to_string(feed.info.id), later + kMicrosPerDay);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  EXPECT_EQ(revoked->token.revoked_at, later);
  EXPECT_TRUE(revoked->already);
  revoked = RevokeToken(ws_, std::to_string(admin.info.id), later);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  EXPECT_EQ(revoked->token.name, "t-admin");

  Result<Revocation> unknown = RevokeToken(ws_, "nobody", later);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no API token \"nobody\" (see leadq token list)");
  EXPECT_EQ(RevokeToken(ws_, "999", later).status().code(), StatusCode::kNotFound);

  list = ListTokens(ws_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 3u);  // revoked tokens stay listed
  EXPECT_EQ((*list)[0].revoked_at, later);
  EXPECT_FALSE((*list)[1].revoked_at.has_value());
  EXPECT_EQ((*list)[2].revoked_at, later);
}

TEST_F(AccessTest, OnlyTheSecretOfALiveTokenAuthenticates) {
  NewToken seller = Create("t-ana", Role::kSeller, "ana");
  NewToken ops = Create("t-ops", Role::kOps);

  Result<std::optional<TokenInfo>> who = Authenticate(*ws_.store, seller.secret);
  ASSERT_TRUE(who.ok()) << who.status().message();
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ((*who)->name, "t-ana");
  EXPECT_EQ((*who)->role, Role::kSeller);
  EXPECT_EQ((*who)->owner, "ana");

  // Wrong secrets: another of the right shape, one character off, a prefix, nothing, not ours.
  std::string off = ops.secret;
  off.back() = off.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string("lq_") + std::string(43, 'x'), off, ops.secret.substr(0, 20), std::string(),
        std::string("lq_"), std::string("Bearer ") + ops.secret}) {
    Result<std::optional<TokenInfo>> none = Authenticate(*ws_.store, bad);
    ASSERT_TRUE(none.ok()) << none.status().message();
    EXPECT_FALSE(none->has_value()) << "\"" << bad << "\"";
  }

  // Revoked: the secret stops working; the other token goes on.
  ASSERT_TRUE(RevokeToken(ws_, "t-ana", kNow + 60 * kMicrosPerSecond).ok());
  who = Authenticate(*ws_.store, seller.secret);
  ASSERT_TRUE(who.ok()) << who.status().message();
  EXPECT_FALSE(who->has_value());
  who = Authenticate(*ws_.store, ops.secret);
  ASSERT_TRUE(who.ok()) << who.status().message();
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ((*who)->role, Role::kOps);
}

TEST_F(AccessTest, ASellerNeedsAnOwnerOfTheWorkspace) {
  Result<NewToken> none = CreateToken(ws_, "t-seller", Role::kSeller, "", kNow);
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(none.status().message().find("a seller token needs an owner"), std::string::npos)
      << none.status().message();

  Result<NewToken> unknown = CreateToken(ws_, "t-seller", Role::kSeller, "zed", kNow);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(unknown.status().message().find("no owner \"zed\""), std::string::npos)
      << unknown.status().message();

  // Other roles may name an owner (who must exist) or none.
  EXPECT_EQ(CreateToken(ws_, "t-ops", Role::kOps, "zed", kNow).status().code(),
            StatusCode::kInvalidInput);
  Create("t-ops", Role::kOps, "ana");
  Create("t-admin", Role::kAdmin);

  Result<std::vector<TokenInfo>> list = ListTokens(ws_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);  // the refused ones left nothing
  EXPECT_EQ((*list)[0].name, "t-ops");
  EXPECT_EQ((*list)[0].owner, "ana");
}

TEST_F(AccessTest, ANameIsTakenOnceAndMustBeAName) {
  Create("t-ops", Role::kOps);
  Result<NewToken> twice = CreateToken(ws_, "t-ops", Role::kAdmin, "", kNow);
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(twice.status().message().find("t-ops"), std::string::npos) << twice.status().message();
  // Still taken after a revocation: the audit trail names tokens.
  ASSERT_TRUE(RevokeToken(ws_, "t-ops", kNow).ok());
  EXPECT_EQ(CreateToken(ws_, "t-ops", Role::kOps, "", kNow).status().code(),
            StatusCode::kInvalidInput);

  for (const std::string& bad : {std::string(), std::string("has space"), std::string("a/b"),
                                 std::string(65, 'a'), std::string("123"), std::string("ünï")}) {
    Result<NewToken> t = CreateToken(ws_, bad, Role::kOps, "", kNow);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidInput) << "\"" << bad << "\"";
  }
  Create(std::string(64, 'a'), Role::kOps);  // 64 is the longest
  Create("1a", Role::kOps);                  // digits with a letter are a name
}

// Every byte of every file of the workspace directory (the database, its WAL, the models).
std::string WorkspaceBytes(const fs::path& dir) {
  std::string all;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

TEST_F(AccessTest, TheSecretIsNeverStoredOnlyItsHash) {
  NewToken admin = Create("t-admin", Role::kAdmin);
  NewToken seller = Create("t-ana", Role::kSeller, "ana");
  ASSERT_TRUE(RecordUse(*ws_.store, {{admin.info.id, kNow}}).ok());
  ASSERT_TRUE(RevokeToken(ws_, "t-ana", kNow).ok());

  std::string bytes = WorkspaceBytes(ws_.dir);
  for (const NewToken* t : {&admin, &seller}) {
    // The search does read the tokens: their hashes are there.
    EXPECT_NE(bytes.find(store::Sha256Hex(t->secret)), std::string::npos) << t->info.name;
    EXPECT_EQ(bytes.find(t->secret), std::string::npos) << t->info.name;
    EXPECT_EQ(bytes.find(t->secret.substr(3)), std::string::npos) << t->info.name;
  }
  // Nor does anything the service hands out carry it.
  Result<std::vector<TokenInfo>> list = ListTokens(ws_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  std::string shown = TokenTable(*list);
  for (const TokenInfo& t : *list) shown += TokenJson(t).dump();
  EXPECT_EQ(shown.find(admin.secret.substr(3)), std::string::npos) << shown;
  EXPECT_EQ(shown.find(seller.secret.substr(3)), std::string::npos) << shown;
}

TEST_F(AccessTest, UsesAreRecordedAndShownInTheTokensJson) {
  NewToken ops = Create("t-ops", Role::kOps);
  NewToken seller = Create("t-ana", Role::kSeller, "ana");
  const TimePoint first = At("2026-03-01T10:00:00Z");
  const TimePoint second = At("2026-03-01T11:15:30Z");
  ASSERT_TRUE(RecordUse(*ws_.store, {{ops.info.id, second}, {seller.info.id, first}}).ok());
  ASSERT_TRUE(RecordUse(*ws_.store, {{ops.info.id, first}}).ok());  // older: kept at `second`
  ASSERT_TRUE(RecordUse(*ws_.store, {}).ok());
  ASSERT_TRUE(RevokeToken(ws_, "t-ana", At("2026-03-02T08:00:00Z")).ok());

  Result<std::vector<TokenInfo>> list = ListTokens(ws_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(TokenJson((*list)[0]).dump(),
            "{\"id\":" + std::to_string(ops.info.id) +
                ",\"name\":\"t-ops\",\"role\":\"ops\",\"owner\":\"\","
                "\"created_at\":\"2026-03-01T09:30:00Z\",\"revoked_at\":null,"
                "\"last_used_at\":\"2026-03-01T11:15:30Z\"}");
  EXPECT_EQ(TokenJson((*list)[1]).dump(),
            "{\"id\":" + std::to_string(seller.info.id) +
                ",\"name\":\"t-ana\",\"role\":\"seller\",\"owner\":\"ana\","
                "\"created_at\":\"2026-03-01T09:30:00Z\",\"revoked_at\":\"2026-03-02T08:00:00Z\","
                "\"last_used_at\":\"2026-03-01T10:00:00Z\"}");

  // The table: one aligned line per token under a header, "-" for what is not set. Each column
  // is as wide as its widest cell plus two spaces (ROLE: "seller", 6 + 2).
  ASSERT_EQ(ops.info.id, 1);  // a fresh workspace numbers tokens from 1
  ASSERT_EQ(seller.info.id, 2);
  EXPECT_EQ(TokenTable(*list),
            "ID  NAME   ROLE    OWNER  CREATED               LAST USED             REVOKED\n"
            "1   t-ops  ops     -      2026-03-01T09:30:00Z  2026-03-01T11:15:30Z  -\n"
            "2   t-ana  seller  ana    2026-03-01T09:30:00Z  2026-03-01T10:00:00Z  "
            "2026-03-02T08:00:00Z\n");
  EXPECT_EQ(TokenTable({}),
            "no API tokens; make one with leadq token create --name NAME --role ROLE\n");
}

store::AuditEntry Entry(const char* at, std::string token, std::string method, std::string path,
                        int status, std::string summary) {
  store::AuditEntry e;
  e.at = At(at);
  e.token = std::move(token);
  e.method = std::move(method);
  e.path = std::move(path);
  e.status = status;
  e.summary = std::move(summary);
  return e;
}

TEST_F(AccessTest, TheAuditTrailComesBackNewestFirstInPages) {
  ASSERT_TRUE(AppendAudit(*ws_.store, {Entry("2026-03-01T09:00:00Z", "t-ingest", "POST",
                                             "/api/v1/events", 200, "events: 3 accepted"),
                                       Entry("2026-03-01T09:05:00Z", "t-ana", "POST",
                                             "/api/v1/leads/L1/stage", 409, "")})
                  .ok());
  ASSERT_TRUE(AppendAudit(*ws_.store, {}).ok());
  ASSERT_TRUE(AppendAudit(*ws_.store, {Entry("2026-03-01T09:10:00Z", "t-admin", "DELETE",
                                             "/api/v1/tokens/2", 200, "token revoke t-ana")})
                  .ok());

  Result<nlohmann::ordered_json> all = AuditJson(ws_, 0, 0);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ((*all)["total"], 3);
  ASSERT_EQ((*all)["items"].size(), 3u);
  EXPECT_EQ((*all)["items"][0].dump(),
            "{\"seq\":3,\"at\":\"2026-03-01T09:10:00Z\",\"token\":\"t-admin\",\"method\":"
            "\"DELETE\",\"path\":\"/api/v1/tokens/2\",\"status\":200,\"summary\":"
            "\"token revoke t-ana\"}");
  EXPECT_EQ((*all)["items"][1]["token"], "t-ana");
  EXPECT_EQ((*all)["items"][1]["status"], 409);
  EXPECT_EQ((*all)["items"][2]["summary"], "events: 3 accepted");
  EXPECT_EQ((*all)["items"][2]["seq"], 1);

  // limit 1 from offset 1: the second newest; the total is all of them.
  Result<nlohmann::ordered_json> page = AuditJson(ws_, 1, 1);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ((*page)["total"], 3);
  ASSERT_EQ((*page)["items"].size(), 1u);
  EXPECT_EQ((*page)["items"][0]["path"], "/api/v1/leads/L1/stage");
  page = AuditJson(ws_, 10, 3);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ((*page)["items"], nlohmann::ordered_json::array());
}

}  // namespace
}  // namespace leadq::service
