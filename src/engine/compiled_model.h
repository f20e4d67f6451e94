// A model bound to a data set: field references resolved to columns, conditions turned into
// truth tables over each column's distinct values, intent entries indexed by event type, grade
// thresholds sorted, and the action of every grade cell precomputed for the model and for each
// channel.
//
// The model and the data set must outlive the CompiledModel (it points into both).
//
// Example:
//   DataNeeds needs = NeedsOf(model);
//   ... load data with needs ...
//   CompiledModel compiled = CompileModel(model, data);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/condition.h"
#include "engine/dataset.h"
#include "model/model.h"

namespace leadq::engine {

// The columns `model` reads from each file.
DataNeeds NeedsOf(const model::Model& model);

// Where a cell's action comes from (for explanations).
struct ActionSource {
  enum class Kind { kDefault, kList, kChannelList, kChannelDefault };
  Kind kind = Kind::kDefault;
};

struct CompiledModel {
  const model::Model* model = nullptr;
  ConditionSet conditions;

  // fit
  struct FitRule {
    int when = -1;
    double points = 0;
  };
  std::vector<FitRule> fit_rules;
  double fit_max = 100;

  // intent
  struct Entry {
    double points = 0;
    bool has_cap = false;
    double cap = 0;
    double half_life_days = 0;  // 0: no decay
    int when = -1;              // -1: no condition
  };
  std::vector<Entry> entries;
  // For each event type code t: the entries whose type matches, in file order, are
  // type_entries[type_entry_begin[t] .. type_entry_begin[t + 1]).
  std::vector<uint32_t> type_entry_begin;
  std::vector<uint16_t> type_entries;
  double intent_max = 100;
  double window_days = 0;

  // negative signals
  struct Negative {
    int when = -1;  // -1: none
    bool has_event = false;
    std::vector<uint8_t> by_type;  // for each event type code: 1 when it is this entry's type
    double points = 0;
  };
  std::vector<Negative> negatives;
  bool any_event_negative = false;
  // For each event type code: bit k set when negative k is an `event` signal of that type
  // (used when there are at most 64 negatives; otherwise Negative::by_type).
  std::vector<uint64_t> negative_mask_by_type;

  double fit_weight = 1;
  double intent_weight = 1;

  // grades, sorted by threshold from highest to lowest; index into model->*_grades
  std::vector<double> fit_thresholds, intent_thresholds;
  std::vector<uint16_t> fit_order, intent_order;

  // actions
  std::vector<std::string> actions;  // action names; an action id indexes this
  uint16_t disqualified_action = 0;
  // action_by_cell[c][fit_grade * intent_grades + intent_grade]: c = 0 without a channel,
  // c = k + 1 for channel k.
  std::vector<std::vector<uint16_t>> action_by_cell;
  std::vector<std::vector<ActionSource::Kind>> action_source;
  size_t fit_grade_count() const { return model->fit_grades.size(); }
  size_t intent_grade_count() const { return model->intent_grades.size(); }

  std::vector<int> disqualify;  // condition roots, in file order
  std::vector<int> channels;    // condition roots, in file order

  // The grade (index into the model's grades) of a value; -1 when there are no grades.
  static int GradeOf(double value, const std::vector<double>& thresholds,
                     const std::vector<uint16_t>& order) {
    if (order.empty()) return -1;
    for (size_t i = 0; i < thresholds.size(); ++i) {
      if (thresholds[i] <= value) return order[i];
    }
    return order.back();
  }
};

// Binds `model` to `data`. Never fails: the model was validated when it was loaded.
CompiledModel CompileModel(const model::Model& model, const Dataset& data);

}  // namespace leadq::engine
