// The conformance suite of the Store interface (store.h), written once for every implementation.
//
// An implementation's test file includes this header (once per test binary: it defines tests)
// and instantiates the suite with a factory that returns a fresh, empty, open store each time it
// is called (a new file, a new database or a new schema):
//
// Example:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//                            ::testing::Values(StoreFactory{"sqlite", [] { return MakeStore(); }}),
//                            StoreFactoryName);
//
// The tests assert what a user of the workspace would check: exact counts from imports,
// idempotent re-imports, nothing left by a rolled-back command, the documented scan orders, and a
// lifecycle log whose last entry is always the lead's current stage.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/hash.h"
#include "store/store.h"

namespace leadq::store::conformance {

// Makes a fresh, empty store; returns nullptr (after reporting a test failure) when it cannot.
struct StoreFactory {
  std::string name;  // a test-name suffix: letters, digits and '_'
  std::function<std::unique_ptr<Store>()> make;
};
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }
inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

// ASSERT that a Status or Result is ok, printing its message when it is not.
#define STORE_ASSERT_OK(expr)                                    \
  do {                                                           \
    auto&& store_ok_ = (expr);                                   \
    ASSERT_TRUE(store_ok_.ok()) << store_ok_.status().message(); \
  } while (0)
// ASSERT that a Result is ok and move its value into `decl`.
#define STORE_ASSIGN(decl, expr) \
  STORE_ASSIGN_IMPL(LEADQ_CONCAT(store_result_, __LINE__), decl, expr)
#define STORE_ASSIGN_IMPL(tmp, decl, expr)         \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status().message(); \
  decl = std::move(tmp).value()

// 2026-01-01T00:00:00Z plus `seconds`.
inline TimePoint At(int64_t seconds) {
  return 1'767'225'600LL * kMicrosPerSecond + seconds * kMicrosPerSecond;
}

inline LeadRow Lead(std::string id, std::optional<std::string> account, std::vector<Field> fields) {
  return LeadRow{std::move(id), std::move(account), std::move(fields)};
}
inline EventRow Event(std::string event_id, std::string lead_id, std::string type,
                      TimePoint occurred_at, std::vector<Field> props = {}) {
  return EventRow{std::move(event_id), std::move(lead_id), std::move(type), occurred_at,
                  std::move(props)};
}
inline ScoreRecord Score(std::string lead_id, int64_t model_version, double score,
                         std::string fit_grade, std::string intent_grade, std::string action) {
  ScoreRecord s;
  s.lead_id = std::move(lead_id);
  s.model_version = model_version;
  s.as_of = At(1000);
  s.fit = score / 2;
  s.intent = score / 2;
  s.negative = -1.5;
  s.score = score;
  s.fit_grade = std::move(fit_grade);
  s.intent_grade = std::move(intent_grade);
  s.action = std::move(action);
  s.reason = "fit " + s.fit_grade + ", intent " + s.intent_grade;
  return s;
}
inline Transition Move(std::string lead_id, std::string from, std::string to, TimePoint at,
                       std::string actor = "ana@example.com") {
  Transition t;
  t.lead_id = std::move(lead_id);
  t.from_stage = std::move(from);
  t.to_stage = std::move(to);
  t.at = at;
  t.actor = std::move(actor);
  return t;
}

inline std::string Stats(const WriteStats& s) {
  return "inserted=" + std::to_string(s.inserted) + " updated=" + std::to_string(s.updated) +
         " unchanged=" + std::to_string(s.unchanged) +
         " duplicates=" + std::to_string(s.duplicates);
}

inline std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Text forms of what the store holds, for comparing whole states.
inline std::string ScanLeadsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanLeads(keys, [&](std::string_view id, std::string_view account,
                                    std::span<const std::string_view> values) {
    out += std::string(id) + "|" + std::string(account);
    for (std::string_view v : values) out += "|" + std::string(v);
    out += "\n";
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}
inline std::string ScanAccountsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanAccounts(keys, [&](std::string_view id, std::string_view account,
                                       std::span<const std::string_view> values) {
    out += std::string(id) + "|" + std::string(account);
    for (std::string_view v : values) out += "|" + std::string(v);
    out += "\n";
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}
inline std::string ScanEventsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanEvents(
      keys, [&](std::string_view event_id, std::string_view lead_id, std::string_view type,
                TimePoint at, std::span<const std::string_view> props) {
        out += std::string(event_id) + "|" + std::string(lead_id) + "|" + std::string(type) + "|" +
               FormatTimestamp(at);
        for (std::string_view v : props) out += "|" + std::string(v);
        out += "\n";
      });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

inline std::string ScoreText(const std::optional<ScoreRecord>& s) {
  if (!s) return "-";
  return s->lead_id + " v" + std::to_string(s->model_version) + " " + FormatTimestamp(s->as_of) +
         " " + std::to_string(s->fit) + "/" + std::to_string(s->intent) + "/" +
         std::to_string(s->negative) + "/" + std::to_string(s->score) + " " + s->fit_grade +
         s->intent_grade + " " + s->action + " (" + s->reason + ")";
}

inline std::string TransitionText(const Transition& t) {
  return t.lead_id + " " + (t.from_stage.empty() ? "''" : t.from_stage) + ">" + t.to_stage + " " +
         FormatTimestamp(t.at) + " by " + t.actor + " v" + std::to_string(t.model_version) + " [" +
         t.reason + "] [" + t.note + "] " + ScoreText(t.scores);
}

inline std::string StateText(const LeadState& s) {
  return s.lead_id + " " + s.stage + " since " + FormatTimestamp(s.stage_since) + " recycled " +
         std::to_string(s.recycle_count) + " until " +
         (s.recycle_until ? FormatTimestamp(*s.recycle_until) : "-") + " below " +
         (s.below_line_since ? FormatTimestamp(*s.below_line_since) : "-");
}

inline std::string OutcomeText(const OutcomeRow& o) {
  return o.deal_id + "|" + o.account_id + "|" + o.lead_id + "|" +
         (o.created_at ? FormatTimestamp(*o.created_at) : "-") + "|" +
         (o.closed_at ? FormatTimestamp(*o.closed_at) : "-") + "|" +
         std::string(DealStatusName(o.status)) + "|" + (o.value ? std::to_string(*o.value) : "-") +
         "|" + o.lost_reason;
}

inline std::string AnswerText(const Answer& a) {
  return a.lead_id + " " + a.framework + "." + a.criterion + "=" + a.value + " [" + a.evidence +
         "] " + a.source + " by " + a.author + " at " + FormatTimestamp(a.at) + " expires " +
         (a.expires_at ? FormatTimestamp(*a.expires_at) : "-");
}

// Everything a transaction can read back, as text.
inline std::string Dump(Transaction& tx) {
  std::string out;
  auto fail = [&](const Status& s) {
    ADD_FAILURE() << s.message();
    return out;
  };
  for (Entity e : {Entity::kLead, Entity::kAccount, Entity::kEvent}) {
    Result<std::vector<std::string>> keys = tx.FieldKeys(e);
    if (!keys.ok()) return fail(keys.status());
    Result<uint64_t> count = tx.Count(e);
    if (!count.ok()) return fail(count.status());
    out += "keys " + Join(*keys) + " count " + std::to_string(*count) + "\n";
    if (e == Entity::kLead) out += ScanLeadsText(tx, *keys);
    if (e == Entity::kAccount) out += ScanAccountsText(tx, *keys);
    if (e == Entity::kEvent) out += ScanEventsText(tx, *keys);
  }
  Result<std::vector<LeadState>> states = tx.LeadStates();
  if (!states.ok()) return fail(states.status());
  for (const LeadState& s : *states) {
    out += StateText(s) + "\n";
    Result<std::vector<Transition>> history = tx.History(s.lead_id);
    if (!history.ok()) return fail(history.status());
    for (const Transition& t : *history) out += "  " + TransitionText(t) + "\n";
    Result<std::optional<ScoreRecord>> score = tx.GetScore(s.lead_id);
    if (!score.ok()) return fail(score.status());
    out += "  score " + ScoreText(*score) + "\n";
    Result<std::vector<Answer>> answers = tx.Answers(s.lead_id);
    if (!answers.ok()) return fail(answers.status());
    for (const Answer& a : *answers) out += "  " + AnswerText(a) + "\n";
  }
  Result<std::vector<OutcomeRow>> outcomes = tx.Outcomes();
  if (!outcomes.ok()) return fail(outcomes.status());
  for (const OutcomeRow& o : *outcomes) out += OutcomeText(o) + "\n";
  Result<std::vector<ModelVersion>> models = tx.ModelVersions();
  if (!models.ok()) return fail(models.status());
  for (const ModelVersion& m : *models) out += "model " + std::to_string(m.version) + "\n";
  return out;
}

// The lifecycle invariant: each lead's stage and stage_since are those of its last transition.
inline void ExpectStatesFollowTheLog(Transaction& tx) {
  Result<std::vector<LeadState>> states = tx.LeadStates();
  ASSERT_TRUE(states.ok()) << states.status().message();
  for (const LeadState& s : *states) {
    Result<std::vector<Transition>> history = tx.History(s.lead_id);
    ASSERT_TRUE(history.ok()) << history.status().message();
    ASSERT_FALSE(history->empty()) << s.lead_id << " has no transition";
    EXPECT_EQ(history->front().from_stage, "") << s.lead_id;
    for (size_t i = 1; i < history->size(); ++i) {
      EXPECT_EQ((*history)[i].from_stage, (*history)[i - 1].to_stage) << s.lead_id;
      EXPECT_GT((*history)[i].seq, (*history)[i - 1].seq) << s.lead_id;
    }
    EXPECT_EQ(s.stage, history->back().to_stage) << s.lead_id;
    EXPECT_EQ(s.stage_since, history->back().at) << s.lead_id;
  }
}

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr) << "the factory made no store";
  }

  // A new transaction; null (with a test failure) when Begin fails.
  std::unique_ptr<Transaction> Begin() {
    Result<std::unique_ptr<Transaction>> tx = store_->Begin();
    EXPECT_TRUE(tx.ok()) << tx.status().message();
    if (!tx.ok()) return nullptr;
    return std::move(tx).value();
  }

  // Commits `rows` of leads in a transaction of its own.
  void CommitLeads(const std::vector<LeadRow>& rows, TimePoint now = At(0)) {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    WriteStats stats;
    STORE_ASSERT_OK(tx->UpsertLeads(rows, now, "import", stats));
    STORE_ASSERT_OK(tx->Commit());
  }

  std::unique_ptr<Store> store_;
};

// --- an empty workspace

TEST_P(StoreConformance, AnEmptyStoreHoldsNothing) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  for (Entity e : {Entity::kLead, Entity::kAccount, Entity::kEvent}) {
    STORE_ASSIGN(std::vector<std::string> keys, tx->FieldKeys(e));
    EXPECT_TRUE(keys.empty());
    STORE_ASSIGN(uint64_t count, tx->Count(e));
    EXPECT_EQ(count, 0u);
  }
  STORE_ASSIGN(std::vector<std::string> leads, tx->LeadIds());
  EXPECT_TRUE(leads.empty());
  STORE_ASSIGN(std::vector<std::string> accounts, tx->AccountIds());
  EXPECT_TRUE(accounts.empty());
  STORE_ASSIGN(std::optional<ModelVersion> active, tx->ActiveModel());
  EXPECT_FALSE(active.has_value());
  STORE_ASSIGN(std::vector<LeadSummary> list, tx->ListLeads(LeadQuery{}));
  EXPECT_TRUE(list.empty());
  STORE_ASSIGN(std::vector<OutcomeRow> outcomes, tx->Outcomes());
  EXPECT_TRUE(outcomes.empty());
  EXPECT_EQ(ScanEventsText(*tx, {"anything"}), "");
  STORE_ASSERT_OK(tx->Commit());
}

// --- upserts

TEST_P(StoreConformance, UpsertLeadsCountsExactlyAndReUpsertChangesNothing) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::vector<LeadRow> rows = {
      Lead("L3", "A1", {{"company", "Acme"}, {"country", "DE"}}),
      Lead("L1", "A1", {{"company", "Beta"}, {"country", "FR"}}),
      Lead("L2", std::nullopt, {{"company", "Gamma"}, {"country", ""}}),
  };
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertLeads(rows, At(0), "import", stats));
  EXPECT_EQ(Stats(stats), "inserted=3 updated=0 unchanged=0 duplicates=0");

  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertLeads(rows, At(10), "import", again));
  EXPECT_EQ(Stats(again), "inserted=0 updated=0 unchanged=3 duplicates=0");

  // One field changed, one account set where there was none, one row as it was.
  std::vector<LeadRow> changed = {
      Lead("L1", "A1", {{"company", "Beta GmbH"}, {"country", "FR"}}),
      Lead("L2", "A2", {{"company", "Gamma"}, {"country", ""}}),
      Lead("L3", "A1", {{"company", "Acme"}, {"country", "DE"}}),
  };
  WriteStats third;
  STORE_ASSERT_OK(tx->UpsertLeads(changed, At(20), "import", third));
  EXPECT_EQ(Stats(third), "inserted=0 updated=2 unchanged=1 duplicates=0");

  // A row without account_id leaves the account; a row with fewer fields leaves the others.
  WriteStats fourth;
  STORE_ASSERT_OK(tx->UpsertLeads(std::vector<LeadRow>{Lead("L3", std::nullopt, {})}, At(30),
                                  "import", fourth));
  STORE_ASSERT_OK(
      tx->UpsertLeads(std::vector<LeadRow>{Lead("L3", std::nullopt, {{"country", "DE"}})}, At(30),
                      "import", fourth));
  EXPECT_EQ(Stats(fourth), "inserted=0 updated=0 unchanged=2 duplicates=0")
      << "WriteStats accumulate over calls";

  // An empty value clears the field; an empty account_id removes the account.
  WriteStats fifth;
  STORE_ASSERT_OK(tx->UpsertLeads(std::vector<LeadRow>{Lead("L3", "", {{"country", ""}})}, At(40),
                                  "import", fifth));
  EXPECT_EQ(Stats(fifth), "inserted=0 updated=1 unchanged=0 duplicates=0");
  STORE_ASSERT_OK(tx->UpsertLeads(std::vector<LeadRow>{Lead("L3", "", {{"country", ""}})}, At(50),
                                  "import", fifth));
  EXPECT_EQ(Stats(fifth), "inserted=0 updated=1 unchanged=1 duplicates=0");

  EXPECT_EQ(ScanLeadsText(*tx, {"company", "country"}),
            "L3||Acme|\n"
            "L1|A1|Beta GmbH|FR\n"
            "L2|A2|Gamma|\n");
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<std::string> ids, tx->LeadIds());
  EXPECT_EQ(Join(ids), "L3,L1,L2");
  STORE_ASSIGN(uint64_t count, tx->Count(Entity::kLead));
  EXPECT_EQ(count, 3u);
}

TEST_P(StoreConformance, UpsertAccountsCountsExactly) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::vector<AccountRow> rows = {
      {"B", {{"industry", "software"}, {"employees", "120"}}},
      {"A", {{"industry", "retail"}}},
  };
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertAccounts(rows, At(0), stats));
  EXPECT_EQ(Stats(stats), "inserted=2 updated=0 unchanged=0 duplicates=0");
  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertAccounts(rows, At(1), again));
  EXPECT_EQ(Stats(again), "inserted=0 updated=0 unchanged=2 duplicates=0");
  rows[0].fields[1].value = "130";
  rows.push_back({"C", {}});
  WriteStats third;
  STORE_ASSERT_OK(tx->UpsertAccounts(rows, At(2), third));
  EXPECT_EQ(Stats(third), "inserted=1 updated=1 unchanged=1 duplicates=0");
  EXPECT_EQ(ScanAccountsText(*tx, {"employees", "industry"}),
            "B|B|130|software\n"
            "A|A||retail\n"
            "C|C||\n");
  STORE_ASSIGN(std::vector<std::string> ids, tx->AccountIds());
  EXPECT_EQ(Join(ids), "B,A,C");
  WriteStats bad;
  EXPECT_EQ(tx->UpsertAccounts(std::vector<AccountRow>{{"", {}}}, At(3), bad).code(),
            StatusCode::kInvalidInput);
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, NewKeysAreAddedInFirstSeenOrder) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L1", std::nullopt, {{"company", "Acme"}, {"country", "DE"}})},
      At(0), "import", stats));
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L2", std::nullopt, {{"employees", "40"}, {"company", "Beta"}})},
      At(0), "import", stats));
  STORE_ASSIGN(std::vector<std::string> keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "company,country,employees");
  STORE_ASSIGN(std::vector<std::string> account_keys, tx->FieldKeys(Entity::kAccount));
  EXPECT_EQ(Join(account_keys), "");

  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("E1", "L1", "page_view", At(5), {{"utm_source", "google"}}),
                            Event("E2", "L1", "page_view", At(6), {{"path", "/pricing"}})},
      stats));
  STORE_ASSIGN(std::vector<std::string> event_keys, tx->FieldKeys(Entity::kEvent));
  EXPECT_EQ(Join(event_keys), "utm_source,path");
  STORE_ASSIGN(keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "company,country,employees") << "entities have keys of their own";

  // Unknown keys read as empty; a lead without a key reads it as empty.
  EXPECT_EQ(ScanLeadsText(*tx, {"employees", "never_seen", "company"}),
            "L1||||Acme\n"
            "L2||40||Beta\n");
  EXPECT_EQ(ScanEventsText(*tx, {"path", "utm_source"}),
            "E1|L1|page_view|2026-01-01T00:00:05Z||google\n"
            "E2|L1|page_view|2026-01-01T00:00:06Z|/pricing|\n");
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "company,country,employees") << "keys persist";
}

TEST_P(StoreConformance, BadKeysAreRefusedAndChangeNothing) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  // The first row is fine and brings a new key; the second is not: the call does nothing.
  std::vector<LeadRow> rows = {Lead("L1", std::nullopt, {{"company", "Acme"}}),
                               Lead("L2", std::nullopt, {{"Bad Key", "x"}})};
  Status s = tx->UpsertLeads(rows, At(0), "import", stats);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << s.message();
  EXPECT_EQ(Stats(stats), "inserted=0 updated=0 unchanged=0 duplicates=0");
  STORE_ASSIGN(std::vector<std::string> keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "");
  STORE_ASSIGN(uint64_t count, tx->Count(Entity::kLead));
  EXPECT_EQ(count, 0u);

  s = tx->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {{"a", "1"}, {"a", "2"}})},
                      At(0), "import", stats);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << "a key twice in one row: " << s.message();
  s = tx->UpsertLeads(std::vector<LeadRow>{Lead("", std::nullopt, {})}, At(0), "import", stats);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << "empty lead_id";

  // The transaction goes on: the same key can be added now.
  STORE_ASSERT_OK(tx->UpsertLeads(std::vector<LeadRow>{rows[0]}, At(0), "import", stats));
  STORE_ASSIGN(keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "company");
  STORE_ASSERT_OK(tx->Commit());
}

// --- events

TEST_P(StoreConformance, EventsWithAnIdAreDeduplicatedByIt) {
  CommitLeads({Lead("L1", "A1", {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("E1", "L1", "page_view", At(1), {{"path", "/a"}}),
                            Event("E2", "L1", "page_view", At(1), {{"path", "/a"}}),
                            Event("E1", "L1", "page_view", At(1), {{"path", "/a"}})},
      stats));
  EXPECT_EQ(Stats(stats), "inserted=2 updated=0 unchanged=0 duplicates=1");
  // The same id with other content is the same event: the first one stays.
  WriteStats again;
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("E1", "L2", "form_submit", At(9), {{"path", "/b"}})}, again));
  EXPECT_EQ(Stats(again), "inserted=0 updated=0 unchanged=0 duplicates=1");
  EXPECT_EQ(ScanEventsText(*tx, {"path"}),
            "E1|L1|page_view|2026-01-01T00:00:01Z|/a\n"
            "E2|L1|page_view|2026-01-01T00:00:01Z|/a\n");
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, EventsWithoutAnIdAreDeduplicatedByLeadTypeAndTime) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{
          Event("", "L1", "Page View", At(1)),
          Event("", "L1", " page view ", At(1)),  // same type once trimmed and lower-cased
          Event("", "L1", "page view", At(2)),    // another time
          Event("", "L2", "page view", At(1)),    // another lead
          Event("", "L1", "email_open", At(1)),   // another type
          Event("X9", "L1", "page view", At(1)),  // has an id: identified by it alone
      },
      stats));
  EXPECT_EQ(Stats(stats), "inserted=5 updated=0 unchanged=0 duplicates=1");
  STORE_ASSIGN(uint64_t count, tx->Count(Entity::kEvent));
  EXPECT_EQ(count, 5u);
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, EventsOfUnknownLeadsAreRefusedAndChangeNothing) {
  CommitLeads({Lead("L1", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  Status s = tx->InsertEvents(std::vector<EventRow>{Event("E1", "L1", "page_view", At(1)),
                                                    Event("E2", "nobody", "page_view", At(1))},
                              stats);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_NE(s.message().find("nobody"), std::string::npos) << s.message();
  STORE_ASSIGN(uint64_t count, tx->Count(Entity::kEvent));
  EXPECT_EQ(count, 0u);
  s = tx->InsertEvents(std::vector<EventRow>{Event("E3", "L1", "  ", At(1))}, stats);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << "an event needs a type";
}

TEST_P(StoreConformance, ReImportingTheSameFilesChangesNothing) {
  auto import = [&](WriteStats& accounts, WriteStats& leads, WriteStats& events,
                    WriteStats& outcomes, TimePoint now) {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    STORE_ASSERT_OK(tx->UpsertAccounts(
        std::vector<AccountRow>{{"A1", {{"industry", "software"}}}, {"A2", {{"industry", ""}}}},
        now, accounts));
    STORE_ASSERT_OK(tx->UpsertLeads(
        std::vector<LeadRow>{Lead("L1", "A1", {{"title", "CTO"}, {"email", "a@x.io"}}),
                             Lead("L2", "A2", {{"title", "Intern"}, {"email", ""}}),
                             Lead("L3", std::nullopt, {{"title", ""}, {"email", "c@y.io"}})},
        now, "import:leads.csv", leads));
    STORE_ASSERT_OK(tx->InsertEvents(
        std::vector<EventRow>{Event("E1", "L1", "page_view", At(1), {{"path", "/pricing"}}),
                              Event("", "L1", "email_open", At(2), {{"path", ""}}),
                              Event("", "L2", "page_view", At(3), {{"path", "/"}}),
                              Event("E4", "L3", "demo_request", At(4), {{"path", "/demo"}})},
        events));
    OutcomeRow deal;
    deal.deal_id = "D1";
    deal.account_id = "A1";
    deal.lead_id = "L1";
    deal.created_at = At(100);
    deal.status = DealStatus::kOpen;
    deal.value = 12000;
    STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{deal}, outcomes));
    STORE_ASSERT_OK(tx->Commit());
  };
  WriteStats a1, l1, e1, o1;
  import(a1, l1, e1, o1, At(0));
  EXPECT_EQ(Stats(a1), "inserted=2 updated=0 unchanged=0 duplicates=0");
  EXPECT_EQ(Stats(l1), "inserted=3 updated=0 unchanged=0 duplicates=0");
  EXPECT_EQ(Stats(e1), "inserted=4 updated=0 unchanged=0 duplicates=0");
  EXPECT_EQ(Stats(o1), "inserted=1 updated=0 unchanged=0 duplicates=0");
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::string before = Dump(*tx);
  tx.reset();

  WriteStats a2, l2, e2, o2;
  import(a2, l2, e2, o2, At(1000));
  EXPECT_EQ(Stats(a2), "inserted=0 updated=0 unchanged=2 duplicates=0");
  EXPECT_EQ(Stats(l2), "inserted=0 updated=0 unchanged=3 duplicates=0");
  EXPECT_EQ(Stats(e2), "inserted=0 updated=0 unchanged=0 duplicates=4");
  EXPECT_EQ(Stats(o2), "inserted=0 updated=0 unchanged=1 duplicates=0");
  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(Dump(*tx), before);
  ExpectStatesFollowTheLog(*tx);
}

// --- transactions

TEST_P(StoreConformance, ADroppedTransactionLeavesNoTrace) {
  CommitLeads({Lead("L1", "A1", {{"company", "Acme"}})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::string before = Dump(*tx);
  tx.reset();

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(
      tx->UpsertAccounts(std::vector<AccountRow>{{"A1", {{"industry", "retail"}}}}, At(1), stats));
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L1", "A9", {{"budget", "10k"}}), Lead("L2", std::nullopt, {})},
      At(1), "import", stats));
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("E1", "L2", "page_view", At(1), {{"utm", "x"}})}, stats));
  ModelVersion model;
  model.content = "[model]\n";
  model.hash = Sha256Hex(model.content);
  STORE_ASSERT_OK(tx->AddModelVersion(model));
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{Score("L1", 1, 50, "A", "1", "call")}));
  STORE_ASSERT_OK(tx->AppendTransitions(std::vector<Transition>{Move("L1", "new", "mql", At(2))}));
  Answer answer;
  answer.lead_id = "L1";
  answer.framework = "bant";
  answer.criterion = "budget";
  answer.value = "met";
  STORE_ASSERT_OK(tx->AddAnswer(answer));
  OutcomeRow deal;
  deal.deal_id = "D1";
  deal.lead_id = "L1";
  STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{deal}, stats));
  tx.reset();  // never committed

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(Dump(*tx), before);
  // The columns the dropped transaction added are gone: adding the keys again works.
  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L1", std::nullopt, {{"budget", "5k"}})}, At(3), "import", again));
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("E1", "L1", "page_view", At(1), {{"utm", "y"}})}, again));
  EXPECT_EQ(Stats(again), "inserted=1 updated=1 unchanged=0 duplicates=0");
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<std::string> keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "company,budget");
  EXPECT_EQ(ScanEventsText(*tx, {"utm"}), "E1|L1|page_view|2026-01-01T00:00:01Z|y\n");
}

TEST_P(StoreConformance, ACommittedTransactionCannotBeUsedAgain) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->Commit());
  EXPECT_EQ(tx->Commit().code(), StatusCode::kFailedPrecondition);
  WriteStats stats;
  EXPECT_EQ(
      tx->UpsertLeads(std::vector<LeadRow>{Lead("L1", std::nullopt, {})}, At(0), "x", stats).code(),
      StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx->LeadIds().status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreConformance, TransactionsOfSeveralThreadsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kLeadsEach = 50;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<std::unique_ptr<Transaction>> tx = store_->Begin();
      if (!tx.ok()) {
        results[t] = tx.status();
        return;
      }
      std::vector<LeadRow> rows;
      for (int i = 0; i < kLeadsEach; ++i) {
        rows.push_back(Lead("T" + std::to_string(t) + "-" + std::to_string(i), std::nullopt,
                            {{"thread", std::to_string(t)}}));
      }
      WriteStats stats;
      results[t] = (*tx)->UpsertLeads(rows, At(t), "import", stats);
      if (results[t].ok()) results[t] = (*tx)->Commit();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.message();
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(uint64_t count, tx->Count(Entity::kLead));
  EXPECT_EQ(count, static_cast<uint64_t>(kThreads * kLeadsEach));
  STORE_ASSIGN(std::vector<std::string> keys, tx->FieldKeys(Entity::kLead));
  EXPECT_EQ(Join(keys), "thread");
}

// --- scans

TEST_P(StoreConformance, ScansFollowTheDocumentedOrder) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertAccounts(std::vector<AccountRow>{{"B", {}}, {"A", {}}}, At(0), stats));
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L3", "B", {}), Lead("L1", "A", {}), Lead("L2", std::nullopt, {})},
      At(0), "import", stats));
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{
          Event("e1", "L2", "visit", At(5)),
          Event("e2", "L1", "visit", At(3)),
          Event("e3", "L1", "visit", At(1)),
          Event("e4", "L2", "visit", At(1)),
          Event("e5", "L1", "open", At(3)),  // same lead and time as e2: insertion order
          Event("e0", "L1", "click", At(2)),
      },
      stats));
  // A later call's event at the same lead and time comes after the earlier ones.
  STORE_ASSERT_OK(
      tx->InsertEvents(std::vector<EventRow>{Event("e6", "L1", "close", At(3))}, stats));
  EXPECT_EQ(ScanLeadsText(*tx, {}), "L3|B\nL1|A\nL2|\n");
  EXPECT_EQ(ScanAccountsText(*tx, {}), "B|B\nA|A\n");
  EXPECT_EQ(ScanEventsText(*tx, {}),
            "e3|L1|visit|2026-01-01T00:00:01Z\n"
            "e0|L1|click|2026-01-01T00:00:02Z\n"
            "e2|L1|visit|2026-01-01T00:00:03Z\n"
            "e5|L1|open|2026-01-01T00:00:03Z\n"
            "e6|L1|close|2026-01-01T00:00:03Z\n"
            "e4|L2|visit|2026-01-01T00:00:01Z\n"
            "e1|L2|visit|2026-01-01T00:00:05Z\n");
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, LeadFieldsListsEveryKey) {
  CommitLeads({Lead("L1", std::nullopt, {{"company", "Acme"}}),
               Lead("L2", std::nullopt, {{"country", "DE"}})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<Field> fields, tx->LeadFields("L1"));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].key, "company");
  EXPECT_EQ(fields[0].value, "Acme");
  EXPECT_EQ(fields[1].key, "country");
  EXPECT_EQ(fields[1].value, "");
  EXPECT_EQ(tx->LeadFields("nobody").status().code(), StatusCode::kNotFound);
}

// --- model versions

TEST_P(StoreConformance, ModelVersionsAreNumberedAndTheNewestIsActive) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->GetModelVersion(1).status().code(), StatusCode::kNotFound);
  std::vector<std::string> contents = {"[model]\nname = \"a\"\n", "[model]\nname = \"b\"\n",
                                       "[model]\nname = \"a\"\n"};
  for (size_t i = 0; i < contents.size(); ++i) {
    ModelVersion m;
    m.version = 99;  // the store numbers versions itself
    m.content = contents[i];
    m.hash = Sha256Hex(m.content);
    m.author = "rita";
    m.message = "change " + std::to_string(i + 1);
    m.created_at = At(static_cast<int64_t>(i));
    STORE_ASSIGN(int64_t number, tx->AddModelVersion(m));
    EXPECT_EQ(number, static_cast<int64_t>(i + 1));
  }
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<ModelVersion> all, tx->ModelVersions());
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int64_t>(i + 1));
    EXPECT_EQ(all[i].content, contents[i]);
    EXPECT_EQ(all[i].hash, Sha256Hex(contents[i]));
    EXPECT_EQ(all[i].author, "rita");
    EXPECT_EQ(all[i].message, "change " + std::to_string(i + 1));
    EXPECT_EQ(all[i].created_at, At(static_cast<int64_t>(i)));
  }
  STORE_ASSIGN(std::optional<ModelVersion> active, tx->ActiveModel());
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->version, 3);
  STORE_ASSIGN(ModelVersion second, tx->GetModelVersion(2));
  EXPECT_EQ(second.content, contents[1]);
  Result<ModelVersion> missing = tx->GetModelVersion(4);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->GetModelVersion(0).status().code(), StatusCode::kNotFound);
}

// --- lifecycle

TEST_P(StoreConformance, NewLeadsStartInStageNewWithAFirstTransition) {
  CommitLeads({Lead("L1", std::nullopt, {})}, At(7));
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  // Upserting an existing lead again adds no transition.
  STORE_ASSERT_OK(
      tx->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {})}, At(8), "other", stats));
  STORE_ASSIGN(std::optional<LeadState> state, tx->GetLeadState("L1"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(StateText(*state), "L1 new since 2026-01-01T00:00:07Z recycled 0 until - below -");
  STORE_ASSIGN(std::vector<Transition> history, tx->History("L1"));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(TransitionText(history[0]), "L1 ''>new 2026-01-01T00:00:07Z by import v0 [] [] -");
  STORE_ASSIGN(std::optional<LeadState> none, tx->GetLeadState("nobody"));
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(tx->History("nobody").status().code(), StatusCode::kNotFound);
  ExpectStatesFollowTheLog(*tx);
}

TEST_P(StoreConformance, TransitionsKeepTheLeadStateInStep) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  Transition to_mql = Move("L1", "new", "mql", At(10), "rule:auto_mql");
  to_mql.model_version = 3;
  to_mql.reason = "score";
  to_mql.note = "crossed the line";
  to_mql.scores = Score("L1", 3, 72.5, "A", "2", "call");
  Transition accepted = Move("L1", "mql", "accepted", At(20));
  STORE_ASSERT_OK(tx->AppendTransitions(std::vector<Transition>{to_mql, accepted}));
  STORE_ASSIGN(std::optional<LeadState> state, tx->GetLeadState("L1"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->stage, "accepted");
  EXPECT_EQ(state->stage_since, At(20));
  STORE_ASSIGN(std::vector<Transition> history, tx->History("L1"));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(TransitionText(history[1]), TransitionText(to_mql));
  EXPECT_EQ(TransitionText(history[2]), TransitionText(accepted));
  ExpectStatesFollowTheLog(*tx);

  // A transition from a stage the lead is not in changes nothing (the batch is all-or-nothing).
  Status s = tx->AppendTransitions(
      std::vector<Transition>{Move("L2", "new", "mql", At(30)), Move("L1", "mql", "sql", At(30))});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  STORE_ASSIGN(std::vector<Transition> l2, tx->History("L2"));
  EXPECT_EQ(l2.size(), 1u);
  STORE_ASSIGN(state, tx->GetLeadState("L2"));
  EXPECT_EQ(state->stage, "new");
  EXPECT_EQ(
      tx->AppendTransitions(std::vector<Transition>{Move("nobody", "new", "mql", At(1))}).code(),
      StatusCode::kNotFound);
  EXPECT_EQ(tx->AppendTransitions(std::vector<Transition>{Move("L2", "new", "", At(1))}).code(),
            StatusCode::kInvalidInput);
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  ExpectStatesFollowTheLog(*tx);
  STORE_ASSIGN(history, tx->History("L1"));
  EXPECT_EQ(history.size(), 3u);
}

TEST_P(StoreConformance, UpdateStatesWritesRecycleAndBelowTheLineFields) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(
      tx->AppendTransitions(std::vector<Transition>{Move("L1", "new", "recycled", At(5), "ana")}));
  LeadState recycled;
  recycled.lead_id = "L1";
  recycled.stage = "recycled";
  recycled.stage_since = At(5);
  recycled.recycle_count = 1;
  recycled.recycle_until = At(500);
  STORE_ASSERT_OK(tx->UpdateStates(std::vector<LeadState>{recycled}));
  STORE_ASSIGN(std::optional<LeadState> state, tx->GetLeadState("L1"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(StateText(*state), StateText(recycled));

  // No stage: the stage and its time stay; optional fields are cleared when absent.
  LeadState later;
  later.lead_id = "L1";
  later.recycle_count = 2;
  later.below_line_since = At(7);
  STORE_ASSERT_OK(tx->UpdateStates(std::vector<LeadState>{later}));
  STORE_ASSIGN(state, tx->GetLeadState("L1"));
  EXPECT_EQ(StateText(*state),
            "L1 recycled since 2026-01-01T00:00:05Z recycled 2 until - below "
            "2026-01-01T00:00:07Z");

  // The stage changes only through the log.
  LeadState moved = later;
  moved.stage = "nurture";
  EXPECT_EQ(tx->UpdateStates(std::vector<LeadState>{moved}).code(),
            StatusCode::kFailedPrecondition);
  LeadState unknown;
  unknown.lead_id = "nobody";
  EXPECT_EQ(tx->UpdateStates(std::vector<LeadState>{unknown}).code(), StatusCode::kNotFound);

  STORE_ASSIGN(std::vector<LeadState> states, tx->LeadStates());
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].lead_id, "L1");
  EXPECT_EQ(states[1].lead_id, "L2");
  ExpectStatesFollowTheLog(*tx);
}

// --- scores and answers

TEST_P(StoreConformance, ScoresKeepTheLatestPerLead) {
  CommitLeads(
      {Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {}), Lead("L3", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ScoreRecord first = Score("L1", 1, 10, "C", "3", "nurture");
  STORE_ASSERT_OK(
      tx->WriteScores(std::vector<ScoreRecord>{first, Score("L2", 1, 20, "B", "2", "call")}));
  STORE_ASSIGN(std::optional<ScoreRecord> l1, tx->GetScore("L1"));
  EXPECT_EQ(ScoreText(l1), ScoreText(first));
  ScoreRecord second = Score("L1", 2, 30.25, "A", "1", "call");
  second.as_of = At(2000);
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{second}));
  STORE_ASSIGN(l1, tx->GetScore("L1"));
  EXPECT_EQ(ScoreText(l1), ScoreText(second));
  STORE_ASSIGN(std::optional<ScoreRecord> l3, tx->GetScore("L3"));
  EXPECT_FALSE(l3.has_value());
  EXPECT_FALSE(tx->WriteScores(std::vector<ScoreRecord>{Score("nobody", 1, 1, "A", "1", "x")}).ok())
      << "a score of an unknown lead";
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, AnswersAreKeptInOrder) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  Answer budget;
  budget.lead_id = "L1";
  budget.framework = "bant";
  budget.criterion = "budget";
  budget.value = "met";
  budget.evidence = "Budget approved for Q3 by CFO";
  budget.source = "call";
  budget.author = "sam";
  budget.at = At(10);
  budget.expires_at = At(1000);
  Answer authority = budget;
  authority.criterion = "authority";
  authority.value = "unknown";
  authority.evidence = "";
  authority.expires_at.reset();
  Answer budget_again = budget;
  budget_again.value = "partial";
  budget_again.at = At(20);
  STORE_ASSERT_OK(tx->AddAnswer(budget));
  STORE_ASSERT_OK(tx->AddAnswer(authority));
  STORE_ASSERT_OK(tx->AddAnswer(budget_again));
  STORE_ASSIGN(std::vector<Answer> answers, tx->Answers("L1"));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(AnswerText(answers[0]), AnswerText(budget));
  EXPECT_EQ(AnswerText(answers[1]), AnswerText(authority));
  EXPECT_EQ(AnswerText(answers[2]), AnswerText(budget_again));
  EXPECT_LT(answers[0].seq, answers[1].seq);
  EXPECT_LT(answers[1].seq, answers[2].seq);
  STORE_ASSIGN(std::vector<Answer> none, tx->Answers("L2"));
  EXPECT_TRUE(none.empty());
  Answer stray = budget;
  stray.lead_id = "nobody";
  EXPECT_EQ(tx->AddAnswer(stray).code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->Answers("nobody").status().code(), StatusCode::kNotFound);
  STORE_ASSERT_OK(tx->Commit());
}

// --- listing

TEST_P(StoreConformance, ListLeadsFiltersSortsAndPages) {
  CommitLeads({Lead("L4", std::nullopt, {})}, At(5));
  CommitLeads({Lead("L3", "A3", {})}, At(10));
  CommitLeads({Lead("L1", "A1", {}), Lead("L2", "A2", {})}, At(20));
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{
      Score("L1", 1, 50, "B", "2", "call"), Score("L2", 1, 80, "A", "1", "call"),
      Score("L3", 1, 20, "C", "3", "nurture")}));
  STORE_ASSERT_OK(tx->AppendTransitions(std::vector<Transition>{Move("L1", "new", "mql", At(30))}));

  auto list = [&](LeadQuery q) {
    Result<std::vector<LeadSummary>> r = tx->ListLeads(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const LeadSummary& s : *r) ids.push_back(s.lead_id);
    }
    return Join(ids);
  };
  LeadQuery q;
  EXPECT_EQ(list(q), "L2,L1,L3,L4") << "best score first, unscored last";
  q.sort = LeadQuery::Sort::kScoreAsc;
  EXPECT_EQ(list(q), "L3,L1,L2,L4") << "unscored last";
  q.sort = LeadQuery::Sort::kCreated;
  EXPECT_EQ(list(q), "L4,L3,L1,L2") << "by creation, ties in insertion order";
  q.sort = LeadQuery::Sort::kLeadId;
  EXPECT_EQ(list(q), "L1,L2,L3,L4");

  LeadQuery action;
  action.action = "call";
  EXPECT_EQ(list(action), "L2,L1");
  LeadQuery cell;
  cell.cell = "a1";
  EXPECT_EQ(list(cell), "L2") << "cells compare in any case";
  LeadQuery stage;
  stage.stage = "mql";
  EXPECT_EQ(list(stage), "L1");
  stage.stage = "new";
  stage.action = "call";
  EXPECT_EQ(list(stage), "L2") << "filters combine";

  LeadQuery page;
  page.limit = 2;
  EXPECT_EQ(list(page), "L2,L1");
  page.offset = 1;
  EXPECT_EQ(list(page), "L1,L3");
  page.offset = 10;
  EXPECT_EQ(list(page), "");
  page.limit = 0;
  page.offset = 3;
  EXPECT_EQ(list(page), "L4") << "limit 0 is no limit";

  STORE_ASSIGN(std::vector<LeadSummary> all, tx->ListLeads(LeadQuery{}));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].lead_id, "L2");
  EXPECT_EQ(all[0].account_id, "A2");
  EXPECT_EQ(all[0].stage, "new");
  EXPECT_EQ(all[0].created_at, At(20));
  EXPECT_EQ(ScoreText(all[0].score), ScoreText(Score("L2", 1, 80, "A", "1", "call")));
  EXPECT_EQ(all[1].stage, "mql");
  EXPECT_EQ(all[3].lead_id, "L4");
  EXPECT_EQ(all[3].account_id, "");
  EXPECT_FALSE(all[3].score.has_value());
}

// --- outcomes

TEST_P(StoreConformance, OutcomesAreUpsertedByDeal) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  OutcomeRow open;
  open.deal_id = "D1";
  open.account_id = "A1";
  open.created_at = At(0);
  open.value = 25000.5;
  OutcomeRow lost;
  lost.deal_id = "D2";
  lost.lead_id = "L9";  // outcomes may name leads and accounts the store does not hold (yet)
  lost.status = DealStatus::kLost;
  lost.closed_at = At(50);
  lost.lost_reason = "no budget";
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{open, lost}, stats));
  EXPECT_EQ(Stats(stats), "inserted=2 updated=0 unchanged=0 duplicates=0");
  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{open, lost}, again));
  EXPECT_EQ(Stats(again), "inserted=0 updated=0 unchanged=2 duplicates=0");
  OutcomeRow won = open;
  won.status = DealStatus::kWon;
  won.closed_at = At(90);
  WriteStats third;
  STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{won, lost}, third));
  EXPECT_EQ(Stats(third), "inserted=0 updated=1 unchanged=1 duplicates=0");
  STORE_ASSIGN(std::vector<OutcomeRow> all, tx->Outcomes());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(OutcomeText(all[0]), OutcomeText(won));
  EXPECT_EQ(OutcomeText(all[1]), OutcomeText(lost));

  OutcomeRow orphan;
  orphan.deal_id = "D3";
  EXPECT_EQ(tx->UpsertOutcomes(std::vector<OutcomeRow>{orphan}, stats).code(),
            StatusCode::kInvalidInput)
      << "a deal needs an account or a lead";
  OutcomeRow nameless;
  nameless.account_id = "A1";
  EXPECT_EQ(tx->UpsertOutcomes(std::vector<OutcomeRow>{nameless}, stats).code(),
            StatusCode::kInvalidInput);
  STORE_ASSERT_OK(tx->Commit());
}

}  // namespace leadq::store::conformance
