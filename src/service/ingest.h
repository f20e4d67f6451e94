// Ingestion over the HTTP API (issue 7): events, leads and accounts posted one at a time or in
// batches, stored in one transaction with the leads they touch rescored at once. An event that
// makes a lead an MQL moves it, assigns it, starts its response clock and queues its webhook
// messages in the same transaction as the event itself; the report says what changed, lead by
// lead. The rescore of the touched leads is Rescore's own (ApplyScores in lifecycle_ops.h), so a
// lead scores the same whether an event or a full `leadq rescore` reached it.
//
// Rows that cannot be used (empty ids, unknown leads, field keys with no letters or digits,
// events dated more than a day after `now`) are reported with their index and not stored; the
// other rows are. Posting the same rows twice changes nothing the second time.
//
// Example:
//   ScoringCache cache;  // one per workspace, kept for the life of the server
//   store::EventRow e{.event_id = "E1", .lead_id = "L1", .type = "demo_request",
//                     .occurred_at = now, .props = {}};
//   LEADQ_TRY(IngestReport r, IngestEvents(ws, cache, {e}, now, "token:crm"));
//   std::string body = IngestReportJson(r).dump();
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/learned_model.h"
#include "core/status.h"
#include "core/time.h"
#include "model/model.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

// The active model of a workspace, loaded (TOML parsed, list files read, regular expressions
// compiled, the predictive model read), ready to bind to a few leads.
struct LoadedModel {
  int64_t version = 0;  // 0: the workspace has no model yet (then `model` is empty)
  model::Model model;
  std::optional<analytics::LearnedModel> learned;  // the model's [predictive] part, if any
};

// A loaded active model kept between requests, so that a single event does not re-read and
// re-parse the TOML and its lists. One per workspace. Thread-safe; it reloads when the active
// version read in the caller's transaction differs from the one it holds.
//
// Example:
//   ScoringCache cache;
//   LEADQ_TRY(std::shared_ptr<const LoadedModel> m, cache.Active(ws, *tx));
class ScoringCache {
 public:
  ScoringCache() = default;
  ScoringCache(const ScoringCache&) = delete;
  ScoringCache& operator=(const ScoringCache&) = delete;

  // The model active in `tx` (version 0 when none was applied). Fails when the stored version
  // no longer loads or the database fails. Thread-safe: concurrent callers share one load.
  Result<std::shared_ptr<const LoadedModel>> Active(Workspace& ws, store::Transaction& tx);

 private:
  std::mutex mutex_;
  std::shared_ptr<const LoadedModel> loaded_;  // guarded by mutex_
  std::string workspace_;                      // guarded by mutex_: whose model `loaded_` is
};

// A row that was not stored: its index in the posted list and why.
struct IngestRejection {
  size_t index = 0;
  std::string message;
};

// What one ingestion did to one touched lead.
struct LeadChange {
  std::string lead_id;
  std::optional<double> score_before;  // the stored score before; none for a new lead
  double score = 0;
  std::string action, cell;         // of the new score ("mql", "A1")
  std::string stage_from;           // the lead's stage before
  std::string stage_to;             // after its automatic moves; empty when it did not move
  std::string owner;                // new owner if assigned now; empty otherwise
  std::optional<TimePoint> due_at;  // first touch due, when assigned with a response clock
  size_t webhooks_queued = 0;       // outbox messages written (transition, assignment)
};

struct IngestReport {
  uint64_t accepted = 0;    // events: newly stored; leads, accounts: rows not rejected
  uint64_t duplicates = 0;  // events already stored (same event_id, or lead, type and time)
  uint64_t inserted = 0, updated = 0, unchanged = 0;  // leads, accounts (events: inserted)
  std::vector<IngestRejection> rejected;              // by index
  std::vector<LeadChange> changes;                    // the touched leads, by lead_id
  int64_t model_version = 0;  // the model they were scored with; 0: no model, nothing scored
};

// Events: stored (deduplicated by event_id, or lead + type + time), events of unknown leads and
// other unusable rows rejected with index and message (also an event_id the batch already gave
// to another lead), and the leads that got a new event
// rescored as of `now` with the active model in the same transaction (no active model: stored,
// not scored, model_version 0). Property keys are brought to ColumnKey form. `actor` (the
// token's name) is who posted. Fails, storing nothing, on a database error or a stored model
// that no longer loads. Thread-safe (one transaction of its own; `cache` is shared).
Result<IngestReport> IngestEvents(Workspace& ws, ScoringCache& cache,
                                  std::vector<store::EventRow> events, TimePoint now,
                                  const std::string& actor);

// Several posted lists of events (one per request) in one transaction: each list is validated,
// counted and reported on its own, as IngestEvents would, and the leads they touched are rescored
// once. A lead touched by two lists is in both reports' changes. Fails, storing nothing of any
// list, on a database error. Thread-safe. The server gathers concurrent posts into one call
// (group commit), so that they share one transaction's fixed costs.
struct EventBatch {
  std::vector<store::EventRow> events;
  std::string actor;
};
Result<std::vector<IngestReport>> IngestEventBatches(Workspace& ws, ScoringCache& cache,
                                                     std::vector<EventBatch> batches,
                                                     TimePoint now);

// Gathers concurrent posts of events into IngestEventBatches calls (group commit). A caller that
// finds no group being written writes its own list together with every list that arrived while
// the previous group was written (up to `max_events` events in one group); the others wait for
// their share of its answer. A single caller pays what IngestEvents pays; many callers at once
// share one transaction's fixed costs (the write lock, the model, the commit) instead of taking
// turns. A group that fails (a database error) fails for each of its callers. Thread-safe.
//
// Example:
//   EventCommitter events(ws, cache);
//   LEADQ_TRY(IngestReport r, events.Ingest(std::move(rows), "crm-sync", now));  // any thread
class EventCommitter {
 public:
  EventCommitter(Workspace& ws, ScoringCache& cache, size_t max_events = 20000)
      : ws_(ws), cache_(cache), max_events_(max_events) {}
  EventCommitter(const EventCommitter&) = delete;
  EventCommitter& operator=(const EventCommitter&) = delete;

  // As IngestEvents(ws, cache, events, now, actor), possibly in one transaction with other
  // callers' events (then scored as of the latest `now` of the group).
  Result<IngestReport> Ingest(std::vector<store::EventRow> events, const std::string& actor,
                              TimePoint now);

 private:
  struct Pending {
    EventBatch batch;
    TimePoint now = 0;
    std::optional<Result<IngestReport>> result;
  };
  Workspace& ws_;
  ScoringCache& cache_;
  const size_t max_events_;
  std::mutex mu_;
  std::condition_variable written_;
  std::deque<Pending*> queue_;  // guarded by mu_: callers waiting for a group
  bool writing_ = false;        // guarded by mu_: a caller is writing a group
};

// Leads: upserted (empty fields of an existing lead clear them; an empty account_id is
// "leave as it is"); a new lead starts in stage new with a first transition by `actor`, as
// `leadq import leads` does. New and changed leads are scored at once. Fails like IngestEvents.
Result<IngestReport> IngestLeads(Workspace& ws, ScoringCache& cache,
                                 std::vector<store::LeadRow> leads, TimePoint now,
                                 const std::string& actor);

// Accounts: upserted; the leads of new and changed accounts are rescored (a fit rule may read
// account fields). Fails like IngestEvents.
Result<IngestReport> IngestAccounts(Workspace& ws, ScoringCache& cache,
                                    std::vector<store::AccountRow> accounts, TimePoint now,
                                    const std::string& actor);

// The report as the API answers it: {"accepted","duplicates","inserted","updated","unchanged",
// "model_version","rejected":[{"index","message"}],"changes":[{"lead_id","score_before","score",
// "action","cell","stage_from","stage_to","owner","due_at","webhooks_queued"}]}; score_before,
// stage_to, owner and due_at are null when empty. Thread-safe.
nlohmann::ordered_json IngestReportJson(const IngestReport& report);

}  // namespace leadq::service
