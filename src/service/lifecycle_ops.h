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
