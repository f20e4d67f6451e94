// The JSON views the HTTP API (`leadq serve`) and the dashboard read: a page of leads, one
// lead's whole profile, the pipeline, the workspace's counts, accounts and model versions, in
// the shapes of the API contract (LeadSummary, LeadDetail, Pipeline, Transition). Times are ISO
// 8601 UTC strings, numbers are JSON numbers (scores rounded to two decimals), absent values are
// null. Each view reads in one transaction, never writes, and is built from the same data (and
// the same helpers) as the CLI's text: ShowLead and LeadDetailJson share GatherLeadProfile.
//
// Thread-safety: every function here may be called from several threads at once, each with its
// own transaction (the Store is shared, a Transaction is not).
//
// Example:
//   store::LeadQuery q;
//   q.stage = "mql";
//   q.limit = 50;
//   LEADQ_TRY(nlohmann::ordered_json page, LeadListJson(ws, q));  // {"total", "items", ...}
//   LEADQ_TRY(nlohmann::ordered_json lead, LeadDetailJson(ws, "L1", now));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "engine/lifecycle.h"
#include "engine/score.h"
#include "model/model.h"
#include "service/scoring.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

// Everything known about one lead as of a moment: what `leadq lead show` prints and
// LeadDetailJson returns, read once.
struct LeadProfile {
  store::LeadState state;
  std::vector<store::Field> fields;          // every key of the workspace, empty values included
  std::optional<store::Handoff> handoff;     // the open one
  std::optional<store::ScoreRecord> stored;  // the last rescore's score
  // The lead bound to the active model as of `as_of` and its explanation; null / nullopt when no
  // model was applied yet.
  std::unique_ptr<Workset> work;
  int64_t model_version = 0;  // the active model's version; 0 when none
  std::optional<engine::LeadExplanation> why;
  model::Model model;  // the active model, or the default one (built-in frameworks and gates)
  std::vector<store::Answer> answers;       // oldest first
  std::vector<engine::AnswerInput> inputs;  // the answers as the engine reads them
  std::vector<store::Transition> history;   // oldest first
};

// Reads one lead's profile in `tx`. NotFound when the lead is unknown; fails on a database error
// or an active model that no longer loads. Not thread-safe (one transaction).
Result<LeadProfile> GatherLeadProfile(Workspace& ws, store::Transaction& tx,
                                      const std::string& lead_id, TimePoint as_of);

// Whether a gate of the model needs framework `key` (a [[lifecycle.gate]] names it, or, with no
// gates, the default accepted -> sql gate on BANT). Thread-safe.
bool FrameworkRequired(const model::Model& model, std::string_view key);

// The reason codes a move to disqualified or lost accepts: the model's [lifecycle] reasons, then
// the reasons of its [[disqualify]] rules (engine::IsKnownReason accepts exactly these).
// Thread-safe.
std::vector<std::string> ReasonCodes(const model::Model& model);

// The contract's Transition: {"seq","lead_id","from","to","at","actor","model_version","reason",
// "note","scores":{...}|null}. Thread-safe.
nlohmann::ordered_json TransitionView(const store::Transition& t);

// A page of leads: {"total","limit","offset","items":[LeadSummary]}. `total` counts every lead
// the filter matches (a COUNT query, not a listing); each LeadSummary carries name (first_name and
// last_name), email and title (job_title) from the lead's fields. Fails on a database error.
Result<nlohmann::ordered_json> LeadListJson(Workspace& ws, const store::LeadQuery& query);

// One lead's LeadDetail as of `as_of`: fields, account, stage, owner and open handoff, the
// stored score and the explanation of the active model (null without a model), every framework
// of the model with its latest answers ("required" when a gate needs it), the history, touches
// and the moves a person may make from the current stage (allowed when the gate is met, else
// blocked_by says what is missing). NotFound when the lead is unknown; fails on a database error.
Result<nlohmann::ordered_json> LeadDetailJson(Workspace& ws, const std::string& lead_id,
                                              TimePoint as_of);

// The owner of the lead's open handoff; "" when it has none. NotFound when the lead is unknown.
// Two primary-key reads: meant for every request of a seller.
Result<std::string> LeadOwnerOf(Workspace& ws, const std::string& lead_id);

// The pipeline as of `as_of`: {"by_stage":{every stage: n}, "funnel":[{"stage","count"}] (lead,
// mql, accepted, sql, opportunity, won: leads that ever reached each, from the transition log),
// "grid":{"fit_grades","intent_grades","counts"} (latest scores per cell, grades in the active
// model's order; scores of grades the model no longer has are left out), "waiting":[LeadSummary]
// (mqls with no open handoff, best score first, at most 100), "as_of"}. Counts come from
// aggregate queries. Fails on a database error.
Result<nlohmann::ordered_json> PipelineJson(Workspace& ws, TimePoint as_of);

// {"workspace","leads","accounts","events","outcomes","scored","model_version" (null when no
// model), "by_stage":{every stage: n}}. Fails on a database error.
Result<nlohmann::ordered_json> StatusJson(Workspace& ws);

// A page of accounts in insertion order (limit 0: all): {"total","limit","offset","items":
// [{"account_id","fields":{k:v}}]}, empty fields left out. Fails on a database error.
Result<nlohmann::ordered_json> AccountListJson(Workspace& ws, size_t limit, size_t offset);

// {"account_id","fields":{k:v},"leads":[LeadSummary]} (its leads by lead_id). NotFound when the
// account is unknown.
Result<nlohmann::ordered_json> AccountJson(Workspace& ws, const std::string& account_id);

// {"active":n|null,"versions":[{"version","hash","author","message","created_at"}]}, newest
// first. Fails on a database error.
Result<nlohmann::ordered_json> ModelHistoryJson(Workspace& ws);

// {"version","hash","author","message","created_at","active","content"} (content: the TOML
// text). NotFound for an unknown version.
Result<nlohmann::ordered_json> ModelVersionJson(Workspace& ws, int64_t version);

// {"from","to","changes":["fit rule ...", ...]}: what changed from version `from` to `to`, in
// words (DiffModels). NotFound for an unknown version; fails when a stored version no longer
// loads.
Result<nlohmann::ordered_json> ModelDiffJson(Workspace& ws, int64_t from, int64_t to);

// Who a lead is, from its fields: first and last name (or `name`), email and job title; empty
// strings for what the lead does not have.
struct LeadContact {
  std::string name, email, title;
};
Result<LeadContact> LeadContactOf(store::Transaction& tx, const std::string& lead_id);

}  // namespace leadq::service
