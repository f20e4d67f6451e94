// A learned model: which source columns it reads, how each becomes features (the encoding),
// the fitted parameters (logistic regression or boosted trees) and the training summary; its
// JSON file form; and the encoding of one row of raw cells into the feature vector, shared by
// learning and prediction so that both see exactly the same numbers.
//
// Encodings, per source column:
//   numeric      value clipped to [clip_low, clip_high], then (value - mean) / scale;
//                a missing value becomes 0 (the mean) and sets the "(missing)" indicator.
//   categorical  one indicator per kept level (exact text, trimmed); values seen rarely in
//                training, or never, set the "(other)" indicator; missing sets "(missing)".
//   date         age in days at `as_of`, encoded as a numeric; and one indicator per month of
//                the year seen in training ("month=03"); missing sets "(missing)".
// A cell is missing when it is empty after trimming or equals (ignoring case) one of the
// model's missing tokens.
//
// Example:
//   LEADQ_TRY(LearnedModel model, ReadLearnedModel("model.json"));
//   std::vector<double> features(model.features.size());
//   EncodeRow(model, cells, source_index, as_of, features);
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace leadq::analytics {

enum class ColumnKind { kNumeric, kCategorical, kDate };

struct ModelColumn {
  std::string key;     // ColumnKey of the source header
  std::string header;  // as written in the training file
  ColumnKind kind = ColumnKind::kNumeric;
  // numeric, and a date's age in days
  double clip_low = 0, clip_high = 0, mean = 0, scale = 1;
  // categorical: the kept levels, in feature order; date: the months seen, "01".."12"
  std::vector<std::string> levels;
  bool has_other = false;    // categorical: an "(other)" indicator follows the levels
  bool has_missing = false;  // a "(missing)" indicator ends the column's features
  size_t first_feature = 0;  // index of the column's first feature
  size_t feature_count = 0;

  bool operator==(const ModelColumn&) const = default;
};

// One regression tree of a boosted ensemble, as parallel arrays over nodes (node 0 is the
// root). At a split node, a row goes left when its feature value is below `threshold` (compared
// in single precision, as XGBoost does); a leaf (left == -1) adds `value` to the margin.
struct Tree {
  std::vector<int32_t> left, right, feature;
  std::vector<float> threshold, value;

  bool operator==(const Tree&) const = default;
};

struct TopFeature {
  std::string name;
  double effect = 0;  // logistic: change in log-odds per SD (numeric) or for the level
                      // (indicator); gbdt: share of the total gain, signed by the direction
  std::string note;   // readable: "odds x2.31 per SD", "18.2% of gain, raises"

  bool operator==(const TopFeature&) const = default;
};

struct IgnoredColumn {
  std::string key;
  std::string reason;  // "the id column", "--drop", "id-like: every value distinct", ...

  bool operator==(const IgnoredColumn&) const = default;
};

// What learning found: data, cross-validation and the top features.
struct TrainingSummary {
  std::string data_file;
  std::string target;
  uint64_t rows = 0;  // rows with a target, used
  uint64_t positives = 0;
  uint64_t skipped_no_target = 0;
  int folds = 0;
  uint64_t seed = 0;
  uint64_t cv_rows = 0;  // rows the cross-validation used (all, or a subsample)
  std::string cv_note;   // how the rows and the penalty were chosen, for a person
  double auc = 0, auc_low = 0, auc_high = 0, log_loss = 0, brier = 0;  // cross-validated
  double logistic_auc = -1, gbdt_auc = -1;  // each method's CV AUC when it was tried
  double l2 = 0;                            // logistic: the chosen penalty
  int rounds = 0;                           // gbdt: boosting rounds
  std::vector<TopFeature> top_features;
  std::vector<IgnoredColumn> ignored;

  bool operator==(const TrainingSummary&) const = default;
};

enum class LearnedMethod { kLogistic, kGbdt };

struct LearnedModel {
  LearnedMethod method = LearnedMethod::kLogistic;
  std::string target;     // key of the target column
  std::string id_column;  // key of the id column given at learning ("" when none)
  std::vector<std::string> missing_tokens;
  TimePoint reference_time = 0;  // default as_of for date ages: the latest date in training
  bool has_reference_time = false;
  std::vector<ModelColumn> columns;
  std::vector<std::string> features;  // names, in encoding order
  // logistic
  std::vector<double> coef;  // one per feature
  double intercept = 0;
  // gbdt
  double base_margin = 0;
  std::vector<Tree> trees;
  TrainingSummary summary;

  bool operator==(const LearnedModel&) const = default;
};

// Reads a model file. Fails, naming the file and what is wrong, when it cannot be read, is not
// JSON, is not a leadq learned model, or is inconsistent (a coefficient count that does not
// match the features, a tree that points outside itself, ...).
Result<LearnedModel> ReadLearnedModel(const std::filesystem::path& path);

// The model as JSON text (what WriteLearnedModel writes).
std::string LearnedModelToJson(const LearnedModel& model);
// Parses JSON text; `name` is used in messages.
Result<LearnedModel> ParseLearnedModel(std::string_view json, const std::string& name);
// Writes the model file; fails with the path when it cannot be written.
Status WriteLearnedModel(const LearnedModel& model, const std::filesystem::path& path);

// True when the trimmed cell is empty or one of the tokens (ignoring case).
bool IsMissingCell(std::string_view cell, std::span<const std::string> tokens);

// Writes the model's features for one row into `out` (size model.features.size()). `row` holds
// raw cells; source_index[c] is the position in `row` of model.columns[c], or -1 when the
// column is absent (encoded as missing). A date's age is measured at `as_of`. Thread-safe.
void EncodeRow(const LearnedModel& model, std::span<const std::string_view> row,
               std::span<const int> source_index, TimePoint as_of, std::span<double> out);

// The month of the year ("01".."12") of a time, for date features.
std::string MonthOf(TimePoint t);

// The margin (log-odds) of boosted trees for one encoded row: base + the sum of leaf values.
double TreesMargin(std::span<const Tree> trees, double base_margin, std::span<const double> row);

// The model's margin (log-odds) for an encoded row, and its probability.
double Margin(const LearnedModel& model, std::span<const double> features);
double Probability(const LearnedModel& model, std::span<const double> features);
// Probability(model, features) after EncodeRow(model, row, ...), bit for bit, without the
// feature vector for a logistic model (coefficient x value is summed as each feature is found,
// in the same order as the dot product). Thread-safe.
double RowProbability(const LearnedModel& model, std::span<const std::string_view> row,
                      std::span<const int> source_index, TimePoint as_of);

}  // namespace leadq::analytics
