// MODEL.md "Conditions", one operator at a time, on single cells.
#include "engine/condition.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

namespace leadq::engine {
namespace {

using model::Condition;
using model::Op;
using model::Operand;

Operand Str(std::string s) { return Operand{Operand::Kind::kString, std::move(s), 0, false}; }
Operand Num(double v) { return Operand{Operand::Kind::kNumber, "", v, false}; }
Operand Bool(bool b) { return Operand{Operand::Kind::kBool, "", 0, b}; }

Condition Leaf(Op op, std::vector<Operand> operands) {
  Condition c;
  c.op = op;
  c.operands = std::move(operands);
  if (op == Op::kMatches) c.regex = std::make_shared<RE2>(c.operands[0].text, RE2::Quiet);
  return c;
}

bool On(const Condition& c, std::string_view cell, const model::NamedList* list = nullptr) {
  return EvalLeafOnValue(c, true, cell, list);
}
bool Missing(const Condition& c, const model::NamedList* list = nullptr) {
  return EvalLeafOnValue(c, false, {}, list);
}

TEST(Condition, EqStringTrimsAndIgnoresAsciiCase) {
  Condition c = Leaf(Op::kEq, {Str("  Software ")});
  EXPECT_TRUE(On(c, "software"));
  EXPECT_TRUE(On(c, "  SOFTWARE\t"));
  EXPECT_FALSE(On(c, "soft ware"));
  EXPECT_FALSE(Missing(c));
  Condition ne = Leaf(Op::kNe, {Str("software")});
  EXPECT_FALSE(On(ne, "Software"));
  EXPECT_TRUE(On(ne, "fintech"));
  EXPECT_TRUE(Missing(ne));
}

TEST(Condition, EqNumberComparesNumerically) {
  Condition c = Leaf(Op::kEq, {Num(50)});
  EXPECT_TRUE(On(c, "50"));
  EXPECT_TRUE(On(c, "50.0"));
  EXPECT_TRUE(On(c, "5e1"));
  EXPECT_FALSE(On(c, "fifty"));
  EXPECT_FALSE(On(c, "1,000"));
  Condition ne = Leaf(Op::kNe, {Num(50)});
  EXPECT_TRUE(On(ne, "fifty"));  // does not parse: ne is true
  EXPECT_FALSE(On(ne, "50.00"));
  EXPECT_TRUE(Missing(ne));
}

TEST(Condition, EqBooleanReadsTheCellAsBoolean) {
  Condition t = Leaf(Op::kEq, {Bool(true)});
  for (const char* v : {"true", "YES", "1", "y", "T"}) EXPECT_TRUE(On(t, v)) << v;
  for (const char* v : {"false", "no", "0", "maybe"}) EXPECT_FALSE(On(t, v)) << v;
  Condition ne = Leaf(Op::kNe, {Bool(true)});
  EXPECT_TRUE(On(ne, "maybe"));  // no boolean reading: ne is true
  EXPECT_TRUE(On(ne, "no"));
  EXPECT_FALSE(On(ne, "Yes"));
  EXPECT_TRUE(Missing(ne));
  EXPECT_FALSE(Missing(t));
}

TEST(Condition, InAndNotInMixStringsAndNumbers) {
  Condition in = Leaf(Op::kIn, {Str("US"), Num(44)});
  EXPECT_TRUE(On(in, "us"));
  EXPECT_TRUE(On(in, "44.0"));
  EXPECT_FALSE(On(in, "GB"));
  EXPECT_FALSE(Missing(in));
  Condition not_in = Leaf(Op::kNotIn, {Num(1), Num(2)});
  EXPECT_TRUE(On(not_in, "3"));
  EXPECT_TRUE(On(not_in, "two"));  // does not parse: not_in is true
  EXPECT_FALSE(On(not_in, "2"));
  EXPECT_TRUE(Missing(not_in));
}

TEST(Condition, OrderingAndBetweenAtTheirBoundaries) {
  EXPECT_TRUE(On(Leaf(Op::kGt, {Num(10)}), "10.5"));
  EXPECT_FALSE(On(Leaf(Op::kGt, {Num(10)}), "10"));
  EXPECT_TRUE(On(Leaf(Op::kGte, {Num(10)}), "10"));
  EXPECT_TRUE(On(Leaf(Op::kLt, {Num(10)}), "-1e3"));
  EXPECT_FALSE(On(Leaf(Op::kLt, {Num(10)}), "10"));
  EXPECT_TRUE(On(Leaf(Op::kLte, {Num(10)}), "10"));
  Condition between = Leaf(Op::kBetween, {Num(200), Num(2000)});
  EXPECT_TRUE(On(between, "200"));
  EXPECT_TRUE(On(between, "2000"));
  EXPECT_FALSE(On(between, "2000.01"));
  EXPECT_FALSE(On(between, "199"));
  EXPECT_FALSE(On(between, "1,500"));
  EXPECT_FALSE(On(Leaf(Op::kGt, {Num(10)}), "12 employees"));
  for (Op op : {Op::kGt, Op::kGte, Op::kLt, Op::kLte}) EXPECT_FALSE(Missing(Leaf(op, {Num(0)})));
  EXPECT_FALSE(Missing(between));
}

TEST(Condition, SubstringTestsIgnoreCase) {
  EXPECT_TRUE(On(Leaf(Op::kContains, {Str("Pricing")}), "/en/PRICING/plans"));
  EXPECT_FALSE(On(Leaf(Op::kContains, {Str("pricing")}), "/price"));
  EXPECT_TRUE(On(Leaf(Op::kStartsWith, {Str("/docs")}), "/DOCS/api"));
  EXPECT_FALSE(On(Leaf(Op::kStartsWith, {Str("/docs")}), "/en/docs"));
  EXPECT_TRUE(On(Leaf(Op::kEndsWith, {Str(".io")}), "othervendor.IO "));
  EXPECT_FALSE(On(Leaf(Op::kEndsWith, {Str(".io")}), "io"));
  EXPECT_FALSE(Missing(Leaf(Op::kContains, {Str("")})));
}

TEST(Condition, MatchesIsCaseSensitiveUnlessThePatternSaysSo) {
  EXPECT_TRUE(On(Leaf(Op::kMatches, {Str("\\bVP\\b")}), "SVP? no: VP Sales"));
  EXPECT_FALSE(On(Leaf(Op::kMatches, {Str("\\bVP\\b")}), "vp sales"));
  EXPECT_TRUE(On(Leaf(Op::kMatches, {Str("(?i)\\bvp\\b")}), "VP Sales"));
  EXPECT_TRUE(On(Leaf(Op::kMatches, {Str("^Head")}), "  Head of IT"));  // the cell is trimmed
  EXPECT_FALSE(Missing(Leaf(Op::kMatches, {Str(".*")})));
}

TEST(Condition, ExistsIsTheOnlyWayToMatchMissing) {
  EXPECT_TRUE(Missing(Leaf(Op::kExists, {Bool(false)})));
  EXPECT_FALSE(Missing(Leaf(Op::kExists, {Bool(true)})));
  EXPECT_TRUE(On(Leaf(Op::kExists, {Bool(true)}), "x"));
  EXPECT_FALSE(On(Leaf(Op::kExists, {Bool(false)}), "x"));
  // A cell of white space only is missing.
  EXPECT_TRUE(On(Leaf(Op::kExists, {Bool(false)}), "   "));
  EXPECT_FALSE(On(Leaf(Op::kEq, {Str("")}), "   "));
  EXPECT_TRUE(On(Leaf(Op::kNe, {Str("x")}), " \t "));
}

TEST(Condition, InListComparesLikeEq) {
  model::NamedList list{"competitors", {"rival.com", " OtherVendor.io "}, "", {}};
  Condition c = Leaf(Op::kInList, {Str("competitors")});
  EXPECT_TRUE(On(c, "RIVAL.com", &list));
  EXPECT_TRUE(On(c, "othervendor.io", &list));
  EXPECT_FALSE(On(c, "rival.co", &list));
  EXPECT_FALSE(Missing(c, &list));
}

}  // namespace
}  // namespace leadq::engine
