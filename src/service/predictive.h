// The model's [predictive] section applied to a data set: the learned model (analytics/) scores
// every lead, and its probability becomes the lead field the section names (lead.p_convert by
// default), before the qualification model is compiled, so that any condition can use it.
// Batch scoring, the workspace and explanations all go through here, so they agree.
//
// Example:
//   LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(model));
//   if (learned) AddPredictiveNeeds(*learned, needs);
//   ... load the data set with `needs` ...
//   if (learned) AttachPredictions(model, *learned, data, as_of, notes);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/learned_model.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/dataset.h"
#include "model/model.h"

namespace leadq::service {

// The learned model of `model`'s [predictive] section; nullopt without one. A file that is not a
// learned model fails with the model file's position.
Result<std::optional<analytics::LearnedModel>> LoadPredictive(const model::Model& model);

// Adds the lead columns the learned model reads to `needs`.
void AddPredictiveNeeds(const analytics::LearnedModel& learned, engine::DataNeeds& needs);

// Fills the field column of every lead with its probability (six decimals), when a condition
// reads the field. Columns the learned model reads that the leads lack predict as missing and
// are named once in `notes`.
void AttachPredictions(const model::Model& model, const analytics::LearnedModel& learned,
                       engine::Dataset& data, TimePoint as_of, std::vector<std::string>& notes);

// "lead.p_convert from p_convert.json: logistic, 31 features, cross-validated AUC 0.90", for
// summaries.
std::string DescribePredictive(const model::Model& model, const analytics::LearnedModel& learned);

}  // namespace leadq::service
