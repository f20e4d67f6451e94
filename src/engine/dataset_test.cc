// Loading CSV into columns: required columns, row problems, joins and parallel reading.
#include "engine/dataset.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "engine/compiled_model.h"
#include "engine/engine_test_data.h"
#include "engine/score.h"

namespace leadq::engine {
namespace {

using testing_support::Load;

constexpr std::string_view kModel = R"(
[[fit.rule]]
name = "industry"
when = { field = "account.industry", eq = "software" }
points = 10
[[fit.rule]]
name = "domain"
when = { field = "lead.email_domain", eq = "x.com" }
points = 1
[[intent.event]]
type = "visit"
points = 1
when = { field = "event.page", exists = true }
)";

TEST(Dataset, RowProblemsAreCountedWithTheirLines) {
  auto t = Load(kModel,
                "lead_id,email,account_id\nL1,a@X.com ,A1\n,b@x.com,A1\nL1,dup@x.com,A1\n"
                "L2,no-at-sign,A9\n",
                "lead_id,type,occurred_at,page\n"
                "L1,visit,2026-03-01,/a\n"
                "L9,visit,2026-03-01,/a\n"
                "L1,visit,03/01/2026,/a\n"
                ",visit,2026-03-01,/a\n"
                "L2,,2026-03-01,/a\n"
                "L2,visit,2026-03-01\n",
                "account_id,industry\nA1,Software\nA1,Retail\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->data.leads.size(), 2u);
  EXPECT_EQ(t->data.leads.ids[1], "L2");
  EXPECT_EQ(t->data.leads.lines[1], 5);
  EXPECT_EQ(t->data.leads.account[1], -1);  // A9 is not in the accounts file
  EXPECT_EQ(t->data.leads_with_unknown_account, 1u);
  EXPECT_EQ(t->data.accounts.size(), 1u);
  EXPECT_EQ(t->data.events.size(), 2u);
  const Column* domain = t->data.leads.fields.Find("email_domain");
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(domain->Value(0), "x.com");
  EXPECT_EQ(domain->Value(1), "");
  std::string messages = t->issues.Messages();
  for (const char* expected :
       {"leads.csv:3: no lead_id", "leads.csv:4: lead_id \"L1\" already on line 2",
        "events.csv:3: lead_id \"L9\" is not in the leads file",
        "events.csv:4: occurred_at \"03/01/2026\" is not an ISO 8601 time",
        "events.csv:5: no lead_id", "events.csv:6: no type",
        "events.csv:7: 3 fields where the header has 4", "accounts.csv:3: account_id \"A1\""}) {
    EXPECT_NE(messages.find(expected), std::string::npos) << expected << "\n" << messages;
  }
  EXPECT_EQ(t->issues.skipped_rows(), 7u);
}

TEST(Dataset, MissingRequiredColumnIsRefusedWithTheHeader) {
  auto lf = CsvFile::Open(testing_support::WriteTemp("l.csv", "id,name\n1,x\n"));
  ASSERT_TRUE(lf.ok());
  RowIssues issues;
  Result<Dataset> d = LoadDataset(*lf, nullptr, nullptr, DataNeeds{}, issues);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("no lead_id column"), std::string::npos);
  EXPECT_NE(d.status().message().find("the header has: id, name"), std::string::npos);
}

TEST(Dataset, ParallelReadingMatchesTheFileOrder) {
  // Large enough to be split across threads, with quoted newlines and duplicate event ids.
  std::string leads = "lead_id,email\n";
  std::string events = "event_id,lead_id,type,occurred_at,page\n";
  const int kLeads = 20000;
  for (int i = 0; i < kLeads; ++i)
    leads += "L" + std::to_string(i) + ",u@d" + std::to_string(i % 7) + ".com\n";
  for (int i = 0; i < 120000; ++i) {
    int lead = (i * 7919) % kLeads;
    events += "E" + std::to_string(i % 100000) + ",L" + std::to_string(lead) +
              ",visit,2026-02-01T00:00:00Z,\"/p\n" + std::to_string(i % 13) + "\"\n";
  }
  auto t = Load(kModel, leads, events);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->data.events.duplicates, 20000u);
  EXPECT_EQ(t->data.events.size(), 100000u);
  EXPECT_TRUE(t->issues.empty()) << t->issues.Messages();
  // Events of a lead are in file order, and their lines are right.
  for (uint32_t lead = 0; lead < 50; ++lead) {
    for (uint32_t e = t->data.events.lead_begin[lead] + 1; e < t->data.events.lead_begin[lead + 1];
         ++e) {
      EXPECT_LT(t->data.events.lines[e - 1], t->data.events.lines[e]);
    }
  }
  uint32_t first = t->data.events.lead_begin[0];
  EXPECT_EQ(t->data.events.ids[first], "E0");
  EXPECT_EQ(t->data.events.lines[first], 2);
  EXPECT_EQ(t->data.events.props.Find("page")->Value(first), "/p\n0");
}

// The parallel paths (event_id repeats found bucket by bucket, events grouped by lead in
// worker groups and lead ranges) against a plain one-row-at-a-time reference, with an odd
// number of workers so that chunks, groups and ranges do not line up.
TEST(Dataset, ParallelGroupingAndRepeatsMatchAPlainReference) {
  const char* before = std::getenv("LEADQ_THREADS");
  const std::string saved = before == nullptr ? "" : before;
  ::setenv("LEADQ_THREADS", "3", 1);
  const int kLeads = 70000;
  const int kEvents = 160000;
  std::string leads = "lead_id,email\n";
  for (int i = 0; i < kLeads; ++i) leads += "L" + std::to_string(i) + ",u@d.com\n";
  std::string events = "event_id,lead_id,type,occurred_at,page\n";
  std::vector<std::vector<int64_t>> expected(kLeads);  // lines of each lead's kept events
  std::set<std::string> seen;
  size_t repeats = 0;
  for (int i = 0; i < kEvents; ++i) {
    const int lead = static_cast<int>((static_cast<int64_t>(i) * 48271) % kLeads);
    // Every 5th row has no id; ids repeat from far earlier rows (other chunks) and near ones.
    std::string id = i % 5 == 0 ? "" : "E" + std::to_string(i % 3 == 0 ? i / 40 : i);
    events += id + ",L" + std::to_string(lead) + ",visit,2026-02-01T00:00:00Z,/p\n";
    if (!id.empty() && !seen.insert(id).second) {
      ++repeats;
      continue;
    }
    expected[lead].push_back(i + 2);
  }
  auto t = Load(kModel, leads, events);
  ::setenv("LEADQ_THREADS", saved.c_str(), 1);
  if (saved.empty()) ::unsetenv("LEADQ_THREADS");
  ASSERT_TRUE(t);
  ASSERT_GT(repeats, 1000u);
  EXPECT_EQ(t->data.events.duplicates, repeats);
  ASSERT_EQ(t->data.events.lead_begin.size(), static_cast<size_t>(kLeads) + 1);
  for (int lead = 0; lead < kLeads; ++lead) {
    const uint32_t b = t->data.events.lead_begin[static_cast<size_t>(lead)];
    const uint32_t e = t->data.events.lead_begin[static_cast<size_t>(lead) + 1];
    std::vector<int64_t> got(t->data.events.lines.begin() + b, t->data.events.lines.begin() + e);
    ASSERT_EQ(got, expected[static_cast<size_t>(lead)]) << "lead L" << lead;
  }
}

TEST(DatasetBuilder, GivesTheSameScoresAsTheCsvLoader) {
  auto t = Load(kModel, "lead_id,email,account_id\nL1,a@x.com,A1\nL2,b@y.com,A2\nL3,c@x.com,\n",
                "event_id,lead_id,type,occurred_at,page\n"
                "E1,L1,visit,2026-02-01,/a\nE1,L1,visit,2026-02-02,/a\n,L2,visit,2026-02-03,\n"
                ",L3,visit,2026-02-03,/p\n",
                "account_id,industry\nA1,Software\nA2,Retail\n");
  ASSERT_TRUE(t);
  DatasetBuilder builder(NeedsOf(t->model), "workspace");
  ASSERT_EQ(builder.lead_keys(), std::vector<std::string>{"email"});
  ASSERT_EQ(builder.account_keys(), std::vector<std::string>{"industry"});
  std::vector<std::string_view> v1{"Software"}, v2{"Retail"};
  builder.AddAccount("A1", v1);
  builder.AddAccount("A2", v2);
  std::vector<std::string_view> e1{"a@x.com"}, e2{"b@y.com"}, e3{"c@x.com"};
  builder.AddLead("L1", "A1", e1);
  builder.AddLead("L2", "A2", e2);
  builder.AddLead("L3", "", e3);
  std::vector<std::string_view> pa{"/a"}, none{""}, pp{"/p"};
  const TimePoint feb1 = testing_support::At("2026-02-01");
  builder.AddEvent("E1", "L1", "visit", feb1, pa);
  builder.AddEvent("E1", "L1", "visit", feb1 + kMicrosPerDay, pa);
  builder.AddEvent("", "L2", "visit", feb1 + 2 * kMicrosPerDay, none);
  builder.AddEvent("", "L3", "visit", feb1 + 2 * kMicrosPerDay, pp);
  builder.AddEvent("", "L9", "visit", feb1, pp);
  RowIssues issues;
  Dataset data = builder.Finish(issues);
  EXPECT_EQ(issues.skipped_rows(), 1u);
  CompiledModel compiled = CompileModel(t->model, data);
  const TimePoint as_of = testing_support::At("2026-03-01");
  ScoreRun from_rows = ScoreLeads(compiled, data, as_of);
  ScoreRun from_csv = ScoreLeads(t->compiled, t->data, as_of);
  ASSERT_EQ(from_rows.leads.size(), from_csv.leads.size());
  for (size_t i = 0; i < from_rows.leads.size(); ++i) {
    EXPECT_DOUBLE_EQ(from_rows.leads[i].fit, from_csv.leads[i].fit) << i;
    EXPECT_DOUBLE_EQ(from_rows.leads[i].intent, from_csv.leads[i].intent) << i;
  }
  EXPECT_DOUBLE_EQ(from_rows.leads[0].fit, 11);
  EXPECT_DOUBLE_EQ(from_rows.leads[0].intent, 1);
  EXPECT_DOUBLE_EQ(from_rows.leads[1].intent, 0);
  EXPECT_DOUBLE_EQ(from_rows.leads[2].fit, 1);
}

// A store's events: unique ids, a lead's events one after the other (but a lead may come back,
// and an unknown lead may sit between two known ones).
TEST(DatasetBuilder, EventsKnownUniqueAreNotSearchedForRepeatsAndKeepIdsOnlyWhenAsked) {
  for (bool with_ids : {false, true}) {
    DataNeeds needs;
    needs.event_ids = with_ids;
    DatasetBuilder builder(needs, "workspace");
    builder.EventsAreUnique();
    builder.AddLead("L1", "", {});
    builder.AddLead("L2", "", {});
    const TimePoint t = testing_support::At("2026-02-01");
    builder.AddEvent("E1", "L1", "visit", t, {});
    builder.AddEvent("E2", "L1", "visit", t + 1, {});
    builder.AddEvent("E3", "L9", "visit", t, {});  // unknown lead
    builder.AddEvent("E4", "L1", "visit", t + 2, {});
    builder.AddEvent("E5", "L2", "visit", t, {});
    builder.AddEvent("E1", "L1", "visit", t + 3, {});  // a repeat the caller promised away
    builder.AddEvent("E6", "L1", "visit", t + 4, {});
    RowIssues issues;
    Dataset data = builder.Finish(issues);
    EXPECT_EQ(issues.skipped_rows(), 1u) << "the event of L9";
    EXPECT_EQ(data.events.duplicates, 0u) << "no search for repeats";
    ASSERT_EQ(data.events.lead_begin, (std::vector<uint32_t>{0, 5, 6}));
    EXPECT_EQ(data.events.lines, (std::vector<int64_t>{1, 2, 4, 6, 7, 5}));
    if (with_ids) {
      EXPECT_EQ(data.events.ids, (std::vector<std::string>{"E1", "E2", "E4", "E1", "E6", "E5"}));
    } else {
      EXPECT_TRUE(data.events.ids.empty());
    }
  }
}

}  // namespace
}  // namespace leadq::engine
