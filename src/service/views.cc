#include "service/views.h"

#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <utility>

#include "core/text.h"

#include "service/explain_render.h"
#include "service/handoff.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"

namespace leadq::service {
namespace {

using Json = nlohmann::ordered_json;
using engine::Stage;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Status UnknownLead(const std::string& lead_id) {
  return Status::NotFound("no lead " + Quoted(lead_id) + " in the workspace");
}

Json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? Json(FormatTimestamp(*t)) : Json(nullptr);
}

Json ScoreView(const std::optional<store::ScoreRecord>& s) {
  if (!s) return nullptr;
  return {{"fit", Fixed2(s->fit)},
          {"intent", Fixed2(s->intent)},
          {"negative", Fixed2(s->negative)},
          {"score", Fixed2(s->score)},
          {"fit_grade", s->fit_grade},
          {"intent_grade", s->intent_grade},
          {"cell", s->fit_grade + s->intent_grade},
          {"action", s->action},
          {"reason", s->reason},
          {"channel", s->channel},
          {"as_of", FormatTimestamp(s->as_of)},
          {"model_version", s->model_version}};
}

// The lead fields a LeadSummary shows, by their ColumnKey.
constexpr std::array<std::string_view, 5> kSummaryKeys = {"first_name", "last_name", "name",
                                                          "email", "job_title"};

Result<Json> SummaryView(store::Transaction& tx, const store::LeadSummary& l) {
  LEADQ_TRY(LeadContact c, LeadContactOf(tx, l.lead_id));
  return Json{{"lead_id", l.lead_id},
              {"account_id", l.account_id.empty() ? Json(nullptr) : Json(l.account_id)},
              {"name", c.name},
              {"email", c.email},
              {"title", c.title},
              {"stage", l.stage},
              {"created_at", FormatTimestamp(l.created_at)},
              {"owner", l.owner.empty() ? Json(nullptr) : Json(l.owner)},
              {"score", ScoreView(l.score)}};
}

Result<Json> SummariesView(store::Transaction& tx, const std::vector<store::LeadSummary>& leads) {
  Json items = Json::array();
  for (const store::LeadSummary& l : leads) {
    LEADQ_TRY(Json item, SummaryView(tx, l));
    items.push_back(std::move(item));
  }
  return items;
}

Json FieldsView(const std::vector<store::Field>& fields) {
  Json j = Json::object();
  for (const store::Field& f : fields) {
    if (!f.value.empty()) j[f.key] = f.value;
  }
  return j;
}

// The account's non-empty fields; nullopt when there is no such account.
Result<std::optional<Json>> AccountFields(store::Transaction& tx, const std::string& account_id) {
  LEADQ_TRY(std::vector<std::string> keys, tx.FieldKeys(store::Entity::kAccount));
  std::optional<Json> out;
  LEADQ_TRY(
      tx.ScanAccount(account_id, keys,
                     [&](std::string_view, std::string_view, std::span<const std::string_view> v) {
                       Json j = Json::object();
                       for (size_t i = 0; i < keys.size(); ++i) {
                         if (!v[i].empty()) j[keys[i]] = std::string(v[i]);
                       }
                       out = std::move(j);
                     }));
  return out;
}

// Every stage by name with its count (0 for stages no lead is in), in the stages' order.
Result<Json> ByStage(store::Transaction& tx) {
  LEADQ_TRY(auto counts, tx.CountByStage());
  Json j = Json::object();
  for (std::string_view name : model::kStageNames) j[std::string(name)] = 0;
  for (const auto& [stage, n] : counts) j[stage] = n;
  return j;
}

Json HandoffView(const std::optional<store::Handoff>& h) {
  if (!h) return nullptr;
  return {{"owner", h->owner_id},
          {"rule", h->rule},
          {"assigned_by", h->assigned_by},
          {"assigned_at", FormatTimestamp(h->assigned_at)},
          {"cell", h->cell},
          {"sla_rule", h->sla_rule},
          {"due_at", TimeOrNull(h->due_at)},
          {"first_touch_at", TimeOrNull(h->first_touch_at)},
          {"breached_at", TimeOrNull(h->breached_at)},
          {"cadence", h->cadence}};
}

// One framework of the lead's profile, each criterion with its latest answer (the stored one:
// the engine's status points into `p.inputs`, made from `p.answers` in the same order).
Json FrameworkView(const LeadProfile& p, const engine::FrameworkStatus& st) {
  Json criteria = Json::array();
  for (const engine::CriterionStatus& c : st.criteria) {
    const store::Answer* a =
        c.answer == nullptr ? nullptr : &p.answers[static_cast<size_t>(c.answer - p.inputs.data())];
    auto text = [&](const std::string store::Answer::*field) {
      return a != nullptr ? Json(a->*field) : Json(nullptr);
    };
    criteria.push_back({{"criterion", c.criterion->key},
                        {"name", c.criterion->name},
                        {"description", c.criterion->description},
                        {"value", std::string(engine::AnswerValueName(c.value))},
                        {"evidence", text(&store::Answer::evidence)},
                        {"source", text(&store::Answer::source)},
                        {"author", text(&store::Answer::author)},
                        {"at", a != nullptr ? Json(FormatTimestamp(a->at)) : Json(nullptr)},
                        {"expires_at", a != nullptr ? TimeOrNull(a->expires_at) : Json(nullptr)},
                        {"expired", c.expired}});
  }
  return {{"framework", st.framework->key},
          {"name", st.framework->name},
          {"met", st.met},
          {"total", st.criteria.size()},
          {"required", FrameworkRequired(p.model, st.framework->key)},
          {"criteria", std::move(criteria)}};
}

Json MovesView(const LeadProfile& p, TimePoint as_of) {
  Json moves = Json::array();
  std::optional<Stage> from = engine::ParseStage(p.state.stage);
  if (!from) return moves;
  const std::vector<std::string> reasons = ReasonCodes(p.model);
  for (const engine::AllowedTransition& t : engine::TransitionTable()) {
    if (t.from != *from || !t.by_person) continue;
    engine::GateCheck gate = engine::CheckGate(p.model, t.from, t.to, p.inputs, as_of);
    moves.push_back({{"to", std::string(engine::StageName(t.to))},
                     {"allowed", gate.ok},
                     {"needs_reason", t.needs_reason},
                     {"reasons", t.needs_reason ? Json(reasons) : Json::array()},
                     {"blocked_by", gate.ok ? Json(nullptr) : Json(gate.message)}});
  }
  return moves;
}

}  // namespace

// Name, email and title of one lead, read through its primary key.
Result<LeadContact> LeadContactOf(store::Transaction& tx, const std::string& lead_id) {
  static const std::vector<std::string> keys(kSummaryKeys.begin(), kSummaryKeys.end());
  LeadContact c;
  LEADQ_TRY(tx.ScanLead(
      lead_id, keys, [&](std::string_view, std::string_view, std::span<const std::string_view> v) {
        std::string first(Trim(v[0])), last(Trim(v[1]));
        c.name = first.empty() || last.empty() ? first + last : first + " " + last;
        if (c.name.empty()) c.name = std::string(Trim(v[2]));
        c.email = std::string(Trim(v[3]));
        c.title = std::string(Trim(v[4]));
      }));
  return c;
}

bool FrameworkRequired(const model::Model& model, std::string_view key) {
  for (const model::Gate& g : model.lifecycle.gates) {
    if (g.framework == key) return true;
  }
  return model.lifecycle.gates.empty() && model.lifecycle.default_gates && key == "bant";
}

std::vector<std::string> ReasonCodes(const model::Model& model) {
  std::vector<std::string> codes = model.lifecycle.reasons;
  for (const model::DisqualifyRule& rule : model.disqualify) {
    if (std::find(codes.begin(), codes.end(), rule.reason) == codes.end()) {
      codes.push_back(rule.reason);
    }
  }
  return codes;
}

Json TransitionView(const store::Transition& t) {
  // The webhook payload names the fields; the contract adds seq and the whole scores.
  Json j = {{"seq", t.seq}};
  Json payload = TransitionJson(t);
  for (auto& [key, value] : payload.items()) {
    if (key != "score" && key != "cell" && key != "action") j[key] = std::move(value);
  }
  j["scores"] = ScoreView(t.scores);
  return j;
}

Result<LeadProfile> GatherLeadProfile(Workspace& ws, store::Transaction& tx,
                                      const std::string& lead_id, TimePoint as_of) {
  LeadProfile p;
  LEADQ_TRY(std::optional<store::LeadState> state, tx.GetLeadState(lead_id));
  if (!state) return UnknownLead(lead_id);
  p.state = std::move(*state);
  LEADQ_TRY(p.fields, tx.LeadFields(lead_id));
  LEADQ_TRY(p.handoff, tx.OpenHandoff(lead_id));
  LEADQ_TRY(p.stored, tx.GetScore(lead_id));
  Result<std::unique_ptr<Workset>> work = LoadFromStore(ws, tx, as_of, p.model_version, lead_id);
  if (work.ok()) {
    p.work = std::move(*work);
    if (p.work->data.leads.size() == 1) {
      p.why = engine::ExplainLead(p.work->compiled, p.work->data, as_of, 0);
    }
  } else if (work.status().code() != StatusCode::kFailedPrecondition) {
    return work.status();
  } else {
    p.model_version = 0;
  }
  if (p.work) {
    p.model = p.work->model;
  } else {
    LEADQ_TRY(p.model, ModelOrDefault(ws, tx));
  }
  LEADQ_TRY(p.answers, tx.Answers(lead_id));
  p.inputs = ToInputs(p.answers);
  LEADQ_TRY(p.history, tx.History(lead_id));
  return p;
}

Result<Json> LeadListJson(Workspace& ws, const store::LeadQuery& query) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(uint64_t total, tx->CountLeads(query));
  LEADQ_TRY(std::vector<store::LeadSummary> leads, tx->ListLeads(query));
  LEADQ_TRY(Json items, SummariesView(*tx, leads));
  return Json{{"total", total},
              {"limit", query.limit},
              {"offset", query.offset},
              {"items", std::move(items)}};
}

Result<Json> LeadDetailJson(Workspace& ws, const std::string& lead_id, TimePoint as_of) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(LeadProfile p, GatherLeadProfile(ws, *tx, lead_id, as_of));
  LEADQ_TRY(std::string account_id, [&]() -> Result<std::string> {
    std::string id;
    LEADQ_TRY(tx->ScanLead(lead_id, {},
                           [&](std::string_view, std::string_view account,
                               std::span<const std::string_view>) { id = std::string(account); }));
    return id;
  }());
  // A lead's first transition is its creation (Transaction::UpsertLeads).
  TimePoint created_at = p.history.empty() ? p.state.stage_since : p.history.front().at;

  Json account = nullptr;
  if (!account_id.empty()) {
    LEADQ_TRY(std::optional<Json> fields, AccountFields(*tx, account_id));
    account = {{"account_id", account_id}, {"fields", fields ? *fields : Json::object()}};
  }

  Json frameworks = Json::array();
  for (const model::Framework* fw : engine::Frameworks(p.model)) {
    frameworks.push_back(FrameworkView(p, engine::EvaluateFramework(*fw, p.inputs, as_of)));
  }

  Json history = Json::array();
  for (const store::Transition& t : p.history) history.push_back(TransitionView(t));

  LEADQ_TRY(std::vector<store::Touch> touches, tx->Touches(lead_id));
  Json touch_views = Json::array();
  for (const store::Touch& t : touches) {
    touch_views.push_back({{"kind", t.channel},
                           {"outcome", t.outcome},
                           {"at", FormatTimestamp(t.at)},
                           {"by", t.by},
                           {"note", t.note}});
  }

  Json detail = {{"lead_id", lead_id},
                 {"account_id", account_id.empty() ? Json(nullptr) : Json(account_id)},
                 {"created_at", FormatTimestamp(created_at)},
                 {"fields", FieldsView(p.fields)},
                 {"account", std::move(account)},
                 {"stage",
                  {{"stage", p.state.stage},
                   {"since", FormatTimestamp(p.state.stage_since)},
                   {"recycle_count", p.state.recycle_count},
                   {"recycle_until", TimeOrNull(p.state.recycle_until)}}},
                 {"owner", p.handoff ? Json(p.handoff->owner_id) : Json(nullptr)},
                 {"handoff", HandoffView(p.handoff)},
                 {"score", ScoreView(p.stored)},
                 {"explanation", p.why ? ExplanationJson(*p.work, *p.why) : Json(nullptr)},
                 {"model_version", p.model_version > 0 ? Json(p.model_version) : Json(nullptr)},
                 {"frameworks", std::move(frameworks)},
                 {"history", std::move(history)},
                 {"touches", std::move(touch_views)},
                 {"moves", MovesView(p, as_of)}};
  return detail;
}

Result<std::string> LeadOwnerOf(Workspace& ws, const std::string& lead_id) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(std::optional<store::LeadState> state, tx->GetLeadState(lead_id));
  if (!state) return UnknownLead(lead_id);
  LEADQ_TRY(std::optional<store::Handoff> open, tx->OpenHandoff(lead_id));
  return open ? open->owner_id : std::string();
}

Result<Json> PipelineJson(Workspace& ws, TimePoint as_of) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(Json by_stage, ByStage(*tx));

  LEADQ_TRY(uint64_t leads, tx->Count(store::Entity::kLead));
  LEADQ_TRY(auto reached_list, tx->CountReachedStages());
  std::map<std::string, uint64_t> reached(reached_list.begin(), reached_list.end());
  Json funnel = Json::array({{{"stage", "lead"}, {"count", leads}}});
  for (Stage s : {Stage::kMql, Stage::kAccepted, Stage::kSql, Stage::kOpportunity, Stage::kWon}) {
    std::string name(engine::StageName(s));
    funnel.push_back({{"stage", name}, {"count", reached[name]}});
  }

  LEADQ_TRY(model::Model model, ModelOrDefault(ws, *tx));
  LEADQ_TRY(std::vector<store::CellCount> cells, tx->CountCells());
  Json fit_grades = Json::array(), intent_grades = Json::array();
  for (const model::Grade& g : model.fit_grades) fit_grades.push_back(g.name);
  for (const model::Grade& g : model.intent_grades) intent_grades.push_back(g.name);
  std::vector<std::vector<uint64_t>> counts(model.fit_grades.size(),
                                            std::vector<uint64_t>(model.intent_grades.size(), 0));
  auto index_of = [](const std::vector<model::Grade>& grades, const std::string& name) {
    for (size_t i = 0; i < grades.size(); ++i) {
      if (grades[i].name == name) return i;
    }
    return grades.size();
  };
  for (const store::CellCount& c : cells) {
    size_t f = index_of(model.fit_grades, c.fit_grade);
    size_t i = index_of(model.intent_grades, c.intent_grade);
    if (f < counts.size() && i < model.intent_grades.size()) counts[f][i] += c.leads;
  }

  store::LeadQuery waiting;
  waiting.stage = std::string(engine::StageName(Stage::kMql));
  waiting.unowned = true;
  waiting.sort = store::LeadQuery::Sort::kScoreDesc;
  waiting.limit = 100;
  LEADQ_TRY(std::vector<store::LeadSummary> unowned, tx->ListLeads(waiting));
  LEADQ_TRY(Json waiting_items, SummariesView(*tx, unowned));

  return Json{{"by_stage", std::move(by_stage)},
              {"funnel", std::move(funnel)},
              {"grid",
               {{"fit_grades", std::move(fit_grades)},
                {"intent_grades", std::move(intent_grades)},
                {"counts", counts}}},
              {"waiting", std::move(waiting_items)},
              {"as_of", FormatTimestamp(as_of)}};
}

Result<Json> StatusJson(Workspace& ws) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(uint64_t leads, tx->Count(store::Entity::kLead));
  LEADQ_TRY(uint64_t accounts, tx->Count(store::Entity::kAccount));
  LEADQ_TRY(uint64_t events, tx->Count(store::Entity::kEvent));
  LEADQ_TRY(std::vector<store::OutcomeRow> outcomes, tx->Outcomes());
  LEADQ_TRY(std::vector<store::CellCount> cells, tx->CountCells());
  uint64_t scored = 0;
  for (const store::CellCount& c : cells) scored += c.leads;
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx->ActiveModel());
  LEADQ_TRY(Json by_stage, ByStage(*tx));
  return Json{{"workspace", ws.store->Describe()},
              {"leads", leads},
              {"accounts", accounts},
              {"events", events},
              {"outcomes", outcomes.size()},
              {"scored", scored},
              {"model_version", active ? Json(active->version) : Json(nullptr)},
              {"by_stage", std::move(by_stage)}};
}

Result<Json> AccountListJson(Workspace& ws, size_t limit, size_t offset) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(uint64_t total, tx->Count(store::Entity::kAccount));
  LEADQ_TRY(std::vector<store::AccountRow> accounts, tx->ListAccounts(limit, offset));
  Json items = Json::array();
  for (const store::AccountRow& a : accounts) {
    items.push_back({{"account_id", a.account_id}, {"fields", FieldsView(a.fields)}});
  }
  return Json{{"total", total}, {"limit", limit}, {"offset", offset}, {"items", std::move(items)}};
}

Result<Json> AccountJson(Workspace& ws, const std::string& account_id) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(std::optional<Json> fields, AccountFields(*tx, account_id));
  if (!fields) return Status::NotFound("no account " + Quoted(account_id) + " in the workspace");
  store::LeadQuery of;
  of.account_id = account_id;
  of.sort = store::LeadQuery::Sort::kLeadId;
  LEADQ_TRY(std::vector<store::LeadSummary> leads, tx->ListLeads(of));
  LEADQ_TRY(Json items, SummariesView(*tx, leads));
  return Json{{"account_id", account_id}, {"fields", std::move(*fields)}, {"leads", items}};
}

Result<Json> ModelHistoryJson(Workspace& ws) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(std::vector<store::ModelVersion> versions, tx->ModelVersions());
  Json items = Json::array();
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    items.push_back({{"version", it->version},
                     {"hash", it->hash},
                     {"author", it->author},
                     {"message", it->message},
                     {"created_at", FormatTimestamp(it->created_at)}});
  }
  return Json{{"active", versions.empty() ? Json(nullptr) : Json(versions.back().version)},
              {"versions", std::move(items)}};
}

Result<Json> ModelVersionJson(Workspace& ws, int64_t version) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(store::ModelVersion v, tx->GetModelVersion(version));
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx->ActiveModel());
  return Json{{"version", v.version},
              {"hash", v.hash},
              {"author", v.author},
              {"message", v.message},
              {"created_at", FormatTimestamp(v.created_at)},
              {"active", active && active->version == v.version},
              {"content", v.content}};
}

Result<Json> ModelDiffJson(Workspace& ws, int64_t from, int64_t to) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
  LEADQ_TRY(store::ModelVersion a, tx->GetModelVersion(from));
  LEADQ_TRY(store::ModelVersion b, tx->GetModelVersion(to));
  LEADQ_TRY(model::Model ma, LoadModelVersion(ws, a));
  LEADQ_TRY(model::Model mb, LoadModelVersion(ws, b));
  return Json{{"from", from}, {"to", to}, {"changes", DiffModels(ma, mb)}};
}

}  // namespace leadq::service
