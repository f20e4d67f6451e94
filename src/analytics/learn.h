// Learning a model from a CSV of past leads with a known outcome, and applying a learned model
// to a CSV of leads.
//
// Learning reads the file twice on all cores: the first pass reads the target, infers each
// column's type (numeric, date or categorical) and gathers what the encodings need (clip points,
// means and scales, category counts); the second pass encodes every row with EncodeRow, the
// function prediction uses. Columns that cannot be features are left out and listed with the
// reason: the id column, --drop, id-like columns (every value a distinct whole number, or more
// than half the values of a text column distinct), constant and empty columns.
//
// The method (logistic, gbdt or the better of both by cross-validated AUC) is assessed by
// stratified K-fold cross-validation. On more than `cv_max_rows` rows the cross-validation (the
// penalty's choice and the reported measures) runs on a stratified random subsample of that many
// rows, and the final model is fitted on all rows; the summary says so.
//
// Example:
//   LearnOptions o{.data = "leads.csv", .target = "Converted", .drop = {"Tags"}};
//   LEADQ_TRY(LearnOutcome out, LearnFromCsv(o));
//   std::cout << out.report;
//   LEADQ_TRY(WriteLearnedModel(out.model, "model.json"));
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "analytics/learned_model.h"
#include "core/status.h"
#include "core/time.h"

namespace leadq::analytics {

enum class LearnMethod { kLogistic, kGbdt, kAuto };

struct LearnOptions {
  std::filesystem::path data;
  std::string target;                       // header or key of the outcome column
  std::string id_column;                    // header or key; never a feature
  std::vector<std::string> drop;            // headers or keys left out
  std::vector<std::string> missing_tokens;  // cells that mean "not answered", besides empty
  LearnMethod method = LearnMethod::kAuto;
  int folds = 5;
  uint64_t seed = 1;
  uint64_t cv_max_rows = 100'000;
  int top_features = 10;
};

struct LearnOutcome {
  LearnedModel model;
  std::string report;  // the summary for a person: data, measures, top features, left out
};

// Learns a model. Fails, naming the file and line, when the file cannot be read, a column
// named in the options does not exist, a target value is not one of 1/0, yes/no, true/false,
// won/lost (any case; an empty target skips the row), or there are too few rows or only one
// outcome to learn from. Uses WorkerCount() threads. Deterministic for a seed.
Result<LearnOutcome> LearnFromCsv(const LearnOptions& options);

// Reads a target cell: 1 for 1/yes/true/won, 0 for 0/no/false/lost (trimmed, any case);
// nullopt for an empty cell (bad = false) and for anything else (bad = true).
std::optional<double> ParseTarget(std::string_view cell, bool& bad);

struct PredictOptions {
  std::filesystem::path data;
  std::string id_column;  // header or key; default: the model's id column when the file has it
  std::optional<TimePoint> as_of;  // default: the model's reference time
};

struct PredictOutcome {
  uint64_t rows = 0;
  std::string id_key;               // the id column written ("" when none)
  std::vector<std::string> absent;  // model columns the file lacks (predicted as missing)
};

// Writes "<id key>,probability" (or just "probability" without an id column) and one line per
// row of the file, in order, with the probability to 6 decimals. Fails naming the file when it
// cannot be read or the id column does not exist. Uses WorkerCount() threads.
Result<PredictOutcome> PredictCsv(const LearnedModel& model, const PredictOptions& options,
                                  std::ostream& out);

}  // namespace leadq::analytics
