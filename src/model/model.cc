// The small pieces of model.h that are not loading: messages, operator names, list lookup.

#include "model/model.h"

#include <string>

namespace leadq::model {

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

const NamedList* Model::FindList(std::string_view name) const {
  for (const NamedList& list : lists) {
    if (list.name == name) return &list;
  }
  return nullptr;
}

}  // namespace leadq::model
