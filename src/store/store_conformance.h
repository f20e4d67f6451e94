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

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
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

inline Owner MakeOwner(std::string owner_id, std::string name) {
  Owner o;
  o.owner_id = std::move(owner_id);
  o.name = std::move(name);
  o.email = o.owner_id + "@example.com";
  o.role = "SDR";
  o.weekly_capacity = 20;
  return o;
}
// An open handoff of `lead_id` to `owner_id` at `at`, with a response clock from `at`.
inline Handoff Assign(std::string lead_id, std::string owner_id, TimePoint at) {
  Handoff h;
  h.lead_id = std::move(lead_id);
  h.owner_id = std::move(owner_id);
  h.rule = "manual";
  h.assigned_by = "rita";
  h.assigned_at = at;
  h.clock_start = at;
  return h;
}
inline Touch MakeTouch(std::string lead_id, TimePoint at, std::string outcome) {
  Touch t;
  t.lead_id = std::move(lead_id);
  t.by = "ana";
  t.channel = "call";
  t.outcome = std::move(outcome);
  t.at = at;
  return t;
}
inline Webhook MakeWebhook(std::string url, std::vector<std::string> kinds) {
  Webhook w;
  w.url = std::move(url);
  w.kinds = std::move(kinds);
  w.secret = "s3cret";
  w.max_attempts = 5;
  w.created_at = At(0);
  return w;
}
// A pending message due at once.
inline OutboxMessage Message(int64_t webhook_id, std::string key, TimePoint created_at) {
  OutboxMessage m;
  m.webhook_id = webhook_id;
  m.kind = "transition";
  m.body = "{\"key\":\"" + key + "\"}";
  m.idempotency_key = std::move(key);
  m.created_at = created_at;
  return m;
}

// A shipment line of `bol` in HS code `hs`, arriving `day` days after 2026-01-01 (midnight UTC),
// with a full set of values.
inline ShipmentRow Shipment(std::string bol, std::string hs, int64_t day, std::string consignee) {
  ShipmentRow s;
  s.bol_number = std::move(bol);
  s.hs_code = std::move(hs);
  s.arrival = At(0) + day * kMicrosPerDay;
  s.consignee_name = std::move(consignee);
  s.shipper_name = "BOSCH LTDA";
  s.consignee_address = "1200 Industrial Pkwy";
  s.consignee_city = "Detroit";
  s.consignee_country = "US";
  s.shipper_country = "BR";
  s.notify_party = "EXPEDITORS INTL";
  s.country_of_origin = "BR";
  s.port_of_lading = "Santos";
  s.port_of_unlading = "New York/Newark Area, Newark, New Jersey";
  s.description = "BRAKE PADS, \"DISC\" TYPE; 24 PKGS";
  s.carrier = "MAERSK";
  s.weight_kg = 1200.5;
  s.containers = 1;
  s.teu = 2;
  s.quantity = 300;
  return s;
}
inline TradeRule Rule(std::string kind, std::string a, std::string b, TimePoint at) {
  TradeRule r;
  r.kind = std::move(kind);
  r.role = "buyer";
  r.country = "MX";
  r.a = std::move(a);
  r.b = std::move(b);
  r.by = "rita";
  r.note = "same tax id";
  r.at = at;
  return r;
}
inline BuyerNote Note(std::string country, std::string spelling, std::string kind,
                      std::string value, TimePoint at) {
  BuyerNote n;
  n.country = std::move(country);
  n.spelling = std::move(spelling);
  n.kind = std::move(kind);
  n.value = std::move(value);
  n.note = "met at Automechanika";
  n.by = "ana";
  n.at = at;
  return n;
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
// A visitor that appends each row as "id|account|value|...\n" to `out`.
inline Transaction::RowVisitor RowText(std::string& out) {
  return [&out](std::string_view id, std::string_view account,
                std::span<const std::string_view> values) {
    out += std::string(id) + "|" + std::string(account);
    for (std::string_view v : values) out += "|" + std::string(v);
    out += "\n";
  };
}
// A visitor that appends each event as "event_id|lead_id|type|time|prop|...\n" to `out`.
inline Transaction::EventVisitor EventText(std::string& out) {
  return [&out](std::string_view event_id, std::string_view lead_id, std::string_view type,
                TimePoint at, std::span<const std::string_view> props) {
    out += std::string(event_id) + "|" + std::string(lead_id) + "|" + std::string(type) + "|" +
           FormatTimestamp(at);
    for (std::string_view v : props) out += "|" + std::string(v);
    out += "\n";
  };
}
inline std::string ScanLeadsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanLeads(keys, RowText(out));
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}
inline std::string ScanAccountsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanAccounts(keys, RowText(out));
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}
inline std::string ScanEventsText(Transaction& tx, const std::vector<std::string>& keys) {
  std::string out;
  Status s = tx.ScanEvents(keys, EventText(out));
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

inline std::string ScoreText(const std::optional<ScoreRecord>& s) {
  if (!s) return "-";
  return s->lead_id + " v" + std::to_string(s->model_version) + " " + FormatTimestamp(s->as_of) +
         " " + std::to_string(s->fit) + "/" + std::to_string(s->intent) + "/" +
         std::to_string(s->negative) + "/" + std::to_string(s->score) + " " + s->fit_grade +
         s->intent_grade + " " + s->action + " (" + s->reason + ")" +
         (s->channel.empty() ? "" : " via " + s->channel);
}

inline std::string TimeText(const std::optional<TimePoint>& t) {
  return t ? FormatTimestamp(*t) : "-";
}

inline std::string OwnerText(const Owner& o) {
  return o.owner_id + " [" + o.name + "] <" + o.email + "> " + o.role + " capacity " +
         std::to_string(o.weekly_capacity) + " hours [" + o.working_hours + "] " + o.time_zone +
         " manager [" + o.manager + "] " + (o.active ? "active" : "inactive") + " created " +
         FormatTimestamp(o.created_at) + " updated " + FormatTimestamp(o.updated_at);
}

inline std::string HandoffText(const Handoff& h) {
  return "#" + std::to_string(h.seq) + " " + h.lead_id + "@" + h.account_id + " to " + h.owner_id +
         " by " + h.assigned_by + " (" + h.rule + ") at " + FormatTimestamp(h.assigned_at) +
         " cell " + h.cell + " channel " + h.channel + " score " + std::to_string(h.score) + " v" +
         std::to_string(h.model_version) + " sla [" + h.sla_rule + "] clock " +
         FormatTimestamp(h.clock_start) + " due " + TimeText(h.due_at) +
         (h.working_hours ? " working hours" : " all hours") + " touched " +
         TimeText(h.first_touch_at) + " breached " + TimeText(h.breached_at) + " escalated " +
         TimeText(h.escalated_at) + " [" + h.escalation + "] cadence [" + h.cadence + "] stopped " +
         TimeText(h.cadence_stopped_at) + " closed " + TimeText(h.closed_at) + " [" +
         h.closed_reason + "]";
}

inline std::string TouchText(const Touch& t) {
  return "#" + std::to_string(t.seq) + " " + t.lead_id + " " + t.channel + " by " + t.by + " " +
         t.outcome + " at " + FormatTimestamp(t.at) + " [" + t.note + "] handoff " +
         std::to_string(t.handoff_seq);
}

inline std::string WebhookText(const Webhook& w) {
  std::string kinds;
  for (const std::string& k : w.kinds) kinds += (kinds.empty() ? "" : ",") + k;
  return "#" + std::to_string(w.id) + " " + w.url + " [" + kinds + "] secret " + w.secret +
         " attempts " + std::to_string(w.max_attempts) + " created " +
         FormatTimestamp(w.created_at);
}

inline std::string MessageText(const OutboxMessage& m) {
  return "#" + std::to_string(m.seq) + " webhook " + std::to_string(m.webhook_id) + " " + m.kind +
         " " + m.idempotency_key + " " + m.body + " created " + FormatTimestamp(m.created_at) +
         " " + std::string(MessageStatusName(m.status)) + " attempts " +
         std::to_string(m.attempts) + " next " + FormatTimestamp(m.next_attempt_at) + " [" +
         m.last_error + "] http " + std::to_string(m.last_http_status) + " delivered " +
         TimeText(m.delivered_at);
}

inline std::string CountsText(const std::vector<OutboxCounts>& counts) {
  std::string out;
  for (const OutboxCounts& c : counts) {
    out += std::to_string(c.webhook_id) + ": " + std::to_string(c.pending) + " pending " +
           std::to_string(c.delivered) + " delivered " + std::to_string(c.dead) + " dead\n";
  }
  return out;
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
         "|" + o.lost_reason + "|" + o.owner;
}

inline std::string AnswerText(const Answer& a) {
  return a.lead_id + " " + a.framework + "." + a.criterion + "=" + a.value + " [" + a.evidence +
         "] " + a.source + " by " + a.author + " at " + FormatTimestamp(a.at) + " expires " +
         (a.expires_at ? FormatTimestamp(*a.expires_at) : "-");
}

inline std::string NumberText(const std::optional<double>& v) {
  if (!v) return "-";
  std::ostringstream out;
  out << *v;
  return out.str();
}

inline std::string ShipmentText(const ShipmentRow& s) {
  return FormatDate(s.arrival) + " " + s.bol_number + " " + s.hs_code + " " + s.consignee_name +
         " [" + s.shipper_name + "|" + s.consignee_address + "|" + s.consignee_city + "|" +
         s.consignee_country + "|" + s.shipper_country + "|" + s.notify_party + "|" +
         s.country_of_origin + "|" + s.port_of_lading + "|" + s.port_of_unlading + "|" +
         s.description + "|" + s.carrier + "] kg " + NumberText(s.weight_kg) + " containers " +
         NumberText(s.containers) + " teu " + NumberText(s.teu) + " qty " + NumberText(s.quantity) +
         " usd " + NumberText(s.value_usd);
}

inline std::string TradeRuleText(const TradeRule& r) {
  return "#" + std::to_string(r.id) + " " + r.kind + " " + r.role + " " + r.country + " [" + r.a +
         "] [" + r.b + "] by " + r.by + " [" + r.note + "] at " + FormatTimestamp(r.at);
}

inline std::string BuyerNoteText(const BuyerNote& n) {
  return n.country + " [" + n.spelling + "] " + n.kind + "=" + n.value + " [" + n.note + "] by " +
         n.by + " at " + FormatTimestamp(n.at);
}
}  // namespace leadq::store::conformance

// How gtest prints the store's values in failed expectations (found by argument-dependent
// lookup, hence in the namespace of the types).
namespace leadq::store {
inline void PrintTo(const Owner& o, std::ostream* os) { *os << conformance::OwnerText(o); }
inline void PrintTo(const Handoff& h, std::ostream* os) { *os << conformance::HandoffText(h); }
inline void PrintTo(const Touch& t, std::ostream* os) { *os << conformance::TouchText(t); }
inline void PrintTo(const Webhook& w, std::ostream* os) { *os << conformance::WebhookText(w); }
inline void PrintTo(const OutboxMessage& m, std::ostream* os) {
  *os << conformance::MessageText(m);
}
inline void PrintTo(const ShipmentRow& r, std::ostream* os) { *os << conformance::ShipmentText(r); }
inline void PrintTo(const TradeRule& r, std::ostream* os) { *os << conformance::TradeRuleText(r); }
inline void PrintTo(const BuyerNote& n, std::ostream* os) { *os << conformance::BuyerNoteText(n); }
}  // namespace leadq::store

namespace leadq::store::conformance {

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
    Result<std::vector<Touch>> touches = tx.Touches(s.lead_id);
    if (!touches.ok()) return fail(touches.status());
    for (const Touch& t : *touches) out += "  touch " + TouchText(t) + "\n";
  }
  Result<std::vector<Owner>> owners = tx.Owners();
  if (!owners.ok()) return fail(owners.status());
  for (const Owner& o : *owners) out += "owner " + OwnerText(o) + "\n";
  Result<std::vector<Handoff>> handoffs = tx.Handoffs(HandoffQuery{});
  if (!handoffs.ok()) return fail(handoffs.status());
  for (const Handoff& h : *handoffs) out += "handoff " + HandoffText(h) + "\n";
  Result<std::vector<Webhook>> webhooks = tx.Webhooks();
  if (!webhooks.ok()) return fail(webhooks.status());
  for (const Webhook& w : *webhooks) out += "webhook " + WebhookText(w) + "\n";
  for (MessageStatus status :
       {MessageStatus::kPending, MessageStatus::kDelivered, MessageStatus::kDead}) {
    Result<std::vector<OutboxMessage>> messages = tx.Messages(0, status, 0);
    if (!messages.ok()) return fail(messages.status());
    for (const OutboxMessage& m : *messages) out += "message " + MessageText(m) + "\n";
  }
  Result<std::vector<OutboxCounts>> counts = tx.CountMessages();
  if (!counts.ok()) return fail(counts.status());
  out += CountsText(*counts);
  Result<std::vector<OutcomeRow>> outcomes = tx.Outcomes();
  if (!outcomes.ok()) return fail(outcomes.status());
  for (const OutcomeRow& o : *outcomes) out += OutcomeText(o) + "\n";
  Result<std::vector<ModelVersion>> models = tx.ModelVersions();
  if (!models.ok()) return fail(models.status());
  for (const ModelVersion& m : *models) out += "model " + std::to_string(m.version) + "\n";
  Result<uint64_t> shipments = tx.CountShipments();
  if (!shipments.ok()) return fail(shipments.status());
  out += "shipments " + std::to_string(*shipments) + "\n";
  Status scanned = tx.ScanShipments([&out](const ShipmentRow& row) {
    out += ShipmentText(row) + "\n";
    return true;
  });
  if (!scanned.ok()) return fail(scanned);
  Result<std::vector<TradeRule>> rules = tx.TradeRules();
  if (!rules.ok()) return fail(rules.status());
  for (const TradeRule& r : *rules) out += "rule " + TradeRuleText(r) + "\n";
  Result<std::vector<BuyerNote>> notes = tx.BuyerNotes();
  if (!notes.ok()) return fail(notes.status());
  for (const BuyerNote& n : *notes) out += "note " + BuyerNoteText(n) + "\n";
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

// The scan as "date bol hs" lines.
inline std::string ShipmentKeys(Transaction& tx) {
  std::string out;
  Status s = tx.ScanShipments([&out](const ShipmentRow& row) {
    out += FormatDate(row.arrival) + " " + row.bol_number + " " + row.hs_code + "\n";
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}
// Every stored shipment, copied out of the scan.
inline std::vector<ShipmentRow> AllShipments(Transaction& tx) {
  std::vector<ShipmentRow> out;
  Status s = tx.ScanShipments([&out](const ShipmentRow& row) {
    out.push_back(row);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
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
  STORE_ASSIGN(uint64_t shipments, tx->CountShipments());
  EXPECT_EQ(shipments, 0u);
  EXPECT_EQ(ShipmentKeys(*tx), "");
  STORE_ASSIGN(std::vector<TradeRule> rules, tx->TradeRules());
  EXPECT_TRUE(rules.empty());
  STORE_ASSIGN(std::vector<BuyerNote> notes, tx->BuyerNotes());
  EXPECT_TRUE(notes.empty());
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

// A batch large enough for a store's bulk paths (SQLite: leads told apart and staged on all
// cores, accounts read in one pass) stores what the same events in small batches store, and a
// lead it does not know still refuses the whole batch.
TEST_P(StoreConformance, ALargeBatchStoresWhatSmallBatchesStore) {
  constexpr int kLeads = 6000;
  constexpr int kEvents = 80000;
  std::vector<LeadRow> leads;
  for (int l = 0; l < kLeads; ++l) {
    char id[16];
    std::snprintf(id, sizeof id, "L%05d", l);
    std::optional<std::string> account;
    if (l % 3 == 0) account = "A" + std::to_string(l % 40);
    leads.push_back(Lead(id, account, {}));
  }
  std::vector<EventRow> events;
  for (int i = 0; i < kEvents; ++i) {
    char lead[16];
    std::snprintf(lead, sizeof lead, "L%05d", (i * 7919) % kLeads);
    std::string id = i % 97 == 0 ? "" : "E" + std::to_string(i % 50 == 49 ? i - 17 : i);
    const char* types[] = {"page_view", "email_open", "form_submit"};
    // Every time distinct (13 and kEvents share no factor), and out of order within a lead.
    events.push_back(Event(id, lead, types[i % 3], At((i * 13) % kEvents),
                           {{"path", "/p" + std::to_string(i % 13)}}));
  }
  auto store_all = [&](Store& store, size_t batch, std::string& text, std::string& stats_text) {
    Result<std::unique_ptr<Transaction>> tx = store.Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    WriteStats stats;
    STORE_ASSERT_OK((*tx)->UpsertLeads(leads, At(0), "import", stats));
    WriteStats event_stats;
    for (size_t from = 0; from < events.size(); from += batch) {
      std::vector<EventRow> part(
          events.begin() + static_cast<ptrdiff_t>(from),
          events.begin() + static_cast<ptrdiff_t>(std::min(events.size(), from + batch)));
      STORE_ASSERT_OK((*tx)->InsertEvents(part, event_stats));
    }
    stats_text = Stats(event_stats);
    text = ScanEventsText(**tx, {"path"});
    STORE_ASSERT_OK((*tx)->Commit());
  };
  std::string whole, whole_stats, pieces, pieces_stats;
  store_all(*store_, events.size(), whole, whole_stats);
  std::unique_ptr<Store> other = GetParam().make();
  ASSERT_NE(other, nullptr);
  store_all(*other, 1000, pieces, pieces_stats);
  // 80,000 events; ids repeated at every 50th (1,600 repeats, less those that fall on a row
  // without an id).
  EXPECT_EQ(whole_stats, pieces_stats);
  EXPECT_NE(whole_stats.find("duplicates=1"), std::string::npos) << whole_stats;
  EXPECT_EQ(whole, pieces);
  EXPECT_GT(std::count(whole.begin(), whole.end(), '\n'), 78000);

  // A lead the store does not know, in a large batch: refused, nothing written.
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::vector<EventRow> more;
  for (int l = 0; l < kLeads; ++l) {
    char lead[16];
    std::snprintf(lead, sizeof lead, "L%05d", l);
    more.push_back(Event("N" + std::to_string(l), lead, "page_view", At(kEvents + l)));
  }
  more.push_back(Event("N-x", "nobody", "page_view", At(1)));
  WriteStats stats;
  Status s = tx->InsertEvents(more, stats);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_NE(s.message().find("nobody"), std::string::npos) << s.message();
  EXPECT_EQ(ScanEventsText(*tx, {"path"}), whole);
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

TEST_P(StoreConformance, ScansOfOneIdVisitOnlyIt) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertAccounts(
      std::vector<AccountRow>{{"B", {{"size", "10"}}}, {"A", {{"size", "20"}}}}, At(0), stats));
  STORE_ASSERT_OK(tx->UpsertLeads(
      std::vector<LeadRow>{Lead("L3", "B", {{"title", "cto"}}), Lead("L1", "A", {{"title", "vp"}})},
      At(0), "import", stats));
  STORE_ASSERT_OK(tx->InsertEvents(
      std::vector<EventRow>{Event("e1", "L3", "visit", At(5)), Event("e2", "L1", "visit", At(3)),
                            Event("e3", "L1", "open", At(1))},
      stats));
  std::string lead, account, events, none;
  STORE_ASSERT_OK(tx->ScanLead("L1", {"title", "unknown"}, RowText(lead)));
  EXPECT_EQ(lead, "L1|A|vp|\n");
  STORE_ASSERT_OK(tx->ScanAccount("B", {"size"}, RowText(account)));
  EXPECT_EQ(account, "B|B|10\n");
  STORE_ASSERT_OK(tx->ScanLead("nobody", {}, RowText(none)));
  STORE_ASSERT_OK(tx->ScanAccount("nobody", {}, RowText(none)));
  EXPECT_EQ(none, "");
  STORE_ASSERT_OK(tx->ScanEventsOfLead("L1", {}, EventText(events)));
  EXPECT_EQ(events,
            "e3|L1|open|2026-01-01T00:00:01Z\n"
            "e2|L1|visit|2026-01-01T00:00:03Z\n");
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

  // AllTransitions: every lead's log, by lead then sequence.
  STORE_ASSIGN(std::vector<Transition> all, tx->AllTransitions());
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(TransitionText(all[i]), TransitionText(history[i]));
  EXPECT_EQ(all[3].lead_id, "L2");
  EXPECT_EQ(all[3].to_stage, "new");
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

TEST_P(StoreConformance, ListLeadsFindsFreeTextInTheLeadAndItsAccount) {
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    std::vector<AccountRow> accounts = {{"A1", {{"name", "Hooli Corp"}}},
                                        {"A2", {{"name", "Pied Piper"}, {"domain", "pp.io"}}}};
    WriteStats stats;
    STORE_ASSERT_OK(tx->UpsertAccounts(accounts, At(0), stats));
    STORE_ASSERT_OK(tx->Commit());
  }
  CommitLeads({Lead("L1", "A1", {{"email", "gavin@hooli.com"}, {"first_name", "Gavin"}}),
               Lead("L2", "A2", {{"email", "richard@pp.io"}, {"first_name", "Richard"}}),
               Lead("L3", std::nullopt, {{"email", "erlich_100%@aviato.com"}}),
               Lead("PIPER-9", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  auto list = [&](std::string text) {
    LeadQuery q;
    q.text = std::move(text);
    q.sort = LeadQuery::Sort::kLeadId;
    Result<std::vector<LeadSummary>> r = tx->ListLeads(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const LeadSummary& s : *r) ids.push_back(s.lead_id);
    }
    Result<uint64_t> n = tx->CountLeads(q);
    EXPECT_TRUE(n.ok());
    if (n.ok()) {
      EXPECT_EQ(*n, ids.size()) << "CountLeads agrees for " << q.text;
    }
    return Join(ids);
  };
  EXPECT_EQ(list("GAVIN"), "L1") << "a lead field, any case";
  EXPECT_EQ(list("hooli"), "L1") << "its e-mail and its account's name";
  EXPECT_EQ(list("piper"), "L2,PIPER-9") << "an account's field, and a lead id";
  EXPECT_EQ(list("pp.io"), "L2");
  EXPECT_EQ(list("a2"), "L2") << "the account id";
  EXPECT_EQ(list("_100%"), "L3") << "% and _ are the text's own characters";
  EXPECT_EQ(list("%"), "L3");
  EXPECT_EQ(list("1_0"), "") << "_ is no wildcard";
  EXPECT_EQ(list("nobody"), "");
  LeadQuery both;
  both.text = "i";
  both.account_id = "A2";
  Result<std::vector<LeadSummary>> r = tx->ListLeads(both);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u) << "filters combine";
  EXPECT_EQ((*r)[0].lead_id, "L2");
}

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
  lost.owner = "ana";
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
  OutcomeRow reassigned = lost;
  reassigned.owner = "bo";
  WriteStats fourth;
  STORE_ASSERT_OK(tx->UpsertOutcomes(std::vector<OutcomeRow>{reassigned}, fourth));
  EXPECT_EQ(Stats(fourth), "inserted=0 updated=1 unchanged=0 duplicates=0") << "owner counts";
  lost = reassigned;
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

// --- scores keep their channel

TEST_P(StoreConformance, ScoresAndTransitionsKeepTheChannel) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ScoreRecord partner = Score("L1", 1, 60, "A", "2", "call");
  partner.channel = "partner";
  STORE_ASSERT_OK(
      tx->WriteScores(std::vector<ScoreRecord>{partner, Score("L2", 1, 40, "B", "3", "nurture")}));
  STORE_ASSIGN(std::optional<ScoreRecord> l1, tx->GetScore("L1"));
  ASSERT_TRUE(l1.has_value());
  EXPECT_EQ(l1->channel, "partner");
  STORE_ASSIGN(std::optional<ScoreRecord> l2, tx->GetScore("L2"));
  ASSERT_TRUE(l2.has_value());
  EXPECT_EQ(l2->channel, "");
  LeadQuery by_id;
  by_id.sort = LeadQuery::Sort::kLeadId;
  STORE_ASSIGN(std::vector<LeadSummary> list, tx->ListLeads(by_id));
  ASSERT_EQ(list.size(), 2u);
  ASSERT_TRUE(list[0].score.has_value());
  EXPECT_EQ(list[0].score->channel, "partner");
  EXPECT_EQ(ScoreText(list[0].score), ScoreText(partner));

  // The score snapshot of a transition keeps it too.
  Transition to_mql = Move("L1", "new", "mql", At(10), "rule:auto_mql");
  to_mql.scores = partner;
  STORE_ASSERT_OK(tx->AppendTransitions(std::vector<Transition>{to_mql}));
  STORE_ASSIGN(std::vector<Transition> history, tx->History("L1"));
  ASSERT_EQ(history.size(), 2u);
  ASSERT_TRUE(history[1].scores.has_value());
  EXPECT_EQ(history[1].scores->channel, "partner");

  // A later score without a channel clears it.
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{Score("L1", 2, 61, "A", "2", "call")}));
  STORE_ASSIGN(l1, tx->GetScore("L1"));
  EXPECT_EQ(l1->channel, "");
  STORE_ASSERT_OK(tx->Commit());
}

// --- owners

TEST_P(StoreConformance, OwnersAreUpsertedAndKeepTheirCreationTime) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  Owner zoe = MakeOwner("zoe", "Zoe Adams");
  zoe.created_at = At(999);  // the store sets both times itself
  zoe.updated_at = At(999);
  Owner ana = MakeOwner("ana", "Ana Lima");
  ana.working_hours = "mon-fri 09:00-17:00";
  ana.time_zone = "Europe/Berlin";
  ana.manager = "zoe";
  STORE_ASSERT_OK(tx->UpsertOwner(zoe, At(10)));
  STORE_ASSERT_OK(tx->UpsertOwner(ana, At(20)));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  Owner want_ana = ana;
  want_ana.created_at = At(20);
  want_ana.updated_at = At(20);
  Owner want_zoe = zoe;
  want_zoe.created_at = At(10);
  want_zoe.updated_at = At(10);
  STORE_ASSIGN(std::vector<Owner> all, tx->Owners());
  EXPECT_EQ(all, (std::vector<Owner>{want_ana, want_zoe})) << "by owner_id";
  STORE_ASSIGN(std::optional<Owner> got, tx->GetOwner("ana"));
  EXPECT_EQ(got, want_ana);
  STORE_ASSIGN(std::optional<Owner> none, tx->GetOwner("nobody"));
  EXPECT_FALSE(none.has_value());

  // An update replaces every field but created_at.
  Owner changed = MakeOwner("ana", "Ana Lima-Souza");
  changed.email = "";
  changed.role = "AE";
  changed.weekly_capacity = 0;
  changed.time_zone = "America/Sao_Paulo";
  changed.active = false;
  STORE_ASSERT_OK(tx->UpsertOwner(changed, At(50)));
  changed.created_at = At(20);
  changed.updated_at = At(50);
  STORE_ASSIGN(got, tx->GetOwner("ana"));
  EXPECT_EQ(got, changed);
  EXPECT_EQ(tx->UpsertOwner(MakeOwner("", "No Id"), At(60)).code(), StatusCode::kInvalidInput);
  STORE_ASSIGN(all, tx->Owners());
  EXPECT_EQ(all.size(), 2u);
  STORE_ASSERT_OK(tx->Commit());
}

// --- handoffs

TEST_P(StoreConformance, UpdateHandoffRoundTripsEveryField) {
  CommitLeads({Lead("L1", "A1", {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("bob", "Bob"), At(0)));

  Handoff h = Assign("L1", "ana", At(100));
  h.seq = 77;  // the store numbers handoffs itself
  h.account_id = "A1";
  h.rule = "rule:enterprise";
  h.assigned_by = "rule:route";
  h.cell = "A1";
  h.channel = "inbound";
  h.score = 81.25;
  h.model_version = 3;
  h.sla_rule = "hot";
  h.clock_start = At(90);
  h.due_at = At(90 + 3600);
  h.working_hours = true;
  h.cadence = "standard";
  STORE_ASSIGN(int64_t seq, tx->AddHandoff(h));
  EXPECT_GT(seq, 0);
  h.seq = seq;
  STORE_ASSIGN(std::vector<Handoff> all, tx->Handoffs(HandoffQuery{}));
  EXPECT_EQ(all, std::vector<Handoff>{h});
  STORE_ASSIGN(std::optional<Handoff> open, tx->OpenHandoff("L1"));
  EXPECT_EQ(open, h);

  // Every field but seq and lead_id is rewritten; all optional times set.
  Handoff changed;
  changed.seq = seq;
  changed.lead_id = "ignored";
  changed.account_id = "A2";
  changed.owner_id = "bob";
  changed.rule = "escalation:hot";
  changed.assigned_by = "sam";
  changed.assigned_at = At(200);
  changed.cell = "B2";
  changed.channel = "partner";
  changed.score = 55.5;
  changed.model_version = 4;
  changed.sla_rule = "warm";
  changed.clock_start = At(190);
  changed.due_at = At(7200);
  changed.working_hours = false;
  changed.first_touch_at = At(300);
  changed.breached_at = At(250);
  changed.escalated_at = At(260);
  changed.escalation = "reassigned to bob, told zoe";
  changed.cadence = "fast";
  changed.cadence_stopped_at = At(400);
  changed.closed_at = At(500);
  changed.closed_reason = "recycled";
  STORE_ASSERT_OK(tx->UpdateHandoff(changed));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  Handoff want = changed;
  want.lead_id = "L1";
  STORE_ASSIGN(all, tx->Handoffs(HandoffQuery{}));
  EXPECT_EQ(all, std::vector<Handoff>{want});
  STORE_ASSIGN(open, tx->OpenHandoff("L1"));
  EXPECT_FALSE(open.has_value()) << "closed";

  // Optional times and texts clear again; the handoff reopens.
  Handoff cleared = Assign("L1", "ana", At(600));
  cleared.seq = seq;
  STORE_ASSERT_OK(tx->UpdateHandoff(cleared));
  STORE_ASSIGN(open, tx->OpenHandoff("L1"));
  EXPECT_EQ(open, cleared);

  Handoff unknown = cleared;
  unknown.seq = seq + 1000;
  EXPECT_EQ(tx->UpdateHandoff(unknown).code(), StatusCode::kNotFound);
  Handoff stranger = cleared;
  stranger.owner_id = "nobody";
  EXPECT_EQ(tx->UpdateHandoff(stranger).code(), StatusCode::kNotFound);
  STORE_ASSIGN(open, tx->OpenHandoff("L1"));
  EXPECT_EQ(open, cleared) << "a refused update changes nothing";
}

TEST_P(StoreConformance, ALeadHasAtMostOneOpenHandoff) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("bob", "Bob"), At(0)));

  EXPECT_EQ(tx->AddHandoff(Assign("nobody", "ana", At(1))).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->AddHandoff(Assign("L1", "nobody", At(1))).status().code(), StatusCode::kNotFound);
  STORE_ASSIGN(std::vector<Handoff> all, tx->Handoffs(HandoffQuery{}));
  EXPECT_TRUE(all.empty()) << "refused handoffs leave nothing";

  STORE_ASSIGN(int64_t first, tx->AddHandoff(Assign("L1", "ana", At(10))));
  Result<int64_t> second = tx->AddHandoff(Assign("L1", "bob", At(20)));
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition) << second.status().message();
  STORE_ASSIGN(int64_t other, tx->AddHandoff(Assign("L2", "bob", At(20))));
  EXPECT_GT(other, first);
  STORE_ASSIGN(all, tx->Handoffs(HandoffQuery{}));
  EXPECT_EQ(all.size(), 2u);

  // Reassigning: close the old one, then open a new one.
  Handoff closed = Assign("L1", "ana", At(10));
  closed.seq = first;
  closed.closed_at = At(30);
  closed.closed_reason = "reassigned";
  STORE_ASSERT_OK(tx->UpdateHandoff(closed));
  STORE_ASSIGN(int64_t third, tx->AddHandoff(Assign("L1", "bob", At(30))));
  EXPECT_GT(third, other);
  STORE_ASSIGN(std::optional<Handoff> open, tx->OpenHandoff("L1"));
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->seq, third);
  EXPECT_EQ(open->owner_id, "bob");

  // Reopening the old one would make two.
  Handoff reopened = closed;
  reopened.closed_at.reset();
  reopened.closed_reason.clear();
  EXPECT_EQ(tx->UpdateHandoff(reopened).code(), StatusCode::kFailedPrecondition);
  HandoffQuery l1;
  l1.lead_id = "L1";
  STORE_ASSIGN(all, tx->Handoffs(l1));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].closed_at, At(30)) << "a refused update changes nothing";
  STORE_ASSIGN(std::optional<Handoff> none, tx->OpenHandoff("nobody"));
  EXPECT_FALSE(none.has_value());
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, HandoffsAreFilteredByLeadAccountOwnerOpenAndTime) {
  CommitLeads({Lead("L1", "A1", {}), Lead("L2", "A1", {}), Lead("L3", "A2", {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("bob", "Bob"), At(0)));
  auto add = [&](std::string lead, std::string account, std::string owner, int64_t at,
                 bool closed) {
    Handoff h = Assign(std::move(lead), std::move(owner), At(at));
    h.account_id = std::move(account);
    if (closed) h.closed_at = At(at + 5);
    Result<int64_t> seq = tx->AddHandoff(h);
    EXPECT_TRUE(seq.ok()) << seq.status().message();
  };
  add("L1", "A1", "ana", 10, /*closed=*/true);
  add("L1", "A1", "bob", 20, false);
  add("L2", "A1", "ana", 30, false);
  add("L3", "A2", "bob", 40, false);
  auto list = [&](const HandoffQuery& q) {
    Result<std::vector<Handoff>> r = tx->Handoffs(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const Handoff& h : *r) out.push_back(h.lead_id + ":" + h.owner_id);
    }
    return Join(out);
  };
  EXPECT_EQ(list(HandoffQuery{}), "L1:ana,L1:bob,L2:ana,L3:bob") << "by seq";
  HandoffQuery lead;
  lead.lead_id = "L1";
  EXPECT_EQ(list(lead), "L1:ana,L1:bob");
  HandoffQuery account;
  account.account_id = "A1";
  EXPECT_EQ(list(account), "L1:ana,L1:bob,L2:ana");
  HandoffQuery owner;
  owner.owner_id = "ana";
  EXPECT_EQ(list(owner), "L1:ana,L2:ana");
  HandoffQuery open;
  open.open_only = true;
  EXPECT_EQ(list(open), "L1:bob,L2:ana,L3:bob");
  HandoffQuery since;
  since.assigned_since = At(30);
  EXPECT_EQ(list(since), "L2:ana,L3:bob") << "assigned_at >= the bound";
  HandoffQuery combined;
  combined.account_id = "A1";
  combined.owner_id = "bob";
  combined.open_only = true;
  EXPECT_EQ(list(combined), "L1:bob") << "filters combine";
  combined.assigned_since = At(21);
  EXPECT_EQ(list(combined), "");
  HandoffQuery nobody;
  nobody.lead_id = "nobody";
  EXPECT_EQ(list(nobody), "");
}

TEST_P(StoreConformance, HandoffsWhoseClockRanOutAreOpenUntouchedAndNotEscalated) {
  CommitLeads({Lead("L1", "A1", {}), Lead("L2", "A1", {}), Lead("L3", "A2", {}),
               Lead("L4", "A2", {}), Lead("L5", "A3", {}), Lead("L6", "A3", {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  auto add = [&](std::string lead, int64_t due, auto&& change) {
    Handoff h = Assign(std::move(lead), "ana", At(1));
    h.due_at = At(due);
    change(h);
    Result<int64_t> seq = tx->AddHandoff(h);
    EXPECT_TRUE(seq.ok()) << seq.status().message();
  };
  add("L1", 10, [](Handoff&) {});                               // ran out
  add("L2", 20, [](Handoff& h) { h.breached_at = At(20); });    // breached, not escalated
  add("L3", 10, [](Handoff& h) { h.first_touch_at = At(5); });  // touched in time
  add("L4", 10, [](Handoff& h) { h.escalated_at = At(15); });   // escalated already
  add("L5", 10, [](Handoff& h) { h.closed_at = At(12); });      // closed
  add("L6", 40, [](Handoff&) {});                               // not due yet
  HandoffQuery due;
  due.clock_due_by = At(30);
  STORE_ASSIGN(std::vector<Handoff> got, tx->Handoffs(due));
  std::vector<std::string> leads;
  for (const Handoff& h : got) leads.push_back(h.lead_id);
  EXPECT_EQ(Join(leads), "L1,L2");
  due.clock_due_by = At(20);
  STORE_ASSIGN(got, tx->Handoffs(due));
  EXPECT_EQ(got.size(), 2u) << "due_at <= the bound";
  due.clock_due_by = At(9);
  STORE_ASSIGN(got, tx->Handoffs(due));
  EXPECT_TRUE(got.empty());
}

TEST_P(StoreConformance, ListLeadsFiltersByTheOwnerOfTheOpenHandoff) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {}),
               Lead("L3", std::nullopt, {}), Lead("L4", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("bob", "Bob"), At(0)));
  Handoff closed = Assign("L2", "ana", At(1));
  closed.closed_at = At(2);
  Handoff only_closed = Assign("L3", "ana", At(1));
  only_closed.closed_at = At(2);
  for (const Handoff& h :
       {Assign("L1", "ana", At(1)), closed, Assign("L2", "bob", At(3)), only_closed}) {
    STORE_ASSERT_OK(tx->AddHandoff(h));
  }
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{Score("L1", 1, 10, "C", "3", "nurture"),
                                                           Score("L2", 1, 90, "A", "1", "call")}));

  LeadQuery by_id;
  by_id.sort = LeadQuery::Sort::kLeadId;
  STORE_ASSIGN(std::vector<LeadSummary> all, tx->ListLeads(by_id));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].owner, "ana");
  EXPECT_EQ(all[1].owner, "bob") << "the owner of the open handoff, not of a closed one";
  EXPECT_EQ(all[2].owner, "") << "only a closed handoff";
  EXPECT_EQ(all[3].owner, "");

  auto list = [&](LeadQuery q) {
    Result<std::vector<LeadSummary>> r = tx->ListLeads(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const LeadSummary& s : *r) ids.push_back(s.lead_id + ":" + s.owner);
    }
    return Join(ids);
  };
  LeadQuery ana;
  ana.owner = "ana";
  EXPECT_EQ(list(ana), "L1:ana");
  LeadQuery bob;
  bob.owner = "bob";
  EXPECT_EQ(list(bob), "L2:bob");
  bob.action = "nurture";
  EXPECT_EQ(list(bob), "") << "filters combine";
  LeadQuery nobody;
  nobody.owner = "nobody";
  EXPECT_EQ(list(nobody), "");
}

// --- views: counts and pages for the HTTP API

TEST_P(StoreConformance, ViewCountsAgreeWithTheListsAndTheLog) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertAccounts(
      std::vector<AccountRow>{AccountRow{"A1", {Field{"tier", "gold"}, Field{"region", ""}}},
                              AccountRow{"A2", {Field{"tier", "silver"}}}, AccountRow{"A3", {}}},
      At(0), stats));
  STORE_ASSERT_OK(
      tx->UpsertLeads(std::vector<LeadRow>{Lead("L1", "A1", {}), Lead("L2", "A1", {}),
                                           Lead("L3", "A2", {}), Lead("L4", std::nullopt, {})},
                      At(0), "import", stats));
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{
      Score("L1", 1, 80, "A", "1", "mql"), Score("L2", 1, 70, "A", "1", "mql"),
      Score("L3", 1, 20, "B", "2", "nurture")}));
  // L1 and L2 became mqls; L1 was accepted, then sent back: it reached mql and accepted once.
  STORE_ASSERT_OK(tx->AppendTransitions(std::vector<Transition>{
      Move("L1", "new", "mql", At(1)), Move("L2", "new", "mql", At(1)),
      Move("L1", "mql", "accepted", At(2)), Move("L1", "accepted", "nurture", At(3))}));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
  STORE_ASSERT_OK(tx->AddHandoff(Assign("L2", "ana", At(1))));

  LeadQuery all;
  STORE_ASSIGN(uint64_t total, tx->CountLeads(all));
  EXPECT_EQ(total, 4u);
  LeadQuery mql;
  mql.stage = "mql";
  mql.limit = 1;  // a count ignores the page
  STORE_ASSIGN(uint64_t mqls, tx->CountLeads(mql));
  EXPECT_EQ(mqls, 1u) << "L2 (L1 moved on)";
  LeadQuery cell;
  cell.cell = "a1";
  STORE_ASSIGN(uint64_t a1, tx->CountLeads(cell));
  EXPECT_EQ(a1, 2u);
  LeadQuery account;
  account.account_id = "A1";
  account.owner = "ana";
  STORE_ASSIGN(uint64_t owned, tx->CountLeads(account));
  EXPECT_EQ(owned, 1u) << "L2: of A1 and owned by ana";
  LeadQuery unowned;
  unowned.unowned = true;
  unowned.sort = LeadQuery::Sort::kLeadId;
  STORE_ASSIGN(uint64_t nobody, tx->CountLeads(unowned));
  EXPECT_EQ(nobody, 3u);
  STORE_ASSIGN(std::vector<LeadSummary> free, tx->ListLeads(unowned));
  ASSERT_EQ(free.size(), 3u);
  EXPECT_EQ(free[0].lead_id + free[1].lead_id + free[2].lead_id, "L1L3L4");

  STORE_ASSIGN(auto by_stage, tx->CountByStage());
  EXPECT_EQ(by_stage, (std::vector<std::pair<std::string, uint64_t>>{
                          {"mql", 1}, {"new", 2}, {"nurture", 1}}));
  STORE_ASSIGN(auto reached, tx->CountReachedStages());
  // Every lead entered "new" (its first transition); mql twice, accepted and nurture once.
  EXPECT_EQ(reached, (std::vector<std::pair<std::string, uint64_t>>{
                         {"accepted", 1}, {"mql", 2}, {"new", 4}, {"nurture", 1}}));
  STORE_ASSIGN(std::vector<CellCount> cells, tx->CountCells());
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].fit_grade + cells[0].intent_grade, "A1");
  EXPECT_EQ(cells[0].leads, 2u);
  EXPECT_EQ(cells[1].fit_grade + cells[1].intent_grade, "B2");
  EXPECT_EQ(cells[1].leads, 1u);

  STORE_ASSIGN(std::vector<AccountRow> page, tx->ListAccounts(2, 0));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].account_id, "A1");
  ASSERT_EQ(page[0].fields.size(), 1u) << "empty fields are left out";
  EXPECT_EQ(page[0].fields[0].key, "tier");
  EXPECT_EQ(page[0].fields[0].value, "gold");
  EXPECT_EQ(page[1].account_id, "A2");
  STORE_ASSIGN(std::vector<AccountRow> rest, tx->ListAccounts(0, 2));
  ASSERT_EQ(rest.size(), 1u) << "limit 0 is no limit";
  EXPECT_EQ(rest[0].account_id, "A3");
  EXPECT_TRUE(rest[0].fields.empty());
}

// --- touches

TEST_P(StoreConformance, TouchesComeInTimeOrder) {
  CommitLeads({Lead("L1", std::nullopt, {}), Lead("L2", std::nullopt, {})});
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  Touch late = MakeTouch("L1", At(30), "replied");
  late.channel = "email";
  late.note = "asked for pricing";
  late.handoff_seq = 7;
  Touch early = MakeTouch("L1", At(10), "no_answer");
  Touch same_time = MakeTouch("L1", At(10), "voicemail");
  same_time.by = "sam";
  std::vector<Touch> added;
  for (Touch t : {late, early, same_time}) {
    t.seq = 99;  // the store numbers touches itself
    STORE_ASSIGN(t.seq, tx->AddTouch(t));
    added.push_back(t);
  }
  EXPECT_LT(added[0].seq, added[1].seq);
  EXPECT_LT(added[1].seq, added[2].seq);
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<Touch> touches, tx->Touches("L1"));
  EXPECT_EQ(touches, (std::vector<Touch>{added[1], added[2], added[0]}))
      << "by time, then by insertion";
  STORE_ASSIGN(std::vector<Touch> none, tx->Touches("L2"));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(tx->AddTouch(MakeTouch("nobody", At(1), "sent")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(tx->Touches("nobody").status().code(), StatusCode::kNotFound);
}

// --- webhooks and their outbox

TEST_P(StoreConformance, WebhooksAreAddedListedAndRemoved) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  Webhook crm = MakeWebhook("https://crm.example.com/hook", {"transition", "assignment"});
  crm.id = 42;  // the store numbers webhooks itself
  Webhook chat = MakeWebhook("https://chat.example.com/in", {"sla_breach"});
  chat.secret = "";
  chat.max_attempts = 1;
  Webhook none = MakeWebhook("https://quiet.example.com/", {});
  STORE_ASSIGN(crm.id, tx->AddWebhook(crm));
  STORE_ASSIGN(chat.id, tx->AddWebhook(chat));
  STORE_ASSIGN(none.id, tx->AddWebhook(none));
  EXPECT_LT(crm.id, chat.id);
  EXPECT_LT(chat.id, none.id);
  STORE_ASSIGN(std::vector<Webhook> all, tx->Webhooks());
  EXPECT_EQ(all, (std::vector<Webhook>{crm, chat, none}));

  // Removing one deletes its pending messages and keeps delivered and dead ones.
  STORE_ASSERT_OK(tx->EnqueueMessages(
      std::vector<OutboxMessage>{Message(none.id, "n1", At(1)), Message(none.id, "n2", At(2)),
                                 Message(none.id, "n3", At(3)), Message(chat.id, "c1", At(4))}));
  STORE_ASSIGN(std::vector<OutboxMessage> pending,
               tx->Messages(none.id, MessageStatus::kPending, 0));
  ASSERT_EQ(pending.size(), 3u);
  pending[0].status = MessageStatus::kDelivered;
  pending[0].delivered_at = At(10);
  pending[1].status = MessageStatus::kDead;
  STORE_ASSERT_OK(tx->UpdateMessage(pending[0]));
  STORE_ASSERT_OK(tx->UpdateMessage(pending[1]));
  STORE_ASSERT_OK(tx->RemoveWebhook(none.id));
  STORE_ASSIGN(all, tx->Webhooks());
  EXPECT_EQ(all, (std::vector<Webhook>{crm, chat}));
  STORE_ASSIGN(std::vector<OutboxMessage> left, tx->Messages(none.id, MessageStatus::kPending, 0));
  EXPECT_TRUE(left.empty());
  STORE_ASSIGN(std::vector<OutboxMessage> delivered,
               tx->Messages(none.id, MessageStatus::kDelivered, 0));
  EXPECT_EQ(delivered, std::vector<OutboxMessage>{pending[0]});
  STORE_ASSIGN(std::vector<OutboxMessage> dead, tx->Messages(none.id, MessageStatus::kDead, 0));
  EXPECT_EQ(dead, std::vector<OutboxMessage>{pending[1]});
  STORE_ASSIGN(std::vector<OutboxMessage> others,
               tx->Messages(chat.id, MessageStatus::kPending, 0));
  EXPECT_EQ(others.size(), 1u) << "other webhooks' messages stay";
  EXPECT_EQ(tx->RemoveWebhook(none.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->EnqueueMessages(std::vector<OutboxMessage>{Message(none.id, "n4", At(5))}).code(),
            StatusCode::kNotFound)
      << "a removed webhook takes no messages";

  // Ids are never reused: the kept messages never count as a new webhook's.
  Webhook later = MakeWebhook("https://later.example.com/", {"touch"});
  STORE_ASSIGN(later.id, tx->AddWebhook(later));
  EXPECT_GT(later.id, none.id);
  STORE_ASSIGN(std::vector<OutboxCounts> counts, tx->CountMessages());
  EXPECT_EQ(CountsText(counts), std::to_string(crm.id) + ": 0 pending 0 delivered 0 dead\n" +
                                    std::to_string(chat.id) + ": 1 pending 0 delivered 0 dead\n" +
                                    std::to_string(none.id) + ": 0 pending 1 delivered 1 dead\n" +
                                    std::to_string(later.id) + ": 0 pending 0 delivered 0 dead\n")
      << "every webhook, and the kept messages of removed ones";
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(all, tx->Webhooks());
  EXPECT_EQ(all, (std::vector<Webhook>{crm, chat, later}));
}

TEST_P(StoreConformance, AWebhookNeedsAUrlAndAtLeastOneAttempt) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->AddWebhook(MakeWebhook("", {"transition"})).status().code(),
            StatusCode::kInvalidInput);
  Webhook never = MakeWebhook("https://x.example.com/", {"transition"});
  never.max_attempts = 0;
  EXPECT_EQ(tx->AddWebhook(never).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(tx->AddWebhook(MakeWebhook("https://x.example.com/", {"a,b"})).status().code(),
            StatusCode::kInvalidInput)
      << "kinds are names";
  EXPECT_EQ(tx->AddWebhook(MakeWebhook("https://x.example.com/", {""})).status().code(),
            StatusCode::kInvalidInput);
  STORE_ASSIGN(std::vector<Webhook> all, tx->Webhooks());
  EXPECT_TRUE(all.empty());
  EXPECT_EQ(tx->RemoveWebhook(1).code(), StatusCode::kNotFound);
}

TEST_P(StoreConformance, EnqueueMessagesIsAllOrNothing) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(int64_t hook, tx->AddWebhook(MakeWebhook("https://crm.example.com/", {"touch"})));
  auto keys = [&]() {
    Result<std::vector<OutboxMessage>> r = tx->Messages(0, MessageStatus::kPending, 0);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const OutboxMessage& m : *r) out.push_back(m.idempotency_key);
    }
    return Join(out);
  };
  Status s = tx->EnqueueMessages(
      std::vector<OutboxMessage>{Message(hook, "k1", At(1)), Message(hook + 100, "k2", At(2))});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_EQ(keys(), "");
  s = tx->EnqueueMessages(
      std::vector<OutboxMessage>{Message(hook, "k1", At(1)), Message(hook, "k1", At(2))});
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << "a key twice in one call: " << s.message();
  EXPECT_EQ(keys(), "");

  // Stored as given, with a seq and status pending.
  OutboxMessage first = Message(hook, "k1", At(1));
  first.kind = "touch";
  first.next_attempt_at = At(60);
  first.status = MessageStatus::kDead;
  STORE_ASSERT_OK(tx->EnqueueMessages(std::vector<OutboxMessage>{first}));
  STORE_ASSIGN(std::vector<OutboxMessage> stored, tx->Messages(hook, MessageStatus::kPending, 0));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_GT(stored[0].seq, 0);
  first.seq = stored[0].seq;
  first.status = MessageStatus::kPending;
  EXPECT_EQ(stored[0], first);

  s = tx->EnqueueMessages(
      std::vector<OutboxMessage>{Message(hook, "k2", At(2)), Message(hook, "k1", At(3))});
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << "a key stored before: " << s.message();
  EXPECT_EQ(keys(), "k1");
  STORE_ASSERT_OK(tx->EnqueueMessages(std::vector<OutboxMessage>{Message(hook, "k2", At(2))}));
  EXPECT_EQ(keys(), "k1,k2");
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, ClaimMessagesLeasesTheOldestDueMessages) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(int64_t hook, tx->AddWebhook(MakeWebhook("https://crm.example.com/", {"touch"})));
  OutboxMessage a = Message(hook, "a", At(10));
  OutboxMessage not_yet = Message(hook, "not_yet", At(20));
  not_yet.next_attempt_at = At(100);
  OutboxMessage c = Message(hook, "c", At(5));  // older than a, though enqueued after it
  OutboxMessage d = Message(hook, "d", At(30));
  STORE_ASSERT_OK(tx->EnqueueMessages(std::vector<OutboxMessage>{a, not_yet, c, d}));
  STORE_ASSERT_OK(tx->Commit());

  auto claim = [&](TimePoint now, TimePoint lease_until, size_t limit) {
    Result<std::vector<OutboxMessage>> r = tx->ClaimMessages(now, lease_until, limit);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const OutboxMessage& m : *r) {
        out.push_back(m.idempotency_key);
        EXPECT_EQ(m.next_attempt_at, lease_until) << m.idempotency_key << ": leased";
        EXPECT_EQ(m.status, MessageStatus::kPending);
      }
    }
    return Join(out);
  };
  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(claim(At(50), At(80), 2), "c,a") << "oldest first, at most the limit";
  EXPECT_EQ(claim(At(50), At(80), 2), "d") << "the claimed ones are leased";
  EXPECT_EQ(claim(At(50), At(80), 2), "") << "a second claim at the same time gets nothing";
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(claim(At(79), At(200), 10), "") << "the lease holds until it ends";
  EXPECT_EQ(claim(At(80), At(90), 0), "") << "a limit of 0 claims nothing";
  EXPECT_EQ(claim(At(80), At(110), 10), "c,a,d") << "an ended lease frees the message";
  EXPECT_EQ(claim(At(100), At(110), 10), "not_yet") << "due at next_attempt_at";

  // Delivered and dead messages are never claimed.
  STORE_ASSIGN(std::vector<OutboxMessage> all, tx->Messages(hook, MessageStatus::kPending, 0));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].idempotency_key, "c");
  all[0].status = MessageStatus::kDelivered;
  all[0].delivered_at = At(60);
  all[1].status = MessageStatus::kDead;
  STORE_ASSERT_OK(tx->UpdateMessage(all[0]));
  STORE_ASSERT_OK(tx->UpdateMessage(all[1]));
  EXPECT_EQ(claim(At(1000), At(1100), 10), "not_yet,d");
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, UpdateMessageRecordsAttemptsDeliveryAndDeath) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(int64_t crm, tx->AddWebhook(MakeWebhook("https://crm.example.com/", {"touch"})));
  STORE_ASSIGN(int64_t chat, tx->AddWebhook(MakeWebhook("https://chat.example.com/", {"touch"})));
  STORE_ASSERT_OK(tx->EnqueueMessages(std::vector<OutboxMessage>{
      Message(crm, "m1", At(1)), Message(crm, "m2", At(2)), Message(chat, "m3", At(3)),
      Message(crm, "m4", At(4)), Message(chat, "m5", At(5))}));
  STORE_ASSIGN(std::vector<OutboxMessage> claimed, tx->ClaimMessages(At(10), At(70), 10));
  ASSERT_EQ(claimed.size(), 5u);

  // m1 failed once and waits; m2 was delivered; m3 is dead.
  OutboxMessage retry = claimed[0];
  retry.attempts = 1;
  retry.next_attempt_at = At(300);
  retry.last_error = "connection refused";
  OutboxMessage delivered = claimed[1];
  delivered.status = MessageStatus::kDelivered;
  delivered.attempts = 2;
  delivered.last_error = "";
  delivered.last_http_status = 204;
  delivered.delivered_at = At(11);
  OutboxMessage dead = claimed[2];
  dead.status = MessageStatus::kDead;
  dead.attempts = 5;
  dead.last_error = "HTTP 500";
  dead.last_http_status = 500;
  for (const OutboxMessage& m : {retry, delivered, dead}) STORE_ASSERT_OK(tx->UpdateMessage(m));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<OutboxMessage> pending, tx->Messages(crm, MessageStatus::kPending, 0));
  EXPECT_EQ(pending, (std::vector<OutboxMessage>{retry, claimed[3]}));
  STORE_ASSIGN(std::vector<OutboxMessage> done, tx->Messages(crm, MessageStatus::kDelivered, 0));
  EXPECT_EQ(done, std::vector<OutboxMessage>{delivered});
  STORE_ASSIGN(std::vector<OutboxMessage> gone, tx->Messages(chat, MessageStatus::kDead, 0));
  EXPECT_EQ(gone, std::vector<OutboxMessage>{dead});

  // All webhooks with 0, oldest first, at most `limit`.
  STORE_ASSIGN(std::vector<OutboxMessage> every, tx->Messages(0, MessageStatus::kPending, 0));
  EXPECT_EQ(every, (std::vector<OutboxMessage>{retry, claimed[3], claimed[4]}));
  STORE_ASSIGN(std::vector<OutboxMessage> two, tx->Messages(0, MessageStatus::kPending, 2));
  EXPECT_EQ(two, (std::vector<OutboxMessage>{retry, claimed[3]}));
  STORE_ASSIGN(std::vector<OutboxCounts> counts, tx->CountMessages());
  EXPECT_EQ(CountsText(counts), std::to_string(crm) + ": 2 pending 1 delivered 0 dead\n" +
                                    std::to_string(chat) + ": 1 pending 0 delivered 1 dead\n");

  OutboxMessage unknown = retry;
  unknown.seq = claimed[4].seq + 1000;
  EXPECT_EQ(tx->UpdateMessage(unknown).code(), StatusCode::kNotFound);
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, ADroppedTransactionLeavesNoHandoffTrace) {
  CommitLeads({Lead("L1", "A1", {}), Lead("L2", std::nullopt, {})});
  int64_t base_hook = 0;
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana"), At(0)));
    STORE_ASSERT_OK(tx->AddHandoff(Assign("L1", "ana", At(1))));
    STORE_ASSERT_OK(tx->AddTouch(MakeTouch("L1", At(2), "sent")));
    STORE_ASSIGN(base_hook, tx->AddWebhook(MakeWebhook("https://crm.example.com/", {"touch"})));
    STORE_ASSERT_OK(
        tx->EnqueueMessages(std::vector<OutboxMessage>{Message(base_hook, "base", At(2))}));
    STORE_ASSERT_OK(tx->Commit());
  }
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::string before = Dump(*tx);
  EXPECT_NE(before.find("handoff #"), std::string::npos) << before;
  tx.reset();

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("ana", "Ana Changed"), At(5)));
  STORE_ASSERT_OK(tx->UpsertOwner(MakeOwner("bob", "Bob"), At(5)));
  STORE_ASSIGN(std::optional<Handoff> open, tx->OpenHandoff("L1"));
  ASSERT_TRUE(open.has_value());
  open->closed_at = At(6);
  STORE_ASSERT_OK(tx->UpdateHandoff(*open));
  STORE_ASSERT_OK(tx->AddHandoff(Assign("L1", "bob", At(6))));
  STORE_ASSERT_OK(tx->AddHandoff(Assign("L2", "bob", At(6))));
  STORE_ASSERT_OK(tx->AddTouch(MakeTouch("L2", At(7), "connected")));
  STORE_ASSERT_OK(tx->WriteScores(std::vector<ScoreRecord>{Score("L1", 1, 50, "A", "1", "call")}));
  STORE_ASSIGN(int64_t hook, tx->AddWebhook(MakeWebhook("https://chat.example.com/", {"touch"})));
  STORE_ASSERT_OK(tx->EnqueueMessages(std::vector<OutboxMessage>{Message(hook, "new", At(8))}));
  STORE_ASSIGN(std::vector<OutboxMessage> claimed, tx->ClaimMessages(At(9), At(99), 10));
  ASSERT_EQ(claimed.size(), 2u);
  claimed[0].status = MessageStatus::kDelivered;
  STORE_ASSERT_OK(tx->UpdateMessage(claimed[0]));
  STORE_ASSERT_OK(tx->RemoveWebhook(base_hook));
  tx.reset();  // never committed

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(Dump(*tx), before);
}

// --- trade: shipments

TEST_P(StoreConformance, ReImportingShipmentsChangesNothingAndUpdatesAreCounted) {
  // Two lines of one bill of lading (two HS codes) and a second bill.
  std::vector<ShipmentRow> file = {Shipment("MAEU1", "870830", 10, "ACME AUTO PARTS LLC"),
                                   Shipment("MAEU1", "870899", 10, "ACME AUTO PARTS LLC"),
                                   Shipment("HLCU7", "870830", 12, "Acme Auto Parts, Inc.")};
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    WriteStats stats;
    STORE_ASSERT_OK(tx->UpsertShipments(file, stats));
    EXPECT_EQ(Stats(stats), "inserted=3 updated=0 unchanged=0 duplicates=0");
    STORE_ASSERT_OK(tx->Commit());
  }
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::string before = Dump(*tx);
  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertShipments(file, again));
  EXPECT_EQ(Stats(again), "inserted=0 updated=0 unchanged=3 duplicates=0");
  EXPECT_EQ(Dump(*tx), before) << "the same file twice adds nothing";

  // A corrected manifest: one weight fixed, one line's arrival moved, one new line; the third
  // line as it was. 1 inserted + 2 updated + 1 unchanged = the 4 rows given.
  std::vector<ShipmentRow> corrected = file;
  corrected[0].weight_kg = 1300;
  corrected[2].arrival = At(0) + 9 * kMicrosPerDay;
  corrected.push_back(Shipment("MSCU3", "870830", 11, "ACME AUTO PARTS LLC"));
  std::swap(corrected[1], corrected[3]);
  WriteStats third;
  STORE_ASSERT_OK(tx->UpsertShipments(corrected, third));
  EXPECT_EQ(Stats(third), "inserted=1 updated=2 unchanged=1 duplicates=0");
  STORE_ASSIGN(uint64_t count, tx->CountShipments());
  EXPECT_EQ(count, 4u);
  EXPECT_EQ(ShipmentKeys(*tx),
            "2026-01-10 HLCU7 870830\n"  // moved from day 12 to day 9
            "2026-01-11 MAEU1 870830\n"
            "2026-01-11 MAEU1 870899\n"
            "2026-01-12 MSCU3 870830\n");

  // One key twice in one call: the later row stays (1 inserted, then 1 updated).
  ShipmentRow first = Shipment("ONEY5", "401110", 20, "LLANTAS DEL NORTE SA DE CV");
  ShipmentRow second = first;
  second.notify_party = "";
  second.quantity = 12;
  WriteStats twice;
  STORE_ASSERT_OK(tx->UpsertShipments(std::vector<ShipmentRow>{first, second}, twice));
  EXPECT_EQ(Stats(twice), "inserted=1 updated=1 unchanged=0 duplicates=0");
  // Rows are written in scan order: of one key on two days in a call, the later arrival stays.
  ShipmentRow late = Shipment("ZIMU9", "870830", 30, "ACME");
  ShipmentRow early = late;
  early.arrival -= kMicrosPerDay;
  WriteStats two_days;
  STORE_ASSERT_OK(tx->UpsertShipments(std::vector<ShipmentRow>{late, early}, two_days));
  EXPECT_EQ(Stats(two_days), "inserted=1 updated=1 unchanged=0 duplicates=0");
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::vector<ShipmentRow> expected = {corrected[2], corrected[0], corrected[3],
                                       corrected[1], second,       late};
  EXPECT_EQ(AllShipments(*tx), expected) << "every value as last written, after a commit";
}

// A batch large enough for every path a store takes with a whole file (the SQLite store reads
// and sorts it on all cores from 65,536 lines), in no order, with keys given more than once
// (on one day and on two) and lines on days before the epoch. What it stores is worked out here
// line by line from the rules above.
TEST_P(StoreConformance, ALargeShipmentBatchKeepsTheLastLineOfEachKeyInScanOrder) {
  constexpr int kLines = 70000;
  std::vector<ShipmentRow> batch;
  batch.reserve(kLines);
  for (int i = 0; i < kLines; ++i) {
    // Keys repeat: every 10th line repeats the key of the line 5,003 before it, half of them
    // as the very same line, half with another arrival and weight.
    const int key = i % 10 == 9 && i >= 5003 ? i - 5003 : i;
    const int from = i % 20 == 19 ? key : i;
    char bol[24];
    std::snprintf(bol, sizeof bol, "%s%07d", key % 3 == 0 ? "MAEU" : "HLCUAB1234567",
                  key * 7 % kLines);
    ShipmentRow row = Shipment(bol, key % 2 ? "870830" : "8708", (from * 37) % 61 - 20, "ACME");
    if (from % 11 == 0) row.arrival = (from % 5 - 3) * kMicrosPerDay;  // around the epoch
    row.weight_kg = from % 4;
    batch.push_back(std::move(row));
  }
  // What must be stored: per key, the last line in scan order (arrival, then given order).
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_key;
  for (size_t i = 0; i < batch.size(); ++i) {
    by_key[{batch[i].bol_number, batch[i].hs_code}].push_back(i);
  }
  WriteStats expected_stats;
  std::vector<ShipmentRow> expected;
  for (auto& [key, lines] : by_key) {
    std::stable_sort(lines.begin(), lines.end(),
                     [&](size_t a, size_t b) { return batch[a].arrival < batch[b].arrival; });
    ++expected_stats.inserted;
    for (size_t k = 1; k < lines.size(); ++k) {
      ++(batch[lines[k]] == batch[lines[k - 1]] ? expected_stats.unchanged
                                                : expected_stats.updated);
    }
    expected.push_back(batch[lines.back()]);
  }
  std::sort(expected.begin(), expected.end(), [](const ShipmentRow& a, const ShipmentRow& b) {
    return std::tie(a.arrival, a.bol_number, a.hs_code) <
           std::tie(b.arrival, b.bol_number, b.hs_code);
  });
  ASSERT_GT(expected_stats.updated, 100u);
  ASSERT_GT(expected_stats.unchanged, 100u);

  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertShipments(batch, stats));
  EXPECT_EQ(Stats(stats), Stats(expected_stats));
  STORE_ASSERT_OK(tx->Commit());
  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(uint64_t count, tx->CountShipments());
  EXPECT_EQ(count, expected.size());
  std::vector<ShipmentRow> stored = AllShipments(*tx);
  ASSERT_EQ(stored.size(), expected.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    ASSERT_EQ(stored[i], expected[i]) << "line " << i << " in scan order";
  }

  // The stored lines again: all unchanged. Then every 7th a day later: updated, and moved.
  WriteStats again;
  STORE_ASSERT_OK(tx->UpsertShipments(expected, again));
  EXPECT_EQ(Stats(again),
            "inserted=0 updated=0 unchanged=" + std::to_string(expected.size()) + " duplicates=0");
  std::vector<ShipmentRow> later;
  for (size_t i = 0; i < expected.size(); i += 7) {
    later.push_back(expected[i]);
    later.back().arrival += kMicrosPerDay;
  }
  WriteStats moved;
  STORE_ASSERT_OK(tx->UpsertShipments(later, moved));
  EXPECT_EQ(moved.updated, later.size());
  EXPECT_EQ(moved.inserted, 0u);
  STORE_ASSERT_OK(tx->Commit());
  for (size_t i = 0; i < expected.size(); i += 7) expected[i].arrival += kMicrosPerDay;
  std::sort(expected.begin(), expected.end(), [](const ShipmentRow& a, const ShipmentRow& b) {
    return std::tie(a.arrival, a.bol_number, a.hs_code) <
           std::tie(b.arrival, b.bol_number, b.hs_code);
  });
  tx = Begin();
  ASSERT_NE(tx, nullptr);
  stored = AllShipments(*tx);
  ASSERT_EQ(stored.size(), expected.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    ASSERT_EQ(stored[i], expected[i]) << "line " << i << " in scan order, after the move";
  }
}

TEST_P(StoreConformance, ShipmentsAreScannedByArrivalThenBolThenHsCodeAndTheVisitorCanStop) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertShipments(
      std::vector<ShipmentRow>{
          Shipment("B2", "870830", 5, "ACME"), Shipment("A9", "8708", 7, "ACME"),
          Shipment("B2", "401110", 5, "ACME"), Shipment("A1", "870899", 5, "ACME"),
          Shipment("C3", "870830", 1, "ACME"), Shipment("B2", "4011100000", 5, "ACME")},
      stats));
  EXPECT_EQ(stats.inserted, 6u);
  EXPECT_EQ(ShipmentKeys(*tx),
            "2026-01-02 C3 870830\n"
            "2026-01-06 A1 870899\n"
            "2026-01-06 B2 401110\n"
            "2026-01-06 B2 4011100000\n"  // text order: "401110" < "4011100000" < "870830"
            "2026-01-06 B2 870830\n"
            "2026-01-08 A9 8708\n");

  // A visitor returning false stops the scan, which is still a success.
  std::vector<std::string> seen;
  STORE_ASSERT_OK(tx->ScanShipments([&seen](const ShipmentRow& row) {
    seen.push_back(row.bol_number + "/" + row.hs_code);
    return seen.size() < 2;
  }));
  EXPECT_EQ(Join(seen), "C3/870830,A1/870899");
  int calls = 0;
  STORE_ASSERT_OK(tx->ScanShipments([&calls](const ShipmentRow&) {
    ++calls;
    return false;
  }));
  EXPECT_EQ(calls, 1);
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, ShipmentNumbersRoundTripAndAbsentIsNotZero) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ShipmentRow absent = Shipment("ABSENT", "8708", 1, "ACME");
  absent.weight_kg = absent.containers = absent.teu = absent.quantity = absent.value_usd =
      std::nullopt;
  absent.shipper_name = absent.consignee_address = absent.consignee_city = "";
  absent.consignee_country = absent.shipper_country = absent.notify_party = "";
  absent.country_of_origin = absent.port_of_lading = absent.port_of_unlading = "";
  absent.description = absent.carrier = "";
  ShipmentRow zero = Shipment("ZERO", "8708", 1, "ACME");
  zero.weight_kg = zero.containers = zero.teu = zero.quantity = zero.value_usd = 0.0;
  ShipmentRow exact = Shipment("EXACT", "8708", 1, "ACME");
  exact.weight_kg = 18234.567;  // values that no float keeps, to the last bit
  exact.containers = 0.1;
  exact.teu = 1e-3;
  exact.quantity = 123456789012.0;
  exact.value_usd = -2.5;  // a credit note; the store keeps what it is given
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertShipments(std::vector<ShipmentRow>{absent, zero, exact}, stats));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(AllShipments(*tx), (std::vector<ShipmentRow>{absent, exact, zero}));
  // Absent and 0 are different values: each way is an update.
  ShipmentRow now_zero = absent;
  now_zero.weight_kg = 0.0;
  ShipmentRow now_absent = zero;
  now_absent.value_usd = std::nullopt;
  ShipmentRow now_empty = exact;
  now_empty.carrier = "";
  WriteStats changed;
  STORE_ASSERT_OK(
      tx->UpsertShipments(std::vector<ShipmentRow>{now_zero, now_absent, now_empty}, changed));
  EXPECT_EQ(Stats(changed), "inserted=0 updated=3 unchanged=0 duplicates=0");
  EXPECT_EQ(AllShipments(*tx), (std::vector<ShipmentRow>{now_zero, now_empty, now_absent}));
  STORE_ASSERT_OK(tx->Commit());
}

TEST_P(StoreConformance, AFailingShipmentBatchWritesNothing) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ShipmentRow kept = Shipment("MAEU1", "870830", 10, "ACME");
  WriteStats stats;
  STORE_ASSERT_OK(tx->UpsertShipments(std::vector<ShipmentRow>{kept}, stats));
  std::string before = Dump(*tx);

  ShipmentRow changed = kept;
  changed.weight_kg = 99;
  ShipmentRow fresh = Shipment("MAEU2", "870830", 11, "ACME");
  auto bad = [] {
    std::vector<ShipmentRow> rows;
    rows.push_back(Shipment("X", "8708.30", 1, "ACME"));  // dots: the caller keeps digits only
    rows.push_back(Shipment("X", "", 1, "ACME"));
    rows.push_back(Shipment("", "870830", 1, "ACME"));
    rows.push_back(Shipment("X", "870830", 1, ""));
    rows.push_back(Shipment("X", "870830", 1, "ACME"));
    rows.back().teu = std::numeric_limits<double>::quiet_NaN();
    rows.push_back(Shipment("X", "870830", 1, "ACME"));
    rows.back().weight_kg = std::numeric_limits<double>::infinity();
    return rows;
  }();
  for (const ShipmentRow& wrong : bad) {
    WriteStats none;
    // The bad row comes last: what came before it in the call is undone too.
    Status s = tx->UpsertShipments(std::vector<ShipmentRow>{fresh, changed, wrong}, none);
    EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << ShipmentText(wrong);
    EXPECT_EQ(Stats(none), "inserted=0 updated=0 unchanged=0 duplicates=0") << s.message();
    EXPECT_EQ(Dump(*tx), before) << s.message();
  }
  // The transaction goes on.
  WriteStats after;
  STORE_ASSERT_OK(tx->UpsertShipments(std::vector<ShipmentRow>{fresh, changed}, after));
  EXPECT_EQ(Stats(after), "inserted=1 updated=1 unchanged=0 duplicates=0");
  STORE_ASSERT_OK(tx->Commit());
}

// --- trade: rules and buyer notes

TEST_P(StoreConformance, TradeRulesAreAddedListedAndRemoved) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  TradeRule merge = Rule("merge", "AUTOPARTES DEL NORTE", "AUTO PARTES DEL NORTE", At(1));
  merge.id = 42;  // the store numbers rules itself
  TradeRule split = Rule("split", "GRUPO GIGANTE", "GIGANTE AUTOMOTRIZ", At(2));
  split.role = "supplier";
  split.country = "CN";
  split.by = "";
  split.note = "";
  STORE_ASSIGN(merge.id, tx->AddTradeRule(merge));
  STORE_ASSIGN(split.id, tx->AddTradeRule(split));
  EXPECT_GT(merge.id, 0);
  EXPECT_LT(merge.id, split.id);
  STORE_ASSIGN(std::vector<TradeRule> rules, tx->TradeRules());
  EXPECT_EQ(rules, (std::vector<TradeRule>{merge, split}));

  // Refused rules add nothing.
  for (TradeRule wrong : {Rule("join", "A", "B", At(3)), Rule("merge", "", "B", At(3)),
                          Rule("split", "A", "", At(3))}) {
    EXPECT_EQ(tx->AddTradeRule(wrong).status().code(), StatusCode::kInvalidInput)
        << TradeRuleText(wrong);
  }
  TradeRule no_role = Rule("merge", "A", "B", At(3));
  no_role.role = "carrier";
  EXPECT_EQ(tx->AddTradeRule(no_role).status().code(), StatusCode::kInvalidInput);
  STORE_ASSIGN(rules, tx->TradeRules());
  EXPECT_EQ(rules.size(), 2u);

  // Removed by id; ids are never reused, even the last one's.
  STORE_ASSERT_OK(tx->RemoveTradeRule(split.id));
  EXPECT_EQ(tx->RemoveTradeRule(split.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->RemoveTradeRule(split.id + 100).code(), StatusCode::kNotFound);
  TradeRule later = Rule("merge", "LLANTAS SA", "LLANTAS S.A.", At(4));
  STORE_ASSIGN(later.id, tx->AddTradeRule(later));
  EXPECT_GT(later.id, split.id);
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(rules, tx->TradeRules());
  EXPECT_EQ(rules, (std::vector<TradeRule>{merge, later}));
}

TEST_P(StoreConformance, BuyerNotesAreUpsertedByCountrySpellingAndKind) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  BuyerNote access = Note("MX", "AUTOPARTES DEL NORTE SA DE CV", "access", "yes", At(1));
  BuyerNote account = Note("MX", "AUTOPARTES DEL NORTE SA DE CV", "account", "ACC-17", At(2));
  BuyerNote brazil = Note("BR", "AUTOPARTES DEL NORTE SA DE CV", "access", "no", At(3));
  BuyerNote unknown_country = Note("", "ACME", "account", "ACC-1", At(4));
  for (const BuyerNote& n : {access, account, brazil, unknown_country}) {
    STORE_ASSERT_OK(tx->PutBuyerNote(n));
  }
  STORE_ASSIGN(std::vector<BuyerNote> notes, tx->BuyerNotes());
  EXPECT_EQ(notes, (std::vector<BuyerNote>{unknown_country, brazil, access, account}));

  // The latest statement replaces the earlier one of the same country, spelling and kind.
  BuyerNote revoked = Note("MX", "AUTOPARTES DEL NORTE SA DE CV", "access", "no", At(9));
  revoked.note = "the buyer left";
  revoked.by = "rita";
  STORE_ASSERT_OK(tx->PutBuyerNote(revoked));
  BuyerNote cleared = account;
  cleared.note = "";
  cleared.by = "";
  STORE_ASSERT_OK(tx->PutBuyerNote(cleared));
  STORE_ASSIGN(notes, tx->BuyerNotes());
  EXPECT_EQ(notes, (std::vector<BuyerNote>{unknown_country, brazil, revoked, cleared}));

  // Refused notes change nothing.
  for (const BuyerNote& wrong :
       {Note("MX", "ACME", "access", "maybe", At(5)), Note("MX", "ACME", "access", "", At(5)),
        Note("MX", "ACME", "account", "", At(5)), Note("MX", "ACME", "phone", "x", At(5)),
        Note("MX", "", "access", "yes", At(5))}) {
    EXPECT_EQ(tx->PutBuyerNote(wrong).code(), StatusCode::kInvalidInput) << BuyerNoteText(wrong);
  }
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(notes, tx->BuyerNotes());
  EXPECT_EQ(notes, (std::vector<BuyerNote>{unknown_country, brazil, revoked, cleared}));
}

TEST_P(StoreConformance, ADroppedTransactionLeavesNoTradeTrace) {
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    WriteStats stats;
    STORE_ASSERT_OK(tx->UpsertShipments(
        std::vector<ShipmentRow>{Shipment("MAEU1", "870830", 10, "ACME")}, stats));
    STORE_ASSERT_OK(tx->AddTradeRule(Rule("merge", "ACME", "ACME INC", At(1))));
    STORE_ASSERT_OK(tx->PutBuyerNote(Note("US", "ACME", "access", "yes", At(1))));
    STORE_ASSERT_OK(tx->Commit());
  }
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  std::string before = Dump(*tx);
  EXPECT_NE(before.find("shipments 1\n"), std::string::npos) << before;
  tx.reset();

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  WriteStats stats;
  ShipmentRow changed = Shipment("MAEU1", "870830", 10, "ACME");
  changed.value_usd = 5000;
  STORE_ASSERT_OK(tx->UpsertShipments(
      std::vector<ShipmentRow>{changed, Shipment("MAEU2", "870830", 11, "ACME")}, stats));
  STORE_ASSIGN(std::vector<TradeRule> rules, tx->TradeRules());
  ASSERT_EQ(rules.size(), 1u);
  STORE_ASSERT_OK(tx->RemoveTradeRule(rules[0].id));
  STORE_ASSERT_OK(tx->AddTradeRule(Rule("split", "ACME", "ACME TOOLS", At(2))));
  STORE_ASSERT_OK(tx->PutBuyerNote(Note("US", "ACME", "access", "no", At(2))));
  STORE_ASSERT_OK(tx->PutBuyerNote(Note("US", "ACME", "account", "ACC-1", At(2))));
  tx.reset();  // never committed

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(Dump(*tx), before);
}

// --- API tokens and the audit trail

// "id name role owner hash created revoked=.. used=.." for comparing tokens.
inline std::string ApiTokenText(const ApiToken& t) {
  auto opt = [](const std::optional<TimePoint>& v) { return v ? std::to_string(*v) : "-"; };
  return std::to_string(t.id) + " " + t.name + " " + t.role + " owner=" + t.owner + " " +
         t.secret_hash + " created=" + std::to_string(t.created_at) +
         " revoked=" + opt(t.revoked_at) + " used=" + opt(t.last_used_at);
}
inline std::string ApiTokensText(const std::vector<ApiToken>& tokens) {
  std::string out;
  for (const ApiToken& t : tokens) out += ApiTokenText(t) + "\n";
  return out;
}
inline ApiToken MakeApiToken(std::string name, std::string role, std::string owner, TimePoint at) {
  ApiToken t;
  t.secret_hash = Sha256Hex("lq_secret_of_" + name);
  t.name = std::move(name);
  t.role = std::move(role);
  t.owner = std::move(owner);
  t.created_at = at;
  return t;
}
// "seq at token method path status summary" for comparing audit entries.
inline std::string AuditText(const std::vector<AuditEntry>& entries) {
  std::string out;
  for (const AuditEntry& e : entries) {
    out += std::to_string(e.seq) + " " + std::to_string(e.at) + " " + e.token + " " + e.method +
           " " + e.path + " " + std::to_string(e.status) + " " + e.summary + "\n";
  }
  return out;
}
inline AuditEntry MakeAudit(TimePoint at, std::string token, std::string method, std::string path,
                            int status, std::string summary) {
  AuditEntry e;
  e.at = at;
  e.token = std::move(token);
  e.method = std::move(method);
  e.path = std::move(path);
  e.status = status;
  e.summary = std::move(summary);
  return e;
}

TEST_P(StoreConformance, ApiTokensAreAddedFoundAndRevokedButNeverRenamed) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ApiToken admin = MakeApiToken("t-admin", "admin", "", At(1));
  admin.id = 42;  // the store numbers tokens itself
  ApiToken seller = MakeApiToken("t-ana", "seller", "ana", At(2));
  STORE_ASSIGN(admin.id, tx->AddApiToken(admin));
  STORE_ASSIGN(seller.id, tx->AddApiToken(seller));
  EXPECT_GT(admin.id, 0);
  EXPECT_LT(admin.id, seller.id);
  STORE_ASSIGN(std::vector<ApiToken> tokens, tx->ApiTokens());
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({admin, seller}));

  // Found by the hash of the secret, and only by that.
  STORE_ASSIGN(std::optional<ApiToken> found, tx->FindApiTokenByHash(seller.secret_hash));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(ApiTokenText(*found), ApiTokenText(seller));
  STORE_ASSIGN(found, tx->FindApiTokenByHash(Sha256Hex("lq_never_issued")));
  EXPECT_FALSE(found.has_value());
  STORE_ASSIGN(found, tx->FindApiTokenByHash(""));
  EXPECT_FALSE(found.has_value());

  // Refused tokens add nothing: a taken name, a stored hash, an empty name, role or hash.
  ApiToken same_name = MakeApiToken("t-admin", "ops", "", At(3));
  same_name.secret_hash = Sha256Hex("another secret");
  Result<int64_t> refused = tx->AddApiToken(same_name);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(refused.status().message().find("t-admin"), std::string::npos)
      << refused.status().message();
  ApiToken same_hash = MakeApiToken("t-other", "ops", "", At(3));
  same_hash.secret_hash = admin.secret_hash;
  EXPECT_EQ(tx->AddApiToken(same_hash).status().code(), StatusCode::kInvalidInput);
  ApiToken no_name = MakeApiToken("", "ops", "", At(3));
  ApiToken no_role = MakeApiToken("t-x", "", "", At(3));
  ApiToken no_hash = MakeApiToken("t-y", "ops", "", At(3));
  no_hash.secret_hash = "";
  for (const ApiToken& wrong : {no_name, no_role, no_hash}) {
    EXPECT_EQ(tx->AddApiToken(wrong).status().code(), StatusCode::kInvalidInput)
        << ApiTokenText(wrong);
  }
  STORE_ASSIGN(tokens, tx->ApiTokens());
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({admin, seller}));

  // Revoked once: a second revocation keeps the first time. Unknown ids are NotFound.
  STORE_ASSERT_OK(tx->RevokeApiToken(seller.id, At(10)));
  STORE_ASSERT_OK(tx->RevokeApiToken(seller.id, At(20)));
  seller.revoked_at = At(10);
  EXPECT_EQ(tx->RevokeApiToken(seller.id + 100, At(10)).code(), StatusCode::kNotFound);
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(tokens, tx->ApiTokens());
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({admin, seller}));
  // A revoked token is still found (the caller decides), and its name stays taken.
  STORE_ASSIGN(found, tx->FindApiTokenByHash(seller.secret_hash));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->revoked_at, std::optional<TimePoint>(At(10)));
  ApiToken reused = MakeApiToken("t-ana", "seller", "ana", At(30));
  reused.secret_hash = Sha256Hex("a new secret");
  EXPECT_EQ(tx->AddApiToken(reused).status().code(), StatusCode::kInvalidInput);
}

TEST_P(StoreConformance, TouchingApiTokensKeepsTheLatestUse) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  ApiToken a = MakeApiToken("t-a", "ops", "", At(0));
  ApiToken b = MakeApiToken("t-b", "ingest", "", At(0));
  STORE_ASSIGN(a.id, tx->AddApiToken(a));
  STORE_ASSIGN(b.id, tx->AddApiToken(b));
  // b is used twice in one batch (the later use counts); an unknown id is skipped.
  std::vector<std::pair<int64_t, TimePoint>> uses = {
      {a.id, At(100)}, {b.id, At(300)}, {b.id, At(200)}, {b.id + 50, At(100)}};
  STORE_ASSERT_OK(tx->TouchApiTokens(uses));
  a.last_used_at = At(100);
  b.last_used_at = At(300);
  STORE_ASSIGN(std::vector<ApiToken> tokens, tx->ApiTokens());
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({a, b}));

  // An older batch flushed late does not move a use back; a newer one moves it on.
  uses = {{a.id, At(50)}, {b.id, At(400)}};
  STORE_ASSERT_OK(tx->TouchApiTokens(uses));
  b.last_used_at = At(400);
  STORE_ASSERT_OK(tx->TouchApiTokens({}));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(tokens, tx->ApiTokens());
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({a, b}));
}

TEST_P(StoreConformance, TheAuditTrailIsAppendedInOrderAndReadNewestFirst) {
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<AuditEntry> entries, tx->Audit(0, 0));
  EXPECT_TRUE(entries.empty());
  STORE_ASSIGN(uint64_t count, tx->CountAudit());
  EXPECT_EQ(count, 0u);

  std::vector<AuditEntry> batch = {
      MakeAudit(At(1), "t-ingest", "POST", "/api/v1/events", 200, "events 3 accepted"),
      MakeAudit(At(1), "t-ops", "POST", "/api/v1/leads/L1/stage", 409, ""),
      MakeAudit(At(2), "anonymous", "DELETE", "/api/v1/tokens/7", 401, "no token"),
  };
  batch[0].seq = 99;  // ignored: the store numbers entries
  STORE_ASSERT_OK(tx->AppendAudit(batch));
  STORE_ASSERT_OK(tx->AppendAudit(std::vector<AuditEntry>{}));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSERT_OK(tx->AppendAudit(std::vector<AuditEntry>{
      MakeAudit(At(5), "t-admin", "POST", "/api/v1/tokens", 201, "token create t-x (ops)")}));
  STORE_ASSERT_OK(tx->Commit());

  tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(count, tx->CountAudit());
  EXPECT_EQ(count, 4u);
  STORE_ASSIGN(entries, tx->Audit(0, 0));
  ASSERT_EQ(entries.size(), 4u);
  // Seqs increase in the order written; the list runs from the newest down.
  EXPECT_GT(entries[0].seq, entries[1].seq);
  EXPECT_GT(entries[1].seq, entries[2].seq);
  EXPECT_GT(entries[2].seq, entries[3].seq);
  batch[0].seq = entries[3].seq;
  batch[1].seq = entries[2].seq;
  batch[2].seq = entries[1].seq;
  AuditEntry last =
      MakeAudit(At(5), "t-admin", "POST", "/api/v1/tokens", 201, "token create t-x (ops)");
  last.seq = entries[0].seq;
  EXPECT_EQ(AuditText(entries), AuditText({last, batch[2], batch[1], batch[0]}));

  // Pages: limit 2 from offset 1 are the second and third newest; past the end is empty.
  STORE_ASSIGN(std::vector<AuditEntry> page, tx->Audit(2, 1));
  EXPECT_EQ(AuditText(page), AuditText({batch[2], batch[1]}));
  STORE_ASSIGN(page, tx->Audit(10, 3));
  EXPECT_EQ(AuditText(page), AuditText({batch[0]}));
  STORE_ASSIGN(page, tx->Audit(10, 4));
  EXPECT_TRUE(page.empty());
}

TEST_P(StoreConformance, ADroppedTransactionLeavesNoTokenOrAuditTrace) {
  int64_t kept = 0;
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    STORE_ASSIGN(kept, tx->AddApiToken(MakeApiToken("t-kept", "ops", "", At(0))));
    STORE_ASSERT_OK(tx->Commit());
  }
  {
    std::unique_ptr<Transaction> tx = Begin();
    ASSERT_NE(tx, nullptr);
    STORE_ASSERT_OK(tx->AddApiToken(MakeApiToken("t-dropped", "admin", "", At(1))));
    STORE_ASSERT_OK(tx->RevokeApiToken(kept, At(2)));
    std::vector<std::pair<int64_t, TimePoint>> uses = {{kept, At(3)}};
    STORE_ASSERT_OK(tx->TouchApiTokens(uses));
    STORE_ASSERT_OK(tx->AppendAudit(std::vector<AuditEntry>{
        MakeAudit(At(2), "t-admin", "DELETE", "/api/v1/tokens/1", 200, "token revoke")}));
    // never committed
  }
  std::unique_ptr<Transaction> tx = Begin();
  ASSERT_NE(tx, nullptr);
  STORE_ASSIGN(std::vector<ApiToken> tokens, tx->ApiTokens());
  ApiToken expected = MakeApiToken("t-kept", "ops", "", At(0));
  expected.id = kept;
  EXPECT_EQ(ApiTokensText(tokens), ApiTokensText({expected}));
  STORE_ASSIGN(uint64_t count, tx->CountAudit());
  EXPECT_EQ(count, 0u);
}

}  // namespace leadq::store::conformance
