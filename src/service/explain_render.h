// Explanations for people and for programs: the text breakdown `leadq explain` prints and the
// JSON object `leadq score --format json` and `leadq explain --json` carry for each lead.
//
// Example:
//   engine::LeadExplanation why = engine::ExplainLead(work.compiled, work.data, work.as_of, row);
//   std::cout << RenderExplanationText(work, why);
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/score.h"
#include "service/scoring.h"

namespace leadq::service {

// A number rounded like the CSV output (two decimals, half away from zero) as a JSON number.
nlohmann::ordered_json Fixed2(double value);

// The grade names and cell of a lead ("A", "2", "A2"); empty strings without grades.
struct GradeNames {
  std::string fit;
  std::string intent;
  std::string cell;
};
GradeNames NamesOf(const engine::CompiledModel& model, const engine::LeadScore& score);
// "disqualified" reason code, or "".
std::string ReasonOf(const engine::CompiledModel& model, const engine::LeadScore& score);

std::string RenderExplanationText(const Workset& work, const engine::LeadExplanation& why);
nlohmann::ordered_json ExplanationJson(const Workset& work, const engine::LeadExplanation& why);

}  // namespace leadq::service
