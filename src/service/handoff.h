// The handoff use cases: owners, assignment (when a lead enters mql, and on demand), the
// handoff packet, the response clock (`sla`, escalation by `tick`), touches and cadences, the
// owner's queue, and webhook subscriptions with the outbox their messages go through. Each runs
// in one transaction; every change that a webhook reports is written to the outbox in the same
// transaction as the change itself.
//
// Time is an input everywhere (`at`, `as_of`): nothing here reads the clock.
//
// Example:
//   LEADQ_TRY(AssignOutcome a, AssignLead(ws, {.lead_id = "L1", .by = "ops", .at = now}));
//   LEADQ_TRY(std::string text, Queue(ws, "ana", now, ListFormat::kTable));
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "engine/handoff.h"
#include "service/lifecycle_ops.h"
#include "service/scoring.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

// --- owners

// Adds an owner. Refused when the id exists, the capacity is negative, or the working hours or
// time zone do not parse (the message says what is wrong).
Result<store::Owner> AddOwner(Workspace& ws, store::Owner owner, TimePoint now);

struct OwnerPatch {
  std::optional<std::string> name, email, role, working_hours, time_zone, manager;
  std::optional<int64_t> weekly_capacity;
  std::optional<bool> active;
};
Result<store::Owner> UpdateOwner(Workspace& ws, const std::string& owner_id,
                                 const OwnerPatch& patch, TimePoint now);
// Owners with their load as of `as_of`: leads assigned in the last 7 days against capacity,
// open handoffs, open clocks and breaches.
Result<std::string> ListOwners(Workspace& ws, TimePoint as_of, ListFormat format);

// --- assignment

struct AssignOutcome {
  std::string lead_id;
  bool assigned = false;
  std::string owner_id;
  std::string rule;  // how the owner was chosen
  std::string why;   // in words: the rule, or why nobody could take the lead
  std::optional<TimePoint> due_at;
  std::string sla_rule;
  std::string cadence;
};

// What assignment needs from a transaction, gathered once for many leads: the model, owners,
// their load in the last 7 days, the webhooks. Used by rescore (leads entering mql), stage
// moves into mql, `assign` and `tick`.
class Assigner {
 public:
  // `work` is the workspace's data bound to `model` (LoadFromStore); it must outlive this.
  static Result<std::unique_ptr<Assigner>> Create(store::Transaction& tx, const Workset& work,
                                                  int64_t model_version, TimePoint at);
  ~Assigner();

  // Assigns the lead of data row `row` (which has no open handoff): to `to` when given,
  // otherwise by account affinity, the model's rules and the fallback pool. Starts the response
  // clock at `clock_start` and writes the assignment webhook. Not assigning (nobody has room,
  // no rule) is not an error: the outcome says why. `exclude` names an owner who must not get
  // the lead (the one an escalation takes it from).
  Result<AssignOutcome> Assign(uint32_t row, const store::ScoreRecord* score, const std::string& to,
                               const std::string& by, TimePoint clock_start,
                               std::string_view exclude = {});

 private:
  struct State;
  explicit Assigner(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct AssignRequest {
  std::string lead_id;
  std::string to;  // empty: by the rules
  std::string by;
  TimePoint at = 0;
};
// On demand: (re)assigns one lead. A lead with an open handoff is reassigned (the old handoff is
// closed "reassigned"; by the rules, never to the same owner); the clock of the new one starts
// at `at`. Refused for an unknown lead or
// owner, an inactive owner, or a lead in a stage nobody works (nurture, disqualified, recycled,
// won, lost).
Result<AssignOutcome> AssignLead(Workspace& ws, const AssignRequest& request);

// --- the packet

// The handoff packet of a lead as of `as_of`: who the lead is, the grade cell and scores with
// the top reasons and the events that prove them, the frameworks (known and missing), the
// account's other contacts and their stages, the owner and the next step with its due time.
Result<std::string> HandoffPacketText(Workspace& ws, const std::string& lead_id, TimePoint as_of);
Result<nlohmann::ordered_json> HandoffPacketJson(Workspace& ws, const std::string& lead_id,
                                                 TimePoint as_of);

// --- the response clock and the clock's rules

Result<std::string> SlaReport(Workspace& ws, TimePoint as_of, ListFormat format);

struct TickReport {
  uint64_t breaches = 0;           // clocks found breached
  uint64_t notified = 0;           // escalations that notified a manager
  uint64_t reassigned = 0;         // escalations that reassigned
  uint64_t recycled = 0;           // cadences ended with no reply
  uint64_t assigned = 0;           // mqls waiting for an owner that got one
  uint64_t waiting = 0;            // mqls still waiting for an owner
  std::vector<std::string> lines;  // one per action, for people
};

struct TickOptions {
  // Also the steps whose time is counted in hours and days: cadences that ended with no reply,
  // and the mqls that wait for an owner (room frees by the week's window or by a person). The
  // server ticks every second for the response clocks and does these once a minute.
  bool thorough = true;
};
// Applies what time alone decides as of `as_of`: marks breached clocks (and writes their
// webhook), escalates them by their rule, recycles leads whose cadence ended with no reply
// (reason `unresponsive`) and assigns mqls still waiting for an owner. Idempotent for one
// `as_of`. Reads what can change: the open clocks and, when thorough, the waiting mqls (bound
// to the model through their keys, and only when some owner could take them).
Result<TickReport> Tick(Workspace& ws, TimePoint as_of, const TickOptions& options = {});

// --- touches and the queue

struct TouchRequest {
  std::string lead_id;
  std::string channel;  // email, call, linkedin, meeting
  std::string outcome;
  std::string by;
  std::string note;
  TimePoint at = 0;
};
// Records a touch. Refused for a do-not-contact lead (the model's condition, or an earlier
// `opted_out`), beyond the model's communication limit, or with an unknown channel or outcome.
// The first touch stops the response clock; a reply or a meeting stops the cadence. Returns
// what happened and the next step, in words.
Result<std::string> RecordTouch(Workspace& ws, const TouchRequest& request);

// The owner's work list as of `as_of`, most urgent first: breached clocks, then due clocks and
// touches, then grade, then score; each line says why it is there.
Result<std::string> Queue(Workspace& ws, const std::string& owner_id, TimePoint as_of,
                          ListFormat format);

// --- webhooks

inline constexpr std::array<std::string_view, 4> kWebhookKinds = {"transition", "assignment",
                                                                  "sla_breach", "touch"};
Result<store::Webhook> AddWebhook(Workspace& ws, store::Webhook hook, TimePoint now);
Result<std::string> ListWebhooks(Workspace& ws);
Status RemoveWebhook(Workspace& ws, int64_t id);
Result<store::Webhook> GetWebhook(Workspace& ws, int64_t id);

// Writes one message per subscription to `kind` into the outbox, in `tx`. `event_id` must be
// unique for the event (it makes the idempotency key with the webhook id); `data` is the
// event's payload. `webhooks` are the subscriptions (read once per transaction).
Status EnqueueWebhookMessages(store::Transaction& tx, const std::vector<store::Webhook>& webhooks,
                              std::string_view kind, const std::string& event_id,
                              nlohmann::ordered_json data, TimePoint at);

// The event id of a transition: lead, time and move.
std::string TransitionEventId(const store::Transition& t);

// The webhook payload of a transition.
nlohmann::ordered_json TransitionJson(const store::Transition& t);

// Closes the lead's open handoff (if any) when it moves to a stage nobody works.
Status CloseHandoffOnStage(store::Transaction& tx, const std::string& lead_id,
                           std::string_view to_stage, TimePoint at);

}  // namespace leadq::service
