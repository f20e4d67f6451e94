// Workspace use cases of the lifecycle: rescore (scores plus automatic transitions), people's
// stage moves, framework answers, one lead's profile and lead lists. Each runs in one
// transaction: it happens whole or not at all.
//
// Example:
//   LEADQ_TRY(RescoreReport r, Rescore(ws, as_of, progress));
//   LEADQ_TRY(store::Transition t, MoveStage(ws, {.lead_id = "L1", .to = "accepted", .by =
//   "ana"}));
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/row_issues.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/lifecycle.h"
#include "service/progress.h"
#include "service/scoring.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::analytics {
struct LearnedModel;
}

namespace leadq::service {

// The workspace's leads, accounts and events bound to its active model, as a Workset, and the
// active model's version. With `only_lead`, just that lead (and its account and events) is
// loaded. No active model: FailedPrecondition.
Result<std::unique_ptr<Workset>> LoadFromStore(Workspace& ws, store::Transaction& tx,
                                               TimePoint as_of, int64_t& model_version,
                                               const std::string& only_lead = "");

// The workspace's leads, accounts and events bound to `model` (any model: the active one, or a
// proposed one for a backtest). With `only_lead`, just that lead.
Result<std::unique_ptr<Workset>> BindStoreData(store::Transaction& tx, model::Model model,
                                               TimePoint as_of, const std::string& only_lead = "");

// The listed leads, each with its account and its events, bound to `model` (its predictive part,
// when it has one, already loaded as `learned`; nullptr: none). Unknown ids and repeats are
// skipped; the data rows come in no promised order (find a lead with data.leads.index). A few
// leads are read through the primary keys (an ingested event's lead); when they are an eighth of
// the workspace or more, the tables are scanned instead. Fails on a database error.
Result<std::unique_ptr<Workset>> BindStoreLeads(store::Transaction& tx, model::Model model,
                                                const analytics::LearnedModel* learned,
                                                TimePoint as_of,
                                                std::span<const std::string> lead_ids);

// Stored answers as the engine reads them.
std::vector<engine::AnswerInput> ToInputs(const std::vector<store::Answer>& answers);

// The active model, or an empty one (built-in frameworks and default gates only) when none was
// applied yet.
Result<model::Model> ModelOrDefault(Workspace& ws, store::Transaction& tx);

// A framework's state in words: "BANT 2 of 4 met" and a line per criterion.
std::string FrameworkText(const engine::FrameworkStatus& st);

// The stored form of a lead's score.
store::ScoreRecord RecordOf(const Workset& work, int64_t version, uint32_t row,
                            const engine::LeadScore& s);

struct RescoreReport {
  int64_t model_version = 0;
  uint64_t leads = 0;
  uint64_t events = 0;
  std::map<std::string, uint64_t> by_action;
  std::map<std::string, uint64_t> moves;  // "new -> mql": count
  uint64_t transitions = 0;
  std::map<std::string, uint64_t> assigned;  // new mqls given to each owner
  uint64_t waiting = 0;                      // new mqls nobody could take
  RowIssues issues;
};

// Scores every lead with the active model as of `as_of`, stores the scores and applies the
// automatic transitions (stamped `as_of`, actor "rule:<rule>", with the model version).
Result<RescoreReport> Rescore(Workspace& ws, TimePoint as_of, Progress& progress);

// What ApplyScores did to one lead that moved or was given an owner.
struct LeadEffect {
  uint32_t row = 0;                 // the lead's row in the Workset's data
  std::string stage_from;           // its stage before the moves
  std::string stage_to;             // its stage after them; empty when it did not move
  std::string owner;                // the owner it was assigned now; empty when none
  std::optional<TimePoint> due_at;  // first touch due, when assigned with a response clock
  size_t webhooks_queued = 0;       // outbox messages written for it (transition, assignment)
};

struct AppliedScores {
  std::vector<store::ScoreRecord> records;  // one per data row, as written
  std::vector<LeadEffect> effects;          // the leads that moved or were assigned, in `states`
                                            // order
};

// The part of a rescore that follows the scoring, shared by Rescore (every lead) and the ingest
// use cases (the leads an event or an upsert touched): writes the score of every data row of
// `work` (`run` holds one per row), applies the automatic transitions (stamped `work.as_of`,
// actor "rule:<rule>") to the leads of `states` that are in `work` (others are skipped), queues
// their transition webhook messages, closes the handoffs the moves end and assigns the leads
// that entered mql (response clock, cadence, assignment webhook). Counts moves, transitions,
// assignments and waiting mqls into `report`. Fails on a database error, having written part of
// it: the caller drops the transaction. Not thread-safe (one transaction).
Result<AppliedScores> ApplyScores(store::Transaction& tx, const Workset& work,
                                  const engine::ScoreRun& run, int64_t model_version,
                                  std::vector<store::LeadState> states, RescoreReport& report);

struct StageRequest {
  std::string lead_id;
  std::string to;
  std::string by;
  std::string reason;
  std::string note;
  std::optional<TimePoint> until;  // recycled: the return date (default: recycle_days)
  TimePoint at = 0;
};

// A person's move. Refused, changing nothing, when the lead or stage is unknown, the move is not
// in the transition table, a needed reason code is missing or unknown, or a gate is not met.
Result<store::Transition> MoveStage(Workspace& ws, const StageRequest& request);

struct QualifyRequest {
  std::string lead_id;
  std::string framework;
  std::vector<std::pair<std::string, std::string>> answers;  // criterion, value
  std::string evidence;
  std::string source;
  std::string by;
  TimePoint at = 0;
  std::optional<TimePoint> expires_at;
};

// Records answers; returns the framework's state afterwards, in words.
Result<std::string> Qualify(Workspace& ws, const QualifyRequest& request);

// One lead's profile in one screen: fields, scores with the explanation (as of `as_of`, with the
// active model), stage and history, framework answers with what is missing or expired.
Result<std::string> ShowLead(Workspace& ws, const std::string& lead_id, TimePoint as_of);

// The workspace at a glance: counts, the active model, leads by stage.
Result<std::string> WorkspaceStatus(Workspace& ws);

enum class ListFormat { kTable, kCsv, kJson };
Result<std::string> ListLeads(Workspace& ws, const store::LeadQuery& query, ListFormat format);

}  // namespace leadq::service
