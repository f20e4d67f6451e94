#include "engine/handoff.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace leadq::engine {
namespace {

bool ScopeMatches(const model::HandoffScope& scope, std::string_view cell,
                  std::string_view channel) {
  if (!scope.cells.empty() &&
      std::find(scope.cells.begin(), scope.cells.end(), cell) == scope.cells.end()) {
    return false;
  }
  if (scope.channels.empty()) return true;
  std::string_view name = channel.empty() ? std::string_view("none") : channel;
  return std::find(scope.channels.begin(), scope.channels.end(), name) != scope.channels.end();
}

template <typename Rule>
const Rule* FindRule(const std::vector<Rule>& rules, std::string_view cell,
                     std::string_view channel) {
  for (const Rule& rule : rules) {
    if (ScopeMatches(rule.scope, cell, channel)) return &rule;
  }
  return nullptr;
}

TimePoint Hours(double hours) {
  return static_cast<TimePoint>(std::llround(hours * 3600.0 * kMicrosPerSecond));
}

// 7 or 1.5.
std::string ShortNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace

CompiledHandoff::CompiledHandoff(const model::Model& model, const Dataset& data) {
  for (const model::AssignRule& rule : model.handoff.rules) {
    rule_roots_.push_back(rule.when ? set_.Add(*rule.when, data, model) : -1);
  }
  if (model.handoff.do_not_contact) {
    do_not_contact_ = set_.Add(*model.handoff.do_not_contact, data, model);
  }
}

int CompiledHandoff::MatchAssignRule(uint32_t lead_row, int32_t account_row) const {
  for (size_t i = 0; i < rule_roots_.size(); ++i) {
    if (rule_roots_[i] < 0 || set_.EvalLead(rule_roots_[i], lead_row, account_row)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool CompiledHandoff::DoNotContact(uint32_t lead_row, int32_t account_row) const {
  return do_not_contact_ >= 0 && set_.EvalLead(do_not_contact_, lead_row, account_row);
}

const model::SlaRule* FindSlaRule(const model::Model& model, std::string_view cell,
                                  std::string_view channel) {
  return FindRule(model.handoff.sla, cell, channel);
}

const model::CadenceRule* FindCadence(const model::Model& model, std::string_view cell,
                                      std::string_view channel) {
  return FindRule(model.handoff.cadences, cell, channel);
}

std::optional<size_t> ChooseOwner(std::span<const OwnerLoad> pool) {
  std::optional<size_t> best;
  for (size_t i = 0; i < pool.size(); ++i) {
    const OwnerLoad& o = pool[i];
    if (!o.available || o.capacity <= 0 || o.assigned >= o.capacity) continue;
    if (!best) {
      best = i;
      continue;
    }
    const OwnerLoad& b = pool[*best];
    // Compare (o.assigned + 1) / o.capacity with (b.assigned + 1) / b.capacity exactly; both
    // factors are below 2^31 here, so the products fit.
    constexpr int64_t kMax = int64_t{1} << 31;
    int64_t lhs = std::min(o.assigned + 1, kMax) * std::min(b.capacity, kMax);
    int64_t rhs = std::min(b.assigned + 1, kMax) * std::min(o.capacity, kMax);
    if (lhs < rhs || (lhs == rhs && o.last_assigned_at < b.last_assigned_at)) best = i;
  }
  return best;
}

bool IsTouchOutcome(std::string_view outcome) {
  return std::find(kTouchOutcomes.begin(), kTouchOutcomes.end(), outcome) != kTouchOutcomes.end();
}

bool StopsCadence(std::string_view outcome) {
  return outcome == "connected" || outcome == "replied" || outcome == "meeting_booked" ||
         outcome == "held";
}

CadencePlan PlanCadence(const model::CadenceRule& cadence, TimePoint start, TimePoint first_due,
                        std::span<const TouchFact> touches, TimePoint as_of) {
  CadencePlan plan;
  plan.total = cadence.touches;
  std::optional<TimePoint> last;
  for (const TouchFact& t : touches) {
    if (t.at < start || t.at > as_of) continue;
    if (StopsCadence(t.outcome)) {
      if (!plan.stopped_at) plan.stopped_at = t.at;
      continue;
    }
    if (t.outcome == "opted_out" && !plan.stopped_at) plan.stopped_at = t.at;
    ++plan.done;
    last = std::max(last.value_or(t.at), t.at);
  }
  if (plan.stopped_at) return plan;
  if (plan.done >= plan.total) {
    TimePoint over = last.value_or(start) + Hours(cadence.reply_wait_days * 24);
    if (over <= as_of) plan.exhausted_at = over;
    return plan;
  }
  TimePoint planned = first_due;
  if (plan.done > 0 && cadence.touches > 1) {
    planned = start + Hours(cadence.days * 24 * plan.done / (cadence.touches - 1));
  }
  if (last) planned = std::max(planned, *last + Hours(cadence.min_spacing_hours));
  plan.next_due = planned;
  plan.next_channel = cadence.via.empty()
                          ? std::string()
                          : cadence.via[static_cast<size_t>(plan.done) % cadence.via.size()];
  return plan;
}

std::optional<std::string> CheckTouchLimit(const model::HandoffSection& handoff,
                                           std::span<const TouchFact> touches, TimePoint at) {
  if (handoff.limit_touches <= 0) return std::nullopt;
  const TimePoint window = Hours(handoff.limit_days * 24);
  std::vector<TimePoint> recent;
  for (const TouchFact& t : touches) {
    if (t.channel == "meeting") continue;
    if (t.at > at - window && t.at <= at) recent.push_back(t.at);
  }
  if (static_cast<int>(recent.size()) < handoff.limit_touches) return std::nullopt;
  std::sort(recent.begin(), recent.end());
  // The touch that must leave the window before another fits.
  TimePoint leaves = recent[recent.size() - static_cast<size_t>(handoff.limit_touches)] + window;
  return std::to_string(recent.size()) + " touches in the last " + ShortNumber(handoff.limit_days) +
         " days already (the model's limit is " + std::to_string(handoff.limit_touches) + " in " +
         ShortNumber(handoff.limit_days) + " days); the next one is allowed from " +
         FormatTimestamp(leaves);
}

}  // namespace leadq::engine
