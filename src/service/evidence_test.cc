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

// Imports leads.csv, events.csv and deals.csv of `dir`; each must import whole.
void ImportAll(Workspace& ws, const std::filesystem::path& dir, TimePoint now) {
  for (auto [kind, file] :
       {std::pair{ImportKind::kLeads, "leads.csv"}, std::pair{ImportKind::kEvents, "events.csv"},
        std::pair{ImportKind::kOutcomes, "deals.csv"}}) {
    ImportRequest req;
    req.kind = kind;
    req.file = dir / file;
    req.actor = "test";
    req.now = now;
    Result<ImportReport> r = ImportFile(ws, req);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(r->committed) << file << ": " << r->first_reasons;
  }
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
    ImportAll(ws_, dir_, t0);
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

namespace leadq::service {
namespace {

TEST(RewriteNumbers, ReplacesOnlyTheNumbersAtThePositions) {
  std::string text = "a = 1\n[x]\npoints = 25   # keep\nname = \"Zoë\" ; p = -3.5\n";
  std::string out = RewriteNumbers(text, {{{3, 10}, 40}, {{4, 20}, -1.25}, {{9, 1}, 7}});
  EXPECT_EQ(out, "a = 1\n[x]\npoints = 40   # keep\nname = \"Zoë\" ; p = -1.25\n");
}

// 80 leads: executives win far more often, gmail addresses less; demo requests say nothing.
TEST(SuggestWeights, ProposesPointsThatFollowTheOutcomes) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "leadq-suggest-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string model = kModel;
  model.insert(model.find("[intent]"),
               "[[fit.rule]]\nname = \"Gmail\"\nwhen = { field = \"lead.email\", ends_with = "
               "\"@gmail.com\" }\npoints = 10\n\n");
  Write(dir / "model.toml", model);
  std::string leads = "lead_id,title,email,created_at\n";
  std::string events = "lead_id,type,occurred_at\n";
  std::string deals = "deal_id,lead_id,status,created_at,closed_at\n";
  for (int i = 0; i < 80; ++i) {
    const bool exec = i % 2 == 0;
    const bool gmail = i % 3 == 0;
    const std::string id = "L" + std::to_string(i);
    leads += id + "," + (exec ? "CTO" : "Analyst") + "," + id +
             (gmail ? "@gmail.com" : "@corp.io") + ",2026-01-01\n";
    if (i % 4 < 2) events += id + ",demo_request,2026-01-05\n";
    // Executives win 3 in 4, others 1 in 4; gmail turns a win into a loss half the time.
    bool won = exec ? (i % 8 != 0) : (i % 8 == 1);
    if (gmail && won && i % 5 < 3) won = false;
    deals += "D" + id + "," + id + "," + (won ? "won" : "lost") + ",2026-01-10,2026-02-10\n";
  }
  Write(dir / "leads.csv", leads);
  Write(dir / "events.csv", events);
  Write(dir / "deals.csv", deals);
  Result<Workspace> ws = InitWorkspace(dir / "ws");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  ImportAll(*ws, dir, At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(ApplyModel(*ws, dir / "model.toml", "first", "test", 0).ok());
  Progress quiet("test", false);
  ASSERT_TRUE(Rescore(*ws, At("2026-01-06T00:00:00Z"), quiet).ok());

  Result<SuggestReport> r = SuggestWeights(*ws, {.out = dir / "suggested.toml"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->leads, 80u);
  ASSERT_EQ(r->rows.size(), 3u);
  const WeightSuggestion& exec = r->rows[0];
  const WeightSuggestion& gmail = r->rows[1];
  const WeightSuggestion& demo = r->rows[2];
  EXPECT_EQ(exec.name, "Executive");
  EXPECT_EQ(exec.matched, 40u);
  ASSERT_TRUE(exec.coef.has_value());
  EXPECT_GT(*exec.coef, 0);
  ASSERT_TRUE(gmail.coef.has_value());
  EXPECT_LT(*gmail.coef, 0);
  EXPECT_LT(gmail.proposed, 0) << "a fit rule that goes with losing gets negative points";
  EXPECT_GT(exec.proposed, 0);
  EXPECT_NEAR(std::abs(exec.proposed) + std::abs(gmail.proposed), 70, 1) << "fit keeps its total";
  EXPECT_EQ(demo.section, "intent");
  EXPECT_GT(r->current_auc, 0.5);
  EXPECT_GT(r->indicators_auc, 0.6);
  Result<model::Model> written = model::LoadModel(dir / "suggested.toml");
  ASSERT_TRUE(written.ok()) << written.status().message();
  EXPECT_EQ(written->fit.rules[0].points, exec.proposed);
  EXPECT_EQ(written->fit.rules[1].points, gmail.proposed);
  EXPECT_FALSE(r->diff.empty());
  EXPECT_NE(SuggestText(*r).find("model backtest"), std::string::npos);

  // Too few outcomes: a clear refusal.
  Result<Workspace> empty = InitWorkspace(dir / "empty");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(ApplyModel(*empty, dir / "model.toml", "first", "test", 0).ok());
  Result<SuggestReport> none = SuggestWeights(*empty, {.out = dir / "none.toml"});
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("too few outcomes"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace leadq::service
