// Plain-words renderings of a model for people: conditions ("account.industry in [software,
// fintech]"), the grade matrix as a table (the action of every cell, optionally with counts),
// and the whole summary `leadq model check` prints for a valid model.
//
// Example:
//   std::cout << ModelSummary(model);
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "model/model.h"

namespace leadq::service {

// "account.industry in [software, fintech]", "all of (...)", "not (...)".
std::string DescribeCondition(const model::Condition& condition);

// The grade matrix: fit grades down (highest first), intent grades across, the action of each
// cell for leads of no channel (`channel` -1) or of a channel. With `counts` (one per cell,
// indexed fit * intent_count + intent) each cell also shows how many leads fell in it.
std::string GradeMatrix(const model::Model& model, int channel,
                        const std::vector<uint64_t>* counts = nullptr);

// One [handoff] rule in words: "emea: when account.region = EMEA -> pool mia, max",
// "hot_inbound: cells A1, A2; channels none: first touch within 5 min; escalate reassign after
// 10 min", "hot: cells A1: 8 touches over 21 days, >= 24 h apart, via call, email".
std::string DescribeAssignRule(const model::AssignRule& rule);
std::string DescribeSlaRule(const model::SlaRule& rule);
std::string DescribeCadence(const model::CadenceRule& rule);

// Everything `leadq model check` prints for a valid model.
std::string ModelSummary(const model::Model& model);

// `leadq model check` after the text has parsed: loads what the model names (the [predictive]
// learned model, the [export] section's tariffs) and, when all of it is valid, returns what
// the check prints: the summary (ModelSummary, or the export section alone for an export-only
// model), the predictive section in words, and warnings. `path` names the model in messages.
// Fails with InvalidInput carrying every error found, one per line, with positions.
Result<std::string> CheckModel(const model::Model& model, const std::filesystem::path& path);

}  // namespace leadq::service
