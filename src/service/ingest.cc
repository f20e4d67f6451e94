#include "service/ingest.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/text.h"
#include "service/explain_render.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"
#include "service/predictive.h"
#include "service/scoring.h"

namespace leadq::service {
namespace {

// How far after `now` an event may be dated: clocks of senders drift, and a time zone written
// wrong moves an event by hours, not days.
constexpr TimePoint kFutureSlack = kMicrosPerDay;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Brings the keys of `fields` to ColumnKey form. Returns why the row cannot be used (a key with
// no letters or digits, a key that is one of `reserved`, two fields with one key), or "".
std::string NormaliseFields(std::vector<store::Field>& fields,
                            std::initializer_list<std::string_view> reserved) {
  std::unordered_set<std::string> seen;
  for (store::Field& f : fields) {
    std::string key = ColumnKey(f.key);
    if (key.empty()) return "field key " + Quoted(f.key) + " has no letters or digits";
    if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      return "field " + Quoted(f.key) + " is not a free-form field; give " + key +
             " as its own member";
    }
    if (!seen.insert(key).second) return "two fields with the key " + Quoted(key);
    f.key = std::move(key);
  }
  return "";
}

// Rescores the leads `lead_ids` (unique) as of `now` with the active model, in `tx`, the way
// Rescore does, and puts what changed in `report` (changes by lead_id, model_version). No active
// model: nothing is scored and model_version stays 0.
Status RescoreTouched(Workspace& ws, ScoringCache& cache, store::Transaction& tx,
                      std::vector<std::string> lead_ids, TimePoint now, IngestReport& report) {
  if (lead_ids.empty()) return Status::Ok();
  LEADQ_TRY(std::shared_ptr<const LoadedModel> loaded, cache.Active(ws, tx));
  if (loaded->version == 0) return Status::Ok();
  report.model_version = loaded->version;
  std::sort(lead_ids.begin(), lead_ids.end());

  std::vector<store::LeadState> states;
  std::unordered_map<std::string, std::string> stage_of;
  std::unordered_map<std::string, double> score_before;
  for (const std::string& id : lead_ids) {
    LEADQ_TRY(std::optional<store::LeadState> state, tx.GetLeadState(id));
    if (!state) continue;
    stage_of[id] = state->stage;
    states.push_back(std::move(*state));
    LEADQ_TRY(std::optional<store::ScoreRecord> stored, tx.GetScore(id));
    if (stored) score_before[id] = stored->score;
  }
  LEADQ_TRY(std::unique_ptr<Workset> work,
            BindStoreLeads(tx, loaded->model, loaded->learned ? &*loaded->learned : nullptr, now,
                           lead_ids));
  ScoreSummary summary = ScoreAll(*work);
  RescoreReport counts;
  LEADQ_TRY(AppliedScores applied,
            ApplyScores(tx, *work, summary.run, loaded->version, std::move(states), counts));

  std::unordered_map<uint32_t, const LeadEffect*> effect_of;
  for (const LeadEffect& e : applied.effects) effect_of[e.row] = &e;
  const size_t first = report.changes.size();
  for (uint32_t row = 0; row < applied.records.size(); ++row) {
    const store::ScoreRecord& rec = applied.records[row];
    LeadChange change;
    change.lead_id = rec.lead_id;
    if (auto it = score_before.find(rec.lead_id); it != score_before.end()) {
      change.score_before = it->second;
    }
    change.score = rec.score;
    change.action = rec.action;
    change.cell = rec.fit_grade + rec.intent_grade;
    change.stage_from = stage_of[rec.lead_id];
    if (auto it = effect_of.find(row); it != effect_of.end()) {
      change.stage_to = it->second->stage_to;
      change.owner = it->second->owner;
      change.due_at = it->second->due_at;
      change.webhooks_queued = it->second->webhooks_queued;
    }
    report.changes.push_back(std::move(change));
  }
  std::sort(report.changes.begin() + static_cast<std::ptrdiff_t>(first), report.changes.end(),
            [](const LeadChange& a, const LeadChange& b) { return a.lead_id < b.lead_id; });
  return Status::Ok();
}

// Leads to rescore, each once, in the order first touched.
class TouchedLeads {
 public:
  void Add(const std::string& lead_id) {
    if (seen_.insert(lead_id).second) ids_.push_back(lead_id);
  }
  std::vector<std::string> Take() { return std::move(ids_); }

 private:
  std::vector<std::string> ids_;
  std::unordered_set<std::string> seen_;
};

// Counts one upserted row (lead or account) into the report; true when it was new or changed.
bool CountUpsert(const store::WriteStats& stats, IngestReport& report) {
  ++report.accepted;
  report.inserted += stats.inserted;
  report.updated += stats.updated;
  report.unchanged += stats.unchanged;
  return stats.inserted + stats.updated > 0;
}

nlohmann::ordered_json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

}  // namespace

Result<std::shared_ptr<const LoadedModel>> ScoringCache::Active(Workspace& ws,
                                                                store::Transaction& tx) {
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx.ActiveModel());
  const int64_t version = active ? active->version : 0;
  const std::string workspace = ws.dir.string();
  std::lock_guard<std::mutex> lock(mutex_);
  if (loaded_ != nullptr && loaded_->version == version && workspace_ == workspace) {
    return loaded_;
  }
  auto fresh = std::make_shared<LoadedModel>();
  fresh->version = version;
  if (active) {
    LEADQ_TRY(fresh->model, LoadModelVersion(ws, *active));
    LEADQ_TRY(fresh->learned, LoadPredictive(fresh->model));
  }
  loaded_ = std::move(fresh);
  workspace_ = workspace;
  return loaded_;
}

namespace {

// Validates one posted list of events and stores its usable rows in `tx`; counts and rejections
// go to `report`, the leads that got a new event to `touched`.
Status StoreEventBatch(store::Transaction& tx, std::vector<store::EventRow>& events, TimePoint now,
                       IngestReport& report, TouchedLeads& touched) {
  // Validation: every row is checked before anything is written.
  std::unordered_map<std::string, bool> known;          // lead_id -> in the workspace
  std::unordered_map<std::string, size_t> event_owner;  // event_id -> index of its first event
  std::vector<size_t> usable;
  usable.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    store::EventRow& e = events[i];
    auto reject = [&](std::string message) { report.rejected.push_back({i, std::move(message)}); };
    e.lead_id = std::string(Trim(e.lead_id));
    e.event_id = std::string(Trim(e.event_id));
    e.type = std::string(Trim(e.type));
    if (e.lead_id.empty()) {
      reject("no lead_id");
      continue;
    }
    if (e.type.empty()) {
      reject("no type");
      continue;
    }
    if (e.occurred_at > now + kFutureSlack) {
      reject("occurred_at " + FormatTimestamp(e.occurred_at) + " is more than a day after now (" +
             FormatTimestamp(now) + ")");
      continue;
    }
    auto [it, added] = known.try_emplace(e.lead_id, false);
    if (added) {
      LEADQ_TRY(std::optional<store::LeadState> state, tx.GetLeadState(e.lead_id));
      it->second = state.has_value();
    }
    if (!it->second) {
      reject("lead_id " + Quoted(e.lead_id) + " is not in the workspace (post the lead first)");
      continue;
    }
    std::string bad = NormaliseFields(e.props, {"event_id", "lead_id", "type", "occurred_at"});
    if (!bad.empty()) {
      reject(std::move(bad));
      continue;
    }
    if (!e.event_id.empty()) {
      auto [first, added] = event_owner.try_emplace(e.event_id, i);
      if (!added && events[first->second].lead_id != e.lead_id) {
        reject("event_id " + Quoted(e.event_id) + " is given to lead " +
               Quoted(events[first->second].lead_id) + " at index " +
               std::to_string(first->second) + " too");
        continue;
      }
    }
    usable.push_back(i);
  }

  // Stored with one call per lead (its events in the posted order), so that the store tells
  // which leads got a new event: a lead whose events were all duplicates is not rescored, and
  // nothing changes. The store dedups across leads by event_id; an event_id the batch gives to
  // two leads was rejected above, so grouping does not change which of them is stored.
  std::unordered_map<std::string_view, size_t> group_of;  // lead_id -> index in `groups`
  std::vector<std::vector<size_t>> groups;
  for (size_t i : usable) {
    auto [it, added] = group_of.try_emplace(events[i].lead_id, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::vector<store::EventRow> of_lead;
  for (const std::vector<size_t>& group : groups) {
    of_lead.clear();
    for (size_t i : group) of_lead.push_back(std::move(events[i]));
    store::WriteStats stats;
    LEADQ_TRY(tx.InsertEvents(of_lead, stats));
    report.accepted += stats.inserted;
    report.inserted += stats.inserted;
    report.duplicates += stats.duplicates;
    if (stats.inserted > 0) touched.Add(of_lead.front().lead_id);
  }
  return Status::Ok();
}

}  // namespace

Result<IngestReport> IngestEvents(Workspace& ws, ScoringCache& cache,
                                  std::vector<store::EventRow> events, TimePoint now,
                                  const std::string& actor) {
  std::vector<EventBatch> one(1);
  one[0].events = std::move(events);
  one[0].actor = actor;
  LEADQ_TRY(std::vector<IngestReport> reports, IngestEventBatches(ws, cache, std::move(one), now));
  return std::move(reports.front());
}

Result<std::vector<IngestReport>> IngestEventBatches(Workspace& ws, ScoringCache& cache,
                                                     std::vector<EventBatch> batches,
                                                     TimePoint now) {
  std::vector<IngestReport> reports(batches.size());
  if (batches.empty()) return reports;
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  // Each batch is validated and stored in turn, so that its counts and rejections are its own
  // (an event an earlier batch of the group stored is a duplicate of this one).
  std::vector<std::vector<std::string>> touched_by(batches.size());
  TouchedLeads all;
  for (size_t b = 0; b < batches.size(); ++b) {
    TouchedLeads touched;
    LEADQ_TRY(StoreEventBatch(*tx, batches[b].events, now, reports[b], touched));
    touched_by[b] = touched.Take();
    for (const std::string& id : touched_by[b]) all.Add(id);
  }
  // One rescore for the group; each batch's report tells the changes of the leads it touched.
  IngestReport scored;
  LEADQ_TRY(RescoreTouched(ws, cache, *tx, all.Take(), now, scored));
  LEADQ_TRY(tx->Commit());
  if (batches.size() == 1) {
    reports[0].changes = std::move(scored.changes);
    reports[0].model_version = scored.model_version;
    return reports;
  }
  std::unordered_map<std::string_view, const LeadChange*> change_of;
  for (const LeadChange& c : scored.changes) change_of.emplace(c.lead_id, &c);
  for (size_t b = 0; b < batches.size(); ++b) {
    reports[b].model_version = scored.model_version;
    for (const std::string& id : touched_by[b]) {
      auto it = change_of.find(id);
      if (it != change_of.end()) reports[b].changes.push_back(*it->second);
    }
    std::sort(reports[b].changes.begin(), reports[b].changes.end(),
              [](const LeadChange& x, const LeadChange& y) { return x.lead_id < y.lead_id; });
  }
  return reports;
}

Result<IngestReport> EventCommitter::Ingest(std::vector<store::EventRow> events,
                                            const std::string& actor, TimePoint now) {
  Pending me;
  me.batch.events = std::move(events);
  me.batch.actor = actor;
  me.now = now;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.result) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    // Write a group: the callers waiting, in order, while they fit.
    writing_ = true;
    std::vector<Pending*> group;
    size_t count = 0;
    while (!queue_.empty() &&
           (group.empty() || count + queue_.front()->batch.events.size() <= max_events_)) {
      count += queue_.front()->batch.events.size();
      group.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<EventBatch> batches;
    batches.reserve(group.size());
    TimePoint group_now = 0;
    for (Pending* p : group) {
      batches.push_back(std::move(p->batch));
      group_now = std::max(group_now, p->now);
    }
    Result<std::vector<IngestReport>> reports =
        IngestEventBatches(ws_, cache_, std::move(batches), group_now);
    lock.lock();
    for (size_t i = 0; i < group.size(); ++i) {
      group[i]->result = reports.ok() ? Result<IngestReport>(std::move((*reports)[i]))
                                      : Result<IngestReport>(reports.status());
    }
    writing_ = false;
    written_.notify_all();
  }
  return std::move(*me.result);
}

Result<IngestReport> IngestLeads(Workspace& ws, ScoringCache& cache,
                                 std::vector<store::LeadRow> leads, TimePoint now,
                                 const std::string& actor) {
  IngestReport report;
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  TouchedLeads touched;
  for (size_t i = 0; i < leads.size(); ++i) {
    store::LeadRow& row = leads[i];
    row.lead_id = std::string(Trim(row.lead_id));
    if (row.lead_id.empty()) {
      report.rejected.push_back({i, "no lead_id"});
      continue;
    }
    if (row.account_id) {
      row.account_id = std::string(Trim(*row.account_id));
      if (row.account_id->empty()) row.account_id.reset();
    }
    std::string bad = NormaliseFields(row.fields, {"lead_id", "account_id"});
    if (!bad.empty()) {
      report.rejected.push_back({i, std::move(bad)});
      continue;
    }
    // One call per row: the store's counts then say whether this lead changed.
    store::WriteStats stats;
    LEADQ_TRY(tx->UpsertLeads(std::span<const store::LeadRow>(&row, 1), now, actor, stats));
    if (CountUpsert(stats, report)) touched.Add(row.lead_id);
  }
  LEADQ_TRY(RescoreTouched(ws, cache, *tx, touched.Take(), now, report));
  LEADQ_TRY(tx->Commit());
  return report;
}

Result<IngestReport> IngestAccounts(Workspace& ws, ScoringCache& cache,
                                    std::vector<store::AccountRow> accounts, TimePoint now,
                                    const std::string& actor) {
  (void)actor;  // accounts carry no author; the API's audit trail records who posted
  IngestReport report;
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  TouchedLeads touched;
  for (size_t i = 0; i < accounts.size(); ++i) {
    store::AccountRow& row = accounts[i];
    row.account_id = std::string(Trim(row.account_id));
    if (row.account_id.empty()) {
      report.rejected.push_back({i, "no account_id"});
      continue;
    }
    std::string bad = NormaliseFields(row.fields, {"account_id"});
    if (!bad.empty()) {
      report.rejected.push_back({i, std::move(bad)});
      continue;
    }
    store::WriteStats stats;
    LEADQ_TRY(tx->UpsertAccounts(std::span<const store::AccountRow>(&row, 1), now, stats));
    if (!CountUpsert(stats, report)) continue;
    store::LeadQuery of_account;
    of_account.account_id = row.account_id;
    of_account.sort = store::LeadQuery::Sort::kLeadId;
    LEADQ_TRY(std::vector<store::LeadSummary> leads, tx->ListLeads(of_account));
    for (const store::LeadSummary& l : leads) touched.Add(l.lead_id);
  }
  LEADQ_TRY(RescoreTouched(ws, cache, *tx, touched.Take(), now, report));
  LEADQ_TRY(tx->Commit());
  return report;
}

nlohmann::ordered_json IngestReportJson(const IngestReport& report) {
  using Json = nlohmann::ordered_json;
  Json rejected = Json::array();
  for (const IngestRejection& r : report.rejected) {
    rejected.push_back({{"index", r.index}, {"message", r.message}});
  }
  Json changes = Json::array();
  for (const LeadChange& c : report.changes) {
    changes.push_back({{"lead_id", c.lead_id},
                       {"score_before", c.score_before ? Fixed2(*c.score_before) : Json(nullptr)},
                       {"score", Fixed2(c.score)},
                       {"action", c.action},
                       {"cell", c.cell},
                       {"stage_from", c.stage_from},
                       {"stage_to", OrNull(c.stage_to)},
                       {"owner", OrNull(c.owner)},
                       {"due_at", c.due_at ? Json(FormatTimestamp(*c.due_at)) : Json(nullptr)},
                       {"webhooks_queued", c.webhooks_queued}});
  }
  return {{"accepted", report.accepted},   {"duplicates", report.duplicates},
          {"inserted", report.inserted},   {"updated", report.updated},
          {"unchanged", report.unchanged}, {"model_version", report.model_version},
          {"rejected", rejected},          {"changes", changes}};
}

}  // namespace leadq::service
