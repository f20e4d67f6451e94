// The routes of the API: each declared once with who may call it, each calling the same
// service function the CLI calls. Access is checked by ApiServer::Dispatch before a handler
// runs; handlers only read the request, call the service and shape the answer.
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"
#include "core/time.h"
#include "server/api.h"
#include "server/route_support.h"
#include "server/webhook_sender.h"
#include "service/access.h"
#include "service/handoff.h"
#include "service/ingest.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"
#include "service/reports.h"
#include "service/trade.h"
#include "service/views.h"

namespace leadq::server {

namespace {

using service::Role;

constexpr size_t kMaxBatch = 10000;  // events or leads in one request

// A JSON value as the text a CSV cell would hold.
std::string CellText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// {"k": v, ...} as store fields; false (with the error) when it is not an object or a key is
// not usable.
bool ReadFields(const json& object, const std::string& where, std::vector<store::Field>& out,
                std::string& error) {
  if (object.is_null()) return true;
  if (!object.is_object()) {
    error = where + " must be an object of column: value";
    return false;
  }
  for (const auto& [key, value] : object.items()) {
    if (value.is_object() || value.is_array()) {
      error = where + "." + key + " must be a string, number or boolean";
      return false;
    }
    std::string k = ColumnKey(key);
    if (k.empty()) {
      error = where + ": \"" + key + "\" is not a usable column name";
      return false;
    }
    out.push_back({std::move(k), CellText(value)});
  }
  return true;
}

// The items of a body that is one object or {"<plural>": [objects]}.
bool BatchItems(const json& body, const std::string& plural, std::vector<const json*>& items,
                Reply& problem) {
  if (body.is_object() && body.contains(plural)) {
    const json& list = body[plural];
    if (!list.is_array()) {
      problem = Problem(422, plural + " must be an array", {{plural, "must be an array"}});
      return false;
    }
    for (const json& item : list) items.push_back(&item);
  } else if (body.is_object()) {
    items.push_back(&body);
  } else {
    problem = Problem(422, "the body must be one object or {\"" + plural + "\": [...]}");
    return false;
  }
  if (items.size() > kMaxBatch) {
    problem = Problem(413, "at most " + std::to_string(kMaxBatch) + " " + plural +
                               " in one request; this one has " + std::to_string(items.size()));
    return false;
  }
  return true;
}

// Merges rejections found here (by original index) with the service's (by index into `kept`).
void MergeRejections(service::IngestReport& report, const std::vector<size_t>& kept,
                     std::vector<service::IngestRejection> early) {
  for (service::IngestRejection& r : report.rejected) {
    if (r.index < kept.size()) r.index = kept[r.index];
  }
  report.rejected.insert(report.rejected.end(), early.begin(), early.end());
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
}

Result<Reply> IngestReply(const Result<service::IngestReport>& report, const std::string& what) {
  if (!report.ok()) return ProblemOf(report.status());
  ojson body = service::IngestReportJson(*report);
  std::string summary = what + ": " + std::to_string(report->accepted) + " accepted, " +
                        std::to_string(report->duplicates) + " duplicates, " +
                        std::to_string(report->rejected.size()) + " rejected, " +
                        std::to_string(report->changes.size()) + " leads changed";
  return Ok(std::move(body), std::move(summary));
}

// ---- events

Result<Reply> PostEvents(Call& call) {
  std::vector<json> parsed;  // NDJSON lines, parsed
  std::vector<const json*> items;
  std::vector<service::IngestRejection> early;
  const std::string content_type = call.http.get_header_value("Content-Type");
  if (content_type.rfind("application/x-ndjson", 0) == 0) {
    std::string_view body = call.http.body;
    size_t line = 0;
    std::vector<size_t> line_of;
    while (!body.empty()) {
      size_t end = body.find('\n');
      std::string_view text = body.substr(0, end);
      body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
      ++line;
      if (Trim(text).empty()) continue;
      json value = json::parse(text, nullptr, false);
      parsed.push_back(std::move(value));
      line_of.push_back(line);
    }
    if (parsed.size() > kMaxBatch) {
      return Problem(413, "at most " + std::to_string(kMaxBatch) +
                              " events in one request; this stream has " +
                              std::to_string(parsed.size()));
    }
    for (size_t i = 0; i < parsed.size(); ++i) {
      if (parsed[i].is_discarded()) {
        early.push_back({i, "line " + std::to_string(line_of[i]) + ": not JSON"});
      }
      items.push_back(&parsed[i]);
    }
  } else {
    Reply problem;
    if (!BatchItems(call.Body(), "events", items, problem)) return problem;
  }
  std::vector<store::EventRow> rows;
  std::vector<size_t> kept;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& e = *items[i];
    if (e.is_discarded()) continue;  // already rejected
    if (!e.is_object()) {
      early.push_back({i, "an event must be an object"});
      continue;
    }
    Fields f(call, e);
    store::EventRow row;
    row.event_id = f.Str("event_id");
    row.lead_id = f.Str("lead_id", true);
    row.type = f.Str("type", true);
    row.occurred_at = f.Time("occurred_at").value_or(call.now);
    std::string error;
    if (e.contains("props") && !ReadFields(e["props"], "props", row.props, error)) {
      f.Error("props", error);
    }
    if (!f.ok()) {
      early.push_back({i, f.Problem().summary});
      continue;
    }
    rows.push_back(std::move(row));
    kept.push_back(i);
  }
  Result<service::IngestReport> report =
      call.events.Ingest(std::move(rows), call.caller.name, call.now);
  if (report.ok()) MergeRejections(*report, kept, std::move(early));
  return IngestReply(report, "events");
}

// ---- leads and accounts

Result<Reply> PostLeads(Call& call) {
  std::vector<const json*> items;
  Reply problem;
  if (!BatchItems(call.Body(), "leads", items, problem)) return problem;
  std::vector<store::LeadRow> rows;
  std::vector<size_t> kept;
  std::vector<service::IngestRejection> early;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& l = *items[i];
    Fields f(call, l);
    store::LeadRow row;
    row.lead_id = f.Str("lead_id", true);
    if (l.is_object() && l.contains("account_id")) row.account_id = f.Str("account_id");
    std::string error;
    if (l.is_object() && l.contains("fields") &&
        !ReadFields(l["fields"], "fields", row.fields, error)) {
      f.Error("fields", error);
    }
    if (!f.ok()) {
      early.push_back({i, f.Problem().summary});
      continue;
    }
    rows.push_back(std::move(row));
    kept.push_back(i);
  }
  Result<service::IngestReport> report =
      service::IngestLeads(call.ws, call.cache, std::move(rows), call.now, call.caller.name);
  if (report.ok()) MergeRejections(*report, kept, std::move(early));
  return IngestReply(report, "leads");
}

Result<Reply> PatchLead(Call& call) {
  const json& body = call.Body();
  Fields f(call, body);
  store::LeadRow row;
  row.lead_id = call.params["id"];
  if (body.is_object() && body.contains("account_id")) row.account_id = f.Str("account_id");
  std::string error;
  if (body.is_object() && body.contains("fields") &&
      !ReadFields(body["fields"], "fields", row.fields, error)) {
    f.Error("fields", error);
  }
  if (!f.ok()) return f.Problem();
  // PATCH changes a lead that exists; POST /leads creates.
  LEADQ_TRY(std::string owner, service::LeadOwnerOf(call.ws, row.lead_id));
  (void)owner;
  std::vector<store::LeadRow> rows;
  rows.push_back(std::move(row));
  LEADQ_TRY(service::IngestReport report,
            service::IngestLeads(call.ws, call.cache, std::move(rows), call.now, call.caller.name));
  if (!report.rejected.empty()) return Problem(422, report.rejected.front().message);
  LEADQ_TRY(ojson detail, service::LeadDetailJson(call.ws, call.params["id"], call.now));
  return Ok(std::move(detail), "updated lead " + call.params["id"]);
}

Result<Reply> PostAccounts(Call& call) {
  std::vector<const json*> items;
  Reply problem;
  if (!BatchItems(call.Body(), "accounts", items, problem)) return problem;
  std::vector<store::AccountRow> rows;
  std::vector<size_t> kept;
  std::vector<service::IngestRejection> early;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& a = *items[i];
    Fields f(call, a);
    store::AccountRow row;
    row.account_id = f.Str("account_id", true);
    std::string error;
    if (a.is_object() && a.contains("fields") &&
        !ReadFields(a["fields"], "fields", row.fields, error)) {
      f.Error("fields", error);
    }
    if (!f.ok()) {
      early.push_back({i, f.Problem().summary});
      continue;
    }
    rows.push_back(std::move(row));
    kept.push_back(i);
  }
  Result<service::IngestReport> report =
      service::IngestAccounts(call.ws, call.cache, std::move(rows), call.now, call.caller.name);
  if (report.ok()) MergeRejections(*report, kept, std::move(early));
  return IngestReply(report, "accounts");
}

Result<Reply> ListLeadsRoute(Call& call) {
  Fields f(call, call.Body());
  store::LeadQuery q;
  q.stage = call.Query("stage");
  q.owner = call.Query("owner");
  q.cell = call.Query("cell");
  q.action = call.Query("action");
  q.account_id = call.Query("account_id");
  q.text = std::string(Trim(call.Query("q")));
  if (q.text.size() > 200) f.Error("q", "is longer than 200 characters");
  const std::string sort = call.Query("sort");
  if (sort.empty() || sort == "score_desc") {
    q.sort = store::LeadQuery::Sort::kScoreDesc;
  } else if (sort == "score_asc") {
    q.sort = store::LeadQuery::Sort::kScoreAsc;
  } else if (sort == "created") {
    q.sort = store::LeadQuery::Sort::kCreated;
  } else if (sort == "lead_id") {
    q.sort = store::LeadQuery::Sort::kLeadId;
  } else {
    f.Error("sort", "\"" + sort + "\" is not one of score_desc, score_asc, created, lead_id");
  }
  q.limit = f.QueryCount("limit", 50, 1, 500);
  q.offset = f.QueryCount("offset", 0, 0, 100'000'000);
  if (!f.ok()) return f.Problem();
  if (call.caller.role == Role::kSeller) q.owner = call.caller.owner;  // only its own
  LEADQ_TRY(ojson list, service::LeadListJson(call.ws, q));
  return Ok(std::move(list));
}

Result<Reply> GetLead(Call& call) {
  Fields f(call, call.Body());
  TimePoint as_of = f.QueryTime("as_of");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(ojson detail, service::LeadDetailJson(call.ws, call.params["id"], as_of));
  return Ok(std::move(detail));
}

Result<Reply> ExplainLead(Call& call) {
  Fields f(call, call.Body());
  TimePoint as_of = f.QueryTime("as_of");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(ojson detail, service::LeadDetailJson(call.ws, call.params["id"], as_of));
  if (!detail.contains("explanation") || detail["explanation"].is_null()) {
    return Problem(409, "lead " + call.params["id"] +
                            " has no score to explain: apply a model (POST /api/v1/models)");
  }
  return Ok(std::move(detail["explanation"]));
}

Result<Reply> HandoffPacket(Call& call) {
  Fields f(call, call.Body());
  TimePoint as_of = f.QueryTime("as_of");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(ojson packet, service::HandoffPacketJson(call.ws, call.params["id"], as_of));
  return Ok(std::move(packet));
}

Result<Reply> MoveStageRoute(Call& call) {
  Fields f(call, call.Body());
  service::StageRequest r;
  r.lead_id = call.params["id"];
  r.to = f.Str("to", true);
  r.reason = f.Str("reason");
  r.note = f.Str("note");
  r.until = f.Time("until");
  r.by = call.Actor();
  r.at = call.now;
  if (!f.ok()) return f.Problem();
  Result<store::Transition> t = service::MoveStage(call.ws, r);
  if (!t.ok()) {
    // A refused move is a conflict with the lead's state, not a malformed request.
    Reply p = ProblemOf(t.status());
    if (p.status == 422) p = Problem(409, t.status().message());
    return p;
  }
  return Ok({{"transition", service::TransitionView(*t)}},
            "stage " + r.lead_id + " " + t->from_stage + " -> " + t->to_stage);
}

Result<Reply> AnswerRoute(Call& call) {
  const json& body = call.Body();
  Fields f(call, body);
  service::QualifyRequest r;
  r.lead_id = call.params["id"];
  r.framework = f.Str("framework", true);
  r.evidence = f.Str("evidence");
  r.source = f.Str("source");
  r.expires_at = f.Time("expires_at");
  r.by = call.Actor();
  r.at = call.now;
  if (!body.is_object() || !body.contains("answers") || !body["answers"].is_object() ||
      body["answers"].empty()) {
    f.Error("answers", "must be an object of criterion: met|partial|unmet|unknown");
  } else {
    for (const auto& [criterion, value] : body["answers"].items()) {
      if (!value.is_string()) {
        f.Error("answers." + criterion, "must be met, partial, unmet or unknown");
        continue;
      }
      r.answers.emplace_back(criterion, value.get<std::string>());
    }
  }
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(std::string text, service::Qualify(call.ws, r));
  LEADQ_TRY(ojson detail, service::LeadDetailJson(call.ws, r.lead_id, call.now));
  ojson framework = nullptr;
  for (const auto& fw : detail["frameworks"]) {
    if (fw.value("framework", "") == r.framework) framework = fw;
  }
  return Ok({{"framework", framework}, {"message", text}},
            "answers " + r.lead_id + " " + r.framework);
}

Result<Reply> TouchRoute(Call& call) {
  Fields f(call, call.Body());
  service::TouchRequest r;
  r.lead_id = call.params["id"];
  // `kind` (the contract's name) or `channel` (the CLI's).
  r.channel = f.Str("kind");
  if (r.channel.empty()) r.channel = f.Str("channel");
  if (r.channel.empty()) f.Error("kind", "is required: email, call, linkedin or meeting");
  r.outcome = f.Str("outcome");
  r.note = f.Str("note");
  r.at = f.Time("at").value_or(call.now);
  r.by = call.Actor();
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(std::string message, service::RecordTouch(call.ws, r));
  return Ok({{"touch",
              {{"lead_id", r.lead_id},
               {"kind", r.channel},
               {"outcome", r.outcome},
               {"at", Iso(r.at)},
               {"by", r.by},
               {"note", r.note}}},
             {"message", std::string(Trim(message))}},
            "touch " + r.lead_id + " " + r.channel);
}

Result<Reply> AssignRoute(Call& call) {
  Fields f(call, call.Body());
  service::AssignRequest r;
  r.lead_id = call.params["id"];
  r.to = f.Str("to");
  r.by = call.Actor();
  r.at = call.now;
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(service::AssignOutcome o, service::AssignLead(call.ws, r));
  return Ok({{"lead_id", o.lead_id},
             {"assigned", o.assigned},
             {"owner", o.owner_id},
             {"rule", o.rule},
             {"why", o.why},
             {"due_at", IsoOrNull(o.due_at)},
             {"sla_rule", o.sla_rule},
             {"cadence", o.cadence}},
            "assign " + r.lead_id + " -> " + (o.assigned ? o.owner_id : "nobody"));
}

// ---- accounts

Result<Reply> ListAccountsRoute(Call& call) {
  Fields f(call, call.Body());
  size_t limit = f.QueryCount("limit", 50, 1, 500);
  size_t offset = f.QueryCount("offset", 0, 0, 100'000'000);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(ojson list, service::AccountListJson(call.ws, limit, offset));
  return Ok(std::move(list));
}

Result<Reply> GetAccount(Call& call) {
  LEADQ_TRY(ojson account, service::AccountJson(call.ws, call.params["id"]));
  return Ok(std::move(account));
}

// ---- the work

Result<Reply> RescoreRoute(Call& call) {
  Fields f(call, call.Body());
  TimePoint as_of = f.Time("as_of").value_or(call.now);
  if (!f.ok()) return f.Problem();
  service::Progress quiet("", false);
  LEADQ_TRY(service::RescoreReport r, service::Rescore(call.ws, as_of, quiet));
  ojson moves = ojson::object(), by_action = ojson::object(), assigned = ojson::object();
  for (const auto& [k, v] : r.moves) moves[k] = v;
  for (const auto& [k, v] : r.by_action) by_action[k] = v;
  for (const auto& [k, v] : r.assigned) assigned[k] = v;
  return Ok({{"as_of", Iso(as_of)},
             {"model_version", r.model_version},
             {"leads", r.leads},
             {"events", r.events},
             {"by_action", by_action},
             {"moves", moves},
             {"transitions", r.transitions},
             {"assigned", assigned},
             {"waiting", r.waiting}},
            "rescore: " + std::to_string(r.leads) + " leads, " + std::to_string(r.transitions) +
                " transitions");
}

Result<Reply> TickRoute(Call& call) {
  Fields f(call, call.Body());
  TimePoint as_of = f.Time("as_of").value_or(call.now);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(service::TickReport r, service::Tick(call.ws, as_of));
  return Ok({{"as_of", Iso(as_of)},
             {"breaches", r.breaches},
             {"notified", r.notified},
             {"reassigned", r.reassigned},
             {"recycled", r.recycled},
             {"assigned", r.assigned},
             {"waiting", r.waiting},
             {"lines", r.lines}},
            "tick: " + std::to_string(r.lines.size()) + " actions");
}

Result<Reply> QueueRoute(Call& call) {
  std::string owner = call.Query("owner");
  if (call.caller.role == Role::kSeller) {
    if (!owner.empty() && owner != call.caller.owner) {
      return Problem(403, "a seller sees only its own queue (" + call.caller.owner + ")");
    }
    owner = call.caller.owner;
  }
  if (owner.empty()) {
    return Problem(422, "owner: say whose queue (?owner=ana)", {{"owner", "is required"}});
  }
  Result<std::string> text = service::Queue(call.ws, owner, call.now, service::ListFormat::kJson);
  if (!text.ok()) return ProblemOf(text.status());
  ojson items = ojson::parse(*text, nullptr, false);
  if (!items.is_array()) items = ojson::array();
  return Ok({{"owner", owner}, {"as_of", Iso(call.now)}, {"items", std::move(items)}});
}

Result<Reply> SlaRoute(Call& call) {
  return OkText(service::SlaReport(call.ws, call.now, service::ListFormat::kJson));
}

Result<Reply> ListOwnersRoute(Call& call) {
  Result<std::string> text = service::ListOwners(call.ws, call.now, service::ListFormat::kJson);
  if (!text.ok()) return ProblemOf(text.status());
  ojson items = ojson::parse(*text, nullptr, false);
  return Ok({{"items", items}});
}

ojson OwnerJson(const store::Owner& o) {
  return {{"owner_id", o.owner_id},
          {"name", o.name},
          {"email", o.email},
          {"role", o.role},
          {"weekly_capacity", o.weekly_capacity},
          {"working_hours", o.working_hours},
          {"time_zone", o.time_zone},
          {"manager", o.manager},
          {"active", o.active}};
}

Result<Reply> AddOwnerRoute(Call& call) {
  Fields f(call, call.Body());
  store::Owner o;
  o.owner_id = f.Str("owner_id", true);
  o.name = f.Str("name");
  o.email = f.Str("email");
  o.role = f.Str("role");
  o.weekly_capacity = static_cast<int64_t>(f.Number("weekly_capacity").value_or(0));
  o.working_hours = f.Str("working_hours");
  std::string tz = f.Str("time_zone");
  if (!tz.empty()) o.time_zone = tz;
  o.manager = f.Str("manager");
  o.active = f.Bool("active").value_or(true);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(store::Owner added, service::AddOwner(call.ws, o, call.now));
  return Ok(OwnerJson(added), "owner add " + added.owner_id, 201);
}

Result<Reply> PatchOwnerRoute(Call& call) {
  const json& body = call.Body();
  Fields f(call, body);
  service::OwnerPatch p;
  auto str = [&](const char* name, std::optional<std::string>& out) {
    if (body.is_object() && body.contains(name)) out = f.Str(name);
  };
  str("name", p.name);
  str("email", p.email);
  str("role", p.role);
  str("working_hours", p.working_hours);
  str("time_zone", p.time_zone);
  str("manager", p.manager);
  if (std::optional<double> c = f.Number("weekly_capacity")) {
    p.weekly_capacity = static_cast<int64_t>(*c);
  }
  p.active = f.Bool("active");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(store::Owner o, service::UpdateOwner(call.ws, call.params["id"], p, call.now));
  return Ok(OwnerJson(o), "owner update " + o.owner_id);
}

// ---- the pipeline and reports

Result<Reply> StatusRoute(Call& call) {
  LEADQ_TRY(ojson status, service::StatusJson(call.ws));
  return Ok(std::move(status));
}

Result<Reply> PipelineRoute(Call& call) {
  LEADQ_TRY(ojson pipeline, service::PipelineJson(call.ws, call.now));
  return Ok(std::move(pipeline));
}

Result<Reply> FunnelRoute(Call& call) {
  Fields f(call, call.Body());
  service::FunnelRequest r;
  r.from = f.QueryTimeOpt("from");
  r.to = f.QueryTimeOpt("to");
  r.by = call.Query("by");
  r.as_of = call.now;
  if (!f.ok()) return f.Problem();
  return OkText(service::FunnelReportText(call.ws, r, service::ListFormat::kJson));
}

Result<Reply> CalibrationRoute(Call& call) {
  return OkText(service::CalibrationReportText(call.ws, service::ListFormat::kJson));
}

Result<Reply> ThresholdsRoute(Call& call) {
  Fields f(call, call.Body());
  service::ThresholdRequest r;
  r.as_of = call.now;
  r.capacity = f.QueryPositive("capacity", "leads a week");
  if (!f.ok()) return f.Problem();
  return OkText(service::ThresholdsReportText(call.ws, r, service::ListFormat::kJson));
}

// ---- models

Result<Reply> ModelsRoute(Call& call) {
  LEADQ_TRY(ojson history, service::ModelHistoryJson(call.ws));
  return Ok(std::move(history));
}

Result<Reply> ModelRoute(Call& call) {
  LEADQ_TRY(int64_t version, VersionParam(call.params["version"], "version"));
  LEADQ_TRY(ojson model, service::ModelVersionJson(call.ws, version));
  return Ok(std::move(model));
}

Result<Reply> ModelDiffRoute(Call& call) {
  LEADQ_TRY(int64_t from, VersionParam(call.Query("from"), "from"));
  LEADQ_TRY(int64_t to, VersionParam(call.Query("to"), "to"));
  LEADQ_TRY(ojson diff, service::ModelDiffJson(call.ws, from, to));
  return Ok(std::move(diff));
}

ojson AppliedJson(const service::AppliedModel& a) {
  return {{"version", a.version}, {"unchanged", a.unchanged}, {"changes", a.changes}};
}

Result<Reply> ApplyModelRoute(Call& call) {
  Fields f(call, call.Body());
  std::string content = f.Str("content", true);
  std::string message = f.Str("message", true);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(service::AppliedModel a, service::ApplyModelContent(call.ws, std::move(content),
                                                                message, call.Actor(), call.now));
  return Ok(AppliedJson(a), "model apply v" + std::to_string(a.version) + ": " + message,
            a.unchanged ? 200 : 201);
}

Result<Reply> RollbackRoute(Call& call) {
  LEADQ_TRY(int64_t version, VersionParam(call.params["version"], "version"));
  LEADQ_TRY(service::AppliedModel a,
            service::RollbackModel(call.ws, version, call.Actor(), call.now));
  return Ok(AppliedJson(a), "model rollback to v" + std::to_string(version), 201);
}

// ---- export

Result<Reply> ShortlistRoute(Call& call) {
  Fields f(call, call.Body());
  service::ShortlistView view;
  view.top = f.QueryCount("top", 40, 0, 100000);
  std::string tier = call.Query("tier");
  if (!tier.empty()) {
    view.tier = trade::ParseTier(tier);
    if (!view.tier) f.Error("tier", "\"" + tier + "\" is not qualified, developing or artifact");
  }
  if (!f.ok()) return f.Problem();
  service::ShortlistRequest r;
  r.as_of = call.now;
  LEADQ_TRY(service::ShortlistResult result, service::Shortlist(call.ws, r));
  return Ok(ojson::parse(service::ShortlistJson(result, view)));
}

Result<Reply> LandedCostRoute(Call& call) {
  Fields f(call, call.Body());
  service::LandedCostRequest r;
  r.hs = call.Query("hs");
  r.to = call.Query("to");
  if (r.hs.empty()) f.Error("hs", "is required (?hs=8708.30)");
  if (r.to.empty()) f.Error("to", "is required (?to=US)");
  std::string incoterm = call.Query("incoterm");
  if (incoterm == "CIF" || incoterm == "cif") {
    r.incoterm = trade::Incoterm::kCif;
  } else if (!incoterm.empty() && incoterm != "FOB" && incoterm != "fob") {
    f.Error("incoterm", "\"" + incoterm + "\" is not FOB or CIF");
  }
  auto number = [&](const char* name, std::optional<double>& out) {
    std::string text = call.Query(name);
    if (text.empty()) return;
    out = ParseNumber(text);
    if (!out || *out < 0) f.Error(name, "\"" + text + "\" must be a number, 0 or more");
  };
  number("price", r.price);
  number("freight_per_unit", r.freight_per_unit);
  number("units_per_entry", r.units_per_entry);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(service::LandedCostResult result, service::ComputeLandedCostFor(&call.ws, r));
  return Ok(ojson::parse(service::LandedCostJson(result)));
}

// ---- webhooks

ojson WebhookJson(const store::Webhook& h) {
  return {{"id", h.id},
          {"url", h.url},
          {"kinds", h.kinds},
          {"max_attempts", h.max_attempts},
          {"created_at", Iso(h.created_at)}};
}

Result<Reply> ListWebhooksRoute(Call& call) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, call.ws.store->Begin());
  LEADQ_TRY(std::vector<store::Webhook> hooks, tx->Webhooks());
  ojson items = ojson::array();
  for (const store::Webhook& h : hooks) items.push_back(WebhookJson(h));
  return Ok({{"items", items}});
}

Result<Reply> AddWebhookRoute(Call& call) {
  const json& body = call.Body();
  Fields f(call, body);
  store::Webhook h;
  h.url = f.Str("url", true);
  h.secret = f.Str("secret", true);
  h.max_attempts = static_cast<int64_t>(f.Number("max_attempts").value_or(8));
  if (body.is_object() && body.contains("kinds")) {
    if (!body["kinds"].is_array()) {
      f.Error("kinds", "must be an array of transition, assignment, sla_breach, touch");
    } else {
      for (const json& k : body["kinds"]) {
        if (k.is_string()) h.kinds.push_back(k.get<std::string>());
      }
    }
  } else {
    for (std::string_view k : service::kWebhookKinds) h.kinds.emplace_back(k);
  }
  if (!f.ok()) return f.Problem();
  if (Result<WebhookUrl> url = ParseWebhookUrl(h.url); !url.ok()) {
    return Problem(422, "url: " + url.status().message(), {{"url", url.status().message()}});
  }
  LEADQ_TRY(store::Webhook added, service::AddWebhook(call.ws, h, call.now));
  return Ok(WebhookJson(added), "webhook add " + std::to_string(added.id) + " " + added.url, 201);
}

Result<Reply> RemoveWebhookRoute(Call& call) {
  LEADQ_TRY(int64_t id, VersionParam(call.params["id"], "id"));
  LEADQ_TRY(service::RemoveWebhook(call.ws, id));
  return Ok({{"removed", id}}, "webhook remove " + std::to_string(id));
}

// ---- tokens and the audit trail

Result<Reply> ListTokensRoute(Call& call) {
  LEADQ_TRY(std::vector<service::TokenInfo> tokens, service::ListTokens(call.ws));
  ojson items = ojson::array();
  for (const service::TokenInfo& t : tokens) items.push_back(service::TokenJson(t));
  return Ok({{"items", items}});
}

Result<Reply> CreateTokenRoute(Call& call) {
  Fields f(call, call.Body());
  std::string name = f.Str("name", true);
  std::string role_name = f.Str("role", true);
  std::string owner = f.Str("owner");
  std::optional<Role> role = service::ParseRole(role_name);
  if (!role_name.empty() && !role) {
    f.Error("role", "\"" + role_name + "\" is not admin, ops, seller or ingest");
  }
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(service::NewToken t, service::CreateToken(call.ws, name, *role, owner, call.now));
  ojson body = service::TokenJson(t.info);
  body["token"] = t.secret;
  return Ok(std::move(body), "token create " + name + " (" + role_name + ")", 201);
}

Result<Reply> RevokeTokenRoute(Call& call) {
  LEADQ_TRY(service::Revocation r, service::RevokeToken(call.ws, call.params["id"], call.now));
  const service::TokenInfo& t = r.token;
  return Ok(service::TokenJson(t), "token revoke " + t.name);
}

Result<Reply> AuditRoute(Call& call) {
  Fields f(call, call.Body());
  size_t limit = f.QueryCount("limit", 50, 1, 500);
  size_t offset = f.QueryCount("offset", 0, 0, 100'000'000);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(ojson audit, service::AuditJson(call.ws, limit, offset));
  return Ok(std::move(audit));
}

// ---- who and what

Result<Reply> Health(Call& call) {
  return Ok({{"status", "ok"},
#ifdef LEADQ_VERSION
             {"version", LEADQ_VERSION},
#endif
             {"workspace", call.ws.store->Describe()},
             {"time", Iso(call.now)}});
}

Result<Reply> OpenApi(Call&) { return Ok(ojson::parse(OpenApiDocument())); }

Result<Reply> Me(Call& call) {
  return Ok({{"name", call.caller.name},
             {"role", std::string(service::RoleName(call.caller.role))},
             {"owner", call.caller.owner}});
}

}  // namespace

std::vector<Route> ApiRoutes() {
  const std::vector<Role> all = {Role::kAdmin, Role::kOps, Role::kSeller, Role::kIngest};
  const std::vector<Role> staff = {Role::kAdmin, Role::kOps};
  const std::vector<Role> sellers = {Role::kAdmin, Role::kOps, Role::kSeller};
  const std::vector<Role> feeders = {Role::kAdmin, Role::kOps, Role::kIngest};
  const std::vector<Role> admin = {Role::kAdmin};
  auto pub = [](std::string method, std::string path, Handler h) {
    Route r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.handler = std::move(h);
    r.access = Access::kPublic;
    return r;
  };
  auto route = [](std::string method, std::string path, std::vector<Role> roles, Handler h,
                  bool own_lead = false) {
    Route r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.roles = std::move(roles);
    r.own_lead = own_lead;
    r.handler = std::move(h);
    return r;
  };
  auto cached = [](Route r) {
    r.cached = true;
    return r;
  };
  const std::string v1 = "/api/v1";
  std::vector<Route> routes = {
      pub("GET", v1 + "/health", Health),
      pub("GET", v1 + "/openapi.json", OpenApi),
      route("GET", v1 + "/me", all, Me),
      route("GET", v1 + "/status", staff, StatusRoute),
      route("GET", v1 + "/leads", sellers, ListLeadsRoute),
      route("POST", v1 + "/leads", feeders, PostLeads),
      route("GET", v1 + "/leads/{id}", sellers, GetLead, true),
      route("PATCH", v1 + "/leads/{id}", staff, PatchLead),
      route("GET", v1 + "/leads/{id}/explain", sellers, ExplainLead, true),
      route("GET", v1 + "/leads/{id}/handoff", sellers, HandoffPacket, true),
      route("POST", v1 + "/leads/{id}/stage", sellers, MoveStageRoute, true),
      route("POST", v1 + "/leads/{id}/answers", sellers, AnswerRoute, true),
      route("POST", v1 + "/leads/{id}/touches", sellers, TouchRoute, true),
      route("POST", v1 + "/leads/{id}/assign", staff, AssignRoute),
      route("GET", v1 + "/accounts", staff, ListAccountsRoute),
      route("POST", v1 + "/accounts", staff, PostAccounts),
      route("GET", v1 + "/accounts/{id}", staff, GetAccount),
      route("POST", v1 + "/events", feeders, PostEvents),
      route("POST", v1 + "/rescore", staff, RescoreRoute),
      route("GET", v1 + "/queue", sellers, QueueRoute),
      route("GET", v1 + "/sla", staff, SlaRoute),
      route("GET", v1 + "/owners", sellers, ListOwnersRoute),
      route("POST", v1 + "/owners", staff, AddOwnerRoute),
      route("PATCH", v1 + "/owners/{id}", staff, PatchOwnerRoute),
      route("POST", v1 + "/tick", staff, TickRoute),
      route("GET", v1 + "/pipeline", staff, PipelineRoute),
      cached(route("GET", v1 + "/reports/funnel", staff, FunnelRoute)),
      cached(route("GET", v1 + "/reports/calibration", staff, CalibrationRoute)),
      cached(route("GET", v1 + "/reports/thresholds", staff, ThresholdsRoute)),
      route("GET", v1 + "/models", sellers, ModelsRoute),
      route("GET", v1 + "/models/diff", sellers, ModelDiffRoute),
      route("GET", v1 + "/models/{version}", sellers, ModelRoute),
      route("POST", v1 + "/models", admin, ApplyModelRoute),
      route("POST", v1 + "/models/{version}/rollback", admin, RollbackRoute),
      route("GET", v1 + "/trade/shortlist", staff, ShortlistRoute),
      route("GET", v1 + "/trade/landed-cost", staff, LandedCostRoute),
      route("GET", v1 + "/webhooks", staff, ListWebhooksRoute),
      route("POST", v1 + "/webhooks", staff, AddWebhookRoute),
      route("DELETE", v1 + "/webhooks/{id}", staff, RemoveWebhookRoute),
      route("GET", v1 + "/tokens", admin, ListTokensRoute),
      route("POST", v1 + "/tokens", admin, CreateTokenRoute),
      route("DELETE", v1 + "/tokens/{id}", admin, RevokeTokenRoute),
      route("GET", v1 + "/audit", admin, AuditRoute),
  };
  for (Route& r : FileRoutes()) routes.push_back(std::move(r));
  return routes;
}

}  // namespace leadq::server
