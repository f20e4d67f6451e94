// The Store conformance suite run against SQLite, and what is particular to the SQLite store:
// opening, migrations, WAL, the physical schema.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/hash.h"
#include "store/store_conformance.h"

namespace leadq::store {
namespace {

using conformance::At;
using conformance::Event;
using conformance::Lead;
using conformance::StoreFactory;

// A directory of this test's own: ctest runs tests in parallel processes that share TempDir().
std::filesystem::path TestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "global";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                              ("leadq-store-" + std::to_string(::getpid()) + "-" + name);
  // The first use in this process empties what an earlier run with the same process id left.
  static std::mutex mu;
  static std::set<std::string> cleaned;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (cleaned.insert(name).second) std::filesystem::remove_all(dir);
  }
  std::filesystem::create_directories(dir);
  return dir;
}

std::unique_ptr<Store> MakeSqliteStore() {
  static std::atomic<int> counter{0};
  std::filesystem::path path =
      TestDir() / ("ws" + std::to_string(counter.fetch_add(1))) / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, /*create=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

}  // namespace

namespace conformance {
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreFactory{"sqlite", MakeSqliteStore}),
                         StoreFactoryName);
}  // namespace conformance

namespace {

// Runs one query on the database file directly and returns its rows as "a|b\n" text.
std::string Query(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::string out;
  if (rc != SQLITE_OK) {
    out = std::string("open failed: ") + sqlite3_errstr(rc);
  } else {
    char* error = nullptr;
    rc = sqlite3_exec(
        raw, sql.c_str(),
        [](void* text, int n, char** values, char**) {
          std::string& o = *static_cast<std::string*>(text);
          for (int i = 0; i < n; ++i) {
            o += (i ? "|" : "");
            o += values[i] ? values[i] : "NULL";
          }
          o += "\n";
          return 0;
        },
        &out, &error);
    if (rc != SQLITE_OK) out = "error: " + std::string(error ? error : "?");
    sqlite3_free(error);
  }
  sqlite3_close_v2(raw);
  return out;
}

TEST(SqliteStore, OpeningAMissingWorkspaceWithoutCreateIsNotFound) {
  std::filesystem::path dir = TestDir() / "ws";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(dir / "leadq.db", /*create=*/false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.status().message(),
            "no workspace at " + dir.string() + ": run leadq init " + dir.string());
  EXPECT_FALSE(std::filesystem::exists(dir / "leadq.db"));
}

TEST(SqliteStore, CreateMakesAWalDatabaseAtTheCurrentSchemaVersion) {
  std::filesystem::path db = TestDir() / "new" / "dir" / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, /*create=*/true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->Describe(), "sqlite:" + db.string());
  EXPECT_EQ(Query(db, "PRAGMA journal_mode"), "wal\n");
  EXPECT_EQ(Query(db, "SELECT max(version) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()) + "\n");
  EXPECT_GE(SqliteSchemaVersion(), 1);
}

TEST(SqliteStore, ReopeningKeepsDataAndAppliesNothingTwice) {
  std::filesystem::path db = TestDir() / "leadq.db";
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
    ASSERT_TRUE(store.ok()) << store.status().message();
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    WriteStats stats;
    ASSERT_TRUE((*tx)
                    ->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {{"company", "Acme"}})},
                                  At(0), "import", stats)
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, /*create=*/false);
    ASSERT_TRUE(store.ok()) << store.status().message();
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    Result<std::vector<Field>> fields = (*tx)->LeadFields("L1");
    ASSERT_TRUE(fields.ok()) << fields.status().message();
    ASSERT_EQ(fields->size(), 1u);
    EXPECT_EQ((*fields)[0].value, "Acme");
  }
  EXPECT_EQ(Query(db, "SELECT count(*) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()) + "\n");
}

TEST(SqliteStore, OpeningAppliesNewMigrationsAndANewerSchemaIsRefused) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> current = internal::SqliteMigrations();
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
    ASSERT_TRUE(store.ok()) << store.status().message();
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    WriteStats stats;
    ASSERT_TRUE(
        (*tx)
            ->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {})}, At(0), "x", stats)
            .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  // A later build with one more migration upgrades the file on open.
  std::vector<internal::Migration> later(current.begin(), current.end());
  later.push_back({"lead owners",
                   "ALTER TABLE leads ADD COLUMN owner TEXT;"
                   "UPDATE leads SET owner = 'nobody';"});
  {
    Result<std::unique_ptr<Store>> store =
        internal::OpenSqliteStoreWithMigrations(db, false, later);
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  std::string v = std::to_string(current.size() + 1);
  EXPECT_EQ(Query(db, "SELECT max(version), count(*) FROM schema_migrations"), v + "|" + v + "\n");
  EXPECT_EQ(Query(db, "SELECT lead_id, owner FROM leads"), "L1|nobody\n");

  // This build does not know that version: it refuses the file and leaves it alone.
  Result<std::unique_ptr<Store>> old = OpenSqliteStore(db, false);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(old.status().message(),
            "sqlite:" + db.string() + ": the workspace has schema version " + v +
                " but this leadq knows versions up to " + std::to_string(current.size()) +
                ": it was written by a newer leadq; use that version or a later one");
  EXPECT_EQ(Query(db, "SELECT max(version) FROM schema_migrations"), v + "\n");
}

TEST(SqliteStore, AVersion1WorkspaceIsUpgradedWithItsDataIntact) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> all = internal::SqliteMigrations();
  ASSERT_GE(all.size(), 2u);
  ASSERT_TRUE(internal::OpenSqliteStoreWithMigrations(db, true, all.first(1)).ok());
  // Rows as a build of schema version 1 wrote them.
  std::string t = std::to_string(At(0));
  EXPECT_EQ(Query(db,
                  "INSERT INTO leads(lead_id, account_id, created_at, updated_at) "
                  "VALUES('L1', 'A1', " +
                      t + ", " + t +
                      ");"
                      "INSERT INTO lead_state(lead_id, stage, stage_since) "
                      "VALUES('L1', 'mql', " +
                      t +
                      ");"
                      "INSERT INTO transitions(lead_id, from_stage, to_stage, at, actor, "
                      "model_version, reason, note) VALUES('L1', '', 'new', " +
                      t +
                      ", 'import', 0, '', '');"
                      "INSERT INTO transitions(lead_id, from_stage, to_stage, at, actor, "
                      "model_version, reason, note, s_model_version, s_as_of, s_fit, s_intent, "
                      "s_negative, s_score, s_fit_grade, s_intent_grade, s_action, s_reason) "
                      "VALUES('L1', 'new', 'mql', " +
                      t + ", 'rule:auto', 1, 'score', '', 1, " + t +
                      ", 30, 40, 0, 70, 'A', '1', 'call', 'fit A');"
                      "INSERT INTO scores(lead_id, model_version, as_of, fit, intent, negative, "
                      "score, fit_grade, intent_grade, action, reason) VALUES('L1', 1, " +
                      t +
                      ", 30, 40, 0, 70, 'A', '1', 'call', 'fit A');"
                      "INSERT INTO outcomes(deal_id, account_id, status, lost_reason) "
                      "VALUES('D1', 'A1', 'lost', 'timing');"),
            "");
  EXPECT_EQ(Query(db, "SELECT max(version) FROM schema_migrations"), "1\n");

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Query(db, "SELECT version, description FROM schema_migrations ORDER BY version"),
            "1|workspace tables\n2|handoff tables\n3|deal owners\n4|trade\n"
            "5|api tokens and audit trail\n6|pipeline count indexes\n7|events in blocks\n"
            "8|shipments in blocks\n");
  EXPECT_EQ(Query(db,
                  "SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN "
                  "('owners', 'handoffs', 'touches', 'webhooks', 'outbox') ORDER BY name"),
            "handoffs\noutbox\nowners\ntouches\nwebhooks\n");
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  Result<std::optional<ScoreRecord>> score = (*tx)->GetScore("L1");
  ASSERT_TRUE(score.ok()) << score.status().message();
  ASSERT_TRUE(score->has_value());
  EXPECT_EQ((*score)->score, 70);
  EXPECT_EQ((*score)->reason, "fit A");
  EXPECT_EQ((*score)->channel, "") << "scores of version 1 have no channel";
  Result<std::vector<Transition>> history = (*tx)->History("L1");
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->size(), 2u);
  ASSERT_TRUE((*history)[1].scores.has_value());
  EXPECT_EQ((*history)[1].scores->action, "call");
  EXPECT_EQ((*history)[1].scores->channel, "");
  Result<std::vector<OutcomeRow>> deals = (*tx)->Outcomes();
  ASSERT_TRUE(deals.ok()) << deals.status().message();
  ASSERT_EQ(deals->size(), 1u);
  EXPECT_EQ((*deals)[0].lost_reason, "timing");
  EXPECT_EQ((*deals)[0].owner, "") << "deals of versions 1 and 2 have no owner";

  // The new tables work with the old rows.
  Owner ana;
  ana.owner_id = "ana";
  ASSERT_TRUE((*tx)->UpsertOwner(ana, At(1)).ok());
  Handoff h;
  h.lead_id = "L1";
  h.account_id = "A1";
  h.owner_id = "ana";
  h.assigned_at = At(1);
  ASSERT_TRUE((*tx)->AddHandoff(h).ok());
  LeadQuery by_ana;
  by_ana.owner = "ana";
  Result<std::vector<LeadSummary>> leads = (*tx)->ListLeads(by_ana);
  ASSERT_TRUE(leads.ok()) << leads.status().message();
  ASSERT_EQ(leads->size(), 1u);
  EXPECT_EQ((*leads)[0].lead_id, "L1");
  EXPECT_EQ((*leads)[0].stage, "mql");
  EXPECT_EQ((*leads)[0].owner, "ana");
  ScoreRecord rescored = **score;
  rescored.channel = "partner";
  ASSERT_TRUE((*tx)->WriteScores(std::vector<ScoreRecord>{rescored}).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(Query(db, "SELECT lead_id, channel FROM scores"), "L1|partner\n");
  EXPECT_EQ(Query(db, "PRAGMA foreign_key_check"), "");
}

TEST(SqliteStore, AVersion3WorkspaceGainsTheTradeTablesWithItsDataIntact) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> all = internal::SqliteMigrations();
  ASSERT_GE(all.size(), 4u);
  {
    Result<std::unique_ptr<Store>> v3 =
        internal::OpenSqliteStoreWithMigrations(db, true, all.first(3));
    ASSERT_TRUE(v3.ok()) << v3.status().message();
    Result<std::unique_ptr<Transaction>> tx = (*v3)->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    WriteStats stats;
    ASSERT_TRUE((*tx)
                    ->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {{"company", "Acme"}})},
                                  At(0), "import", stats)
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Query(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'shipments'"), "0\n");

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Query(db, "SELECT version, description FROM schema_migrations WHERE version = 4"),
            "4|trade\n");
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  Result<std::vector<Field>> fields = (*tx)->LeadFields("L1");
  ASSERT_TRUE(fields.ok()) << fields.status().message();
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ((*fields)[0].value, "Acme");
  ShipmentRow row = conformance::Shipment("MAEU1", "870830", 3, "ACME");
  WriteStats stats;
  ASSERT_TRUE((*tx)->UpsertShipments(std::vector<ShipmentRow>{row}, stats).ok());
  ASSERT_TRUE((*tx)->AddTradeRule(conformance::Rule("merge", "ACME", "ACME INC", At(1))).ok());
  ASSERT_TRUE((*tx)->PutBuyerNote(conformance::Note("US", "ACME", "access", "yes", At(1))).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(Query(db, "SELECT count(*), sum(lines) FROM shipment_blocks"), "1|1\n");
  EXPECT_EQ(Query(db, "SELECT kind, a, b FROM trade_rules"), "merge|ACME|ACME INC\n");
  EXPECT_EQ(Query(db, "SELECT country, spelling, kind, value FROM buyer_notes"),
            "US|ACME|access|yes\n");
}

TEST(SqliteStore, AVersion4WorkspaceGainsTheTokenAndAuditTablesWithItsDataIntact) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> all = internal::SqliteMigrations();
  ASSERT_GE(all.size(), 5u);
  {
    Result<std::unique_ptr<Store>> v4 =
        internal::OpenSqliteStoreWithMigrations(db, true, all.first(4));
    ASSERT_TRUE(v4.ok()) << v4.status().message();
    Result<std::unique_ptr<Transaction>> tx = (*v4)->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    ASSERT_TRUE((*tx)->UpsertOwner(conformance::MakeOwner("ana", "Ana A"), At(0)).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Query(db,
                  "SELECT count(*) FROM sqlite_schema WHERE name IN ('api_tokens', "
                  "'audit_log')"),
            "0\n");

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, /*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Query(db, "SELECT version, description FROM schema_migrations WHERE version = 5"),
            "5|api tokens and audit trail\n");
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  Result<std::optional<Owner>> ana = (*tx)->GetOwner("ana");
  ASSERT_TRUE(ana.ok()) << ana.status().message();
  ASSERT_TRUE(ana->has_value());
  ASSERT_TRUE((*tx)->AddApiToken(conformance::MakeApiToken("t-ana", "seller", "ana", At(1))).ok());
  ASSERT_TRUE((*tx)
                  ->AppendAudit(std::vector<AuditEntry>{conformance::MakeAudit(
                      At(2), "t-ana", "POST", "/api/v1/leads/L1/touches", 201, "touch L1")})
                  .ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  // Only the hash of a secret is in the database; an owner-less token stores '' (not NULL).
  EXPECT_EQ(Query(db, "SELECT name, role, owner, length(secret_hash), revoked_at FROM api_tokens"),
            "t-ana|seller|ana|64|NULL\n");
  EXPECT_EQ(Query(db, "SELECT token, method, path, status, summary FROM audit_log"),
            "t-ana|POST|/api/v1/leads/L1/touches|201|touch L1\n");
}

// The block ids of a day (shipment_blocks.h): day * 65,536 + segment.
std::string BlockId(int64_t day, int64_t segment) {
  return std::to_string(shipblocks::DayOf(At(0) + day * kMicrosPerDay) * 65536 + segment);
}

TEST(SqliteStore, ShipmentsArePackedByArrivalDayWithTheirKeysInBuckets) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  // 2,500 lines on day 3 (three segments: 1,024, 1,024 and 452), one on day 1.
  std::vector<ShipmentRow> rows;
  for (int i = 0; i < 2500; ++i) {
    rows.push_back(conformance::Shipment("B" + std::to_string(10000 + i), "870830", 3, "ACME"));
  }
  rows.push_back(conformance::Shipment("EARLY", "8708", 1, "ACME"));
  {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    WriteStats stats;
    ASSERT_TRUE((*tx)->UpsertShipments(rows, stats).ok());
    EXPECT_EQ(stats.inserted, 2501u);
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Query(db, "SELECT id, lines FROM shipment_blocks ORDER BY id"),
            BlockId(1, 0) + "|1\n" + BlockId(3, 0) + "|1024\n" + BlockId(3, 1) + "|1024\n" +
                BlockId(3, 2) + "|452\n");
  // Every key in a bucket (2,501 hashes over 65,536 buckets: a few share one).
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  {
    std::string keys = Query(db, "SELECT hex(data) FROM shipment_keys");
    size_t entries = 0;
    std::string line;
    std::istringstream in(keys);
    while (std::getline(in, line)) {
      std::string bytes;
      for (size_t k = 0; k + 1 < line.size(); k += 2) {
        bytes.push_back(static_cast<char>(std::stoi(line.substr(k, 2), nullptr, 16)));
      }
      std::vector<shipblocks::KeyEntry> decoded;
      ASSERT_TRUE(shipblocks::DecodeKeyBucket(bytes, decoded).ok());
      entries += decoded.size();
    }
    EXPECT_EQ(entries, 2501u);
  }

  // 600 lines of day 3 move to day 2: day 3 is written again in two segments, the third goes.
  std::vector<ShipmentRow> moved(rows.begin(), rows.begin() + 600);
  for (ShipmentRow& r : moved) r.arrival -= kMicrosPerDay;
  WriteStats stats;
  ASSERT_TRUE((*tx)->UpsertShipments(moved, stats).ok());
  EXPECT_EQ(stats.updated, 600u);
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(Query(db, "SELECT id, lines FROM shipment_blocks ORDER BY id"),
            BlockId(1, 0) + "|1\n" + BlockId(2, 0) + "|600\n" + BlockId(3, 0) + "|1024\n" +
                BlockId(3, 1) + "|876\n");
  tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  Result<uint64_t> count = (*tx)->CountShipments();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2501u);
  // The moved keys are found on their new day: the same lines again change nothing.
  stats = {};
  ASSERT_TRUE((*tx)->UpsertShipments(moved, stats).ok());
  EXPECT_EQ(stats.unchanged, 600u);
  ASSERT_TRUE((*tx)->Commit().ok());
}

TEST(SqliteStore, ShipmentRowsOfVersion7MoveIntoBlocks) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> all = internal::SqliteMigrations();
  ASSERT_GE(all.size(), 8u);
  ASSERT_TRUE(internal::OpenSqliteStoreWithMigrations(db, true, all.first(7)).ok());
  auto day = [](int d) { return std::to_string(At(0) + d * kMicrosPerDay); };
  EXPECT_EQ(Query(db,
                  "INSERT INTO shipments(arrival, bol_number, hs_code, consignee_name, "
                  "shipper_name, consignee_country, weight_kg, value_usd) VALUES"
                  "(" +
                      day(5) + ", 'B2', '870830', 'ACME', 'BOSCH', 'US', 1200.5, NULL), (" +
                      day(2) + ", 'Z9', '8708', 'ACME INC', NULL, 'US', 0.0, 5000), (" + day(5) +
                      ", 'A1', '870899', 'LLANTAS SA', 'BOSCH', 'MX', NULL, NULL);"),
            "");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Query(db, "SELECT name FROM sqlite_schema WHERE name LIKE 'shipments%'"), "");
  EXPECT_EQ(Query(db, "SELECT id, lines FROM shipment_blocks ORDER BY id"),
            BlockId(2, 0) + "|1\n" + BlockId(5, 0) + "|2\n");
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  std::vector<ShipmentRow> back = conformance::AllShipments(**tx);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].bol_number, "Z9");
  EXPECT_EQ(back[0].weight_kg, 0.0);
  EXPECT_EQ(back[0].value_usd, 5000.0);
  EXPECT_EQ(back[0].shipper_name, "");
  EXPECT_EQ(back[1].bol_number, "A1");
  EXPECT_EQ(back[1].consignee_country, "MX");
  EXPECT_FALSE(back[1].weight_kg.has_value());
  EXPECT_EQ(back[2].bol_number, "B2");
  EXPECT_EQ(back[2].weight_kg, 1200.5);
  EXPECT_EQ(back[2].arrival, At(0) + 5 * kMicrosPerDay);
  // The moved keys are found again: the same line is unchanged, a corrected one updated.
  ShipmentRow corrected = back[2];
  corrected.weight_kg = 1300;
  WriteStats stats;
  ASSERT_TRUE((*tx)->UpsertShipments(std::vector<ShipmentRow>{back[0], corrected}, stats).ok());
  EXPECT_EQ(stats.unchanged, 1u);
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(stats.inserted, 0u);
  ASSERT_TRUE((*tx)->Commit().ok());
}

TEST(SqliteStore, AFailingMigrationChangesNothing) {
  std::filesystem::path db = TestDir() / "leadq.db";
  ASSERT_TRUE(OpenSqliteStore(db, true).ok());
  std::span<const internal::Migration> current = internal::SqliteMigrations();
  std::vector<internal::Migration> broken(current.begin(), current.end());
  broken.push_back({"half done", "CREATE TABLE half(a); SELECT * FROM no_such_table;"});
  Result<std::unique_ptr<Store>> store = internal::OpenSqliteStoreWithMigrations(db, false, broken);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("apply migration " + std::to_string(broken.size()) +
                                          " (half done)"),
            std::string::npos)
      << store.status().message();
  EXPECT_EQ(Query(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), "0\n");
  EXPECT_EQ(Query(db, "SELECT max(version) FROM schema_migrations"),
            std::to_string(current.size()) + "\n");
  EXPECT_TRUE(OpenSqliteStore(db, false).ok());
}

TEST(SqliteStore, FilesThatAreNotWorkspacesAreRefused) {
  std::filesystem::path dir = TestDir();
  std::filesystem::path other = dir / "other.db";
  EXPECT_EQ(Query(other, "CREATE TABLE crm(a)"), "open failed: unable to open database file")
      << "Query does not create files";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(other.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE crm(a)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(other, false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("not a leadq workspace"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(Query(other, "SELECT count(*) FROM sqlite_schema"), "1\n") << "left as it was";
  EXPECT_EQ(Query(other, "PRAGMA journal_mode"), "delete\n") << "left as it was";

  std::filesystem::path text = dir / "notes.db";
  std::ofstream(text) << "these are notes, not a database, but long enough to have a header\n";
  store = OpenSqliteStore(text, false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().message();
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().message();
}

TEST(SqliteStore, FreeFormKeysAreColumnsAndARollbackRemovesThem) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    WriteStats stats;
    ASSERT_TRUE(
        (*tx)
            ->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {{"company", "Acme"}})},
                          At(0), "x", stats)
            .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    WriteStats stats;
    ASSERT_TRUE(
        (*tx)
            ->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {{"budget", "10k"}})},
                          At(0), "x", stats)
            .ok());
  }  // rolled back
  EXPECT_EQ(Query(db,
                  "SELECT name FROM pragma_table_info('leads') WHERE name LIKE 'f\\_%' "
                  "ESCAPE '\\'"),
            "f_company\n");
  EXPECT_EQ(Query(db, "SELECT entity, key, column_name, position FROM field_columns"),
            "lead|company|f_company|0\n");
}

TEST(SqliteStore, EventsRecordTheAccountOfTheirLead) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  WriteStats stats;
  ASSERT_TRUE(
      (*tx)
          ->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {}), Lead("L2", std::nullopt, {})},
                        At(0), "x", stats)
          .ok());
  ASSERT_TRUE((*tx)
                  ->InsertEvents(std::vector<EventRow>{Event("E1", "L1", "v", At(1)),
                                                       Event("E2", "L2", "v", At(1)),
                                                       Event("E3", "L1", "v", At(2))},
                                 stats)
                  .ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(Query(db, "SELECT lead_id, segment, account_id, events FROM event_blocks"),
            "L1|0|A1|2\nL2|0|NULL|1\n");
  tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE(
      (*tx)->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A7", {})}, At(5), "x", stats).ok());
  ASSERT_TRUE(
      (*tx)->InsertEvents(std::vector<EventRow>{Event("E4", "L1", "v", At(3))}, stats).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(Query(db, "SELECT lead_id, segment, account_id, events FROM event_blocks"),
            "L1|0|A7|3\nL2|0|NULL|1\n");
}

TEST(SqliteStore, TheEventScanIsOneSequentialRead) {
  std::filesystem::path db = TestDir() / "leadq.db";
  ASSERT_TRUE(OpenSqliteStore(db, true).ok());
  std::string plan = Query(
      db, "EXPLAIN QUERY PLAN SELECT lead_id, data FROM event_blocks ORDER BY lead_id, segment");
  EXPECT_NE(plan.find("SCAN event_blocks"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("INDEX"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

// A lead with more events than a segment holds: its events fill segments of 256, later
// imports fill the last one up, events older than the stored ones still come back in time
// order, and the id check finds repeats in any segment.
TEST(SqliteStore, ALongHistoryIsKeptInSegmentsAndReadInTimeOrder) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto insert = [&](std::vector<EventRow> rows) {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    EXPECT_TRUE(tx.ok());
    WriteStats stats;
    Status s = (*tx)->InsertEvents(rows, stats);
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE((*tx)->Commit().ok());
    return stats;
  };
  {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    WriteStats stats;
    ASSERT_TRUE(
        (*tx)->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {})}, At(0), "x", stats).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  // 300 events at times 1000..1299 (every third without an id), then 100 at 0..99, then the
  // first 300 again.
  std::vector<EventRow> first;
  for (int i = 0; i < 300; ++i) {
    std::string id = i % 3 == 0 ? "" : "E" + std::to_string(i);
    first.push_back(Event(id, "L1", "visit", At(1000 + i), {{"n", std::to_string(i)}}));
  }
  EXPECT_EQ(insert(first).inserted, 300u);
  EXPECT_EQ(Query(db, "SELECT segment, events FROM event_blocks ORDER BY segment"),
            "0|256\n1|44\n");
  std::vector<EventRow> older;
  for (int i = 0; i < 100; ++i) {
    older.push_back(Event("O" + std::to_string(i), "L1", "visit", At(i), {{"n", "o"}}));
  }
  EXPECT_EQ(insert(older).inserted, 100u);
  EXPECT_EQ(Query(db, "SELECT segment, events FROM event_blocks ORDER BY segment"),
            "0|256\n1|144\n");
  WriteStats again = insert(first);
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.duplicates, 300u);

  Result<std::unique_ptr<Transaction>> tx = (*store)->BeginRead();
  ASSERT_TRUE(tx.ok());
  std::vector<TimePoint> times;
  std::string values;
  ASSERT_TRUE((*tx)
                  ->ScanEvents({"n"},
                               [&](std::string_view, std::string_view, std::string_view,
                                   TimePoint at, std::span<const std::string_view> props) {
                                 times.push_back(at);
                                 values += std::string(props[0]) + ",";
                               })
                  .ok());
  ASSERT_EQ(times.size(), 400u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(times.front(), At(0));
  EXPECT_EQ(times.back(), At(1299));
  EXPECT_EQ(values.substr(0, 4), "o,o,");
  EXPECT_EQ(values.substr(values.size() - 4), "299,");
  Result<uint64_t> count = (*tx)->Count(Entity::kEvent);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 400u);
}

// A workspace of schema version 6 kept one row per event (free-form keys in f_ columns);
// opening it moves them into blocks with their seq, account and keys, and drops the table.
TEST(SqliteStore, EventRowsOfVersion6MoveIntoBlocks) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::span<const internal::Migration> all = internal::SqliteMigrations();
  ASSERT_GE(all.size(), 7u);
  ASSERT_TRUE(internal::OpenSqliteStoreWithMigrations(db, true, all.first(6)).ok());
  auto at = [](int s) { return std::to_string(At(s)); };
  EXPECT_EQ(Query(db,
                  "INSERT INTO leads(lead_id, account_id, created_at, updated_at) VALUES"
                  "('L1', 'A1', 0, 0), ('L2', NULL, 0, 0);"
                  "ALTER TABLE events ADD COLUMN f_path TEXT;"
                  "ALTER TABLE events ADD COLUMN f_utm TEXT;"
                  "INSERT INTO field_columns VALUES('event', 'path', 'f_path', 0), "
                  "('event', 'utm', 'f_utm', 1);"
                  "INSERT INTO events(lead_id, occurred_at, seq, event_id, account_id, type, "
                  "dedup_key, f_path, f_utm) VALUES"
                  "('L1', " +
                      at(5) +
                      ", 1, 'E1', 'A1', 'visit', 'id:E1', '/a', NULL),"
                      "('L1', " +
                      at(5) +
                      ", 3, NULL, 'A1', 'Form', 'k:L1' || char(31) || 'form' || "
                      "char(31) || '" +
                      at(5) +
                      "', NULL, 'mail'),"
                      "('L2', " +
                      at(2) +
                      ", 2, 'E2', NULL, 'visit', 'id:E2', '/b', 'ad'),"
                      "('L1', " +
                      at(1) +
                      ", 4, 'E3', 'A1', 'visit', 'id:E3', NULL, NULL);"
                      "UPDATE counters SET value = 4 WHERE name = 'event_seq';"),
            "");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(Query(db, "SELECT name FROM sqlite_schema WHERE name = 'events'"), "");
  EXPECT_EQ(Query(db, "SELECT lead_id, segment, account_id, events FROM event_blocks"),
            "L1|0|A1|3\nL2|0|NULL|1\n");
  EXPECT_EQ(Query(db, "SELECT count(*) FROM event_ids"), "3\n");  // three ids, three buckets
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(conformance::ScanEventsText(**tx, {"utm", "path"}),
            "E3|L1|visit|2026-01-01T00:00:01Z||\n"
            "E1|L1|visit|2026-01-01T00:00:05Z||/a\n"
            "|L1|Form|2026-01-01T00:00:05Z|mail|\n"
            "E2|L2|visit|2026-01-01T00:00:02Z|ad|/b\n");
  // The moved events are found again: by id (also under another lead) and by lead, type, time.
  WriteStats stats;
  ASSERT_TRUE((*tx)
                  ->InsertEvents(std::vector<EventRow>{Event("E2", "L1", "visit", At(9)),
                                                       Event("", "L1", " form ", At(5)),
                                                       Event("E1", "L1", "visit", At(5)),
                                                       Event("E4", "L2", "visit", At(7))},
                                 stats)
                  .ok());
  EXPECT_EQ(stats.inserted, 1u);
  EXPECT_EQ(stats.duplicates, 3u);
  Result<uint64_t> count = (*tx)->Count(Entity::kEvent);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 5u);
  ASSERT_TRUE((*tx)->Commit().ok());
}

TEST(SqliteStore, ASecondWriterWaitsForTheFirst) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> a = OpenSqliteStore(db, true);
  Result<std::unique_ptr<Store>> b = OpenSqliteStore(db, false);  // another process, in effect
  ASSERT_TRUE(a.ok() && b.ok());
  Result<std::unique_ptr<Transaction>> first = (*a)->Begin();
  ASSERT_TRUE(first.ok());
  WriteStats stats;
  ASSERT_TRUE(
      (*first)
          ->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {})}, At(0), "x", stats)
          .ok());
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // lets `second` start waiting
    EXPECT_TRUE((*first)->Commit().ok());
  });
  Result<std::unique_ptr<Transaction>> second = (*b)->Begin();  // waits for the lock
  committer.join();
  ASSERT_TRUE(second.ok()) << second.status().message();
  Result<uint64_t> count = (*second)->Count(Entity::kLead);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1u);
}

TEST(SqliteStore, WritersOfOneStoreWaitForEachOtherInTurn) {
  // One store, four threads, each transaction held a moment: every one lands, none fails busy.
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok());
  std::atomic<int> inside{0}, most{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
        if (!tx.ok()) {
          ++failed;
          continue;
        }
        const int now = ++inside;
        most = std::max(most.load(), now);
        WriteStats stats;
        const std::string id = "T" + std::to_string(t) + "-" + std::to_string(i);
        Status s =
            (*tx)->UpsertLeads(std::vector<LeadRow>{Lead(id, std::nullopt, {})}, At(i), "x", stats);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        --inside;
        if (!s.ok() || !(*tx)->Commit().ok()) ++failed;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(most.load(), 1) << "one writer at a time";
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  Result<uint64_t> count = (*tx)->Count(Entity::kLead);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 80u);
}

TEST(SqliteStore, AReadTransactionWaitsForNoWriterAndCannotWrite) {
  std::filesystem::path db = TestDir() / "leadq.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok());
  WriteStats stats;
  {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        (*tx)
            ->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {})}, At(0), "x", stats)
            .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  // A writer holds the store; a reader starts at once and sees the last commit only.
  Result<std::unique_ptr<Transaction>> writer = (*store)->Begin();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(
      (*writer)
          ->UpsertLeads(std::vector<LeadRow>{Lead("L2", std::nullopt, {})}, At(1), "x", stats)
          .ok());
  const auto started = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Transaction>> reader = (*store)->BeginRead();
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  Result<uint64_t> count = (*reader)->Count(Entity::kLead);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1u);
  Status wrote =
      (*reader)->UpsertLeads(std::vector<LeadRow>{Lead("L3", std::nullopt, {})}, At(2), "x", stats);
  EXPECT_FALSE(wrote.ok()) << "a read transaction cannot write";
  ASSERT_TRUE((*writer)->Commit().ok());
  reader->reset();
  writer->reset();
  // The reader's connection went back to the pool writable.
  for (int i = 0; i < 3; ++i) {
    Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        (*tx)
            ->UpsertLeads(std::vector<LeadRow>{Lead("W" + std::to_string(i), std::nullopt, {})},
                          At(3), "x", stats)
            .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  Result<std::unique_ptr<Transaction>> last = (*store)->BeginRead();
  ASSERT_TRUE(last.ok());
  count = (*last)->Count(Entity::kLead);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 5u);
}

TEST(SqliteStore, DeferredMaintenanceCheckpointsOutsideTheCommitsAndTheLogStartsOver) {
  std::filesystem::path db = TestDir() / "leadq.db";
  std::filesystem::path wal = db;
  wal += "-wal";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, true);
  ASSERT_TRUE(store.ok());
  (*store)->DeferMaintenance(true);
  // Commits write the log; with deferred maintenance none copies it back, so it grows past
  // SQLite's 1,000 pages.
  const std::string wide(2000, 'x');
  int written = 0;
  auto write = [&](int transactions) {
    for (int n = 0; n < transactions; ++n, ++written) {
      Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
      ASSERT_TRUE(tx.ok()) << tx.status().message();
      std::vector<LeadRow> rows;
      for (int i = 0; i < 20; ++i) {
        rows.push_back(Lead("L" + std::to_string(written) + "-" + std::to_string(i), std::nullopt,
                            {{"note", wide}}));
      }
      WriteStats stats;
      ASSERT_TRUE((*tx)->UpsertLeads(rows, At(written), "x", stats).ok());
      ASSERT_TRUE((*tx)->Commit().ok());
    }
  };
  const uintmax_t thousand_pages = 1000u * 16384u;
  while (std::filesystem::file_size(wal) <= thousand_pages && written < 5000) write(10);
  ASSERT_GT(std::filesystem::file_size(wal), thousand_pages) << written << " transactions";
  // Maintain copies the log back while a writer goes on in another thread.
  std::thread writer([&] { write(20); });
  Status kept = (*store)->Maintain();
  writer.join();
  ASSERT_TRUE(kept.ok()) << kept.message();
  ASSERT_TRUE((*store)->Maintain().ok());
  // The next commits start the log from the top: the file no longer grows.
  const uintmax_t before = std::filesystem::file_size(wal);
  write(20);
  EXPECT_EQ(std::filesystem::file_size(wal), before);
  // Back to SQLite's own checkpoints; nothing was lost.
  (*store)->DeferMaintenance(false);
  write(1);
  Result<std::unique_ptr<Transaction>> tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  Result<uint64_t> count = (*tx)->Count(Entity::kLead);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<uint64_t>(written) * 20u);
}

TEST(Sha256Hex, MatchesTheStandardTestVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string("a\0b", 3)).size(), 64u);
}

TEST(DealStatus, NamesAndParsing) {
  EXPECT_EQ(DealStatusName(DealStatus::kOpen), "open");
  EXPECT_EQ(DealStatusName(DealStatus::kWon), "won");
  EXPECT_EQ(DealStatusName(DealStatus::kLost), "lost");
  EXPECT_EQ(ParseDealStatus(" WON "), DealStatus::kWon);
  EXPECT_EQ(ParseDealStatus("Lost"), DealStatus::kLost);
  EXPECT_EQ(ParseDealStatus("open"), DealStatus::kOpen);
  EXPECT_EQ(ParseDealStatus("closed"), std::nullopt);
  EXPECT_EQ(ParseDealStatus(""), std::nullopt);
}

TEST(MessageStatus, Names) {
  EXPECT_EQ(MessageStatusName(MessageStatus::kPending), "pending");
  EXPECT_EQ(MessageStatusName(MessageStatus::kDelivered), "delivered");
  EXPECT_EQ(MessageStatusName(MessageStatus::kDead), "dead");
}

}  // namespace
}  // namespace leadq::store
