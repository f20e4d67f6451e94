// The lead lifecycle (lifecycle.h): the transition table, framework evaluation, gates and the
// automatic moves of a rescore.

#include "engine/lifecycle.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <utility>

#include "core/text.h"

namespace leadq::engine {
namespace {

using model::kStageNames;
static_assert(kStageNames.size() == kStageCount, "engine::Stage and model::kStageNames differ");

int IndexOf(Stage stage) { return static_cast<int>(stage); }

// One row of the table. by_person is true for every row: a person may make every move a rule
// may make (and more).
AllowedTransition Move(Stage from, Stage to, bool by_rule, std::string_view meaning) {
  bool needs_reason = to == Stage::kDisqualified || to == Stage::kLost;
  return AllowedTransition{from, to, /*by_person=*/true, by_rule, needs_reason, meaning};
}

constexpr bool kRule = true;
constexpr bool kPersonOnly = false;

std::vector<AllowedTransition> BuildTable() {
  using S = Stage;
  return {
      Move(S::kNew, S::kMql, kRule, "the lead reaches the model's line for marketing-qualified"),
      Move(S::kNew, S::kNurture, kRule, "the lead is not ready: marketing keeps warming it"),
      Move(S::kNew, S::kDisqualified, kRule, "the lead cannot or should not buy"),
      Move(S::kNew, S::kAccepted, kPersonOnly, "sales takes the lead directly"),
      Move(S::kMql, S::kAccepted, kPersonOnly, "sales accepts the lead"),
      Move(S::kMql, S::kNurture, kRule, "the lead's intent faded: back to marketing"),
      Move(S::kMql, S::kDisqualified, kRule, "the lead cannot or should not buy"),
      Move(S::kMql, S::kRecycled, kRule,
           "not now, or the cadence ended with no reply: try again after the recycle period"),
      Move(S::kAccepted, S::kSql, kPersonOnly, "sales qualifies the lead (its gate must pass)"),
      Move(S::kAccepted, S::kNurture, kPersonOnly, "sales rejects the lead back to marketing"),
      Move(S::kAccepted, S::kDisqualified, kPersonOnly, "sales finds the lead cannot buy"),
      Move(S::kAccepted, S::kRecycled, kRule,
           "not now, or the cadence ended with no reply: try again after the recycle period"),
      Move(S::kSql, S::kOpportunity, kPersonOnly, "a deal is opened"),
      Move(S::kSql, S::kDisqualified, kPersonOnly, "sales finds the lead cannot buy"),
      Move(S::kSql, S::kLost, kPersonOnly, "the buyer went elsewhere before a deal was opened"),
      Move(S::kSql, S::kRecycled, kPersonOnly, "not now: try again after the recycle period"),
      Move(S::kSql, S::kNurture, kPersonOnly, "sales hands the lead back to marketing"),
      Move(S::kOpportunity, S::kWon, kPersonOnly, "the deal is won"),
      Move(S::kOpportunity, S::kLost, kPersonOnly, "the deal is lost"),
      Move(S::kLost, S::kRecycled, kPersonOnly, "try again after the recycle period"),
      Move(S::kNurture, S::kMql, kRule,
           "the lead reaches the model's line for marketing-qualified"),
      Move(S::kNurture, S::kDisqualified, kRule, "the lead cannot or should not buy"),
      Move(S::kNurture, S::kRecycled, kPersonOnly, "not now: try again after the recycle period"),
      Move(S::kDisqualified, S::kRecycled, kPersonOnly, "try again after the recycle period"),
      Move(S::kDisqualified, S::kNurture, kPersonOnly, "reopened: the reason no longer holds"),
      Move(S::kRecycled, S::kNurture, kRule, "the recycle period is over: back to marketing"),
  };
}

// The table indexed by (from, to) for FindTransition.
using TransitionIndex = std::array<const AllowedTransition*, kStageCount * kStageCount>;

TransitionIndex BuildIndex(const std::vector<AllowedTransition>& table) {
  TransitionIndex index{};
  for (const AllowedTransition& row : table) {
    index[IndexOf(row.from) * kStageCount + IndexOf(row.to)] = &row;
  }
  return index;
}

bool IsMetNow(const CriterionStatus& status) {
  return status.value == AnswerValue::kMet && !status.expired;
}

// "authority (unknown)", "timing (expired on 2026-02-01)".
std::string DescribeMissing(const CriterionStatus& status) {
  std::string out = status.criterion->key + " (";
  if (status.expired) {
    out += "expired on " + FormatDate(*status.answer->expires_at);
  } else {
    out += AnswerValueName(status.value);
  }
  return out + ")";
}

std::string JoinMissing(const std::vector<const CriterionStatus*>& missing) {
  std::string out;
  for (const CriterionStatus* status : missing) {
    if (!out.empty()) out += ", ";
    out += DescribeMissing(*status);
  }
  return out;
}

std::string FrameworkLabel(const model::Framework& framework) {
  return framework.name.empty() ? framework.key : framework.name;
}

// Whether `status` passes `gate`; when it does not, appends what is missing to `message`.
bool GatePasses(const model::Gate& gate, const FrameworkStatus& status, std::string& message) {
  const model::Framework& framework = *status.framework;
  int total = static_cast<int>(status.criteria.size());
  std::vector<const CriterionStatus*> missing;
  std::string summary;
  if (gate.require == model::Gate::Require::kNamed) {
    int met = 0;
    std::string named;
    std::string unknown;  // named criteria the framework lacks (LoadModel refuses them)
    for (const std::string& key : gate.criteria) {
      named += (named.empty() ? "" : ", ") + key;
      auto it = std::find_if(status.criteria.begin(), status.criteria.end(),
                             [&](const CriterionStatus& c) { return c.criterion->key == key; });
      if (it == status.criteria.end()) {
        unknown += (unknown.empty() ? "" : ", ") + key + " (not a criterion of " +
                   FrameworkLabel(framework) + ")";
      } else if (IsMetNow(*it)) {
        ++met;
      } else {
        missing.push_back(&*it);
      }
    }
    summary = FrameworkLabel(framework) + " " + std::to_string(met) + " of " +
              std::to_string(gate.criteria.size()) + " required met (" + named + ")";
    if (!unknown.empty()) {
      if (!message.empty()) message += "; and ";
      message += summary + "; missing: " + unknown;
      if (!missing.empty()) message += ", " + JoinMissing(missing);
      return false;
    }
  } else {
    for (const CriterionStatus& criterion : status.criteria) {
      if (!IsMetNow(criterion)) missing.push_back(&criterion);
    }
    summary = FrameworkLabel(framework) + " " + std::to_string(status.met) + " of " +
              std::to_string(total) + " met";
    if (gate.require == model::Gate::Require::kAtLeast) {
      if (status.met >= gate.at_least) return true;
      summary += ", at least " + std::to_string(gate.at_least) + " needed";
    }
  }
  if (missing.empty()) return true;
  if (!message.empty()) message += "; and ";
  message += summary + "; missing: " + JoinMissing(missing);
  return false;
}

// Whether a gate written in the model guards from -> to.
bool GateApplies(const model::Gate& gate, Stage from, Stage to) {
  if (ParseStage(gate.to) != to) return false;
  return gate.from.empty() || ParseStage(gate.from) == from;
}

AutoMove ActionMove(Stage to, std::string_view action) {
  return AutoMove{to, "model action " + std::string(action), "action"};
}

// When a recycled lead returns: its recorded return date, or (when none was recorded) the
// model's recycle period counted from when it was recycled.
TimePoint RecycleReturn(const model::Model& model, const LifecycleFacts& facts) {
  if (facts.recycle_until) return *facts.recycle_until;
  double days = model.lifecycle.recycle_days * static_cast<double>(kMicrosPerDay);
  return facts.stage_since + static_cast<TimePoint>(days);
}

// The moves of a new or nurture lead by its action.
std::optional<AutoMove> MoveByAction(Stage stage, std::string_view action,
                                     std::string_view disqualify_reason) {
  if (IEquals(action, "mql")) return ActionMove(Stage::kMql, action);
  if (IEquals(action, "nurture") && stage == Stage::kNew) {
    return ActionMove(Stage::kNurture, action);
  }
  if (IEquals(action, "disqualified")) {
    return AutoMove{Stage::kDisqualified, std::string(disqualify_reason), "disqualify"};
  }
  return std::nullopt;
}

// An mql whose intent has stayed below the line long enough goes back to nurture. Keeps
// facts.below_line_since: set when intent first drops below the line, cleared when it recovers.
std::optional<AutoMove> CheckStaleMql(const model::LifecycleSection& lifecycle,
                                      LifecycleFacts& facts, double intent, TimePoint as_of) {
  if (lifecycle.stale_mql_days <= 0 || intent >= lifecycle.stale_intent) {
    facts.below_line_since.reset();
    return std::nullopt;
  }
  if (!facts.below_line_since) facts.below_line_since = as_of;
  TimePoint since = *facts.below_line_since;
  double needed = lifecycle.stale_mql_days * static_cast<double>(kMicrosPerDay);
  if (static_cast<double>(as_of - since) < needed) return std::nullopt;
  facts.below_line_since.reset();
  return AutoMove{Stage::kNurture,
                  "intent " + FormatFixed2(intent) + " below " +
                      FormatFixed2(lifecycle.stale_intent) + " since " + FormatDate(since),
                  "stale-mql"};
}

}  // namespace

std::string_view StageName(Stage stage) { return kStageNames[IndexOf(stage)]; }

std::optional<Stage> ParseStage(std::string_view s) {
  std::string_view trimmed = Trim(s);
  for (int i = 0; i < kStageCount; ++i) {
    if (IEquals(trimmed, kStageNames[i])) return static_cast<Stage>(i);
  }
  return std::nullopt;
}

bool IsSalesOwned(Stage stage) {
  switch (stage) {
    case Stage::kAccepted:
    case Stage::kSql:
    case Stage::kOpportunity:
    case Stage::kWon:
    case Stage::kLost:
      return true;
    case Stage::kNew:
    case Stage::kMql:
    case Stage::kNurture:
    case Stage::kDisqualified:
    case Stage::kRecycled:
      return false;
  }
  return false;
}

const std::vector<AllowedTransition>& TransitionTable() {
  static const std::vector<AllowedTransition> kTable = BuildTable();
  return kTable;
}

const AllowedTransition* FindTransition(Stage from, Stage to) {
  static const TransitionIndex kIndex = BuildIndex(TransitionTable());
  return kIndex[IndexOf(from) * kStageCount + IndexOf(to)];
}

std::string_view AnswerValueName(AnswerValue v) {
  switch (v) {
    case AnswerValue::kMet:
      return "met";
    case AnswerValue::kPartial:
      return "partial";
    case AnswerValue::kUnmet:
      return "unmet";
    case AnswerValue::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<AnswerValue> ParseAnswerValue(std::string_view s) {
  std::string_view trimmed = Trim(s);
  for (AnswerValue v :
       {AnswerValue::kMet, AnswerValue::kPartial, AnswerValue::kUnmet, AnswerValue::kUnknown}) {
    if (IEquals(trimmed, AnswerValueName(v))) return v;
  }
  return std::nullopt;
}

const model::Framework* FindFramework(const model::Model& model, std::string_view key) {
  std::string_view trimmed = Trim(key);
  for (const model::Framework& framework : model.frameworks) {
    if (IEquals(framework.key, trimmed)) return &framework;
  }
  for (const model::Framework& framework : model::BuiltinFrameworks()) {
    if (IEquals(framework.key, trimmed)) return &framework;
  }
  return nullptr;
}

std::vector<const model::Framework*> Frameworks(const model::Model& model) {
  std::vector<const model::Framework*> out;
  // Built-ins first, each replaced in place by the model's own of the same key.
  for (const model::Framework& builtin : model::BuiltinFrameworks()) {
    out.push_back(FindFramework(model, builtin.key));
  }
  for (const model::Framework& own : model.frameworks) {
    if (FindFramework(model, own.key) == &own &&
        std::find(out.begin(), out.end(), &own) == out.end()) {
      out.push_back(&own);
    }
  }
  return out;
}

FrameworkStatus EvaluateFramework(const model::Framework& framework,
                                  const std::vector<AnswerInput>& answers, TimePoint as_of) {
  FrameworkStatus status;
  status.framework = &framework;
  status.criteria.reserve(framework.criteria.size());
  for (const model::FrameworkCriterion& criterion : framework.criteria) {
    CriterionStatus entry;
    entry.criterion = &criterion;
    for (const AnswerInput& answer : answers) {
      if (!IEquals(answer.framework, framework.key) || !IEquals(answer.criterion, criterion.key)) {
        continue;
      }
      // Ties on `at` go to the answer given later in the vector.
      if (entry.answer == nullptr || answer.at >= entry.answer->at) entry.answer = &answer;
    }
    if (entry.answer != nullptr) {
      entry.expired = entry.answer->expires_at && *entry.answer->expires_at <= as_of;
      entry.value = entry.expired ? AnswerValue::kUnknown : entry.answer->value;
    }
    if (entry.value == AnswerValue::kMet) {
      ++status.met;
    } else {
      status.missing.push_back(criterion.key);
    }
    status.criteria.push_back(entry);
  }
  return status;
}

GateCheck CheckGate(const model::Model& model, Stage from, Stage to,
                    const std::vector<AnswerInput>& answers, TimePoint as_of) {
  GateCheck check;
  auto apply = [&](const model::Gate& gate) {
    const model::Framework* framework = FindFramework(model, gate.framework);
    if (framework == nullptr) {
      // LoadModel refuses such a gate; a hand-built model may still hold one.
      check.ok = false;
      if (!check.message.empty()) check.message += "; and ";
      check.message += "the gate names unknown framework \"" + gate.framework + "\"";
      return;
    }
    FrameworkStatus status = EvaluateFramework(*framework, answers, as_of);
    if (!GatePasses(gate, status, check.message)) check.ok = false;
  };
  const model::LifecycleSection& lifecycle = model.lifecycle;
  if (!lifecycle.gates.empty()) {
    for (const model::Gate& gate : lifecycle.gates) {
      if (GateApplies(gate, from, to)) apply(gate);
    }
  } else if (lifecycle.default_gates && from == Stage::kAccepted && to == Stage::kSql) {
    model::Gate bant;
    bant.to = "sql";
    bant.from = "accepted";
    bant.framework = "bant";
    bant.require = model::Gate::Require::kAll;
    apply(bant);
  }
  return check;
}

bool IsKnownReason(const model::Model& model, std::string_view reason) {
  if (reason.empty()) return false;
  for (const std::string& code : model.lifecycle.reasons) {
    if (code == reason) return true;
  }
  for (const model::DisqualifyRule& rule : model.disqualify) {
    if (rule.reason == reason) return true;
  }
  return false;
}

std::vector<AutoMove> DecideAutomatic(const model::Model& model, LifecycleFacts& facts,
                                      std::string_view action, std::string_view disqualify_reason,
                                      double intent, TimePoint as_of) {
  std::vector<AutoMove> moves;
  Stage stage = facts.stage;
  if (stage == Stage::kRecycled) {
    TimePoint until = RecycleReturn(model, facts);
    if (until > as_of) {
      facts.below_line_since.reset();
      return moves;
    }
    moves.push_back(AutoMove{Stage::kNurture, "recycle period ended on " + FormatDate(until),
                             "recycle-return"});
    stage = Stage::kNurture;
  }
  if (stage == Stage::kNew || stage == Stage::kNurture) {
    if (std::optional<AutoMove> move = MoveByAction(stage, action, disqualify_reason)) {
      stage = move->to;
      moves.push_back(std::move(*move));
    }
    // A lead that has just become an mql starts its stale clock now; it cannot go stale in the
    // same rescore because stale_mql_days > 0.
    if (stage == Stage::kMql) {
      (void)CheckStaleMql(model.lifecycle, facts, intent, as_of);
    } else {
      facts.below_line_since.reset();
    }
    return moves;
  }
  if (stage == Stage::kMql) {
    if (IEquals(action, "disqualified")) {
      facts.below_line_since.reset();
      moves.push_back(AutoMove{Stage::kDisqualified, std::string(disqualify_reason), "disqualify"});
      return moves;
    }
    if (std::optional<AutoMove> move = CheckStaleMql(model.lifecycle, facts, intent, as_of)) {
      moves.push_back(std::move(*move));
    }
    return moves;
  }
  // Sales-owned, disqualified: rescoring never moves them.
  assert(IsSalesOwned(stage) || stage == Stage::kDisqualified);
  facts.below_line_since.reset();
  return moves;
}

}  // namespace leadq::engine
