// The workspace store: the system of record for leads, accounts, events, outcomes, model
// versions, scores, the lifecycle's transition log and framework answers, and for export
// pre-qualification the customs records (shipments), the user's merge and split rules of trade
// names and what the user recorded about buyers; and the HTTP API's tokens and audit trail.
//
// `Store` is an interface with one implementation per database (SQLite now, PostgreSQL later),
// all held to one conformance suite (store_conformance.h). Everything happens inside a
// `Transaction`: a use case begins one, does its reads and writes and commits; destroying an
// uncommitted transaction rolls it back, so a failed or killed command changes nothing.
//
// Free-form columns: leads, accounts and events carry any columns an import brings. The store
// keeps them by their key (core/text.h ColumnKey); a key seen for the first time is added to the
// schema in the same transaction. Reading them back is columnar (ScanLeads and friends visit
// rows with the requested keys only), which is what the scorer needs.
//
// Times are TimePoint (microseconds since the epoch, UTC). Thread-safety: a Store may be shared
// by threads; a Transaction belongs to one thread.
//
// Failure: each write method of a Transaction is all-or-nothing. When it fails, nothing it wrote
// remains (columns it added included) and the transaction can go on or be dropped; only when the
// database itself aborted the transaction (disk full, I/O error) does every later call fail.
//
// Example:
//   LEADQ_TRY(std::unique_ptr<Store> store, OpenSqliteStore("ws/leadq.db"));
//   LEADQ_TRY(std::unique_ptr<Transaction> tx, store->Begin());
//   LEADQ_TRY(tx->UpsertLeads(rows, now, stats));
//   LEADQ_TRY(tx->UpsertShipments(shipments, shipment_stats));
//   LEADQ_TRY(tx->Commit());
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/shipment_blocks.h"

namespace leadq::store {

// A named value of a free-form column. An empty value clears the column.
struct Field {
  std::string key;  // ColumnKey form
  std::string value;
};

struct AccountRow {
  std::string account_id;
  std::vector<Field> fields;
};

struct LeadRow {
  std::string lead_id;
  std::optional<std::string> account_id;  // nullopt: leave as it is
  std::vector<Field> fields;
};

struct EventRow {
  std::string event_id;  // may be empty: then (lead_id, type, occurred_at) identifies it
  std::string lead_id;
  std::string type;
  TimePoint occurred_at = 0;
  std::vector<Field> props;
};

// Events to insert, by columns: the free-form keys once, then every event's values under them
// (an empty value is no value). The strings are views: their bytes must live until InsertEvents
// returns; Keep copies a string into storage the batch owns. Built by an import for a whole
// file, so that the store writes each lead once.
class EventBatch {
 public:
  struct Event {
    std::string_view event_id;  // may be empty: then (lead_id, type, occurred_at) identifies it
    std::string_view lead_id;
    std::string_view type;
    TimePoint occurred_at = 0;
  };
  EventBatch() = default;
  EventBatch(EventBatch&&) = default;
  EventBatch& operator=(EventBatch&&) = default;

  // Sets the free-form keys (ColumnKey form); the batch must be empty.
  void SetKeys(std::vector<std::string> keys) { keys_ = std::move(keys); }
  // Adds an event; `values` has one value per key (missing ones read as empty).
  void Add(const Event& event, std::span<const std::string_view> values = {});
  // Moves the events of `other` (with the same keys) after these; views into its storage stay
  // valid.
  void Append(EventBatch&& other);
  // A copy of `s` that lives as long as the batch.
  std::string_view Keep(std::string_view s);
  void Reserve(size_t events);

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  const std::vector<std::string>& keys() const { return keys_; }
  const Event& event(size_t i) const { return events_[i]; }
  std::string_view value(size_t event, size_t key) const {
    return values_[event * keys_.size() + key];
  }

  // The batch of `rows` (views into them): keys in first-seen order. A key repeated within one
  // row is InvalidInput.
  static Result<EventBatch> Of(std::span<const EventRow> rows);

 private:
  std::vector<std::string> keys_;
  std::vector<Event> events_;
  std::vector<std::string_view> values_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
};

enum class DealStatus { kOpen, kWon, kLost };
std::string_view DealStatusName(DealStatus s);
std::optional<DealStatus> ParseDealStatus(std::string_view s);  // any case

struct OutcomeRow {
  std::string deal_id;
  std::string account_id;  // at least one of account_id and lead_id
  std::string lead_id;
  std::optional<TimePoint> created_at;
  std::optional<TimePoint> closed_at;
  DealStatus status = DealStatus::kOpen;
  std::optional<double> value;
  std::string lost_reason;
  std::string owner;  // the seller who worked the deal, may be empty
};

// What an upsert did. Write methods add their counts to the WriteStats they are given.
struct WriteStats {
  uint64_t inserted = 0;
  uint64_t updated = 0;     // existed and at least one value changed
  uint64_t unchanged = 0;   // existed with the same values
  uint64_t duplicates = 0;  // events already stored (same event_id, or same lead, type, time)
};

struct ModelVersion {
  int64_t version = 0;  // 1, 2, ...
  std::string content;  // the TOML text
  std::string hash;     // SHA-256 of content, hex: the caller sets it with Sha256Hex (store/hash.h)
  std::string author;
  std::string message;
  TimePoint created_at = 0;
  // Files the model reads (its [lists] files), by the path written in the model, so that a
  // stored version is complete without the directory it came from.
  std::vector<std::pair<std::string, std::string>> files;
};

// The latest score of a lead.
struct ScoreRecord {
  std::string lead_id;
  int64_t model_version = 0;
  TimePoint as_of = 0;
  double fit = 0, intent = 0, negative = 0, score = 0;
  std::string fit_grade, intent_grade, action, reason;
  std::string channel;  // the [[channel]] that applied; empty for none
};

// One entry of the lifecycle log. The current stage of a lead is the `to` of its last entry.
struct Transition {
  int64_t seq = 0;  // assigned by the store
  std::string lead_id;
  std::string from_stage;  // empty for the first entry
  std::string to_stage;
  TimePoint at = 0;
  std::string actor;          // a person, or "rule:<name>"
  int64_t model_version = 0;  // 0 when no model was involved
  std::string reason;         // reason code, may be empty
  std::string note;
  std::optional<ScoreRecord> scores;  // the scores at that moment, when known
};

// The lifecycle state of a lead, kept in step with its last transition.
struct LeadState {
  std::string lead_id;
  std::string stage;
  TimePoint stage_since = 0;
  int64_t recycle_count = 0;
  std::optional<TimePoint> recycle_until;     // set while recycled
  std::optional<TimePoint> below_line_since;  // mql whose intent fell below the line, since when
};

struct Answer {
  int64_t seq = 0;
  std::string lead_id;
  std::string framework;  // "bant"
  std::string criterion;  // "budget"
  std::string value;      // met, partial, unmet, unknown
  std::string evidence;
  std::string source;  // call, email, meeting, ...
  std::string author;
  TimePoint at = 0;
  std::optional<TimePoint> expires_at;
};

enum class Entity { kLead, kAccount, kEvent };

// A filter for ListLeads; empty members do not filter.
struct LeadQuery {
  std::string stage;
  std::string owner;       // the owner of the lead's open handoff
  std::string account_id;  // leads of this account
  std::string action;
  std::string cell;  // "A1": fit grade + intent grade of the latest score
  enum class Sort { kScoreDesc, kScoreAsc, kCreated, kLeadId } sort = Sort::kScoreDesc;
  size_t limit = 0;  // 0: all
  size_t offset = 0;
  bool unowned = false;  // only leads with no open handoff
  // Free text, any case: found in the lead's id, any of its fields (name, e-mail, title...),
  // its account's id or any of its account's fields (the company's name, domain...).
  std::string text;
};

// How many leads' latest scores fall in one grade cell (CountCells).
struct CellCount {
  std::string fit_grade;
  std::string intent_grade;
  uint64_t leads = 0;
};

struct LeadSummary {
  std::string lead_id;
  std::string account_id;
  std::string stage;
  TimePoint created_at = 0;
  std::optional<ScoreRecord> score;
  std::string owner;  // the owner of the lead's open handoff; empty when none
};

// --- handoff: owners, assignments with their response clock and cadence, touches, webhooks

// A person who works leads.
struct Owner {
  std::string owner_id;  // "ana": what --to, --owner and the model's pools name
  std::string name;
  std::string email;
  std::string role;               // "SDR", "AE", ... (free text)
  int64_t weekly_capacity = 0;    // new leads per 7 days; 0: takes none by rule
  std::string working_hours;      // "mon-fri 09:00-17:00" (core/working_hours.h); empty: always
  std::string time_zone = "UTC";  // IANA name
  std::string manager;            // owner_id of the manager; may be empty
  bool active = true;
  TimePoint created_at = 0;  // set by the store on first insert
  TimePoint updated_at = 0;

  bool operator==(const Owner&) const = default;
};

// One assignment of a lead to an owner, and what follows from it: the response clock (first
// touch due by `due_at`) and the follow-up cadence. A lead has at most one open handoff (no
// `closed_at`); reassigning closes the old one and opens a new one.
struct Handoff {
  int64_t seq = 0;  // assigned by the store
  std::string lead_id;
  std::string account_id;  // the lead's account at assignment; may be empty
  std::string owner_id;
  std::string rule;         // how the owner was chosen: "rule:<name>", "affinity", "fallback",
                            // "manual", "escalation:<sla rule>"
  std::string assigned_by;  // a person, or "rule:..."
  TimePoint assigned_at = 0;
  std::string cell;     // grade cell at assignment ("A1"); may be empty
  std::string channel;  // the lead's channel at assignment; may be empty
  double score = 0;
  int64_t model_version = 0;
  std::string sla_rule;             // empty: no response clock
  TimePoint clock_start = 0;        // when the clock started (usually the mql moment)
  std::optional<TimePoint> due_at;  // first touch due
  bool working_hours = false;       // the clock counts the owner's working hours only
  std::optional<TimePoint> first_touch_at;
  std::optional<TimePoint> breached_at;
  std::optional<TimePoint> escalated_at;
  std::string escalation;                       // what the escalation did, in words
  std::string cadence;                          // cadence policy name; empty: none
  std::optional<TimePoint> cadence_stopped_at;  // a reply or a meeting stopped the cadence
  std::optional<TimePoint> closed_at;
  std::string closed_reason;  // "reassigned", "recycled", ...

  bool operator==(const Handoff&) const = default;
};

// A filter for Handoffs; empty members do not filter.
struct HandoffQuery {
  std::string lead_id;
  std::string account_id;
  std::string owner_id;
  bool open_only = false;
  std::optional<TimePoint> assigned_since;  // assigned_at >= this
  // Only clocks that have run out by this time: open, untouched, not escalated, due_at <= this.
  std::optional<TimePoint> clock_due_by;
};

// One contact attempt with a lead.
struct Touch {
  int64_t seq = 0;  // assigned by the store
  std::string lead_id;
  std::string by;       // owner id or person
  std::string channel;  // email, call, linkedin, meeting
  std::string outcome;  // sent, no_answer, voicemail, connected, replied, meeting_booked, ...
  TimePoint at = 0;
  std::string note;
  int64_t handoff_seq = 0;  // the open handoff at the time; 0 when none

  bool operator==(const Touch&) const = default;
};

// A webhook subscription: messages of the listed kinds are POSTed to `url`, signed with `secret`.
struct Webhook {
  int64_t id = 0;  // assigned by the store
  std::string url;
  std::vector<std::string> kinds;  // "transition", "assignment", "sla_breach", "touch"
  std::string secret;
  int64_t max_attempts = 8;  // after this many failed attempts a message is dead
  TimePoint created_at = 0;

  bool operator==(const Webhook&) const = default;
};

enum class MessageStatus { kPending, kDelivered, kDead };
std::string_view MessageStatusName(MessageStatus s);  // "pending", "delivered", "dead"

// One message of the webhook outbox, written in the same transaction as the change it reports.
struct OutboxMessage {
  int64_t seq = 0;  // assigned by the store
  int64_t webhook_id = 0;
  std::string kind;
  std::string idempotency_key;  // unique; the same on every attempt
  std::string body;             // JSON
  TimePoint created_at = 0;
  MessageStatus status = MessageStatus::kPending;
  int64_t attempts = 0;
  TimePoint next_attempt_at = 0;  // pending: not sent before this (also the lease of a claim)
  std::string last_error;
  int64_t last_http_status = 0;  // 0: no HTTP answer
  std::optional<TimePoint> delivered_at;

  bool operator==(const OutboxMessage&) const = default;
};

// Counts of outbox messages of one webhook by status.
struct OutboxCounts {
  int64_t webhook_id = 0;
  uint64_t pending = 0, delivered = 0, dead = 0;
};

// --- trade: customs records (spec/SHIPMENTS.md) and what the user decided about trade names

// One bill-of-lading line (SHIPMENTS.md). (bol_number, hs_code) identifies it. Empty text and
// absent numbers are stored as absent (a number 0 stays 0).
struct ShipmentRow {
  std::string bol_number;      // not empty
  std::string hs_code;         // digits only, not empty
  TimePoint arrival = 0;       // midnight UTC of the arrival date
  std::string consignee_name;  // not empty
  std::string shipper_name, consignee_address, consignee_city, consignee_country, shipper_country,
      notify_party, country_of_origin, port_of_lading, port_of_unlading, description, carrier;
  std::optional<double> weight_kg, containers, teu, quantity, value_usd;  // finite when present

  bool operator==(const ShipmentRow&) const = default;
};

// The fields of a row, borrowed, and back.
shipblocks::ShipmentFields FieldsOf(const ShipmentRow& row);
void AssignFields(const shipblocks::ShipmentFields& fields, ShipmentRow& row);

// Shipments to upsert, each kept in the encoding the store's blocks hold
// (store/shipment_blocks.h): a batch of a whole file takes about the file's size, and the store
// copies its lines into blocks without encoding them again. Built by an import for a whole
// file, so that the store writes each arrival day once.
class ShipmentBatch {
 public:
  void Reserve(size_t rows, size_t bytes);
  void Add(const shipblocks::ShipmentFields& row);
  void Add(const ShipmentRow& row) { Add(FieldsOf(row)); }

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  TimePoint arrival(size_t i) const { return rows_[i].arrival; }
  // Line i as shipblocks::EncodeRow wrote it.
  std::string_view encoded(size_t i) const {
    return std::string_view(bytes_).substr(rows_[i].offset, rows_[i].size);
  }

 private:
  struct Entry {
    TimePoint arrival = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  std::string bytes_;
  std::vector<Entry> rows_;
};

// A user's merge or split of two spellings (trade/entities.h EntityRule), kept as a log.
struct TradeRule {
  int64_t id = 0;        // assigned by the store, never reused
  std::string kind;      // "merge" or "split"
  std::string role;      // "buyer" or "supplier"
  std::string country;   // ISO alpha-2
  std::string a, b;      // spellings, not empty
  std::string by, note;  // who decided, and why
  TimePoint at = 0;

  bool operator==(const TradeRule&) const = default;
};

// What the user recorded about a buyer, keyed by one of its spellings (entity ids are recomputed
// from the data; a spelling is stable).
struct BuyerNote {
  std::string country;   // ISO alpha-2
  std::string spelling;  // not empty
  std::string kind;      // "access" (value "yes" or "no") or "account" (value: an account_id)
  std::string value;
  std::string note;
  std::string by;
  TimePoint at = 0;

  bool operator==(const BuyerNote&) const = default;
};

// --- API tokens and the audit trail of `leadq serve`

// A bearer token of the HTTP API. The store never sees the secret: it keeps its SHA-256
// (`secret_hash`, store/hash.h Sha256Hex), which is what a request's token is looked up by.
// Tokens are revoked, never deleted, so a name stays taken and the audit trail keeps meaning.
struct ApiToken {
  int64_t id = 0;           // assigned by the store
  std::string name;         // unique, not empty
  std::string role;         // "admin", "ops", "seller", "ingest" (checked by the service)
  std::string owner;        // the owner_id a seller acts for; may be empty
  std::string secret_hash;  // unique, not empty
  TimePoint created_at = 0;
  std::optional<TimePoint> revoked_at;
  std::optional<TimePoint> last_used_at;

  bool operator==(const ApiToken&) const = default;
};

// One write made through the HTTP API: who, what, and how it ended.
struct AuditEntry {
  int64_t seq = 0;  // assigned by the store, increasing
  TimePoint at = 0;
  std::string token;   // the token's name ("anonymous" for a public route)
  std::string method;  // "POST"
  std::string path;    // "/api/v1/leads/L1/stage"
  int status = 0;      // the HTTP status answered
  std::string summary;

  bool operator==(const AuditEntry&) const = default;
};

class Transaction {
 public:
  virtual ~Transaction() = default;  // rolls back unless committed

  // Makes every write of this transaction durable. Fails (and rolls back) on a database error.
  virtual Status Commit() = 0;

  // --- free-form columns
  // The keys stored so far for an entity, in the order they were first seen.
  virtual Result<std::vector<std::string>> FieldKeys(Entity entity) = 0;

  // --- accounts, leads, events, outcomes
  virtual Status UpsertAccounts(std::span<const AccountRow> rows, TimePoint now,
                                WriteStats& stats) = 0;
  // New leads start in stage "new" with a first transition (actor `actor`).
  virtual Status UpsertLeads(std::span<const LeadRow> rows, TimePoint now, std::string_view actor,
                             WriteStats& stats) = 0;
  // Events whose lead does not exist must not be passed (check with LeadIds first); one that is
  // fails the call with NotFound. Of two events with the same identity the first stored stays
  // (the first in batch order among new ones): the same event_id is one event whichever lead
  // it names; an event without one is identified by its lead, its type (trimmed, any case) and
  // its time. A bad key fails the call with InvalidInput and writes nothing.
  virtual Status InsertEventBatch(const EventBatch& batch, WriteStats& stats) = 0;
  // The same for rows (EventBatch::Of).
  Status InsertEvents(std::span<const EventRow> rows, WriteStats& stats);
  virtual Status UpsertOutcomes(std::span<const OutcomeRow> rows, WriteStats& stats) = 0;

  virtual Result<std::vector<std::string>> LeadIds() = 0;
  virtual Result<std::vector<std::string>> AccountIds() = 0;
  virtual Result<uint64_t> Count(Entity entity) = 0;
  virtual Result<std::vector<OutcomeRow>> Outcomes() = 0;

  // Columnar scans for the scorer. `keys` are the free-form columns wanted; a key the store has
  // never seen reads as missing (empty). Rows come in a stable order (leads and accounts by
  // insertion, events by lead then occurred_at then insertion). ScanAccounts passes the
  // account's own id as `account_id`.
  using RowVisitor = std::function<void(std::string_view id, std::string_view account_id,
                                        std::span<const std::string_view> values)>;
  virtual Status ScanLeads(const std::vector<std::string>& keys, const RowVisitor& visit) = 0;
  virtual Status ScanAccounts(const std::vector<std::string>& keys, const RowVisitor& visit) = 0;
  using EventVisitor =
      std::function<void(std::string_view event_id, std::string_view lead_id, std::string_view type,
                         TimePoint occurred_at, std::span<const std::string_view> props)>;
  virtual Status ScanEvents(const std::vector<std::string>& keys, const EventVisitor& visit) = 0;
  // The same scans for one id, through the primary keys: the lead (0 or 1 row), the account
  // (0 or 1 row), the events of one lead (in the ScanEvents order). An unknown id visits nothing.
  virtual Status ScanLead(std::string_view lead_id, const std::vector<std::string>& keys,
                          const RowVisitor& visit) = 0;
  virtual Status ScanAccount(std::string_view account_id, const std::vector<std::string>& keys,
                             const RowVisitor& visit) = 0;
  virtual Status ScanEventsOfLead(std::string_view lead_id, const std::vector<std::string>& keys,
                                  const EventVisitor& visit) = 0;
  // One lead's free-form fields (all keys), or NotFound.
  virtual Result<std::vector<Field>> LeadFields(std::string_view lead_id) = 0;

  // --- model versions
  virtual Result<int64_t> AddModelVersion(const ModelVersion& version) = 0;  // returns its number
  virtual Result<std::vector<ModelVersion>> ModelVersions() = 0;             // oldest first
  virtual Result<ModelVersion> GetModelVersion(int64_t version) = 0;         // NotFound
  // The active version: the newest one (rollback adds a new version with old content).
  virtual Result<std::optional<ModelVersion>> ActiveModel() = 0;

  // --- scores and lifecycle
  virtual Status WriteScores(std::span<const ScoreRecord> scores) = 0;
  virtual Result<std::optional<ScoreRecord>> GetScore(std::string_view lead_id) = 0;
  // Appends transitions and moves each lead's state to its `to_stage` (and the given recycle
  // and below-the-line fields of `states`, matched by lead_id).
  // Each `from_stage` must be the lead's current stage (FailedPrecondition otherwise, so the log
  // never forks); stage_since becomes `at`. An unknown lead is NotFound.
  virtual Status AppendTransitions(std::span<const Transition> transitions) = 0;
  // Writes recycle_count, recycle_until and below_line_since. `stage` empty keeps the stage and
  // stage_since; otherwise it must be the current stage (stages change only by
  // AppendTransitions: FailedPrecondition) and stage_since is written. Unknown lead: NotFound.
  virtual Status UpdateStates(std::span<const LeadState> states) = 0;
  virtual Result<std::vector<LeadState>> LeadStates() = 0;  // by lead_id
  virtual Result<std::optional<LeadState>> GetLeadState(std::string_view lead_id) = 0;
  virtual Result<std::vector<Transition>> History(std::string_view lead_id) = 0;  // NotFound
  // Every transition of every lead, ordered by lead_id, then seq (for reports).
  virtual Result<std::vector<Transition>> AllTransitions() = 0;

  // --- framework answers
  virtual Status AddAnswer(const Answer& answer) = 0;  // unknown lead: NotFound
  // Oldest first; unknown lead: NotFound.
  virtual Result<std::vector<Answer>> Answers(std::string_view lead_id) = 0;

  // --- listing
  virtual Result<std::vector<LeadSummary>> ListLeads(const LeadQuery& query) = 0;

  // --- views: read-only counts and pages for the HTTP API and the dashboard, answered by the
  // database without reading every row into memory.
  // How many leads ListLeads(query) returns with no limit and offset.
  virtual Result<uint64_t> CountLeads(const LeadQuery& query) = 0;
  // A page of accounts in insertion order (limit 0: all), each with its non-empty fields.
  virtual Result<std::vector<AccountRow>> ListAccounts(size_t limit, size_t offset) = 0;
  // The number of leads in each current stage, by stage name; stages with no lead left out.
  virtual Result<std::vector<std::pair<std::string, uint64_t>>> CountByStage() = 0;
  // The number of distinct leads that ever entered each stage (the `to_stage` of the log), by
  // stage name; stages no lead entered left out.
  virtual Result<std::vector<std::pair<std::string, uint64_t>>> CountReachedStages() = 0;
  // The latest scores counted by grade cell, ordered by fit grade, then intent grade.
  virtual Result<std::vector<CellCount>> CountCells() = 0;

  // --- owners
  // Inserts or replaces the owner with this owner_id (created_at kept from the first insert;
  // updated_at = `now`).
  virtual Status UpsertOwner(const Owner& owner, TimePoint now) = 0;
  virtual Result<std::vector<Owner>> Owners() = 0;  // by owner_id
  virtual Result<std::optional<Owner>> GetOwner(std::string_view owner_id) = 0;

  // --- handoffs
  // Stores a new handoff and returns its seq. Unknown lead or owner: NotFound. A lead that
  // already has an open handoff: FailedPrecondition (close it first with UpdateHandoff).
  virtual Result<int64_t> AddHandoff(const Handoff& handoff) = 0;
  // Rewrites the handoff with this seq (every field but seq, lead_id). Unknown seq: NotFound.
  virtual Status UpdateHandoff(const Handoff& handoff) = 0;
  virtual Result<std::vector<Handoff>> Handoffs(const HandoffQuery& query) = 0;  // by seq
  virtual Result<std::optional<Handoff>> OpenHandoff(std::string_view lead_id) = 0;

  // --- touches
  virtual Result<int64_t> AddTouch(const Touch& touch) = 0;  // unknown lead: NotFound
  // Oldest first (by `at`, then seq); unknown lead: NotFound.
  virtual Result<std::vector<Touch>> Touches(std::string_view lead_id) = 0;

  // --- webhooks and their outbox
  virtual Result<int64_t> AddWebhook(const Webhook& webhook) = 0;  // returns its id
  virtual Result<std::vector<Webhook>> Webhooks() = 0;             // by id
  // Removes the subscription and its pending messages (delivered and dead ones are kept for the
  // record). Unknown id: NotFound.
  virtual Status RemoveWebhook(int64_t id) = 0;
  // Stores messages (seq assigned; status pending). An unknown webhook_id: NotFound; a repeated
  // idempotency_key: InvalidInput.
  virtual Status EnqueueMessages(std::span<const OutboxMessage> messages) = 0;
  // Up to `limit` pending messages with next_attempt_at <= now, oldest first, and sets their
  // next_attempt_at to `lease_until` so that another sender does not take them meanwhile.
  virtual Result<std::vector<OutboxMessage>> ClaimMessages(TimePoint now, TimePoint lease_until,
                                                           size_t limit) = 0;
  // Rewrites status, attempts, next_attempt_at, last_error, last_http_status and delivered_at of
  // the message with this seq. Unknown seq: NotFound.
  virtual Status UpdateMessage(const OutboxMessage& message) = 0;
  // Messages of one webhook (0: all) with the given status, oldest first, at most `limit` (0: all).
  virtual Result<std::vector<OutboxMessage>> Messages(int64_t webhook_id, MessageStatus status,
                                                      size_t limit) = 0;
  virtual Result<std::vector<OutboxCounts>> CountMessages() = 0;  // by webhook id

  // --- trade: shipments
  // Inserts new rows; a row whose key exists with the same values is `unchanged`, with other
  // values `updated` (replaced). Counts into stats. Rows are written in scan order: of two rows
  // with one key in a call, the one with the later arrival stays, or the later given of two
  // arriving on the same day. A row with an empty bol_number or consignee_name, an hs_code that is
  // not all digits, or a number that is not finite fails the call with InvalidInput (nothing
  // written).
  virtual Status UpsertShipmentBatch(const ShipmentBatch& batch, WriteStats& stats) = 0;
  // The same for rows.
  Status UpsertShipments(std::span<const ShipmentRow> rows, WriteStats& stats);
  // Every shipment, ordered by arrival then bol_number then hs_code. The row passed to `visit`
  // is reused between calls (copy what you keep). A visitor returning false stops the scan
  // (and the scan returns Ok).
  using ShipmentVisitor = std::function<bool(const ShipmentRow&)>;
  virtual Status ScanShipments(const ShipmentVisitor& visit) = 0;
  virtual Result<uint64_t> CountShipments() = 0;

  // --- trade: merge and split rules of spellings
  // Stores a rule and returns its id. A kind other than "merge" or "split", a role other than
  // "buyer" or "supplier", or an empty spelling: InvalidInput.
  virtual Result<int64_t> AddTradeRule(const TradeRule& rule) = 0;
  virtual Result<std::vector<TradeRule>> TradeRules() = 0;  // by id
  virtual Status RemoveTradeRule(int64_t id) = 0;           // unknown id: NotFound

  // --- trade: buyer notes
  // Upsert by (country, spelling, kind): the latest call replaces the earlier statement. An
  // empty spelling, a kind other than "access" or "account", an access value other than "yes"
  // or "no", or an empty account value: InvalidInput.
  virtual Status PutBuyerNote(const BuyerNote& note) = 0;
  virtual Result<std::vector<BuyerNote>> BuyerNotes() = 0;  // by country, spelling, kind

  // --- API tokens
  // Stores a token and returns its id. A name that is already taken (by a revoked token too) or
  // a secret_hash already stored: InvalidInput; so is an empty name, role or secret_hash.
  virtual Result<int64_t> AddApiToken(const ApiToken& token) = 0;
  virtual Result<std::vector<ApiToken>> ApiTokens() = 0;  // by id, revoked ones included
  // The token with this secret_hash, revoked or not; nullopt when there is none.
  virtual Result<std::optional<ApiToken>> FindApiTokenByHash(std::string_view secret_hash) = 0;
  // Sets revoked_at to `at`; a token revoked earlier keeps its first revocation time. Unknown id:
  // NotFound.
  virtual Status RevokeApiToken(int64_t id, TimePoint at) = 0;
  // Sets last_used_at of each token (id, when), never moving it back in time, so that batches
  // flushed out of order by several servers keep the latest use. Unknown ids are skipped.
  virtual Status TouchApiTokens(std::span<const std::pair<int64_t, TimePoint>> uses) = 0;

  // --- the audit trail
  // Appends entries in the order given (seq assigned; the entries' own seq is ignored).
  virtual Status AppendAudit(std::span<const AuditEntry> entries) = 0;
  // Newest first (by seq), skipping `offset`, at most `limit` (0: all).
  virtual Result<std::vector<AuditEntry>> Audit(size_t limit, size_t offset) = 0;
  virtual Result<uint64_t> CountAudit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Begins a read-write transaction. Fails when the database is unreachable or busy too long.
  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;
  // Begins a transaction that only reads: it sees one snapshot, waits for no writer and holds
  // none back (SQLite: a deferred transaction on a query-only connection; a write in it fails).
  virtual Result<std::unique_ptr<Transaction>> BeginRead() { return Begin(); }
  // "sqlite:/path/leadq.db", for messages.
  virtual std::string Describe() const = 0;

  // For a long-running process (the server): with `on`, commits leave the upkeep of the
  // database's files (SQLite: copying the write-ahead log back into the database, which the
  // commit that crosses 1,000 pages otherwise does while every other writer waits) to
  // Maintain, which the process calls from a thread of its own. Off again: commits do it.
  virtual void DeferMaintenance(bool on) { (void)on; }
  // Does the deferred upkeep now, outside any transaction, without stopping writers.
  virtual Status Maintain() { return Status::Ok(); }
};

}  // namespace leadq::store
