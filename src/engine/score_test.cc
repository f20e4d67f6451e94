// MODEL.md's scoring rules, one at a time, through the real loaders and the real scorer.
#include "engine/score.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/engine_test_data.h"

namespace leadq::engine {
namespace {

using testing_support::At;
using testing_support::Load;

constexpr std::string_view kGrades = R"(
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
)";

std::string WithGrades(std::string_view body) { return std::string(body) + std::string(kGrades); }

TEST(Score, DecayAtZeroOneAndTwoHalfLives) {
  auto t = Load(WithGrades(R"(
[intent]
half_life_days = 10
[[intent.event]]
type = "a"
points = 40
[[intent.event]]
type = "b"
points = 40
[[intent.event]]
type = "c"
points = 40
)"),
                "lead_id\nL1\nL2\nL3\n",
                "lead_id,type,occurred_at\n"
                "L1,a,2026-03-01T00:00:00Z\n"
                "L2,b,2026-02-19\n"
                "L3,c,2026-02-09T00:00:00+00:00\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].intent, 40.0);
  EXPECT_DOUBLE_EQ(run.leads[1].intent, 20.0);
  EXPECT_DOUBLE_EQ(run.leads[2].intent, 10.0);
}

TEST(Score, EntryHalfLifeOverridesAndZeroMeansNoDecay) {
  auto t =
      Load(WithGrades(R"(
[intent]
half_life_days = 10
[[intent.event]]
type = "fast"
points = 40
half_life_days = 5
[[intent.event]]
type = "never"
points = 40
half_life_days = 0
)"),
           "lead_id\nL1\n", "lead_id,type,occurred_at\nL1,fast,2026-02-24\nL1,never,2025-03-01\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].intent, 20.0 + 40.0);
}

TEST(Score, WindowEdgeAndFutureEvents) {
  auto t = Load(WithGrades(R"(
[intent]
window_days = 30
[[intent.event]]
type = "visit"
points = 1
)"),
                "lead_id\nL1\n",
                "lead_id,type,occurred_at\n"
                "L1,visit,2026-01-30T00:00:00Z\n"    // exactly 30 days: counts
                "L1,visit,2026-01-29T23:59:59Z\n"    // just over: does not
                "L1,visit,2026-03-01T00:00:00Z\n"    // at as_of: counts
                "L1,visit,2026-03-01T00:00:01Z\n");  // after as_of: ignored
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].intent, 2.0);
  EXPECT_EQ(run.events_after_as_of, 1u);
  EXPECT_EQ(run.events_outside_window, 1u);
}

TEST(Score, FirstMatchCapAndMax) {
  auto t = Load(WithGrades(R"(
[intent]
max = 50
[[intent.event]]
type = "page_view"
points = 10
cap = 25
when = { field = "event.page", contains = "pricing" }
[[intent.event]]
type = "PAGE_VIEW "
points = 1
[[intent.event]]
type = "demo"
points = 40
)"),
                "lead_id\nL1\nL2\n",
                "lead_id,type,occurred_at,page\n"
                "L1, Page_View ,2026-03-01,/pricing\n"
                "L1,page_view,2026-03-01,/Pricing/teams\n"
                "L1,page_view,2026-03-01,/PRICING\n"
                "L1,page_view,2026-03-01,/blog\n"
                "L1,unknown,2026-03-01,/pricing\n"
                "L2,demo,2026-03-01,\n"
                "L2,demo,2026-03-01,\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].intent, 25.0 + 1.0);  // 30 capped at 25, plus the blog view
  EXPECT_DOUBLE_EQ(run.leads[1].intent, 50.0);        // 80 limited to max 50
  EXPECT_EQ(run.events_unmatched, 1u);
}

TEST(Score, DuplicateEventIdsCountOnceTheFirst) {
  auto t = Load(WithGrades(R"(
[[intent.event]]
type = "a"
points = 5
[[intent.event]]
type = "b"
points = 7
)"),
                "lead_id\nL1\nL2\n",
                "event_id,lead_id,type,occurred_at\n"
                "E1,L1,a,2026-03-01\n"
                "E1,L1,b,2026-03-01\n"
                ",L1,a,2026-03-01\n"
                ",L1,a,2026-03-01\n"
                "E1,L2,b,2026-03-01\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->data.events.duplicates, 2u);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].intent, 15.0);  // E1 as "a", and both events without an id
  EXPECT_DOUBLE_EQ(run.leads[1].intent, 0.0);
}

TEST(Score, FitClampsAndNegativesCountOncePerLead) {
  auto t = Load(WithGrades(R"(
[fit]
max = 60
[[fit.rule]]
name = "big"
when = { field = "lead.size", gte = 100 }
points = 50
[[fit.rule]]
name = "software"
when = { field = "lead.industry", eq = "software" }
points = 30
[[fit.rule]]
name = "student"
when = { field = "lead.title", contains = "student" }
points = -90
[intent]
window_days = 10
[[negative]]
name = "Hard bounce"
event = "email_bounce"
points = -50
[[negative]]
name = "Unsubscribed"
when = { field = "lead.unsubscribed", eq = true }
points = -30
[[negative]]
name = "Bounced and unsubscribed"
when = { field = "lead.unsubscribed", eq = true }
event = "email_bounce"
points = -5
[score]
fit_weight = 0.5
intent_weight = 2
)"),
                "lead_id,size,industry,title,unsubscribed\n"
                "L1,500,Software,,no\n"
                "L2,500,software,Student,yes\n"
                "L3,10,retail,,yes\n",
                "lead_id,type,occurred_at\n"
                "L1,email_bounce,2026-03-01\n"
                "L1,email_bounce,2026-02-28\n"
                "L2,email_bounce,2026-01-01\n"  // outside the window
                "L3,Email_Bounce,2026-02-25\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(run.leads[0].fit, 60.0);
  EXPECT_DOUBLE_EQ(run.leads[0].negative, -50.0);
  EXPECT_DOUBLE_EQ(run.leads[0].score, 0.5 * 60 - 50);
  EXPECT_DOUBLE_EQ(run.leads[1].fit, 0.0);
  EXPECT_DOUBLE_EQ(run.leads[1].negative, -30.0);
  EXPECT_DOUBLE_EQ(run.leads[2].negative, -85.0);
  EXPECT_DOUBLE_EQ(run.leads[2].score, -85.0);  // not clamped
}

TEST(Score, GradesFromUnroundedValuesAndLowestBelowAll) {
  auto t = Load(R"(
[[fit.rule]]
name = "x"
when = { field = "lead.x", exists = true }
points = 49.999
[grades.fit]
B = 50
A = 75
C = 25
[grades.intent]
1 = 10
2 = 5
)",
                "lead_id,x\nL1,1\nL2,\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_EQ(t->model.fit_grades[run.leads[0].fit_grade].name, "C");  // 49.999 shows 50.00
  EXPECT_EQ(t->model.fit_grades[run.leads[1].fit_grade].name, "C");  // 0: below every threshold
  EXPECT_EQ(t->model.intent_grades[run.leads[1].intent_grade].name, "2");
}

TEST(Score, ChannelsReplaceListsAndDisqualificationWins) {
  auto t = Load(R"(
[[fit.rule]]
name = "fit"
when = { field = "lead.fit", exists = true }
points = 80
[[disqualify]]
reason = "competitor"
when = { field = "lead.email_domain", in_list = "competitors" }
[[disqualify]]
reason = "no_consent"
when = { field = "lead.consent", eq = false }
[lists]
competitors = ["rival.com"]
[grades.fit]
A = 75
B = 0
[grades.intent]
1 = 50
2 = 0
[actions]
mql = ["A1", "A2"]
nurture = ["B1"]
review = ["B2"]
[[channel]]
name = "outbound"
when = { field = "lead.channel", eq = "outbound" }
[channel.actions]
nurture = ["A2", "B1"]
[[channel]]
name = "everyone else"
when = { field = "lead.channel", exists = true }
[channel.actions]
mql = ["A1"]
)",
                "lead_id,fit,channel,email,consent\n"
                "L1,1,inbound,a@x.com,yes\n"
                "L2,1,outbound,b@x.com,yes\n"
                "L3,1,outbound,c@Mail.RIVAL.com,no\n"
                "L4,1,outbound,d@RIVAL.COM ,no\n"
                "L5,,,e@x.com,no\n");
  ASSERT_TRUE(t);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  auto action = [&](size_t i) { return t->compiled.actions[run.leads[i].action]; };
  EXPECT_EQ(action(0), "lead");     // A2 left mql (replaced by [A1]) and fell to the default
  EXPECT_EQ(action(1), "nurture");  // A2 moved into the replaced nurture list, left mql
  EXPECT_EQ(action(2), "disqualified");
  EXPECT_EQ(t->model.disqualify[run.leads[2].disqualify].reason, "no_consent");
  EXPECT_EQ(action(3), "disqualified");
  EXPECT_EQ(t->model.disqualify[run.leads[3].disqualify].reason, "competitor");  // first match
  EXPECT_DOUBLE_EQ(run.leads[3].fit, 80.0);  // scores are still computed
  EXPECT_EQ(action(4), "disqualified");
  EXPECT_EQ(run.leads[4].channel, -1);
}

TEST(Score, ExplanationAddsUpToTheScore) {
  auto t = Load(WithGrades(R"(
[[fit.rule]]
name = "software"
when = { field = "account.industry", eq = "software" }
points = 25
[intent]
half_life_days = 7
window_days = 60
[[intent.event]]
type = "demo"
points = 40
cap = 50
[[negative]]
name = "Hard bounce"
event = "email_bounce"
points = -20
)"),
                "lead_id,account_id\nL1,A1\n",
                "event_id,lead_id,type,occurred_at\n"
                "E1,L1,demo,2026-02-22\n"
                "E2,L1,demo,2026-03-01\n"
                "E3,L1,email_bounce,2026-02-27\n"
                "E4,L1,webinar,2026-02-27\n"
                "E5,L1,demo,2025-01-01\n"
                "E6,L1,demo,2026-04-01\n",
                "account_id,industry\nA1,Software\n");
  ASSERT_TRUE(t);
  LeadExplanation why = ExplainLead(t->compiled, t->data, At("2026-03-01"), 0);
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  EXPECT_DOUBLE_EQ(why.score.score, run.leads[0].score);
  ASSERT_EQ(why.fit_rules.size(), 1u);
  ASSERT_EQ(why.entries.size(), 1u);
  EXPECT_EQ(why.entries[0].events.size(), 2u);
  EXPECT_DOUBLE_EQ(why.entries[0].sum, 60.0);
  EXPECT_DOUBLE_EQ(why.entries[0].counted, 50.0);
  EXPECT_DOUBLE_EQ(why.entries[0].events[0].age_days, 7.0);
  EXPECT_DOUBLE_EQ(why.entries[0].events[0].points, 20.0);
  ASSERT_EQ(why.negatives.size(), 1u);
  EXPECT_EQ(t->data.events.ids[static_cast<size_t>(why.negatives[0].event_row)], "E3");
  EXPECT_EQ(why.ignored.size(), 4u);  // the bounce (no entry), webinar, too old, in the future
  EXPECT_DOUBLE_EQ(why.score.score, 25 + 50 - 20);
}

// Lead-level conditions are answered for blocks of 256 leads a column at a time; the answers
// must be those of one lead at a time (EvalLead), for nested conditions over lead and account
// fields, leads without an account, and blocks that start anywhere and end short.
TEST(Score, BlocksOfLeadsAnswerAsOneLeadAtATime) {
  const char* kModel = R"(
[[fit.rule]]
name = "big software"
when = { all = [ { field = "account.industry", eq = "software" },
                 { field = "account.employees", gte = 200 } ] }
points = 30
[[fit.rule]]
name = "senior or not a student"
when = { any = [ { field = "lead.title", contains = "VP" },
                 { not = { field = "lead.title", starts_with = "student" } } ] }
points = 20
[[fit.rule]]
name = "no account"
when = { field = "account.industry", exists = false }
points = -5
[[fit.rule]]
name = "empty any"
when = { any = [ { all = [ { field = "lead.country", in = ["DE", "FR"] },
                           { not = { field = "account.employees", lt = 50 } } ] },
                 { field = "lead.country", eq = "US" } ] }
points = 7.25
[[negative]]
name = "students"
when = { field = "lead.title", starts_with = "student" }
points = -10
[[disqualify]]
reason = "competitor"
when = { all = [ { field = "account.industry", eq = "security" }, { field = "lead.country", eq = "US" } ] }
[[disqualify]]
reason = "out_of_icp"
when = { field = "lead.title", contains = "intern" }
[[channel]]
name = "europe"
when = { field = "lead.country", in = ["DE", "FR"] }
[channel.actions]
mql = ["A1"]
)";
  const char* titles[] = {"VP Sales", "student", "Student intern", "Engineer", "", "CTO"};
  const char* countries[] = {"DE", "US", "FR", "", "BR"};
  const char* industries[] = {"software", "security", "retail", ""};
  std::string accounts = "account_id,industry,employees\n";
  for (int a = 0; a < 37; ++a) {
    accounts += "A" + std::to_string(a) + "," + industries[a % 4] + "," +
                (a % 5 == 0 ? std::string() : std::to_string(a * 13)) + "\n";
  }
  std::string leads = "lead_id,account_id,title,country\n";
  for (int i = 0; i < 700; ++i) {
    std::string account =
        i % 7 == 0 ? "" : (i % 11 == 0 ? "A-unknown" : "A" + std::to_string(i % 41));
    leads += "L" + std::to_string(i) + "," + account + "," + titles[(i * 7) % 6] + "," +
             countries[(i / 3) % 5] + "\n";
  }
  auto t = Load(WithGrades(kModel), leads, std::nullopt, accounts);
  ASSERT_TRUE(t);
  const ConditionSet& conds = t->compiled.conditions;
  std::vector<int> roots = t->compiled.disqualify;
  roots.insert(roots.end(), t->compiled.channels.begin(), t->compiled.channels.end());
  for (const auto& r : t->compiled.fit_rules) roots.push_back(r.when);
  for (const auto& n : t->compiled.negatives) roots.push_back(n.when);
  const uint32_t n = static_cast<uint32_t>(t->data.leads.size());
  std::vector<std::vector<uint8_t>> temp;
  for (int root : roots) {
    for (uint32_t first : {0u, 3u, 255u, 511u}) {
      std::vector<uint8_t> out(n - first, 9);
      conds.EvalLeadBlock(root, first, n - first, t->data.leads.account.data(), out.data(), temp);
      for (uint32_t i = first; i < n; ++i) {
        ASSERT_EQ(out[i - first], conds.EvalLead(root, i, t->data.leads.account[i]) ? 1 : 0)
            << "root " << root << ", lead " << i << ", block from " << first;
      }
    }
  }
  ScoreRun run = ScoreLeads(t->compiled, t->data, At("2026-03-01"));
  int disqualified = 0, europe = 0;
  for (uint32_t i = 0; i < n; ++i) {
    LeadScore one = ExplainLead(t->compiled, t->data, At("2026-03-01"), i).score;
    const LeadScore& block = run.leads[i];
    ASSERT_EQ(block.fit, one.fit) << i;
    ASSERT_EQ(block.negative, one.negative) << i;
    ASSERT_EQ(block.action, one.action) << i;
    ASSERT_EQ(block.channel, one.channel) << i;
    ASSERT_EQ(block.disqualify, one.disqualify) << i;
    disqualified += block.disqualify >= 0;
    europe += block.channel == 0;
  }
  // The data exercise every branch.
  EXPECT_GT(disqualified, 0);
  EXPECT_GT(europe, 0);
}

}  // namespace
}  // namespace leadq::engine
