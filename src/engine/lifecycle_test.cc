// The lifecycle's rules: the transition table, framework answers, gates, reasons and the
// automatic moves of a rescore.
#include "engine/lifecycle.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/time.h"

namespace leadq::engine {
namespace {

TimePoint At(std::string_view text) {
  std::optional<TimePoint> t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

model::Model Parse(std::string_view toml) {
  Result<model::Model> result = model::ParseModel(toml, "m.toml");
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? std::move(result).value() : model::Model{};
}

constexpr std::array kAllStages = {
    Stage::kNew, Stage::kMql,  Stage::kAccepted, Stage::kSql,          Stage::kOpportunity,
    Stage::kWon, Stage::kLost, Stage::kNurture,  Stage::kDisqualified, Stage::kRecycled};

// ---------------------------------------------------------------------------------------------
// Stages and the table

TEST(Stage, NamesRoundTrip) {
  ASSERT_EQ(kAllStages.size(), static_cast<size_t>(kStageCount));
  std::vector<std::string> names;
  for (Stage stage : kAllStages) {
    names.emplace_back(StageName(stage));
    EXPECT_EQ(ParseStage(StageName(stage)), stage);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"new", "mql", "accepted", "sql", "opportunity", "won",
                                             "lost", "nurture", "disqualified", "recycled"}));
  EXPECT_EQ(ParseStage(" MQL "), Stage::kMql);
  EXPECT_EQ(ParseStage("Disqualified"), Stage::kDisqualified);
  EXPECT_EQ(ParseStage("sqll"), std::nullopt);
  EXPECT_EQ(ParseStage(""), std::nullopt);
}

TEST(Stage, SalesOwnsAcceptedAndLater) {
  std::vector<Stage> owned;
  for (Stage stage : kAllStages) {
    if (IsSalesOwned(stage)) owned.push_back(stage);
  }
  EXPECT_EQ(owned, (std::vector<Stage>{Stage::kAccepted, Stage::kSql, Stage::kOpportunity,
                                       Stage::kWon, Stage::kLost}));
}

// The table of the issue, written out again: who may make each move.
struct ExpectedMove {
  Stage from;
  Stage to;
  bool by_rule;
};

constexpr bool kRule = true;
constexpr bool kPerson = false;  // a person only

const std::vector<ExpectedMove>& ExpectedTable() {
  using S = Stage;
  static const std::vector<ExpectedMove> kTable = {
      {S::kNew, S::kMql, kRule},
      {S::kNew, S::kNurture, kRule},
      {S::kNew, S::kDisqualified, kRule},
      {S::kNew, S::kAccepted, kPerson},
      {S::kMql, S::kAccepted, kPerson},
      {S::kMql, S::kNurture, kRule},
      {S::kMql, S::kDisqualified, kRule},
      {S::kMql, S::kRecycled, kRule},  // or the cadence ends with no reply (tick),
      {S::kAccepted, S::kSql, kPerson},
      {S::kAccepted, S::kNurture, kPerson},
      {S::kAccepted, S::kDisqualified, kPerson},
      {S::kAccepted, S::kRecycled, kRule},  // or the cadence ends with no reply (tick),
      {S::kSql, S::kOpportunity, kPerson},
      {S::kSql, S::kDisqualified, kPerson},
      {S::kSql, S::kLost, kPerson},
      {S::kSql, S::kRecycled, kPerson},
      {S::kSql, S::kNurture, kPerson},
      {S::kOpportunity, S::kWon, kPerson},
      {S::kOpportunity, S::kLost, kPerson},
      {S::kLost, S::kRecycled, kPerson},
      {S::kNurture, S::kMql, kRule},
      {S::kNurture, S::kDisqualified, kRule},
      {S::kNurture, S::kRecycled, kPerson},
      {S::kDisqualified, S::kRecycled, kPerson},
      {S::kDisqualified, S::kNurture, kPerson},
      {S::kRecycled, S::kNurture, kRule},
  };
  return kTable;
}

const ExpectedMove* FindExpected(Stage from, Stage to) {
  for (const ExpectedMove& move : ExpectedTable()) {
    if (move.from == from && move.to == to) return &move;
  }
  return nullptr;
}

TEST(Transitions, EveryPairMatchesTheTable) {
  int allowed = 0;
  for (Stage from : kAllStages) {
    for (Stage to : kAllStages) {
      SCOPED_TRACE(std::string(StageName(from)) + " -> " + std::string(StageName(to)));
      const ExpectedMove* expected = FindExpected(from, to);
      const AllowedTransition* actual = FindTransition(from, to);
      if (expected == nullptr) {
        EXPECT_EQ(actual, nullptr);
        continue;
      }
      ++allowed;
      ASSERT_NE(actual, nullptr);
      EXPECT_EQ(actual->from, from);
      EXPECT_EQ(actual->to, to);
      EXPECT_TRUE(actual->by_person);
      EXPECT_EQ(actual->by_rule, expected->by_rule);
      EXPECT_EQ(actual->needs_reason, to == Stage::kDisqualified || to == Stage::kLost);
      EXPECT_FALSE(actual->meaning.empty());
    }
  }
  EXPECT_EQ(allowed, 26);
  EXPECT_EQ(TransitionTable().size(), ExpectedTable().size());
}

TEST(Transitions, TableIsInTheOrderOfTheIssue) {
  ASSERT_EQ(TransitionTable().size(), ExpectedTable().size());
  for (size_t i = 0; i < ExpectedTable().size(); ++i) {
    EXPECT_EQ(TransitionTable()[i].from, ExpectedTable()[i].from) << i;
    EXPECT_EQ(TransitionTable()[i].to, ExpectedTable()[i].to) << i;
  }
}

TEST(Transitions, ForbiddenExamples) {
  EXPECT_EQ(FindTransition(Stage::kNew, Stage::kSql), nullptr);  // skipping acceptance
  EXPECT_EQ(FindTransition(Stage::kMql, Stage::kNew), nullptr);  // nothing goes back to new
  EXPECT_EQ(FindTransition(Stage::kOpportunity, Stage::kNurture), nullptr);
  EXPECT_EQ(FindTransition(Stage::kRecycled, Stage::kMql), nullptr);  // via nurture only
  EXPECT_EQ(FindTransition(Stage::kLost, Stage::kWon), nullptr);
  EXPECT_EQ(FindTransition(Stage::kSql, Stage::kSql), nullptr);
  for (Stage to : kAllStages) EXPECT_EQ(FindTransition(Stage::kWon, to), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Answers and frameworks

TEST(AnswerValue, NamesRoundTrip) {
  for (AnswerValue v :
       {AnswerValue::kMet, AnswerValue::kPartial, AnswerValue::kUnmet, AnswerValue::kUnknown}) {
    EXPECT_EQ(ParseAnswerValue(AnswerValueName(v)), v);
  }
  EXPECT_EQ(AnswerValueName(AnswerValue::kPartial), "partial");
  EXPECT_EQ(ParseAnswerValue(" MET "), AnswerValue::kMet);
  EXPECT_EQ(ParseAnswerValue("yes"), std::nullopt);
}

std::vector<std::string> CriterionKeys(const model::Framework& framework) {
  std::vector<std::string> keys;
  for (const model::FrameworkCriterion& c : framework.criteria) keys.push_back(c.key);
  return keys;
}

TEST(Frameworks, BuiltIns) {
  model::Model m;
  const model::Framework* bant = FindFramework(m, "bant");
  ASSERT_NE(bant, nullptr);
  EXPECT_EQ(bant->name, "BANT");
  EXPECT_EQ(CriterionKeys(*bant),
            (std::vector<std::string>{"budget", "authority", "need", "timing"}));
  const model::Framework* meddic = FindFramework(m, " MEDDIC ");
  ASSERT_NE(meddic, nullptr);
  EXPECT_EQ(CriterionKeys(*meddic),
            (std::vector<std::string>{"metrics", "economic_buyer", "decision_criteria",
                                      "decision_process", "identify_pain", "champion"}));
  const model::Framework* champ = FindFramework(m, "champ");
  ASSERT_NE(champ, nullptr);
  EXPECT_EQ(CriterionKeys(*champ),
            (std::vector<std::string>{"challenges", "authority", "money", "prioritization"}));
  EXPECT_EQ(FindFramework(m, "spiced"), nullptr);

  std::vector<const model::Framework*> all = Frameworks(m);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], bant);
  EXPECT_EQ(all[1], meddic);
  EXPECT_EQ(all[2], champ);
  for (const model::Framework* framework : all) {
    EXPECT_FALSE(framework->description.empty()) << framework->key;
    EXPECT_EQ(framework->pos.line, 0);
    for (const model::FrameworkCriterion& c : framework->criteria) {
      EXPECT_FALSE(c.name.empty()) << c.key;
      EXPECT_TRUE(c.description.ends_with(".")) << c.key;
    }
  }
}

constexpr std::string_view kSpicedAndOwnBant = R"toml(
[[framework]]
key = "spiced"
name = "SPICED"
[[framework.criterion]]
key = "situation"
name = "Situation"
[[framework.criterion]]
key = "pain"
name = "Pain"
[[framework]]
key = "bant"
name = "Our BANT"
[[framework.criterion]]
key = "budget"
name = "Budget"
)toml";

TEST(Frameworks, TheModelsOwnWinAndComeAfterTheBuiltIns) {
  model::Model m = Parse(kSpicedAndOwnBant);
  ASSERT_EQ(m.frameworks.size(), 2u);
  const model::Framework* bant = FindFramework(m, "bant");
  EXPECT_EQ(bant, &m.frameworks[1]);
  std::vector<std::string> keys;
  std::vector<std::string> names;
  for (const model::Framework* framework : Frameworks(m)) {
    keys.push_back(framework->key);
    names.push_back(framework->name);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"bant", "meddic", "champ", "spiced"}));
  EXPECT_EQ(names, (std::vector<std::string>{"Our BANT", "MEDDIC", "CHAMP", "SPICED"}));
}

AnswerInput Answer(std::string_view criterion, AnswerValue value, std::string_view at,
                   std::optional<std::string_view> expires = std::nullopt,
                   std::string_view framework = "bant") {
  AnswerInput answer;
  answer.framework = std::string(framework);
  answer.criterion = std::string(criterion);
  answer.value = value;
  answer.evidence = "evidence for " + std::string(criterion);
  answer.at = At(at);
  if (expires) answer.expires_at = At(*expires);
  return answer;
}

const model::Framework& Bant() { return *FindFramework(model::Model{}, "bant"); }

TEST(EvaluateFramework, NoAnswersIsAllUnknown) {
  FrameworkStatus status = EvaluateFramework(Bant(), {}, At("2026-03-01"));
  EXPECT_EQ(status.framework, &Bant());
  EXPECT_EQ(status.met, 0);
  ASSERT_EQ(status.criteria.size(), 4u);
  for (const CriterionStatus& c : status.criteria) {
    EXPECT_EQ(c.value, AnswerValue::kUnknown);
    EXPECT_FALSE(c.expired);
    EXPECT_EQ(c.answer, nullptr);
  }
  EXPECT_EQ(status.criteria[2].criterion->key, "need");
  EXPECT_EQ(status.missing, (std::vector<std::string>{"budget", "authority", "need", "timing"}));
}

TEST(EvaluateFramework, LatestAnswerByTimeWins) {
  std::vector<AnswerInput> answers = {
      Answer("budget", AnswerValue::kUnmet, "2026-02-10"),  // latest, although first
      Answer("budget", AnswerValue::kMet, "2026-02-01"),
      Answer("need", AnswerValue::kUnmet, "2026-02-01"),
      Answer("need", AnswerValue::kMet, "2026-02-05"),
  };
  FrameworkStatus status = EvaluateFramework(Bant(), answers, At("2026-03-01"));
  EXPECT_EQ(status.criteria[0].value, AnswerValue::kUnmet);
  EXPECT_EQ(status.criteria[0].answer, &answers[0]);
  EXPECT_EQ(status.criteria[2].value, AnswerValue::kMet);
  EXPECT_EQ(status.criteria[2].answer, &answers[3]);
  EXPECT_EQ(status.met, 1);
  EXPECT_EQ(status.missing, (std::vector<std::string>{"budget", "authority", "timing"}));
}

TEST(EvaluateFramework, TiesGoToTheLaterAnswerInTheList) {
  std::vector<AnswerInput> answers = {
      Answer("timing", AnswerValue::kUnmet, "2026-02-01T10:00:00Z"),
      Answer("timing", AnswerValue::kMet, "2026-02-01T10:00:00Z"),
  };
  FrameworkStatus status = EvaluateFramework(Bant(), answers, At("2026-03-01"));
  EXPECT_EQ(status.criteria[3].value, AnswerValue::kMet);
  EXPECT_EQ(status.criteria[3].answer, &answers[1]);
  std::swap(answers[0], answers[1]);
  status = EvaluateFramework(Bant(), answers, At("2026-03-01"));
  EXPECT_EQ(status.criteria[3].value, AnswerValue::kUnmet);
}

TEST(EvaluateFramework, AnExpiredAnswerCountsAsUnknownFromItsExpiryOn) {
  std::vector<AnswerInput> answers = {
      Answer("budget", AnswerValue::kMet, "2026-01-01", "2026-03-01"),
  };
  FrameworkStatus before = EvaluateFramework(Bant(), answers, At("2026-02-28T23:59:59Z"));
  EXPECT_EQ(before.criteria[0].value, AnswerValue::kMet);
  EXPECT_FALSE(before.criteria[0].expired);
  EXPECT_EQ(before.met, 1);

  FrameworkStatus at_expiry = EvaluateFramework(Bant(), answers, At("2026-03-01"));
  EXPECT_EQ(at_expiry.criteria[0].value, AnswerValue::kUnknown);
  EXPECT_TRUE(at_expiry.criteria[0].expired);
  EXPECT_EQ(at_expiry.criteria[0].answer, &answers[0]);
  EXPECT_EQ(at_expiry.met, 0);
  EXPECT_EQ(at_expiry.missing.front(), "budget");
}

TEST(EvaluateFramework, OnlyMetCountsAndOtherFrameworksAreIgnored) {
  std::vector<AnswerInput> answers = {
      Answer("budget", AnswerValue::kPartial, "2026-02-01"),
      Answer("authority", AnswerValue::kMet, "2026-02-01", std::nullopt, "champ"),
      Answer("need", AnswerValue::kMet, "2026-02-01", std::nullopt, "BANT"),
      Answer("timing", AnswerValue::kUnknown, "2026-02-01"),
  };
  FrameworkStatus status = EvaluateFramework(Bant(), answers, At("2026-03-01"));
  EXPECT_EQ(status.criteria[0].value, AnswerValue::kPartial);
  EXPECT_EQ(status.criteria[1].answer, nullptr);
  EXPECT_EQ(status.criteria[2].value, AnswerValue::kMet);
  EXPECT_EQ(status.met, 1);
  EXPECT_EQ(status.missing, (std::vector<std::string>{"budget", "authority", "timing"}));
}

// ---------------------------------------------------------------------------------------------
// Gates

std::vector<AnswerInput> AllBantMet() {
  return {Answer("budget", AnswerValue::kMet, "2026-02-01"),
          Answer("authority", AnswerValue::kMet, "2026-02-01"),
          Answer("need", AnswerValue::kMet, "2026-02-01"),
          Answer("timing", AnswerValue::kMet, "2026-02-01")};
}

TEST(CheckGate, DefaultGateIsBantAllMetFromAcceptedToSql) {
  model::Model m;
  TimePoint as_of = At("2026-03-01");
  GateCheck none = CheckGate(m, Stage::kAccepted, Stage::kSql, {}, as_of);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.message,
            "BANT 0 of 4 met; missing: budget (unknown), authority (unknown), need (unknown), "
            "timing (unknown)");

  GateCheck all = CheckGate(m, Stage::kAccepted, Stage::kSql, AllBantMet(), as_of);
  EXPECT_TRUE(all.ok);
  EXPECT_EQ(all.message, "");

  // Other moves have no gate.
  EXPECT_TRUE(CheckGate(m, Stage::kMql, Stage::kAccepted, {}, as_of).ok);
  EXPECT_TRUE(CheckGate(m, Stage::kSql, Stage::kOpportunity, {}, as_of).ok);
  EXPECT_TRUE(CheckGate(m, Stage::kOpportunity, Stage::kWon, {}, as_of).ok);
}

TEST(CheckGate, SaysWhatIsMissingOrExpired) {
  std::vector<AnswerInput> answers = {
      Answer("budget", AnswerValue::kMet, "2026-01-10"),
      Answer("need", AnswerValue::kMet, "2026-01-10"),
      Answer("timing", AnswerValue::kMet, "2026-01-10", "2026-02-01"),
  };
  GateCheck check =
      CheckGate(model::Model{}, Stage::kAccepted, Stage::kSql, answers, At("2026-03-01"));
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message,
            "BANT 2 of 4 met; missing: authority (unknown), timing (expired on 2026-02-01)");
}

TEST(CheckGate, PartialAndUnmetDoNotPass) {
  std::vector<AnswerInput> answers = AllBantMet();
  answers.push_back(Answer("budget", AnswerValue::kPartial, "2026-02-02"));
  answers.push_back(Answer("need", AnswerValue::kUnmet, "2026-02-02"));
  GateCheck check =
      CheckGate(model::Model{}, Stage::kAccepted, Stage::kSql, answers, At("2026-03-01"));
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message, "BANT 2 of 4 met; missing: budget (partial), need (unmet)");
}

TEST(CheckGate, DefaultGatesOff) {
  model::Model m = Parse("[lifecycle]\ndefault_gates = false\n");
  EXPECT_TRUE(CheckGate(m, Stage::kAccepted, Stage::kSql, {}, At("2026-03-01")).ok);
}

TEST(CheckGate, AtLeast) {
  model::Model m = Parse(R"toml(
[[lifecycle.gate]]
to = "opportunity"
framework = "meddic"
at_least = 4
)toml");
  TimePoint as_of = At("2026-03-01");
  // The model's own gates replace the default one.
  EXPECT_TRUE(CheckGate(m, Stage::kAccepted, Stage::kSql, {}, as_of).ok);
  std::vector<AnswerInput> answers;
  for (std::string_view key : {"metrics", "economic_buyer", "champion"}) {
    answers.push_back(Answer(key, AnswerValue::kMet, "2026-02-01", std::nullopt, "meddic"));
  }
  answers.push_back(
      Answer("identify_pain", AnswerValue::kPartial, "2026-02-01", std::nullopt, "meddic"));
  GateCheck three = CheckGate(m, Stage::kSql, Stage::kOpportunity, answers, as_of);
  EXPECT_FALSE(three.ok);
  EXPECT_EQ(three.message,
            "MEDDIC 3 of 6 met, at least 4 needed; missing: decision_criteria (unknown), "
            "decision_process (unknown), identify_pain (partial)");
  answers.push_back(
      Answer("decision_process", AnswerValue::kMet, "2026-02-02", std::nullopt, "meddic"));
  EXPECT_TRUE(CheckGate(m, Stage::kSql, Stage::kOpportunity, answers, as_of).ok);
}

TEST(CheckGate, NamedCriteria) {
  model::Model m = Parse(R"toml(
[[lifecycle.gate]]
to = "sql"
framework = "bant"
criteria = ["budget", "authority"]
)toml");
  TimePoint as_of = At("2026-03-01");
  std::vector<AnswerInput> answers = {
      Answer("budget", AnswerValue::kMet, "2026-02-01"),
      Answer("authority", AnswerValue::kPartial, "2026-02-01"),
  };
  GateCheck partial = CheckGate(m, Stage::kAccepted, Stage::kSql, answers, as_of);
  EXPECT_FALSE(partial.ok);
  EXPECT_EQ(partial.message,
            "BANT 1 of 2 required met (budget, authority); missing: authority (partial)");
  answers.push_back(Answer("authority", AnswerValue::kMet, "2026-02-03"));
  // need and timing are unknown, and not required.
  EXPECT_TRUE(CheckGate(m, Stage::kAccepted, Stage::kSql, answers, as_of).ok);
  // The gate has no `from`: it guards every move into sql.
  EXPECT_FALSE(CheckGate(m, Stage::kMql, Stage::kSql, {}, as_of).ok);
}

TEST(CheckGate, FromSpecificGateAndACustomFramework) {
  model::Model m = Parse(std::string(kSpicedAndOwnBant) + R"toml(
[[lifecycle.gate]]
to = "accepted"
from = "mql"
framework = "spiced"
require = "all"
)toml");
  TimePoint as_of = At("2026-03-01");
  EXPECT_TRUE(CheckGate(m, Stage::kNew, Stage::kAccepted, {}, as_of).ok);
  GateCheck check =
      CheckGate(m, Stage::kMql, Stage::kAccepted,
                {Answer("pain", AnswerValue::kMet, "2026-02-01", std::nullopt, "spiced")}, as_of);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message, "SPICED 1 of 2 met; missing: situation (unknown)");
}

TEST(CheckGate, EveryGateThatAppliesMustPass) {
  model::Model m = Parse(R"toml(
[[lifecycle.gate]]
to = "sql"
framework = "bant"
criteria = ["budget"]
[[lifecycle.gate]]
to = "sql"
from = "accepted"
framework = "champ"
at_least = 1
)toml");
  TimePoint as_of = At("2026-03-01");
  GateCheck check = CheckGate(m, Stage::kAccepted, Stage::kSql, {}, as_of);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message,
            "BANT 0 of 1 required met (budget); missing: budget (unknown); and CHAMP 0 of 4 "
            "met, at least 1 needed; missing: challenges (unknown), authority (unknown), money "
            "(unknown), prioritization (unknown)");
  std::vector<AnswerInput> answers = {Answer("budget", AnswerValue::kMet, "2026-02-01")};
  EXPECT_FALSE(CheckGate(m, Stage::kAccepted, Stage::kSql, answers, as_of).ok);
  answers.push_back(Answer("money", AnswerValue::kMet, "2026-02-01", std::nullopt, "champ"));
  EXPECT_TRUE(CheckGate(m, Stage::kAccepted, Stage::kSql, answers, as_of).ok);
}

TEST(CheckGate, ExpiredAnswersFailTheGate) {
  std::vector<AnswerInput> answers = AllBantMet();
  answers[1].expires_at = At("2026-02-15");
  model::Model m;
  EXPECT_TRUE(CheckGate(m, Stage::kAccepted, Stage::kSql, answers, At("2026-02-14")).ok);
  GateCheck check = CheckGate(m, Stage::kAccepted, Stage::kSql, answers, At("2026-02-15"));
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.message, "BANT 3 of 4 met; missing: authority (expired on 2026-02-15)");
}

// ---------------------------------------------------------------------------------------------
// Reasons

TEST(IsKnownReason, DefaultsAndDisqualifyRules) {
  model::Model m;
  for (const char* code :
       {"no_budget", "no_authority", "no_need", "no_timing", "out_of_icp", "competitor", "bankrupt",
        "acquired", "duplicate", "unresponsive", "no_import_license"}) {
    EXPECT_TRUE(IsKnownReason(m, code)) << code;
  }
  EXPECT_FALSE(IsKnownReason(m, "spam"));
  EXPECT_FALSE(IsKnownReason(m, "No_Budget"));
  EXPECT_FALSE(IsKnownReason(m, ""));

  model::Model own = Parse(R"toml(
[lifecycle]
reasons = ["too_small", "student"]
[[disqualify]]
reason = "spam"
when = { field = "lead.email", ends_with = "@spam.example" }
)toml");
  EXPECT_TRUE(IsKnownReason(own, "student"));
  EXPECT_TRUE(IsKnownReason(own, "spam"));
  EXPECT_FALSE(IsKnownReason(own, "no_budget"));  // the list replaces the defaults
}

// ---------------------------------------------------------------------------------------------
// Automatic moves

// "mql/action/model action mql" for each move, for compact comparisons.
std::vector<std::string> Describe(const std::vector<AutoMove>& moves) {
  std::vector<std::string> out;
  for (const AutoMove& move : moves) {
    out.push_back(std::string(StageName(move.to)) + "/" + move.rule + "/" + move.reason);
  }
  return out;
}

using Moves = std::vector<std::string>;

TEST(DecideAutomatic, EveryStageAndAction) {
  // Only these combinations move; every other (stage, action) pair stays put. Stale mql is off
  // (the default) and the recycled lead's period has not ended.
  const std::vector<std::tuple<Stage, std::string, Moves>> kMoving = {
      {Stage::kNew, "mql", {"mql/action/model action mql"}},
      {Stage::kNew, "nurture", {"nurture/action/model action nurture"}},
      {Stage::kNew, "disqualified", {"disqualified/disqualify/competitor"}},
      {Stage::kNurture, "mql", {"mql/action/model action mql"}},
      {Stage::kNurture, "disqualified", {"disqualified/disqualify/competitor"}},
      {Stage::kMql, "disqualified", {"disqualified/disqualify/competitor"}},
  };
  model::Model m;
  TimePoint as_of = At("2026-03-01");
  for (Stage stage : kAllStages) {
    for (std::string action :
         {"mql", "nurture", "disqualified", "lead", "review", "recycle", "anything"}) {
      SCOPED_TRACE(std::string(StageName(stage)) + " + " + action);
      Moves expected;
      for (const auto& [from, with, moves] : kMoving) {
        if (from == stage && with == action) expected = moves;
      }
      LifecycleFacts facts;
      facts.stage = stage;
      facts.stage_since = At("2026-02-01");
      if (stage == Stage::kRecycled) facts.recycle_until = At("2026-06-01");
      EXPECT_EQ(Describe(DecideAutomatic(m, facts, action, "competitor", 80, as_of)), expected);
    }
  }
}

TEST(DecideAutomatic, ActionNamesIgnoreCase) {
  LifecycleFacts facts;
  EXPECT_EQ(Describe(DecideAutomatic(model::Model{}, facts, "MQL", "", 50, At("2026-03-01"))),
            Moves{"mql/action/model action MQL"});
}

TEST(DecideAutomatic, RecycledLeadReturnsThenMovesByItsAction) {
  model::Model m;
  LifecycleFacts facts;
  facts.stage = Stage::kRecycled;
  facts.stage_since = At("2025-11-01");
  facts.recycle_until = At("2026-03-01");
  EXPECT_TRUE(DecideAutomatic(m, facts, "mql", "", 80, At("2026-02-28T23:59:59Z")).empty());
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "mql", "", 80, At("2026-03-01"))),
            (Moves{"nurture/recycle-return/recycle period ended on 2026-03-01",
                   "mql/action/model action mql"}));
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "nurture", "", 80, At("2026-03-02"))),
            (Moves{"nurture/recycle-return/recycle period ended on 2026-03-01"}));
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "review", "", 80, At("2026-03-02"))),
            (Moves{"nurture/recycle-return/recycle period ended on 2026-03-01"}));
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "disqualified", "duplicate", 80, At("2026-03-02"))),
            (Moves{"nurture/recycle-return/recycle period ended on 2026-03-01",
                   "disqualified/disqualify/duplicate"}));
}

TEST(DecideAutomatic, RecycledWithoutAReturnDateUsesTheModelsPeriod) {
  model::Model m;  // recycle_days = 120
  LifecycleFacts facts;
  facts.stage = Stage::kRecycled;
  facts.stage_since = At("2026-01-01");
  EXPECT_TRUE(DecideAutomatic(m, facts, "lead", "", 0, At("2026-04-30T23:59:59Z")).empty());
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "lead", "", 0, At("2026-05-01"))),
            (Moves{"nurture/recycle-return/recycle period ended on 2026-05-01"}));
}

model::Model StaleModel() { return Parse("[lifecycle]\nstale_mql_days = 14\nstale_intent = 30\n"); }

LifecycleFacts Mql() {
  LifecycleFacts facts;
  facts.stage = Stage::kMql;
  facts.stage_since = At("2026-01-15");
  return facts;
}

TEST(DecideAutomatic, StaleMqlGoesBackToNurtureAfterExactlyTheConfiguredDays) {
  model::Model m = StaleModel();
  LifecycleFacts facts = Mql();
  EXPECT_TRUE(DecideAutomatic(m, facts, "mql", "", 12.4, At("2026-02-01")).empty());
  EXPECT_EQ(facts.below_line_since, At("2026-02-01"));
  EXPECT_TRUE(DecideAutomatic(m, facts, "nurture", "", 12.4, At("2026-02-14T23:59:59Z")).empty());
  EXPECT_EQ(facts.below_line_since, At("2026-02-01"));  // the clock keeps its start
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "mql", "", 12.4, At("2026-02-15"))),
            (Moves{"nurture/stale-mql/intent 12.40 below 30.00 since 2026-02-01"}));
  EXPECT_EQ(facts.below_line_since, std::nullopt);
}

TEST(DecideAutomatic, IntentBackAtTheLineStopsTheClock) {
  model::Model m = StaleModel();
  LifecycleFacts facts = Mql();
  facts.below_line_since = At("2026-02-01");
  EXPECT_TRUE(DecideAutomatic(m, facts, "mql", "", 30, At("2026-02-10")).empty());
  EXPECT_EQ(facts.below_line_since, std::nullopt);
  // Below again: the clock starts afresh.
  EXPECT_TRUE(DecideAutomatic(m, facts, "mql", "", 29.99, At("2026-02-20")).empty());
  EXPECT_EQ(facts.below_line_since, At("2026-02-20"));
  EXPECT_TRUE(DecideAutomatic(m, facts, "mql", "", 0, At("2026-03-05T23:59:59Z")).empty());
  EXPECT_EQ(DecideAutomatic(m, facts, "mql", "", 0, At("2026-03-06")).size(), 1u);
}

TEST(DecideAutomatic, StaleMqlOffByDefault) {
  model::Model m;
  LifecycleFacts facts = Mql();
  facts.below_line_since = At("2025-01-01");
  EXPECT_TRUE(DecideAutomatic(m, facts, "nurture", "", 0, At("2026-03-01")).empty());
  EXPECT_EQ(facts.below_line_since, std::nullopt);
}

TEST(DecideAutomatic, DisqualifyingAnMqlComesBeforeStaleness) {
  model::Model m = StaleModel();
  LifecycleFacts facts = Mql();
  facts.below_line_since = At("2026-01-01");
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "disqualified", "bankrupt", 0, At("2026-03-01"))),
            (Moves{"disqualified/disqualify/bankrupt"}));
}

TEST(DecideAutomatic, ANewMqlStartsItsStaleClockButStaysAnMql) {
  model::Model m = StaleModel();
  LifecycleFacts facts;
  facts.stage = Stage::kNurture;
  EXPECT_EQ(Describe(DecideAutomatic(m, facts, "mql", "", 10, At("2026-03-01"))),
            (Moves{"mql/action/model action mql"}));
  EXPECT_EQ(facts.below_line_since, At("2026-03-01"));
}

TEST(DecideAutomatic, SalesOwnedAndClosedLeadsNeverMove) {
  model::Model m = StaleModel();
  for (Stage stage : {Stage::kAccepted, Stage::kSql, Stage::kOpportunity, Stage::kWon, Stage::kLost,
                      Stage::kDisqualified}) {
    LifecycleFacts facts;
    facts.stage = stage;
    facts.below_line_since = At("2025-01-01");
    for (std::string_view action : {"mql", "nurture", "disqualified"}) {
      EXPECT_TRUE(DecideAutomatic(m, facts, action, "competitor", 0, At("2026-03-01")).empty())
          << StageName(stage) << " + " << action;
    }
  }
}

}  // namespace
}  // namespace leadq::engine
