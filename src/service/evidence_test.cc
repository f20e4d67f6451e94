// LoadLeadHistories and ScoreAtTimes over a real workspace (a SQLite file in a temporary
// directory), built through the same use cases the CLI calls.
#include "service/evidence.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/time.h"
#include "service/import.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"
#include "service/progress.h"

namespace leadq::service {
namespace {

constexpr TimePoint kDay = 86'400'000'000LL;

TimePoint At(const char* iso) { return *ParseTimestamp(iso); }

void Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

constexpr const char* kModel = R"toml(
[fit]
[[fit.rule]]
name = "Executive"
when = { field = "lead.title", eq = "CTO" }
points = 60

[intent]
half_life_days = 10

[[intent.event]]
name = "Demo"
type = "demo_request"
points = 80

[grades.fit]
A = 50
B = 0

[grades.intent]
1 = 50
2 = 0

[actions]
default = "lead"
mql = ["A1"]
)toml";

class Evidence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("leadq-evidence-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Write(dir_ / "model.toml", kModel);
    Write(dir_ / "leads.csv",
          "lead_id,account_id,title\nL1,A1,CTO\nL2,A2,CTO\nL3,A3,Intern\nL4,A4,CTO\n");
    Write(dir_ / "events.csv",
          "event_id,lead_id,type,occurred_at\n"
          "E1,L1,demo_request,2026-03-01\nE2,L2,demo_request,2026-03-01\n"
          "E3,L4,demo_request,2026-03-01\nE4,L4,demo_request,2026-03-20\n");
    Write(dir_ / "deals.csv",
          "deal_id,lead_id,account_id,status,created_at,closed_at,owner\n"
          "D1,L2,,lost,2026-03-05,2026-04-04,ana\n"
          "D2,,A4,won,2026-03-10,2026-05-09,bo\n"
          "D3,,A4,won,2026-01-01,2026-02-01,bo\n"  // before L4 existed: ignored for it
          "D4,,A3,open,2026-03-10,,bo\n");
    Result<Workspace> ws = InitWorkspace(dir_ / "ws");
    ASSERT_TRUE(ws.ok()) << ws.status().message();
    ws_ = std::move(*ws);
    const TimePoint t0 = At("2026-03-01T00:00:00Z");
    for (auto [kind, file] :
         {std::pair{ImportKind::kLeads, "leads.csv"}, std::pair{ImportKind::kEvents, "events.csv"},
          std::pair{ImportKind::kOutcomes, "deals.csv"}}) {
      ImportRequest req;
      req.kind = kind;
      req.file = dir_ / file;
      req.actor = "test";
      req.now = t0;
      Result<ImportReport> r = ImportFile(ws_, req);
      ASSERT_TRUE(r.ok()) << r.status().message();
      ASSERT_TRUE(r->committed) << file << ": " << r->first_reasons;
    }
    ASSERT_TRUE(ApplyModel(ws_, dir_ / "model.toml", "first", "test", t0).ok());
    Progress quiet("test", false);
    Result<RescoreReport> r = Rescore(ws_, At("2026-03-02T00:00:00Z"), quiet);
    ASSERT_TRUE(r.ok()) << r.status().message();
    // L1 goes all the way to won by people's moves.
    std::unique_ptr<store::Transaction> tx = ws_.store->Begin().value();
    TimePoint t = At("2026-03-03T00:00:00Z");
    std::vector<store::Transition> moves;
    const char* path[] = {"mql", "accepted", "sql", "opportunity", "won"};
    for (size_t i = 1; i < std::size(path); ++i) {
      store::Transition m;
      m.lead_id = "L1";
      m.from_stage = path[i - 1];
      m.to_stage = path[i];
      m.at = t + static_cast<TimePoint>(i) * kDay;
      m.actor = "ana";
      moves.push_back(m);
    }
    ASSERT_TRUE(tx->AppendTransitions(moves).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  Workspace ws_;
};

TEST_F(Evidence, HistoriesCarryTheMqlScoresAndTheOutcome) {
  std::unique_ptr<store::Transaction> tx = ws_.store->Begin().value();
  Result<std::vector<LeadHistory>> all = LoadLeadHistories(*tx);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 4u);
  const LeadHistory& l1 = (*all)[0];
  EXPECT_EQ(l1.lead_id, "L1");
  EXPECT_EQ(l1.account_id, "A1");
  EXPECT_EQ(l1.created_at, At("2026-03-01T00:00:00Z"));
  ASSERT_TRUE(l1.mql_at.has_value());
  EXPECT_EQ(*l1.mql_at, At("2026-03-02T00:00:00Z"));
  ASSERT_TRUE(l1.mql_scores.has_value());
  EXPECT_EQ(l1.mql_scores->fit_grade, "A");
  EXPECT_EQ(l1.outcome, Outcome::kWon);
  EXPECT_EQ(l1.outcome_source, "stage won");
  EXPECT_EQ(l1.stage, "won");
  EXPECT_EQ(l1.transitions.size(), 6u);
  // The cycle starts at the move into opportunity (day 3) and ends at won (day 4).
  ASSERT_TRUE(l1.CycleDays().has_value());
  EXPECT_DOUBLE_EQ(*l1.CycleDays(), 1.0);

  const LeadHistory& l2 = (*all)[1];  // its own deal, lost
  EXPECT_EQ(l2.outcome, Outcome::kLost);
  EXPECT_EQ(l2.outcome_source, "deal D1");
  EXPECT_DOUBLE_EQ(*l2.CycleDays(), 30.0);
  EXPECT_EQ(l2.stage, "mql");

  const LeadHistory& l3 = (*all)[2];  // an open account deal says nothing yet
  EXPECT_EQ(l3.outcome, Outcome::kUnknown);
  EXPECT_FALSE(l3.mql_at.has_value()) << "an intern is not an mql";

  const LeadHistory& l4 = (*all)[3];  // the account's later deal, not the one before it
  EXPECT_EQ(l4.outcome, Outcome::kWon);
  EXPECT_EQ(l4.outcome_source, "account deal D2");
  EXPECT_DOUBLE_EQ(*l4.CycleDays(), 60.0);
}

TEST_F(Evidence, SnapshotsScoreEachLeadAtItsOwnTime) {
  std::unique_ptr<store::Transaction> tx = ws_.store->Begin().value();
  Result<model::Model> model = ModelOrDefault(ws_, *tx);
  ASSERT_TRUE(model.ok());
  std::vector<std::pair<std::string, TimePoint>> at{
      {"L4", At("2026-03-10T00:00:00Z")},   // one demo 9 days old
      {"L4", At("2026-03-20T00:00:00Z")},   // the second demo counts too
      {"L3", At("2026-02-01T00:00:00Z")}};  // before its events
  Result<std::vector<LeadSnapshot>> s = ScoreAtTimes(*tx, *model, at);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].fit_rules, std::vector<std::string>{"Executive"});
  EXPECT_EQ((*s)[0].intent_entries, std::vector<std::string>{"Demo"});
  EXPECT_LT((*s)[0].intent, (*s)[1].intent) << "the second demo adds points";
  EXPECT_EQ((*s)[1].as_of, At("2026-03-20T00:00:00Z"));
  EXPECT_TRUE((*s)[2].fit_rules.empty());
  EXPECT_TRUE((*s)[2].intent_entries.empty());
  EXPECT_EQ((*s)[2].intent, 0);

  std::vector<std::pair<std::string, TimePoint>> unknown{{"L9", 0}};
  EXPECT_EQ(ScoreAtTimes(*tx, *model, unknown).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace leadq::service

namespace leadq::service {
namespace {

TEST_F(Evidence, BacktestComparesTheMqlsOfBothVersions) {
  std::string weaker = kModel;
  weaker.replace(weaker.find("points = 60"), 11, "points = 40");  // every CTO falls to grade B
  Write(dir_ / "weaker.toml", weaker);
  Result<BacktestReport> r = Backtest(ws_, {.model = dir_ / "weaker.toml"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->active_version, 1);
  EXPECT_EQ(r->diff, std::vector<std::string>{"fit rule \"Executive\" points: 60 -> 40"});
  EXPECT_EQ(r->leads, 4u);
  EXPECT_EQ(r->evaluations, 7u) << "4 creations and 3 mql moments";
  EXPECT_EQ(r->changed_leads, 3u);
  EXPECT_EQ(r->changed_at_creation, 3u);
  EXPECT_EQ(r->changed_at_mql, 3u);
  EXPECT_EQ(r->moves, (std::map<std::string, uint64_t>{{"mql -> lead", 6}}));
  EXPECT_EQ(r->history.leads, 3u);
  EXPECT_EQ(r->history.known, 3u);
  EXPECT_EQ(r->history.won, 2u);
  EXPECT_EQ(r->current.leads, 3u);
  EXPECT_EQ(r->proposed_mqls.leads, 0u);
  EXPECT_EQ(r->only_current.won, 2u);
  EXPECT_EQ(r->only_proposed.leads, 0u);
  EXPECT_DOUBLE_EQ(*r->current.MedianCycle(), 30.0) << "cycles 1, 30 and 60 days";
  std::string text = BacktestText(*r);
  EXPECT_NE(
      text.find(
          "leads whose action changes: 3 (3 at creation, 3 at MQL time); the changes, by moment:"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("2 won of 3 known (66.67%)"), std::string::npos) << text;

  // A window that starts after every lead was created holds nothing.
  Result<BacktestReport> none =
      Backtest(ws_, {.model = dir_ / "weaker.toml", .from = At("2026-04-01T00:00:00Z")});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->leads, 0u);

  // A broken model is refused with its position.
  Write(dir_ / "broken.toml", "[fit]\n[[fit.rule]]\nname = \"x\"\npoints = \"many\"\n");
  Result<BacktestReport> bad = Backtest(ws_, {.model = dir_ / "broken.toml"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("broken.toml:"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace leadq::service
