#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/memory.h"
#include "core/parallel.h"
#include "core/string_index.h"
#include "core/text.h"
#include "store/event_blocks.h"
#include "store/shipment_blocks.h"

namespace leadq::store {
namespace internal {
namespace {

// The schema. Every table that grows with the workspace (leads, events, scores, transitions,
// answers) is keyed by lead or carries account_id, so that a PostgreSQL port can distribute it by
// account_id. Free-form columns ("f_<key>", TEXT) are added to accounts and leads by ALTER TABLE
// when a key is first written (to events too up to schema version 6; since version 7 events keep
// their keys in their blocks by position); field_columns lists them in first-seen order.
// Times are INTEGER microseconds since the epoch (UTC). NULL stands for "empty".
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE field_columns(
  entity TEXT NOT NULL,        -- 'lead', 'account' or 'event'
  key TEXT NOT NULL,           -- ColumnKey form
  column_name TEXT NOT NULL,   -- 'f_' || key
  position INTEGER NOT NULL,   -- first-seen order within the entity
  PRIMARY KEY (entity, key)
) WITHOUT ROWID;

CREATE TABLE accounts(
  account_id TEXT PRIMARY KEY NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE leads(
  lead_id TEXT PRIMARY KEY NOT NULL,
  account_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Covers the lookup of a lead's account for each imported event (no visit to the wide row).
CREATE INDEX leads_account ON leads(lead_id, account_id);

CREATE TABLE lead_state(
  lead_id TEXT PRIMARY KEY NOT NULL REFERENCES leads(lead_id),
  stage TEXT NOT NULL,
  stage_since INTEGER NOT NULL,
  recycle_count INTEGER NOT NULL DEFAULT 0,
  recycle_until INTEGER,
  below_line_since INTEGER
) WITHOUT ROWID;
CREATE INDEX lead_state_stage ON lead_state(stage);

-- Events are stored in the order the scorer reads them: by lead, time and insertion. Its scan
-- is then one sequential read; through an index on (lead_id, occurred_at) over a table in
-- insertion order it visits every row at random (measured 4 to 7 times slower at 10M events,
-- for inserts 1.3 times faster).
CREATE TABLE events(
  lead_id TEXT NOT NULL,       -- a lead (checked by InsertEvents: a foreign key costs 20%)
  occurred_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,        -- insertion order, from counters 'event_seq'
  event_id TEXT,
  account_id TEXT,             -- the lead's account, kept in step when the lead moves
  type TEXT NOT NULL,
  dedup_key TEXT NOT NULL UNIQUE,  -- 'id:' event_id, or 'k:' lead, type and time
  PRIMARY KEY (lead_id, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE counters(
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES('event_seq', 0);

CREATE TABLE outcomes(
  deal_id TEXT PRIMARY KEY NOT NULL,
  account_id TEXT,
  lead_id TEXT,
  created_at INTEGER,
  closed_at INTEGER,
  status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
  value REAL,
  lost_reason TEXT,
  CHECK (account_id IS NOT NULL OR lead_id IS NOT NULL)
);
CREATE INDEX outcomes_account ON outcomes(account_id);
CREATE INDEX outcomes_lead ON outcomes(lead_id);

CREATE TABLE model_versions(
  version INTEGER PRIMARY KEY,
  content TEXT NOT NULL,
  hash TEXT NOT NULL,
  author TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE model_files(      -- the files a version reads (its [lists] files)
  version INTEGER NOT NULL REFERENCES model_versions(version),
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (version, name)
) WITHOUT ROWID;

CREATE TABLE scores(
  lead_id TEXT PRIMARY KEY NOT NULL REFERENCES leads(lead_id),
  model_version INTEGER NOT NULL,
  as_of INTEGER NOT NULL,
  fit REAL NOT NULL,
  intent REAL NOT NULL,
  negative REAL NOT NULL,
  score REAL NOT NULL,
  fit_grade TEXT NOT NULL,
  intent_grade TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE transitions(
  seq INTEGER PRIMARY KEY,
  lead_id TEXT NOT NULL REFERENCES leads(lead_id),
  from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  model_version INTEGER NOT NULL,
  reason TEXT NOT NULL,
  note TEXT NOT NULL,
  s_model_version INTEGER,     -- the scores at that moment; all NULL when unknown
  s_as_of INTEGER,
  s_fit REAL,
  s_intent REAL,
  s_negative REAL,
  s_score REAL,
  s_fit_grade TEXT,
  s_intent_grade TEXT,
  s_action TEXT,
  s_reason TEXT
);
CREATE INDEX transitions_lead ON transitions(lead_id);

CREATE TABLE answers(
  seq INTEGER PRIMARY KEY,
  lead_id TEXT NOT NULL REFERENCES leads(lead_id),
  framework TEXT NOT NULL,
  criterion TEXT NOT NULL,
  value TEXT NOT NULL,
  evidence TEXT NOT NULL,
  source TEXT NOT NULL,
  author TEXT NOT NULL,
  at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX answers_lead ON answers(lead_id);
)sql";

// Handoff: owners, the assignments of leads to them with their response clock and cadence, the
// touches of leads, webhook subscriptions and their outbox. Handoffs carry lead_id and the lead's
// account at assignment; touches are keyed by lead. At most one handoff of a lead is open
// (closed_at NULL): handoffs_open enforces it, and lets lists join a lead's owner without
// repeating rows. Webhooks and outbox messages take AUTOINCREMENT keys, never reused: delivered
// and dead messages outlive a removed webhook (so webhook_id is no foreign key), and a sender
// that claimed a message a removal deleted must not update a newer one with the same seq.
// Scores and the score snapshots of transitions gain the channel that applied.
constexpr std::string_view kSchemaV2 = R"sql(
-- The contacts of an account (handoff packets, account affinity).
CREATE INDEX leads_by_account ON leads(account_id);
ALTER TABLE scores ADD COLUMN channel TEXT;
ALTER TABLE transitions ADD COLUMN s_channel TEXT;

CREATE TABLE owners(
  owner_id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  email TEXT,
  role TEXT,
  weekly_capacity INTEGER NOT NULL,
  working_hours TEXT,          -- core/working_hours.h; NULL: always
  time_zone TEXT,
  manager TEXT,                -- an owner_id (not checked: managers may come later)
  active INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE handoffs(
  seq INTEGER PRIMARY KEY,
  lead_id TEXT NOT NULL REFERENCES leads(lead_id),
  account_id TEXT,             -- the lead's account at assignment
  owner_id TEXT NOT NULL REFERENCES owners(owner_id),
  rule TEXT,
  assigned_by TEXT,
  assigned_at INTEGER NOT NULL,
  cell TEXT,
  channel TEXT,
  score REAL NOT NULL,
  model_version INTEGER NOT NULL,
  sla_rule TEXT,
  clock_start INTEGER NOT NULL,
  due_at INTEGER,
  working_hours INTEGER NOT NULL,
  first_touch_at INTEGER,
  breached_at INTEGER,
  escalated_at INTEGER,
  escalation TEXT,
  cadence TEXT,
  cadence_stopped_at INTEGER,
  closed_at INTEGER,
  closed_reason TEXT
);
CREATE INDEX handoffs_lead ON handoffs(lead_id);
CREATE UNIQUE INDEX handoffs_open ON handoffs(lead_id) WHERE closed_at IS NULL;
CREATE INDEX handoffs_account ON handoffs(account_id);
CREATE INDEX handoffs_owner ON handoffs(owner_id);

CREATE TABLE touches(
  seq INTEGER PRIMARY KEY,
  lead_id TEXT NOT NULL REFERENCES leads(lead_id),
  touched_by TEXT,             -- Touch::by
  channel TEXT,
  outcome TEXT,
  at INTEGER NOT NULL,
  note TEXT,
  handoff_seq INTEGER NOT NULL -- 0: none
);
CREATE INDEX touches_lead ON touches(lead_id, at);

CREATE TABLE webhooks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  kinds TEXT NOT NULL,         -- comma-joined
  secret TEXT,
  max_attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  last_http_status INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_webhook ON outbox(webhook_id, status);
)sql";

// Version 3: the owner of a deal (the seller who worked it), for reports by owner.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE outcomes ADD COLUMN owner TEXT;
)sql";

// Version 4: export pre-qualification (spec/SHIPMENTS.md). Shipments are kept in the order the
// screen reads them, by arrival, bol_number and hs_code: the scan is one sequential read. Their
// identity, (bol_number, hs_code), is a unique index that the upsert looks rows up by. Measured
// at 1M rows given in arrival order, CPU seconds of import / re-import / ordered scan (a busy
// 2-core machine, so the ratios count): this layout 5.5 / 4.8 / 0.5; a rowid table with a unique
// index and an index on arrival 5.6 / 4.6 / 0.8; a WITHOUT ROWID table keyed by (bol_number,
// hs_code) with an index on arrival 6.7 / 7.0 / 2.9, or without one (the scan sorts) 5.7 / 5.0 /
// 4.6. Text is NULL when empty, numbers NULL when absent. Rules take AUTOINCREMENT ids, never
// reused: a user removes a rule by the id a list showed. Buyer notes are keyed by what
// identifies them, which is also the order they are listed in.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE shipments(
  arrival INTEGER NOT NULL,
  bol_number TEXT NOT NULL,
  hs_code TEXT NOT NULL,
  consignee_name TEXT NOT NULL,
  shipper_name TEXT,
  consignee_address TEXT,
  consignee_city TEXT,
  consignee_country TEXT,
  shipper_country TEXT,
  notify_party TEXT,
  country_of_origin TEXT,
  port_of_lading TEXT,
  port_of_unlading TEXT,
  description TEXT,
  carrier TEXT,
  weight_kg REAL,
  containers REAL,
  teu REAL,
  quantity REAL,
  value_usd REAL,
  PRIMARY KEY (arrival, bol_number, hs_code)
) WITHOUT ROWID;
CREATE UNIQUE INDEX shipments_key ON shipments(bol_number, hs_code);

CREATE TABLE trade_rules(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
  role TEXT NOT NULL CHECK (role IN ('buyer', 'supplier')),
  country TEXT NOT NULL,
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  made_by TEXT,                -- TradeRule::by
  note TEXT,
  at INTEGER NOT NULL
);

CREATE TABLE buyer_notes(
  country TEXT NOT NULL,
  spelling TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'account')),
  value TEXT NOT NULL,
  note TEXT,
  noted_by TEXT,               -- BuyerNote::by
  at INTEGER NOT NULL,
  PRIMARY KEY (country, spelling, kind)
) WITHOUT ROWID;
)sql";

// Version 5: the HTTP API (`leadq serve`). API tokens are kept by the SHA-256 of their secret,
// never the secret; a request finds its token through the unique index on secret_hash. Tokens
// are revoked, never deleted, so an id and a name are never reused and the audit trail's token
// names keep meaning. The audit trail is append-only and read newest first, by seq.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE api_tokens(
  id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  role TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  secret_hash TEXT UNIQUE NOT NULL,
  created_at INTEGER,
  revoked_at INTEGER NULL,
  last_used_at INTEGER NULL
);

CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY,
  at INTEGER,
  token TEXT,
  method TEXT,
  path TEXT,
  status INTEGER,
  summary TEXT
);
)sql";

// The dashboard's pipeline counts leads per grade cell and per stage reached; both were scans of
// wide rows (about 70 and 80 ms at 100,000 leads), and are scans of these covering indexes
// (about 10 and 20 ms). A score's cell changes seldom, so the first index costs ingestion little.
constexpr const char* kSchemaV6 = R"sql(
CREATE INDEX scores_cell ON scores(fit_grade, intent_grade);
CREATE INDEX transitions_reached ON transitions(to_stage, lead_id);
)sql";

// Events in blocks (store/event_blocks.h): each lead's events packed into segments of up to 256,
// and the event_ids of all leads in 65,536 hash buckets. One row per event and a unique index on
// its identity cost SQLite about two microseconds per event to write, however ordered: 10M events
// took 135-175 s to import; in blocks they are a million rows. The events table is converted by
// MoveEventsIntoBlocks, which then drops it.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE event_blocks(
  lead_id TEXT NOT NULL,
  segment INTEGER NOT NULL,    -- 0, 1, ... in the order the lead's segments were started
  account_id TEXT,             -- the lead's account, kept in step when the lead moves
  events INTEGER NOT NULL,     -- how many events `data` holds
  data BLOB NOT NULL,
  PRIMARY KEY (lead_id, segment)
) WITHOUT ROWID;
CREATE TABLE event_ids(
  bucket INTEGER PRIMARY KEY,  -- the top 16 bits of EventIdHash(event_id)
  data BLOB NOT NULL           -- (hash, lead_id) of every stored event_id in the bucket
);
)sql";

// Shipments in blocks (store/shipment_blocks.h): the lines of each arrival day packed into
// segments of up to 1,024, and their keys in 65,536 hash buckets. One row of twenty columns per
// line and a unique index on (bol_number, hs_code) cost SQLite 55 s to import 5M lines; in blocks
// they are a few thousand rows. MoveShipmentsIntoBlocks converts the shipments table and drops it.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE shipment_blocks(
  id INTEGER PRIMARY KEY,      -- day * 65536 + segment (days since the epoch, UTC)
  lines INTEGER NOT NULL,      -- how many lines `data` holds
  data BLOB NOT NULL
);
CREATE TABLE shipment_keys(
  bucket INTEGER PRIMARY KEY,  -- the top 16 bits of ShipmentKeyHash(bol_number, hs_code)
  data BLOB NOT NULL           -- (hash, day) of every stored line in the bucket
);
)sql";

Status MoveEventsIntoBlocks(sqlite3* db);
Status MoveShipmentsIntoBlocks(sqlite3* db);

constexpr Migration kMigrations[] = {
    {"workspace tables", kSchemaV1},
    {"handoff tables", kSchemaV2},
    {"deal owners", kSchemaV3},
    {"trade", kSchemaV4},
    {"api tokens and audit trail", kSchemaV5},
    {"pipeline count indexes", kSchemaV6},
    {"events in blocks", kSchemaV7, MoveEventsIntoBlocks},
    {"shipments in blocks", kSchemaV8, MoveShipmentsIntoBlocks},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

}  // namespace internal

int64_t SqliteSchemaVersion() { return static_cast<int64_t>(internal::SqliteMigrations().size()); }

namespace {

using internal::Migration;

StatusCode CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kFailedPrecondition;
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return StatusCode::kInvalidInput;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return StatusCode::kIoError;
    default:
      return StatusCode::kInternal;
  }
}

// A prepared statement. Binding failures are remembered and reported by the next Step, so a
// sequence of binds needs no checks of its own. Text is bound SQLITE_STATIC: the bound data must
// live until the statement is reset.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)), bind_rc_(o.bind_rc_) {}
  Stmt& operator=(Stmt&& o) noexcept {
    if (this != &o) {
      sqlite3_finalize(s_);
      s_ = std::exchange(o.s_, nullptr);
      bind_rc_ = o.bind_rc_;
    }
    return *this;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }

  explicit operator bool() const { return s_ != nullptr; }

  // Empty text binds NULL (the store's "empty").
  void Text(int i, std::string_view v) {
    if (v.empty()) {
      Check(sqlite3_bind_null(s_, i));
    } else {
      TextNotNull(i, v);
    }
  }
  // Empty text binds '' (for NOT NULL columns).
  void TextNotNull(int i, std::string_view v) { BindText(i, v, SQLITE_STATIC); }
  // Binds a copy of `v` (for a value built just for this statement).
  void TextCopy(int i, std::string_view v) { BindText(i, v, SQLITE_TRANSIENT); }
  void BindText(int i, std::string_view v, sqlite3_destructor_type lifetime) {
    if (v.size() > static_cast<size_t>(INT_MAX)) {
      Check(SQLITE_TOOBIG);
      return;
    }
    Check(sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), lifetime));
  }
  void Blob(int i, std::string_view v) {
    if (v.size() > static_cast<size_t>(INT_MAX)) {
      Check(SQLITE_TOOBIG);
      return;
    }
    Check(sqlite3_bind_blob(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                            SQLITE_STATIC));
  }
  void Int(int i, int64_t v) { Check(sqlite3_bind_int64(s_, i, v)); }
  void Double(int i, double v) { Check(sqlite3_bind_double(s_, i, v)); }
  void Null(int i) { Check(sqlite3_bind_null(s_, i)); }
  void OptInt(int i, const std::optional<int64_t>& v) { v ? Int(i, *v) : Null(i); }
  void OptDouble(int i, const std::optional<double>& v) { v ? Double(i, *v) : Null(i); }

  // SQLITE_ROW, SQLITE_DONE or an error code (a remembered binding error first).
  int Step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(s_); }
  // Makes the statement ready for new bindings.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    bind_rc_ = SQLITE_OK;
  }

  bool IsNull(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  // Valid until the next Step or Reset; NULL reads as empty.
  std::string_view Col(int i) const {
    const unsigned char* p = sqlite3_column_text(s_, i);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, i))};
  }
  std::string ColString(int i) const { return std::string(Col(i)); }
  // A BLOB column's bytes; valid until the next Step or Reset.
  std::string_view ColBlob(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    if (p == nullptr) return {};
    return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, i))};
  }
  int64_t ColInt(int i) const { return sqlite3_column_int64(s_, i); }
  double ColDouble(int i) const { return sqlite3_column_double(s_, i); }
  std::optional<int64_t> ColOptInt(int i) const {
    if (IsNull(i)) return std::nullopt;
    return ColInt(i);
  }
  std::optional<double> ColOptDouble(int i) const {
    if (IsNull(i)) return std::nullopt;
    return ColDouble(i);
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* s_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when the scope ends, whatever path leaves it.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& s) : s_(s) {}
  ~ResetOnExit() { s_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& s_;
};

// One sqlite3 connection with the workspace's settings. Used by one thread at a time.
class Connection {
 public:
  // A connection that does not own `db` (a migration's) leaves it open.
  Connection(sqlite3* db, std::string describe, bool owned = true)
      : db_(db), describe_(std::move(describe)), owned_(owned) {}
  ~Connection() {
    if (owned_) sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  // Whether this connection copies the write-ahead log into the database as it commits
  // (SQLite's automatic checkpoint), as the store last asked.
  bool auto_checkpoint = true;

  // "sqlite:/ws/leadq.db: insert lead 'L1': UNIQUE constraint failed: ...".
  Status Error(int rc, std::string_view op, std::string_view subject = {}) const {
    const char* detail = (db_ != nullptr && (sqlite3_errcode(db_) & 0xff) == (rc & 0xff))
                             ? sqlite3_errmsg(db_)
                             : sqlite3_errstr(rc);
    std::string message = describe_;
    message += ": ";
    message += op;
    if (!subject.empty()) {
      message += " '";
      message += subject;
      message += "'";
    }
    message += ": ";
    message += detail;
    return Status(CodeOf(rc), std::move(message));
  }

  Status Exec(std::string_view sql, std::string_view op) const {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error(rc, op);
    return Status::Ok();
  }

  Result<Stmt> Prepare(std::string_view sql, std::string_view op) const {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(s);
      return Error(rc, op);
    }
    return Stmt(s);
  }

  // Runs a bound statement that returns no rows, and resets it.
  Status Run(Stmt& st, std::string_view op, std::string_view subject = {}) const {
    ResetOnExit reset(st);
    int rc = st.Step();
    if (rc != SQLITE_DONE) return Error(rc, op, subject);
    return Status::Ok();
  }

  // Steps a bound statement once: true on a row (read it, then reset), false when there is none
  // (already reset in that case).
  Result<bool> Fetch(Stmt& st, std::string_view op, std::string_view subject = {}) const {
    int rc = st.Step();
    if (rc == SQLITE_ROW) return true;
    Status s = rc == SQLITE_DONE ? Status::Ok() : Error(rc, op, subject);
    st.Reset();
    if (!s.ok()) return s;
    return false;
  }

  // Steps a bound statement to its end and returns what `read` makes of each row.
  template <typename T, typename Read>
  Result<std::vector<T>> FetchAll(Stmt& st, std::string_view op, std::string_view subject,
                                  Read read) const {
    std::vector<T> out;
    for (;;) {
      LEADQ_TRY(bool row, Fetch(st, op, subject));
      if (!row) break;
      out.push_back(read(st));
    }
    return out;
  }

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  sqlite3* db_;
  std::string describe_;
  bool owned_ = true;
};

std::string Describe(const std::filesystem::path& path) { return "sqlite:" + path.string(); }

// SQLite's automatic checkpoint: every 1,000 pages of write-ahead log. A deferred checkpoint
// (Store::Maintain) holds writers back for its last pages and a sync of the database file
// once the log has grown as long, so that the log starts again from the top. Measured with
// single events over HTTP at 100k leads (p90 / p99): SQLite's own checkpoints 20.8 / 46.2 ms;
// deferred, holding writers at 1,000 pages 2.0 / 25.7 ms, at 8,000 pages 1.5 / 37.5 ms.
constexpr int kCheckpointFrames = 1000;

// How long a transaction waits for another writer (of this process or another) before it fails.
constexpr int kBusyTimeoutSeconds = 5;

// The page cache limit (PRAGMA cache_size, negative: KiB). The cache is allocated as it fills.
constexpr std::string_view kCacheSize = "-1048576";

// While it lives, the page cache of a connection is kSmallCacheSize: for a transaction that
// writes many pages once and reads them no more (blocks appended in order), the cache then
// spills them to the log as it goes instead of taking up to kCacheSize of fresh memory, which
// costs about a second per GB on this project's machine.
constexpr std::string_view kSmallCacheSize = "-65536";
class SmallCache {
 public:
  explicit SmallCache(Connection& conn) : conn_(conn) {}
  SmallCache(const SmallCache&) = delete;
  SmallCache& operator=(const SmallCache&) = delete;
  ~SmallCache() {
    if (started_) {
      (void)conn_.Exec("PRAGMA cache_size=" + std::string(kCacheSize), "restore the page cache");
    }
  }
  Status Start() {
    started_ = true;
    return conn_.Exec("PRAGMA cache_size=" + std::string(kSmallCacheSize), "shrink the page cache");
  }

 private:
  Connection& conn_;
  bool started_ = false;
};

// SQLite counts every allocation under one process-wide mutex unless told not to before it
// starts (measured: 6% of a rescore of 1M leads was that mutex). Nothing here reads the counts.
// When SQLite was started before (another library), sqlite3_config refuses and it keeps counting.
void StopMemoryStatistics() {
  static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)rc;
}

Result<std::unique_ptr<Connection>> OpenConnection(const std::filesystem::path& path, bool create) {
  StopMemoryStatistics();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  auto conn = std::make_unique<Connection>(raw, Describe(path));
  if (rc != SQLITE_OK) return conn->Error(rc, "open");
  sqlite3_busy_timeout(raw, kBusyTimeoutSeconds * 1000);
  // The page cache may grow to 1 GiB during a transaction: measured with one row per event
  // (schema version 6), kept in lead order, an import wrote all over the table and a cache that
  // held it was 3 times faster at 10M events than 128 MiB; event blocks are written in lead
  // order, but leads and scores still are not. The pool frees the cache of an idle connection
  // (SqliteStore::Release). The memory map (at most 2 GiB in Debian's SQLite) serves reads without
  // copying.
  LEADQ_TRY(conn->Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=" +
                           std::string(kCacheSize) +
                           "; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=2147418112;",
                       "set connection options"));
  return conn;
}

// Applies the migrations the database lacks, in one transaction.
Status Migrate(Connection& conn, std::span<const Migration> migrations) {
  std::string where = Describe(sqlite3_db_filename(conn.db(), "main"));
  {
    // Another program's database is refused before anything (even its journal mode) changes.
    LEADQ_TRY(Stmt objects, conn.Prepare("SELECT count(*), count(*) FILTER (WHERE name = "
                                         "'schema_migrations') FROM sqlite_schema",
                                         "read schema"));
    LEADQ_TRY(bool row, conn.Fetch(objects, "read schema"));
    int64_t all = row ? objects.ColInt(0) : 0;
    int64_t has_migrations = row ? objects.ColInt(1) : 0;
    objects.Reset();
    if (all > 0 && has_migrations == 0) {
      return Status::FailedPrecondition(where + ": not a leadq workspace (no schema_migrations)");
    }
  }
  // 16 KiB pages (only a new file takes them): inserts into the lead-ordered events table and
  // the scan of it touched fewer pages (one row per event, schema version 6): measured 10-20%
  // faster than 4 KiB pages at 10M events; event blocks of a few hundred bytes fit them too.
  LEADQ_TRY(conn.Exec("PRAGMA page_size=16384", "set page size"));
  {
    LEADQ_TRY(Stmt wal, conn.Prepare("PRAGMA journal_mode=WAL", "switch to WAL mode"));
    LEADQ_TRY(bool row, conn.Fetch(wal, "switch to WAL mode"));
    if (!row || !IEquals(wal.Col(0), "wal")) {
      return Status::IoError(where + ": the database cannot use WAL mode on this file system");
    }
    wal.Reset();
  }
  LEADQ_TRY(conn.Exec("BEGIN IMMEDIATE", "begin migration"));
  auto body = [&]() -> Status {
    LEADQ_TRY(
        conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations("
                  "version INTEGER PRIMARY KEY, description TEXT NOT NULL)",
                  "create schema_migrations"));
    LEADQ_TRY(Stmt max, conn.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations",
                                     "read schema version"));
    LEADQ_TRY(bool row, conn.Fetch(max, "read schema version"));
    int64_t current = row ? max.ColInt(0) : 0;
    max.Reset();
    int64_t known = static_cast<int64_t>(migrations.size());
    if (current > known) {
      return Status::FailedPrecondition(
          where + ": the workspace has schema version " + std::to_string(current) +
          " but this leadq knows versions up to " + std::to_string(known) +
          ": it was written by a newer leadq; use that version or a later one");
    }
    LEADQ_TRY(Stmt record, conn.Prepare("INSERT INTO schema_migrations(version, description) "
                                        "VALUES(?1, ?2)",
                                        "record migration"));
    for (int64_t v = current + 1; v <= known; ++v) {
      const Migration& m = migrations[static_cast<size_t>(v - 1)];
      std::string op =
          "apply migration " + std::to_string(v) + " (" + std::string(m.description) + ")";
      LEADQ_TRY(conn.Exec(m.sql, op));
      if (m.code != nullptr) LEADQ_TRY(m.code(conn.db()).WithPrefix(op));
      record.Int(1, v);
      record.TextNotNull(2, m.description);
      LEADQ_TRY(conn.Run(record, op));
    }
    return Status::Ok();
  };
  Status s = body();
  if (s.ok()) s = conn.Exec("COMMIT", "commit migration");
  if (!s.ok() && conn.InTransaction()) (void)conn.Exec("ROLLBACK", "roll back migration");
  return s;
}

// --- entities and their free-form columns

constexpr int kEntityCount = 3;
struct EntityInfo {
  std::string_view name;       // in field_columns
  std::string_view table;      // SQL table
  std::string_view id_column;  // for messages and lookups
};
constexpr std::array<EntityInfo, kEntityCount> kEntityInfo = {{
    {"lead", "leads", "lead_id"},
    {"account", "accounts", "account_id"},
    {"event", "events", "event_id"},
}};
int EntityIndex(Entity e) {
  switch (e) {
    case Entity::kLead:
      return 0;
    case Entity::kAccount:
      return 1;
    case Entity::kEvent:
      return 2;
  }
  return 0;  // unreachable
}

constexpr size_t kMaxKeyLength = 100;

bool IsColumnKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string ColumnName(std::string_view key) { return "\"f_" + std::string(key) + "\""; }

// A write statement for one set of free-form keys in one order (an import's header), prepared
// once and reused for every row with the same keys.
struct Shape {
  std::vector<std::string> keys;
  bool with_account = false;  // leads: the rows carry account_id
  Stmt insert;                // accounts, leads: ?1 id, ?2 account, ?3 now, ?4.. fields;
                              // events: ?1 event_id .. ?7 seq, ?8.. props
  Stmt select;                // accounts, leads: account_id, fields...
  Stmt update;                // accounts, leads: same parameters as insert
};
constexpr size_t kMaxShapes = 64;

bool SameKeys(const Shape& shape, std::span<const Field> fields, bool with_account) {
  if (shape.with_account != with_account || shape.keys.size() != fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (shape.keys[i] != fields[i].key) return false;
  }
  return true;
}

// The columns ReadHandoff reads, as a literal so that a fixed statement can hold them.
#define LEADQ_HANDOFF_COLUMNS                                                                  \
  "seq, lead_id, account_id, owner_id, rule, assigned_by, assigned_at, cell, channel, score, " \
  "model_version, sla_rule, clock_start, due_at, working_hours, first_touch_at, breached_at, " \
  "escalated_at, escalation, cadence, cadence_stopped_at, closed_at, closed_reason"

// The fixed statements of a transaction, prepared on first use.
enum FixedStmt : int {
  kInsertLeadState,
  kInsertTransition,
  kSelectState,
  kMoveStage,
  kUpdateState,
  kLeadAccount,
  kMoveEventsAccount,
  kUpsertScore,
  kSelectOutcome,
  kInsertOutcome,
  kUpdateOutcome,
  kInsertAnswer,
  kInsertFieldColumn,
  kReadEventSeq,
  kWriteEventSeq,
  kSelectBlocks,
  kPutBlock,
  kSelectIdBucket,
  kPutIdBucket,
  kUpsertOwner,
  kOwnerExists,
  kOtherOpenHandoff,
  kOpenHandoff,
  kHandoffLead,
  kInsertHandoff,
  kUpdateHandoff,
  kInsertTouch,
  kWebhookExists,
  kInsertMessage,
  kLeaseMessage,
  kPutBuyerNote,
  kFixedCount,
};
constexpr std::array<std::string_view, kFixedCount> kFixedSql = {
    // kInsertLeadState
    "INSERT INTO lead_state(lead_id, stage, stage_since) VALUES(?1, 'new', ?2)",
    // kInsertTransition
    "INSERT INTO transitions(lead_id, from_stage, to_stage, at, actor, model_version, reason, "
    "note, s_model_version, s_as_of, s_fit, s_intent, s_negative, s_score, s_fit_grade, "
    "s_intent_grade, s_action, s_reason, s_channel) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    // kSelectState
    "SELECT lead_id, stage, stage_since, recycle_count, recycle_until, below_line_since "
    "FROM lead_state WHERE lead_id = ?1",
    // kMoveStage
    "UPDATE lead_state SET stage = ?3, stage_since = ?4 WHERE lead_id = ?1 AND stage = ?2",
    // kUpdateState: ?6 the stage the lead must be in, NULL for any
    "UPDATE lead_state SET recycle_count = ?2, recycle_until = ?3, below_line_since = ?4, "
    "stage_since = coalesce(?5, stage_since) WHERE lead_id = ?1 AND (?6 IS NULL OR stage = ?6)",
    // kLeadAccount
    "SELECT account_id FROM leads INDEXED BY leads_account WHERE lead_id = ?1",
    // kMoveEventsAccount
    "UPDATE event_blocks SET account_id = ?2 WHERE lead_id = ?1",
    // kUpsertScore
    "INSERT INTO scores(lead_id, model_version, as_of, fit, intent, negative, score, fit_grade, "
    "intent_grade, action, reason, channel) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT(lead_id) DO UPDATE SET model_version = excluded.model_version, "
    "as_of = excluded.as_of, fit = excluded.fit, intent = excluded.intent, "
    "negative = excluded.negative, score = excluded.score, fit_grade = excluded.fit_grade, "
    "intent_grade = excluded.intent_grade, action = excluded.action, reason = excluded.reason, "
    "channel = excluded.channel",
    // kSelectOutcome
    "SELECT account_id, lead_id, created_at, closed_at, status, value, lost_reason, owner "
    "FROM outcomes WHERE deal_id = ?1",
    // kInsertOutcome
    "INSERT INTO outcomes(deal_id, account_id, lead_id, created_at, closed_at, status, value, "
    "lost_reason, owner) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    // kUpdateOutcome
    "UPDATE outcomes SET account_id = ?2, lead_id = ?3, created_at = ?4, closed_at = ?5, "
    "status = ?6, value = ?7, lost_reason = ?8, owner = ?9 WHERE deal_id = ?1",
    // kInsertAnswer
    "INSERT INTO answers(lead_id, framework, criterion, value, evidence, source, author, at, "
    "expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    // kInsertFieldColumn
    "INSERT INTO field_columns(entity, key, column_name, position) VALUES(?1, ?2, ?3, ?4)",
    // kReadEventSeq
    "SELECT value FROM counters WHERE name = 'event_seq'",
    // kWriteEventSeq
    "UPDATE counters SET value = ?1 WHERE name = 'event_seq'",
    // kSelectBlocks
    "SELECT segment, events, data FROM event_blocks WHERE lead_id = ?1 ORDER BY segment",
    // kPutBlock
    "INSERT OR REPLACE INTO event_blocks(lead_id, segment, account_id, events, data) "
    "VALUES(?1, ?2, ?3, ?4, ?5)",
    // kSelectIdBucket
    "SELECT data FROM event_ids WHERE bucket = ?1",
    // kPutIdBucket
    "INSERT OR REPLACE INTO event_ids(bucket, data) VALUES(?1, ?2)",
    // kUpsertOwner
    "INSERT INTO owners(owner_id, name, email, role, weekly_capacity, working_hours, time_zone, "
    "manager, active, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
    "ON CONFLICT(owner_id) DO UPDATE SET name = excluded.name, email = excluded.email, "
    "role = excluded.role, weekly_capacity = excluded.weekly_capacity, "
    "working_hours = excluded.working_hours, time_zone = excluded.time_zone, "
    "manager = excluded.manager, active = excluded.active, updated_at = excluded.updated_at",
    // kOwnerExists
    "SELECT 1 FROM owners WHERE owner_id = ?1",
    // kOtherOpenHandoff
    "SELECT seq FROM handoffs WHERE lead_id = ?1 AND closed_at IS NULL AND seq <> ?2",
    // kOpenHandoff: a rescore asks it for every lead it moves
    "SELECT " LEADQ_HANDOFF_COLUMNS " FROM handoffs WHERE lead_id = ?1 AND closed_at IS NULL",
    // kHandoffLead
    "SELECT lead_id FROM handoffs WHERE seq = ?1",
    // kInsertHandoff
    "INSERT INTO handoffs(lead_id, account_id, owner_id, rule, assigned_by, assigned_at, cell, "
    "channel, score, model_version, sla_rule, clock_start, due_at, working_hours, first_touch_at, "
    "breached_at, escalated_at, escalation, cadence, cadence_stopped_at, closed_at, closed_reason) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22)",
    // kUpdateHandoff
    "UPDATE handoffs SET account_id = ?2, owner_id = ?3, rule = ?4, assigned_by = ?5, "
    "assigned_at = ?6, cell = ?7, channel = ?8, score = ?9, model_version = ?10, sla_rule = ?11, "
    "clock_start = ?12, due_at = ?13, working_hours = ?14, first_touch_at = ?15, "
    "breached_at = ?16, escalated_at = ?17, escalation = ?18, cadence = ?19, "
    "cadence_stopped_at = ?20, closed_at = ?21, closed_reason = ?22 WHERE seq = ?1",
    // kInsertTouch
    "INSERT INTO touches(lead_id, touched_by, channel, outcome, at, note, handoff_seq) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    // kWebhookExists
    "SELECT 1 FROM webhooks WHERE id = ?1",
    // kInsertMessage
    "INSERT INTO outbox(webhook_id, kind, idempotency_key, body, created_at, status, attempts, "
    "next_attempt_at, last_error, last_http_status, delivered_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9, ?10)",
    // kLeaseMessage
    "UPDATE outbox SET next_attempt_at = ?2 WHERE seq = ?1",
    // kPutBuyerNote
    "INSERT INTO buyer_notes(country, spelling, kind, value, note, noted_by, at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(country, spelling, kind) DO UPDATE SET "
    "value = excluded.value, note = excluded.note, noted_by = excluded.noted_by, "
    "at = excluded.at",
};

// Writes the id buckets of `ids` (hash, index into `leads`), which must be sorted by hash.
Status PutIdBuckets(Connection& conn, Stmt& put, std::span<const std::pair<uint64_t, uint32_t>> ids,
                    const std::vector<std::string>& leads) {
  std::vector<blocks::IdEntry> entries;
  for (size_t i = 0; i < ids.size();) {
    uint32_t bucket = blocks::BucketOf(ids[i].first);
    entries.clear();
    for (; i < ids.size() && blocks::BucketOf(ids[i].first) == bucket; ++i) {
      entries.push_back({ids[i].first, leads[ids[i].second]});
    }
    std::string blob = blocks::EncodeIdBucket(entries);
    put.Int(1, bucket);
    put.Blob(2, blob);
    LEADQ_TRY(conn.Run(put, "write event_id bucket"));
  }
  return Status::Ok();
}

// --- Shipments in blocks (store/shipment_blocks.h)

// A line with its key read out: of a batch, or of a stored block.
struct KeyedLine {
  TimePoint arrival = 0;
  std::string_view bol, hs;
  std::string_view encoded;
};

// Scan order: arrival, bol_number, hs_code.
bool ScanBefore(const KeyedLine& a, const KeyedLine& b) {
  if (a.arrival != b.arrival) return a.arrival < b.arrival;
  const int c = a.bol.compare(b.bol);
  return c != 0 ? c < 0 : a.hs < b.hs;
}
bool KeyBefore(const KeyedLine& a, std::string_view bol, std::string_view hs) {
  const int c = a.bol.compare(bol);
  return c != 0 ? c < 0 : a.hs < hs;
}
// The same key, arrival and values (equal lines of a day encode to equal bytes).
bool SameLine(const KeyedLine& a, const KeyedLine& b) {
  return a.arrival == b.arrival && a.encoded == b.encoded;
}

constexpr std::array<std::string_view, shipblocks::kNumbers> kShipmentNumberNames = {
    "weight_kg", "containers", "teu", "quantity", "value_usd"};

// InvalidInput for a shipment the store cannot keep.
Status CheckShipment(const shipblocks::ShipmentFields& row) {
  if (row.bol_number.empty()) return Status::Invalid("a shipment with an empty bol_number");
  const bool digits =
      !row.hs_code.empty() && std::all_of(row.hs_code.begin(), row.hs_code.end(),
                                          [](char c) { return c >= '0' && c <= '9'; });
  const bool numbers = std::all_of(row.numbers.begin(), row.numbers.end(),
                                   [](const auto& v) { return !v || std::isfinite(*v); });
  if (digits && !row.texts[0].empty() && numbers) return Status::Ok();
  std::string name = "shipment '";
  name.append(row.bol_number).append("' hs_code '").append(row.hs_code).append("'");
  if (!digits) return Status::Invalid(name + ": the hs_code must be digits only");
  if (row.texts[0].empty()) return Status::Invalid(name + ": no consignee_name");
  for (size_t k = 0; k < row.numbers.size(); ++k) {
    if (row.numbers[k] && !std::isfinite(*row.numbers[k])) {
      return Status::Invalid(name + ": " + std::string(kShipmentNumberNames[k]) +
                             " is not a finite number");
    }
  }
  return Status::Ok();
}

// Sorts on all cores: each core sorts a slice, then the slices are merged.
template <typename T, typename Less>
void ParallelSort(std::vector<T>& v, Less less) {
  const size_t parts = v.size() < 65536 ? 1 : WorkerCount();
  std::vector<size_t> bounds(parts + 1);
  for (size_t p = 0; p <= parts; ++p) bounds[p] = v.size() * p / parts;
  ParallelTasks(parts, [&](size_t p) {
    std::sort(v.begin() + static_cast<ptrdiff_t>(bounds[p]),
              v.begin() + static_cast<ptrdiff_t>(bounds[p + 1]), less);
  });
  for (size_t p = 1; p < parts; ++p) {
    std::inplace_merge(v.begin(), v.begin() + static_cast<ptrdiff_t>(bounds[p]),
                       v.begin() + static_cast<ptrdiff_t>(bounds[p + 1]), less);
  }
}

// The block ids of a day: day * kDaySegments + segment.
int64_t FirstBlockOf(int64_t day) { return day * shipblocks::kDaySegments; }
int64_t DayOfBlock(int64_t id) {
  return id >= 0 ? id / shipblocks::kDaySegments
                 : -((-id + shipblocks::kDaySegments - 1) / shipblocks::kDaySegments);
}

// The stored lines of one day, as one call reads and rewrites them.
struct StoredDay {
  std::deque<std::string> blobs;  // the segments, in order (the lines' views point into them)
  std::vector<KeyedLine> lines;   // scan order
  std::vector<uint32_t> by_key;   // lines by (bol, hs); empty while the arrivals are all one
  std::vector<char> removed;      // per line: replaced or moved to another day by this call
  int64_t segments = 0;           // stored segments
  bool dirty = false;             // a line removed

  // The index of the line with this key, or -1.
  int64_t Find(std::string_view bol, std::string_view hs) const {
    if (by_key.empty()) {
      auto it = std::lower_bound(lines.begin(), lines.end(), 0,
                                 [&](const KeyedLine& l, int) { return KeyBefore(l, bol, hs); });
      if (it == lines.end() || it->bol != bol || it->hs != hs) return -1;
      return it - lines.begin();
    }
    auto it = std::lower_bound(by_key.begin(), by_key.end(), 0,
                               [&](uint32_t i, int) { return KeyBefore(lines[i], bol, hs); });
    if (it == by_key.end() || lines[*it].bol != bol || lines[*it].hs != hs) return -1;
    return *it;
  }
};

// Reads the segments of `day` into `d`. `select` binds the first and last block id of the day.
Status LoadShipmentDay(Connection& conn, Stmt& select, int64_t day, StoredDay& d) {
  select.Int(1, FirstBlockOf(day));
  select.Int(2, FirstBlockOf(day) + shipblocks::kDaySegments - 1);
  ResetOnExit reset(select);
  std::vector<std::string_view> rows;
  for (;;) {
    const int rc = select.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return conn.Error(rc, "read shipment blocks");
    d.blobs.emplace_back(select.ColBlob(0));
    rows.clear();
    LEADQ_TRY(shipblocks::DecodeBlock(d.blobs.back(), rows));
    for (std::string_view row : rows) {
      KeyedLine line;
      int64_t time = 0;
      if (!shipblocks::DecodeKey(row, time, line.bol, line.hs)) {
        return Status::Internal("a line of the shipment block of day " + std::to_string(day) +
                                " does not decode");
      }
      line.arrival = day * kMicrosPerDay + time;
      line.encoded = row;
      d.lines.push_back(line);
    }
    ++d.segments;
  }
  d.removed.assign(d.lines.size(), 0);
  const bool one_arrival = std::all_of(d.lines.begin(), d.lines.end(), [&](const KeyedLine& l) {
    return l.arrival == d.lines.front().arrival;
  });
  if (!one_arrival) {
    d.by_key.resize(d.lines.size());
    for (size_t i = 0; i < d.by_key.size(); ++i) d.by_key[i] = static_cast<uint32_t>(i);
    std::sort(d.by_key.begin(), d.by_key.end(), [&](uint32_t a, uint32_t b) {
      return KeyBefore(d.lines[a], d.lines[b].bol, d.lines[b].hs);
    });
  }
  return Status::Ok();
}

// Rewrites the segments of `day`: its stored lines less the removed ones, and `added` (in scan
// order, keys not among the kept lines).
Status WriteShipmentDay(Connection& conn, Stmt& put, Stmt& drop, int64_t day, const StoredDay& d,
                        std::span<const KeyedLine> added) {
  std::vector<std::string_view> merged;
  merged.reserve(d.lines.size() + added.size());
  size_t i = 0, j = 0;
  while (i < d.lines.size() || j < added.size()) {
    if (i < d.lines.size() && d.removed[i]) {
      ++i;
    } else if (j == added.size() || (i < d.lines.size() && ScanBefore(d.lines[i], added[j]))) {
      merged.push_back(d.lines[i++].encoded);
    } else {
      merged.push_back(added[j++].encoded);
    }
  }
  const size_t most = shipblocks::kSegmentRows * static_cast<size_t>(shipblocks::kDaySegments);
  if (merged.size() > most) {
    return Status::Invalid("more than " + std::to_string(most) + " shipments arrive on day " +
                           FormatDate(day * kMicrosPerDay) + ": the store keeps up to that many");
  }
  int64_t segment = 0;
  for (size_t begin = 0; begin < merged.size(); begin += shipblocks::kSegmentRows, ++segment) {
    const size_t count = std::min(shipblocks::kSegmentRows, merged.size() - begin);
    const std::string blob =
        shipblocks::EncodeBlock(std::span<const std::string_view>(merged).subspan(begin, count));
    put.Int(1, FirstBlockOf(day) + segment);
    put.Int(2, static_cast<int64_t>(count));
    put.Blob(3, blob);
    LEADQ_TRY(conn.Run(put, "write shipment block"));
  }
  if (segment < d.segments) {
    drop.Int(1, FirstBlockOf(day) + segment);
    drop.Int(2, FirstBlockOf(day) + shipblocks::kDaySegments - 1);
    LEADQ_TRY(conn.Run(drop, "remove shipment blocks"));
  }
  return Status::Ok();
}

// Transaction::UpsertShipmentBatch on a connection inside a transaction (also the migration that
// moved rows into blocks).
Status UpsertShipmentLines(Connection& conn, const ShipmentBatch& batch, WriteStats& stats) {
  const size_t n = batch.size();
  if (n == 0) return Status::Ok();
  if (n >= std::numeric_limits<uint32_t>::max()) {
    return Status::Invalid("more than 4,294,967,294 shipments in one call");
  }

  // Every line's key read out, checked and hashed, on all cores.
  std::vector<KeyedLine> lines(n);
  std::vector<uint64_t> hashes(n);
  const size_t workers = n < 65536 ? 1 : WorkerCount();
  std::vector<size_t> first_bad(workers, n);
  ParallelFor(
      n,
      [&](size_t begin, size_t end, size_t part) {
        shipblocks::ShipmentFields f;
        for (size_t i = begin; i < end; ++i) {
          const std::string_view encoded = batch.encoded(i);
          if (!shipblocks::DecodeRow(encoded, shipblocks::DayOf(batch.arrival(i)), f) ||
              !CheckShipment(f).ok()) {
            first_bad[part] = std::min(first_bad[part], i);
            continue;
          }
          lines[i] = {f.arrival, f.bol_number, f.hs_code, encoded};
          hashes[i] = shipblocks::ShipmentKeyHash(f.bol_number, f.hs_code);
        }
      },
      workers);
  if (const size_t bad = *std::min_element(first_bad.begin(), first_bad.end()); bad < n) {
    shipblocks::ShipmentFields f;
    if (!shipblocks::DecodeRow(batch.encoded(bad), shipblocks::DayOf(batch.arrival(bad)), f)) {
      return Status::Internal("shipment " + std::to_string(bad + 1) +
                              " of the batch does not decode");
    }
    return CheckShipment(f);
  }

  // The lines in scan order (of one key twice on a day, the later given last), by their arrival
  // and the first 16 bytes of bol_number first.
  struct ScanKey {
    TimePoint arrival;
    uint64_t bol0, bol1;
    uint32_t line;
  };
  auto word = [](std::string_view s, size_t at) {
    uint64_t w = 0;
    for (size_t k = 0; k < 8; ++k) {
      w = (w << 8) | (at + k < s.size() ? static_cast<unsigned char>(s[at + k]) : 0u);
    }
    return w;
  };
  std::vector<ScanKey> order(n);
  ParallelFor(
      n,
      [&](size_t begin, size_t end, size_t) {
        for (size_t i = begin; i < end; ++i) {
          order[i] = {lines[i].arrival, word(lines[i].bol, 0), word(lines[i].bol, 8),
                      static_cast<uint32_t>(i)};
        }
      },
      workers);
  ParallelSort(order, [&](const ScanKey& a, const ScanKey& b) {
    if (a.arrival != b.arrival) return a.arrival < b.arrival;
    if (a.bol0 != b.bol0) return a.bol0 < b.bol0;
    if (a.bol1 != b.bol1) return a.bol1 < b.bol1;
    const KeyedLine& x = lines[a.line];
    const KeyedLine& y = lines[b.line];
    if (const int c = x.bol.compare(y.bol); c != 0) return c < 0;
    if (const int c = x.hs.compare(y.hs); c != 0) return c < 0;
    return a.line < b.line;
  });
  auto line_at = [&](uint32_t rank) -> const KeyedLine& { return lines[order[rank].line]; };

  // The lines of one key, by hash: (hash, rank in scan order). A key given more than once is
  // written as its last line in scan order; each later line counts as updated or unchanged
  // against the one before it, the first against what is stored.
  std::vector<std::pair<uint64_t, uint32_t>> by_hash(n);
  for (size_t r = 0; r < n; ++r) by_hash[r] = {hashes[order[r].line], static_cast<uint32_t>(r)};
  hashes = {};
  ParallelSort(by_hash, std::less<>());
  struct Group {
    uint64_t hash;
    uint32_t first, last;  // ranks
  };
  std::vector<Group> groups;
  groups.reserve(n);
  WriteStats local;
  std::vector<uint32_t> members;
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && by_hash[b].first == by_hash[a].first) ++b;
    if (b - a == 1) {
      groups.push_back({by_hash[a].first, by_hash[a].second, by_hash[a].second});
    } else {
      // One hash, maybe several keys: each key's lines in scan order.
      std::vector<bool> taken(b - a, false);
      for (size_t i = a; i < b; ++i) {
        if (taken[i - a]) continue;
        members.clear();
        for (size_t k = i; k < b; ++k) {
          const KeyedLine& x = line_at(by_hash[i].second);
          const KeyedLine& y = line_at(by_hash[k].second);
          if (!taken[k - a] && x.bol == y.bol && x.hs == y.hs) {
            taken[k - a] = true;
            members.push_back(by_hash[k].second);
          }
        }
        for (size_t k = 1; k < members.size(); ++k) {
          ++(SameLine(line_at(members[k - 1]), line_at(members[k])) ? local.unchanged
                                                                    : local.updated);
        }
        groups.push_back({by_hash[a].first, members.front(), members.back()});
      }
    }
    a = b;
  }
  by_hash = {};

  // What is stored under each key: the key buckets say on which days to look. A probe is one
  // such look: a group, a day, and the entry (its index in its bucket) that named the day.
  LEADQ_TRY(Stmt any, conn.Prepare("SELECT 1 FROM shipment_keys LIMIT 1", "read shipment keys"));
  LEADQ_TRY(const bool stored_any, conn.Fetch(any, "read shipment keys"));
  any.Reset();
  std::vector<std::vector<shipblocks::KeyEntry>> buckets(shipblocks::kKeyBuckets);
  std::vector<char> bucket_dirty(shipblocks::kKeyBuckets, 0);
  struct Probe {
    int64_t day;
    uint32_t group;
    uint32_t entry;
  };
  std::vector<Probe> probes;
  if (stored_any) {
    LEADQ_TRY(Stmt read_bucket, conn.Prepare("SELECT data FROM shipment_keys WHERE bucket = ?1",
                                             "read shipment keys"));
    std::vector<char> bucket_read(shipblocks::kKeyBuckets, 0);
    for (size_t g = 0; g < groups.size(); ++g) {
      const uint32_t bucket = shipblocks::BucketOf(groups[g].hash);
      std::vector<shipblocks::KeyEntry>& entries = buckets[bucket];
      if (!bucket_read[bucket]) {
        bucket_read[bucket] = 1;
        read_bucket.Int(1, bucket);
        LEADQ_TRY(bool row, conn.Fetch(read_bucket, "read shipment keys"));
        if (row) {
          Status s = shipblocks::DecodeKeyBucket(read_bucket.ColBlob(0), entries);
          read_bucket.Reset();
          LEADQ_TRY(s);
        }
      }
      auto [lo, hi] = std::equal_range(
          entries.begin(), entries.end(), shipblocks::KeyEntry{groups[g].hash, INT64_MIN},
          [](const shipblocks::KeyEntry& x, const shipblocks::KeyEntry& y) {
            return x.hash < y.hash;
          });
      for (auto it = lo; it != hi; ++it) {
        probes.push_back(
            {it->day, static_cast<uint32_t>(g), static_cast<uint32_t>(it - entries.begin())});
      }
    }
    ParallelSort(probes, [](const Probe& a, const Probe& b) {
      return a.day != b.day ? a.day < b.day : a.group < b.group;
    });
  }

  // Day by day, in order, one day in memory at a time: the probes of the day decide what their
  // groups' stored lines become (kept as they are, or replaced), then the lines the call writes
  // on that day are merged in and the day is written once.
  enum : uint8_t { kNotFound, kFound, kFoundSame };
  std::vector<uint8_t> outcome(groups.size(), kNotFound);
  std::vector<uint32_t> survivor_of(n, std::numeric_limits<uint32_t>::max());  // rank -> group
  for (size_t g = 0; g < groups.size(); ++g) {
    survivor_of[groups[g].last] = static_cast<uint32_t>(g);
  }
  // The blocks are written once and not read again: a small page cache writes them to the log
  // as it goes instead of taking up to a GiB of fresh memory for pages that are only written.
  SmallCache small_cache(conn);
  LEADQ_TRY(small_cache.Start());
  LEADQ_TRY(Stmt read_day, conn.Prepare("SELECT data FROM shipment_blocks WHERE id BETWEEN ?1 "
                                        "AND ?2 ORDER BY id",
                                        "read shipment blocks"));
  LEADQ_TRY(Stmt put, conn.Prepare("INSERT OR REPLACE INTO shipment_blocks(id, lines, data) "
                                   "VALUES(?1, ?2, ?3)",
                                   "write shipment block"));
  LEADQ_TRY(Stmt drop, conn.Prepare("DELETE FROM shipment_blocks WHERE id BETWEEN ?1 AND ?2",
                                    "remove shipment blocks"));
  auto day_of_rank = [&](size_t r) {
    return shipblocks::DayOf(line_at(static_cast<uint32_t>(r)).arrival);
  };
  std::vector<KeyedLine> added;
  size_t next_probe = 0, next_rank = 0;
  while (next_probe < probes.size() || next_rank < n) {
    int64_t day = next_rank < n ? day_of_rank(next_rank) : INT64_MAX;
    if (next_probe < probes.size()) day = std::min(day, probes[next_probe].day);
    StoredDay d;
    if (stored_any) LEADQ_TRY(LoadShipmentDay(conn, read_day, day, d));
    for (; next_probe < probes.size() && probes[next_probe].day == day; ++next_probe) {
      const Probe& p = probes[next_probe];
      if (outcome[p.group] != kNotFound) continue;  // found on another entry's day already
      const Group& g = groups[p.group];
      const KeyedLine& first = line_at(g.first);
      const KeyedLine& last = line_at(g.last);
      const int64_t found = d.Find(first.bol, first.hs);
      if (found < 0) continue;  // another key with the same hash
      const KeyedLine& stored = d.lines[static_cast<size_t>(found)];
      ++(SameLine(first, stored) ? local.unchanged : local.updated);
      if (SameLine(last, stored)) {
        outcome[p.group] = kFoundSame;
        continue;
      }
      outcome[p.group] = kFound;
      d.removed[static_cast<size_t>(found)] = 1;
      d.dirty = true;
      const int64_t last_day = shipblocks::DayOf(last.arrival);
      shipblocks::KeyEntry& entry = buckets[shipblocks::BucketOf(g.hash)][p.entry];
      if (entry.day != last_day) {
        entry.day = last_day;
        bucket_dirty[shipblocks::BucketOf(g.hash)] = 1;
      }
    }
    added.clear();
    for (; next_rank < n && day_of_rank(next_rank) == day; ++next_rank) {
      const uint32_t g = survivor_of[next_rank];
      if (g != std::numeric_limits<uint32_t>::max() && outcome[g] != kFoundSame) {
        added.push_back(line_at(static_cast<uint32_t>(next_rank)));
      }
    }
    if (!added.empty() || d.dirty) LEADQ_TRY(WriteShipmentDay(conn, put, drop, day, d, added));
  }
  // Keys not stored before: new entries, in hash order as the groups are.
  std::vector<shipblocks::KeyEntry> new_entries;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (outcome[g] != kNotFound) continue;
    ++local.inserted;
    new_entries.push_back({groups[g].hash, day_of_rank(groups[g].last)});
    bucket_dirty[shipblocks::BucketOf(groups[g].hash)] = 1;
  }
  groups = {};

  LEADQ_TRY(Stmt put_bucket, conn.Prepare("INSERT OR REPLACE INTO shipment_keys(bucket, data) "
                                          "VALUES(?1, ?2)",
                                          "write shipment keys"));
  size_t next_new = 0;
  for (uint32_t bucket = 0; bucket < shipblocks::kKeyBuckets; ++bucket) {
    if (!bucket_dirty[bucket]) continue;
    std::vector<shipblocks::KeyEntry>& entries = buckets[bucket];
    for (; next_new < new_entries.size() &&
           shipblocks::BucketOf(new_entries[next_new].hash) <= bucket;
         ++next_new) {
      entries.push_back(new_entries[next_new]);
    }
    std::sort(entries.begin(), entries.end());
    const std::string blob = shipblocks::EncodeKeyBucket(entries);
    put_bucket.Int(1, bucket);
    put_bucket.Blob(2, blob);
    LEADQ_TRY(conn.Run(put_bucket, "write shipment keys"));
  }
  stats.inserted += local.inserted;
  stats.updated += local.updated;
  stats.unchanged += local.unchanged;
  return Status::Ok();
}

}  // namespace

namespace internal {
namespace {

// Migration 7: moves the rows of `events` (one per event, free-form keys in f_ columns) into
// event_blocks and event_ids, then drops the table.
Status MoveEventsIntoBlocks(sqlite3* raw) {
  Connection conn(raw, Describe(sqlite3_db_filename(raw, "main")), /*owned=*/false);
  std::vector<std::string> keys;
  {
    LEADQ_TRY(Stmt st, conn.Prepare("SELECT key FROM field_columns WHERE entity = 'event' "
                                    "ORDER BY position",
                                    "read event keys"));
    for (;;) {
      LEADQ_TRY(bool row, conn.Fetch(st, "read event keys"));
      if (!row) break;
      keys.push_back(st.ColString(0));
    }
  }
  std::string sql = "SELECT lead_id, account_id, seq, occurred_at, event_id, type";
  for (const std::string& key : keys) sql += ", " + ColumnName(key);
  sql += " FROM events ORDER BY lead_id, occurred_at, seq";
  LEADQ_TRY(Stmt rows, conn.Prepare(sql, "read events"));
  LEADQ_TRY(Stmt put, conn.Prepare(kFixedSql[kPutBlock], "write event block"));

  std::vector<std::string> leads;                  // distinct, in order
  std::vector<std::pair<uint64_t, uint32_t>> ids;  // (hash of event_id, lead)
  std::string account;
  int64_t segment = 0;
  blocks::BlockWriter writer;
  auto finish = [&]() -> Status {
    if (writer.count() == 0) return Status::Ok();
    size_t count = writer.count();
    std::string blob = writer.Finish();
    put.TextNotNull(1, leads.back());
    put.Int(2, segment++);
    put.Text(3, account);
    put.Int(4, static_cast<int64_t>(count));
    put.Blob(5, blob);
    return conn.Run(put, "write event block", leads.back());
  };
  std::vector<blocks::StoredProp> props;
  for (;;) {
    int rc = rows.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return conn.Error(rc, "read events");
    std::string_view lead = rows.Col(0);
    if (leads.empty() || leads.back() != lead) {
      LEADQ_TRY(finish());
      leads.emplace_back(lead);
      account.assign(rows.Col(1));
      segment = 0;
    } else if (writer.count() == blocks::kSegmentEvents) {
      LEADQ_TRY(finish());
    }
    props.clear();
    for (size_t k = 0; k < keys.size(); ++k) {
      std::string_view v = rows.Col(6 + static_cast<int>(k));
      if (!v.empty()) props.push_back({static_cast<uint32_t>(k), v});
    }
    blocks::StoredEvent e;
    e.seq = rows.ColInt(2);
    e.occurred_at = rows.ColInt(3);
    e.event_id = rows.Col(4);
    e.type = rows.Col(5);
    writer.Add(e, props);
    if (!e.event_id.empty()) {
      ids.emplace_back(blocks::EventIdHash(e.event_id), static_cast<uint32_t>(leads.size() - 1));
    }
  }
  LEADQ_TRY(finish());
  rows = Stmt();
  put = Stmt();
  std::sort(ids.begin(), ids.end());
  LEADQ_TRY(Stmt bucket, conn.Prepare(kFixedSql[kPutIdBucket], "write event_id bucket"));
  LEADQ_TRY(PutIdBuckets(conn, bucket, ids, leads));
  bucket = Stmt();
  return conn.Exec("DROP TABLE events", "drop the events table");
}

// Migration 8: moves the rows of `shipments` (one per line) into shipment_blocks and
// shipment_keys, then drops the table.
Status MoveShipmentsIntoBlocks(sqlite3* raw) {
  Connection conn(raw, Describe(sqlite3_db_filename(raw, "main")), /*owned=*/false);
  ShipmentBatch batch;
  {
    LEADQ_TRY(Stmt rows, conn.Prepare("SELECT arrival, bol_number, hs_code, consignee_name, "
                                      "shipper_name, consignee_address, consignee_city, "
                                      "consignee_country, shipper_country, notify_party, "
                                      "country_of_origin, port_of_lading, port_of_unlading, "
                                      "description, carrier, weight_kg, containers, teu, "
                                      "quantity, value_usd FROM shipments",
                                      "read shipments"));
    shipblocks::ShipmentFields f;
    for (;;) {
      const int rc = rows.Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return conn.Error(rc, "read shipments");
      f.arrival = rows.ColInt(0);
      f.bol_number = rows.Col(1);
      f.hs_code = rows.Col(2);
      for (size_t k = 0; k < shipblocks::kTexts; ++k)
        f.texts[k] = rows.Col(3 + static_cast<int>(k));
      for (size_t k = 0; k < shipblocks::kNumbers; ++k) {
        f.numbers[k] = rows.ColOptDouble(3 + static_cast<int>(shipblocks::kTexts + k));
      }
      batch.Add(f);
    }
  }
  WriteStats stats;
  LEADQ_TRY(UpsertShipmentLines(conn, batch, stats));
  return conn.Exec("DROP TABLE shipments", "drop the shipments table");
}

}  // namespace
}  // namespace internal

namespace {

constexpr std::string_view kTransitionColumns =
    "seq, lead_id, from_stage, to_stage, at, actor, model_version, reason, note, "
    "s_model_version, s_as_of, s_fit, s_intent, s_negative, s_score, s_fit_grade, "
    "s_intent_grade, s_action, s_reason, s_channel";
constexpr std::string_view kScoreColumns =
    "lead_id, model_version, as_of, fit, intent, negative, score, fit_grade, intent_grade, "
    "action, reason, channel";
constexpr std::string_view kModelColumns = "version, content, hash, author, message, created_at";
constexpr std::string_view kAnswerColumns =
    "seq, lead_id, framework, criterion, value, evidence, source, author, at, expires_at";
constexpr std::string_view kOwnerColumns =
    "owner_id, name, email, role, weekly_capacity, working_hours, time_zone, manager, active, "
    "created_at, updated_at";
constexpr std::string_view kHandoffColumns = LEADQ_HANDOFF_COLUMNS;
constexpr std::string_view kTouchColumns =
    "seq, lead_id, touched_by, channel, outcome, at, note, handoff_seq";
constexpr std::string_view kWebhookColumns = "id, url, kinds, secret, max_attempts, created_at";
constexpr std::string_view kTradeRuleColumns = "id, kind, role, country, a, b, made_by, note, at";
constexpr std::string_view kBuyerNoteColumns = "country, spelling, kind, value, note, noted_by, at";
constexpr std::string_view kMessageColumns =
    "seq, webhook_id, kind, idempotency_key, body, created_at, status, attempts, "
    "next_attempt_at, last_error, last_http_status, delivered_at";

// Binds a score record (without its lead_id) at ?first .. ?first+10, in kScoreColumns order.
void BindScore(Stmt& st, int first, const ScoreRecord& s) {
  st.Int(first, s.model_version);
  st.Int(first + 1, s.as_of);
  st.Double(first + 2, s.fit);
  st.Double(first + 3, s.intent);
  st.Double(first + 4, s.negative);
  st.Double(first + 5, s.score);
  st.TextNotNull(first + 6, s.fit_grade);
  st.TextNotNull(first + 7, s.intent_grade);
  st.TextNotNull(first + 8, s.action);
  st.TextNotNull(first + 9, s.reason);
  st.Text(first + 10, s.channel);
}

// Reads a score from column `first` on (model_version first), for `lead_id`.
ScoreRecord ReadScore(const Stmt& st, int first, std::string_view lead_id) {
  ScoreRecord s;
  s.lead_id = std::string(lead_id);
  s.model_version = st.ColInt(first);
  s.as_of = st.ColInt(first + 1);
  s.fit = st.ColDouble(first + 2);
  s.intent = st.ColDouble(first + 3);
  s.negative = st.ColDouble(first + 4);
  s.score = st.ColDouble(first + 5);
  s.fit_grade = st.ColString(first + 6);
  s.intent_grade = st.ColString(first + 7);
  s.action = st.ColString(first + 8);
  s.reason = st.ColString(first + 9);
  s.channel = st.ColString(first + 10);
  return s;
}

Transition ReadTransition(const Stmt& st) {
  Transition t;
  t.seq = st.ColInt(0);
  t.lead_id = st.ColString(1);
  t.from_stage = st.ColString(2);
  t.to_stage = st.ColString(3);
  t.at = st.ColInt(4);
  t.actor = st.ColString(5);
  t.model_version = st.ColInt(6);
  t.reason = st.ColString(7);
  t.note = st.ColString(8);
  if (!st.IsNull(9)) t.scores = ReadScore(st, 9, t.lead_id);
  return t;
}

ModelVersion ReadModel(const Stmt& st) {
  ModelVersion m;
  m.version = st.ColInt(0);
  m.content = st.ColString(1);
  m.hash = st.ColString(2);
  m.author = st.ColString(3);
  m.message = st.ColString(4);
  m.created_at = st.ColInt(5);
  return m;
}

LeadState ReadState(const Stmt& st) {
  LeadState s;
  s.lead_id = st.ColString(0);
  s.stage = st.ColString(1);
  s.stage_since = st.ColInt(2);
  s.recycle_count = st.ColInt(3);
  s.recycle_until = st.ColOptInt(4);
  s.below_line_since = st.ColOptInt(5);
  return s;
}

Answer ReadAnswer(const Stmt& st) {
  Answer a;
  a.seq = st.ColInt(0);
  a.lead_id = st.ColString(1);
  a.framework = st.ColString(2);
  a.criterion = st.ColString(3);
  a.value = st.ColString(4);
  a.evidence = st.ColString(5);
  a.source = st.ColString(6);
  a.author = st.ColString(7);
  a.at = st.ColInt(8);
  a.expires_at = st.ColOptInt(9);
  return a;
}

// A LIMIT for SQLite: 0 (and anything beyond int64) is no limit.
int64_t SqlLimit(size_t limit) {
  if (limit == 0 || limit > static_cast<size_t>(std::numeric_limits<int64_t>::max())) return -1;
  return static_cast<int64_t>(limit);
}

Owner ReadOwner(const Stmt& st) {
  Owner o;
  o.owner_id = st.ColString(0);
  o.name = st.ColString(1);
  o.email = st.ColString(2);
  o.role = st.ColString(3);
  o.weekly_capacity = st.ColInt(4);
  o.working_hours = st.ColString(5);
  o.time_zone = st.ColString(6);
  o.manager = st.ColString(7);
  o.active = st.ColInt(8) != 0;
  o.created_at = st.ColInt(9);
  o.updated_at = st.ColInt(10);
  return o;
}

// Binds every field of a handoff after seq and lead_id at ?first .. ?first+20, in
// kHandoffColumns order.
void BindHandoff(Stmt& st, int first, const Handoff& h) {
  st.Text(first, h.account_id);
  st.TextNotNull(first + 1, h.owner_id);
  st.Text(first + 2, h.rule);
  st.Text(first + 3, h.assigned_by);
  st.Int(first + 4, h.assigned_at);
  st.Text(first + 5, h.cell);
  st.Text(first + 6, h.channel);
  st.Double(first + 7, h.score);
  st.Int(first + 8, h.model_version);
  st.Text(first + 9, h.sla_rule);
  st.Int(first + 10, h.clock_start);
  st.OptInt(first + 11, h.due_at);
  st.Int(first + 12, h.working_hours ? 1 : 0);
  st.OptInt(first + 13, h.first_touch_at);
  st.OptInt(first + 14, h.breached_at);
  st.OptInt(first + 15, h.escalated_at);
  st.Text(first + 16, h.escalation);
  st.Text(first + 17, h.cadence);
  st.OptInt(first + 18, h.cadence_stopped_at);
  st.OptInt(first + 19, h.closed_at);
  st.Text(first + 20, h.closed_reason);
}

Handoff ReadHandoff(const Stmt& st) {
  Handoff h;
  h.seq = st.ColInt(0);
  h.lead_id = st.ColString(1);
  h.account_id = st.ColString(2);
  h.owner_id = st.ColString(3);
  h.rule = st.ColString(4);
  h.assigned_by = st.ColString(5);
  h.assigned_at = st.ColInt(6);
  h.cell = st.ColString(7);
  h.channel = st.ColString(8);
  h.score = st.ColDouble(9);
  h.model_version = st.ColInt(10);
  h.sla_rule = st.ColString(11);
  h.clock_start = st.ColInt(12);
  h.due_at = st.ColOptInt(13);
  h.working_hours = st.ColInt(14) != 0;
  h.first_touch_at = st.ColOptInt(15);
  h.breached_at = st.ColOptInt(16);
  h.escalated_at = st.ColOptInt(17);
  h.escalation = st.ColString(18);
  h.cadence = st.ColString(19);
  h.cadence_stopped_at = st.ColOptInt(20);
  h.closed_at = st.ColOptInt(21);
  h.closed_reason = st.ColString(22);
  return h;
}

Touch ReadTouch(const Stmt& st) {
  Touch t;
  t.seq = st.ColInt(0);
  t.lead_id = st.ColString(1);
  t.by = st.ColString(2);
  t.channel = st.ColString(3);
  t.outcome = st.ColString(4);
  t.at = st.ColInt(5);
  t.note = st.ColString(6);
  t.handoff_seq = st.ColInt(7);
  return t;
}

// Webhook kinds are stored comma-joined: a kind must be non-empty and hold no comma.
Result<std::string> JoinKinds(const std::vector<std::string>& kinds) {
  std::string out;
  for (const std::string& kind : kinds) {
    if (kind.empty() || kind.find(',') != std::string::npos) {
      return Status::Invalid("webhook kind '" + kind + "' is empty or holds a comma");
    }
    if (!out.empty()) out += ',';
    out += kind;
  }
  return out;
}

std::vector<std::string> SplitKinds(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    size_t comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

Webhook ReadWebhook(const Stmt& st) {
  Webhook w;
  w.id = st.ColInt(0);
  w.url = st.ColString(1);
  w.kinds = SplitKinds(st.Col(2));
  w.secret = st.ColString(3);
  w.max_attempts = st.ColInt(4);
  w.created_at = st.ColInt(5);
  return w;
}

// The CHECK constraint of outbox.status admits only the three names.
MessageStatus ParseMessageStatus(std::string_view name) {
  for (MessageStatus s : {MessageStatus::kDelivered, MessageStatus::kDead}) {
    if (name == MessageStatusName(s)) return s;
  }
  return MessageStatus::kPending;
}

OutboxMessage ReadMessage(const Stmt& st) {
  OutboxMessage m;
  m.seq = st.ColInt(0);
  m.webhook_id = st.ColInt(1);
  m.kind = st.ColString(2);
  m.idempotency_key = st.ColString(3);
  m.body = st.ColString(4);
  m.created_at = st.ColInt(5);
  m.status = ParseMessageStatus(st.Col(6));
  m.attempts = st.ColInt(7);
  m.next_attempt_at = st.ColInt(8);
  m.last_error = st.ColString(9);
  m.last_http_status = st.ColInt(10);
  m.delivered_at = st.ColOptInt(11);
  return m;
}

TradeRule ReadTradeRule(const Stmt& st) {
  TradeRule r;
  r.id = st.ColInt(0);
  r.kind = st.ColString(1);
  r.role = st.ColString(2);
  r.country = st.ColString(3);
  r.a = st.ColString(4);
  r.b = st.ColString(5);
  r.by = st.ColString(6);
  r.note = st.ColString(7);
  r.at = st.ColInt(8);
  return r;
}

BuyerNote ReadBuyerNote(const Stmt& st) {
  BuyerNote n;
  n.country = st.ColString(0);
  n.spelling = st.ColString(1);
  n.kind = st.ColString(2);
  n.value = st.ColString(3);
  n.note = st.ColString(4);
  n.by = st.ColString(5);
  n.at = st.ColInt(6);
  return n;
}

// --- API tokens and the audit trail

constexpr std::string_view kApiTokenColumns =
    "id, name, role, owner, secret_hash, created_at, revoked_at, last_used_at";
constexpr std::string_view kAuditColumns = "seq, at, token, method, path, status, summary";

ApiToken ReadApiToken(const Stmt& st) {
  ApiToken t;
  t.id = st.ColInt(0);
  t.name = st.ColString(1);
  t.role = st.ColString(2);
  t.owner = st.ColString(3);
  t.secret_hash = st.ColString(4);
  t.created_at = st.ColInt(5);
  t.revoked_at = st.ColOptInt(6);
  t.last_used_at = st.ColOptInt(7);
  return t;
}

AuditEntry ReadAuditEntry(const Stmt& st) {
  AuditEntry e;
  e.seq = st.ColInt(0);
  e.at = st.ColInt(1);
  e.token = st.ColString(2);
  e.method = st.ColString(3);
  e.path = st.ColString(4);
  e.status = static_cast<int>(st.ColInt(5));
  e.summary = st.ColString(6);
  return e;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::filesystem::path path) : path_(std::move(path)) {}
  ~SqliteStore() override {
    assert(open_transactions_.load() == 0 && "a Transaction outlived its Store");
  }

  Result<std::unique_ptr<Transaction>> Begin() override;
  Result<std::unique_ptr<Transaction>> BeginRead() override;
  // Begins with `begin_sql` on a pooled connection; `writer` held: read-write, else read-only.
  Result<std::unique_ptr<Transaction>> BeginWith(std::unique_lock<std::timed_mutex> writer,
                                                 std::string_view begin_sql);
  std::string Describe() const override { return leadq::store::Describe(path_); }
  void DeferMaintenance(bool on) override { defer_checkpoints_.store(on); }
  Status Maintain() override {
    std::unique_ptr<Connection> conn = TakeIdle();
    if (conn == nullptr) {
      LEADQ_TRY(conn, OpenConnection(path_, false));
    }
    // First the bulk, while writers go on; then, when the log has grown long, the few pages
    // written meanwhile with writers held back for that moment, so that the log is copied in
    // full and the next writer starts it again from the top (a log always behind never would).
    int log_frames = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(conn->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                       &copied);
    if (rc == SQLITE_OK && log_frames >= kCheckpointFrames) {
      std::unique_lock<std::timed_mutex> writer(writer_mu_, std::defer_lock);
      if (writer.try_lock_for(std::chrono::milliseconds(100))) {
        rc = sqlite3_wal_checkpoint_v2(conn->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                       &copied);
      }
    }
    Status s = rc == SQLITE_OK || rc == SQLITE_BUSY ? Status::Ok() : conn->Error(rc, "checkpoint");
    AddIdle(std::move(conn));
    return s;
  }
  // Applies DeferMaintenance to a connection about to begin a transaction.
  void ApplyCheckpointMode(Connection& conn) const {
    const bool automatic = !defer_checkpoints_.load();
    if (conn.auto_checkpoint == automatic) return;
    sqlite3_wal_autocheckpoint(conn.db(), automatic ? kCheckpointFrames : 0);
    conn.auto_checkpoint = automatic;
  }

  // Takes back a connection that is outside any transaction.
  void Release(std::unique_ptr<Connection> conn) {
    open_transactions_.fetch_sub(1);
    if (conn == nullptr || conn->InTransaction()) return;  // a broken one is closed
    sqlite3_db_release_memory(conn->db());                 // an idle connection holds no cache
    AddIdle(std::move(conn));
  }
  void AddIdle(std::unique_ptr<Connection> conn) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
  }

 private:
  static constexpr size_t kMaxIdle = 4;

  std::unique_ptr<Connection> TakeIdle() {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_.empty()) return nullptr;
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }

  const std::filesystem::path path_;
  // One writer at a time in this process: a transaction waits here, woken the moment the last
  // one ends, instead of in SQLite's busy handler, which sleeps 1, 2, 5 ... 100 ms between
  // tries (the server's concurrent requests spent most of their time asleep there). Other
  // processes still meet the busy timeout.
  std::timed_mutex writer_mu_;
  std::atomic<bool> defer_checkpoints_{false};
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by pool_mu_
  std::atomic<int> open_transactions_{0};
};

class SqliteTransaction final : public Transaction {
 public:
  // `writer` held: a read-write transaction; not held: a read-only one (BeginRead).
  SqliteTransaction(SqliteStore& store, std::unique_ptr<Connection> conn,
                    std::unique_lock<std::timed_mutex> writer)
      : store_(store),
        conn_(std::move(conn)),
        writer_(std::move(writer)),
        read_only_(!writer_.owns_lock()) {}

  ~SqliteTransaction() override {
    if (!finished_ && conn_->InTransaction()) {
      (void)conn_->Exec("ROLLBACK", "roll back");
    }
    DropStatements();
    if (read_only_ && !conn_->InTransaction()) {
      (void)conn_->Exec("PRAGMA query_only=0", "end a read-only transaction");
    }
    store_.Release(std::move(conn_));
  }

  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  Status LoadColumns() {
    for (auto& c : columns_) {
      c.keys.clear();
      c.known.clear();
    }
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT entity, key FROM field_columns "
                                      "ORDER BY entity, position",
                                      "read field_columns"));
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "read field_columns"));
      if (!row) break;
      std::string_view entity = st.Col(0);
      for (int e = 0; e < kEntityCount; ++e) {
        if (entity != kEntityInfo[e].name) continue;
        columns_[e].keys.emplace_back(st.Col(1));
        columns_[e].known.emplace(st.Col(1));
      }
    }
    return Status::Ok();
  }

  Status Commit() override {
    LEADQ_TRY(CheckUsable());
    DropStatements();
    Status s = conn_->Exec("COMMIT", "commit");
    if (!s.ok() && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK", "roll back");
    finished_ = true;
    if (!conn_->InTransaction() && writer_.owns_lock()) writer_.unlock();
    return s;
  }

  Result<std::vector<std::string>> FieldKeys(Entity entity) override {
    LEADQ_TRY(CheckUsable());
    return columns_[EntityIndex(entity)].keys;
  }

  Status UpsertAccounts(std::span<const AccountRow> rows, TimePoint now,
                        WriteStats& stats) override {
    return Atomically([&]() -> Status {
      WriteStats local;
      for (const AccountRow& row : rows) {
        if (row.account_id.empty()) return Status::Invalid("an account with an empty account_id");
        LEADQ_TRY(UpsertOne(Entity::kAccount, row.account_id, nullptr, row.fields, now, local));
      }
      Add(stats, local);
      return Status::Ok();
    });
  }

  Status UpsertLeads(std::span<const LeadRow> rows, TimePoint now, std::string_view actor,
                     WriteStats& stats) override {
    return Atomically([&]() -> Status {
      WriteStats local;
      for (const LeadRow& row : rows) {
        if (row.lead_id.empty()) return Status::Invalid("a lead with an empty lead_id");
        uint64_t inserted_before = local.inserted;
        LEADQ_TRY(UpsertOne(Entity::kLead, row.lead_id, &row.account_id, row.fields, now, local));
        if (local.inserted == inserted_before) continue;
        // A new lead: its state and the first entry of its log.
        LEADQ_TRY(Stmt * state, Fixed(kInsertLeadState));
        state->TextNotNull(1, row.lead_id);
        state->Int(2, now);
        LEADQ_TRY(conn_->Run(*state, "insert lead_state", row.lead_id));
        Transition first;
        first.to_stage = "new";
        first.at = now;
        LEADQ_TRY(InsertTransition(row.lead_id, first, actor));
      }
      Add(stats, local);
      return Status::Ok();
    });
  }

  // Stores new events in their leads' blocks (see store/event_blocks.h). First the event_ids,
  // bucket by bucket: a repeat within the batch, or an id stored for another lead, is a
  // duplicate; an id whose hash is stored for the same lead is checked in that lead's blocks.
  // Then each lead once, in lead order: its stored events are read only when an event needs
  // comparing with them, and its new events fill its last segment, then new ones.
  Status InsertEventBatch(const EventBatch& batch, WriteStats& stats) override {
    return Atomically([&]() -> Status {
      WriteStats local;
      const size_t n = batch.size();
      for (size_t i = 0; i < n; ++i) {
        const EventBatch::Event& e = batch.event(i);
        if (e.lead_id.empty()) return Status::Invalid("an event with an empty lead_id");
        if (Trim(e.type).empty()) {
          return Status::Invalid("event of lead '" + std::string(e.lead_id) +
                                 "' has an empty type");
        }
      }
      LEADQ_TRY(std::vector<uint32_t> ordinal, EventKeyOrdinals(batch));

      // Rows grouped by lead: leads in byte order (the order of the blocks), the rows of each
      // by time, then batch order. The leads are told apart by all cores, each taking the
      // leads whose hash falls in its lane (a lead's rows all go to one lane); a lead's group
      // number is its place among its lane's leads, after the leads of the lanes before.
      const size_t lanes = n < 65536 ? 1 : WorkerCount();
      std::vector<uint64_t> hash_of;
      ResizeHuge(hash_of, n);
      std::vector<uint32_t> lead_of;
      ResizeHuge(lead_of, n);
      std::vector<std::vector<std::string_view>> lane_leads(lanes);
      // Bits of the hash that the index's slot (its low bits) does not use.
      auto lane_of = [&](uint64_t hash) { return (hash >> 40) % lanes; };
      ParallelTasks(lanes, [&](size_t lane) {
        for (size_t i = lane; i < n; i += lanes) hash_of[i] = HashBytes(batch.event(i).lead_id);
      });
      ParallelTasks(lanes, [&](size_t lane) {
        StringIndex index;
        index.Reserve(std::min<size_t>(n / lanes + 1, size_t{1} << 16));
        std::vector<std::string_view>& mine = lane_leads[lane];
        for (size_t i = 0; i < n; ++i) {
          if (lane_of(hash_of[i]) != lane) continue;
          std::string_view lead = batch.event(i).lead_id;
          auto [g, added] =
              index.InsertHashed(lead, hash_of[i], static_cast<uint32_t>(mine.size()));
          if (added) mine.push_back(lead);
          lead_of[i] = g;
        }
      });
      std::vector<std::string_view> leads;
      std::vector<uint32_t> lane_first(lanes, 0);
      for (size_t lane = 0; lane < lanes; ++lane) {
        lane_first[lane] = static_cast<uint32_t>(leads.size());
        leads.insert(leads.end(), lane_leads[lane].begin(), lane_leads[lane].end());
      }
      lane_leads.clear();
      if (lanes > 1) {
        ParallelTasks(lanes, [&](size_t part) {
          for (size_t i = n * part / lanes; i < n * (part + 1) / lanes; ++i) {
            lead_of[i] += lane_first[lane_of(hash_of[i])];
          }
        });
      }
      hash_of = std::vector<uint64_t>();
      // Sorted by their first eight bytes as a number, then whole where those tie.
      std::vector<std::pair<uint64_t, uint32_t>> by_prefix(leads.size());
      for (uint32_t g = 0; g < leads.size(); ++g) {
        unsigned char head[8] = {};
        std::memcpy(head, leads[g].data(), std::min<size_t>(8, leads[g].size()));
        uint64_t prefix = 0;
        for (unsigned char c : head) prefix = (prefix << 8) | c;
        by_prefix[g] = {prefix, g};
      }
      std::sort(by_prefix.begin(), by_prefix.end(), [&](const auto& x, const auto& y) {
        if (x.first != y.first) return x.first < y.first;
        return leads[x.second] < leads[y.second];
      });
      std::vector<uint32_t> by_name(leads.size());
      for (size_t r = 0; r < by_prefix.size(); ++r) by_name[r] = by_prefix[r].second;
      by_prefix = {};
      std::vector<uint32_t> rank(leads.size());
      for (uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;

      std::vector<uint8_t> verdict;
      ResizeHuge(verdict, n);  // kNewEvent
      LEADQ_TRY(CheckEventIds(batch, leads, lead_of, verdict));

      // Each lead's events staged next to each other, in lead order: the rows are read in
      // batch order (in sequence) and written at their lead's place, so that the pass over the
      // leads below reads in sequence too. Two passes: sizes, then bytes; each by all cores,
      // a range of leads each (every core reads all rows and stages those of its leads).
      const size_t stage_lanes = leads.size() < kBulkLeads ? 1 : WorkerCount();
      auto lane_of_rank = [&](uint32_t r) { return r * stage_lanes / leads.size(); };
      auto props_of =
          [&](size_t i,
              std::vector<blocks::StoredProp>& props) -> std::span<const blocks::StoredProp> {
        props.clear();
        for (size_t k = 0; k < ordinal.size(); ++k) {
          std::string_view v = batch.value(i, k);
          if (!v.empty()) props.push_back({ordinal[k], v});
        }
        return props;
      };
      std::vector<size_t> start(leads.size() + 1, 0);  // of each lead's staged bytes
      // Calls visit(i, rank, event) for each row of a lead in `lane`, in batch order.
      auto for_rows_of_lane = [&](size_t lane, auto&& visit) {
        for (size_t i = 0; i < n; ++i) {
          const uint32_t r = rank[lead_of[i]];
          if (lane_of_rank(r) == lane) visit(i, r, batch.event(i));
        }
      };
      ParallelTasks(stage_lanes, [&](size_t lane) {
        std::vector<blocks::StoredProp> props;
        for_rows_of_lane(lane, [&](size_t i, uint32_t r, const EventBatch::Event& e) {
          start[r + 1] += blocks::StagedSize(e.event_id, e.type, props_of(i, props));
        });
      });
      for (size_t r = 0; r < leads.size(); ++r) start[r + 1] += start[r];
      // Every byte is written below before it is read: no zeroing of up to a GB.
      auto staged_bytes = std::make_unique_for_overwrite<char[]>(start.back());
      AdviseHugePages(staged_bytes.get(), start.back());
      char* const staged = staged_bytes.get();
      std::vector<uint8_t> unsorted(leads.size(), 0);  // a lead's rows are not in time order
      {
        std::vector<size_t> next(start.begin(), start.end() - 1);
        std::vector<TimePoint> latest(leads.size(), std::numeric_limits<TimePoint>::min());
        ParallelTasks(stage_lanes, [&](size_t lane) {
          std::vector<blocks::StoredProp> props;
          for_rows_of_lane(lane, [&](size_t i, uint32_t r, const EventBatch::Event& e) {
            char* end = blocks::StageEvent(staged + next[r], static_cast<uint32_t>(i),
                                           e.occurred_at, e.event_id, e.type, props_of(i, props));
            next[r] = static_cast<size_t>(end - staged);
            if (e.occurred_at < latest[r]) unsorted[r] = 1;
            latest[r] = std::max(latest[r], e.occurred_at);
          });
        });
      }

      LEADQ_TRY(Stmt * counter, Fixed(kReadEventSeq));
      LEADQ_TRY(bool found, conn_->Fetch(*counter, "read event_seq"));
      if (!found) return Status::Internal("the counter event_seq is missing");
      int64_t seq = counter->ColInt(0);
      counter->Reset();

      std::vector<blocks::StoredEvent> stored;
      std::vector<blocks::StoredProp> stored_props;
      std::unordered_set<std::string_view> stored_ids;
      std::unordered_set<std::string> keyed;    // id-less events: TypeKey, time
      std::vector<blocks::StoredEvent> events;  // the lead's new rows, then the fresh ones
      std::vector<uint32_t> rows;
      std::vector<blocks::StoredProp> event_props;
      std::string key;
      auto key_of = [&](std::string_view type, TimePoint at) -> const std::string& {
        key = blocks::TypeKey(type);
        key += '\x1f';
        char digits[24];
        key.append(digits, std::to_chars(digits, digits + sizeof digits, at).ptr);
        return key;
      };
      // What the loop asks of each lead, in as few queries as possible: when no event is stored
      // yet there are no segments to read, and when the batch names many of the leads, their
      // accounts come from one pass over the index in lead order instead of a query each.
      // (Small batches, such as one posted event, skip both questions: each costs a query.)
      bool any_blocks = true;
      if (leads.size() >= kBulkLeads) {
        LEADQ_TRY(any_blocks, AnyEventBlocks());
      }
      SmallCache small_cache(*conn_);
      if (!any_blocks) LEADQ_TRY(small_cache.Start());  // each lead's blocks appended once
      std::vector<std::string> accounts;
      LEADQ_TRY(bool scanned, AccountsInOrder(leads, by_name, accounts));
      for (size_t r = 0; r < leads.size(); ++r) {
        std::string_view lead = leads[by_name[r]];
        events.clear();
        rows.clear();
        event_props.clear();
        for (const char* p = staged + start[r]; p < staged + start[r + 1];) {
          uint32_t row = 0;
          blocks::StoredEvent e;
          p = blocks::ReadStaged(p, row, e, event_props);
          e.seq = static_cast<int64_t>(rows.size());  // its place, for the stable sort
          events.push_back(e);
          rows.push_back(row);
        }
        if (unsorted[r] != 0) {
          std::sort(events.begin(), events.end(),
                    [](const blocks::StoredEvent& a, const blocks::StoredEvent& b) {
                      return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at
                                                            : a.seq < b.seq;
                    });
        }
        std::string_view account;
        if (scanned) {
          account = accounts[r];
        } else {
          LEADQ_TRY(account, AccountOfLead(lead));
        }
        bool compare = false;
        for (const blocks::StoredEvent& e : events) {
          uint32_t row = rows[static_cast<size_t>(e.seq)];
          compare = compare || verdict[row] == kCheckEvent || e.event_id.empty();
        }
        if (any_blocks) {
          LEADQ_TRY(ReadSegments(lead));
        } else {
          segments_.clear();
        }
        stored_ids.clear();
        keyed.clear();
        if (compare) {
          stored.clear();
          stored_props.clear();
          for (const Segment& seg : segments_) {
            LEADQ_TRY(blocks::DecodeBlock(seg.data, stored, stored_props)
                          .WithPrefix("events of lead '" + std::string(lead) + "'"));
          }
          for (const blocks::StoredEvent& e : stored) {
            if (!e.event_id.empty()) {
              stored_ids.insert(e.event_id);
            } else {
              keyed.insert(key_of(e.type, e.occurred_at));
            }
          }
        }
        size_t kept = 0;
        for (const blocks::StoredEvent& e : events) {
          uint32_t row = rows[static_cast<size_t>(e.seq)];
          bool repeat = e.event_id.empty()
                            ? !keyed.insert(key_of(e.type, e.occurred_at)).second
                            : verdict[row] == kRepeatEvent ||
                                  (verdict[row] == kCheckEvent && stored_ids.count(e.event_id) > 0);
          if (repeat) {
            ++local.duplicates;
          } else {
            events[kept++] = e;
          }
        }
        events.resize(kept);
        if (events.empty()) continue;
        LEADQ_TRY(AppendEvents(lead, account, events, event_props, seq));
        local.inserted += events.size();
      }
      LEADQ_TRY(Stmt * save, Fixed(kWriteEventSeq));
      save->Int(1, seq);
      LEADQ_TRY(conn_->Run(*save, "write event_seq"));
      Add(stats, local);
      return Status::Ok();
    });
  }

  Status UpsertOutcomes(std::span<const OutcomeRow> rows, WriteStats& stats) override {
    return Atomically([&]() -> Status {
      WriteStats local;
      for (const OutcomeRow& row : rows) {
        if (row.deal_id.empty()) return Status::Invalid("a deal with an empty deal_id");
        if (row.account_id.empty() && row.lead_id.empty()) {
          return Status::Invalid("deal '" + row.deal_id + "' names neither an account nor a lead");
        }
        LEADQ_TRY(Stmt * sel, Fixed(kSelectOutcome));
        sel->TextNotNull(1, row.deal_id);
        LEADQ_TRY(bool exists, conn_->Fetch(*sel, "read outcome", row.deal_id));
        if (exists) {
          bool same = sel->Col(0) == row.account_id && sel->Col(1) == row.lead_id &&
                      sel->ColOptInt(2) == row.created_at && sel->ColOptInt(3) == row.closed_at &&
                      sel->Col(4) == DealStatusName(row.status) &&
                      sel->ColOptDouble(5) == row.value && sel->Col(6) == row.lost_reason &&
                      sel->Col(7) == row.owner;
          sel->Reset();
          if (same) {
            ++local.unchanged;
            continue;
          }
        }
        LEADQ_TRY(Stmt * st, Fixed(exists ? kUpdateOutcome : kInsertOutcome));
        st->TextNotNull(1, row.deal_id);
        st->Text(2, row.account_id);
        st->Text(3, row.lead_id);
        st->OptInt(4, row.created_at);
        st->OptInt(5, row.closed_at);
        st->TextNotNull(6, DealStatusName(row.status));
        st->OptDouble(7, row.value);
        st->Text(8, row.lost_reason);
        st->Text(9, row.owner);
        LEADQ_TRY(conn_->Run(*st, exists ? "update outcome" : "insert outcome", row.deal_id));
        ++(exists ? local.updated : local.inserted);
      }
      Add(stats, local);
      return Status::Ok();
    });
  }

  Result<std::vector<std::string>> LeadIds() override {
    return Ids("SELECT lead_id FROM leads ORDER BY rowid", "list leads");
  }
  Result<std::vector<std::string>> AccountIds() override {
    return Ids("SELECT account_id FROM accounts ORDER BY rowid", "list accounts");
  }

  Result<uint64_t> Count(Entity entity) override {
    LEADQ_TRY(CheckUsable());
    if (entity == Entity::kEvent) {  // every stored event took one number, and none is removed
      LEADQ_TRY(Stmt * counter, Fixed(kReadEventSeq));
      LEADQ_TRY(bool found, conn_->Fetch(*counter, "read event_seq"));
      if (!found) return Status::Internal("the counter event_seq is missing");
      ResetOnExit reset(*counter);
      return static_cast<uint64_t>(counter->ColInt(0));
    }
    std::string sql = "SELECT count(*) FROM " + std::string(kEntityInfo[EntityIndex(entity)].table);
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "count rows"));
    LEADQ_TRY(bool row, conn_->Fetch(st, "count rows"));
    return row ? static_cast<uint64_t>(st.ColInt(0)) : 0;
  }

  Result<std::vector<OutcomeRow>> Outcomes() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT deal_id, account_id, lead_id, created_at, "
                                      "closed_at, status, value, lost_reason, owner FROM outcomes "
                                      "ORDER BY rowid",
                                      "read outcomes"));
    std::vector<OutcomeRow> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "read outcomes"));
      if (!row) break;
      OutcomeRow o;
      o.deal_id = st.ColString(0);
      o.account_id = st.ColString(1);
      o.lead_id = st.ColString(2);
      o.created_at = st.ColOptInt(3);
      o.closed_at = st.ColOptInt(4);
      o.status = ParseDealStatus(st.Col(5)).value_or(DealStatus::kOpen);
      o.value = st.ColOptDouble(6);
      o.lost_reason = st.ColString(7);
      o.owner = st.ColString(8);
      out.push_back(std::move(o));
    }
    return out;
  }

  Status ScanLeads(const std::vector<std::string>& keys, const RowVisitor& visit) override {
    return ScanRows(Entity::kLead, keys, visit, std::nullopt);
  }
  Status ScanAccounts(const std::vector<std::string>& keys, const RowVisitor& visit) override {
    return ScanRows(Entity::kAccount, keys, visit, std::nullopt);
  }
  Status ScanLead(std::string_view lead_id, const std::vector<std::string>& keys,
                  const RowVisitor& visit) override {
    return ScanRows(Entity::kLead, keys, visit, lead_id);
  }
  Status ScanAccount(std::string_view account_id, const std::vector<std::string>& keys,
                     const RowVisitor& visit) override {
    return ScanRows(Entity::kAccount, keys, visit, account_id);
  }

  Status ScanEvents(const std::vector<std::string>& keys, const EventVisitor& visit) override {
    return ScanEventRows(keys, visit, std::nullopt);
  }
  Status ScanEventsOfLead(std::string_view lead_id, const std::vector<std::string>& keys,
                          const EventVisitor& visit) override {
    return ScanEventRows(keys, visit, lead_id);
  }

  // Reads the blocks in (lead, segment) order; a lead's blocks are decoded together and their
  // events visited by time, then seq.
  Status ScanEventRows(const std::vector<std::string>& keys, const EventVisitor& visit,
                       std::optional<std::string_view> lead_id) {
    LEADQ_TRY(CheckUsable());
    const std::vector<std::string>& known = columns_[EntityIndex(Entity::kEvent)].keys;
    std::vector<int> slot_of(known.size(), -1);  // field_columns position -> index in keys
    for (size_t i = 0; i < keys.size(); ++i) {
      auto at = std::find(known.begin(), known.end(), keys[i]);
      if (at != known.end()) slot_of[static_cast<size_t>(at - known.begin())] = static_cast<int>(i);
    }
    std::string sql = std::string("SELECT lead_id, data FROM event_blocks") +
                      (lead_id ? " WHERE lead_id = ?1" : "") + " ORDER BY lead_id, segment";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "scan events"));
    if (lead_id) st.TextNotNull(1, *lead_id);

    std::string lead;
    std::string data;          // the current lead's blocks, one after the other
    std::vector<size_t> ends;  // where each ends in `data`
    std::vector<blocks::StoredEvent> events;
    std::vector<blocks::StoredProp> props;
    std::vector<std::string_view> values(keys.size());
    auto flush = [&]() -> Status {
      if (ends.empty()) return Status::Ok();
      events.clear();
      props.clear();
      size_t from = 0;
      for (size_t end : ends) {
        LEADQ_TRY(
            blocks::DecodeBlock(std::string_view(data).substr(from, end - from), events, props)
                .WithPrefix("events of lead '" + lead + "'"));
        from = end;
      }
      auto before = [](const blocks::StoredEvent& a, const blocks::StoredEvent& b) {
        return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.seq < b.seq;
      };
      if (ends.size() > 1 && !std::is_sorted(events.begin(), events.end(), before)) {
        std::sort(events.begin(), events.end(), before);
      }
      for (const blocks::StoredEvent& e : events) {
        std::fill(values.begin(), values.end(), std::string_view());
        for (uint32_t p = e.props_begin; p < e.props_end; ++p) {
          uint32_t key = props[p].key;
          if (key < slot_of.size() && slot_of[key] >= 0) {
            values[static_cast<size_t>(slot_of[key])] = props[p].value;
          }
        }
        visit(e.event_id, lead, e.type, e.occurred_at, values);
      }
      data.clear();
      ends.clear();
      return Status::Ok();
    };
    for (;;) {
      int rc = st.Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return conn_->Error(rc, "scan events");
      std::string_view l = st.Col(0);
      if (l != lead) {
        LEADQ_TRY(flush());
        lead.assign(l);
      }
      data += st.ColBlob(1);
      ends.push_back(data.size());
    }
    return flush();
  }

  Result<std::vector<Field>> LeadFields(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    const std::vector<std::string>& keys = columns_[EntityIndex(Entity::kLead)].keys;
    std::vector<int> slot;
    std::string sql =
        "SELECT 1" + SelectKeys(Entity::kLead, keys, 1, slot) + " FROM leads WHERE lead_id = ?1";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "read lead"));
    st.TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(st, "read lead", lead_id));
    if (!row) return UnknownLead(lead_id);
    std::vector<Field> out;
    out.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      out.push_back(Field{keys[i], st.ColString(slot[i])});
    }
    return out;
  }

  Result<int64_t> AddModelVersion(const ModelVersion& version) override {
    LEADQ_TRY(CheckUsable());
    int64_t number = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      LEADQ_TRY(Stmt st,
                conn_->Prepare("INSERT INTO model_versions(version, content, hash, author, "
                               "message, created_at) VALUES((SELECT coalesce(max(version), 0) + 1 "
                               "FROM model_versions), ?1, ?2, ?3, ?4, ?5)",
                               "add model version"));
      st.TextNotNull(1, version.content);
      st.TextNotNull(2, version.hash);
      st.TextNotNull(3, version.author);
      st.TextNotNull(4, version.message);
      st.Int(5, version.created_at);
      LEADQ_TRY(conn_->Run(st, "add model version"));
      number = sqlite3_last_insert_rowid(conn_->db());
      for (const auto& [name, content] : version.files) {
        LEADQ_TRY(Stmt file, conn_->Prepare("INSERT INTO model_files(version, name, content) "
                                            "VALUES(?1, ?2, ?3)",
                                            "add model file"));
        file.Int(1, number);
        file.TextNotNull(2, name);
        file.TextNotNull(3, content);
        LEADQ_TRY(conn_->Run(file, "add model file", name));
      }
      return Status::Ok();
    }));
    return number;
  }

  Result<std::vector<ModelVersion>> ModelVersions() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kModelColumns) +
                                          " FROM model_versions ORDER BY version",
                                      "read model versions"));
    std::vector<ModelVersion> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "read model versions"));
      if (!row) break;
      out.push_back(ReadModel(st));
    }
    for (ModelVersion& v : out) LEADQ_TRY(ReadModelFiles(v));
    return out;
  }

  // Fills in the files of a version read from model_versions.
  Status ReadModelFiles(ModelVersion& v) {
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT name, content FROM model_files WHERE version = ?1 "
                                      "ORDER BY name",
                                      "read model files"));
    st.Int(1, v.version);
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "read model files"));
      if (!row) break;
      v.files.emplace_back(st.ColString(0), st.ColString(1));
    }
    return Status::Ok();
  }

  Result<ModelVersion> GetModelVersion(int64_t version) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kModelColumns) +
                                          " FROM model_versions WHERE version = ?1",
                                      "read model version"));
    st.Int(1, version);
    LEADQ_TRY(bool row, conn_->Fetch(st, "read model version"));
    if (!row) return Status::NotFound("no model version " + std::to_string(version));
    ModelVersion v = ReadModel(st);
    LEADQ_TRY(ReadModelFiles(v));
    return v;
  }

  Result<std::optional<ModelVersion>> ActiveModel() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kModelColumns) +
                                          " FROM model_versions ORDER BY version DESC LIMIT 1",
                                      "read active model"));
    LEADQ_TRY(bool row, conn_->Fetch(st, "read active model"));
    if (!row) return std::optional<ModelVersion>();
    ModelVersion v = ReadModel(st);
    LEADQ_TRY(ReadModelFiles(v));
    return std::optional<ModelVersion>(std::move(v));
  }

  Status WriteScores(std::span<const ScoreRecord> scores) override {
    return Atomically([&]() -> Status {
      LEADQ_TRY(Stmt * st, Fixed(kUpsertScore));
      for (const ScoreRecord& s : scores) {
        if (s.lead_id.empty()) return Status::Invalid("a score with an empty lead_id");
        st->TextNotNull(1, s.lead_id);
        BindScore(*st, 2, s);
        LEADQ_TRY(conn_->Run(*st, "write score of lead", s.lead_id));
      }
      return Status::Ok();
    });
  }

  Result<std::optional<ScoreRecord>> GetScore(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kScoreColumns) +
                                          " FROM scores WHERE lead_id = ?1",
                                      "read score"));
    st.TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(st, "read score", lead_id));
    if (!row) return std::optional<ScoreRecord>();
    return std::optional<ScoreRecord>(ReadScore(st, 1, lead_id));
  }

  Status AppendTransitions(std::span<const Transition> transitions) override {
    return Atomically([&]() -> Status {
      for (const Transition& t : transitions) {
        if (t.to_stage.empty()) {
          return Status::Invalid("a transition of lead '" + t.lead_id + "' without a stage");
        }
        // Moves the state only from the stage the transition starts at; no change means the
        // lead is elsewhere (or unknown), which only the error path reads to explain.
        LEADQ_TRY(Stmt * move, Fixed(kMoveStage));
        move->TextNotNull(1, t.lead_id);
        move->TextNotNull(2, t.from_stage);
        move->TextNotNull(3, t.to_stage);
        move->Int(4, t.at);
        LEADQ_TRY(conn_->Run(*move, "move stage of lead", t.lead_id));
        if (sqlite3_changes(conn_->db()) == 0) {
          LEADQ_TRY(std::optional<LeadState> state, ReadLeadState(t.lead_id));
          if (!state) return UnknownLead(t.lead_id);
          return Status::FailedPrecondition("lead '" + t.lead_id + "' is in stage '" +
                                            state->stage + "', not '" + t.from_stage + "'");
        }
        LEADQ_TRY(InsertTransition(t.lead_id, t, t.actor));
      }
      return Status::Ok();
    });
  }

  Status UpdateStates(std::span<const LeadState> states) override {
    return Atomically([&]() -> Status {
      for (const LeadState& s : states) {
        // One conditional UPDATE; the state is read only to say why nothing was updated.
        LEADQ_TRY(Stmt * st, Fixed(kUpdateState));
        st->TextNotNull(1, s.lead_id);
        st->Int(2, s.recycle_count);
        st->OptInt(3, s.recycle_until);
        st->OptInt(4, s.below_line_since);
        st->OptInt(5, s.stage.empty() ? std::nullopt : std::optional<int64_t>(s.stage_since));
        st->Text(6, s.stage);
        LEADQ_TRY(conn_->Run(*st, "update state of lead", s.lead_id));
        if (sqlite3_changes(conn_->db()) > 0) continue;
        LEADQ_TRY(std::optional<LeadState> current, ReadLeadState(s.lead_id));
        if (!current) return UnknownLead(s.lead_id);
        return Status::FailedPrecondition("lead '" + s.lead_id + "' is in stage '" +
                                          current->stage + "', not '" + s.stage +
                                          "': stages change only by AppendTransitions");
      }
      return Status::Ok();
    });
  }

  Result<std::vector<LeadState>> LeadStates() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT lead_id, stage, stage_since, recycle_count, "
                                      "recycle_until, below_line_since FROM lead_state "
                                      "ORDER BY lead_id",
                                      "read lead states"));
    return conn_->FetchAll<LeadState>(st, "read lead states", {}, ReadState);
  }

  Result<std::optional<LeadState>> GetLeadState(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    return ReadLeadState(lead_id);
  }

  Result<std::vector<Transition>> History(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(bool exists, LeadExists(lead_id));
    if (!exists) return UnknownLead(lead_id);
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kTransitionColumns) +
                                          " FROM transitions WHERE lead_id = ?1 ORDER BY seq",
                                      "read history"));
    st.TextNotNull(1, lead_id);
    return conn_->FetchAll<Transition>(st, "read history of lead", lead_id, ReadTransition);
  }

  Result<std::vector<Transition>> AllTransitions() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kTransitionColumns) +
                                          " FROM transitions ORDER BY lead_id, seq",
                                      "read transitions"));
    return conn_->FetchAll<Transition>(st, "read transitions", "", ReadTransition);
  }

  Status AddAnswer(const Answer& a) override {
    return Atomically([&]() -> Status {
      LEADQ_TRY(bool exists, LeadExists(a.lead_id));
      if (!exists) return UnknownLead(a.lead_id);
      LEADQ_TRY(Stmt * st, Fixed(kInsertAnswer));
      st->TextNotNull(1, a.lead_id);
      st->TextNotNull(2, a.framework);
      st->TextNotNull(3, a.criterion);
      st->TextNotNull(4, a.value);
      st->TextNotNull(5, a.evidence);
      st->TextNotNull(6, a.source);
      st->TextNotNull(7, a.author);
      st->Int(8, a.at);
      st->OptInt(9, a.expires_at);
      return conn_->Run(*st, "add answer for lead", a.lead_id);
    });
  }

  Result<std::vector<Answer>> Answers(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(bool exists, LeadExists(lead_id));
    if (!exists) return UnknownLead(lead_id);
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kAnswerColumns) +
                                          " FROM answers WHERE lead_id = ?1 ORDER BY seq",
                                      "read answers"));
    st.TextNotNull(1, lead_id);
    return conn_->FetchAll<Answer>(st, "read answers of lead", lead_id, ReadAnswer);
  }

  Result<std::vector<LeadSummary>> ListLeads(const LeadQuery& query) override {
    LEADQ_TRY(CheckUsable());
    std::string sql =
        "SELECT l.lead_id, l.account_id, st.stage, l.created_at, s.lead_id IS NOT NULL, "
        "s.model_version, s.as_of, s.fit, s.intent, s.negative, s.score, s.fit_grade, "
        "s.intent_grade, s.action, s.reason, s.channel, h.owner_id" +
        LeadQueryFrom(query, true);
    switch (query.sort) {
      case LeadQuery::Sort::kScoreDesc:
        sql += " ORDER BY s.score IS NULL, s.score DESC, l.lead_id";
        break;
      case LeadQuery::Sort::kScoreAsc:
        sql += " ORDER BY s.score IS NULL, s.score ASC, l.lead_id";
        break;
      case LeadQuery::Sort::kCreated:
        sql += " ORDER BY l.created_at, l.rowid";
        break;
      case LeadQuery::Sort::kLeadId:
        sql += " ORDER BY l.lead_id";
        break;
    }
    sql += " LIMIT ?4 OFFSET ?5";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "list leads"));
    BindLeadQuery(st, query);
    st.Int(4, SqlLimit(query.limit));
    st.Int(5, static_cast<int64_t>(query.offset));
    std::vector<LeadSummary> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "list leads"));
      if (!row) break;
      LeadSummary s;
      s.lead_id = st.ColString(0);
      s.account_id = st.ColString(1);
      s.stage = st.ColString(2);
      s.created_at = st.ColInt(3);
      if (st.ColInt(4) != 0) s.score = ReadScore(st, 5, s.lead_id);
      s.owner = st.ColString(16);
      out.push_back(std::move(s));
    }
    return out;
  }

  // --- views

  Result<uint64_t> CountLeads(const LeadQuery& query) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st,
              conn_->Prepare("SELECT count(*)" + LeadQueryFrom(query, false), "count leads"));
    BindLeadQuery(st, query);
    LEADQ_TRY(bool row, conn_->Fetch(st, "count leads"));
    return row ? static_cast<uint64_t>(st.ColInt(0)) : 0;
  }

  Result<std::vector<AccountRow>> ListAccounts(size_t limit, size_t offset) override {
    LEADQ_TRY(CheckUsable());
    const std::vector<std::string>& keys = columns_[EntityIndex(Entity::kAccount)].keys;
    std::vector<int> slot;
    std::string sql = "SELECT account_id" + SelectKeys(Entity::kAccount, keys, 1, slot) +
                      " FROM accounts ORDER BY rowid LIMIT ?1 OFFSET ?2";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "list accounts"));
    st.Int(1, SqlLimit(limit));
    st.Int(2, static_cast<int64_t>(offset));
    std::vector<AccountRow> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "list accounts"));
      if (!row) break;
      AccountRow a;
      a.account_id = st.ColString(0);
      for (size_t i = 0; i < keys.size(); ++i) {
        if (slot[i] < 0) continue;
        std::string value = st.ColString(slot[i]);
        if (!value.empty()) a.fields.push_back(Field{keys[i], std::move(value)});
      }
      out.push_back(std::move(a));
    }
    return out;
  }

  Result<std::vector<std::pair<std::string, uint64_t>>> CountByStage() override {
    return CountPairs("SELECT stage, count(*) FROM lead_state GROUP BY stage ORDER BY stage",
                      "count leads by stage");
  }

  Result<std::vector<std::pair<std::string, uint64_t>>> CountReachedStages() override {
    return CountPairs(
        "SELECT to_stage, count(DISTINCT lead_id) FROM transitions GROUP BY to_stage "
        "ORDER BY to_stage",
        "count stages reached");
  }

  Result<std::vector<CellCount>> CountCells() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT fit_grade, intent_grade, count(*) FROM scores "
                                      "GROUP BY fit_grade, intent_grade "
                                      "ORDER BY fit_grade, intent_grade",
                                      "count score cells"));
    std::vector<CellCount> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "count score cells"));
      if (!row) break;
      out.push_back(
          CellCount{st.ColString(0), st.ColString(1), static_cast<uint64_t>(st.ColInt(2))});
    }
    return out;
  }

  // --- owners

  Status UpsertOwner(const Owner& owner, TimePoint now) override {
    return Atomically([&]() -> Status {
      if (owner.owner_id.empty()) return Status::Invalid("an owner with an empty owner_id");
      LEADQ_TRY(Stmt * st, Fixed(kUpsertOwner));
      st->TextNotNull(1, owner.owner_id);
      st->Text(2, owner.name);
      st->Text(3, owner.email);
      st->Text(4, owner.role);
      st->Int(5, owner.weekly_capacity);
      st->Text(6, owner.working_hours);
      st->Text(7, owner.time_zone);
      st->Text(8, owner.manager);
      st->Int(9, owner.active ? 1 : 0);
      st->Int(10, now);
      return conn_->Run(*st, "write owner", owner.owner_id);
    });
  }

  Result<std::vector<Owner>> Owners() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kOwnerColumns) +
                                          " FROM owners ORDER BY owner_id",
                                      "read owners"));
    return conn_->FetchAll<Owner>(st, "read owners", {}, ReadOwner);
  }

  Result<std::optional<Owner>> GetOwner(std::string_view owner_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kOwnerColumns) +
                                          " FROM owners WHERE owner_id = ?1",
                                      "read owner"));
    st.TextNotNull(1, owner_id);
    LEADQ_TRY(bool row, conn_->Fetch(st, "read owner", owner_id));
    if (!row) return std::optional<Owner>();
    return std::optional<Owner>(ReadOwner(st));
  }

  // --- handoffs

  Result<int64_t> AddHandoff(const Handoff& handoff) override {
    LEADQ_TRY(CheckUsable());
    int64_t seq = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      LEADQ_TRY(bool exists, LeadExists(handoff.lead_id));
      if (!exists) return UnknownLead(handoff.lead_id);
      LEADQ_TRY(CheckOwnerExists(handoff.owner_id));
      LEADQ_TRY(CheckNoOtherOpenHandoff(handoff.lead_id, 0));
      LEADQ_TRY(Stmt * st, Fixed(kInsertHandoff));
      st->TextNotNull(1, handoff.lead_id);
      BindHandoff(*st, 2, handoff);
      LEADQ_TRY(conn_->Run(*st, "add handoff of lead", handoff.lead_id));
      seq = sqlite3_last_insert_rowid(conn_->db());
      return Status::Ok();
    }));
    return seq;
  }

  Status UpdateHandoff(const Handoff& handoff) override {
    return Atomically([&]() -> Status {
      std::string seq = std::to_string(handoff.seq);
      LEADQ_TRY(Stmt * sel, Fixed(kHandoffLead));
      sel->Int(1, handoff.seq);
      LEADQ_TRY(bool found, conn_->Fetch(*sel, "read handoff", seq));
      if (!found) return Status::NotFound("no handoff " + seq);
      std::string lead_id = sel->ColString(0);
      sel->Reset();
      LEADQ_TRY(CheckOwnerExists(handoff.owner_id));
      if (!handoff.closed_at) {
        LEADQ_TRY(CheckNoOtherOpenHandoff(lead_id, handoff.seq));
      }
      LEADQ_TRY(Stmt * st, Fixed(kUpdateHandoff));
      st->Int(1, handoff.seq);
      BindHandoff(*st, 2, handoff);
      return conn_->Run(*st, "update handoff", seq);
    });
  }

  Result<std::vector<Handoff>> Handoffs(const HandoffQuery& query) override {
    LEADQ_TRY(CheckUsable());
    std::string sql = "SELECT " + std::string(kHandoffColumns) + " FROM handoffs WHERE 1";
    if (!query.lead_id.empty()) sql += " AND lead_id = ?1";
    if (!query.account_id.empty()) sql += " AND account_id = ?2";
    if (!query.owner_id.empty()) sql += " AND owner_id = ?3";
    if (query.open_only) sql += " AND closed_at IS NULL";
    if (query.assigned_since) sql += " AND assigned_at >= ?4";
    if (query.clock_due_by) {
      sql +=
          " AND closed_at IS NULL AND first_touch_at IS NULL AND escalated_at IS NULL"
          " AND due_at <= ?5";
    }
    sql += " ORDER BY seq";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "read handoffs"));
    if (!query.lead_id.empty()) st.TextNotNull(1, query.lead_id);
    if (!query.account_id.empty()) st.TextNotNull(2, query.account_id);
    if (!query.owner_id.empty()) st.TextNotNull(3, query.owner_id);
    if (query.assigned_since) st.Int(4, *query.assigned_since);
    if (query.clock_due_by) st.Int(5, *query.clock_due_by);
    return conn_->FetchAll<Handoff>(st, "read handoffs", {}, ReadHandoff);
  }

  Result<std::optional<Handoff>> OpenHandoff(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt * st, Fixed(kOpenHandoff));
    st->TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "read open handoff of lead", lead_id));
    if (!row) return std::optional<Handoff>();
    ResetOnExit reset(*st);
    return std::optional<Handoff>(ReadHandoff(*st));
  }

  // --- touches

  Result<int64_t> AddTouch(const Touch& touch) override {
    LEADQ_TRY(CheckUsable());
    int64_t seq = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      LEADQ_TRY(bool exists, LeadExists(touch.lead_id));
      if (!exists) return UnknownLead(touch.lead_id);
      LEADQ_TRY(Stmt * st, Fixed(kInsertTouch));
      st->TextNotNull(1, touch.lead_id);
      st->Text(2, touch.by);
      st->Text(3, touch.channel);
      st->Text(4, touch.outcome);
      st->Int(5, touch.at);
      st->Text(6, touch.note);
      st->Int(7, touch.handoff_seq);
      LEADQ_TRY(conn_->Run(*st, "add touch of lead", touch.lead_id));
      seq = sqlite3_last_insert_rowid(conn_->db());
      return Status::Ok();
    }));
    return seq;
  }

  Result<std::vector<Touch>> Touches(std::string_view lead_id) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(bool exists, LeadExists(lead_id));
    if (!exists) return UnknownLead(lead_id);
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kTouchColumns) +
                                          " FROM touches WHERE lead_id = ?1 ORDER BY at, seq",
                                      "read touches"));
    st.TextNotNull(1, lead_id);
    return conn_->FetchAll<Touch>(st, "read touches of lead", lead_id, ReadTouch);
  }

  // --- webhooks and their outbox

  Result<int64_t> AddWebhook(const Webhook& webhook) override {
    LEADQ_TRY(CheckUsable());
    int64_t id = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      if (webhook.url.empty()) return Status::Invalid("a webhook with an empty url");
      if (webhook.max_attempts < 1) {
        return Status::Invalid("webhook " + webhook.url +
                               ": max_attempts must be at least 1, not " +
                               std::to_string(webhook.max_attempts));
      }
      LEADQ_TRY(std::string kinds, JoinKinds(webhook.kinds));
      LEADQ_TRY(Stmt st, conn_->Prepare("INSERT INTO webhooks(url, kinds, secret, max_attempts, "
                                        "created_at) VALUES(?1, ?2, ?3, ?4, ?5)",
                                        "add webhook"));
      st.TextNotNull(1, webhook.url);
      st.TextNotNull(2, kinds);
      st.Text(3, webhook.secret);
      st.Int(4, webhook.max_attempts);
      st.Int(5, webhook.created_at);
      LEADQ_TRY(conn_->Run(st, "add webhook", webhook.url));
      id = sqlite3_last_insert_rowid(conn_->db());
      return Status::Ok();
    }));
    return id;
  }

  Result<std::vector<Webhook>> Webhooks() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare(
                           "SELECT " + std::string(kWebhookColumns) + " FROM webhooks ORDER BY id",
                           "read webhooks"));
    return conn_->FetchAll<Webhook>(st, "read webhooks", {}, ReadWebhook);
  }

  Status RemoveWebhook(int64_t id) override {
    return Atomically([&]() -> Status {
      std::string subject = std::to_string(id);
      LEADQ_TRY(Stmt hook, conn_->Prepare("DELETE FROM webhooks WHERE id = ?1", "remove webhook"));
      hook.Int(1, id);
      LEADQ_TRY(conn_->Run(hook, "remove webhook", subject));
      if (sqlite3_changes(conn_->db()) == 0) return UnknownWebhook(id);
      LEADQ_TRY(Stmt pending, conn_->Prepare("DELETE FROM outbox WHERE webhook_id = ?1 AND "
                                             "status = 'pending'",
                                             "remove pending messages"));
      pending.Int(1, id);
      return conn_->Run(pending, "remove pending messages of webhook", subject);
    });
  }

  Status EnqueueMessages(std::span<const OutboxMessage> messages) override {
    return Atomically([&]() -> Status {
      std::optional<int64_t> known_webhook;  // the last one checked: batches mostly name one
      for (const OutboxMessage& m : messages) {
        if (m.idempotency_key.empty()) {
          return Status::Invalid("an outbox message with an empty idempotency key");
        }
        if (known_webhook != m.webhook_id) {
          LEADQ_TRY(Stmt * hook, Fixed(kWebhookExists));
          hook->Int(1, m.webhook_id);
          LEADQ_TRY(bool exists, conn_->Fetch(*hook, "look up webhook", m.idempotency_key));
          if (!exists) return UnknownWebhook(m.webhook_id);
          hook->Reset();
          known_webhook = m.webhook_id;
        }
        LEADQ_TRY(Stmt * st, Fixed(kInsertMessage));
        st->Int(1, m.webhook_id);
        st->TextNotNull(2, m.kind);
        st->TextNotNull(3, m.idempotency_key);
        st->TextNotNull(4, m.body);
        st->Int(5, m.created_at);
        st->Int(6, m.attempts);
        st->Int(7, m.next_attempt_at);
        st->Text(8, m.last_error);
        st->Int(9, m.last_http_status);
        st->OptInt(10, m.delivered_at);
        LEADQ_TRY(conn_->Run(*st, "enqueue message", m.idempotency_key));
      }
      return Status::Ok();
    });
  }

  Result<std::vector<OutboxMessage>> ClaimMessages(TimePoint now, TimePoint lease_until,
                                                   size_t limit) override {
    LEADQ_TRY(CheckUsable());
    std::vector<OutboxMessage> out;
    if (limit == 0) return out;
    LEADQ_TRY(Atomically([&]() -> Status {
      LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kMessageColumns) +
                                            " FROM outbox WHERE status = 'pending' AND "
                                            "next_attempt_at <= ?1 ORDER BY created_at, seq "
                                            "LIMIT ?2",
                                        "claim messages"));
      st.Int(1, now);
      st.Int(2, SqlLimit(limit));
      for (;;) {
        LEADQ_TRY(bool row, conn_->Fetch(st, "claim messages"));
        if (!row) break;
        out.push_back(ReadMessage(st));
      }
      LEADQ_TRY(Stmt * lease, Fixed(kLeaseMessage));
      for (OutboxMessage& m : out) {
        lease->Int(1, m.seq);
        lease->Int(2, lease_until);
        LEADQ_TRY(conn_->Run(*lease, "lease message", m.idempotency_key));
        m.next_attempt_at = lease_until;
      }
      return Status::Ok();
    }));
    return out;
  }

  Status UpdateMessage(const OutboxMessage& message) override {
    return Atomically([&]() -> Status {
      std::string seq = std::to_string(message.seq);
      LEADQ_TRY(Stmt st, conn_->Prepare("UPDATE outbox SET status = ?2, attempts = ?3, "
                                        "next_attempt_at = ?4, last_error = ?5, "
                                        "last_http_status = ?6, delivered_at = ?7 WHERE seq = ?1",
                                        "update message"));
      st.Int(1, message.seq);
      st.TextNotNull(2, MessageStatusName(message.status));
      st.Int(3, message.attempts);
      st.Int(4, message.next_attempt_at);
      st.Text(5, message.last_error);
      st.Int(6, message.last_http_status);
      st.OptInt(7, message.delivered_at);
      LEADQ_TRY(conn_->Run(st, "update message", seq));
      if (sqlite3_changes(conn_->db()) == 0) return Status::NotFound("no outbox message " + seq);
      return Status::Ok();
    });
  }

  Result<std::vector<OutboxMessage>> Messages(int64_t webhook_id, MessageStatus status,
                                              size_t limit) override {
    LEADQ_TRY(CheckUsable());
    std::string sql = "SELECT " + std::string(kMessageColumns) + " FROM outbox WHERE status = ?2";
    if (webhook_id != 0) sql += " AND webhook_id = ?1";
    sql += " ORDER BY created_at, seq LIMIT ?3";
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, "read messages"));
    if (webhook_id != 0) st.Int(1, webhook_id);
    st.TextNotNull(2, MessageStatusName(status));
    st.Int(3, SqlLimit(limit));
    return conn_->FetchAll<OutboxMessage>(st, "read messages", {}, ReadMessage);
  }

  // Every webhook, and every removed one whose delivered or dead messages are kept.
  Result<std::vector<OutboxCounts>> CountMessages() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT id, coalesce(sum(status = 'pending'), 0), "
                                      "coalesce(sum(status = 'delivered'), 0), "
                                      "coalesce(sum(status = 'dead'), 0) FROM ("
                                      "SELECT id, NULL AS status FROM webhooks "
                                      "UNION ALL SELECT webhook_id, status FROM outbox) "
                                      "GROUP BY id ORDER BY id",
                                      "count messages"));
    std::vector<OutboxCounts> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, "count messages"));
      if (!row) break;
      OutboxCounts c;
      c.webhook_id = st.ColInt(0);
      c.pending = static_cast<uint64_t>(st.ColInt(1));
      c.delivered = static_cast<uint64_t>(st.ColInt(2));
      c.dead = static_cast<uint64_t>(st.ColInt(3));
      out.push_back(c);
    }
    return out;
  }

  // --- trade

  Status UpsertShipmentBatch(const ShipmentBatch& batch, WriteStats& stats) override {
    return Atomically([&]() -> Status { return UpsertShipmentLines(*conn_, batch, stats); });
  }

  Status ScanShipments(const ShipmentVisitor& visit) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st,
              conn_->Prepare("SELECT id, data FROM shipment_blocks ORDER BY id", "scan shipments"));
    ShipmentRow row;
    shipblocks::ShipmentFields fields;
    std::vector<std::string_view> lines;
    for (;;) {
      const int rc = st.Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return conn_->Error(rc, "scan shipments");
      const int64_t day = DayOfBlock(st.ColInt(0));
      lines.clear();
      LEADQ_TRY(shipblocks::DecodeBlock(st.ColBlob(1), lines));
      for (std::string_view line : lines) {
        if (!shipblocks::DecodeRow(line, day, fields)) {
          return Status::Internal("a line of the shipment block of day " + std::to_string(day) +
                                  " does not decode");
        }
        AssignFields(fields, row);
        if (!visit(row)) return Status::Ok();
      }
    }
    return Status::Ok();
  }

  Result<uint64_t> CountShipments() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT coalesce(sum(lines), 0) FROM shipment_blocks",
                                      "count shipments"));
    LEADQ_TRY(bool row, conn_->Fetch(st, "count shipments"));
    return row ? static_cast<uint64_t>(st.ColInt(0)) : 0;
  }

  Result<int64_t> AddTradeRule(const TradeRule& rule) override {
    LEADQ_TRY(CheckUsable());
    int64_t id = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      if (rule.kind != "merge" && rule.kind != "split") {
        return Status::Invalid("a trade rule of kind '" + rule.kind +
                               "': the kinds are merge and split");
      }
      if (rule.role != "buyer" && rule.role != "supplier") {
        return Status::Invalid("a trade rule for role '" + rule.role +
                               "': the roles are buyer and supplier");
      }
      if (rule.a.empty() || rule.b.empty()) {
        return Status::Invalid("a " + rule.kind + " rule needs two spellings");
      }
      LEADQ_TRY(Stmt st, conn_->Prepare("INSERT INTO trade_rules(kind, role, country, a, b, "
                                        "made_by, note, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        "add trade rule"));
      st.TextNotNull(1, rule.kind);
      st.TextNotNull(2, rule.role);
      st.TextNotNull(3, rule.country);
      st.TextNotNull(4, rule.a);
      st.TextNotNull(5, rule.b);
      st.Text(6, rule.by);
      st.Text(7, rule.note);
      st.Int(8, rule.at);
      LEADQ_TRY(conn_->Run(st, "add trade rule", rule.a));
      id = sqlite3_last_insert_rowid(conn_->db());
      return Status::Ok();
    }));
    return id;
  }

  Result<std::vector<TradeRule>> TradeRules() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kTradeRuleColumns) +
                                          " FROM trade_rules ORDER BY id",
                                      "read trade rules"));
    return conn_->FetchAll<TradeRule>(st, "read trade rules", {}, ReadTradeRule);
  }

  Status RemoveTradeRule(int64_t id) override {
    return Atomically([&]() -> Status {
      std::string subject = std::to_string(id);
      LEADQ_TRY(Stmt st,
                conn_->Prepare("DELETE FROM trade_rules WHERE id = ?1", "remove trade rule"));
      st.Int(1, id);
      LEADQ_TRY(conn_->Run(st, "remove trade rule", subject));
      if (sqlite3_changes(conn_->db()) == 0) return Status::NotFound("no trade rule " + subject);
      return Status::Ok();
    });
  }

  Status PutBuyerNote(const BuyerNote& note) override {
    return Atomically([&]() -> Status {
      if (note.spelling.empty()) return Status::Invalid("a buyer note without a spelling");
      std::string subject = "buyer note on '" + note.spelling + "'";
      if (note.kind == "access") {
        if (note.value != "yes" && note.value != "no") {
          return Status::Invalid(subject + ": access is yes or no, not '" + note.value + "'");
        }
      } else if (note.kind == "account") {
        if (note.value.empty()) return Status::Invalid(subject + ": no account_id");
      } else {
        return Status::Invalid(subject + " of kind '" + note.kind +
                               "': the kinds are access and account");
      }
      LEADQ_TRY(Stmt * st, Fixed(kPutBuyerNote));
      st->TextNotNull(1, note.country);
      st->TextNotNull(2, note.spelling);
      st->TextNotNull(3, note.kind);
      st->TextNotNull(4, note.value);
      st->Text(5, note.note);
      st->Text(6, note.by);
      st->Int(7, note.at);
      return conn_->Run(*st, "write buyer note", note.spelling);
    });
  }

  Result<std::vector<BuyerNote>> BuyerNotes() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kBuyerNoteColumns) +
                                          " FROM buyer_notes ORDER BY country, spelling, kind",
                                      "read buyer notes"));
    return conn_->FetchAll<BuyerNote>(st, "read buyer notes", {}, ReadBuyerNote);
  }

  // --- API tokens

  Result<int64_t> AddApiToken(const ApiToken& token) override {
    LEADQ_TRY(CheckUsable());
    int64_t id = 0;
    LEADQ_TRY(Atomically([&]() -> Status {
      if (token.name.empty()) return Status::Invalid("an API token without a name");
      std::string subject = "API token '" + token.name + "'";
      if (token.role.empty()) return Status::Invalid(subject + " without a role");
      if (token.secret_hash.empty()) return Status::Invalid(subject + " without a secret hash");
      LEADQ_TRY(Stmt taken,
                conn_->Prepare("SELECT 1 FROM api_tokens WHERE name = ?1", "look up API token"));
      taken.TextNotNull(1, token.name);
      LEADQ_TRY(bool exists, conn_->Fetch(taken, "look up API token", token.name));
      if (exists) return Status::Invalid("an API token named '" + token.name + "' exists");
      LEADQ_TRY(Stmt st, conn_->Prepare("INSERT INTO api_tokens(name, role, owner, secret_hash, "
                                        "created_at, revoked_at, last_used_at) "
                                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                        "add API token"));
      st.TextNotNull(1, token.name);
      st.TextNotNull(2, token.role);
      st.TextNotNull(3, token.owner);
      st.TextNotNull(4, token.secret_hash);
      st.Int(5, token.created_at);
      st.OptInt(6, token.revoked_at);
      st.OptInt(7, token.last_used_at);
      LEADQ_TRY(conn_->Run(st, "add API token", token.name));
      id = sqlite3_last_insert_rowid(conn_->db());
      return Status::Ok();
    }));
    return id;
  }

  Result<std::vector<ApiToken>> ApiTokens() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kApiTokenColumns) +
                                          " FROM api_tokens ORDER BY id",
                                      "read API tokens"));
    return conn_->FetchAll<ApiToken>(st, "read API tokens", {}, ReadApiToken);
  }

  Result<std::optional<ApiToken>> FindApiTokenByHash(std::string_view secret_hash) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kApiTokenColumns) +
                                          " FROM api_tokens WHERE secret_hash = ?1",
                                      "find API token"));
    st.TextNotNull(1, secret_hash);
    LEADQ_TRY(bool row, conn_->Fetch(st, "find API token"));
    if (!row) return std::optional<ApiToken>();
    ResetOnExit reset(st);
    return std::optional<ApiToken>(ReadApiToken(st));
  }

  Status RevokeApiToken(int64_t id, TimePoint at) override {
    return Atomically([&]() -> Status {
      std::string subject = std::to_string(id);
      LEADQ_TRY(Stmt st, conn_->Prepare("UPDATE api_tokens SET revoked_at = "
                                        "coalesce(revoked_at, ?2) WHERE id = ?1",
                                        "revoke API token"));
      st.Int(1, id);
      st.Int(2, at);
      LEADQ_TRY(conn_->Run(st, "revoke API token", subject));
      if (sqlite3_changes(conn_->db()) == 0) return Status::NotFound("no API token " + subject);
      return Status::Ok();
    });
  }

  Status TouchApiTokens(std::span<const std::pair<int64_t, TimePoint>> uses) override {
    return Atomically([&]() -> Status {
      LEADQ_TRY(Stmt st, conn_->Prepare("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 "
                                        "AND (last_used_at IS NULL OR last_used_at < ?2)",
                                        "record API token use"));
      for (const auto& [id, at] : uses) {
        st.Int(1, id);
        st.Int(2, at);
        LEADQ_TRY(conn_->Run(st, "record use of API token", std::to_string(id)));
      }
      return Status::Ok();
    });
  }

  // --- the audit trail

  Status AppendAudit(std::span<const AuditEntry> entries) override {
    return Atomically([&]() -> Status {
      LEADQ_TRY(Stmt st, conn_->Prepare("INSERT INTO audit_log(at, token, method, path, status, "
                                        "summary) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                        "append audit entry"));
      for (const AuditEntry& e : entries) {
        st.Int(1, e.at);
        st.TextNotNull(2, e.token);
        st.TextNotNull(3, e.method);
        st.TextNotNull(4, e.path);
        st.Int(5, e.status);
        st.TextNotNull(6, e.summary);
        LEADQ_TRY(conn_->Run(st, "append audit entry", e.path));
      }
      return Status::Ok();
    });
  }

  Result<std::vector<AuditEntry>> Audit(size_t limit, size_t offset) override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT " + std::string(kAuditColumns) +
                                          " FROM audit_log ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
                                      "read audit trail"));
    st.Int(1, SqlLimit(limit));
    st.Int(2, static_cast<int64_t>(std::min<size_t>(offset, std::numeric_limits<int64_t>::max())));
    return conn_->FetchAll<AuditEntry>(st, "read audit trail", {}, ReadAuditEntry);
  }

  Result<uint64_t> CountAudit() override {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT count(*) FROM audit_log", "count audit entries"));
    LEADQ_TRY(bool row, conn_->Fetch(st, "count audit entries"));
    return row ? static_cast<uint64_t>(st.ColInt(0)) : 0;
  }

 private:
  struct Columns {
    std::vector<std::string> keys;  // first-seen order
    std::unordered_set<std::string> known;
  };

  static void Add(WriteStats& into, const WriteStats& from) {
    into.inserted += from.inserted;
    into.updated += from.updated;
    into.unchanged += from.unchanged;
    into.duplicates += from.duplicates;
  }

  static Status UnknownLead(std::string_view lead_id) {
    return Status::NotFound("unknown lead '" + std::string(lead_id) + "'");
  }

  static Status UnknownWebhook(int64_t id) {
    return Status::NotFound("unknown webhook " + std::to_string(id));
  }

  Status CheckOwnerExists(std::string_view owner_id) {
    LEADQ_TRY(Stmt * st, Fixed(kOwnerExists));
    st->TextNotNull(1, owner_id);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "look up owner", owner_id));
    if (!row) return Status::NotFound("unknown owner '" + std::string(owner_id) + "'");
    st->Reset();
    return Status::Ok();
  }

  // FailedPrecondition when the lead has an open handoff other than `seq` (0: any).
  Status CheckNoOtherOpenHandoff(std::string_view lead_id, int64_t seq) {
    LEADQ_TRY(Stmt * st, Fixed(kOtherOpenHandoff));
    st->TextNotNull(1, lead_id);
    st->Int(2, seq);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "look up open handoff of lead", lead_id));
    if (!row) return Status::Ok();
    int64_t open = st->ColInt(0);
    st->Reset();
    return Status::FailedPrecondition("lead '" + std::string(lead_id) +
                                      "' already has an open handoff (" + std::to_string(open) +
                                      "): close it first");
  }

  Status CheckUsable() const {
    if (finished_) return Status::FailedPrecondition("the transaction has already been committed");
    if (broken_) {
      return Status::FailedPrecondition(
          "the transaction was aborted by an earlier database error; begin a new one");
    }
    return Status::Ok();
  }

  // Runs `body` all-or-nothing inside a savepoint: when it fails, every write it made
  // (including columns it added) is undone and the transaction stays usable.
  template <typename Body>
  Status Atomically(Body&& body) {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(conn_->Exec("SAVEPOINT leadq_call", "begin savepoint"));
    Status s = body();
    if (s.ok()) {
      s = conn_->Exec("RELEASE leadq_call", "release savepoint");
      if (s.ok()) return s;
    }
    // Undo. SQLite rolls a whole transaction back by itself after some errors (disk full, I/O):
    // then the savepoint is gone and the transaction cannot go on.
    if (!conn_->InTransaction() ||
        !conn_->Exec("ROLLBACK TO leadq_call; RELEASE leadq_call", "roll back savepoint").ok()) {
      broken_ = true;
    }
    DropStatements();
    if (!broken_ && !LoadColumns().ok()) broken_ = true;
    return s;
  }

  // Finalizes every cached statement (they may name columns that a rollback removed).
  void DropStatements() {
    shapes_.clear();
    last_shape_.fill(nullptr);
    for (Stmt& st : fixed_) st = Stmt();
    event_lead_.clear();
    event_lead_known_ = false;
  }

  Result<Stmt*> Fixed(FixedStmt id) {
    Stmt& st = fixed_[id];
    if (!st) {
      LEADQ_TRY(st, conn_->Prepare(kFixedSql[id], "prepare statement"));
    }
    return &st;
  }

  Result<std::vector<std::string>> Ids(std::string_view sql, std::string_view op) {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, op));
    std::vector<std::string> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, op));
      if (!row) break;
      out.emplace_back(st.Col(0));
    }
    return out;
  }

  Result<bool> LeadExists(std::string_view lead_id) {
    LEADQ_TRY(Stmt * st, Fixed(kLeadAccount));
    st->TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "look up lead", lead_id));
    st->Reset();
    return row;
  }

  Result<std::optional<LeadState>> ReadLeadState(std::string_view lead_id) {
    LEADQ_TRY(Stmt * st, Fixed(kSelectState));
    st->TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "read state of lead", lead_id));
    if (!row) return std::optional<LeadState>();
    ResetOnExit reset(*st);
    return std::optional<LeadState>(ReadState(*st));
  }

  // What the event_id check found for a row of a batch.
  enum : uint8_t {
    kNewEvent = 0,  // not stored: store it
    kRepeatEvent,   // an earlier row of the batch, or another lead's stored event, has its id
    kCheckEvent,    // the lead has a stored id with the same hash: compare in its blocks
  };

  // One stored segment of a lead's events, copied out of the database.
  struct Segment {
    int64_t number = 0;
    int64_t events = 0;
    std::string data;
  };

  // The positions in field_columns of the batch's keys; registers the keys that carry a value.
  Result<std::vector<uint32_t>> EventKeyOrdinals(const EventBatch& batch) {
    const std::vector<std::string>& keys = batch.keys();
    std::vector<uint32_t> ordinal(keys.size(), 0);
    for (size_t k = 0; k < keys.size(); ++k) {
      for (size_t j = 0; j < k; ++j) {
        if (keys[j] == keys[k]) {
          return Status::Invalid("event field key '" + keys[k] + "' appears twice in one row");
        }
      }
      if (!IsColumnKey(keys[k])) {
        return Status::Invalid("event field key '" + keys[k] +
                               "' is not a column key (1 to 100 of a-z, 0-9 and _)");
      }
    }
    Columns& cols = columns_[EntityIndex(Entity::kEvent)];
    for (size_t k = 0; k < keys.size(); ++k) {
      bool used = false;
      for (size_t i = 0; i < batch.size() && !used; ++i) used = !batch.value(i, k).empty();
      if (!used) continue;
      LEADQ_TRY(EnsureColumn(Entity::kEvent, keys[k]));
      auto at = std::find(cols.keys.begin(), cols.keys.end(), keys[k]);
      ordinal[k] = static_cast<uint32_t>(at - cols.keys.begin());
    }
    return ordinal;
  }

  // Marks the rows of `batch` whose event_id repeats an earlier row or is stored for another
  // lead (kRepeatEvent) or may be stored for the same lead (kCheckEvent), and adds the ids of
  // the rows left kNewEvent to their buckets. `leads` and `lead_of` are the batch's leads and
  // each row's index among them.
  Status CheckEventIds(const EventBatch& batch, std::span<const std::string_view> leads,
                       std::span<const uint32_t> lead_of, std::vector<uint8_t>& verdict) {
    struct Id {
      uint64_t hash;
      uint32_t row;
      uint32_t lead;  // index in `leads`
      bool operator<(const Id& o) const { return hash != o.hash ? hash < o.hash : row < o.row; }
    };
    std::vector<Id> ids;  // built in row order, so that no row is visited at random later
    ReserveHuge(ids, batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      std::string_view id = batch.event(i).event_id;
      if (!id.empty()) {
        ids.push_back({blocks::EventIdHash(id), static_cast<uint32_t>(i), lead_of[i]});
      }
    }
    if (ids.size() < 65536) {
      std::sort(ids.begin(), ids.end());
    } else {
      // Into their buckets first (a counting pass; row order kept), then each bucket sorted
      // alone, on all cores.
      std::vector<uint32_t> bucket_start(blocks::kIdBuckets + 1, 0);
      for (const Id& id : ids) ++bucket_start[blocks::BucketOf(id.hash) + 1];
      for (size_t b = 0; b < blocks::kIdBuckets; ++b) bucket_start[b + 1] += bucket_start[b];
      std::vector<Id> bucketed;
      ResizeHuge(bucketed, ids.size());
      std::vector<uint32_t> next(bucket_start.begin(), bucket_start.end() - 1);
      for (const Id& id : ids) bucketed[next[blocks::BucketOf(id.hash)]++] = id;
      ids = std::move(bucketed);
      const size_t parts = WorkerCount() * 4;
      ParallelTasks(parts, [&](size_t part) {
        for (size_t b = blocks::kIdBuckets * part / parts;
             b < blocks::kIdBuckets * (part + 1) / parts; ++b) {
          std::sort(ids.begin() + bucket_start[b], ids.begin() + bucket_start[b + 1]);
        }
      });
    }
    // Repeats within the batch: a run of one hash holds one id (two ids sharing a 64-bit hash
    // are each compared with the run's first rows of another id).
    std::vector<uint32_t> firsts;
    for (size_t a = 0; a < ids.size();) {
      size_t b = a + 1;
      while (b < ids.size() && ids[b].hash == ids[a].hash) ++b;
      firsts.clear();
      for (size_t x = a; x < b && b - a > 1; ++x) {
        std::string_view id = batch.event(ids[x].row).event_id;
        bool seen = false;
        for (uint32_t f : firsts) seen = seen || batch.event(f).event_id == id;
        if (seen) {
          verdict[ids[x].row] = kRepeatEvent;
        } else {
          firsts.push_back(ids[x].row);
        }
      }
      a = b;
    }
    std::string blob;
    std::vector<blocks::IdEntry> entries;
    for (size_t a = 0; a < ids.size();) {
      const uint32_t bucket = blocks::BucketOf(ids[a].hash);
      size_t b = a;
      while (b < ids.size() && blocks::BucketOf(ids[b].hash) == bucket) ++b;
      LEADQ_TRY(Stmt * read, Fixed(kSelectIdBucket));
      read->Int(1, bucket);
      LEADQ_TRY(bool found, conn_->Fetch(*read, "read event_id bucket"));
      entries.clear();
      if (found) {
        blob.assign(read->ColBlob(0));
        read->Reset();
        LEADQ_TRY(blocks::DecodeIdBucket(blob, entries));
      }
      const size_t stored = entries.size();
      for (size_t x = a; x < b; ++x) {
        const uint32_t row = ids[x].row;
        if (verdict[row] == kRepeatEvent) continue;
        const uint64_t hash = ids[x].hash;
        const std::string_view lead = leads[ids[x].lead];
        if (stored == 0) {  // nothing stored in the bucket: the id is new
          entries.push_back({hash, lead});
          continue;
        }
        const EventBatch::Event& e = batch.event(row);
        auto it = std::lower_bound(
            entries.begin(), entries.begin() + static_cast<ptrdiff_t>(stored), hash,
            [](const blocks::IdEntry& entry, uint64_t h) { return entry.hash < h; });
        bool same_lead = false;
        bool elsewhere = false;
        for (; it != entries.begin() + static_cast<ptrdiff_t>(stored) && it->hash == hash; ++it) {
          if (it->lead_id == lead) {
            same_lead = true;
            continue;
          }
          LEADQ_TRY(elsewhere, LeadHasEventId(it->lead_id, e.event_id));
          if (elsewhere) break;
        }
        if (elsewhere) {
          verdict[row] = kRepeatEvent;
        } else if (same_lead) {
          verdict[row] = kCheckEvent;
        } else {
          entries.push_back({hash, lead});
        }
      }
      if (entries.size() > stored) {
        std::stable_sort(
            entries.begin(), entries.end(),
            [](const blocks::IdEntry& x, const blocks::IdEntry& y) { return x.hash < y.hash; });
        std::string encoded = blocks::EncodeIdBucket(entries);
        LEADQ_TRY(Stmt * put, Fixed(kPutIdBucket));
        put->Int(1, bucket);
        put->Blob(2, encoded);
        LEADQ_TRY(conn_->Run(*put, "write event_id bucket"));
      }
      a = b;
    }
    return Status::Ok();
  }

  // Reads the segments of a lead into segments_ (empty when it has no events).
  Status ReadSegments(std::string_view lead_id) {
    segments_.clear();
    LEADQ_TRY(Stmt * st, Fixed(kSelectBlocks));
    st->TextNotNull(1, lead_id);
    ResetOnExit reset(*st);
    for (;;) {
      int rc = st->Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return conn_->Error(rc, "read events of lead", lead_id);
      segments_.push_back({st->ColInt(0), st->ColInt(1), std::string(st->ColBlob(2))});
    }
    return Status::Ok();
  }

  // The number of leads from which an event batch reads in bulk (AnyEventBlocks,
  // AccountsInOrder) rather than a query per lead.
  static constexpr size_t kBulkLeads = 4096;

  // Whether event_blocks has a row.
  Result<bool> AnyEventBlocks() {
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT 1 FROM event_blocks LIMIT 1", "read events"));
    return conn_->Fetch(st, "read events");
  }

  // The accounts of `leads` (r-th in byte order: leads[by_name[r]]) into accounts[r], by one
  // pass over the leads_account index in lead order, when the batch names at least an eighth as
  // many leads as there are (rowids only grow, so the largest bounds the count; a pass then
  // costs less than a query per lead). Returns false, and leaves `accounts` alone, when it did
  // not pass; NotFound when a lead does not exist.
  Result<bool> AccountsInOrder(std::span<const std::string_view> leads,
                               std::span<const uint32_t> by_name,
                               std::vector<std::string>& accounts) {
    if (leads.size() < kBulkLeads) return false;
    LEADQ_TRY(Stmt count,
              conn_->Prepare("SELECT coalesce(max(rowid), 0) FROM leads", "count leads"));
    LEADQ_TRY(bool any, conn_->Fetch(count, "count leads"));
    const int64_t bound = any ? count.ColInt(0) : 0;
    if (static_cast<int64_t>(leads.size()) * 8 < bound) return false;
    LEADQ_TRY(Stmt st, conn_->Prepare("SELECT lead_id, account_id FROM leads INDEXED BY "
                                      "leads_account ORDER BY lead_id",
                                      "read the accounts of leads"));
    accounts.assign(leads.size(), std::string());
    size_t r = 0;
    int rc = SQLITE_ROW;
    while (r < by_name.size() && (rc = st.Step()) == SQLITE_ROW) {
      std::string_view id = st.Col(0);
      std::string_view want = leads[by_name[r]];
      if (id < want) continue;
      if (id != want) break;  // `want` is not among the leads
      accounts[r++].assign(st.Col(1));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return conn_->Error(rc, "read the accounts of leads", std::string_view());
    }
    if (r < by_name.size()) {
      return Status::NotFound("event of unknown lead '" + std::string(leads[by_name[r]]) + "'");
    }
    return true;
  }

  // Whether a stored event of `lead_id` has `event_id`.
  Result<bool> LeadHasEventId(std::string_view lead_id, std::string_view event_id) {
    LEADQ_TRY(ReadSegments(lead_id));
    std::vector<blocks::StoredEvent> events;
    std::vector<blocks::StoredProp> props;
    for (const Segment& seg : segments_) {
      LEADQ_TRY(blocks::DecodeBlock(seg.data, events, props)
                    .WithPrefix("events of lead '" + std::string(lead_id) + "'"));
    }
    for (const blocks::StoredEvent& e : events) {
      if (e.event_id == event_id) return true;
    }
    return false;
  }

  // Writes `fresh` (one lead's new events, by time, their properties in `fresh_props`) after
  // the lead's segments in segments_: its last segment is filled up, then new ones follow.
  // `seq` is the last sequence number used; each event takes the next.
  Status AppendEvents(std::string_view lead, std::string_view account,
                      std::span<const blocks::StoredEvent> fresh,
                      const std::vector<blocks::StoredProp>& fresh_props, int64_t& seq) {
    struct Item {
      blocks::StoredEvent event;
      const std::vector<blocks::StoredProp>* props;
    };
    std::vector<Item> items;
    items.reserve(fresh.size());
    for (const blocks::StoredEvent& e : fresh) {
      items.push_back({e, &fresh_props});
      items.back().event.seq = ++seq;
    }
    std::vector<blocks::StoredEvent> tail;
    std::vector<blocks::StoredProp> tail_props;
    int64_t number = 0;
    size_t next = 0;  // the first item not yet written
    blocks::BlockWriter writer;
    auto put = [&](std::vector<Item>::iterator from, std::vector<Item>::iterator to,
                   int64_t segment) -> Status {
      for (auto it = from; it != to; ++it) {
        const blocks::StoredEvent& e = it->event;
        writer.Add(e, std::span<const blocks::StoredProp>(it->props->data() + e.props_begin,
                                                          e.props_end - e.props_begin));
      }
      size_t count = writer.count();
      std::string blob = writer.Finish();
      LEADQ_TRY(Stmt * st, Fixed(kPutBlock));
      st->TextNotNull(1, lead);
      st->Int(2, segment);
      st->Text(3, account);
      st->Int(4, static_cast<int64_t>(count));
      st->Blob(5, blob);
      return conn_->Run(*st, "write events of lead", lead);
    };
    if (!segments_.empty()) {
      const Segment& last = segments_.back();
      number = last.number + 1;
      if (last.events < static_cast<int64_t>(blocks::kSegmentEvents)) {
        size_t room = blocks::kSegmentEvents - static_cast<size_t>(last.events);
        LEADQ_TRY(blocks::DecodeBlock(last.data, tail, tail_props)
                      .WithPrefix("events of lead '" + std::string(lead) + "'"));
        std::vector<Item> merged;
        merged.reserve(tail.size() + room);
        for (const blocks::StoredEvent& e : tail) merged.push_back({e, &tail_props});
        next = std::min(room, items.size());
        merged.insert(merged.end(), items.begin(), items.begin() + static_cast<ptrdiff_t>(next));
        std::sort(merged.begin(), merged.end(), [](const Item& a, const Item& b) {
          return a.event.occurred_at != b.event.occurred_at
                     ? a.event.occurred_at < b.event.occurred_at
                     : a.event.seq < b.event.seq;
        });
        LEADQ_TRY(put(merged.begin(), merged.end(), last.number));
      }
    }
    while (next < items.size()) {
      size_t end = std::min(items.size(), next + blocks::kSegmentEvents);
      LEADQ_TRY(put(items.begin() + static_cast<ptrdiff_t>(next),
                    items.begin() + static_cast<ptrdiff_t>(end), number++));
      next = end;
    }
    return Status::Ok();
  }

  // The account of an event's lead (empty when it has none), remembered for runs of events of
  // one lead; NotFound when the lead does not exist.
  Result<std::string_view> AccountOfLead(std::string_view lead_id) {
    if (event_lead_known_ && event_lead_ == lead_id) return std::string_view(event_account_);
    LEADQ_TRY(Stmt * st, Fixed(kLeadAccount));
    st->TextNotNull(1, lead_id);
    LEADQ_TRY(bool row, conn_->Fetch(*st, "look up lead", lead_id));
    if (!row) {
      return Status::NotFound("event of unknown lead '" + std::string(lead_id) + "'");
    }
    event_lead_.assign(lead_id);
    event_account_.assign(st->Col(0));
    event_lead_known_ = true;
    st->Reset();
    return std::string_view(event_account_);
  }

  // Adds the column of a free-form key the first time it is written.
  Status EnsureColumn(Entity entity, const std::string& key) {
    Columns& cols = columns_[EntityIndex(entity)];
    if (cols.known.count(key) != 0) return Status::Ok();
    const EntityInfo& info = kEntityInfo[EntityIndex(entity)];
    if (!IsColumnKey(key)) {
      return Status::Invalid(std::string(info.name) + " field key '" + key +
                             "' is not a column key (1 to 100 of a-z, 0-9 and _)");
    }
    std::string column = ColumnName(key);
    if (entity != Entity::kEvent) {  // events keep their keys in their blocks
      LEADQ_TRY(
          conn_->Exec("ALTER TABLE " + std::string(info.table) + " ADD COLUMN " + column + " TEXT",
                      "add column " + column + " to " + std::string(info.table)));
    }
    LEADQ_TRY(Stmt * st, Fixed(kInsertFieldColumn));
    st->TextNotNull(1, info.name);
    st->TextNotNull(2, key);
    std::string column_name = "f_" + key;  // bound without a copy: must outlive the Run
    st->TextNotNull(3, column_name);
    st->Int(4, static_cast<int64_t>(cols.keys.size()));
    LEADQ_TRY(conn_->Run(*st, "record field column", key));
    cols.keys.push_back(key);
    cols.known.insert(key);
    return Status::Ok();
  }

  // The write statements for rows of `entity` carrying `fields` (in that order).
  Result<Shape*> ShapeFor(Entity entity, std::span<const Field> fields, bool with_account) {
    int e = EntityIndex(entity);
    if (last_shape_[e] != nullptr && SameKeys(*last_shape_[e], fields, with_account)) {
      return last_shape_[e];
    }
    std::string signature(1, static_cast<char>('0' + e));
    signature += with_account ? 'a' : '-';
    for (const Field& f : fields) {
      signature += f.key;
      signature += ',';
    }
    auto found = shapes_.find(signature);
    if (found != shapes_.end()) {
      last_shape_[e] = found->second.get();
      return last_shape_[e];
    }

    auto shape = std::make_unique<Shape>();
    shape->with_account = with_account;
    std::unordered_set<std::string_view> seen;
    for (const Field& f : fields) {
      if (!seen.insert(f.key).second) {
        return Status::Invalid(std::string(kEntityInfo[e].name) + " field key '" + f.key +
                               "' appears twice in one row");
      }
      LEADQ_TRY(EnsureColumn(entity, f.key));
      shape->keys.push_back(f.key);
    }
    std::string table(kEntityInfo[e].table);
    std::string id(kEntityInfo[e].id_column);
    std::string cols, params, sets, reads;
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string column = ColumnName(fields[i].key);
      cols += ", " + column;
      reads += ", " + column;
      params += ", ?" + std::to_string(4 + i);
      sets += ", " + column + " = ?" + std::to_string(4 + i);
    }
    std::string op = "prepare " + std::string(kEntityInfo[e].name) + " write";
    {
      bool lead = entity == Entity::kLead;
      LEADQ_TRY(shape->insert,
                conn_->Prepare("INSERT INTO " + table + "(" + id + (lead ? ", account_id" : "") +
                                   ", created_at, updated_at" + cols + ") VALUES(?1" +
                                   (lead ? ", ?2" : "") + ", ?3, ?3" + params + ") ON CONFLICT(" +
                                   id + ") DO NOTHING",
                               op));
      LEADQ_TRY(shape->select,
                conn_->Prepare("SELECT " + std::string(lead ? "account_id" : "NULL") + reads +
                                   " FROM " + table + " WHERE " + id + " = ?1",
                               op));
      LEADQ_TRY(shape->update, conn_->Prepare("UPDATE " + table + " SET updated_at = ?3" +
                                                  (with_account ? ", account_id = ?2" : "") + sets +
                                                  " WHERE " + id + " = ?1",
                                              op));
    }
    if (shapes_.size() >= kMaxShapes) {
      shapes_.clear();
      last_shape_.fill(nullptr);
    }
    Shape* out = shape.get();
    shapes_.emplace(std::move(signature), std::move(shape));
    last_shape_[e] = out;
    return out;
  }

  // Inserts, updates or leaves one account or lead; counts what it did in `stats`.
  Status UpsertOne(Entity entity, std::string_view id, const std::optional<std::string>* account,
                   std::span<const Field> fields, TimePoint now, WriteStats& stats) {
    bool with_account = account != nullptr && account->has_value();
    LEADQ_TRY(Shape * shape, ShapeFor(entity, fields, with_account));
    std::string_view new_account = with_account ? std::string_view(**account) : std::string_view();
    auto bind = [&](Stmt& st) {
      st.TextNotNull(1, id);
      if (entity == Entity::kLead) st.Text(2, new_account);
      st.Int(3, now);
      for (size_t i = 0; i < fields.size(); ++i) st.Text(4 + static_cast<int>(i), fields[i].value);
    };
    std::string_view what = entity == Entity::kLead ? "lead" : "account";

    bind(shape->insert);
    LEADQ_TRY(
        conn_->Run(shape->insert, entity == Entity::kLead ? "insert lead" : "insert account", id));
    if (sqlite3_changes(conn_->db()) > 0) {
      ++stats.inserted;
      return Status::Ok();
    }

    Stmt& sel = shape->select;
    sel.TextNotNull(1, id);
    LEADQ_TRY(bool row,
              conn_->Fetch(sel, entity == Entity::kLead ? "read lead" : "read account", id));
    if (!row) {
      return Status::Internal(std::string(what) + " '" + std::string(id) +
                              "' was neither inserted nor found");
    }
    bool account_changed = with_account && sel.Col(0) != new_account;
    bool changed = account_changed;
    for (size_t i = 0; i < fields.size() && !changed; ++i) {
      changed = sel.Col(1 + static_cast<int>(i)) != fields[i].value;
    }
    sel.Reset();
    if (!changed) {
      ++stats.unchanged;
      return Status::Ok();
    }
    bind(shape->update);
    LEADQ_TRY(
        conn_->Run(shape->update, entity == Entity::kLead ? "update lead" : "update account", id));
    ++stats.updated;
    if (account_changed) {
      // Events carry their lead's account (the key a sharded store distributes them by).
      LEADQ_TRY(Stmt * move, Fixed(kMoveEventsAccount));
      move->TextNotNull(1, id);
      move->Text(2, new_account);
      LEADQ_TRY(conn_->Run(*move, "move events of lead", id));
      event_lead_known_ = false;
    }
    return Status::Ok();
  }

  Status InsertTransition(std::string_view lead_id, const Transition& t, std::string_view actor) {
    LEADQ_TRY(Stmt * st, Fixed(kInsertTransition));
    st->TextNotNull(1, lead_id);
    st->TextNotNull(2, t.from_stage);
    st->TextNotNull(3, t.to_stage);
    st->Int(4, t.at);
    st->TextNotNull(5, actor);
    st->Int(6, t.model_version);
    st->TextNotNull(7, t.reason);
    st->TextNotNull(8, t.note);
    if (t.scores) {
      BindScore(*st, 9, *t.scores);
    } else {
      for (int i = 9; i <= 19; ++i) st->Null(i);
    }
    return conn_->Run(*st, "append transition of lead", lead_id);
  }

  // ", col, col, ..." for the wanted keys the entity has; slot[i] is the result column of
  // keys[i] (counting from `first`), or -1 for a key never stored.
  std::string SelectKeys(Entity entity, const std::vector<std::string>& keys, int first,
                         std::vector<int>& slot) const {
    const Columns& cols = columns_[EntityIndex(entity)];
    std::string sql;
    slot.assign(keys.size(), -1);
    int next = first;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (cols.known.count(keys[i]) == 0) continue;
      sql += ", " + ColumnName(keys[i]);
      slot[i] = next++;
    }
    return sql;
  }

  // Every row of the entity's table, or the one with id `only`.
  // The FROM and WHERE of ListLeads and CountLeads (parameters ?1, ?2, ?3, ?6, ?7, bound by
  // BindLeadQuery). `all_joins`: join the state, scores and open handoffs even when no filter
  // needs them (the list reads their columns; a count only pays for the joins it filters on).
  std::string LeadQueryFrom(const LeadQuery& query, bool all_joins) const {
    const bool state = all_joins || !query.stage.empty();
    const bool scores = all_joins || !query.action.empty() || !query.cell.empty();
    const bool handoffs = all_joins || !query.owner.empty() || query.unowned;
    std::string sql = " FROM leads l";
    if (state) sql += " JOIN lead_state st ON st.lead_id = l.lead_id";
    if (scores) sql += " LEFT JOIN scores s ON s.lead_id = l.lead_id";
    // At most one open handoff per lead (handoffs_open): the join repeats no lead.
    if (handoffs) sql += " LEFT JOIN handoffs h ON h.lead_id = l.lead_id AND h.closed_at IS NULL";
    sql += " WHERE 1";
    if (!query.stage.empty()) sql += " AND st.stage = ?1";
    if (!query.owner.empty()) sql += " AND h.owner_id = ?6";
    if (query.unowned) sql += " AND h.lead_id IS NULL";
    if (!query.account_id.empty()) sql += " AND l.account_id = ?7";
    if (!query.action.empty()) sql += " AND s.action = ?2";
    if (!query.cell.empty()) sql += " AND (s.fit_grade || s.intent_grade) = ?3 COLLATE NOCASE";
    if (!query.text.empty()) {
      // LIKE is case-blind for ASCII; the pattern (?8) escapes % and _ with '\'.
      auto any_field = [&](std::string_view alias, std::string_view id_column, Entity entity) {
        std::string terms =
            std::string(alias) + "." + std::string(id_column) + " LIKE ?8 ESCAPE '\\'";
        for (const std::string& key : columns_[EntityIndex(entity)].keys) {
          terms += " OR " + std::string(alias) + "." + ColumnName(key) + " LIKE ?8 ESCAPE '\\'";
        }
        return terms;
      };
      sql += " AND (" + any_field("l", "lead_id", Entity::kLead) +
             " OR l.account_id IN (SELECT a.account_id FROM accounts a WHERE " +
             any_field("a", "account_id", Entity::kAccount) + "))";
    }
    return sql;
  }
  static void BindLeadQuery(Stmt& st, const LeadQuery& query) {
    if (!query.stage.empty()) st.TextNotNull(1, query.stage);
    if (!query.action.empty()) st.TextNotNull(2, query.action);
    if (!query.cell.empty()) st.TextNotNull(3, query.cell);
    if (!query.owner.empty()) st.TextNotNull(6, query.owner);
    if (!query.account_id.empty()) st.TextNotNull(7, query.account_id);
    if (!query.text.empty()) {
      std::string pattern = "%";
      for (char c : query.text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
      }
      st.TextCopy(8, pattern + "%");
    }
  }

  // (name, count) rows of a two-column query.
  Result<std::vector<std::pair<std::string, uint64_t>>> CountPairs(std::string_view sql,
                                                                   std::string_view op) {
    LEADQ_TRY(CheckUsable());
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, op));
    std::vector<std::pair<std::string, uint64_t>> out;
    for (;;) {
      LEADQ_TRY(bool row, conn_->Fetch(st, op));
      if (!row) break;
      out.emplace_back(st.ColString(0), static_cast<uint64_t>(st.ColInt(1)));
    }
    return out;
  }

  Status ScanRows(Entity entity, const std::vector<std::string>& keys, const RowVisitor& visit,
                  std::optional<std::string_view> only) {
    LEADQ_TRY(CheckUsable());
    const EntityInfo& info = kEntityInfo[EntityIndex(entity)];
    std::vector<int> slot;
    std::string sql = "SELECT " + std::string(info.id_column) +
                      ", account_id" +  // an account's own id for accounts
                      SelectKeys(entity, keys, 2, slot) + " FROM " + std::string(info.table) +
                      (only ? " WHERE " + std::string(info.id_column) + " = ?1" : "") +
                      " ORDER BY rowid";
    std::string op = "scan " + std::string(info.table);
    LEADQ_TRY(Stmt st, conn_->Prepare(sql, op));
    if (only) st.TextNotNull(1, *only);
    std::vector<std::string_view> values(keys.size());
    for (;;) {
      int rc = st.Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return conn_->Error(rc, op);
      for (size_t i = 0; i < keys.size(); ++i) {
        values[i] = slot[i] < 0 ? std::string_view() : st.Col(slot[i]);
      }
      visit(st.Col(0), st.Col(1), values);
    }
    return Status::Ok();
  }

  SqliteStore& store_;
  std::unique_ptr<Connection> conn_;
  std::unique_lock<std::timed_mutex> writer_;  // held until the transaction ends
  const bool read_only_;   // begun by BeginRead: the connection is query-only until it ends
  bool finished_ = false;  // committed (or the commit failed and rolled back)
  bool broken_ = false;    // SQLite rolled the transaction back after an error
  std::array<Columns, kEntityCount> columns_;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes_;
  std::array<Shape*, kEntityCount> last_shape_{};
  std::array<Stmt, kFixedCount> fixed_;
  std::vector<Segment> segments_;  // one lead's segments, read by ReadSegments
  std::string event_lead_, event_account_;
  bool event_lead_known_ = false;
};

Result<std::unique_ptr<Transaction>> SqliteStore::BeginRead() {
  return BeginWith(std::unique_lock<std::timed_mutex>(), "PRAGMA query_only=1; BEGIN");
}

Result<std::unique_ptr<Transaction>> SqliteStore::Begin() {
  std::unique_lock<std::timed_mutex> writer(writer_mu_, std::defer_lock);
  if (!writer.try_lock_for(std::chrono::seconds(kBusyTimeoutSeconds))) {
    return Status::FailedPrecondition(
        Describe() + ": busy: another transaction of this process has held " +
        "the workspace for " + std::to_string(kBusyTimeoutSeconds) + " s");
  }
  return BeginWith(std::move(writer), "BEGIN IMMEDIATE");
}

Result<std::unique_ptr<Transaction>> SqliteStore::BeginWith(
    std::unique_lock<std::timed_mutex> writer, std::string_view begin_sql) {
  std::unique_ptr<Connection> conn = TakeIdle();
  if (conn == nullptr) {
    LEADQ_TRY(conn, OpenConnection(path_, false));
  }
  ApplyCheckpointMode(*conn);
  Status begun = conn->Exec(begin_sql, "begin transaction");
  if (!begun.ok()) {
    if (!writer.owns_lock()) (void)conn->Exec("PRAGMA query_only=0", "end a read transaction");
    AddIdle(std::move(conn));
    return begun;
  }
  open_transactions_.fetch_add(1);
  auto tx = std::make_unique<SqliteTransaction>(*this, std::move(conn), std::move(writer));
  LEADQ_TRY(tx->LoadColumns());
  return std::unique_ptr<Transaction>(std::move(tx));
}

}  // namespace

namespace internal {

Result<std::unique_ptr<Store>> OpenSqliteStoreWithMigrations(
    const std::filesystem::path& db_path, bool create, std::span<const Migration> migrations) {
  std::error_code ec;
  bool exists = std::filesystem::exists(db_path, ec);
  if (ec) return Status::IoError(db_path.string() + ": " + ec.message());
  if (!exists) {
    std::filesystem::path dir = db_path.parent_path();
    if (dir.empty()) dir = ".";
    if (!create) {
      return Status::NotFound("no workspace at " + dir.string() + ": run leadq init " +
                              dir.string());
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError(dir.string() + ": cannot create directory: " + ec.message());
  }
  LEADQ_TRY(std::unique_ptr<Connection> conn, OpenConnection(db_path, create));
  LEADQ_TRY(Migrate(*conn, migrations));
  auto store = std::make_unique<SqliteStore>(db_path);
  store->AddIdle(std::move(conn));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace internal

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& db_path, bool create) {
  return internal::OpenSqliteStoreWithMigrations(db_path, create, internal::SqliteMigrations());
}

}  // namespace leadq::store
