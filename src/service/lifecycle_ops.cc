#include "service/lifecycle_ops.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "engine/compiled_model.h"
#include "engine/dataset.h"
#include "engine/score.h"
#include "service/explain_render.h"
#include "service/handoff.h"
#include "service/models.h"
#include "service/predictive.h"
#include "service/scoring.h"
#include "service/views.h"

namespace leadq::service {
namespace {

using engine::Stage;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string StageList() {
  std::string s;
  for (int i = 0; i < engine::kStageCount; ++i) {
    s += (i == 0 ? "" : ", ") + std::string(engine::StageName(static_cast<Stage>(i)));
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<Workset>> LoadFromStore(Workspace& ws, store::Transaction& tx,
                                               TimePoint as_of, int64_t& model_version,
                                               const std::string& only_lead) {
  LEADQ_TRY(ActiveModel active, LoadActiveModel(ws, tx));
  model_version = active.version;
  return BindStoreData(tx, std::move(active.model), as_of, only_lead);
}

namespace {

// Binds `model` to every lead of the store, or (with `only`) to the listed leads.
Result<std::unique_ptr<Workset>> Bind(store::Transaction& tx, model::Model model,
                                      const analytics::LearnedModel* learned, TimePoint as_of,
                                      const std::span<const std::string>* only) {
  auto work = std::make_unique<Workset>();
  work->model = std::move(model);
  work->as_of = as_of;
  engine::DataNeeds needs = engine::NeedsOf(work->model);
  // Event ids are for explanations, which are of single leads; every lead (a rescore) leaves
  // them out: about a GB less at 10M events.
  needs.event_ids = only != nullptr;
  if (learned != nullptr) AddPredictiveNeeds(*learned, needs);
  engine::DatasetBuilder builder(needs, "workspace");
  builder.EventsAreUnique();  // the store keeps one event per event_id
  // Point reads cost about as much per lead as scanning costs for eight: a large set of leads
  // is read by scanning the tables and keeping what it asks for.
  bool point_reads = only != nullptr;
  if (only != nullptr && only->size() > 64) {
    LEADQ_TRY(uint64_t leads, tx.Count(store::Entity::kLead));
    point_reads = only->size() * 8 < leads;
  }
  if (point_reads) {
    // Some leads: read them, their accounts and their events through the primary keys. The
    // builder takes accounts before leads, so the leads' values wait in `rows` meanwhile.
    struct LeadValues {
      std::string id, account;
      std::vector<std::string> values;
    };
    std::vector<LeadValues> rows;
    std::unordered_set<std::string> seen;
    const std::vector<std::string> lead_keys = builder.lead_keys();
    for (const std::string& id : *only) {
      if (!seen.insert(id).second) continue;
      LEADQ_TRY(tx.ScanLead(id, lead_keys,
                            [&](std::string_view lead, std::string_view account,
                                std::span<const std::string_view> values) {
                              rows.push_back(
                                  {std::string(lead), std::string(account),
                                   std::vector<std::string>(values.begin(), values.end())});
                            }));
    }
    std::unordered_set<std::string> accounts;
    for (const LeadValues& row : rows) {
      if (row.account.empty() || !accounts.insert(row.account).second) continue;
      LEADQ_TRY(tx.ScanAccount(
          row.account, builder.account_keys(),
          [&](std::string_view id, std::string_view, std::span<const std::string_view> values) {
            builder.AddAccount(id, values);
          }));
    }
    std::vector<std::string_view> views;
    for (const LeadValues& row : rows) {
      views.assign(row.values.begin(), row.values.end());
      builder.AddLead(row.id, row.account, views);
    }
    for (const LeadValues& row : rows) {
      LEADQ_TRY(tx.ScanEventsOfLead(
          row.id, builder.event_keys(),
          [&](std::string_view event_id, std::string_view lead_id, std::string_view type,
              TimePoint at, std::span<const std::string_view> props) {
            builder.AddEvent(event_id, lead_id, type, at, props);
          }));
    }
  } else {
    std::unordered_set<std::string_view> wanted;
    if (only != nullptr) wanted.insert(only->begin(), only->end());
    auto keep = [&](std::string_view lead_id) {
      return only == nullptr || wanted.count(lead_id) != 0;
    };
    if (only == nullptr) {  // every row: room for all of them up front (counting is cheap)
      LEADQ_TRY(uint64_t accounts, tx.Count(store::Entity::kAccount));
      LEADQ_TRY(uint64_t leads, tx.Count(store::Entity::kLead));
      LEADQ_TRY(uint64_t events, tx.Count(store::Entity::kEvent));
      builder.Reserve(accounts, leads, events);
    }
    LEADQ_TRY(tx.ScanAccounts(
        builder.account_keys(),
        [&](std::string_view id, std::string_view, std::span<const std::string_view> values) {
          builder.AddAccount(id, values);
        }));
    LEADQ_TRY(tx.ScanLeads(builder.lead_keys(), [&](std::string_view id, std::string_view account,
                                                    std::span<const std::string_view> values) {
      if (keep(id)) builder.AddLead(id, account, values);
    }));
    LEADQ_TRY(tx.ScanEvents(
        builder.event_keys(),
        [&](std::string_view event_id, std::string_view lead_id, std::string_view type,
            TimePoint at, std::span<const std::string_view> props) {
          if (keep(lead_id)) builder.AddEvent(event_id, lead_id, type, at, props);
        }));
  }
  work->data = builder.Finish(work->issues);
  if (learned != nullptr) AttachPredictions(work->model, *learned, work->data, as_of, work->notes);
  work->compiled = engine::CompileModel(work->model, work->data);
  return work;
}

}  // namespace

Result<std::unique_ptr<Workset>> BindStoreData(store::Transaction& tx, model::Model model,
                                               TimePoint as_of, const std::string& only_lead) {
  LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(model));
  const analytics::LearnedModel* predictive = learned ? &*learned : nullptr;
  if (only_lead.empty()) return Bind(tx, std::move(model), predictive, as_of, nullptr);
  const std::span<const std::string> one(&only_lead, 1);
  return Bind(tx, std::move(model), predictive, as_of, &one);
}

Result<std::unique_ptr<Workset>> BindStoreLeads(store::Transaction& tx, model::Model model,
                                                const analytics::LearnedModel* learned,
                                                TimePoint as_of,
                                                std::span<const std::string> lead_ids) {
  return Bind(tx, std::move(model), learned, as_of, &lead_ids);
}

std::vector<engine::AnswerInput> ToInputs(const std::vector<store::Answer>& answers) {
  std::vector<engine::AnswerInput> out;
  for (const store::Answer& a : answers) {
    engine::AnswerInput in;
    in.framework = a.framework;
    in.criterion = a.criterion;
    in.value = engine::ParseAnswerValue(a.value).value_or(engine::AnswerValue::kUnknown);
    in.evidence = a.evidence;
    in.at = a.at;
    in.expires_at = a.expires_at;
    out.push_back(std::move(in));
  }
  return out;
}

// The active model, or an empty one (built-in frameworks and default gates only) when none was
// applied yet.
Result<model::Model> ModelOrDefault(Workspace& ws, store::Transaction& tx) {
  Result<ActiveModel> active = LoadActiveModel(ws, tx);
  if (active.ok()) return std::move(active->model);
  if (active.status().code() == StatusCode::kFailedPrecondition) return model::Model{};
  return active.status();
}

store::ScoreRecord RecordOf(const Workset& work, int64_t version, uint32_t row,
                            const engine::LeadScore& s) {
  store::ScoreRecord r;
  r.lead_id = work.data.leads.ids[row];
  r.model_version = version;
  r.as_of = work.as_of;
  r.fit = s.fit;
  r.intent = s.intent;
  r.negative = s.negative;
  r.score = s.score;
  GradeNames g = NamesOf(work.compiled, s);
  r.fit_grade = g.fit;
  r.intent_grade = g.intent;
  r.action = work.compiled.actions[s.action];
  r.reason = ReasonOf(work.compiled, s);
  if (s.channel >= 0) r.channel = work.model.channels[static_cast<size_t>(s.channel)].name;
  return r;
}

namespace {}  // namespace

std::string FrameworkText(const engine::FrameworkStatus& st) {
  std::string out = st.framework->name + " " + std::to_string(st.met) + " of " +
                    std::to_string(st.criteria.size()) + " met\n";
  for (const engine::CriterionStatus& c : st.criteria) {
    std::string line = "  " + std::string(engine::AnswerValueName(c.value));
    line.resize(std::max<size_t>(line.size() + 1, 11), ' ');
    line += c.criterion->name;
    if (c.answer != nullptr) {
      if (c.expired) {
        line += " (was " + std::string(engine::AnswerValueName(c.answer->value)) + ", expired " +
                FormatDate(*c.answer->expires_at) + ")";
      }
      if (!c.answer->evidence.empty()) line += ": " + c.answer->evidence;
      line += " [" + FormatDate(c.answer->at) + "]";
    } else {
      line += ": no answer yet";
    }
    out += line + "\n";
  }
  return out;
}

namespace {}  // namespace

namespace {

// How many subscriptions get a message of `kind`.
size_t Subscribers(const std::vector<store::Webhook>& webhooks, std::string_view kind) {
  return static_cast<size_t>(std::count_if(webhooks.begin(), webhooks.end(), [&](const auto& w) {
    return std::find(w.kinds.begin(), w.kinds.end(), kind) != w.kinds.end();
  }));
}

}  // namespace

Result<AppliedScores> ApplyScores(store::Transaction& tx, const Workset& work,
                                  const engine::ScoreRun& run, int64_t model_version,
                                  std::vector<store::LeadState> states, RescoreReport& report) {
  const TimePoint as_of = work.as_of;
  AppliedScores applied;
  std::vector<store::ScoreRecord>& records = applied.records;
  const size_t leads = work.data.leads.size();
  records.reserve(leads);
  for (uint32_t i = 0; i < leads; ++i) {
    records.push_back(RecordOf(work, model_version, i, run.leads[i]));
  }
  LEADQ_TRY(tx.WriteScores(records));

  std::vector<store::Transition> transitions;
  std::vector<store::LeadState> changed;
  std::unordered_map<uint32_t, size_t> effect_of;  // data row -> index in applied.effects
  for (store::LeadState& state : states) {
    std::optional<uint32_t> found = work.data.leads.index.Find(state.lead_id);
    if (!found) continue;
    const uint32_t row = *found;
    const store::ScoreRecord& rec = records[row];
    std::optional<Stage> stage = engine::ParseStage(state.stage);
    if (!stage) continue;
    engine::LifecycleFacts facts{*stage, state.stage_since, state.recycle_until,
                                 state.below_line_since};
    std::vector<engine::AutoMove> moves = engine::DecideAutomatic(
        work.model, facts, rec.action, rec.reason, run.leads[row].intent, as_of);
    bool state_changed = facts.below_line_since != state.below_line_since;
    Stage from = *stage;
    for (const engine::AutoMove& m : moves) {
      store::Transition t;
      t.lead_id = state.lead_id;
      t.from_stage = std::string(engine::StageName(from));
      t.to_stage = std::string(engine::StageName(m.to));
      t.at = as_of;
      t.actor = "rule:" + m.rule;
      t.model_version = model_version;
      t.reason = m.to == Stage::kDisqualified ? rec.reason : std::string();
      t.note = m.reason;
      t.scores = rec;
      ++report.moves[t.from_stage + " -> " + t.to_stage];
      if (from == Stage::kRecycled) state.recycle_until.reset();
      transitions.push_back(std::move(t));
      from = m.to;
      state_changed = true;
    }
    if (!moves.empty()) {
      effect_of[row] = applied.effects.size();
      LeadEffect effect;
      effect.row = row;
      effect.stage_from = state.stage;
      effect.stage_to = std::string(engine::StageName(from));
      applied.effects.push_back(std::move(effect));
    }
    if (state_changed) {
      state.stage = std::string(engine::StageName(from));
      if (!moves.empty()) state.stage_since = as_of;
      state.below_line_since = facts.below_line_since;
      changed.push_back(state);
    }
  }
  LEADQ_TRY(tx.AppendTransitions(transitions));
  LEADQ_TRY(tx.UpdateStates(changed));
  report.transitions += transitions.size();

  // Handoff: webhooks for the moves, handoffs closed by them, owners for the new mqls.
  LEADQ_TRY(std::vector<store::Webhook> webhooks, tx.Webhooks());
  const size_t transition_hooks = Subscribers(webhooks, "transition");
  const size_t assignment_hooks = Subscribers(webhooks, "assignment");
  std::vector<uint32_t> new_mqls;
  for (const store::Transition& t : transitions) {
    if (transition_hooks > 0) {  // the JSON is not built for nobody
      LEADQ_TRY(EnqueueWebhookMessages(tx, webhooks, "transition", TransitionEventId(t),
                                       TransitionJson(t), as_of));
    }
    LEADQ_TRY(CloseHandoffOnStage(tx, t.lead_id, t.to_stage, as_of));
    if (std::optional<uint32_t> row = work.data.leads.index.Find(t.lead_id)) {
      applied.effects[effect_of[*row]].webhooks_queued += transition_hooks;
    }
  }
  for (const store::LeadState& state : changed) {
    if (state.stage != "mql" || state.stage_since != as_of) continue;
    if (std::optional<uint32_t> row = work.data.leads.index.Find(state.lead_id)) {
      new_mqls.push_back(*row);
    }
  }
  const model::HandoffSection& handoff = work.model.handoff;
  if (!new_mqls.empty() && (!handoff.rules.empty() || !handoff.fallback.empty())) {
    LEADQ_TRY(std::unique_ptr<Assigner> assigner, Assigner::Create(tx, work, model_version, as_of));
    for (uint32_t row : new_mqls) {
      LEADQ_TRY(std::optional<store::Handoff> open, tx.OpenHandoff(work.data.leads.ids[row]));
      if (open) continue;
      LEADQ_TRY(AssignOutcome out, assigner->Assign(row, &records[row], "", "rule:handoff", as_of));
      if (out.assigned) {
        ++report.assigned[out.owner_id];
        auto [it, added] = effect_of.try_emplace(row, applied.effects.size());
        if (added) {
          LeadEffect effect;  // an mql that entered at this very time and still waited
          effect.row = row;
          effect.stage_from = "mql";
          applied.effects.push_back(std::move(effect));
        }
        LeadEffect& effect = applied.effects[it->second];
        effect.owner = out.owner_id;
        effect.due_at = out.due_at;
        effect.webhooks_queued += assignment_hooks;
      } else {
        ++report.waiting;
      }
    }
  }
  return applied;
}

Result<RescoreReport> Rescore(Workspace& ws, TimePoint as_of, Progress& progress) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  RescoreReport report;
  progress.Begin("reading the workspace");
  LEADQ_TRY(std::unique_ptr<Workset> work, LoadFromStore(ws, *tx, as_of, report.model_version));
  report.leads = work->data.leads.size();
  report.events = work->data.events.size();
  progress.End(report.leads + report.events, "rows read");

  progress.Begin("scoring");
  ScoreSummary summary = ScoreAll(*work);
  progress.End(report.events, "events scored");
  for (size_t a = 0; a < summary.by_action.size(); ++a) {
    if (summary.by_action[a] > 0)
      report.by_action[work->compiled.actions[a]] = summary.by_action[a];
  }

  progress.Begin("writing scores and transitions");
  LEADQ_TRY(std::vector<store::LeadState> states, tx->LeadStates());
  LEADQ_TRY(ApplyScores(*tx, *work, summary.run, report.model_version, std::move(states), report));
  LEADQ_TRY(tx->Commit());
  progress.End(report.leads, "leads written");
  report.issues = std::move(work->issues);
  return report;
}

Result<store::Transition> MoveStage(Workspace& ws, const StageRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(request.lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(request.lead_id) + " in the workspace");
  std::optional<Stage> to = engine::ParseStage(request.to);
  if (!to) {
    return Status::Invalid("unknown stage " + Quoted(request.to) + "; stages are " + StageList());
  }
  std::optional<Stage> from = engine::ParseStage(state->stage);
  if (!from) return Status::Internal("lead " + request.lead_id + " has stage " + state->stage);
  const engine::AllowedTransition* rule = engine::FindTransition(*from, *to);
  if (rule == nullptr || !rule->by_person) {
    std::string allowed;
    for (const engine::AllowedTransition& t : engine::TransitionTable()) {
      if (t.from == *from && t.by_person) {
        allowed += (allowed.empty() ? "" : ", ") + std::string(engine::StageName(t.to));
      }
    }
    return Status::FailedPrecondition(
        "cannot move " + request.lead_id + " from " + state->stage + " to " + request.to +
        (allowed.empty() ? "; " + state->stage + " is final"
                         : "; from " + state->stage + " a person may move it to: " + allowed));
  }
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  if (rule->needs_reason) {
    if (request.reason.empty() || !engine::IsKnownReason(model, request.reason)) {
      std::string codes;
      for (const std::string& r : model.lifecycle.reasons) codes += (codes.empty() ? "" : ", ") + r;
      return Status::Invalid((request.reason.empty()
                                  ? "moving to " + request.to + " needs --reason CODE"
                                  : "unknown reason code " + Quoted(request.reason)) +
                             "; the model's codes are: " + codes);
    }
  }
  LEADQ_TRY(std::vector<store::Answer> answers, tx->Answers(request.lead_id));
  engine::GateCheck gate = engine::CheckGate(model, *from, *to, ToInputs(answers), request.at);
  if (!gate.ok) {
    return Status::FailedPrecondition("cannot move " + request.lead_id + " to " + request.to +
                                      ": " + gate.message);
  }
  store::Transition t;
  t.lead_id = request.lead_id;
  t.from_stage = state->stage;
  t.to_stage = std::string(engine::StageName(*to));
  t.at = request.at;
  t.actor = request.by;
  t.reason = request.reason;
  t.note = request.note;
  LEADQ_TRY(t.scores, tx->GetScore(request.lead_id));
  if (t.scores) t.model_version = t.scores->model_version;
  if (*to == Stage::kRecycled) {
    state->recycle_count += 1;
    state->recycle_until = request.until.value_or(
        request.at + static_cast<TimePoint>(model.lifecycle.recycle_days * kMicrosPerDay));
    if (t.note.empty()) t.note = "returns on " + FormatDate(*state->recycle_until);
  } else {
    state->recycle_until.reset();
  }
  state->below_line_since.reset();
  state->stage = t.to_stage;
  state->stage_since = t.at;
  std::vector<store::Transition> one{t};
  LEADQ_TRY(tx->AppendTransitions(one));
  std::vector<store::LeadState> states{*state};
  LEADQ_TRY(tx->UpdateStates(states));
  LEADQ_TRY(std::vector<store::Webhook> webhooks, tx->Webhooks());
  LEADQ_TRY(EnqueueWebhookMessages(*tx, webhooks, "transition", TransitionEventId(t),
                                   TransitionJson(t), t.at));
  LEADQ_TRY(CloseHandoffOnStage(*tx, t.lead_id, t.to_stage, t.at));
  if (*to == Stage::kMql && (!model.handoff.rules.empty() || !model.handoff.fallback.empty())) {
    LEADQ_TRY(std::optional<store::Handoff> open, tx->OpenHandoff(t.lead_id));
    if (!open) {
      int64_t version = 0;
      LEADQ_TRY(std::unique_ptr<Workset> work,
                LoadFromStore(ws, *tx, t.at, version, request.lead_id));
      if (std::optional<uint32_t> row = work->data.leads.index.Find(request.lead_id)) {
        LEADQ_TRY(std::unique_ptr<Assigner> assigner, Assigner::Create(*tx, *work, version, t.at));
        LEADQ_TRY(AssignOutcome out, assigner->Assign(*row, t.scores ? &*t.scores : nullptr, "",
                                                      "rule:handoff", t.at));
        (void)out;
      }
    }
  }
  LEADQ_TRY(tx->Commit());
  return t;
}

Result<std::string> Qualify(Workspace& ws, const QualifyRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(request.lead_id));
  if (!state) return Status::NotFound("no lead " + Quoted(request.lead_id) + " in the workspace");
  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  const model::Framework* fw = engine::FindFramework(model, AsciiLower(Trim(request.framework)));
  if (fw == nullptr) {
    std::string known;
    for (const model::Framework* f : engine::Frameworks(model)) {
      known += (known.empty() ? "" : ", ") + f->key;
    }
    return Status::Invalid("unknown framework " + Quoted(request.framework) + "; known: " + known);
  }
  if (request.answers.empty()) return Status::Invalid("give at least one --set criterion=value");
  for (const auto& [criterion, value] : request.answers) {
    std::string key = AsciiLower(Trim(criterion));
    bool known = std::any_of(fw->criteria.begin(), fw->criteria.end(),
                             [&](const model::FrameworkCriterion& c) { return c.key == key; });
    if (!known) {
      std::string keys;
      for (const model::FrameworkCriterion& c : fw->criteria)
        keys += (keys.empty() ? "" : ", ") + c.key;
      return Status::Invalid(fw->name + " has no criterion " + Quoted(criterion) + "; it has " +
                             keys);
    }
    std::optional<engine::AnswerValue> v = engine::ParseAnswerValue(value);
    if (!v) {
      return Status::Invalid("answer " + Quoted(value) + " for " + key +
                             " is not one of met, partial, unmet, unknown");
    }
    store::Answer a;
    a.lead_id = request.lead_id;
    a.framework = fw->key;
    a.criterion = key;
    a.value = std::string(engine::AnswerValueName(*v));
    a.evidence = request.evidence;
    a.source = request.source;
    a.author = request.by;
    a.at = request.at;
    a.expires_at = request.expires_at;
    LEADQ_TRY(tx->AddAnswer(a));
  }
  LEADQ_TRY(std::vector<store::Answer> answers, tx->Answers(request.lead_id));
  LEADQ_TRY(tx->Commit());
  std::vector<engine::AnswerInput> inputs = ToInputs(answers);
  return FrameworkText(engine::EvaluateFramework(*fw, inputs, request.at));
}

Result<std::string> ShowLead(Workspace& ws, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(LeadProfile p, GatherLeadProfile(ws, *tx, lead_id, as_of));
  const store::LeadState& state = p.state;
  std::string out =
      "Lead " + lead_id + "  stage " + state.stage + " since " + FormatTimestamp(state.stage_since);
  if (state.recycle_until) out += " (returns " + FormatDate(*state.recycle_until) + ")";
  if (state.recycle_count > 0) out += ", recycled " + std::to_string(state.recycle_count) + "x";
  out += "\n";

  const std::optional<store::Handoff>& handoff = p.handoff;
  if (handoff) {
    out += "Owner " + handoff->owner_id + " since " + FormatTimestamp(handoff->assigned_at) + " (" +
           handoff->rule + ")";
    if (handoff->due_at) {
      out += handoff->first_touch_at ? ", first touch " + FormatTimestamp(*handoff->first_touch_at)
                                     : ", first touch due " + FormatTimestamp(*handoff->due_at) +
                                           " (" + handoff->sla_rule + ")";
    }
    out += "; see leadq handoff " + lead_id + "\n";
  }
  out += "\nFields\n";
  for (const store::Field& f : p.fields) {
    if (f.value.empty()) continue;
    std::string key = "  " + f.key;
    key.resize(std::max<size_t>(key.size() + 1, 24), ' ');
    out += key + f.value + "\n";
  }

  if (const std::optional<store::ScoreRecord>& stored = p.stored) {
    out += "\nLast rescore (model v" + std::to_string(stored->model_version) + ", as of " +
           FormatTimestamp(stored->as_of) + "): score " + FormatFixed2(stored->score) + ", " +
           stored->fit_grade + stored->intent_grade + ", " + stored->action + "\n";
  }
  if (p.why) {
    out += "\nScores now (model v" + std::to_string(p.model_version) + ")\n" +
           RenderExplanationText(*p.work, *p.why);
  }

  out += "\nFrameworks\n";
  bool any = false;
  for (const model::Framework* fw : engine::Frameworks(p.model)) {
    bool used = std::any_of(p.answers.begin(), p.answers.end(),
                            [&](const store::Answer& a) { return a.framework == fw->key; });
    if (!used && !FrameworkRequired(p.model, fw->key)) continue;
    any = true;
    out += FrameworkText(engine::EvaluateFramework(*fw, p.inputs, as_of));
  }
  if (!any) out += "  no answers yet\n";

  const std::vector<store::Transition>& history = p.history;
  out += "\nHistory\n";
  for (const store::Transition& t : history) {
    out += "  " + FormatTimestamp(t.at) + "  " +
           (t.from_stage.empty() ? std::string("(created)") : t.from_stage) + " -> " + t.to_stage +
           "  by " + t.actor;
    if (t.model_version > 0) out += " (model v" + std::to_string(t.model_version) + ")";
    if (!t.reason.empty()) out += "  reason " + t.reason;
    if (!t.note.empty()) out += "  " + t.note;
    if (t.scores) {
      out += "  [score " + FormatFixed2(t.scores->score) + " " + t.scores->fit_grade +
             t.scores->intent_grade + "]";
    }
    out += "\n";
  }
  return out;
}

Result<std::string> WorkspaceStatus(Workspace& ws) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  std::string out = "workspace " + ws.dir.string() + " (" + ws.store->Describe() + ")\n";
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx->ActiveModel());
  if (active) {
    out += "model v" + std::to_string(active->version) + " (active) by " + active->author + " on " +
           FormatTimestamp(active->created_at) + ": " + active->message + "\n";
  } else {
    out += "model: none applied yet\n";
  }
  LEADQ_TRY(uint64_t leads, tx->Count(store::Entity::kLead));
  LEADQ_TRY(uint64_t accounts, tx->Count(store::Entity::kAccount));
  LEADQ_TRY(uint64_t events, tx->Count(store::Entity::kEvent));
  LEADQ_TRY(std::vector<store::OutcomeRow> outcomes, tx->Outcomes());
  store::LeadQuery all;
  all.sort = store::LeadQuery::Sort::kLeadId;
  LEADQ_TRY(std::vector<store::LeadSummary> summaries, tx->ListLeads(all));
  uint64_t scored = 0;
  for (const store::LeadSummary& l : summaries) scored += l.score ? 1 : 0;
  out += "leads " + GroupThousands(leads) + ", accounts " + GroupThousands(accounts) + ", events " +
         GroupThousands(events) + ", outcomes " + GroupThousands(outcomes.size()) + ", scored " +
         GroupThousands(scored) + "\n";
  LEADQ_TRY(std::vector<store::LeadState> states, tx->LeadStates());
  std::map<std::string, uint64_t> by_stage;
  for (const store::LeadState& s : states) ++by_stage[s.stage];
  out += "stages:";
  for (int i = 0; i < engine::kStageCount; ++i) {
    std::string name(engine::StageName(static_cast<Stage>(i)));
    if (by_stage.count(name) != 0) out += " " + name + " " + GroupThousands(by_stage[name]);
  }
  out += "\n";
  return out;
}

Result<std::string> ListLeads(Workspace& ws, const store::LeadQuery& query, ListFormat format) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::vector<store::LeadSummary> leads, tx->ListLeads(query));
  std::string out;
  if (format == ListFormat::kJson) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const store::LeadSummary& l : leads) {
      nlohmann::ordered_json j = {{"lead_id", l.lead_id},
                                  {"account_id", l.account_id},
                                  {"stage", l.stage},
                                  {"created_at", FormatTimestamp(l.created_at)}};
      if (l.score) {
        j["score"] = Fixed2(l.score->score);
        j["fit"] = Fixed2(l.score->fit);
        j["intent"] = Fixed2(l.score->intent);
        j["cell"] = l.score->fit_grade + l.score->intent_grade;
        j["action"] = l.score->action;
        j["reason"] = l.score->reason;
      }
      j["owner"] = l.owner;
      arr.push_back(j);
    }
    return arr.dump(2) + "\n";
  }
  if (format == ListFormat::kCsv) {
    out = "lead_id,account_id,stage,score,fit,intent,cell,action,reason,created_at,owner\n";
    for (const store::LeadSummary& l : leads) {
      AppendCsvField(out, l.lead_id);
      out += ',';
      AppendCsvField(out, l.account_id);
      out += "," + l.stage + ",";
      if (l.score) {
        out += FormatFixed2(l.score->score) + "," + FormatFixed2(l.score->fit) + "," +
               FormatFixed2(l.score->intent) + "," + l.score->fit_grade + l.score->intent_grade +
               "," + l.score->action + ",";
        AppendCsvField(out, l.score->reason);
      } else {
        out += ",,,,,";
      }
      out += "," + FormatTimestamp(l.created_at) + ",";
      AppendCsvField(out, l.owner);
      out += "\n";
    }
    return out;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %-12s %-13s %8s  %-4s %-13s %s\n", "lead", "account",
                "stage", "score", "cell", "action", "reason");
  out += line;
  for (const store::LeadSummary& l : leads) {
    std::snprintf(line, sizeof line, "%-12s %-12s %-13s %8s  %-4s %-13s %s\n", l.lead_id.c_str(),
                  l.account_id.c_str(), l.stage.c_str(),
                  l.score ? FormatFixed2(l.score->score).c_str() : "-",
                  l.score ? (l.score->fit_grade + l.score->intent_grade).c_str() : "-",
                  l.score ? l.score->action.c_str() : "-", l.score ? l.score->reason.c_str() : "");
    out += line;
  }
  out += GroupThousands(leads.size()) + (leads.size() == 1 ? " lead\n" : " leads\n");
  return out;
}

}  // namespace leadq::service
