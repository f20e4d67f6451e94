#include "model/model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace leadq::model {
namespace {

// Every MODEL.md example put together, plus the [model] section.
constexpr std::string_view kFullModel = R"toml([model]
name = "B2B SaaS"
description = "Inbound and outbound leads"

[lists]
competitors = ["rival.com", " othervendor.io "]

[fit]
max = 100
[[fit.rule]]
name = "Target industry"
when = { field = "account.industry", in = ["software", "fintech"] }
points = 25
[[fit.rule]]
name = "Big company"
when = { all = [{ field = "account.Employee Count", gte = 200 }, { not = { field = "lead.title", matches = "(?i)intern" } }] }
points = 15.5

[intent]
max = 100
half_life_days = 30
window_days = 180
[[intent.event]]
type = " demo_request "
points = 40
cap = 40
half_life_days = 14
[[intent.event]]
name = "Pricing visit"
type = "page_view"
points = 5
when = { field = "event.page", contains = "pricing" }

[[negative]]
name = "Unsubscribed"
when = { field = "lead.unsubscribed", eq = true }
points = -30
[[negative]]
name = "Hard bounce"
event = "email_bounce"
points = -50

[score]
fit_weight = 1.0
intent_weight = 2

[grades.fit]
A = 75
B = 50
C = 25
D = 0
[grades.intent]
1 = 60
2 = 30
3 = 10
4 = 0

[actions]
default = "lead"
mql = ["A1", "A2", "B1"]
nurture = ["A3", "A4", "B2", "C1"]
review = ["C2", "D1"]

[[disqualify]]
reason = "competitor"
when = { field = "lead.email_domain", in_list = "competitors" }

[[channel]]
name = "outbound"
when = { field = "lead.channel", eq = "outbound" }
[channel.actions]
mql = ["A1"]
nurture = ["A2", "A3", "B1", "B2"]
)toml";

Result<Model> Parse(std::string_view toml) { return ParseModel(toml, "m.toml"); }

// The error message of a model that must be refused.
std::string ErrorsOf(std::string_view toml) {
  Result<Model> result = Parse(toml);
  EXPECT_FALSE(result.ok()) << "the model was accepted";
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  return result.status().message();
}

// A minimal valid model around `body` so that one mistake is the only error.
constexpr std::string_view kGrades = R"toml(
[grades.fit]
A = 50
B = 0
[grades.intent]
1 = 50
2 = 0
)toml";

TEST(ParseModel, LoadsEveryExampleOfModelMd) {
  Result<Model> result = Parse(kFullModel);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Model& m = *result;
  EXPECT_EQ(m.path, "m.toml");
  EXPECT_EQ(m.name, "B2B SaaS");
  EXPECT_EQ(m.description, "Inbound and outbound leads");

  ASSERT_EQ(m.lists.size(), 1u);
  EXPECT_EQ(m.lists[0].name, "competitors");
  EXPECT_EQ(m.lists[0].values, (std::vector<std::string>{"rival.com", "othervendor.io"}));
  EXPECT_EQ(m.lists[0].pos.line, 6);
  EXPECT_EQ(m.FindList("competitors"), &m.lists[0]);
  EXPECT_EQ(m.FindList("nope"), nullptr);

  EXPECT_EQ(m.fit.max, 100);
  ASSERT_EQ(m.fit.rules.size(), 2u);
  const FitRule& industry = m.fit.rules[0];
  EXPECT_EQ(industry.name, "Target industry");
  EXPECT_EQ(industry.points, 25);
  EXPECT_EQ(industry.pos.line, 10);
  EXPECT_EQ(industry.when.kind, Condition::Kind::kLeaf);
  EXPECT_EQ(industry.when.field.source, FieldSource::kAccount);
  EXPECT_EQ(industry.when.field.key, "industry");
  EXPECT_EQ(industry.when.field.text, "account.industry");
  EXPECT_EQ(industry.when.op, Op::kIn);
  ASSERT_EQ(industry.when.operands.size(), 2u);
  EXPECT_EQ(industry.when.operands[1].kind, Operand::Kind::kString);
  EXPECT_EQ(industry.when.operands[1].text, "fintech");
  EXPECT_EQ(industry.when.pos.line, 12);
  EXPECT_EQ(industry.when.pos.column, 8);

  const FitRule& big = m.fit.rules[1];
  EXPECT_EQ(big.points, 15.5);
  ASSERT_EQ(big.when.kind, Condition::Kind::kAll);
  ASSERT_EQ(big.when.children.size(), 2u);
  const Condition& size = big.when.children[0];
  EXPECT_EQ(size.field.key, "employee_count");
  EXPECT_EQ(size.op, Op::kGte);
  EXPECT_EQ(size.operands[0].kind, Operand::Kind::kNumber);
  EXPECT_EQ(size.operands[0].number, 200);
  const Condition& not_intern = big.when.children[1];
  ASSERT_EQ(not_intern.kind, Condition::Kind::kNot);
  ASSERT_EQ(not_intern.children.size(), 1u);
  EXPECT_EQ(not_intern.children[0].op, Op::kMatches);
  ASSERT_NE(not_intern.children[0].regex, nullptr);
  EXPECT_EQ(not_intern.children[0].operands[0].text, "(?i)intern");

  EXPECT_EQ(m.intent.max, 100);
  EXPECT_EQ(m.intent.half_life_days, 30);
  EXPECT_EQ(m.intent.window_days, 180);
  ASSERT_EQ(m.intent.entries.size(), 2u);
  const IntentEntry& demo = m.intent.entries[0];
  EXPECT_EQ(demo.type, "demo_request");
  EXPECT_EQ(demo.Label(), "demo_request");
  EXPECT_EQ(demo.points, 40);
  EXPECT_EQ(demo.cap, 40);
  EXPECT_EQ(demo.half_life_days, 14);
  EXPECT_FALSE(demo.when.has_value());
  const IntentEntry& pricing = m.intent.entries[1];
  EXPECT_EQ(pricing.Label(), "Pricing visit");
  EXPECT_FALSE(pricing.cap.has_value());
  EXPECT_FALSE(pricing.half_life_days.has_value());
  ASSERT_TRUE(pricing.when.has_value());
  EXPECT_EQ(pricing.when->field.source, FieldSource::kEvent);
  EXPECT_EQ(pricing.when->op, Op::kContains);

  ASSERT_EQ(m.negatives.size(), 2u);
  EXPECT_EQ(m.negatives[0].name, "Unsubscribed");
  ASSERT_TRUE(m.negatives[0].when.has_value());
  EXPECT_EQ(m.negatives[0].when->operands[0].kind, Operand::Kind::kBool);
  EXPECT_TRUE(m.negatives[0].when->operands[0].boolean);
  EXPECT_FALSE(m.negatives[0].event_type.has_value());
  EXPECT_EQ(m.negatives[0].points, -30);
  EXPECT_EQ(m.negatives[1].event_type, "email_bounce");
  EXPECT_FALSE(m.negatives[1].when.has_value());
  EXPECT_EQ(m.negatives[1].points, -50);

  EXPECT_EQ(m.score.fit_weight, 1);
  EXPECT_EQ(m.score.intent_weight, 2);

  ASSERT_EQ(m.fit_grades.size(), 4u);
  EXPECT_EQ(m.fit_grades[0].name, "A");
  EXPECT_EQ(m.fit_grades[0].threshold, 75);
  EXPECT_EQ(m.fit_grades[3].name, "D");
  EXPECT_EQ(m.fit_grades[3].threshold, 0);
  ASSERT_EQ(m.intent_grades.size(), 4u);
  EXPECT_EQ(m.intent_grades[0].name, "1");
  EXPECT_EQ(m.intent_grades[2].threshold, 10);

  EXPECT_EQ(m.DefaultAction(), "lead");
  ASSERT_EQ(m.actions.lists.size(), 3u);
  EXPECT_EQ(m.actions.lists[0].action, "mql");
  EXPECT_EQ(m.actions.lists[0].cells, (std::vector<std::string>{"A1", "A2", "B1"}));
  EXPECT_EQ(m.actions.lists[2].action, "review");

  ASSERT_EQ(m.disqualify.size(), 1u);
  EXPECT_EQ(m.disqualify[0].reason, "competitor");
  EXPECT_EQ(m.disqualify[0].when.op, Op::kInList);
  EXPECT_EQ(m.disqualify[0].when.field.key, "email_domain");

  ASSERT_EQ(m.channels.size(), 1u);
  EXPECT_EQ(m.channels[0].name, "outbound");
  ASSERT_EQ(m.channels[0].actions.lists.size(), 2u);
  EXPECT_EQ(m.channels[0].actions.lists[1].action, "nurture");
  EXPECT_EQ(m.channels[0].actions.lists[1].cells.size(), 4u);

  EXPECT_TRUE(m.warnings.empty());
}

TEST(ParseModel, GradesKeepFileOrderNotKeyOrder) {
  Result<Model> result = Parse(R"toml(
[grades.fit]
hot = 10
cold = 0
[grades.intent]
z = 5
a = 0
)toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->fit_grades.size(), 2u);
  EXPECT_EQ(result->fit_grades[0].name, "hot");
  EXPECT_EQ(result->intent_grades[0].name, "z");
  EXPECT_EQ(result->intent_grades[1].pos.line, 7);
}

TEST(ParseModel, OperandKinds) {
  Result<Model> result = Parse(R"toml(
[[fit.rule]]
name = "r"
points = 1
when = { any = [
  { field = "lead.a", eq = 50 },
  { field = "lead.a", ne = "x" },
  { field = "lead.a", not_in = ["x", 2] },
  { field = "lead.a", between = [1, 2.5] },
  { field = "lead.a", exists = false },
  { field = "lead.a", starts_with = "x" },
  { field = "lead.a", ends_with = "x" },
  { field = "lead.a", gt = 1 },
  { field = "lead.a", lt = 1 },
  { field = "lead.a", lte = 1 },
] }
)toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  const std::vector<Condition>& c = result->fit.rules[0].when.children;
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0].operands[0].kind, Operand::Kind::kNumber);
  EXPECT_EQ(c[0].operands[0].text, "50");
  EXPECT_EQ(c[2].op, Op::kNotIn);
  EXPECT_EQ(c[2].operands[1].kind, Operand::Kind::kNumber);
  EXPECT_EQ(c[3].operands[0].number, 1);
  EXPECT_EQ(c[3].operands[1].number, 2.5);
  EXPECT_FALSE(c[4].operands[0].boolean);
  EXPECT_EQ(c[9].op, Op::kLte);
}

TEST(ParseModel, Warnings) {
  Result<Model> result = Parse(R"toml(
[[negative]]
name = "Bounce"
event = "email_bounce"
points = -5
[[negative]]
name = "Bounce"
event = "hard_bounce"
points = -5
[[channel]]
name = "outbound"
when = { field = "lead.channel", eq = "outbound" }
)toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  std::string all;
  for (const Diagnostic& d : result->warnings) {
    EXPECT_FALSE(d.is_error);
    all += FormatDiagnostic("m.toml", d) + "\n";
  }
  EXPECT_EQ(all,
            "m.toml: the model has no [grades]: every lead gets empty grades and the default "
            "action \"lead\"\n"
            "m.toml: the model has no [[fit.rule]] and no [[intent.event]]: every fit and "
            "intent is 0\n"
            "m.toml:7:8: duplicate negative name \"Bounce\" (first at line 3)\n"
            "m.toml:10:1: channel \"outbound\" has no [channel.actions], so it changes no "
            "action\n");
}

TEST(ParseModel, NotToml) {
  EXPECT_EQ(ErrorsOf("[fit]\nmax = = 3\n"),
            "m.toml:2:7: not valid TOML: Error while parsing value: could not determine value "
            "type");
}

TEST(ParseModel, UnknownSectionsAndKeys) {
  std::string errors = ErrorsOf(R"toml(
[fitt]
max = 1
[[negativ]]
name = "x"
[intent]
maxx = 5
half_life = 3
[[fit.rules]]
name = "x"
version = 2
)toml");
  EXPECT_EQ(errors,
            "m.toml:2:2: unknown section [fitt]; did you mean [fit]?\n"
            "m.toml:4:3: unknown section [[negativ]]; did you mean [[negative]]?\n"
            "m.toml:7:1: unknown key \"maxx\" in [intent]; did you mean \"max\"?\n"
            "m.toml:8:1: unknown key \"half_life\" in [intent]; did you mean "
            "\"half_life_days\"?\n"
            "m.toml:9:7: unknown key \"rules\" in [fit]; did you mean \"rule\"?");
}

TEST(ParseModel, UnknownTopLevelKey) {
  EXPECT_EQ(ErrorsOf("version = 2\n"), "m.toml:1:1: unknown top-level key \"version\"");
}

TEST(ParseModel, WrongValueTypes) {
  std::string errors = ErrorsOf(R"toml(
[fit]
max = "100"
[[fit.rule]]
name = 3
when = "lead.x"
points = "ten"
[score]
fit_weight = true
)toml");
  EXPECT_EQ(errors,
            "m.toml:3:7: max must be a number, got string\n"
            "m.toml:5:8: name must be a string, got integer\n"
            "m.toml:6:8: when must be a condition (an inline table such as { field = "
            "\"lead.x\", eq = \"y\" }), got string\n"
            "m.toml:7:10: points must be a number, got string\n"
            "m.toml:9:14: fit_weight must be a number, got boolean");
}

TEST(ParseModel, SectionOfTheWrongShape) {
  std::string errors = ErrorsOf(R"toml(
fit = 3
[negative]
name = "x"
)toml");
  EXPECT_EQ(errors,
            "m.toml:2:7: [fit] must be a table, got integer\n"
            "m.toml:3:1: [[negative]] must be an array of tables, got table; write each entry "
            "as [[negative]]");
}

TEST(ParseModel, NumbersMustBeFinite) {
  std::string errors = ErrorsOf(R"toml(
[score]
fit_weight = nan
intent_weight = -inf
[[fit.rule]]
name = "r"
points = 1
when = { field = "lead.x", gt = inf }
)toml");
  EXPECT_EQ(errors,
            "m.toml:3:14: fit_weight must be a finite number, got nan\n"
            "m.toml:4:17: intent_weight must be a finite number, got -inf\n"
            "m.toml:8:33: gt must be a finite number, got inf");
}

TEST(ParseModel, MissingRequiredKeys) {
  std::string errors = ErrorsOf(R"toml(
[[fit.rule]]
points = 1
[[intent.event]]
cap = 3
[[negative]]
points = -1
[[disqualify]]
when = { field = "lead.x", exists = true }
[[disqualify]]
reason = "spam"
[[channel]]
[channel.actions]
mql = []
)toml");
  EXPECT_EQ(errors,
            "m.toml:2:1: missing required key \"name\" in [[fit.rule]]\n"
            "m.toml:2:1: missing required key \"when\" in [[fit.rule]]\n"
            "m.toml:4:1: missing required key \"type\" in [[intent.event]]\n"
            "m.toml:4:1: missing required key \"points\" in [[intent.event]]\n"
            "m.toml:6:1: missing required key \"name\" in [[negative]]\n"
            "m.toml:6:1: [[negative]] needs \"when\", \"event\" or both\n"
            "m.toml:8:1: missing required key \"reason\" in [[disqualify]]\n"
            "m.toml:10:1: missing required key \"when\" in [[disqualify]]\n"
            "m.toml:12:1: missing required key \"name\" in [[channel]]\n"
            "m.toml:12:1: missing required key \"when\" in [[channel]]");
}

TEST(ParseModel, EmptyNames) {
  EXPECT_EQ(ErrorsOf("[[fit.rule]]\nname = \"  \"\npoints = 1\n"
                     "when = { field = \"lead.x\", exists = true }\n"),
            "m.toml:2:8: name must not be empty");
}

TEST(ParseModel, DuplicateFitRuleNames) {
  std::string errors = ErrorsOf(R"toml(
[[fit.rule]]
name = "Size"
when = { field = "lead.x", exists = true }
points = 1
[[fit.rule]]
name = " Size"
when = { field = "lead.y", exists = true }
points = 2
)toml");
  EXPECT_EQ(errors, "m.toml:7:8: duplicate fit rule name \"Size\" (first at line 3)");
}

TEST(ParseModel, PointsSigns) {
  std::string errors = ErrorsOf(R"toml(
[fit]
max = -1
[intent]
max = -2
half_life_days = -3
window_days = -4
[[intent.event]]
type = "visit"
points = -5
cap = -6
half_life_days = -7
[[negative]]
name = "n"
event = "bounce"
points = 30
)toml");
  EXPECT_EQ(errors,
            "m.toml:3:7: max must be >= 0, got -1\n"
            "m.toml:5:7: max must be >= 0, got -2\n"
            "m.toml:6:18: half_life_days must be >= 0, got -3\n"
            "m.toml:7:15: window_days must be >= 0, got -4\n"
            "m.toml:10:10: points must be >= 0, got -5\n"
            "m.toml:11:7: cap must be >= 0, got -6\n"
            "m.toml:12:18: half_life_days must be >= 0, got -7\n"
            "m.toml:16:10: points must be <= 0, got 30");
}

TEST(ParseModel, LeafErrors) {
  std::string errors = ErrorsOf(R"toml(
[[fit.rule]]
name = "r"
points = 1
when = { any = [
  { field = "lead.x" },
  { field = "lead.x", eq = 1, ne = 2 },
  { field = "lead.x", equals = 1 },
  { field = "lead.x", all = [{ field = "lead.y", eq = 1 }] },
  { all = [] },
  { any = "x" },
  { not = [1] },
  { eq = 3 },
] }
)toml");
  EXPECT_EQ(errors,
            "m.toml:6:3: condition on \"lead.x\" has no operator; use one of eq, ne, in, "
            "not_in, gt, gte, lt, lte, between, contains, starts_with, ends_with, matches, "
            "exists, in_list\n"
            "m.toml:7:31: condition on \"lead.x\" has more than one operator (eq, ne); use "
            "exactly one, and all = [...] to combine tests\n"
            "m.toml:8:23: unknown operator \"equals\"; did you mean \"eq\"?\n"
            "m.toml:9:3: a condition with \"all\" cannot also have \"field\"; put each test in "
            "its own condition\n"
            "m.toml:10:11: all must not be empty\n"
            "m.toml:11:11: any must be an array of conditions, got string\n"
            "m.toml:12:11: not must be a condition (an inline table such as { field = "
            "\"lead.x\", eq = \"y\" }), got array\n"
            "m.toml:13:3: missing required key \"field\" in condition");
}

TEST(ParseModel, OperandErrors) {
  std::string errors = ErrorsOf(R"toml(
[lists]
competitors = ["a"]
[[fit.rule]]
name = "r"
points = 1
when = { all = [
  { field = "lead.x", eq = [1] },
  { field = "lead.x", in = [] },
  { field = "lead.x", in = "a" },
  { field = "lead.x", not_in = ["a", true] },
  { field = "lead.x", gt = "5" },
  { field = "lead.x", between = [5, 1] },
  { field = "lead.x", between = [5] },
  { field = "lead.x", contains = 5 },
  { field = "lead.x", matches = "(" },
  { field = "lead.x", exists = "yes" },
  { field = "lead.x", in_list = "competitor" },
] }
)toml");
  EXPECT_EQ(errors,
            "m.toml:8:28: eq must be a string, a number or a boolean, got array\n"
            "m.toml:9:28: in must not be empty\n"
            "m.toml:10:28: in must be an array of strings or numbers, got string\n"
            "m.toml:11:38: not_in must be an array of strings or numbers, got boolean\n"
            "m.toml:12:28: gt must be a number, got string\n"
            "m.toml:13:33: between must have lo <= hi, got [5, 1]\n"
            "m.toml:14:33: between must be [lo, hi], two numbers, got an array of 1\n"
            "m.toml:15:34: contains must be a string, got integer\n"
            "m.toml:16:33: bad regular expression \"(\": missing ): (\n"
            "m.toml:17:32: exists must be a boolean, got string\n"
            "m.toml:18:33: unknown list \"competitor\"; did you mean \"competitors\"?");
}

TEST(ParseModel, UnknownListWithoutLists) {
  std::string errors = ErrorsOf(R"toml(
[[disqualify]]
reason = "competitor"
when = { field = "lead.email_domain", in_list = "competitors" }
)toml");
  EXPECT_EQ(errors, "m.toml:4:49: unknown list \"competitors\" (the model has no [lists])");
}

TEST(ParseModel, FieldErrors) {
  std::string errors = ErrorsOf(R"toml(
[[fit.rule]]
name = "r"
points = 1
when = { any = [
  { field = "contact.email", exists = true },
  { field = "lead.", exists = true },
  { field = "industry", exists = true },
  { field = "event.page", exists = true },
  { field = 3, exists = true },
] }
[[intent.event]]
type = "visit"
points = 1
when = { field = "lead.industry", eq = "x" }
)toml");
  EXPECT_EQ(errors,
            "m.toml:6:13: field \"contact.email\" must be lead.<key>, account.<key> or "
            "event.<key>\n"
            "m.toml:7:13: field \"lead.\" names no column\n"
            "m.toml:8:13: field \"industry\" must be lead.<key>, account.<key> or "
            "event.<key>\n"
            "m.toml:9:13: field \"event.page\" is only allowed in an [[intent.event]] "
            "condition\n"
            "m.toml:10:13: field must be a string, got integer\n"
            "m.toml:15:18: field \"lead.industry\" is not allowed in an [[intent.event]] "
            "condition, which tests the event's properties (event.<key>)");
}

TEST(ParseModel, CellInTwoActionLists) {
  std::string errors = ErrorsOf(std::string(kGrades) + R"toml(
[actions]
mql = ["A1", "A2"]
nurture = ["B1", "A2"]
[[channel]]
name = "outbound"
when = { field = "lead.channel", eq = "outbound" }
[channel.actions]
mql = ["B2"]
nurture = ["B2"]
)toml");
  EXPECT_EQ(errors,
            "m.toml:11:18: cell \"A2\" is in two action lists: \"mql\" (line 10) and "
            "\"nurture\"\n"
            "m.toml:17:12: cell \"B2\" is in two action lists: \"mql\" (line 16) and "
            "\"nurture\"");
}

TEST(ParseModel, CellWithoutGradePair) {
  std::string errors = ErrorsOf(std::string(kGrades) + R"toml(
[actions]
mql = ["A1", "E1", "A3"]
)toml");
  EXPECT_EQ(errors,
            "m.toml:10:14: cell \"E1\" names no (fit grade, intent grade) pair; fit grades are "
            "A, B and intent grades are 1, 2\n"
            "m.toml:10:20: cell \"A3\" names no (fit grade, intent grade) pair; fit grades are "
            "A, B and intent grades are 1, 2");
}

TEST(ParseModel, CellWithoutGrades) {
  EXPECT_EQ(ErrorsOf("[actions]\nmql = [\"A1\"]\n"),
            "m.toml:2:8: cell \"A1\" names no grade pair: the model has no [grades]");
}

TEST(ParseModel, ActionListsMustBeArraysOfStrings) {
  std::string errors = ErrorsOf(std::string(kGrades) + R"toml(
[actions]
default = 3
mql = "A1"
nurture = ["A1", 2]
)toml");
  EXPECT_EQ(errors,
            "m.toml:10:11: default must be a string, got integer\n"
            "m.toml:11:7: action list \"mql\" must be an array of strings, got string\n"
            "m.toml:12:18: action list \"nurture\" must hold only strings, got integer");
}

TEST(ParseModel, GradeTableErrors) {
  std::string errors = ErrorsOf(R"toml(
[grades.fit]
A = 50
B = 50
C = "low"
[grades.intent]
[actions]
mql = ["A1"]
)toml");
  EXPECT_EQ(errors,
            "m.toml:4:5: grades \"A\" and \"B\" in [grades.fit] have the same threshold 50 "
            "(ambiguous)\n"
            "m.toml:5:5: grade \"C\" must be a number, got string\n"
            "m.toml:6:1: [grades.intent] is empty; give each grade a threshold");
}

TEST(ParseModel, GradesNeedBothTables) {
  EXPECT_EQ(ErrorsOf("[grades.fit]\nA = 1\n"),
            "m.toml:1:1: missing required key \"intent\" in [grades]");
}

TEST(ParseModel, GradeNamesThatMakeAmbiguousCells) {
  EXPECT_EQ(ErrorsOf("[grades.fit]\nA = 1\nAB = 0\n[grades.intent]\nB1 = 1\n1 = 0\n"),
            "m.toml:6:1: grade names make cell \"AB1\" ambiguous: \"A\" + \"B1\" or \"AB\" + "
            "\"1\"");
}

TEST(ParseModel, CellTwiceInOneListIsAWarning) {
  Result<Model> result = Parse(std::string(kGrades) + "[actions]\nmql = [\"A1\", \"A1\"]\n" +
                               "[[fit.rule]]\nname = \"r\"\npoints = 1\n" +
                               "when = { field = \"lead.x\", exists = true }\n");
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_EQ(FormatDiagnostic("m.toml", result->warnings[0]),
            "m.toml:9:14: cell \"A1\" appears twice in action list \"mql\"");
}

TEST(ParseModel, NegativeConditionsTestTheLead) {
  EXPECT_EQ(ErrorsOf("[[negative]]\nname = \"n\"\npoints = -1\n"
                     "when = { field = \"event.type\", eq = \"bounce\" }\n"),
            "m.toml:4:18: field \"event.type\" is only allowed in an [[intent.event]] condition");
}

TEST(ParseModel, ReportsEveryErrorSortedByPosition) {
  std::string errors = ErrorsOf(R"toml(
[[negative]]
name = "n"
event = "bounce"
points = 5
[fit]
max = -1
[[fit.rule]]
name = "r"
when = { field = "lead.x", equal = 1 }
points = 1
[bogus]
)toml");
  EXPECT_EQ(errors,
            "m.toml:5:10: points must be <= 0, got 5\n"
            "m.toml:7:7: max must be >= 0, got -1\n"
            "m.toml:10:28: unknown operator \"equal\"; did you mean \"eq\"?\n"
            "m.toml:12:2: unknown section [bogus]");
}

class ListFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("leadq_model_" +
            std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, std::string_view text) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
  }

  std::filesystem::path dir_;
};

TEST_F(ListFileTest, ReadsEntriesRelativeToTheModel) {
  Write("free-mail.txt",
        "\xEF\xBB\xBF# free mail providers\r\ngmail.com\r\n\n  yahoo.com  # big\n#x\n"
        "outlook.com");
  Write("model.toml", R"toml(
[lists]
free_mail = { file = "free-mail.txt" }
[[disqualify]]
reason = "free mail"
when = { field = "lead.email_domain", in_list = "free_mail" }
)toml");
  Result<Model> result = LoadModel(dir_ / "model.toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  const NamedList* list = result->FindList("free_mail");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->values, (std::vector<std::string>{"gmail.com", "yahoo.com", "outlook.com"}));
  EXPECT_EQ(list->file, (dir_ / "free-mail.txt").string());
}

TEST_F(ListFileTest, MissingListFileIsReportedAtTheFileKey) {
  Write("model.toml", "[lists]\nfree_mail = { file = \"nope.txt\" }\n");
  Result<Model> result = LoadModel(dir_ / "model.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), (dir_ / "model.toml").string() +
                                           ":2:22: cannot read list file \"" +
                                           (dir_ / "nope.txt").string() + "\": no such file");
}

TEST_F(ListFileTest, ListShapeErrors) {
  Write("model.toml", "[lists]\na = 3\nb = [\"x\", 1]\nc = { path = \"x.txt\" }\n");
  Result<Model> result = LoadModel(dir_ / "model.toml");
  ASSERT_FALSE(result.ok());
  std::string file = (dir_ / "model.toml").string();
  EXPECT_EQ(result.status().message(),
            file +
                ":2:5: list \"a\" must be an array of strings or { file = \"...\" }, got "
                "integer\n" +
                file + ":3:11: list \"b\" must hold only strings, got integer\n" + file +
                ":4:5: missing required key \"file\" in list \"c\"\n" + file +
                ":4:7: unknown key \"path\" in list \"c\"");
}

TEST_F(ListFileTest, NonTomlModelFile) {
  Write("leads.csv", "lead_id,email\n1,a@b.com\n");
  Result<Model> result = LoadModel(dir_ / "leads.csv");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(result.status().message(),
            (dir_ / "leads.csv").string() +
                ":1:8: not valid TOML: Error while parsing key-value pair: expected '=', saw ','");
}

TEST(LoadModel, MissingFile) {
  Result<Model> result = LoadModel("/nonexistent/leadq/model.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "/nonexistent/leadq/model.toml: no such file");
}

TEST(FormatDiagnostic, WithAndWithoutPosition) {
  EXPECT_EQ(FormatDiagnostic("m.toml", Diagnostic{{3, 7}, "bad", true}), "m.toml:3:7: bad");
  EXPECT_EQ(FormatDiagnostic("m.toml", Diagnostic{{}, "bad", true}), "m.toml: bad");
}

TEST(OpName, IsTheTomlKey) {
  EXPECT_EQ(OpName(Op::kNotIn), "not_in");
  EXPECT_EQ(OpName(Op::kStartsWith), "starts_with");
  EXPECT_EQ(OpName(Op::kInList), "in_list");
}

// ---------------------------------------------------------------------------------------------
// [lifecycle] and [[framework]]

// [lifecycle] comes first on purpose: its gates may name frameworks declared further down.
constexpr std::string_view kLifecycleModel = R"toml([lifecycle]
recycle_days = 90
stale_mql_days = 14
stale_intent = 30.5
reasons = ["no_budget", " spam ", "student"]
default_gates = false
[[lifecycle.gate]]
to = "sql"
from = "accepted"
framework = "bant"
require = "all"
[[lifecycle.gate]]
to = " Opportunity "
framework = "MEDDIC"
at_least = 4
[[lifecycle.gate]]
to = "won"
framework = "spiced"
criteria = ["pain", "Situation"]

[[framework]]
key = "spiced"
name = "SPICED"
description = "Situation, Pain, Impact, Critical event, Decision"
[[framework.criterion]]
key = "situation"
name = "Situation"
description = "We know how the buyer works today."
[[framework.criterion]]
key = "pain"
name = "Pain"
)toml";

TEST(ParseModel, LifecycleAndFrameworks) {
  Result<Model> result = Parse(std::string(kLifecycleModel) + std::string(kGrades));
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Model& m = *result;
  const LifecycleSection& lifecycle = m.lifecycle;
  EXPECT_EQ(lifecycle.recycle_days, 90);
  EXPECT_EQ(lifecycle.stale_mql_days, 14);
  EXPECT_EQ(lifecycle.stale_intent, 30.5);
  EXPECT_EQ(lifecycle.reasons, (std::vector<std::string>{"no_budget", "spam", "student"}));
  EXPECT_FALSE(lifecycle.default_gates);

  ASSERT_EQ(lifecycle.gates.size(), 3u);
  const Gate& sql = lifecycle.gates[0];
  EXPECT_EQ(sql.to, "sql");
  EXPECT_EQ(sql.from, "accepted");
  EXPECT_EQ(sql.framework, "bant");
  EXPECT_EQ(sql.require, Gate::Require::kAll);
  EXPECT_EQ(sql.pos.line, 7);
  EXPECT_EQ(sql.pos.column, 1);
  const Gate& opportunity = lifecycle.gates[1];
  EXPECT_EQ(opportunity.to, "opportunity");
  EXPECT_EQ(opportunity.from, "");
  EXPECT_EQ(opportunity.framework, "meddic");
  EXPECT_EQ(opportunity.require, Gate::Require::kAtLeast);
  EXPECT_EQ(opportunity.at_least, 4);
  const Gate& won = lifecycle.gates[2];
  EXPECT_EQ(won.framework, "spiced");
  EXPECT_EQ(won.require, Gate::Require::kNamed);
  EXPECT_EQ(won.criteria, (std::vector<std::string>{"pain", "situation"}));

  ASSERT_EQ(m.frameworks.size(), 1u);
  const Framework& spiced = m.frameworks[0];
  EXPECT_EQ(spiced.key, "spiced");
  EXPECT_EQ(spiced.name, "SPICED");
  EXPECT_EQ(spiced.description, "Situation, Pain, Impact, Critical event, Decision");
  EXPECT_EQ(spiced.pos.line, 21);
  ASSERT_EQ(spiced.criteria.size(), 2u);
  EXPECT_EQ(spiced.criteria[0].key, "situation");
  EXPECT_EQ(spiced.criteria[0].name, "Situation");
  EXPECT_EQ(spiced.criteria[0].description, "We know how the buyer works today.");
  EXPECT_EQ(spiced.criteria[1].key, "pain");
  EXPECT_EQ(spiced.criteria[1].description, "");
  for (const Diagnostic& d : m.warnings) {
    EXPECT_EQ(d.pos.line, 0) << d.message;  // only "no [[fit.rule]]": nothing about lifecycle
  }
}

TEST(ParseModel, LifecycleDefaults) {
  Result<Model> result = Parse(kFullModel);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const LifecycleSection& lifecycle = result->lifecycle;
  EXPECT_EQ(lifecycle.recycle_days, 120);
  EXPECT_EQ(lifecycle.stale_mql_days, 0);
  EXPECT_EQ(lifecycle.reasons.size(), 11u);
  EXPECT_EQ(lifecycle.reasons.front(), "no_budget");
  EXPECT_EQ(lifecycle.reasons.back(), "no_import_license");
  EXPECT_TRUE(lifecycle.default_gates);
  EXPECT_TRUE(lifecycle.gates.empty());
  EXPECT_TRUE(result->frameworks.empty());
}

TEST(ParseModel, LifecycleUnknownSectionsAndKeys) {
  std::string errors = ErrorsOf(R"toml(
[lifecycles]
[[frameworks]]
[lifecycle]
recycle_day = 3
[[lifecycle.gates]]
[[framework]]
key = "k"
name = "K"
criteria = []
[[framework.criterion]]
key = "c"
name = "C"
desc = "d"
)toml");
  EXPECT_EQ(errors,
            "m.toml:2:2: unknown section [lifecycles]; did you mean [lifecycle]?\n"
            "m.toml:3:3: unknown section [[frameworks]]; did you mean [[framework]]?\n"
            "m.toml:5:1: unknown key \"recycle_day\" in [lifecycle]; did you mean "
            "\"recycle_days\"?\n"
            "m.toml:6:13: unknown key \"gates\" in [lifecycle]; did you mean \"gate\"?\n"
            "m.toml:10:1: unknown key \"criteria\" in [[framework]]; did you mean "
            "\"criterion\"?\n"
            "m.toml:14:1: unknown key \"desc\" in [[framework.criterion]]; did you mean "
            "\"description\"?");
}

TEST(ParseModel, LifecycleValueErrors) {
  std::string errors = ErrorsOf(R"toml(
[lifecycle]
recycle_days = "120"
stale_mql_days = -1
stale_intent = "high"
reasons = "no_budget"
default_gates = "yes"
gate = 3
)toml");
  EXPECT_EQ(errors,
            "m.toml:3:16: recycle_days must be a number, got string\n"
            "m.toml:4:18: stale_mql_days must be >= 0, got -1\n"
            "m.toml:5:16: stale_intent must be a number, got string\n"
            "m.toml:6:11: reasons must be an array of strings, got string\n"
            "m.toml:7:17: default_gates must be a boolean, got string\n"
            "m.toml:8:8: [[lifecycle.gate]] must be an array of tables, got integer; write each "
            "entry as [[lifecycle.gate]]");
}

TEST(ParseModel, StaleMqlNeedsStaleIntent) {
  EXPECT_EQ(ErrorsOf("[model]\nname = \"m\"\n[lifecycle]\nstale_mql_days = 14\n"),
            "m.toml:3:1: missing required key \"stale_intent\" in [lifecycle]: with "
            "stale_mql_days = 14, an mql goes back to nurture when its intent stays below "
            "stale_intent that long");
}

TEST(ParseModel, ReasonCodeErrors) {
  EXPECT_EQ(ErrorsOf("[lifecycle]\nreasons = []\n"),
            "m.toml:2:11: reasons must not be empty: disqualifying a lead or losing it needs a "
            "reason code");
  EXPECT_EQ(ErrorsOf(R"toml([lifecycle]
reasons = [
  "No Budget",
  "spam",
  3,
  " ",
  "spam",
  "x-y",
]
)toml"),
            "m.toml:3:3: reason code \"No Budget\" must be lower_snake_case (a-z, 0-9 and _); "
            "write \"no_budget\"\n"
            "m.toml:5:3: reason code must be a string, got integer\n"
            "m.toml:6:3: reason code must not be empty\n"
            "m.toml:7:3: duplicate reason code \"spam\" (first at line 4)\n"
            "m.toml:8:3: reason code \"x-y\" must be lower_snake_case (a-z, 0-9 and _); write "
            "\"x_y\"");
}

TEST(ParseModel, GateStageAndFrameworkErrors) {
  std::string errors = ErrorsOf(R"toml(
[[lifecycle.gate]]
to = "sqll"
from = "pipeline"
framework = "bnat"
require = "all"
[[lifecycle.gate]]
to = "new"
framework = "xyz"
require = "all"
[[lifecycle.gate]]
to = "sql"
from = "SQL"
framework = 4
require = "all"
[[lifecycle.gate]]
require = "all"
)toml");
  EXPECT_EQ(errors,
            "m.toml:3:6: unknown stage \"sqll\"; did you mean \"sql\"?\n"
            "m.toml:4:8: unknown stage \"pipeline\"; the stages are new, mql, accepted, sql, "
            "opportunity, won, lost, nurture, disqualified, recycled\n"
            "m.toml:5:13: unknown framework \"bnat\"; did you mean \"bant\"?\n"
            "m.toml:8:6: no move leads into \"new\", so a gate on it would never apply\n"
            "m.toml:9:13: unknown framework \"xyz\"; the frameworks are bant, meddic, champ\n"
            "m.toml:13:8: from and to are both \"sql\"; a gate guards a move between two stages\n"
            "m.toml:14:13: framework must be a string, got integer\n"
            "m.toml:16:1: missing required key \"to\" in [[lifecycle.gate]]\n"
            "m.toml:16:1: missing required key \"framework\" in [[lifecycle.gate]]");
}

TEST(ParseModel, GateRequirementErrors) {
  std::string errors = ErrorsOf(R"toml(
[[lifecycle.gate]]
to = "sql"
framework = "bant"
[[lifecycle.gate]]
to = "sql"
framework = "bant"
at_least = 2
criteria = ["budget"]
[[lifecycle.gate]]
to = "sql"
framework = "bant"
require = "any"
[[lifecycle.gate]]
to = "sql"
framework = "bant"
at_least = 5
[[lifecycle.gate]]
to = "sql"
framework = "bant"
at_least = 2.5
[[lifecycle.gate]]
to = "sql"
framework = "nope"
at_least = 0
[[lifecycle.gate]]
to = "sql"
framework = "bant"
criteria = []
[[lifecycle.gate]]
to = "sql"
framework = "bant"
criteria = ["budgt", "Budget", "pipeline", 7]
)toml");
  EXPECT_EQ(errors,
            "m.toml:2:1: [[lifecycle.gate]] needs one of require = \"all\", at_least = N or "
            "criteria = [...]\n"
            "m.toml:9:1: [[lifecycle.gate]] has both \"at_least\" and \"criteria\"; use exactly "
            "one of require = \"all\", at_least = N or criteria = [...]\n"
            "m.toml:13:11: require must be \"all\", got \"any\" (for some criteria write "
            "at_least = N or criteria = [...])\n"
            "m.toml:17:12: at_least must be between 1 and 4 (the criteria of \"bant\"), got 5\n"
            "m.toml:21:12: at_least must be an integer, got float\n"
            "m.toml:24:13: unknown framework \"nope\"; the frameworks are bant, meddic, champ\n"
            "m.toml:25:12: at_least must be at least 1, got 0\n"
            "m.toml:29:12: criteria must not be empty\n"
            "m.toml:33:13: unknown criterion \"budgt\" of framework \"bant\"; did you mean "
            "\"budget\"?\n"
            "m.toml:33:32: unknown criterion \"pipeline\" of framework \"bant\"; its criteria are "
            "budget, authority, need, timing\n"
            "m.toml:33:44: each element of criteria must be a string, got integer");
}

TEST(ParseModel, FrameworkErrors) {
  std::string errors = ErrorsOf(R"toml(
[[framework]]
key = "Spiced Sales"
name = "SPICED"
[[framework.criterion]]
key = "pain"
name = "Pain"
[[framework.criterion]]
key = "pain"
name = "Pain again"
[[framework.criterion]]
name = " "
description = 3
[[framework]]
key = "spiced_sales"
[[framework]]
key = "spiced_sales"
name = "Again"
criterion = []
[[framework]]
name = "No key"
criterion = "c"
[[lifecycle.gate]]
to = "sql"
framework = "spiced_sales"
at_least = 3
[[framework]]
key = "spiced"
name = "SPICED"
[[framework.criterion]]
key = "pain"
name = "Pain"
[[lifecycle.gate]]
to = "sql"
framework = "spiced"
criteria = ["pain", "gain"]
)toml");
  // The gate on spiced_sales (line 23) is not checked further: that framework has no criteria.
  EXPECT_EQ(errors,
            "m.toml:3:7: key \"Spiced Sales\" must be lower_snake_case (a-z, 0-9 and _); write "
            "\"spiced_sales\"\n"
            "m.toml:9:7: duplicate criterion key \"pain\" in framework \"Spiced Sales\" (first "
            "at line 6)\n"
            "m.toml:11:1: missing required key \"key\" in [[framework.criterion]]\n"
            "m.toml:12:8: name must not be empty\n"
            "m.toml:13:15: description must be a string, got integer\n"
            "m.toml:14:1: missing required key \"name\" in [[framework]]\n"
            "m.toml:14:1: framework \"spiced_sales\" needs at least one [[framework.criterion]]\n"
            "m.toml:17:7: duplicate framework key \"spiced_sales\" (first at line 15)\n"
            "m.toml:19:13: framework \"spiced_sales\" needs at least one [[framework.criterion]]\n"
            "m.toml:20:1: missing required key \"key\" in [[framework]]\n"
            "m.toml:22:13: [[framework.criterion]] must be an array of tables, got string; "
            "write each entry as [[framework.criterion]]\n"
            "m.toml:36:21: unknown criterion \"gain\" of framework \"spiced\"; did you mean "
            "\"pain\"?");
}

TEST(ParseModel, LifecycleWarnings) {
  Result<Model> result = Parse(std::string(kGrades) + R"toml(
[lifecycle]
stale_intent = 20
default_gates = true
[[lifecycle.gate]]
to = "sql"
framework = "bant"
criteria = ["budget", "budget"]
[[framework]]
key = "bant"
name = "Our BANT"
[[framework.criterion]]
key = "budget"
name = "Budget"
)toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  std::string all;
  for (const Diagnostic& d : result->warnings) {
    if (d.pos.line > 0) all += FormatDiagnostic("m.toml", d) + "\n";
  }
  EXPECT_EQ(all,
            "m.toml:10:16: stale_intent has no effect while stale_mql_days is 0\n"
            "m.toml:11:17: default_gates has no effect: the model declares its own "
            "[[lifecycle.gate]], which replace the default accepted -> sql BANT gate\n"
            "m.toml:15:23: criterion \"budget\" is named twice in criteria\n"
            "m.toml:17:7: framework \"bant\" replaces the built-in BANT\n");
  // The gate is checked against the model's own BANT, which has one criterion.
  ASSERT_EQ(result->lifecycle.gates.size(), 1u);
  EXPECT_EQ(result->lifecycle.gates[0].criteria, std::vector<std::string>{"budget"});
}

TEST(ParseModel, GateCheckedAgainstTheModelsOwnFramework) {
  EXPECT_EQ(ErrorsOf(R"toml([[framework]]
key = "bant"
name = "Our BANT"
[[framework.criterion]]
key = "budget"
name = "Budget"
[[lifecycle.gate]]
to = "sql"
framework = "bant"
at_least = 2
)toml"),
            "m.toml:10:12: at_least must be between 1 and 1 (the criteria of \"bant\"), got 2");
}

}  // namespace
}  // namespace leadq::model

namespace leadq::model {
namespace {

TEST_F(ListFileTest, PredictiveReadsTheLearnedModelBesideTheModel) {
  Write("p.json", "{\"any\": \"bytes\"}");
  Write("model.toml", "[predictive]\nmodel = \"p.json\"\nfield = \"p_win\"\n");
  Result<Model> result = LoadModel(dir_ / "model.toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_TRUE(result->predictive.has_value());
  EXPECT_EQ(result->predictive->field, "p_win");
  EXPECT_EQ(result->predictive->written, "p.json");
  EXPECT_EQ(result->predictive->file, (dir_ / "p.json").string());
  EXPECT_EQ(result->predictive->content, "{\"any\": \"bytes\"}");
  EXPECT_EQ(result->predictive->file_pos.line, 2);

  Write("default.toml", "[predictive]\nmodel = \"p.json\"\n");
  result = LoadModel(dir_ / "default.toml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->predictive->field, "p_convert");
  Write("none.toml", "[fit]\n");
  result = LoadModel(dir_ / "none.toml");
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->predictive.has_value());
}

TEST_F(ListFileTest, PredictiveMistakesHavePositions) {
  Write("model.toml", "[predictive]\nmodel = \"gone.json\"\nfield = \"P Convert\"\nwhy = 1\n");
  Result<Model> result = LoadModel(dir_ / "model.toml");
  ASSERT_FALSE(result.ok());
  std::string file = (dir_ / "model.toml").string();
  EXPECT_EQ(result.status().message(),
            file + ":2:9: cannot read the predictive model \"" + (dir_ / "gone.json").string() +
                "\": no such file (write one with `leadq learn`)\n" + file +
                ":3:9: [predictive] field \"P Convert\" is not a column key: write it as "
                "\"p_convert\"\n" +
                file + ":4:1: unknown key \"why\" in [predictive]");
  Write("p.json", "{}");
  Write("hide.toml", "[predictive]\nmodel = \"p.json\"\nfield = \"lead_id\"\n");
  result = LoadModel(dir_ / "hide.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("would hide a field leadq defines"), std::string::npos);
  Write("nofile.toml", "[predictive]\nfield = \"p\"\n");
  result = LoadModel(dir_ / "nofile.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("missing required key \"model\" in [predictive]"),
            std::string::npos)
      << result.status().message();
}


// [export]: the example's shape, and each kind of mistake reported with its position.
TEST(ParseModel, ExportSection) {
  Result<Model> m = Parse(R"toml(
[export]
origin = "DE"
currency = "EUR"
markets = ["US", "PL"]
min_margin = 0.08
[export.usd_per]
EUR = 1.08
PLN = 0.25
[export.activity]
months = 12
min_shipments = 4
[export.movement]
period_months = 6
supplier_hhi = 0.6
[[export.product]]
hs = "8708.30"
fob_price = 38.0
unit_weight_kg = 9.0
market_price = { US = 74.0 }
[[export.destination]]
country = "PL"
currency = "PLN"
basis = "cif"
duty_free = true
mode = "land"
  [[export.destination.fee]]
  name = "broker"
  rate = 0.01
  base = "customs_value"
  min = 10
  max = 100
)toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE(m->exports.has_value());
  const ExportSection& e = *m->exports;
  EXPECT_EQ(e.origin, "DE");
  EXPECT_EQ(e.products.at(0).hs, "870830");
  EXPECT_EQ(e.products.at(0).market_price.at(0).first, "US");
  EXPECT_EQ(e.recent_months, 12);
  EXPECT_EQ(e.min_recent_shipments, 4);
  EXPECT_EQ(e.period_months, 6);
  EXPECT_EQ(e.movement.supplier_hhi, 0.6);
  EXPECT_FALSE(e.movement.volume_growth.has_value());
  EXPECT_EQ(e.destinations.at(0).basis, ValuationBasis::kCif);
  EXPECT_EQ(e.destinations.at(0).fees.at(0).max, 100);
  // An export-only model is complete: no warning about missing grades or rules; only that the
  // market US has no customs rule (its economics will be unknown).
  ASSERT_EQ(m->warnings.size(), 1U);
  EXPECT_NE(m->warnings[0].message.find("market \"US\" has no [[export.destination]]"),
            std::string::npos);

  std::string errors = ErrorsOf(R"toml(
[export]
origin = "Germany"
currency = "EUR"
[export.activity]
min_shipments = 0
[[export.product]]
hs = "87"
fob_price = -1
unit_weight_kg = 1
[[export.destination]]
country = "US"
currency = "USD"
basis = "DDP"
  [[export.destination.fee]]
  name = "mpf"
  rate = 3.464
  min = 700
  max = 600
)toml");
  EXPECT_NE(errors.find("m.toml:3:10: origin \"Germany\" must be an ISO 3166-1 alpha-2"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("min_shipments must be between 1 and"), std::string::npos) << errors;
  EXPECT_NE(errors.find("hs \"87\" must be an HS code of 4 to 10 digits"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("fob_price must be > 0"), std::string::npos) << errors;
  EXPECT_NE(errors.find("basis \"DDP\" must be \"FOB\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("fee rate must be between 0 and 1"), std::string::npos) << errors;
  EXPECT_NE(errors.find("min 700 is above max 600"), std::string::npos) << errors;
  EXPECT_NE(errors.find("currency \"EUR\" has no rate in [export.usd_per]"), std::string::npos)
      << errors;
  EXPECT_NE(ErrorsOf("[export]\norigin = \"DE\"\n[[export.product]]\nhs = \"8708\"\nfob_price = 1\n"
                     "unit_weight_kg = 1\n[export.unknown_key]\n")
                .find("unknown key \"unknown_key\" in [export]"),
            std::string::npos);
  EXPECT_NE(ErrorsOf("[export]\norigin = \"DE\"\ntariffs = [{ file = \"nope.csv\" }]\n"
                     "[[export.product]]\nhs = \"8708\"\nfob_price = 1\nunit_weight_kg = 1\n")
                .find("cannot read the tariff file"),
            std::string::npos);
}

}  // namespace
}  // namespace leadq::model
