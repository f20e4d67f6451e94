// The scoring use cases: read a model and CSV files, bind them, score, and write the result
// (`leadq score`), or explain chosen leads (`leadq explain`).
//
// Row-level problems never stop a run: they are collected in the Workset's RowIssues and the
// caller prints them. A bad model, a missing or unreadable file or a missing required column
// fail the whole run before anything is written.
//
// Example:
//   ScoreRequest request{.model = "m.toml", .leads = "leads.csv", .as_of = "2026-03-01"};
//   LEADQ_TRY(std::unique_ptr<Workset> work, LoadWorkset(request, progress));
//   LEADQ_TRY(ScoreSummary summary, WriteScores(*work, ScoreFormat::kCsv, "out.csv", progress));
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/row_issues.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/dataset.h"
#include "engine/score.h"
#include "model/model.h"
#include "service/progress.h"

namespace leadq::service {

struct ScoreRequest {
  std::filesystem::path model;
  std::filesystem::path leads;
  std::optional<std::filesystem::path> accounts;
  std::optional<std::filesystem::path> events;
  std::string as_of;            // ISO 8601
  bool keep_event_ids = false;  // for explanations
};

// Everything read and bound, ready to score. Not movable: the compiled model points into the
// model and the data set.
struct Workset {
  model::Model model;
  TimePoint as_of = 0;
  engine::Dataset data;
  engine::CompiledModel compiled;
  RowIssues issues;                // row-level problems of the input files
  std::vector<std::string> notes;  // warnings about the inputs as a whole

  Workset() = default;
  Workset(const Workset&) = delete;
  Workset& operator=(const Workset&) = delete;
};

// Reads and binds. Fails on a bad model (every error, with positions), a bad --as-of, a file
// that is missing, a directory, empty or not UTF-8, or a missing required column.
Result<std::unique_ptr<Workset>> LoadWorkset(const ScoreRequest& request, Progress& progress);

enum class ScoreFormat { kCsv, kJson };

struct ScoreSummary {
  engine::ScoreRun run;
  std::vector<uint64_t> by_action;  // count of leads per CompiledModel::actions entry
};

// Scores every lead and writes the result to `out` (a file, written whole or not at all) or to
// standard output when `out` is empty.
Result<ScoreSummary> WriteScores(const Workset& work, ScoreFormat format,
                                 const std::filesystem::path& out, Progress& progress);

// Scores every lead (no output).
ScoreSummary ScoreAll(const Workset& work);

// One line for standard error: "1,000 leads scored: mql 40, nurture 120, ...; 3 events after
// as-of ignored".
std::string SummaryLine(const Workset& work, const ScoreSummary& summary);

// Writes text to a file atomically (a temporary beside it, then renamed), or to standard output
// when `path` is empty.
Status WriteOutput(const std::filesystem::path& path, std::string_view text);

}  // namespace leadq::service
