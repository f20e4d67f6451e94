// The small pieces of model.h that are not loading: messages, operator names, list lookup.

#include "model/model.h"

#include <string>

namespace leadq::model {

std::string_view ChargeBaseName(ChargeBase base) {
  switch (base) {
    case ChargeBase::kFob:
      return "fob";
    case ChargeBase::kCustomsValue:
      return "customs_value";
    case ChargeBase::kCif:
      return "cif";
    case ChargeBase::kDuty:
      return "duty";
    case ChargeBase::kFees:
      return "fees";
    case ChargeBase::kFreight:
      return "freight";
  }
  return "?";
}

std::string FormatDiagnostic(const std::filesystem::path& file, const Diagnostic& d) {
  std::string out = file.string();
  if (d.pos.line > 0) {
    out += ':';
    out += std::to_string(d.pos.line);
    if (d.pos.column > 0) {
      out += ':';
      out += std::to_string(d.pos.column);
    }
  }
  out += ": ";
  out += d.message;
  return out;
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kEq:
      return "eq";
    case Op::kNe:
      return "ne";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "not_in";
    case Op::kGt:
      return "gt";
    case Op::kGte:
      return "gte";
    case Op::kLt:
      return "lt";
    case Op::kLte:
      return "lte";
    case Op::kBetween:
      return "between";
    case Op::kContains:
      return "contains";
    case Op::kStartsWith:
      return "starts_with";
    case Op::kEndsWith:
      return "ends_with";
    case Op::kMatches:
      return "matches";
    case Op::kExists:
      return "exists";
    case Op::kInList:
      return "in_list";
  }
  return "?";
}

std::string_view EscalationName(Escalation e) {
  switch (e) {
    case Escalation::kNone:
      return "none";
    case Escalation::kNotify:
      return "notify";
    case Escalation::kReassign:
      return "reassign";
  }
  return "none";
}

const NamedList* Model::FindList(std::string_view name) const {
  for (const NamedList& list : lists) {
    if (list.name == name) return &list;
  }
  return nullptr;
}

std::map<std::string, CellAction> CellActions(const Model& model, int channel) {
  std::map<std::string, CellAction> out;
  for (const Grade& f : model.fit_grades) {
    for (const Grade& i : model.intent_grades) {
      out[f.name + i.name] = CellAction{model.DefaultAction(), CellAction::From::kDefault};
    }
  }
  const Channel* ch = channel >= 0 ? &model.channels[static_cast<size_t>(channel)] : nullptr;
  auto replaced = [&](const std::string& action) {
    if (ch == nullptr) return false;
    for (const ActionList& l : ch->actions.lists) {
      if (l.action == action) return true;
    }
    return false;
  };
  if (ch != nullptr && ch->actions.default_action) {
    for (auto& [cell, a] : out)
      a = CellAction{*ch->actions.default_action, CellAction::From::kChannelDefault};
  }
  // The model's lists that the channel does not replace, then the channel's own: a cell the
  // channel puts in one of its lists leaves the model's list it was in.
  for (const ActionList& l : model.actions.lists) {
    if (replaced(l.action)) continue;
    for (const std::string& cell : l.cells) {
      auto it = out.find(cell);
      if (it != out.end()) it->second = CellAction{l.action, CellAction::From::kList};
    }
  }
  if (ch != nullptr) {
    for (const ActionList& l : ch->actions.lists) {
      for (const std::string& cell : l.cells) {
        auto it = out.find(cell);
        if (it != out.end()) it->second = CellAction{l.action, CellAction::From::kChannelList};
      }
    }
  }
  return out;
}

}  // namespace leadq::model
