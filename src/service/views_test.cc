// The JSON views of the HTTP API over a real workspace (a SQLite file in a temporary directory),
// set up through the use cases the CLI calls: a model applied, leads and events stored, a
// rescore, stage moves, framework answers, an assignment.
#include "service/views.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "core/text.h"
#include "core/time.h"
#include "service/handoff.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"
#include "service/progress.h"

namespace leadq::service {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

TimePoint At(const char* iso) { return *ParseTimestamp(iso); }

// A fresh directory for one test, removed afterwards.
fs::path ScratchDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 ("leadq-views-" +
                  std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Fit: 100 for lead.fit "high". Intent: a demo request 60, a page view 10. Grades A (fit >= 50),
// B; 1 (intent >= 50), 2. A1 is an MQL, B-anything nurture, A2 stays a plain lead. No gates: the
// default one (accepted -> sql needs BANT all met) holds. No [handoff]: nobody takes an MQL by
// rule, so new MQLs wait.
constexpr std::string_view kModel = R"toml(
[fit]
[[fit.rule]]
name = "High fit"
when = { field = "lead.fit", eq = "high" }
points = 100

[intent]
[[intent.event]]
type = "demo_request"
points = 60
[[intent.event]]
type = "page_view"
points = 10

[grades]
fit = { A = 50, B = 0 }
intent = { "1" = 50, "2" = 0 }

[actions]
default = "lead"
mql = ["A1"]
nurture = ["B1", "B2"]
)toml";

store::LeadRow Lead(std::string id, std::string account, std::string first, std::string last,
                    std::string fit) {
  store::LeadRow l;
  l.lead_id = std::move(id);
  if (!account.empty()) l.account_id = std::move(account);
  l.fields = {{"first_name", first},
              {"last_name", last},
              {"email", AsciiLower(first) + "@example.com"},
              {"job_title", "Head of Ops"},
              {"fit", fit}};
  return l;
}

// ana's move of one lead.
StageRequest Stage(std::string lead, std::string to, TimePoint at) {
  StageRequest r;
  r.lead_id = std::move(lead);
  r.to = std::move(to);
  r.by = "ana";
  r.at = at;
  return r;
}

store::EventRow Event(std::string lead, std::string type, TimePoint at) {
  store::EventRow e;
  e.lead_id = std::move(lead);
  e.type = std::move(type);
  e.occurred_at = at;
  return e;
}

class Views : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    Result<Workspace> ws = InitWorkspace(dir_ / "ws");
    ASSERT_TRUE(ws.ok()) << ws.status().message();
    ws_ = std::move(*ws);
    Result<AppliedModel> applied =
        ApplyModelContent(ws_, std::string(kModel), "first", "test", t0_);
    ASSERT_TRUE(applied.ok()) << applied.status().message();
    ASSERT_EQ(applied->version, 1);
  }
  void TearDown() override {
    ws_.store.reset();
    fs::remove_all(dir_);
  }

  // Five leads:      fit    events                       score cell action -> stage
  //   L1 Ada Lovelace  high   demo_request                A1   mql    -> mql
  //   L2 Alan Turing   high   page_view                   A2   lead   -> new
  //   L3 Grace Hopper  low    demo_request                B1   nurture-> nurture
  //   L4 Linus T       low    -                           B2   nurture-> nurture
  //   L5 Edsger D      high   demo_request, page_view     A1   mql    -> mql
  // Scores (fit + intent, weights 1): L5 100 + 70 = 170 > L1 160 > L2 110 > L3 60 > L4 0.
  void Seed() {
    Result<std::unique_ptr<store::Transaction>> tx = ws_.store->Begin();
    ASSERT_TRUE(tx.ok());
    store::WriteStats stats;
    std::vector<store::AccountRow> accounts = {{"ACME", {{"tier", "gold"}}}, {"INIT", {}}};
    ASSERT_TRUE((*tx)->UpsertAccounts(accounts, t0_, stats).ok());
    std::vector<store::LeadRow> leads = {
        Lead("L1", "ACME", "Ada", "Lovelace", "high"), Lead("L2", "ACME", "Alan", "Turing", "high"),
        Lead("L3", "INIT", "Grace", "Hopper", "low"), Lead("L4", "", "Linus", "T", "low"),
        Lead("L5", "", "Edsger", "D", "high")};
    ASSERT_TRUE((*tx)->UpsertLeads(leads, t0_, "import", stats).ok());
    std::vector<store::EventRow> events = {
        Event("L1", "demo_request", t0_), Event("L2", "page_view", t0_),
        Event("L3", "demo_request", t0_), Event("L5", "demo_request", t0_),
        Event("L5", "page_view", t0_)};
    ASSERT_TRUE((*tx)->InsertEvents(events, stats).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
    Progress quiet("rescore", false);
    Result<RescoreReport> r = Rescore(ws_, t1_, quiet);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  Json Detail(const std::string& lead) {
    Result<Json> d = LeadDetailJson(ws_, lead, t2_);
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : Json();
  }

  static const Json* Move(const Json& detail, const std::string& to) {
    for (const Json& m : detail["moves"]) {
      if (m["to"] == to) return &m;
    }
    return nullptr;
  }

  fs::path dir_;
  Workspace ws_;
  TimePoint t0_ = At("2026-03-01T09:00:00Z");
  TimePoint t1_ = At("2026-03-01T10:00:00Z");
  TimePoint t2_ = At("2026-03-02T09:30:00Z");
};

TEST_F(Views, LeadDetailFollowsScoreMovesAndAnswers) {
  Seed();
  Json d = Detail("L1");
  EXPECT_EQ(d["lead_id"], "L1");
  EXPECT_EQ(d["account_id"], "ACME");
  EXPECT_EQ(d["account"]["fields"]["tier"], "gold");
  EXPECT_EQ(d["fields"]["first_name"], "Ada");
  EXPECT_EQ(d["created_at"], "2026-03-01T09:00:00Z");
  EXPECT_EQ(d["stage"]["stage"], "mql");
  EXPECT_EQ(d["stage"]["since"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(d["owner"], nullptr);
  EXPECT_EQ(d["handoff"], nullptr);
  // Fit 100, intent 60: score 100 + 60 = 160 (weights 1), cell A1, action mql.
  EXPECT_EQ(d["score"]["score"], 160);
  EXPECT_EQ(d["score"]["cell"], "A1");
  EXPECT_EQ(d["score"]["action"], "mql");
  EXPECT_EQ(d["score"]["model_version"], 1);
  ASSERT_TRUE(d["explanation"].is_object());
  // From mql a person may make every move of the table (a rule's too); none is gated.
  std::vector<std::string> from_mql;
  for (const Json& m : d["moves"]) {
    from_mql.push_back(m["to"]);
    EXPECT_EQ(m["allowed"], true) << m["to"];
    EXPECT_EQ(m["blocked_by"], nullptr) << m["to"];
  }
  EXPECT_EQ(from_mql,
            (std::vector<std::string>{"accepted", "nurture", "disqualified", "recycled"}));

  Result<store::Transition> accepted = MoveStage(ws_, Stage("L1", "accepted", t1_ + 1));
  ASSERT_TRUE(accepted.ok()) << accepted.status().message();
  QualifyRequest budget;
  budget.lead_id = "L1";
  budget.framework = "bant";
  budget.answers = {{"budget", "met"}};
  budget.evidence = "50k approved";
  budget.source = "call";
  budget.by = "ana";
  budget.at = t1_ + 2;
  ASSERT_TRUE(Qualify(ws_, budget).ok());

  d = Detail("L1");
  EXPECT_EQ(d["stage"]["stage"], "accepted");
  // From accepted a person may move to sql (gated), nurture, disqualified (with a reason) and
  // recycled.
  std::vector<std::string> tos;
  for (const Json& m : d["moves"]) tos.push_back(m["to"]);
  EXPECT_EQ(tos, (std::vector<std::string>{"sql", "nurture", "disqualified", "recycled"}));
  const Json* sql = Move(d, "sql");
  ASSERT_NE(sql, nullptr);
  EXPECT_EQ((*sql)["allowed"], false) << "BANT has 1 of 4 met";
  ASSERT_TRUE((*sql)["blocked_by"].is_string());
  EXPECT_NE((*sql)["blocked_by"].get<std::string>().find("BANT"), std::string::npos)
      << (*sql)["blocked_by"];
  const Json* dq = Move(d, "disqualified");
  ASSERT_NE(dq, nullptr);
  EXPECT_EQ((*dq)["needs_reason"], true);
  EXPECT_NE(std::find((*dq)["reasons"].begin(), (*dq)["reasons"].end(), "no_budget"),
            (*dq)["reasons"].end());
  EXPECT_EQ((*Move(d, "nurture"))["reasons"], Json::array());

  // Every framework of the model, BANT required by the default gate.
  std::vector<std::string> keys;
  for (const Json& f : d["frameworks"]) keys.push_back(f["framework"]);
  EXPECT_EQ(keys, (std::vector<std::string>{"bant", "meddic", "champ"}));
  const Json& bant = d["frameworks"][0];
  EXPECT_EQ(bant["name"], "BANT");
  EXPECT_EQ(bant["required"], true);
  EXPECT_EQ(d["frameworks"][1]["required"], false);
  EXPECT_EQ(bant["met"], 1);
  EXPECT_EQ(bant["total"], 4);
  const Json& c = bant["criteria"][0];
  EXPECT_EQ(c["criterion"], "budget");
  EXPECT_EQ(c["value"], "met");
  EXPECT_EQ(c["evidence"], "50k approved");
  EXPECT_EQ(c["source"], "call");
  EXPECT_EQ(c["author"], "ana");
  EXPECT_EQ(c["expired"], false);
  EXPECT_FALSE(c["description"].get<std::string>().empty());
  EXPECT_EQ(bant["criteria"][1]["value"], "unknown");
  EXPECT_EQ(bant["criteria"][1]["author"], nullptr);

  // The other three met: the gate opens, and the move goes through.
  QualifyRequest rest = budget;
  rest.answers = {{"authority", "met"}, {"need", "met"}, {"timing", "met"}};
  ASSERT_TRUE(Qualify(ws_, rest).ok());
  d = Detail("L1");
  EXPECT_EQ(d["frameworks"][0]["met"], 4);
  EXPECT_EQ((*Move(d, "sql"))["allowed"], true);
  EXPECT_EQ((*Move(d, "sql"))["blocked_by"], nullptr);
  ASSERT_TRUE(MoveStage(ws_, Stage("L1", "sql", t1_ + 3)).ok());

  d = Detail("L1");
  const Json& h = d["history"];
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0]["from"], "");
  EXPECT_EQ(h[0]["to"], "new");
  EXPECT_EQ(h[1]["to"], "mql");
  EXPECT_EQ(h[1]["actor"].get<std::string>().rfind("rule:", 0), 0u) << h[1]["actor"];
  EXPECT_EQ(h[1]["scores"]["cell"], "A1");
  EXPECT_EQ(h[2]["from"], "mql");
  EXPECT_EQ(h[2]["to"], "accepted");
  EXPECT_EQ(h[2]["actor"], "ana");
  EXPECT_EQ(h[3]["to"], "sql");
  EXPECT_LT(h[2]["seq"].get<int64_t>(), h[3]["seq"].get<int64_t>());
  std::vector<std::string> from_sql;
  for (const Json& m : d["moves"]) from_sql.push_back(m["to"]);
  EXPECT_EQ(from_sql, (std::vector<std::string>{"opportunity", "disqualified", "lost", "recycled",
                                                "nurture"}));

  Result<Json> unknown = LeadDetailJson(ws_, "L9", t2_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST_F(Views, LeadListCountsAllAndPagesWithNames) {
  Seed();
  store::LeadQuery q;
  q.limit = 2;
  Result<Json> page = LeadListJson(ws_, q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ((*page)["total"], 5);
  EXPECT_EQ((*page)["limit"], 2);
  EXPECT_EQ((*page)["offset"], 0);
  ASSERT_EQ((*page)["items"].size(), 2u);
  // Best score first: L5 170, L1 160.
  const Json& first = (*page)["items"][0];
  EXPECT_EQ(first["lead_id"], "L5");
  EXPECT_EQ(first["score"]["score"], 170);
  EXPECT_EQ(first["score"]["fit_grade"], "A");
  EXPECT_EQ(first["score"]["intent_grade"], "1");
  EXPECT_EQ(first["account_id"], nullptr);
  const Json& second = (*page)["items"][1];
  EXPECT_EQ(second["lead_id"], "L1");
  EXPECT_EQ(second["name"], "Ada Lovelace");
  EXPECT_EQ(second["email"], "ada@example.com");
  EXPECT_EQ(second["title"], "Head of Ops");
  EXPECT_EQ(second["stage"], "mql");
  EXPECT_EQ(second["owner"], nullptr);

  q.offset = 4;  // the last one: L4, score 0 + 0 = 0
  page = LeadListJson(ws_, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["total"], 5) << "the total ignores the page";
  ASSERT_EQ((*page)["items"].size(), 1u);
  EXPECT_EQ((*page)["items"][0]["lead_id"], "L4");

  store::LeadQuery nurture;
  nurture.stage = "nurture";
  page = LeadListJson(ws_, nurture);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["total"], 2) << "L3 and L4";
  store::LeadQuery a1;
  a1.cell = "A1";
  a1.account_id = "ACME";
  page = LeadListJson(ws_, a1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["total"], 1) << "L1: A1 and of ACME";
  EXPECT_EQ((*page)["items"][0]["lead_id"], "L1");
}

TEST_F(Views, PipelineGridMatchesTheScoresAndWaitingEndsWithAnOwner) {
  Seed();
  Result<Json> p = PipelineJson(ws_, t2_);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ((*p)["as_of"], "2026-03-02T09:30:00Z");
  EXPECT_EQ((*p)["by_stage"]["mql"], 2);
  EXPECT_EQ((*p)["by_stage"]["nurture"], 2);
  EXPECT_EQ((*p)["by_stage"]["new"], 1);
  EXPECT_EQ((*p)["by_stage"]["won"], 0);
  EXPECT_EQ((*p)["funnel"][0], (Json{{"stage", "lead"}, {"count", 5}}));
  EXPECT_EQ((*p)["funnel"][1], (Json{{"stage", "mql"}, {"count", 2}}));
  EXPECT_EQ((*p)["funnel"][2], (Json{{"stage", "accepted"}, {"count", 0}}));

  // The grid, counted by hand from the table above: A1 L1 L5, A2 L2, B1 L3, B2 L4.
  const Json& grid = (*p)["grid"];
  EXPECT_EQ(grid["fit_grades"], (Json{"A", "B"}));
  EXPECT_EQ(grid["intent_grades"], (Json{"1", "2"}));
  EXPECT_EQ(grid["counts"], (Json{{2, 1}, {1, 1}}));
  // And the same from the stored scores, cell by cell.
  Result<std::unique_ptr<store::Transaction>> tx = ws_.store->Begin();
  ASSERT_TRUE(tx.ok());
  Result<std::vector<store::LeadSummary>> all = (*tx)->ListLeads(store::LeadQuery{});
  ASSERT_TRUE(all.ok());
  std::map<std::string, int> by_cell;
  for (const store::LeadSummary& l : *all) ++by_cell[l.score->fit_grade + l.score->intent_grade];
  for (size_t f = 0; f < 2; ++f) {
    for (size_t i = 0; i < 2; ++i) {
      std::string cell =
          grid["fit_grades"][f].get<std::string>() + grid["intent_grades"][i].get<std::string>();
      EXPECT_EQ(grid["counts"][f][i], by_cell[cell]) << cell;
    }
  }
  tx->reset();

  // Both mqls wait, best first; once L5 has an owner only L1 does.
  ASSERT_EQ((*p)["waiting"].size(), 2u);
  EXPECT_EQ((*p)["waiting"][0]["lead_id"], "L5");
  EXPECT_EQ((*p)["waiting"][1]["lead_id"], "L1");
  store::Owner sam;
  sam.owner_id = "sam";
  sam.weekly_capacity = 10;
  ASSERT_TRUE(AddOwner(ws_, sam, t0_).ok());
  Result<AssignOutcome> assigned =
      AssignLead(ws_, {.lead_id = "L5", .to = "sam", .by = "rita", .at = t2_});
  ASSERT_TRUE(assigned.ok()) << assigned.status().message();
  p = PipelineJson(ws_, t2_);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ((*p)["waiting"].size(), 1u);
  EXPECT_EQ((*p)["waiting"][0]["lead_id"], "L1");

  Result<std::string> owner = LeadOwnerOf(ws_, "L5");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(*owner, "sam");
  owner = LeadOwnerOf(ws_, "L1");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(*owner, "");
  owner = LeadOwnerOf(ws_, "L9");
  ASSERT_FALSE(owner.ok());
  EXPECT_EQ(owner.status().code(), StatusCode::kNotFound);
  Result<Json> detail = LeadDetailJson(ws_, "L5", t2_);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ((*detail)["owner"], "sam");
  EXPECT_EQ((*detail)["handoff"]["owner"], "sam");
}

TEST_F(Views, StatusAndAccounts) {
  Seed();
  Result<Json> s = StatusJson(ws_);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)["leads"], 5);
  EXPECT_EQ((*s)["accounts"], 2);
  EXPECT_EQ((*s)["events"], 5);
  EXPECT_EQ((*s)["outcomes"], 0);
  EXPECT_EQ((*s)["scored"], 5);
  EXPECT_EQ((*s)["model_version"], 1);
  EXPECT_EQ((*s)["by_stage"]["mql"], 2);
  EXPECT_EQ((*s)["by_stage"].size(), 10u) << "every stage";

  Result<Json> list = AccountListJson(ws_, 1, 1);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["total"], 2);
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0], (Json{{"account_id", "INIT"}, {"fields", Json::object()}}));

  Result<Json> acme = AccountJson(ws_, "ACME");
  ASSERT_TRUE(acme.ok()) << acme.status().message();
  EXPECT_EQ((*acme)["fields"], (Json{{"tier", "gold"}}));
  ASSERT_EQ((*acme)["leads"].size(), 2u);
  EXPECT_EQ((*acme)["leads"][0]["lead_id"], "L1");
  EXPECT_EQ((*acme)["leads"][1]["name"], "Alan Turing");
  Result<Json> none = AccountJson(ws_, "NOPE");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST_F(Views, ApplyModelContentStoresVersionsAndRefusesABadModelWithItsPosition) {
  // The same text again changes nothing.
  Result<AppliedModel> same = ApplyModelContent(ws_, std::string(kModel), "again", "test", t1_);
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_TRUE(same->unchanged);
  EXPECT_EQ(same->version, 1);

  std::string raised(kModel);
  raised.replace(raised.find("points = 100"), 12, "points = 90");
  Result<AppliedModel> v2 = ApplyModelContent(ws_, raised, "lower fit", "ana", t1_);
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_EQ(v2->version, 2);
  EXPECT_FALSE(v2->unchanged);
  EXPECT_EQ(v2->changes, (std::vector<std::string>{"fit rule \"High fit\" points: 100 -> 90"}));

  // Line 5 of the text ("when = ...") is the rule's condition; "eqq" is no operator.
  std::string bad(kModel);
  bad.replace(bad.find("eq = \"high\""), 2, "eqq");
  Result<AppliedModel> refused = ApplyModelContent(ws_, bad, "typo", "ana", t1_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(refused.status().message().rfind("model.toml:5:", 0), 0u) << refused.status().message();
  EXPECT_EQ(refused.status().message().find(ws_.dir.string()), std::string::npos)
      << "no server path in the message: " << refused.status().message();

  Result<Json> history = ModelHistoryJson(ws_);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)["active"], 2);
  ASSERT_EQ((*history)["versions"].size(), 2u);
  EXPECT_EQ((*history)["versions"][0]["version"], 2);
  EXPECT_EQ((*history)["versions"][0]["author"], "ana");
  EXPECT_EQ((*history)["versions"][0]["message"], "lower fit");
  EXPECT_EQ((*history)["versions"][0]["created_at"], "2026-03-01T10:00:00Z");

  Result<Json> v1 = ModelVersionJson(ws_, 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ((*v1)["content"], std::string(kModel));
  EXPECT_EQ((*v1)["active"], false);
  EXPECT_EQ(ModelVersionJson(ws_, 7).status().code(), StatusCode::kNotFound);

  Result<Json> diff = ModelDiffJson(ws_, 1, 2);
  ASSERT_TRUE(diff.ok()) << diff.status().message();
  EXPECT_EQ(
      *diff,
      (Json{{"from", 1}, {"to", 2}, {"changes", {"fit rule \"High fit\" points: 100 -> 90"}}}));
}

// Times LeadListJson and PipelineJson on a big workspace: 100,000 leads in a Release build
// (NDEBUG), 2,000 otherwise. Prints; asserts only that the answers are whole.
// Server requests write a model version's files (models/v<N>/) when they are missing, several
// at once: a reader must never see a half-written file. Threads keep removing the stamp, which
// makes every load write the files again while the others read them.
TEST_F(Views, ConcurrentLoadsOfAModelVersionNeverReadAHalfWrittenFile) {
  std::optional<store::ModelVersion> active;
  {
    Result<std::unique_ptr<store::Transaction>> tx = ws_.store->BeginRead();
    ASSERT_TRUE(tx.ok());
    Result<std::optional<store::ModelVersion>> a = (*tx)->ActiveModel();
    ASSERT_TRUE(a.ok() && a->has_value());
    active = **a;
  }
  const fs::path stamp = ws_.dir / "models" / "v1" / ".hash";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        std::error_code ec;
        fs::remove(stamp, ec);
        Result<model::Model> m = LoadModelVersion(ws_, *active);
        if (!m.ok() || m->fit.rules.size() != 1) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // No temporary file is left behind.
  for (const fs::directory_entry& e : fs::directory_iterator(ws_.dir / "models" / "v1")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(Views, TimesTheListAndThePipelineOnManyLeads) {
#ifdef NDEBUG
  constexpr size_t kLeads = 100'000;
#else
  constexpr size_t kLeads = 2'000;
#endif
  {
    Result<std::unique_ptr<store::Transaction>> tx = ws_.store->Begin();
    ASSERT_TRUE(tx.ok());
    std::vector<store::LeadRow> leads;
    std::vector<store::ScoreRecord> scores;
    std::vector<store::Transition> moves;
    const char* fit[] = {"A", "B"};
    const char* intent[] = {"1", "2"};
    for (size_t i = 0; i < kLeads; ++i) {
      std::string id = "L" + std::to_string(i);
      leads.push_back(Lead(id, "", "First" + std::to_string(i), "Last", i % 2 ? "high" : "low"));
      store::ScoreRecord s;
      s.lead_id = id;
      s.model_version = 1;
      s.as_of = t1_;
      s.score = static_cast<double>((i * 7919) % 10'000) / 100.0;
      s.fit_grade = fit[i % 2];
      s.intent_grade = intent[(i / 2) % 2];
      s.action = s.fit_grade + s.intent_grade == "A1" ? "mql" : "lead";
      if (s.action == "mql") {
        store::Transition t;
        t.lead_id = id;
        t.from_stage = "new";
        t.to_stage = "mql";
        t.at = t1_;
        t.actor = "rule:action";
        moves.push_back(std::move(t));
      }
      scores.push_back(std::move(s));
    }
    store::WriteStats stats;
    ASSERT_TRUE((*tx)->UpsertLeads(leads, t0_, "import", stats).ok());
    ASSERT_TRUE((*tx)->WriteScores(scores).ok());
    ASSERT_TRUE((*tx)->AppendTransitions(moves).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  store::LeadQuery q;
  q.limit = 50;
  Result<Json> warm = LeadListJson(ws_, q);  // the page cache warmed
  ASSERT_TRUE(warm.ok());
  Clock::time_point start = Clock::now();
  Result<Json> page = LeadListJson(ws_, q);
  double list_ms = ms(Clock::now() - start);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["total"], kLeads);
  EXPECT_EQ((*page)["items"].size(), 50u);
  q.stage = "mql";
  start = Clock::now();
  page = LeadListJson(ws_, q);
  double mql_ms = ms(Clock::now() - start);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["total"], kLeads / 4);
  start = Clock::now();
  Result<Json> pipeline = PipelineJson(ws_, t2_);
  double pipeline_ms = ms(Clock::now() - start);
  ASSERT_TRUE(pipeline.ok());
  EXPECT_EQ((*pipeline)["grid"]["counts"][0][0], kLeads / 4);
  EXPECT_EQ((*pipeline)["waiting"].size(), 100u);
  std::printf(
      "[ timing ] %zu leads: LeadListJson page of 50 %.1f ms, stage=mql %.1f ms; "
      "PipelineJson %.1f ms\n",
      kLeads, list_ms, mql_ms, pipeline_ms);
}

}  // namespace
}  // namespace leadq::service
