// The lead lifecycle and qualification frameworks: stages, the table of allowed transitions,
// framework answers with expiry, gates, and the automatic decisions of a rescore.
//
// Pure: no I/O, no clock (every function that depends on time takes `as_of`). The store keeps
// the log; the service applies what these functions decide.
//
// Example:
//   GateCheck gate = CheckGate(model, Stage::kAccepted, Stage::kSql, answers, as_of);
//   if (!gate.ok) return Status::FailedPrecondition(gate.message);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/model.h"

namespace leadq::engine {

enum class Stage {
  kNew,
  kMql,
  kAccepted,
  kSql,
  kOpportunity,
  kWon,
  kLost,
  kNurture,
  kDisqualified,
  kRecycled,
};
inline constexpr int kStageCount = 10;

std::string_view StageName(Stage stage);              // "mql"
std::optional<Stage> ParseStage(std::string_view s);  // trimmed, any case
// Stages that sales owns (accepted and later): a rescore never moves them.
bool IsSalesOwned(Stage stage);

// Who moves a lead.
enum class Mover { kPerson, kRule };

// One allowed transition of the table, with what it needs.
struct AllowedTransition {
  Stage from;
  Stage to;
  bool by_person = true;
  bool by_rule = false;
  bool needs_reason = false;  // disqualified and lost: a reason code from the model's list
  std::string_view meaning;   // "sales accepts the lead", for help and the README
};
// The whole table, in a stable order.
const std::vector<AllowedTransition>& TransitionTable();
// The entry for from -> to, or nullptr when the move is not allowed at all.
const AllowedTransition* FindTransition(Stage from, Stage to);

// Framework answers.
enum class AnswerValue { kMet, kPartial, kUnmet, kUnknown };
std::string_view AnswerValueName(AnswerValue v);
std::optional<AnswerValue> ParseAnswerValue(std::string_view s);

// An answer as the engine needs it (the store's Answer maps onto it).
struct AnswerInput {
  std::string framework;
  std::string criterion;
  AnswerValue value = AnswerValue::kUnknown;
  std::string evidence;
  TimePoint at = 0;
  std::optional<TimePoint> expires_at;
};

// A framework by key: built in (bant, meddic, champ) or declared in the model ([[framework]]);
// the model's own wins on a key clash. nullptr when unknown.
const model::Framework* FindFramework(const model::Model& model, std::string_view key);
// Every framework the model can use, built-ins first.
std::vector<const model::Framework*> Frameworks(const model::Model& model);

// The state of one framework for one lead: the latest answer of each criterion (an expired one
// counts as unknown and is listed as expired).
struct CriterionStatus {
  const model::FrameworkCriterion* criterion = nullptr;
  AnswerValue value = AnswerValue::kUnknown;
  bool expired = false;
  const AnswerInput* answer = nullptr;  // the latest answer, or nullptr
};
struct FrameworkStatus {
  const model::Framework* framework = nullptr;
  std::vector<CriterionStatus> criteria;  // in the framework's order
  int met = 0;
  std::vector<std::string> missing;  // keys of criteria not met (unknown, unmet, partial, expired)
};
FrameworkStatus EvaluateFramework(const model::Framework& framework,
                                  const std::vector<AnswerInput>& answers, TimePoint as_of);

// Whether a move may happen given the model's gates ([[lifecycle.gate]], or the default
// accepted -> sql needs BANT all met). `message` says, for a person, what is missing.
struct GateCheck {
  bool ok = true;
  std::string message;
};
GateCheck CheckGate(const model::Model& model, Stage from, Stage to,
                    const std::vector<AnswerInput>& answers, TimePoint as_of);

// Whether `reason` may be given for a move to `to` (disqualified, lost): it must be one of the
// model's reason codes (model.lifecycle.reasons, plus the reasons of [[disqualify]]).
bool IsKnownReason(const model::Model& model, std::string_view reason);

// The lifecycle facts a rescore reads and updates for one lead.
struct LifecycleFacts {
  Stage stage = Stage::kNew;
  TimePoint stage_since = 0;
  std::optional<TimePoint> recycle_until;
  std::optional<TimePoint> below_line_since;
};

// One automatic move.
struct AutoMove {
  Stage to;
  std::string reason;  // "model action mql", "recycle period ended", "intent below 30 since ..."
  std::string rule;    // "action", "recycle-return", "stale-mql", "disqualify"
};

// What a rescore does to one lead, given its fresh action (an action list name of the model, or
// "disqualified" with `disqualify_reason`) and intent. Returns the moves in order (a recycled lead
// whose period ended returns to nurture and may then move on by its action) and updates
// `facts.below_line_since`. Never moves a sales-owned lead; moves new, nurture and returned
// recycled leads by the action (an action named mql, nurture or disqualified); sends an mql back
// to nurture when its intent has stayed below model.lifecycle.stale_intent for
// model.lifecycle.stale_mql_days; disqualifies an mql when a [[disqualify]] rule holds.
std::vector<AutoMove> DecideAutomatic(const model::Model& model, LifecycleFacts& facts,
                                      std::string_view action, std::string_view disqualify_reason,
                                      double intent, TimePoint as_of);

}  // namespace leadq::engine
