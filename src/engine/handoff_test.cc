// The [handoff] section and its pure decisions: parsing and validation with positions, rule
// matching, weighted round robin by capacity, cadence plans and communication limits.
#include "engine/handoff.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/engine_test_data.h"

namespace leadq::engine {
namespace {

using testing_support::Load;

TimePoint At(std::string_view text) {
  std::optional<TimePoint> t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

constexpr std::string_view kGrades = R"(
[grades]
fit = { A = 50, B = 0 }
intent = { "1" = 50, "2" = 0 }
[[channel]]
name = "outbound"
when = { field = "lead.source", eq = "list" }
[channel.actions]
mql = ["A1"]
)";

std::string WithGrades(std::string_view rest) { return std::string(kGrades) + std::string(rest); }

std::string ErrorOf(std::string_view toml) {
  Result<model::Model> m = model::ParseModel(toml, "m.toml");
  return m.ok() ? std::string("(accepted)") : m.status().message();
}

TEST(HandoffModel, ReadsEverySetting) {
  Result<model::Model> m = model::ParseModel(WithGrades(R"(
[handoff]
account_affinity = false
fallback = ["dana"]
limit = { touches = 3, days = 7 }
do_not_contact = { field = "lead.do_not_call", eq = "yes" }
[[handoff.assign]]
name = "dach"
when = { field = "lead.country", in = ["Germany", "Austria"] }
pool = ["ana", "ben"]
account_affinity = true
[[handoff.sla]]
name = "hot_inbound"
cells = ["A1"]
channels = ["none"]
minutes = 5
escalate = "reassign"
escalate_after_minutes = 10
[[handoff.sla]]
name = "outbound"
channels = ["outbound"]
minutes = 240
working_hours = true
[[handoff.cadence]]
name = "standard"
touches = 6
days = 14
min_spacing_hours = 24
via = ["call", "Email", "linkedin"]
reply_wait_days = 4
)"),
                                             "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  const model::HandoffSection& h = m->handoff;
  EXPECT_FALSE(h.account_affinity);
  EXPECT_EQ(h.fallback, std::vector<std::string>{"dana"});
  EXPECT_EQ(h.limit_touches, 3);
  EXPECT_EQ(h.limit_days, 7);
  ASSERT_TRUE(h.do_not_contact.has_value());
  ASSERT_EQ(h.rules.size(), 1u);
  EXPECT_EQ(h.rules[0].pool, (std::vector<std::string>{"ana", "ben"}));
  EXPECT_EQ(h.rules[0].account_affinity, true);
  ASSERT_EQ(h.sla.size(), 2u);
  EXPECT_EQ(h.sla[0].escalate, model::Escalation::kReassign);
  EXPECT_EQ(h.sla[0].escalate_after_minutes, 10);
  EXPECT_TRUE(h.sla[1].working_hours);
  ASSERT_EQ(h.cadences.size(), 1u);
  EXPECT_EQ(h.cadences[0].via, (std::vector<std::string>{"call", "email", "linkedin"}));
  EXPECT_EQ(h.cadences[0].reply_wait_days, 4);
}

TEST(HandoffModel, RefusesEveryMistakeWithItsPosition) {
  std::string error = ErrorOf(WithGrades(R"(
[handoff]
fallbak = ["dana"]
[[handoff.assign]]
name = "dach"
pool = []
[[handoff.sla]]
name = "hot"
cells = ["Z9"]
channels = ["outbond"]
minutes = 0
escalate = "shout"
[[handoff.cadence]]
name = "tight"
touches = 6
days = 2
min_spacing_hours = 24
via = ["fax"]
)"));
  EXPECT_NE(error.find("m.toml:12:1: unknown key \"fallbak\" in [handoff]; did you mean "
                       "\"fallback\"?"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("m.toml:15:8: pool must not be empty"), std::string::npos) << error;
  EXPECT_NE(error.find("m.toml:18:10: cell \"Z9\" names no (fit grade, intent grade) pair"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("m.toml:19:13: unknown channel \"outbond\"; did you mean \"outbound\"?"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("m.toml:20:11: minutes must be > 0, got 0"), std::string::npos) << error;
  EXPECT_NE(error.find("m.toml:21:12: unknown escalate \"shout\""), std::string::npos) << error;
  EXPECT_NE(error.find("cadence \"tight\": 6 touches at least 24 hours apart need 5 days, but "
                       "days is 2"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("m.toml:27:8: unknown touch channel \"fax\""), std::string::npos) << error;
}

TEST(HandoffModel, FindsTheFirstRuleForACellAndChannel) {
  Result<model::Model> m = model::ParseModel(WithGrades(R"(
[[handoff.sla]]
name = "hot_inbound"
cells = ["A1"]
channels = ["none"]
minutes = 5
[[handoff.sla]]
name = "outbound"
channels = ["outbound"]
minutes = 240
[[handoff.sla]]
name = "rest"
minutes = 1440
)"),
                                             "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(FindSlaRule(*m, "A1", "")->name, "hot_inbound");
  EXPECT_EQ(FindSlaRule(*m, "A1", "outbound")->name, "outbound");
  EXPECT_EQ(FindSlaRule(*m, "B2", "")->name, "rest");
  EXPECT_EQ(FindCadence(*m, "A1", ""), nullptr);
}

TEST(HandoffRouting, FirstMatchingRuleAndDoNotContact) {
  auto loaded =
      Load(WithGrades(R"(
[handoff]
do_not_contact = { field = "lead.do_not_call", eq = "yes" }
[[handoff.assign]]
name = "dach"
when = { field = "account.country", in = ["Germany", "Austria"] }
pool = ["ana"]
[[handoff.assign]]
name = "big"
when = { field = "lead.employees", gte = 1000 }
pool = ["ben"]
)"),
           "lead_id,account_id,employees,do_not_call\nL1,A1,10,\nL2,A2,5000,yes\nL3,A3,5,\n",
           std::nullopt, "account_id,country\nA1,germany\nA2,France\nA3,Spain\n");
  ASSERT_NE(loaded, nullptr);
  CompiledHandoff routing(loaded->model, loaded->data);
  auto account = [&](uint32_t row) { return loaded->data.leads.account[row]; };
  EXPECT_EQ(routing.MatchAssignRule(0, account(0)), 0);
  EXPECT_EQ(routing.MatchAssignRule(1, account(1)), 1);
  EXPECT_EQ(routing.MatchAssignRule(2, account(2)), -1);
  EXPECT_FALSE(routing.DoNotContact(0, account(0)));
  EXPECT_TRUE(routing.DoNotContact(1, account(1)));
}

TEST(ChooseOwner, SharesThousandsOfLeadsInProportionToCapacity) {
  std::vector<OwnerLoad> pool = {
      {"ana", 400, 0, -1, true}, {"ben", 200, 0, -1, true}, {"cy", 100, 0, -1, true}};
  std::map<std::string, int> got;
  for (int lead = 0; lead < 700; ++lead) {
    std::optional<size_t> pick = ChooseOwner(pool);
    ASSERT_TRUE(pick.has_value()) << "lead " << lead;
    ++pool[*pick].assigned;
    pool[*pick].last_assigned_at = lead;
    ++got[std::string(pool[*pick].owner_id)];
    // At every moment no owner is more than one lead ahead of its share.
    for (const OwnerLoad& o : pool) {
      double share = static_cast<double>(lead + 1) * static_cast<double>(o.capacity) / 700.0;
      EXPECT_LE(static_cast<double>(o.assigned), share + 1.0) << o.owner_id << " at " << lead;
    }
  }
  EXPECT_EQ(got["ana"], 400);
  EXPECT_EQ(got["ben"], 200);
  EXPECT_EQ(got["cy"], 100);
  EXPECT_FALSE(ChooseOwner(pool).has_value()) << "everyone is full";
}

TEST(ChooseOwner, SkipsInactiveAndFullOwnersAndBreaksTiesByWaiting) {
  std::vector<OwnerLoad> pool = {{"ana", 10, 0, 50, true},
                                 {"ben", 10, 0, 20, true},
                                 {"cy", 10, 0, -1, false},
                                 {"dee", 1, 1, -1, true}};
  EXPECT_EQ(ChooseOwner(pool), std::optional<size_t>(1));  // ben waited longer than ana
  pool[1].available = false;
  EXPECT_EQ(ChooseOwner(pool), std::optional<size_t>(0));
}

model::CadenceRule Cadence(int touches, double days, double spacing_hours) {
  model::CadenceRule c;
  c.name = "c";
  c.touches = touches;
  c.days = days;
  c.min_spacing_hours = spacing_hours;
  c.via = {"call", "email"};
  c.reply_wait_days = 3;
  return c;
}

TEST(Cadence, PlansTouchesOverTheDaysWithSpacing) {
  model::CadenceRule c = Cadence(3, 10, 48);
  TimePoint start = At("2026-03-02T09:00:00Z");
  TimePoint due = At("2026-03-02T09:05:00Z");
  CadencePlan p = PlanCadence(c, start, due, {}, start);
  EXPECT_EQ(p.done, 0);
  EXPECT_EQ(p.next_due, due);
  EXPECT_EQ(p.next_channel, "call");

  std::vector<TouchFact> touches = {{At("2026-03-06T10:00:00Z"), "call", "no_answer"}};
  p = PlanCadence(c, start, due, touches, At("2026-03-06T11:00:00Z"));
  EXPECT_EQ(p.done, 1);
  // Planned at start + 5 days = 03-07 09:00, but the spacing says 03-08 10:00.
  EXPECT_EQ(p.next_due, At("2026-03-08T10:00:00Z"));
  EXPECT_EQ(p.next_channel, "email");

  touches.push_back({At("2026-03-08T10:00:00Z"), "email", "sent"});
  touches.push_back({At("2026-03-12T09:00:00Z"), "call", "voicemail"});
  p = PlanCadence(c, start, due, touches, At("2026-03-14T00:00:00Z"));
  EXPECT_EQ(p.done, 3);
  EXPECT_FALSE(p.next_due.has_value());
  EXPECT_FALSE(p.exhausted_at.has_value()) << "still waiting for a reply";
  p = PlanCadence(c, start, due, touches, At("2026-03-15T09:00:00Z"));
  EXPECT_EQ(p.exhausted_at, At("2026-03-15T09:00:00Z"));
}

TEST(Cadence, AReplyOrAMeetingStopsIt) {
  model::CadenceRule c = Cadence(3, 10, 24);
  TimePoint start = At("2026-03-02T09:00:00Z");
  std::vector<TouchFact> touches = {{At("2026-03-02T10:00:00Z"), "email", "sent"},
                                    {At("2026-03-03T10:00:00Z"), "email", "replied"}};
  CadencePlan p = PlanCadence(c, start, start, touches, At("2026-04-01T00:00:00Z"));
  EXPECT_EQ(p.stopped_at, At("2026-03-03T10:00:00Z"));
  EXPECT_FALSE(p.next_due.has_value());
  EXPECT_FALSE(p.exhausted_at.has_value());
  EXPECT_TRUE(StopsCadence("meeting_booked"));
  EXPECT_FALSE(StopsCadence("no_answer"));
}

TEST(TouchLimit, NeverMoreThanKInDDaysAndMeetingsDoNotCount) {
  model::HandoffSection h;
  h.limit_touches = 2;
  h.limit_days = 7;
  std::vector<TouchFact> touches = {{At("2026-03-01T10:00:00Z"), "call", "no_answer"},
                                    {At("2026-03-03T10:00:00Z"), "meeting", "held"},
                                    {At("2026-03-04T10:00:00Z"), "email", "sent"}};
  std::optional<std::string> refused = CheckTouchLimit(h, touches, At("2026-03-05T10:00:00Z"));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(*refused,
            "2 touches in the last 7 days already (the model's limit is 2 in 7 days); the next "
            "one is allowed from 2026-03-08T10:00:00Z");
  EXPECT_FALSE(CheckTouchLimit(h, touches, At("2026-03-08T10:00:01Z")).has_value());
  h.limit_touches = 0;
  EXPECT_FALSE(CheckTouchLimit(h, touches, At("2026-03-05T10:00:00Z")).has_value());
}

}  // namespace
}  // namespace leadq::engine
