#include "engine/score.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <type_traits>

#include "core/memory.h"
#include "core/parallel.h"

namespace leadq::engine {
namespace {

// Leads are scored in blocks: the conditions on lead and account fields are answered for the
// whole block a column at a time (ConditionSet::EvalLeadBlock), then each lead's events.
constexpr uint32_t kBlock = 256;

// The answers of the lead-level conditions for one block of leads.
struct BlockFacts {
  uint32_t first = 0;                          // the block's first lead
  std::vector<std::vector<uint8_t>> rule;      // [fit rule][i]: 1 when it holds
  std::vector<double> fit;                     // [i]: points of the rules that hold, in order
  std::vector<std::vector<uint8_t>> negative;  // [negative][i]: its `when` holds (or has none)
  std::vector<int16_t> channel;                // [i]: the first channel that holds, or -1
  std::vector<int16_t> disqualify;             // [i]: the first disqualifier that holds, or -1
  std::vector<uint8_t> holds;                  // one condition's answers
  std::vector<std::vector<uint8_t>> temp;      // EvalLeadBlock's scratch
};

// Per-thread buffers, sized once per run, so that scoring a lead allocates nothing.
struct Scratch {
  std::vector<double> entry_sums;
  std::vector<int64_t> negative_event;  // first matching event row, or -1
  BlockFacts block;
};

// Answers every lead-level condition of the model for leads [first, first + count).
void EvalBlock(const CompiledModel& m, const Dataset& data, uint32_t first, uint32_t count,
               BlockFacts& f) {
  const ConditionSet& conds = m.conditions;
  const int32_t* account = data.leads.account.data();
  f.first = first;
  std::fill(f.fit.begin(), f.fit.begin() + count, 0.0);
  for (size_t r = 0; r < m.fit_rules.size(); ++r) {
    uint8_t* holds = f.rule[r].data();
    conds.EvalLeadBlock(m.fit_rules[r].when, first, count, account, holds, f.temp);
    const double points = m.fit_rules[r].points;
    double* fit = f.fit.data();
    for (uint32_t i = 0; i < count; ++i) fit[i] = holds[i] ? fit[i] + points : fit[i];
  }
  for (size_t k = 0; k < m.negatives.size(); ++k) {
    uint8_t* holds = f.negative[k].data();
    if (m.negatives[k].when < 0) {
      std::fill(holds, holds + count, uint8_t{1});
    } else {
      conds.EvalLeadBlock(m.negatives[k].when, first, count, account, holds, f.temp);
    }
  }
  // The first condition that holds, in file order.
  auto first_of = [&](const std::vector<int>& roots, std::vector<int16_t>& out) {
    std::fill(out.begin(), out.begin() + count, int16_t{-1});
    for (size_t c = 0; c < roots.size(); ++c) {
      conds.EvalLeadBlock(roots[c], first, count, account, f.holds.data(), f.temp);
      for (uint32_t i = 0; i < count; ++i) {
        if (out[i] < 0 && f.holds[i]) out[i] = static_cast<int16_t>(c);
      }
    }
  };
  first_of(m.channels, f.channel);
  first_of(m.disqualify, f.disqualify);
}

struct Counters {
  uint64_t after = 0;
  uint64_t outside = 0;
  uint64_t counted = 0;
  uint64_t unmatched = 0;
};

// The fast path records nothing.
struct NoRecorder {
  void Fit(uint16_t) {}
  void Event(uint16_t, const EventContribution&) {}
  void Ignored(uint32_t, IgnoredEvent::Why) {}
  void Negative(uint16_t, double, int64_t) {}
  void Action(ActionSource::Kind) {}
};

// The explanation path records everything.
struct Recorder {
  LeadExplanation& out;
  void Fit(uint16_t rule) { out.fit_rules.push_back(rule); }
  void Event(uint16_t entry, const EventContribution& c) {
    auto it = std::find_if(out.entries.begin(), out.entries.end(),
                           [&](const EntryContribution& e) { return e.entry == entry; });
    if (it == out.entries.end()) {
      out.entries.push_back(EntryContribution{entry, 0, 0, {}});
      it = out.entries.end() - 1;
    }
    it->events.push_back(c);
  }
  void Ignored(uint32_t row, IgnoredEvent::Why why) { out.ignored.push_back({row, why}); }
  void Negative(uint16_t entry, double points, int64_t event_row) {
    out.negatives.push_back({entry, points, event_row});
  }
  void Action(ActionSource::Kind kind) { out.action_source = kind; }
};

// Scores lead `lead`, which is in the block that scratch.block holds the answers for.
template <typename Rec>
LeadScore ScoreOne(const CompiledModel& m, const Dataset& data, TimePoint as_of, uint32_t lead,
                   Scratch& scratch, Counters& counters, Rec& rec, double* fit_sum_out,
                   double* intent_sum_out) {
  LeadScore s;
  const ConditionSet& conds = m.conditions;
  const BlockFacts& facts = scratch.block;
  const uint32_t i = lead - facts.first;

  // Fit: every rule that holds, clamped to [0, max].
  const double fit = facts.fit[i];
  if constexpr (!std::is_same_v<Rec, NoRecorder>) {
    for (size_t r = 0; r < m.fit_rules.size(); ++r) {
      if (facts.rule[r][i]) rec.Fit(static_cast<uint16_t>(r));
    }
  }
  if (fit_sum_out != nullptr) *fit_sum_out = fit;
  s.fit = std::clamp(fit, 0.0, m.fit_max);

  // Intent: each event counts for the first entry that takes it, decayed by its age.
  std::fill(scratch.entry_sums.begin(), scratch.entry_sums.end(), 0.0);
  std::fill(scratch.negative_event.begin(), scratch.negative_event.end(), -1);
  const EventTable& ev = data.events;
  const uint32_t end = ev.lead_begin[lead + 1];
  for (uint32_t e = ev.lead_begin[lead]; e < end; ++e) {
    const TimePoint at = ev.at[e];
    if (at > as_of) {
      ++counters.after;
      rec.Ignored(e, IgnoredEvent::Why::kAfterAsOf);
      continue;
    }
    const double age = AgeDays(at, as_of);
    if (m.window_days > 0 && age > m.window_days) {
      ++counters.outside;
      rec.Ignored(e, IgnoredEvent::Why::kOutsideWindow);
      continue;
    }
    const uint32_t type = ev.type[e];
    if (m.any_event_negative) {
      if (!m.negative_mask_by_type.empty()) {
        for (uint64_t mask = m.negative_mask_by_type[type]; mask != 0; mask &= mask - 1) {
          const int k = __builtin_ctzll(mask);
          if (scratch.negative_event[k] < 0) scratch.negative_event[k] = e;
        }
      } else {
        for (size_t k = 0; k < m.negatives.size(); ++k) {
          const CompiledModel::Negative& n = m.negatives[k];
          if (n.has_event && n.by_type[type] && scratch.negative_event[k] < 0) {
            scratch.negative_event[k] = e;
          }
        }
      }
    }
    int entry = -1;
    for (uint32_t c = m.type_entry_begin[type]; c < m.type_entry_begin[type + 1]; ++c) {
      const uint16_t candidate = m.type_entries[c];
      const int when = m.entries[candidate].when;
      if (when < 0 || conds.EvalEvent(when, e)) {
        entry = candidate;
        break;
      }
    }
    if (entry < 0) {
      ++counters.unmatched;
      rec.Ignored(e, IgnoredEvent::Why::kNoEntry);
      continue;
    }
    const CompiledModel::Entry& en = m.entries[static_cast<size_t>(entry)];
    const double points =
        en.half_life_days > 0 ? en.points * std::exp2(-age / en.half_life_days) : en.points;
    scratch.entry_sums[static_cast<size_t>(entry)] += points;
    ++counters.counted;
    rec.Event(static_cast<uint16_t>(entry),
              EventContribution{e, at, age, en.half_life_days, en.points, points});
  }
  double intent = 0;
  for (size_t k = 0; k < m.entries.size(); ++k) {
    double sum = scratch.entry_sums[k];
    intent += m.entries[k].has_cap ? std::min(sum, m.entries[k].cap) : sum;
  }
  if (intent_sum_out != nullptr) *intent_sum_out = intent;
  s.intent = std::min(m.intent_max, intent);

  // Negative signals: each matching entry once.
  double negative = 0;
  for (size_t k = 0; k < m.negatives.size(); ++k) {
    const CompiledModel::Negative& n = m.negatives[k];
    bool holds = facts.negative[k][i] && (!n.has_event || scratch.negative_event[k] >= 0);
    if (holds) {
      negative += n.points;
      rec.Negative(static_cast<uint16_t>(k), n.points, scratch.negative_event[k]);
    }
  }
  s.negative = negative;
  s.score = m.fit_weight * s.fit + m.intent_weight * s.intent + s.negative;

  // Grades from the unrounded values; the action from the cell, the channel or a disqualifier.
  s.fit_grade = static_cast<int16_t>(CompiledModel::GradeOf(s.fit, m.fit_thresholds, m.fit_order));
  s.intent_grade =
      static_cast<int16_t>(CompiledModel::GradeOf(s.intent, m.intent_thresholds, m.intent_order));
  s.channel = facts.channel[i];
  const size_t cell = (s.fit_grade < 0 || s.intent_grade < 0)
                          ? 0
                          : static_cast<size_t>(s.fit_grade) * m.intent_grade_count() +
                                static_cast<size_t>(s.intent_grade);
  s.action = m.action_by_cell[static_cast<size_t>(s.channel + 1)][cell];
  rec.Action(m.action_source[static_cast<size_t>(s.channel + 1)][cell]);
  if (facts.disqualify[i] >= 0) {
    s.disqualify = facts.disqualify[i];
    s.action = m.disqualified_action;
  }
  return s;
}

Scratch MakeScratch(const CompiledModel& m) {
  Scratch s;
  s.entry_sums.resize(m.entries.size());
  s.negative_event.resize(m.negatives.size());
  BlockFacts& b = s.block;
  b.rule.assign(m.fit_rules.size(), std::vector<uint8_t>(kBlock));
  b.fit.resize(kBlock);
  b.negative.assign(m.negatives.size(), std::vector<uint8_t>(kBlock));
  b.channel.resize(kBlock);
  b.disqualify.resize(kBlock);
  b.holds.resize(kBlock);
  return s;
}

}  // namespace

ScoreRun ScoreLeads(const CompiledModel& model, const Dataset& data, TimePoint as_of) {
  ScoreRun run;
  const size_t n = data.leads.size();
  ResizeHuge(run.leads, n);
  std::mutex mu;  // guards the run's counters
  // Slices of equal work, not of equal lead counts: a lead costs about as much as ten events,
  // and events are spread unevenly over leads.
  constexpr uint64_t kLeadCost = 10;
  const std::vector<uint32_t>& begin_of = data.events.lead_begin;
  const size_t parts = std::max<size_t>(1, std::min(WorkerCount() * 4, n));
  const uint64_t total = begin_of[n] + kLeadCost * n;
  std::vector<size_t> cuts{0};
  for (size_t p = 1; p < parts; ++p) {
    const uint64_t target = total * p / parts;
    size_t lo = cuts.back(), hi = n;
    while (lo < hi) {  // the first lead whose cost up to it reaches the target
      size_t mid = (lo + hi) / 2;
      if (begin_of[mid] + kLeadCost * mid < target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    cuts.push_back(lo);
  }
  cuts.push_back(n);
  ParallelTasks(parts, [&](size_t part) {
    Scratch scratch = MakeScratch(model);
    Counters counters;
    NoRecorder rec;
    for (size_t b = cuts[part]; b < cuts[part + 1]; b += kBlock) {
      const auto count = static_cast<uint32_t>(std::min<size_t>(kBlock, cuts[part + 1] - b));
      EvalBlock(model, data, static_cast<uint32_t>(b), count, scratch.block);
      for (size_t i = b; i < b + count; ++i) {
        run.leads[i] = ScoreOne(model, data, as_of, static_cast<uint32_t>(i), scratch, counters,
                                rec, nullptr, nullptr);
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    run.events_after_as_of += counters.after;
    run.events_outside_window += counters.outside;
    run.events_counted += counters.counted;
    run.events_unmatched += counters.unmatched;
  });
  return run;
}

LeadExplanation ExplainLead(const CompiledModel& model, const Dataset& data, TimePoint as_of,
                            uint32_t lead_row) {
  LeadExplanation out;
  out.lead_row = lead_row;
  Scratch scratch = MakeScratch(model);
  Counters counters;
  Recorder rec{out};
  EvalBlock(model, data, lead_row, 1, scratch.block);
  out.score =
      ScoreOne(model, data, as_of, lead_row, scratch, counters, rec, &out.fit_sum, &out.intent_sum);
  for (EntryContribution& e : out.entries) {
    for (const EventContribution& c : e.events) e.sum += c.points;
    const CompiledModel::Entry& en = model.entries[e.entry];
    e.counted = en.has_cap ? std::min(e.sum, en.cap) : e.sum;
  }
  std::sort(
      out.entries.begin(), out.entries.end(),
      [](const EntryContribution& a, const EntryContribution& b) { return a.entry < b.entry; });
  return out;
}

}  // namespace leadq::engine
