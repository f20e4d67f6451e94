#include "service/predictive.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "analytics/predictor.h"
#include "core/parallel.h"
#include "core/text.h"

namespace leadq::service {
namespace {

std::string At(const model::Model& m, model::SourcePos pos) {
  return m.path.string() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

}  // namespace

Result<std::optional<analytics::LearnedModel>> LoadPredictive(const model::Model& model) {
  if (!model.predictive) return std::optional<analytics::LearnedModel>();
  const model::PredictiveSection& p = *model.predictive;
  Result<analytics::LearnedModel> learned = analytics::ParseLearnedModel(p.content, p.file);
  if (!learned.ok()) {
    return Status::Invalid(At(model, p.file_pos) +
                           ": [predictive] model: " + learned.status().message());
  }
  return std::optional<analytics::LearnedModel>(std::move(*learned));
}

void AddPredictiveNeeds(const analytics::LearnedModel& learned, engine::DataNeeds& needs) {
  for (const analytics::ModelColumn& c : learned.columns) {
    if (std::find(needs.lead_fields.begin(), needs.lead_fields.end(), c.key) ==
        needs.lead_fields.end()) {
      needs.lead_fields.push_back(c.key);
    }
  }
}

void AttachPredictions(const model::Model& model, const analytics::LearnedModel& learned,
                       engine::Dataset& data, TimePoint as_of, std::vector<std::string>& notes) {
  const model::PredictiveSection& p = *model.predictive;
  engine::ColumnSet& columns = data.leads.fields;
  const int target = columns.IndexOf(p.field);
  if (target < 0) return;  // no condition reads it
  std::vector<std::string> keys;
  for (const engine::Column& c : columns.columns) keys.push_back(c.key);
  std::vector<std::string> absent;
  analytics::Predictor predictor = analytics::Predictor::Bind(learned, keys, &absent);
  for (const std::string& key : predictor.SourceColumns()) {
    const engine::Column* c = columns.Find(key);
    if (c != nullptr && !c->in_file) absent.push_back(key);
  }
  if (!absent.empty()) {
    notes.push_back("the predictive model " + p.written + " reads " + JoinStrings(absent) +
                    ", which the leads do not have: predicted as missing");
  }
  if (columns.columns[static_cast<size_t>(target)].in_file) {
    notes.push_back("lead." + p.field + " is the predictive model's probability; the leads' own " +
                    p.field + " column is not used");
  }

  const size_t n = data.leads.size();
  std::vector<double> probability(n);
  ParallelFor(n, [&](size_t begin, size_t end, size_t) {
    std::vector<std::string_view> row(columns.columns.size());
    for (size_t i = begin; i < end; ++i) {
      for (size_t c = 0; c < row.size(); ++c) row[c] = columns.columns[c].Value(i);
      probability[i] = predictor.Predict(row, as_of);
    }
  });

  engine::Column out;
  out.key = p.field;
  out.in_file = true;
  out.codes.resize(n);
  std::unordered_map<std::string, uint32_t> code_of;
  char text[32];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(text, sizeof text, "%.6f", probability[i]);
    auto [it, added] = code_of.try_emplace(text, static_cast<uint32_t>(out.values.size()));
    if (added) out.values.emplace_back(text);
    out.codes[i] = it->second;
  }
  columns.columns[static_cast<size_t>(target)] = std::move(out);
}

std::string DescribePredictive(const model::Model& model, const analytics::LearnedModel& learned) {
  const model::PredictiveSection& p = *model.predictive;
  const analytics::TrainingSummary& s = learned.summary;
  std::string method = learned.method == analytics::LearnedMethod::kLogistic ? "logistic" : "gbdt";
  return "lead." + p.field + " from " + p.written + ": " + method + ", " +
         std::to_string(learned.features.size()) + " features from " +
         std::to_string(learned.columns.size()) + " columns, learned on " + GroupThousands(s.rows) +
         " rows of " + s.data_file + " (target " + s.target + "), cross-validated AUC " +
         FormatFixed2(s.auc);
}

}  // namespace leadq::service
