#include "analytics/predictor.h"

#include <algorithm>

namespace leadq::analytics {

Predictor Predictor::Bind(const LearnedModel& model, std::span<const std::string> column_keys,
                          std::vector<std::string>* absent) {
  std::vector<int> index;
  std::vector<std::string> sources;
  for (const ModelColumn& c : model.columns) {
    auto it = std::find(column_keys.begin(), column_keys.end(), c.key);
    if (it == column_keys.end()) {
      index.push_back(-1);
      if (absent != nullptr) absent->push_back(c.key);
    } else {
      index.push_back(static_cast<int>(it - column_keys.begin()));
    }
    sources.push_back(c.key);
  }
  return Predictor(std::make_shared<const LearnedModel>(model), std::move(index),
                   std::move(sources));
}

double Predictor::Predict(std::span<const std::string_view> row, TimePoint as_of) const {
  return RowProbability(*model_, row, source_index_, as_of);
}

}  // namespace leadq::analytics
