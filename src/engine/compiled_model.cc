#include "engine/compiled_model.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "core/text.h"

namespace leadq::engine {
namespace {

void AddKey(std::vector<std::string>& keys, const std::string& key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

void CollectFields(const model::Condition& c, DataNeeds& needs) {
  if (c.kind != model::Condition::Kind::kLeaf) {
    for (const model::Condition& child : c.children) CollectFields(child, needs);
    return;
  }
  switch (c.field.source) {
    case model::FieldSource::kLead:
      AddKey(needs.lead_fields, c.field.key);
      break;
    case model::FieldSource::kAccount:
      AddKey(needs.account_fields, c.field.key);
      break;
    case model::FieldSource::kEvent:
      AddKey(needs.event_props, c.field.key);
      break;
  }
}

void SortGrades(const std::vector<model::Grade>& grades, std::vector<double>& thresholds,
                std::vector<uint16_t>& order) {
  order.resize(grades.size());
  std::iota(order.begin(), order.end(), uint16_t{0});
  std::stable_sort(order.begin(), order.end(), [&](uint16_t a, uint16_t b) {
    return grades[a].threshold > grades[b].threshold;
  });
  thresholds.clear();
  for (uint16_t i : order) thresholds.push_back(grades[i].threshold);
}

uint16_t ActionId(std::vector<std::string>& actions, const std::string& name) {
  auto it = std::find(actions.begin(), actions.end(), name);
  if (it != actions.end()) return static_cast<uint16_t>(it - actions.begin());
  actions.push_back(name);
  return static_cast<uint16_t>(actions.size() - 1);
}

ActionSource::Kind SourceOf(model::CellAction::From from) {
  switch (from) {
    case model::CellAction::From::kDefault:
      return ActionSource::Kind::kDefault;
    case model::CellAction::From::kList:
      return ActionSource::Kind::kList;
    case model::CellAction::From::kChannelList:
      return ActionSource::Kind::kChannelList;
    case model::CellAction::From::kChannelDefault:
      return ActionSource::Kind::kChannelDefault;
  }
  return ActionSource::Kind::kDefault;
}

// Cell name -> index in the fit x intent table.
std::map<std::string, size_t> CellIndex(const model::Model& m) {
  std::map<std::string, size_t> cells;
  for (size_t f = 0; f < m.fit_grades.size(); ++f) {
    for (size_t i = 0; i < m.intent_grades.size(); ++i) {
      cells.emplace(m.fit_grades[f].name + m.intent_grades[i].name, f * m.intent_grades.size() + i);
    }
  }
  return cells;
}

}  // namespace

DataNeeds NeedsOf(const model::Model& model) {
  DataNeeds needs;
  for (const model::FitRule& r : model.fit.rules) CollectFields(r.when, needs);
  for (const model::IntentEntry& e : model.intent.entries) {
    if (e.when) CollectFields(*e.when, needs);
  }
  for (const model::NegativeEntry& n : model.negatives) {
    if (n.when) CollectFields(*n.when, needs);
  }
  for (const model::DisqualifyRule& d : model.disqualify) CollectFields(d.when, needs);
  for (const model::Channel& c : model.channels) CollectFields(c.when, needs);
  for (const model::AssignRule& r : model.handoff.rules) {
    if (r.when) CollectFields(*r.when, needs);
  }
  if (model.handoff.do_not_contact) CollectFields(*model.handoff.do_not_contact, needs);
  return needs;
}

CompiledModel CompileModel(const model::Model& model, const Dataset& data) {
  CompiledModel cm;
  cm.model = &model;
  ConditionSet& conds = cm.conditions;

  cm.fit_max = model.fit.max;
  for (const model::FitRule& r : model.fit.rules) {
    cm.fit_rules.push_back({conds.Add(r.when, data, model), r.points});
  }

  cm.intent_max = model.intent.max;
  cm.window_days = model.intent.window_days;
  const std::vector<std::string>& types = data.events.type_values;
  std::vector<std::vector<uint16_t>> entries_by_type(types.size());
  for (size_t k = 0; k < model.intent.entries.size(); ++k) {
    const model::IntentEntry& e = model.intent.entries[k];
    CompiledModel::Entry entry;
    entry.points = e.points;
    entry.has_cap = e.cap.has_value();
    entry.cap = e.cap.value_or(0);
    entry.half_life_days = e.half_life_days.value_or(model.intent.half_life_days);
    entry.when = e.when ? conds.Add(*e.when, data, model) : -1;
    cm.entries.push_back(entry);
    for (size_t t = 1; t < types.size(); ++t) {
      if (IEquals(Trim(types[t]), Trim(e.type))) {
        entries_by_type[t].push_back(static_cast<uint16_t>(k));
      }
    }
  }

  cm.type_entry_begin.push_back(0);
  for (const std::vector<uint16_t>& list : entries_by_type) {
    cm.type_entries.insert(cm.type_entries.end(), list.begin(), list.end());
    cm.type_entry_begin.push_back(static_cast<uint32_t>(cm.type_entries.size()));
  }

  for (const model::NegativeEntry& n : model.negatives) {
    CompiledModel::Negative neg;
    neg.when = n.when ? conds.Add(*n.when, data, model) : -1;
    neg.points = n.points;
    if (n.event_type) {
      neg.has_event = true;
      cm.any_event_negative = true;
      neg.by_type.assign(types.size(), 0);
      for (size_t t = 1; t < types.size(); ++t) {
        neg.by_type[t] = IEquals(Trim(types[t]), Trim(*n.event_type)) ? 1 : 0;
      }
    }
    cm.negatives.push_back(std::move(neg));
  }
  if (cm.negatives.size() <= 64) {
    cm.negative_mask_by_type.assign(types.size(), 0);
    for (size_t k = 0; k < cm.negatives.size(); ++k) {
      if (!cm.negatives[k].has_event) continue;
      for (size_t t = 1; t < types.size(); ++t) {
        if (cm.negatives[k].by_type[t]) cm.negative_mask_by_type[t] |= uint64_t{1} << k;
      }
    }
  }

  cm.fit_weight = model.score.fit_weight;
  cm.intent_weight = model.score.intent_weight;
  SortGrades(model.fit_grades, cm.fit_thresholds, cm.fit_order);
  SortGrades(model.intent_grades, cm.intent_thresholds, cm.intent_order);

  // Actions: the action of every cell for no channel (table 0) and for each channel.
  const std::map<std::string, size_t> cells = CellIndex(model);
  // Without grades every lead falls in one cell whose action is the default.
  const size_t cell_count =
      std::max<size_t>(1, model.fit_grades.size() * model.intent_grades.size());
  ActionId(cm.actions, model.DefaultAction());
  for (const model::ActionList& l : model.actions.lists) ActionId(cm.actions, l.action);
  for (int channel = -1; channel < static_cast<int>(model.channels.size()); ++channel) {
    if (channel >= 0) {
      cm.channels.push_back(
          conds.Add(model.channels[static_cast<size_t>(channel)].when, data, model));
    }
    const std::string& fallback =
        channel >= 0 ? model.channels[static_cast<size_t>(channel)].actions.default_action.value_or(
                           model.DefaultAction())
                     : model.DefaultAction();
    std::vector<uint16_t>& ids =
        cm.action_by_cell.emplace_back(cell_count, ActionId(cm.actions, fallback));
    std::vector<ActionSource::Kind>& sources =
        cm.action_source.emplace_back(cell_count, ActionSource::Kind::kDefault);
    for (const auto& [cell, action] : model::CellActions(model, channel)) {
      const size_t index = cells.at(cell);
      ids[index] = ActionId(cm.actions, action.action);
      sources[index] = SourceOf(action.from);
    }
  }
  cm.disqualified_action = ActionId(cm.actions, "disqualified");
  for (const model::DisqualifyRule& d : model.disqualify) {
    cm.disqualify.push_back(conds.Add(d.when, data, model));
  }
  return cm;
}

}  // namespace leadq::engine
