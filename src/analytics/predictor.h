// Predictor: a learned model bound to the columns of a table, giving the probability of the
// positive outcome for one row of raw cells.
//
// Binding happens once per table (by column key, core/text.h ColumnKey form); prediction is
// then a pure function of the row's cells and `as_of`, safe to call from many threads at once.
// A source column the model reads that the table lacks is encoded as missing in every row.
//
// Example:
//   LEADQ_TRY(LearnedModel model, ReadLearnedModel("model.json"));
//   std::vector<std::string> absent;
//   Predictor predictor = Predictor::Bind(model, file_keys, &absent);
//   for (const auto& row : rows) out.push_back(predictor.Predict(row, predictor.ReferenceTime()));
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/learned_model.h"
#include "core/time.h"

namespace leadq::analytics {

class Predictor {
 public:
  // Binds `model` (copied) to a table whose columns have these keys. The keys of the source
  // columns the model reads that are not among them are appended to `absent` (when not null).
  static Predictor Bind(const LearnedModel& model, std::span<const std::string> column_keys,
                        std::vector<std::string>* absent);

  // Keys of the columns the model reads, in the model's order.
  const std::vector<std::string>& SourceColumns() const { return source_columns_; }

  // The probability (0..1) for one row: its raw cells in column_keys order (a shorter row
  // reads its missing cells as empty). Date ages are measured at `as_of`. Thread-safe.
  double Predict(std::span<const std::string_view> row, TimePoint as_of) const;

  // The time learning measured date ages at (the latest date in the training data); the
  // natural default for `as_of`. has_reference_time() is false when the model has no date.
  TimePoint ReferenceTime() const { return model_->reference_time; }
  bool has_reference_time() const { return model_->has_reference_time; }

  const LearnedModel& model() const { return *model_; }

 private:
  Predictor(std::shared_ptr<const LearnedModel> model, std::vector<int> source_index,
            std::vector<std::string> source_columns)
      : model_(std::move(model)),
        source_index_(std::move(source_index)),
        source_columns_(std::move(source_columns)) {}

  std::shared_ptr<const LearnedModel> model_;  // shared by copies of the predictor, immutable
  std::vector<int> source_index_;              // per model column: position in the row, or -1
  std::vector<std::string> source_columns_;
};

}  // namespace leadq::analytics
