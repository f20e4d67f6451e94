// The scorer: MODEL.md applied to every lead of a data set at a point in time.
//
// One scorer, two drivers: ScoreLeads runs the fast path over all leads on all cores with no
// allocation per lead; ExplainLead runs the very same code for one lead with a recorder that
// keeps every contribution. Both are pure: no I/O, no clock; `as_of` is an input.
//
// Example:
//   CompiledModel compiled = CompileModel(model, data);
//   ScoreRun run = ScoreLeads(compiled, data, as_of);
//   LeadExplanation why = ExplainLead(compiled, data, as_of, /*lead_row=*/0);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/dataset.h"

namespace leadq::engine {

// The result for one lead. Grades index the model's grade lists (-1: no grades); `action`
// indexes CompiledModel::actions.
struct LeadScore {
  double fit = 0;
  double intent = 0;
  double negative = 0;
  double score = 0;
  int16_t fit_grade = -1;
  int16_t intent_grade = -1;
  uint16_t action = 0;
  int16_t disqualify = -1;  // index of the [[disqualify]] entry that applied, or -1
  int16_t channel = -1;     // index of the [[channel]] that applied, or -1
};

struct ScoreRun {
  std::vector<LeadScore> leads;  // one per lead row
  uint64_t events_after_as_of = 0;
  uint64_t events_outside_window = 0;
  uint64_t events_counted = 0;    // taken by an intent entry
  uint64_t events_unmatched = 0;  // in the window, but no entry took them
};

// Scores every lead. Uses all cores; deterministic.
ScoreRun ScoreLeads(const CompiledModel& model, const Dataset& data, TimePoint as_of);

// Everything that went into one lead's numbers.
struct EventContribution {
  uint32_t event_row = 0;
  TimePoint occurred_at = 0;
  double age_days = 0;
  double half_life_days = 0;
  double base_points = 0;
  double points = 0;  // after decay
};

struct EntryContribution {
  uint16_t entry = 0;  // index into model.intent.entries
  double sum = 0;      // before the cap
  double counted = 0;  // after the cap
  std::vector<EventContribution> events;
};

// Why an event did not count.
struct IgnoredEvent {
  enum class Why { kAfterAsOf, kOutsideWindow, kNoEntry };
  uint32_t event_row = 0;
  Why why = Why::kNoEntry;
};

struct NegativeContribution {
  uint16_t entry = 0;  // index into model.negatives
  double points = 0;
  int64_t event_row = -1;  // the first event that matched an `event` signal, or -1
};

struct LeadExplanation {
  uint32_t lead_row = 0;
  LeadScore score;
  std::vector<uint16_t> fit_rules;         // indices of the fit rules that held, file order
  double fit_sum = 0;                      // before clamping to [0, max]
  std::vector<EntryContribution> entries;  // entries that took at least one event
  double intent_sum = 0;                   // before limiting to max
  std::vector<IgnoredEvent> ignored;
  std::vector<NegativeContribution> negatives;
  ActionSource::Kind action_source = ActionSource::Kind::kDefault;
};

LeadExplanation ExplainLead(const CompiledModel& model, const Dataset& data, TimePoint as_of,
                            uint32_t lead_row);

}  // namespace leadq::engine
