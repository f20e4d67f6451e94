#include "service/scoring.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/parallel.h"
#include "core/text.h"
#include "service/explain_render.h"
#include "service/predictive.h"

namespace leadq::service {
namespace {

Result<CsvFile> OpenInput(const std::filesystem::path& path, std::string_view role,
                          std::vector<std::string>& notes) {
  Result<CsvFile> file = CsvFile::Open(path);
  if (!file.ok()) return file.status().WithPrefix(std::string(role) + " file");
  if (file->header_only()) {
    notes.push_back(file->name() + ": the file has a header but no rows");
  }
  return file;
}

void NoteMissingColumns(const std::vector<std::string>& keys, std::string_view source,
                        const CsvFile* file, std::string_view role,
                        std::vector<std::string>& notes) {
  for (const std::string& key : keys) {
    std::string column = key;
    if (source == "lead" && key == "email_domain") column = "email";
    if (file == nullptr) {
      notes.push_back("the model reads " + std::string(source) + "." + key + " but no " +
                      std::string(role) + " file was given: it is missing for every lead");
    } else if (file->FindColumn(column) < 0) {
      notes.push_back("the model reads " + std::string(source) + "." + key + " but " +
                      file->name() + " has no " + column + " column: it is missing for every " +
                      (source == "event" ? "event" : "lead"));
    }
  }
}

void FormatCsvRows(const Workset& work, const engine::ScoreRun& run, size_t begin, size_t end,
                   std::string& out) {
  const engine::CompiledModel& m = work.compiled;
  out.reserve((end - begin) * 64);
  for (size_t i = begin; i < end; ++i) {
    const engine::LeadScore& s = run.leads[i];
    AppendCsvField(out, work.data.leads.ids[i]);
    out.push_back(',');
    AppendFixed2(out, s.fit);
    out.push_back(',');
    AppendFixed2(out, s.intent);
    out.push_back(',');
    AppendFixed2(out, s.negative);
    out.push_back(',');
    AppendFixed2(out, s.score);
    out.push_back(',');
    if (s.fit_grade >= 0) AppendCsvField(out, m.model->fit_grades[s.fit_grade].name);
    out.push_back(',');
    if (s.intent_grade >= 0) AppendCsvField(out, m.model->intent_grades[s.intent_grade].name);
    out.push_back(',');
    AppendCsvField(out, m.actions[s.action]);
    out.push_back(',');
    if (s.disqualify >= 0) AppendCsvField(out, m.model->disqualify[s.disqualify].reason);
    out.push_back('\n');
  }
}

}  // namespace

Result<std::unique_ptr<Workset>> LoadWorkset(const ScoreRequest& request, Progress& progress) {
  auto work = std::make_unique<Workset>();
  std::optional<TimePoint> as_of = ParseTimestamp(request.as_of);
  if (!as_of) {
    return Status::Invalid("--as-of \"" + request.as_of +
                           "\" is not an ISO 8601 time (for example 2026-03-01 or "
                           "2026-03-01T14:05:00Z)");
  }
  work->as_of = *as_of;
  LEADQ_TRY(work->model, model::LoadModel(request.model));

  std::vector<std::string>& notes = work->notes;
  LEADQ_TRY(CsvFile leads, OpenInput(request.leads, "leads", notes));
  std::optional<CsvFile> accounts;
  std::optional<CsvFile> events;
  if (request.accounts) {
    LEADQ_TRY(accounts, OpenInput(*request.accounts, "accounts", notes));
  }
  if (request.events) {
    LEADQ_TRY(events, OpenInput(*request.events, "events", notes));
  }

  engine::DataNeeds needs = engine::NeedsOf(work->model);
  needs.event_ids = request.keep_event_ids;
  LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(work->model));
  std::vector<std::string> lead_keys = needs.lead_fields;
  if (work->model.predictive) {
    std::erase(lead_keys, work->model.predictive->field);  // computed, not read
  }
  NoteMissingColumns(lead_keys, "lead", &leads, "leads", notes);
  if (learned) AddPredictiveNeeds(*learned, needs);
  NoteMissingColumns(needs.account_fields, "account", accounts ? &*accounts : nullptr, "accounts",
                     notes);
  if (!needs.event_props.empty()) {
    NoteMissingColumns(needs.event_props, "event", events ? &*events : nullptr, "events", notes);
  }
  if (std::find(needs.lead_fields.begin(), needs.lead_fields.end(), "email_domain") !=
          needs.lead_fields.end() &&
      leads.FindColumn("email_domain") >= 0) {
    notes.push_back(leads.name() +
                    ": lead.email_domain is derived from the email column (MODEL.md); the file's "
                    "own email_domain column is not used");
  }
  if (!work->model.intent.entries.empty() && !events) {
    notes.push_back("the model has intent entries but no events file was given: intent is 0");
  }

  progress.Begin("reading");
  LEADQ_TRY(work->data, engine::LoadDataset(leads, accounts ? &*accounts : nullptr,
                                            events ? &*events : nullptr, needs, work->issues));
  progress.End(work->data.leads.size() + work->data.accounts.size() + work->data.events.size() +
                   work->data.events.duplicates,
               "rows read");
  if (work->data.leads_with_unknown_account > 0) {
    notes.push_back(GroupThousands(work->data.leads_with_unknown_account) +
                    " leads name an account_id that is not in " + accounts->name() +
                    ": their account fields are missing");
  }
  if (work->data.events.duplicates > 0) {
    notes.push_back(GroupThousands(work->data.events.duplicates) +
                    " events repeat an earlier event_id and count once (the first)");
  }
  if (learned) AttachPredictions(work->model, *learned, work->data, work->as_of, notes);
  work->compiled = engine::CompileModel(work->model, work->data);
  return work;
}

ScoreSummary ScoreAll(const Workset& work) {
  ScoreSummary summary;
  summary.run = engine::ScoreLeads(work.compiled, work.data, work.as_of);
  summary.by_action.assign(work.compiled.actions.size(), 0);
  for (const engine::LeadScore& s : summary.run.leads) ++summary.by_action[s.action];
  return summary;
}

Status WriteOutput(const std::filesystem::path& path, std::string_view text) {
  if (path.empty()) {
    size_t written = std::fwrite(text.data(), 1, text.size(), stdout);
    if (written != text.size() || std::fflush(stdout) != 0) {
      return Status::IoError(std::string("cannot write to standard output: ") +
                             std::strerror(errno));
    }
    return Status::Ok();
  }
  // A temporary name of its own (process and a counter): threads of a server may write the
  // same file at once, and each reader sees one whole version of it.
  static std::atomic<uint64_t> serial{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(serial.fetch_add(1));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IoError(path.string() + ": cannot create: " + std::strerror(errno));
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.flush();
    if (!f) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return Status::IoError(path.string() + ": cannot write: " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::IoError(path.string() + ": cannot write: " + ec.message());
  }
  return Status::Ok();
}

Result<ScoreSummary> WriteScores(const Workset& work, ScoreFormat format,
                                 const std::filesystem::path& out, Progress& progress) {
  progress.Begin("scoring");
  ScoreSummary summary = ScoreAll(work);
  progress.End(work.data.events.size(), "events scored");

  progress.Begin("writing");
  const size_t n = work.data.leads.size();
  std::string text;
  if (format == ScoreFormat::kCsv) {
    text = "lead_id,fit,intent,negative,score,fit_grade,intent_grade,action,reason\n";
    std::vector<std::string> parts(WorkerCount());
    ParallelFor(
        n, [&](size_t b, size_t e, size_t p) { FormatCsvRows(work, summary.run, b, e, parts[p]); },
        parts.size());
    size_t size = text.size();
    for (const std::string& p : parts) size += p.size();
    text.reserve(size);
    for (const std::string& p : parts) text += p;
  } else {
    nlohmann::ordered_json doc;
    doc["as_of"] = FormatTimestamp(work.as_of);
    doc["model"] = {{"path", work.model.path.string()}, {"name", work.model.name}};
    text = doc.dump(2);
    text.resize(text.size() - 2);  // "\n}": the leads array is streamed below
    text += ",\n  \"leads\": [";
    std::vector<std::string> parts(WorkerCount());
    ParallelFor(
        n,
        [&](size_t b, size_t e, size_t p) {
          for (size_t i = b; i < e; ++i) {
            engine::LeadExplanation why =
                engine::ExplainLead(work.compiled, work.data, work.as_of, static_cast<uint32_t>(i));
            parts[p] += (i == 0 ? "\n    " : ",\n    ");
            parts[p] += ExplanationJson(work, why).dump();
          }
        },
        parts.size());
    for (const std::string& p : parts) text += p;
    text += "\n  ]\n}\n";
  }
  LEADQ_TRY(WriteOutput(out, text));
  progress.End(n, "leads written");
  return summary;
}

std::string SummaryLine(const Workset& work, const ScoreSummary& summary) {
  std::string line = GroupThousands(work.data.leads.size()) + " leads scored";
  std::string actions;
  for (size_t a = 0; a < summary.by_action.size(); ++a) {
    if (summary.by_action[a] == 0) continue;
    actions += (actions.empty() ? ": " : ", ") + work.compiled.actions[a] + " " +
               GroupThousands(summary.by_action[a]);
  }
  line += actions;
  if (work.data.has_events) {
    line += "; " + GroupThousands(summary.run.events_counted) + " events counted";
  }
  if (summary.run.events_after_as_of > 0) {
    line += "; warning: " + GroupThousands(summary.run.events_after_as_of) +
            " events after as-of " + FormatTimestamp(work.as_of) + " ignored";
  }
  return line;
}

}  // namespace leadq::service
