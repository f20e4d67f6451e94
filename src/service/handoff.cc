#include "service/handoff.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "core/working_hours.h"
#include "engine/lifecycle.h"
#include "service/explain_render.h"
#include "service/models.h"
#include "service/predictive.h"
#include "service/views.h"

namespace leadq::service {
namespace {

using Json = nlohmann::ordered_json;

constexpr TimePoint kWeek = 7 * kMicrosPerDay;
constexpr TimePoint kMinute = 60 * kMicrosPerSecond;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// "3 min", "2 h 05 min", "1 d 4 h".
std::string Span(TimePoint micros) {
  int64_t minutes = std::llabs(micros) / kMinute;
  char buf[64];
  if (minutes < 60) {
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(minutes));
  } else if (minutes < 48 * 60) {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(minutes / 60),
                  static_cast<long long>(minutes % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld d %lld h", static_cast<long long>(minutes / 1440),
                  static_cast<long long>((minutes % 1440) / 60));
  }
  return buf;
}

// Stages whose leads nobody works: entering one closes the open handoff.
bool ClosesHandoff(std::string_view stage) {
  return stage == "nurture" || stage == "disqualified" || stage == "recycled" || stage == "won" ||
         stage == "lost" || stage == "new";
}

Result<WorkingHours> HoursOf(const store::Owner& owner) {
  return ParseWorkingHours(owner.working_hours, owner.time_zone);
}

// When the first touch is due for a clock of `rule` that starts at `start`, for `owner`.
Result<TimePoint> DueTime(const model::SlaRule& rule, const store::Owner& owner, TimePoint start) {
  const int64_t minutes = static_cast<int64_t>(std::llround(rule.minutes));
  if (!rule.working_hours) return start + minutes * kMinute;
  LEADQ_TRY(WorkingHours hours, HoursOf(owner));
  return AddWorkingMinutes(hours, start, minutes);
}

// Minutes from the clock's start to `end`, counted like the clock counts them.
int64_t ClockMinutes(const store::Handoff& h, const store::Owner* owner, TimePoint end) {
  if (h.working_hours && owner != nullptr) {
    Result<WorkingHours> hours = HoursOf(*owner);
    if (hours.ok()) return WorkingMinutesBetween(*hours, h.clock_start, end);
  }
  return (end - h.clock_start) / kMinute;
}

std::vector<engine::TouchFact> FactsOf(const std::vector<store::Touch>& touches) {
  std::vector<engine::TouchFact> facts;
  for (const store::Touch& t : touches) facts.push_back({t.at, t.channel, t.outcome});
  return facts;
}

// The cadence of a handoff as the model defines it now, or nullptr.
const model::CadenceRule* CadenceOf(const model::Model& model, const store::Handoff& h) {
  for (const model::CadenceRule& c : model.handoff.cadences) {
    if (c.name == h.cadence) return &c;
  }
  return nullptr;
}

const model::SlaRule* SlaOf(const model::Model& model, const store::Handoff& h) {
  for (const model::SlaRule& r : model.handoff.sla) {
    if (r.name == h.sla_rule) return &r;
  }
  return nullptr;
}

std::optional<engine::CadencePlan> PlanOf(const model::Model& model, const store::Handoff& h,
                                          const std::vector<store::Touch>& touches,
                                          TimePoint as_of) {
  const model::CadenceRule* cadence = CadenceOf(model, h);
  if (cadence == nullptr) return std::nullopt;
  std::vector<engine::TouchFact> facts = FactsOf(touches);
  return engine::PlanCadence(*cadence, h.clock_start, h.due_at.value_or(h.clock_start), facts,
                             as_of);
}

Json HandoffJson(const store::Handoff& h) {
  Json j = {{"handoff", h.seq},
            {"lead_id", h.lead_id},
            {"account_id", h.account_id},
            {"owner", h.owner_id},
            {"rule", h.rule},
            {"assigned_by", h.assigned_by},
            {"assigned_at", FormatTimestamp(h.assigned_at)},
            {"cell", h.cell},
            {"channel", h.channel},
            {"score", Fixed2(h.score)},
            {"model_version", h.model_version}};
  if (!h.sla_rule.empty()) {
    j["sla_rule"] = h.sla_rule;
    j["clock_start"] = FormatTimestamp(h.clock_start);
    if (h.due_at) j["due_at"] = FormatTimestamp(*h.due_at);
    j["working_hours"] = h.working_hours;
  }
  if (!h.cadence.empty()) j["cadence"] = h.cadence;
  return j;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Webhook messages

Status EnqueueWebhookMessages(store::Transaction& tx, const std::vector<store::Webhook>& webhooks,
                              std::string_view kind, const std::string& event_id, Json data,
                              TimePoint at) {
  std::vector<store::OutboxMessage> messages;
  for (const store::Webhook& hook : webhooks) {
    if (std::find(hook.kinds.begin(), hook.kinds.end(), kind) == hook.kinds.end()) continue;
    Json body = {
        {"id", event_id}, {"kind", std::string(kind)}, {"at", FormatTimestamp(at)}, {"data", data}};
    store::OutboxMessage m;
    m.webhook_id = hook.id;
    m.kind = std::string(kind);
    m.idempotency_key = event_id + "@" + std::to_string(hook.id);
    m.body = body.dump();
    m.created_at = at;
    m.next_attempt_at = at;
    messages.push_back(std::move(m));
  }
  if (messages.empty()) return Status::Ok();
  return tx.EnqueueMessages(messages);
}

std::string TransitionEventId(const store::Transition& t) {
  return "transition:" + t.lead_id + ":" + std::to_string(t.at) + ":" + t.from_stage + ":" +
         t.to_stage;
}

Json TransitionJson(const store::Transition& t) {
  Json j = {{"lead_id", t.lead_id}, {"from", t.from_stage},
            {"to", t.to_stage},     {"at", FormatTimestamp(t.at)},
            {"actor", t.actor},     {"model_version", t.model_version},
            {"reason", t.reason},   {"note", t.note}};
  if (t.scores) {
    j["score"] = Fixed2(t.scores->score);
    j["cell"] = t.scores->fit_grade + t.scores->intent_grade;
    j["action"] = t.scores->action;
  }
  return j;
}

Status CloseHandoffOnStage(store::Transaction& tx, const std::string& lead_id,
                           std::string_view to_stage, TimePoint at) {
  if (!ClosesHandoff(to_stage)) return Status::Ok();
  LEADQ_TRY(std::optional<store::Handoff> open, tx.OpenHandoff(lead_id));
  if (!open) return Status::Ok();
  open->closed_at = at;
  open->closed_reason = "stage " + std::string(to_stage);
  return tx.UpdateHandoff(*open);
}

// ---------------------------------------------------------------------------------------------
// Owners

namespace {

Status CheckOwner(const store::Owner& owner) {
  if (owner.owner_id.empty()) return Status::Invalid("an owner needs an id");
  for (char c : owner.owner_id) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
      return Status::Invalid("owner id " + Quoted(owner.owner_id) +
                             " must not contain spaces or commas");
    }
  }
  if (owner.weekly_capacity < 0) {
    return Status::Invalid("capacity must be >= 0, got " + std::to_string(owner.weekly_capacity));
  }
  LEADQ_TRY(CheckTimeZone(owner.time_zone));
  LEADQ_TRY(WorkingHours hours, ParseWorkingHours(owner.working_hours, owner.time_zone));
  (void)hours;
  return Status::Ok();
}

}  // namespace

Result<store::Owner> AddOwner(Workspace& ws, store::Owner owner, TimePoint now) {
  owner.owner_id = std::string(Trim(owner.owner_id));
  LEADQ_TRY(CheckOwner(owner));
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::Owner> existing, tx->GetOwner(owner.owner_id));
  if (existing) {
    return Status::FailedPrecondition("owner " + Quoted(owner.owner_id) +
                                      " exists; change it with leadq owner update");
  }
  if (!owner.manager.empty()) {
    LEADQ_TRY(std::optional<store::Owner> manager, tx->GetOwner(owner.manager));
    if (!manager) return Status::NotFound("no owner " + Quoted(owner.manager) + " (the manager)");
  }
  LEADQ_TRY(tx->UpsertOwner(owner, now));
  LEADQ_TRY(std::optional<store::Owner> stored, tx->GetOwner(owner.owner_id));
  LEADQ_TRY(tx->Commit());
  return *stored;
}

Result<store::Owner> UpdateOwner(Workspace& ws, const std::string& owner_id,
                                 const OwnerPatch& patch, TimePoint now) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::Owner> owner, tx->GetOwner(owner_id));
  if (!owner) return Status::NotFound("no owner " + Quoted(owner_id) + "; see leadq owner list");
  if (patch.name) owner->name = *patch.name;
  if (patch.email) owner->email = *patch.email;
  if (patch.role) owner->role = *patch.role;
  if (patch.working_hours) owner->working_hours = *patch.working_hours;
  if (patch.time_zone) owner->time_zone = *patch.time_zone;
  if (patch.manager) owner->manager = *patch.manager;
  if (patch.weekly_capacity) owner->weekly_capacity = *patch.weekly_capacity;
  if (patch.active) owner->active = *patch.active;
  LEADQ_TRY(CheckOwner(*owner));
  if (!owner->manager.empty()) {
    if (owner->manager == owner_id) return Status::Invalid("an owner cannot manage themselves");
    LEADQ_TRY(std::optional<store::Owner> manager, tx->GetOwner(owner->manager));
    if (!manager) return Status::NotFound("no owner " + Quoted(owner->manager) + " (the manager)");
  }
  LEADQ_TRY(tx->UpsertOwner(*owner, now));
  LEADQ_TRY(std::optional<store::Owner> stored, tx->GetOwner(owner_id));
  LEADQ_TRY(tx->Commit());
  return *stored;
}

Result<std::string> ListOwners(Workspace& ws, TimePoint as_of, ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::Owner> owners, tx->Owners());
  store::HandoffQuery recent;
  recent.assigned_since = as_of - kWeek;
  LEADQ_TRY(std::vector<store::Handoff> week, tx->Handoffs(recent));
  store::HandoffQuery open;
  open.open_only = true;
  LEADQ_TRY(std::vector<store::Handoff> open_handoffs, tx->Handoffs(open));
  struct Load {
    int64_t week = 0, open = 0, breached = 0;
  };
  std::map<std::string, Load> load;
  for (const store::Handoff& h : week) {
    if (h.assigned_at <= as_of) ++load[h.owner_id].week;
  }
  for (const store::Handoff& h : open_handoffs) {
    ++load[h.owner_id].open;
    if (h.due_at && !h.first_touch_at && *h.due_at <= as_of) ++load[h.owner_id].breached;
  }
  if (format == ListFormat::kJson) {
    Json arr = Json::array();
    for (const store::Owner& o : owners) {
      const Load& l = load[o.owner_id];
      arr.push_back({{"owner_id", o.owner_id},
                     {"name", o.name},
                     {"email", o.email},
                     {"role", o.role},
                     {"weekly_capacity", o.weekly_capacity},
                     {"assigned_last_7_days", l.week},
                     {"open", l.open},
                     {"breached", l.breached},
                     {"working_hours", o.working_hours.empty() ? "always" : o.working_hours},
                     {"time_zone", o.time_zone},
                     {"manager", o.manager},
                     {"active", o.active}});
    }
    return arr.dump(2) + "\n";
  }
  std::string out;
  if (format == ListFormat::kCsv) {
    out =
        "owner_id,name,email,role,weekly_capacity,assigned_last_7_days,open,breached,"
        "working_hours,time_zone,manager,active\n";
    for (const store::Owner& o : owners) {
      const Load& l = load[o.owner_id];
      for (const std::string& f : {o.owner_id, o.name, o.email, o.role}) {
        AppendCsvField(out, f);
        out += ',';
      }
      out += std::to_string(o.weekly_capacity) + "," + std::to_string(l.week) + "," +
             std::to_string(l.open) + "," + std::to_string(l.breached) + ",";
      AppendCsvField(out, o.working_hours);
      out += "," + o.time_zone + ",";
      AppendCsvField(out, o.manager);
      out += o.active ? ",true\n" : ",false\n";
    }
    return out;
  }
  char line[512];
  std::snprintf(line, sizeof line, "%-10s %-18s %-5s %-9s %5s %9s %-28s %-18s %s\n", "owner",
                "name", "role", "week", "open", "breached", "working hours", "time zone", "active");
  out += line;
  for (const store::Owner& o : owners) {
    const Load& l = load[o.owner_id];
    std::string week_text = std::to_string(l.week) + "/" + std::to_string(o.weekly_capacity);
    std::snprintf(line, sizeof line, "%-10s %-18s %-5s %-9s %5lld %9lld %-28s %-18s %s\n",
                  o.owner_id.c_str(), o.name.c_str(), o.role.c_str(), week_text.c_str(),
                  static_cast<long long>(l.open), static_cast<long long>(l.breached),
                  (o.working_hours.empty() ? "always" : o.working_hours.c_str()),
                  o.time_zone.c_str(), o.active ? "yes" : "no");
    out += line;
  }
  out += std::to_string(owners.size()) + (owners.size() == 1 ? " owner" : " owners") +
         "; week = leads assigned in the 7 days before " + FormatTimestamp(as_of) +
         " / weekly capacity\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// The packet

namespace {

// Fields that say who a lead is, in the order a seller reads them.
constexpr std::array<std::string_view, 14> kIdentityKeys = {
    "name",    "first_name",   "last_name", "full_name", "title", "job_title", "email",
    "company", "company_name", "country",   "city",      "phone", "industry",  "lead_source"};

struct Packet {
  Json json;
  std::string text;
};

// The packet from data already bound to the model (`work`, or nullptr when no model is applied).
Result<Packet> BuildPacket(store::Transaction& tx, const model::Model& model, const Workset* work,
                           int64_t version, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(std::optional<store::LeadState> state, tx.GetLeadState(lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(lead_id) + " in the workspace");
  Packet p;
  Json& j = p.json;
  std::string& t = p.text;
  j["lead_id"] = lead_id;
  j["stage"] = state->stage;
  j["as_of"] = FormatTimestamp(as_of);
  t += "Handoff packet for lead " + lead_id + " (stage " + state->stage + ", as of " +
       FormatTimestamp(as_of) + ")\n";

  LEADQ_TRY(std::vector<store::Field> fields, tx.LeadFields(lead_id));
  Json who = Json::object();
  std::string who_text;
  for (std::string_view key : kIdentityKeys) {
    for (const store::Field& f : fields) {
      if (f.key == key && !f.value.empty()) {
        who[std::string(key)] = f.value;
        who_text += "  " + std::string(key) + ": " + f.value + "\n";
      }
    }
  }
  if (who.empty()) {
    for (const store::Field& f : fields) {
      if (f.value.empty() || who.size() >= 8) continue;
      who[f.key] = f.value;
      who_text += "  " + f.key + ": " + f.value + "\n";
    }
  }
  j["who"] = who;
  t += "\nWho\n" + (who_text.empty() ? std::string("  (no fields)\n") : who_text);

  // Scores and reasons, as of `as_of`, with the active model.
  std::string account_id;
  if (work != nullptr) {
    std::optional<uint32_t> row = work->data.leads.index.Find(lead_id);
    if (row) {
      const int32_t account_row = work->data.leads.account[*row];
      if (account_row >= 0) account_id = work->data.accounts.ids[static_cast<size_t>(account_row)];
      engine::LeadExplanation why = engine::ExplainLead(work->compiled, work->data, as_of, *row);
      GradeNames g = NamesOf(work->compiled, why.score);
      const std::string& action = work->compiled.actions[why.score.action];
      j["model_version"] = version;
      j["score"] = Fixed2(why.score.score);
      j["fit"] = Fixed2(why.score.fit);
      j["intent"] = Fixed2(why.score.intent);
      j["cell"] = g.cell;
      j["action"] = action;
      t += "\nScore " + FormatFixed2(why.score.score) + " (fit " + FormatFixed2(why.score.fit) +
           ", intent " + FormatFixed2(why.score.intent) + "), cell " +
           (g.cell.empty() ? std::string("-") : g.cell) + ", action " + action + " (model v" +
           std::to_string(version) + ")\n";
      // Top reasons: the fit rules that held, biggest first, and the intent that counted.
      std::vector<uint16_t> fit = why.fit_rules;
      std::stable_sort(fit.begin(), fit.end(), [&](uint16_t a, uint16_t b) {
        return work->model.fit.rules[a].points > work->model.fit.rules[b].points;
      });
      Json reasons = Json::array();
      t += "\nTop reasons\n";
      for (size_t i = 0; i < fit.size() && i < 3; ++i) {
        const model::FitRule& rule = work->model.fit.rules[fit[i]];
        reasons.push_back(
            {{"section", "fit"}, {"rule", rule.name}, {"points", Fixed2(rule.points)}});
        t += "  fit    +" + FormatFixed2(rule.points) + "  " + rule.name + "\n";
      }
      std::vector<const engine::EntryContribution*> entries;
      for (const engine::EntryContribution& e : why.entries) entries.push_back(&e);
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto* a, const auto* b) { return a->counted > b->counted; });
      for (size_t i = 0; i < entries.size() && i < 3; ++i) {
        const engine::EntryContribution& e = *entries[i];
        const model::IntentEntry& entry = work->model.intent.entries[e.entry];
        Json events = Json::array();
        t += "  intent +" + FormatFixed2(e.counted) + "  " + entry.Label() + "\n";
        for (size_t k = 0; k < e.events.size() && k < 3; ++k) {
          const engine::EventContribution& ev = e.events[e.events.size() - 1 - k];
          char age[32];
          std::snprintf(age, sizeof age, "%.1f", ev.age_days);
          events.push_back({{"at", FormatTimestamp(ev.occurred_at)},
                            {"age_days", Fixed2(ev.age_days)},
                            {"points", Fixed2(ev.points)}});
          t += "           " + FormatTimestamp(ev.occurred_at) + "  " + age + " days ago  +" +
               FormatFixed2(ev.points) + "\n";
        }
        if (e.events.size() > 3) {
          t += "           and " + std::to_string(e.events.size() - 3) + " earlier\n";
        }
        reasons.push_back({{"section", "intent"},
                           {"entry", entry.Label()},
                           {"points", Fixed2(e.counted)},
                           {"events", events}});
      }
      for (const engine::NegativeContribution& n : why.negatives) {
        const model::NegativeEntry& entry = work->model.negatives[n.entry];
        reasons.push_back(
            {{"section", "negative"}, {"rule", entry.name}, {"points", Fixed2(n.points)}});
        t += "  against " + FormatFixed2(n.points) + "  " + entry.name + "\n";
      }
      if (reasons.empty()) t += "  nothing counted\n";
      j["reasons"] = reasons;
    }
  } else {
    t += "\nScore: no model applied yet\n";
  }

  // Frameworks: every one with answers, and the gates' frameworks.
  LEADQ_TRY(std::vector<store::Answer> answers, tx.Answers(lead_id));
  std::vector<engine::AnswerInput> inputs = ToInputs(answers);
  Json frameworks = Json::array();
  std::vector<std::string> ask;
  t += "\nQualification\n";
  bool any = false;
  for (const model::Framework* fw : engine::Frameworks(model)) {
    bool used = std::any_of(answers.begin(), answers.end(),
                            [&](const store::Answer& a) { return a.framework == fw->key; });
    bool gated =
        std::any_of(model.lifecycle.gates.begin(), model.lifecycle.gates.end(),
                    [&](const model::Gate& g) { return g.framework == fw->key; }) ||
        (model.lifecycle.gates.empty() && model.lifecycle.default_gates && fw->key == "bant");
    if (!used && !gated) continue;
    any = true;
    engine::FrameworkStatus st = engine::EvaluateFramework(*fw, inputs, as_of);
    t += FrameworkText(st);
    Json known = Json::array(), missing = Json::array();
    for (const engine::CriterionStatus& c : st.criteria) {
      if (c.value == engine::AnswerValue::kUnknown || c.expired) {
        missing.push_back(c.criterion->key);
        ask.push_back(c.criterion->name);
      } else {
        known.push_back({{"criterion", c.criterion->key},
                         {"value", std::string(engine::AnswerValueName(c.value))},
                         {"evidence", c.answer != nullptr ? c.answer->evidence : ""}});
      }
    }
    frameworks.push_back({{"framework", fw->key}, {"known", known}, {"missing", missing}});
  }
  if (!any) t += "  no framework answers yet\n";
  j["frameworks"] = frameworks;

  // The account's other contacts.
  LEADQ_TRY(std::optional<store::Handoff> open, tx.OpenHandoff(lead_id));
  if (account_id.empty() && open) account_id = open->account_id;
  Json contacts = Json::array();
  if (!account_id.empty()) {
    j["account_id"] = account_id;
    store::LeadQuery of_account;
    of_account.account_id = account_id;
    of_account.sort = store::LeadQuery::Sort::kLeadId;
    LEADQ_TRY(std::vector<store::LeadSummary> others, tx.ListLeads(of_account));
    t += "\nAccount " + account_id + ": other contacts\n";
    size_t shown = 0;
    for (const store::LeadSummary& l : others) {
      if (l.lead_id == lead_id) continue;
      ++shown;
      contacts.push_back({{"lead_id", l.lead_id}, {"stage", l.stage}, {"owner", l.owner}});
      t += "  " + l.lead_id + "  " + l.stage + (l.owner.empty() ? "" : "  owner " + l.owner) + "\n";
    }
    if (shown == 0) t += "  none\n";
  }
  j["account_contacts"] = contacts;

  // Owner and the next step.
  t += "\nNext step\n";
  if (open) {
    LEADQ_TRY(std::optional<store::Owner> owner, tx.GetOwner(open->owner_id));
    LEADQ_TRY(std::vector<store::Touch> touches, tx.Touches(lead_id));
    Json next = Json::object();
    std::string zone = owner ? owner->time_zone : "UTC";
    j["owner"] = open->owner_id;
    j["assignment"] = HandoffJson(*open);
    std::string step;
    std::optional<TimePoint> due;
    if (!open->first_touch_at && open->due_at) {
      due = open->due_at;
      std::optional<engine::CadencePlan> plan = PlanOf(model, *open, touches, as_of);
      std::string channel = plan && !plan->next_channel.empty() ? plan->next_channel : "call";
      step = "first touch by " + channel + " (response clock " + open->sla_rule + ")";
    } else if (std::optional<engine::CadencePlan> plan = PlanOf(model, *open, touches, as_of)) {
      if (plan->stopped_at) {
        step = "the lead answered on " + FormatTimestamp(*plan->stopped_at) +
               ": qualify it and move it on";
      } else if (plan->next_due) {
        due = plan->next_due;
        step = "touch " + std::to_string(plan->done + 1) + " of " + std::to_string(plan->total) +
               " by " + plan->next_channel + " (cadence " + open->cadence + ")";
      } else {
        step = "every touch of cadence " + open->cadence + " made; waiting for a reply";
      }
    } else {
      step = "follow up (no cadence applies)";
    }
    if (!ask.empty()) step += "; find out: " + JoinStrings(ask);
    next["step"] = step;
    t += "  owner " + open->owner_id + (owner ? " (" + owner->name + ")" : "") + "\n  " + step +
         "\n";
    if (due) {
      next["due_at"] = FormatTimestamp(*due);
      t += "  due " + FormatTimestamp(*due) + " (" + FormatLocal(*due, zone) + " for the owner)" +
           (*due <= as_of ? ", overdue by " + Span(as_of - *due) : ", in " + Span(*due - as_of)) +
           "\n";
    }
    j["next"] = next;
  } else {
    t += "  not assigned yet" + std::string(ask.empty() ? "" : "; find out: " + JoinStrings(ask)) +
         "\n";
    j["next"] = {{"step", "assign the lead"}};
  }
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Assignment

namespace {

// Each owner's assignments in the 7 days before `at`, and the latest of them.
struct WeekLoad {
  std::map<std::string, int64_t, std::less<>> assigned;
  std::map<std::string, TimePoint, std::less<>> last_at;
};
Result<WeekLoad> LoadOfTheWeek(store::Transaction& tx, TimePoint at) {
  store::HandoffQuery recent;
  recent.assigned_since = at - kWeek;
  LEADQ_TRY(std::vector<store::Handoff> week, tx.Handoffs(recent));
  WeekLoad load;
  for (const store::Handoff& h : week) {
    if (h.assigned_at > at) continue;
    ++load.assigned[h.owner_id];
    TimePoint& last = load.last_at[h.owner_id];
    last = std::max(last, h.assigned_at);
  }
  return load;
}

}  // namespace

struct Assigner::State {
  store::Transaction* tx = nullptr;
  const Workset* work = nullptr;
  int64_t model_version = 0;
  TimePoint at = 0;
  std::unique_ptr<engine::CompiledHandoff> routing;
  std::map<std::string, store::Owner, std::less<>> owners;
  std::map<std::string, int64_t, std::less<>> assigned;   // in the 7 days before `at`
  std::map<std::string, TimePoint, std::less<>> last_at;  // latest assignment
  std::vector<store::Webhook> webhooks;
};

Assigner::Assigner(std::unique_ptr<State> state) : state_(std::move(state)) {}
Assigner::~Assigner() = default;

Result<std::unique_ptr<Assigner>> Assigner::Create(store::Transaction& tx, const Workset& work,
                                                   int64_t model_version, TimePoint at) {
  auto state = std::make_unique<State>();
  state->tx = &tx;
  state->work = &work;
  state->model_version = model_version;
  state->at = at;
  state->routing = std::make_unique<engine::CompiledHandoff>(work.model, work.data);
  LEADQ_TRY(std::vector<store::Owner> owners, tx.Owners());
  for (store::Owner& o : owners) state->owners.emplace(o.owner_id, std::move(o));
  LEADQ_TRY(WeekLoad load, LoadOfTheWeek(tx, at));
  state->assigned = std::move(load.assigned);
  state->last_at = std::move(load.last_at);
  LEADQ_TRY(state->webhooks, tx.Webhooks());
  return std::unique_ptr<Assigner>(new Assigner(std::move(state)));
}

Result<AssignOutcome> Assigner::Assign(uint32_t row, const store::ScoreRecord* score,
                                       const std::string& to, const std::string& by,
                                       TimePoint clock_start, std::string_view exclude) {
  State& s = *state_;
  const Workset& work = *s.work;
  const model::Model& model = work.model;
  AssignOutcome out;
  out.lead_id = work.data.leads.ids[row];
  const int32_t account_row = work.data.leads.account[row];
  std::string account_id =
      account_row >= 0 ? work.data.accounts.ids[static_cast<size_t>(account_row)] : "";

  auto available = [&](std::string_view id) {
    auto it = s.owners.find(id);
    return it != s.owners.end() && it->second.active && id != exclude;
  };
  std::string owner;
  std::string rule;
  if (!to.empty()) {
    auto it = s.owners.find(to);
    if (it == s.owners.end()) {
      return Status::NotFound("no owner " + Quoted(to) + "; see leadq owner list");
    }
    if (!it->second.active)
      return Status::FailedPrecondition("owner " + Quoted(to) + " is inactive");
    owner = to;
    rule = "manual";
    out.why = "assigned by hand to " + to;
  } else {
    const int matched = s.routing->MatchAssignRule(row, account_row);
    const model::AssignRule* assign =
        matched >= 0 ? &model.handoff.rules[static_cast<size_t>(matched)] : nullptr;
    bool affinity = model.handoff.account_affinity;
    if (assign != nullptr && assign->account_affinity) affinity = *assign->account_affinity;
    if (affinity && !account_id.empty()) {
      store::HandoffQuery of_account;
      of_account.account_id = account_id;
      LEADQ_TRY(std::vector<store::Handoff> earlier, s.tx->Handoffs(of_account));
      for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
        if (it->lead_id == out.lead_id) continue;
        if (available(it->owner_id)) {
          owner = it->owner_id;
          rule = "affinity";
          out.why = "account " + account_id + " is already worked by " + owner + " (lead " +
                    it->lead_id + ")";
        }
        break;
      }
    }
    auto pick = [&](const std::vector<std::string>& pool) -> std::string {
      std::vector<engine::OwnerLoad> loads;
      for (const std::string& id : pool) {
        engine::OwnerLoad l;
        l.owner_id = id;
        auto it = s.owners.find(id);
        l.available = it != s.owners.end() && it->second.active && id != exclude;
        l.capacity = it == s.owners.end() ? 0 : it->second.weekly_capacity;
        auto a = s.assigned.find(id);
        l.assigned = a == s.assigned.end() ? 0 : a->second;
        auto last = s.last_at.find(id);
        l.last_assigned_at = last == s.last_at.end() ? -1 : last->second;
        loads.push_back(l);
      }
      std::optional<size_t> chosen = engine::ChooseOwner(loads);
      return chosen ? pool[*chosen] : std::string();
    };
    if (owner.empty() && assign != nullptr) {
      owner = pick(assign->pool);
      if (!owner.empty()) {
        rule = "rule:" + assign->name;
        out.why = "rule " + assign->name + ", pool " + JoinStrings(assign->pool) + ": " + owner +
                  " had the most room";
      }
    }
    if (owner.empty() && !model.handoff.fallback.empty()) {
      owner = pick(model.handoff.fallback);
      if (!owner.empty()) {
        rule = "fallback";
        out.why = (assign == nullptr ? std::string("no rule matches")
                                     : "pool of rule " + assign->name + " is full or inactive") +
                  "; fallback pool " + JoinStrings(model.handoff.fallback) + ": " + owner;
      }
    }
    if (owner.empty()) {
      if (assign != nullptr) {
        out.why = "waiting: nobody in the pool of rule " + assign->name + " (" +
                  JoinStrings(assign->pool) + ")" +
                  (model.handoff.fallback.empty() ? "" : " or the fallback pool") +
                  " is active with room this week";
      } else if (!model.handoff.fallback.empty()) {
        out.why = "waiting: no rule matches and nobody in the fallback pool (" +
                  JoinStrings(model.handoff.fallback) + ") is active with room this week";
      } else {
        out.why = "waiting: no assignment rule matches and the model has no fallback pool";
      }
      return out;
    }
  }
  const store::Owner& chosen = s.owners.find(owner)->second;
  store::Handoff h;
  h.lead_id = out.lead_id;
  h.account_id = account_id;
  h.owner_id = owner;
  h.rule = rule;
  h.assigned_by = by;
  h.assigned_at = s.at;
  h.model_version = s.model_version;
  if (score != nullptr) {
    h.cell = score->fit_grade + score->intent_grade;
    h.channel = score->channel;
    h.score = score->score;
    if (score->model_version > 0) h.model_version = score->model_version;
  }
  h.clock_start = clock_start;
  if (const model::SlaRule* sla = engine::FindSlaRule(model, h.cell, h.channel)) {
    h.sla_rule = sla->name;
    h.working_hours = sla->working_hours;
    LEADQ_TRY(TimePoint due, DueTime(*sla, chosen, clock_start));
    h.due_at = due;
  }
  if (const model::CadenceRule* cadence = engine::FindCadence(model, h.cell, h.channel)) {
    h.cadence = cadence->name;
  }
  LEADQ_TRY(h.seq, s.tx->AddHandoff(h));
  ++s.assigned[owner];
  s.last_at[owner] = s.at;
  bool subscribed = std::any_of(s.webhooks.begin(), s.webhooks.end(), [](const auto& w) {
    return std::find(w.kinds.begin(), w.kinds.end(), "assignment") != w.kinds.end();
  });
  if (subscribed) {
    // The body of the assignment webhook is the handoff packet.
    LEADQ_TRY(Packet packet, BuildPacket(*s.tx, model, &work, s.model_version, out.lead_id, s.at));
    packet.json["why"] = out.why;
    LEADQ_TRY(EnqueueWebhookMessages(*s.tx, s.webhooks, "assignment",
                                     "assignment:" + std::to_string(h.seq), std::move(packet.json),
                                     s.at));
  }
  out.assigned = true;
  out.owner_id = owner;
  out.rule = rule;
  out.due_at = h.due_at;
  out.sla_rule = h.sla_rule;
  out.cadence = h.cadence;
  return out;
}

Result<AssignOutcome> AssignLead(Workspace& ws, const AssignRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(request.lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(request.lead_id) + " in the workspace");
  if (ClosesHandoff(state->stage)) {
    return Status::FailedPrecondition("lead " + request.lead_id + " is in stage " + state->stage +
                                      ", which nobody works; move it to mql first");
  }
  int64_t version = 0;
  LEADQ_TRY(std::unique_ptr<Workset> work,
            LoadFromStore(ws, *tx, request.at, version, request.lead_id));
  std::optional<uint32_t> row = work->data.leads.index.Find(request.lead_id);
  if (!row) return Status::Internal("lead " + request.lead_id + " was not loaded");
  LEADQ_TRY(std::optional<store::ScoreRecord> score, tx->GetScore(request.lead_id));
  LEADQ_TRY(std::optional<store::Handoff> open, tx->OpenHandoff(request.lead_id));
  if (open) {
    if (!request.to.empty() && open->owner_id == request.to) {
      return Status::FailedPrecondition("lead " + request.lead_id + " is already assigned to " +
                                        request.to);
    }
    open->closed_at = request.at;
    open->closed_reason = "reassigned by " + request.by;
    LEADQ_TRY(tx->UpdateHandoff(*open));
  }
  LEADQ_TRY(std::unique_ptr<Assigner> assigner, Assigner::Create(*tx, *work, version, request.at));
  // Reassigning by the rules means someone else: the current owner is left out.
  const std::string current = open ? open->owner_id : std::string();
  LEADQ_TRY(AssignOutcome out, assigner->Assign(*row, score ? &*score : nullptr, request.to,
                                                request.by, request.at, current));
  if (!out.assigned) return Status::FailedPrecondition("lead " + request.lead_id + ": " + out.why);
  LEADQ_TRY(tx->Commit());
  return out;
}

// ---------------------------------------------------------------------------------------------
// The packet

namespace {

Result<Packet> LoadPacket(Workspace& ws, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(lead_id) + " in the workspace");
  int64_t version = 0;
  Result<std::unique_ptr<Workset>> loaded = LoadFromStore(ws, *tx, as_of, version, lead_id);
  if (loaded.ok())
    return BuildPacket(*tx, (*loaded)->model, loaded->get(), version, lead_id, as_of);
  if (loaded.status().code() != StatusCode::kFailedPrecondition) return loaded.status();
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  return BuildPacket(*tx, model, nullptr, 0, lead_id, as_of);
}

}  // namespace

Result<std::string> HandoffPacketText(Workspace& ws, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(Packet p, LoadPacket(ws, lead_id, as_of));
  return p.text;
}

Result<Json> HandoffPacketJson(Workspace& ws, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(Packet p, LoadPacket(ws, lead_id, as_of));
  return p.json;
}

// ---------------------------------------------------------------------------------------------
// The response clock

namespace {

struct Distribution {
  std::vector<int64_t> minutes;
  uint64_t met = 0, late = 0;
};

// The value at quantile q (nearest rank).
int64_t Quantile(std::vector<int64_t> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

}  // namespace

Result<std::string> SlaReport(Workspace& ws, TimePoint as_of, ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::Handoff> all, tx->Handoffs({}));
  LEADQ_TRY(std::vector<store::Owner> owners, tx->Owners());
  std::map<std::string, store::Owner> by_id;
  for (store::Owner& o : owners) by_id.emplace(o.owner_id, std::move(o));
  auto owner_of = [&](const std::string& id) -> const store::Owner* {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : &it->second;
  };
  struct Open {
    const store::Handoff* h;
    TimePoint left;
  };
  std::vector<Open> open;
  std::map<std::string, Distribution> by_owner, by_cell;
  for (const store::Handoff& h : all) {
    if (h.sla_rule.empty() || !h.due_at || h.assigned_at > as_of) continue;
    if (h.first_touch_at && *h.first_touch_at <= as_of) {
      int64_t minutes = ClockMinutes(h, owner_of(h.owner_id), *h.first_touch_at);
      bool met = *h.first_touch_at <= *h.due_at;
      for (Distribution* d : {&by_owner[h.owner_id], &by_cell[h.cell.empty() ? "-" : h.cell]}) {
        d->minutes.push_back(minutes);
        (met ? d->met : d->late) += 1;
      }
    } else if (!h.closed_at || *h.closed_at > as_of) {
      open.push_back({&h, *h.due_at - as_of});
    }
  }
  std::sort(open.begin(), open.end(), [](const Open& a, const Open& b) {
    return a.left != b.left ? a.left < b.left : a.h->seq < b.h->seq;
  });
  // Mqls nobody has taken yet: their clock is not even running for an owner.
  std::set<std::string> owned;
  for (const store::Handoff& h : all) {
    if (!h.closed_at) owned.insert(h.lead_id);
  }
  LEADQ_TRY(std::vector<store::LeadState> states, tx->LeadStates());
  std::vector<std::string> waiting;
  for (const store::LeadState& st : states) {
    if (st.stage == "mql" && owned.count(st.lead_id) == 0) waiting.push_back(st.lead_id);
  }
  auto dist_json = [](const std::map<std::string, Distribution>& m, std::string_view key) {
    Json arr = Json::array();
    for (const auto& [name, d] : m) {
      arr.push_back({{std::string(key), name},
                     {"touched", d.minutes.size()},
                     {"within_sla", d.met},
                     {"late", d.late},
                     {"median_minutes", Quantile(d.minutes, 0.5)},
                     {"p90_minutes", Quantile(d.minutes, 0.9)}});
    }
    return arr;
  };
  if (format == ListFormat::kJson) {
    Json clocks = Json::array();
    for (const Open& o : open) {
      clocks.push_back({{"lead_id", o.h->lead_id},
                        {"owner", o.h->owner_id},
                        {"cell", o.h->cell},
                        {"sla_rule", o.h->sla_rule},
                        {"due_at", FormatTimestamp(*o.h->due_at)},
                        {"minutes_left", o.left / kMinute},
                        {"breached", o.left <= 0}});
    }
    Json j = {{"as_of", FormatTimestamp(as_of)},
              {"open", clocks},
              {"waiting_for_owner", waiting},
              {"by_owner", dist_json(by_owner, "owner")},
              {"by_cell", dist_json(by_cell, "cell")}};
    return j.dump(2) + "\n";
  }
  std::string out;
  if (format == ListFormat::kCsv) {
    out = "lead_id,owner,cell,sla_rule,due_at,minutes_left,breached\n";
    for (const Open& o : open) {
      out += o.h->lead_id + "," + o.h->owner_id + "," + o.h->cell + "," + o.h->sla_rule + "," +
             FormatTimestamp(*o.h->due_at) + "," + std::to_string(o.left / kMinute) + "," +
             (o.left <= 0 ? "true" : "false") + "\n";
    }
    return out;
  }
  size_t breached = static_cast<size_t>(
      std::count_if(open.begin(), open.end(), [](const Open& o) { return o.left <= 0; }));
  out +=
      "Response clocks as of " + FormatTimestamp(as_of) + ": " + std::to_string(open.size()) +
      " open, " + std::to_string(breached) + " breached; " + std::to_string(waiting.size()) +
      " mqls waiting for an owner" +
      (waiting.empty() ? std::string() : " (first: " + waiting.front() + "; leadq tick retries)") +
      "\n";
  char line[256];
  if (!open.empty()) {
    std::snprintf(line, sizeof line, "  %-12s %-10s %-4s %-16s %-22s %s\n", "lead", "owner", "cell",
                  "rule", "due", "left");
    out += line;
  }
  for (const Open& o : open) {
    std::string left = o.left <= 0 ? "BREACHED " + Span(-o.left) + " ago" : Span(o.left);
    std::snprintf(line, sizeof line, "  %-12s %-10s %-4s %-16s %-22s %s\n", o.h->lead_id.c_str(),
                  o.h->owner_id.c_str(), o.h->cell.c_str(), o.h->sla_rule.c_str(),
                  FormatTimestamp(*o.h->due_at).c_str(), left.c_str());
    out += line;
  }
  auto dist_text = [&](const std::map<std::string, Distribution>& m, std::string_view title) {
    out += "\nTime to first touch by " + std::string(title) + " (minutes)\n";
    if (m.empty()) {
      out += "  no touched clocks yet\n";
      return;
    }
    std::snprintf(line, sizeof line, "  %-10s %7s %7s %7s %7s %8s\n", std::string(title).c_str(),
                  "touched", "median", "p90", "in SLA", "late");
    out += line;
    for (const auto& [name, d] : m) {
      std::snprintf(line, sizeof line, "  %-10s %7zu %7lld %7lld %7llu %8llu\n", name.c_str(),
                    d.minutes.size(), static_cast<long long>(Quantile(d.minutes, 0.5)),
                    static_cast<long long>(Quantile(d.minutes, 0.9)),
                    static_cast<unsigned long long>(d.met),
                    static_cast<unsigned long long>(d.late));
      out += line;
    }
  };
  dist_text(by_owner, "owner");
  dist_text(by_cell, "cell");
  out += "(clocks of rules with working_hours = true count the owner's working minutes)\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// tick

namespace {

// The waiting mqls `waiting` that an assignment could place now: all of them when an active
// owner has room this week (Assigner's rule: capacity above the week's assignments); otherwise
// those whose account already has a lead with an active owner, when the model or one of its
// rules turns account affinity on (affinity ignores room); otherwise none.
Result<std::vector<std::string>> AssignableOf(store::Transaction& tx, const model::Model& model,
                                              const std::vector<store::LeadSummary>& waiting,
                                              TimePoint at) {
  LEADQ_TRY(std::vector<store::Owner> owners, tx.Owners());
  LEADQ_TRY(WeekLoad load, LoadOfTheWeek(tx, at));
  std::unordered_set<std::string> active;
  bool room = false;
  for (const store::Owner& o : owners) {
    if (!o.active) continue;
    active.insert(o.owner_id);
    auto done = load.assigned.find(o.owner_id);
    if (o.weekly_capacity > (done == load.assigned.end() ? 0 : done->second)) room = true;
  }
  std::vector<std::string> placeable;
  if (room) {
    for (const store::LeadSummary& l : waiting) placeable.push_back(l.lead_id);
    return placeable;
  }
  bool affinity = model.handoff.account_affinity;
  for (const model::AssignRule& r : model.handoff.rules) {
    if (r.account_affinity && *r.account_affinity) affinity = true;
  }
  if (!affinity || active.empty()) return placeable;
  std::unordered_map<std::string, bool> worked;  // account_id -> an active owner works it
  for (const store::LeadSummary& l : waiting) {
    if (l.account_id.empty()) continue;
    auto [it, fresh] = worked.try_emplace(l.account_id, false);
    if (fresh) {
      store::HandoffQuery of_account;
      of_account.account_id = l.account_id;
      LEADQ_TRY(std::vector<store::Handoff> handoffs, tx.Handoffs(of_account));
      for (const store::Handoff& h : handoffs) {
        if (active.count(h.owner_id) != 0) it->second = true;
      }
    }
    if (it->second) placeable.push_back(l.lead_id);
  }
  return placeable;
}

}  // namespace

Result<TickReport> Tick(Workspace& ws, TimePoint as_of, const TickOptions& options) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  TickReport report;
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  LEADQ_TRY(std::vector<store::Webhook> webhooks, tx->Webhooks());
  store::HandoffQuery open_query;
  open_query.open_only = true;
  store::HandoffQuery run_out;  // steps 1 and 2 look at these alone
  run_out.clock_due_by = as_of;
  LEADQ_TRY(std::vector<store::Handoff> open, tx->Handoffs(run_out));
  std::vector<std::string> escalating;  // leads an escalation may hand to someone else
  for (const store::Handoff& h : open) {
    const model::SlaRule* rule = SlaOf(model, h);
    if (rule != nullptr && rule->escalate == model::Escalation::kReassign) {
      escalating.push_back(h.lead_id);
    }
  }

  // The mqls with no owner (step 4), listed before anything moves.
  const bool routes = !model.handoff.rules.empty() || !model.handoff.fallback.empty();
  std::vector<store::LeadSummary> unowned_mqls;
  if (routes && options.thorough) {
    store::LeadQuery unowned;
    unowned.stage = "mql";
    unowned.unowned = true;
    unowned.sort = store::LeadQuery::Sort::kLeadId;
    LEADQ_TRY(unowned_mqls, tx->ListLeads(unowned));
  }
  // Which of them to try: all when an active owner has room this week; when nobody has room,
  // only those whose account is worked by an active owner (account affinity ignores room).
  std::vector<std::string> waiting;
  if (!unowned_mqls.empty()) {
    LEADQ_TRY(waiting, AssignableOf(*tx, model, unowned_mqls, as_of));
  }

  // The leads an assignment may need (the ones with a clock that an escalation may hand to
  // someone else, and the waiting mqls) bound to the model, loaded once and only when an
  // assignment happens: a few leads are read through their keys, not the whole workspace.
  std::unique_ptr<Workset> work;
  int64_t version = 0;
  std::unique_ptr<Assigner> assigner;
  auto need_assigner = [&]() -> Status {
    if (assigner) return Status::Ok();
    std::vector<std::string> ids = escalating;
    ids.insert(ids.end(), waiting.begin(), waiting.end());
    LEADQ_TRY(ActiveModel active, LoadActiveModel(ws, *tx));
    version = active.version;
    LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(active.model));
    LEADQ_TRY(work, BindStoreLeads(*tx, std::move(active.model), learned ? &*learned : nullptr,
                                   as_of, ids));
    LEADQ_TRY(assigner, Assigner::Create(*tx, *work, version, as_of));
    return Status::Ok();
  };

  for (store::Handoff& h : open) {
    if (h.assigned_at > as_of) continue;
    // 1. Breaches.
    if (h.due_at && !h.first_touch_at && *h.due_at <= as_of && !h.breached_at) {
      h.breached_at = *h.due_at;
      ++report.breaches;
      report.lines.push_back("breach: lead " + h.lead_id + " (" + h.owner_id + ") was due " +
                             FormatTimestamp(*h.due_at) + " by rule " + h.sla_rule);
      LEADQ_TRY(tx->UpdateHandoff(h));
      Json data = HandoffJson(h);
      data["breached_at"] = FormatTimestamp(*h.breached_at);
      LEADQ_TRY(EnqueueWebhookMessages(*tx, webhooks, "sla_breach",
                                       "sla_breach:" + std::to_string(h.seq), std::move(data),
                                       as_of));
    }
    // 2. Escalation.
    const model::SlaRule* rule = SlaOf(model, h);
    if (h.breached_at && !h.escalated_at && !h.first_touch_at && rule != nullptr &&
        rule->escalate != model::Escalation::kNone &&
        as_of >=
            *h.due_at + static_cast<TimePoint>(std::llround(rule->escalate_after_minutes * 60)) *
                            kMicrosPerSecond) {
      h.escalated_at = as_of;
      if (rule->escalate == model::Escalation::kNotify) {
        LEADQ_TRY(std::optional<store::Owner> owner, tx->GetOwner(h.owner_id));
        std::string manager = owner ? owner->manager : "";
        h.escalation = manager.empty() ? "notified (no manager set for " + h.owner_id + ")"
                                       : "notified manager " + manager;
        LEADQ_TRY(tx->UpdateHandoff(h));
        Json data = HandoffJson(h);
        data["escalation"] = "notify";
        data["manager"] = manager;
        LEADQ_TRY(EnqueueWebhookMessages(*tx, webhooks, "sla_breach",
                                         "sla_escalation:" + std::to_string(h.seq), std::move(data),
                                         as_of));
        ++report.notified;
        report.lines.push_back("escalation: lead " + h.lead_id + ": " + h.escalation);
      } else {
        LEADQ_TRY(need_assigner());
        std::optional<uint32_t> row = work->data.leads.index.Find(h.lead_id);
        if (!row) continue;
        const std::string late = h.owner_id;
        h.closed_at = as_of;
        h.closed_reason = "reassigned after the breach";
        h.escalation = "reassigned";
        LEADQ_TRY(tx->UpdateHandoff(h));
        LEADQ_TRY(std::optional<store::ScoreRecord> score, tx->GetScore(h.lead_id));
        // Anyone but the owner who let the clock run out.
        LEADQ_TRY(AssignOutcome out, assigner->Assign(*row, score ? &*score : nullptr, "",
                                                      "rule:escalation", as_of, late));
        if (!out.assigned) {
          // Nobody else can take it: it stays with its owner, and the log says why.
          h.closed_at.reset();
          h.closed_reason.clear();
          h.escalation = "could not reassign (" + out.why + "); stays with " + late;
          LEADQ_TRY(tx->UpdateHandoff(h));
          report.lines.push_back("escalation: lead " + h.lead_id + ": " + h.escalation);
          continue;
        }
        ++report.reassigned;
        report.lines.push_back("escalation: lead " + h.lead_id + " taken from " + late +
                               " and given to " + out.owner_id);
      }
    }
  }

  // 3. Cadences that ended with no reply.
  if (options.thorough) {
    LEADQ_TRY(open, tx->Handoffs(open_query));
  } else {
    open.clear();
  }
  for (store::Handoff& h : open) {
    if (h.cadence.empty() || h.assigned_at > as_of) continue;
    LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(h.lead_id));
    if (!state || (state->stage != "mql" && state->stage != "accepted")) continue;
    LEADQ_TRY(std::vector<store::Touch> touches, tx->Touches(h.lead_id));
    std::optional<engine::CadencePlan> plan = PlanOf(model, h, touches, as_of);
    if (!plan || !plan->exhausted_at) continue;
    store::Transition t;
    t.lead_id = h.lead_id;
    t.from_stage = state->stage;
    t.to_stage = "recycled";
    t.at = as_of;
    t.actor = "rule:cadence";
    t.reason = "unresponsive";
    LEADQ_TRY(t.scores, tx->GetScore(h.lead_id));
    if (t.scores) t.model_version = t.scores->model_version;
    state->recycle_count += 1;
    state->recycle_until =
        as_of + static_cast<TimePoint>(model.lifecycle.recycle_days * kMicrosPerDay);
    t.note = "cadence " + h.cadence + " ended: " + std::to_string(plan->done) +
             " touches, no reply; returns on " + FormatDate(*state->recycle_until);
    state->below_line_since.reset();
    state->stage = "recycled";
    state->stage_since = as_of;
    std::vector<store::Transition> one{t};
    LEADQ_TRY(tx->AppendTransitions(one));
    std::vector<store::LeadState> states{*state};
    LEADQ_TRY(tx->UpdateStates(states));
    h.closed_at = as_of;
    h.closed_reason = "recycled: unresponsive";
    LEADQ_TRY(tx->UpdateHandoff(h));
    LEADQ_TRY(EnqueueWebhookMessages(*tx, webhooks, "transition", TransitionEventId(t),
                                     TransitionJson(t), as_of));
    ++report.recycled;
    report.lines.push_back("recycled: lead " + h.lead_id + " (" + t.note + ")");
  }

  // 4. Mqls waiting for an owner; those not tried wait on.
  report.waiting = unowned_mqls.size() - waiting.size();
  for (const std::string& lead_id : waiting) {
    LEADQ_TRY(std::optional<store::LeadState> st, tx->GetLeadState(lead_id));
    if (!st) continue;
    LEADQ_TRY(need_assigner());
    std::optional<uint32_t> row = work->data.leads.index.Find(lead_id);
    if (!row) continue;
    LEADQ_TRY(std::optional<store::ScoreRecord> score, tx->GetScore(lead_id));
    LEADQ_TRY(AssignOutcome out, assigner->Assign(*row, score ? &*score : nullptr, "",
                                                  "rule:handoff", st->stage_since));
    if (out.assigned) {
      ++report.assigned;
      report.lines.push_back("assigned: lead " + lead_id + " to " + out.owner_id + " (" + out.why +
                             ")");
    } else {
      ++report.waiting;
    }
  }
  LEADQ_TRY(tx->Commit());
  return report;
}

// ---------------------------------------------------------------------------------------------
// Touches

Result<std::string> RecordTouch(Workspace& ws, const TouchRequest& request) {
  std::string channel = AsciiLower(Trim(request.channel));
  std::string outcome = AsciiLower(Trim(request.outcome));
  if (std::find(model::kTouchChannels.begin(), model::kTouchChannels.end(), channel) ==
      model::kTouchChannels.end()) {
    return Status::Invalid("unknown touch channel " + Quoted(request.channel) + "; channels are " +
                           JoinStrings(model::kTouchChannels));
  }
  if (!engine::IsTouchOutcome(outcome)) {
    return Status::Invalid("unknown outcome " + Quoted(request.outcome) + "; outcomes are " +
                           JoinStrings(engine::kTouchOutcomes));
  }
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(request.lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(request.lead_id) + " in the workspace");
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  LEADQ_TRY(std::vector<store::Touch> touches, tx->Touches(request.lead_id));
  const bool inbound = channel == "meeting" || outcome == "replied";
  if (!inbound) {
    for (const store::Touch& t : touches) {
      if (t.outcome == "opted_out") {
        return Status::FailedPrecondition("lead " + request.lead_id + " is do-not-contact: it " +
                                          "opted out on " + FormatTimestamp(t.at));
      }
    }
    if (model.handoff.do_not_contact) {
      int64_t version = 0;
      LEADQ_TRY(std::unique_ptr<Workset> work,
                LoadFromStore(ws, *tx, request.at, version, request.lead_id));
      std::optional<uint32_t> row = work->data.leads.index.Find(request.lead_id);
      engine::CompiledHandoff routing(work->model, work->data);
      if (row && routing.DoNotContact(*row, work->data.leads.account[*row])) {
        return Status::FailedPrecondition("lead " + request.lead_id +
                                          " is do-not-contact by the model's [handoff] "
                                          "do_not_contact condition (model v" +
                                          std::to_string(version) + ")");
      }
    }
    std::vector<engine::TouchFact> facts = FactsOf(touches);
    if (std::optional<std::string> refused =
            engine::CheckTouchLimit(model.handoff, facts, request.at)) {
      return Status::FailedPrecondition("touch refused for lead " + request.lead_id + ": " +
                                        *refused);
    }
  }
  LEADQ_TRY(std::optional<store::Handoff> open, tx->OpenHandoff(request.lead_id));
  store::Touch touch;
  touch.lead_id = request.lead_id;
  touch.by = request.by;
  touch.channel = channel;
  touch.outcome = outcome;
  touch.at = request.at;
  touch.note = request.note;
  touch.handoff_seq = open ? open->seq : 0;
  LEADQ_TRY(touch.seq, tx->AddTouch(touch));
  std::string out = "touch recorded: " + channel + " " + outcome + " by " + request.by + " at " +
                    FormatTimestamp(request.at) + "\n";
  if (open) {
    bool changed = false;
    if (!open->first_touch_at && request.at >= open->clock_start && !inbound) {
      open->first_touch_at = request.at;
      changed = true;
      if (open->due_at) {
        LEADQ_TRY(std::optional<store::Owner> owner, tx->GetOwner(open->owner_id));
        int64_t minutes = ClockMinutes(*open, owner ? &*owner : nullptr, request.at);
        bool met = request.at <= *open->due_at;
        out += "first touch " + std::to_string(minutes) +
               " min after the clock started: " + (met ? "within" : "late for") +
               " response clock " + open->sla_rule + " (due " + FormatTimestamp(*open->due_at) +
               ")\n";
      }
    }
    if (engine::StopsCadence(outcome) && !open->cadence_stopped_at) {
      open->cadence_stopped_at = request.at;
      changed = true;
      if (!open->cadence.empty()) out += "the lead answered: cadence " + open->cadence + " stops\n";
    }
    if (changed) LEADQ_TRY(tx->UpdateHandoff(*open));
    touches.push_back(touch);
    if (std::optional<engine::CadencePlan> plan = PlanOf(model, *open, touches, request.at)) {
      if (plan->next_due) {
        out += "next: touch " + std::to_string(plan->done + 1) + " of " +
               std::to_string(plan->total) + " by " + plan->next_channel + ", due " +
               FormatTimestamp(*plan->next_due) + "\n";
      } else if (!plan->stopped_at) {
        out += "every touch of cadence " + open->cadence + " made; without a reply the lead is " +
               "recycled as unresponsive after " +
               FormatFixed2(CadenceOf(model, *open)->reply_wait_days) + " days\n";
      }
    }
  } else {
    out += "note: lead " + request.lead_id + " has no owner; the touch counts for its limits\n";
  }
  Json data = {{"lead_id", touch.lead_id}, {"touch", touch.seq},
               {"channel", channel},       {"outcome", outcome},
               {"by", touch.by},           {"at", FormatTimestamp(touch.at)},
               {"note", touch.note},       {"owner", open ? open->owner_id : ""}};
  LEADQ_TRY(std::vector<store::Webhook> webhooks, tx->Webhooks());
  LEADQ_TRY(EnqueueWebhookMessages(*tx, webhooks, "touch", "touch:" + std::to_string(touch.seq),
                                   std::move(data), request.at));
  LEADQ_TRY(tx->Commit());
  return out;
}

// ---------------------------------------------------------------------------------------------
// The queue

Result<std::string> Queue(Workspace& ws, const std::string& owner_id, TimePoint as_of,
                          ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::Owner> owner, tx->GetOwner(owner_id));
  if (!owner) return Status::NotFound("no owner " + Quoted(owner_id) + "; see leadq owner list");
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  store::HandoffQuery query;
  query.owner_id = owner_id;
  query.open_only = true;
  LEADQ_TRY(std::vector<store::Handoff> open, tx->Handoffs(query));
  struct Item {
    int urgency = 3;  // 0 breached, 1 clock running, 2 touch due, 3 later
    TimePoint key = 0;
    int grade = 0;
    double score = 0;
    std::string lead_id, stage, cell, why;
    std::string next_step;  // what to do, without the timing
    std::optional<TimePoint> due;
  };
  auto grade_rank = [&](const std::string& cell) {
    for (size_t f = 0; f < model.fit_grades.size(); ++f) {
      const std::string& fit = model.fit_grades[f].name;
      if (cell.rfind(fit, 0) != 0) continue;
      std::string intent = cell.substr(fit.size());
      for (size_t i = 0; i < model.intent_grades.size(); ++i) {
        if (model.intent_grades[i].name == intent) {
          return static_cast<int>(f * model.intent_grades.size() + i);
        }
      }
    }
    return 1 << 20;
  };
  std::vector<Item> items;
  for (const store::Handoff& h : open) {
    if (h.assigned_at > as_of) continue;
    Item it;
    it.lead_id = h.lead_id;
    LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(h.lead_id));
    it.stage = state ? state->stage : "";
    LEADQ_TRY(std::optional<store::ScoreRecord> score, tx->GetScore(h.lead_id));
    it.cell = score ? score->fit_grade + score->intent_grade : h.cell;
    it.score = score ? score->score : h.score;
    it.grade = grade_rank(it.cell);
    LEADQ_TRY(std::vector<store::Touch> touches, tx->Touches(h.lead_id));
    std::optional<engine::CadencePlan> plan = PlanOf(model, h, touches, as_of);
    if (h.due_at && !h.first_touch_at) {
      it.due = h.due_at;
      it.key = *h.due_at;
      it.next_step = "first touch";
      if (*h.due_at <= as_of) {
        it.urgency = 0;
        it.why = "response clock breached " + Span(as_of - *h.due_at) + " ago: first touch now";
      } else {
        it.urgency = 1;
        it.why = "first touch due in " + Span(*h.due_at - as_of) + " (" + h.sla_rule + ")";
      }
    } else if (plan && plan->stopped_at) {
      it.next_step = "qualify and move it on";
      it.why = "answered on " + FormatTimestamp(*plan->stopped_at) + ": qualify and move it on";
    } else if (plan && plan->next_due) {
      it.due = plan->next_due;
      it.key = *plan->next_due;
      it.next_step = "touch " + std::to_string(plan->done + 1) + " of " +
                     std::to_string(plan->total) + " by " + plan->next_channel;
      if (*plan->next_due <= as_of) {
        it.urgency = 2;
        it.why = it.next_step + " due since " + Span(as_of - *plan->next_due);
      } else {
        it.why = it.next_step + " in " + Span(*plan->next_due - as_of);
      }
    } else if (plan) {
      it.next_step = "wait for a reply";
      it.why = "cadence done: waiting for a reply";
    } else {
      it.next_step = "follow up as you see fit";
      it.why = "no cadence: follow up as you see fit";
    }
    items.push_back(std::move(it));
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.urgency != b.urgency) return a.urgency < b.urgency;
    if (a.urgency <= 2 && a.key != b.key) return a.key < b.key;
    if (a.grade != b.grade) return a.grade < b.grade;
    if (a.score != b.score) return a.score > b.score;
    return a.lead_id < b.lead_id;
  });
  if (format == ListFormat::kJson) {
    Json arr = Json::array();
    for (const Item& it : items) {
      LEADQ_TRY(LeadContact who, LeadContactOf(*tx, it.lead_id));
      Json j = {{"lead_id", it.lead_id}, {"name", who.name},          {"stage", it.stage},
                {"cell", it.cell},       {"score", Fixed2(it.score)}, {"next_step", it.next_step},
                {"why", it.why}};
      if (it.due) {
        // Minutes left, rounded away from zero: 1 for 30 s to go, -1 for 30 s late, 0 only
        // when it is due this instant.
        const TimePoint left = *it.due - as_of;
        const TimePoint minute = 60 * kMicrosPerSecond;
        const TimePoint whole = (std::abs(left) + minute - 1) / minute;
        j["due_at"] = FormatTimestamp(*it.due);
        j["minutes_left"] = left >= 0 ? whole : -whole;
        j["overdue"] = left <= 0;
      } else {
        j["due_at"] = nullptr;
        j["minutes_left"] = nullptr;
        j["overdue"] = false;
      }
      arr.push_back(j);
    }
    return arr.dump(2) + "\n";
  }
  std::string out;
  if (format == ListFormat::kCsv) {
    out = "rank,lead_id,stage,cell,score,due_at,why\n";
    int rank = 0;
    for (const Item& it : items) {
      out += std::to_string(++rank) + "," + it.lead_id + "," + it.stage + "," + it.cell + "," +
             FormatFixed2(it.score) + "," + (it.due ? FormatTimestamp(*it.due) : "") + ",";
      AppendCsvField(out, it.why);
      out += "\n";
    }
    return out;
  }
  out += "Queue of " + owner_id + (owner->name.empty() ? "" : " (" + owner->name + ")") +
         " as of " + FormatTimestamp(as_of) + " (" + FormatLocal(as_of, owner->time_zone) + ")\n";
  char line[512];
  int rank = 0;
  for (const Item& it : items) {
    std::snprintf(line, sizeof line, "%3d. %-12s %-10s %-4s %8s  %s\n", ++rank, it.lead_id.c_str(),
                  it.stage.c_str(), it.cell.c_str(), FormatFixed2(it.score).c_str(),
                  it.why.c_str());
    out += line;
  }
  if (items.empty()) out += "  nothing assigned\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Webhook subscriptions

Result<store::Webhook> AddWebhook(Workspace& ws, store::Webhook hook, TimePoint now) {
  if (hook.url.rfind("http://", 0) != 0 && hook.url.rfind("https://", 0) != 0) {
    return Status::Invalid("webhook url " + Quoted(hook.url) +
                           " must start with http:// or https://");
  }
  if (hook.secret.empty()) {
    return Status::Invalid("a webhook needs --secret: the receiver checks the signature with it");
  }
  if (hook.kinds.empty()) hook.kinds.assign(kWebhookKinds.begin(), kWebhookKinds.end());
  for (std::string& kind : hook.kinds) {
    kind = AsciiLower(Trim(kind));
    if (std::find(kWebhookKinds.begin(), kWebhookKinds.end(), kind) == kWebhookKinds.end()) {
      return Status::Invalid("unknown webhook kind " + Quoted(kind) + "; kinds are " +
                             JoinStrings(kWebhookKinds));
    }
  }
  if (hook.max_attempts < 1) {
    return Status::Invalid("max attempts must be at least 1, got " +
                           std::to_string(hook.max_attempts));
  }
  hook.created_at = now;
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(hook.id, tx->AddWebhook(hook));
  LEADQ_TRY(tx->Commit());
  return hook;
}

Result<std::string> ListWebhooks(Workspace& ws) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::Webhook> hooks, tx->Webhooks());
  LEADQ_TRY(std::vector<store::OutboxCounts> counts, tx->CountMessages());
  std::string out;
  for (const store::Webhook& h : hooks) {
    store::OutboxCounts c;
    for (const store::OutboxCounts& k : counts) {
      if (k.webhook_id == h.id) c = k;
    }
    out += std::to_string(h.id) + "  " + h.url + "  kinds " + JoinStrings(h.kinds, ",") +
           "  max attempts " + std::to_string(h.max_attempts) + "  pending " +
           std::to_string(c.pending) + ", delivered " + std::to_string(c.delivered) + ", dead " +
           std::to_string(c.dead) + "\n";
  }
  if (hooks.empty()) out = "no webhooks; add one with leadq webhook add URL --secret S\n";
  return out;
}

Status RemoveWebhook(Workspace& ws, int64_t id) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(tx->RemoveWebhook(id));
  return tx->Commit();
}

Result<store::Webhook> GetWebhook(Workspace& ws, int64_t id) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::Webhook> hooks, tx->Webhooks());
  for (const store::Webhook& h : hooks) {
    if (h.id == id) return h;
  }
  return Status::NotFound("no webhook " + std::to_string(id) + "; see leadq webhook list");
}

}  // namespace leadq::service
