// The handoff rules of the model ([handoff]) as pure decisions: which assignment rule takes a
// lead, whether it may be contacted, which response clock and cadence apply, which owner of a
// pool gets the next lead, and where a cadence stands. No I/O, no clock: time is `as_of`.
//
// Example:
//   CompiledHandoff routing(model, data);
//   int rule = routing.MatchAssignRule(lead_row, account_row);  // -1: none
//   std::optional<size_t> pick = ChooseOwner(loads);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "engine/condition.h"
#include "engine/dataset.h"
#include "model/model.h"

namespace leadq::engine {

// The conditions of [handoff] bound to a data set (which must outlive this). Const methods are
// thread-safe.
class CompiledHandoff {
 public:
  CompiledHandoff(const model::Model& model, const Dataset& data);

  // The index of the first [[handoff.assign]] whose `when` holds (a rule without `when` takes
  // every lead), or -1.
  int MatchAssignRule(uint32_t lead_row, int32_t account_row) const;
  // The model's do_not_contact condition holds for the lead (false without one).
  bool DoNotContact(uint32_t lead_row, int32_t account_row) const;

 private:
  ConditionSet set_;
  std::vector<int> rule_roots_;  // -1: the rule has no `when`
  int do_not_contact_ = -1;
};

// The first rule whose scope matches a grade cell and channel (empty channel: none), or nullptr.
const model::SlaRule* FindSlaRule(const model::Model& model, std::string_view cell,
                                  std::string_view channel);
const model::CadenceRule* FindCadence(const model::Model& model, std::string_view cell,
                                      std::string_view channel);

// One owner of a pool as the assignment sees it.
struct OwnerLoad {
  std::string_view owner_id;
  int64_t capacity = 0;             // new leads per 7 days
  int64_t assigned = 0;             // leads assigned in the 7 days before now
  TimePoint last_assigned_at = -1;  // -1: never
  bool available = true;            // known and active
};

// Weighted round robin by remaining capacity: among available owners with room (assigned <
// capacity), the one whose share of capacity after taking the lead is lowest, so that over many
// leads each owner gets leads in proportion to capacity; ties go to the one who waited longest,
// then to pool order. nullopt when nobody has room.
std::optional<size_t> ChooseOwner(std::span<const OwnerLoad> pool);

// The touch outcomes leadq knows, and those that stop a cadence (the lead answered).
inline constexpr std::array<std::string_view, 9> kTouchOutcomes = {
    "sent",    "no_answer", "voicemail",      "connected", "replied",
    "bounced", "opted_out", "meeting_booked", "held"};
bool IsTouchOutcome(std::string_view outcome);
bool StopsCadence(std::string_view outcome);

struct TouchFact {
  TimePoint at = 0;
  std::string_view channel;
  std::string_view outcome;
};

// Where a cadence stands at `as_of`. Touch k (0-based) is planned at `first_due` for k = 0 and
// at start + k * days / (touches - 1) after, never sooner than min_spacing_hours after the touch
// before it.
struct CadencePlan {
  int done = 0;                       // touches made since the cadence started
  int total = 0;                      // touches the cadence asks for
  std::optional<TimePoint> next_due;  // the next touch; nullopt when none is left or it stopped
  std::string next_channel;
  std::optional<TimePoint> stopped_at;    // a reply or meeting stopped it
  std::optional<TimePoint> exhausted_at;  // every touch made and the reply wait is over (<= as_of)
};
CadencePlan PlanCadence(const model::CadenceRule& cadence, TimePoint start, TimePoint first_due,
                        std::span<const TouchFact> touches, TimePoint as_of);

// The communication limit: nullopt when a touch at `at` keeps the lead within the model's
// limit given its earlier touches (meetings do not count), otherwise why not, in words, with
// the first moment the next touch is allowed.
std::optional<std::string> CheckTouchLimit(const model::HandoffSection& handoff,
                                           std::span<const TouchFact> touches, TimePoint at);

}  // namespace leadq::engine
