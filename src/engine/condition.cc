#include "engine/condition.h"

#include <re2/re2.h>

#include <cstring>

#include "core/text.h"

namespace leadq::engine {
namespace {

using model::Op;
using model::Operand;

bool ContainsIgnoringCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// eq for one operand on a present, trimmed cell.
bool Equals(const Operand& operand, std::string_view cell) {
  switch (operand.kind) {
    case Operand::Kind::kString:
      return IEquals(cell, Trim(operand.text));
    case Operand::Kind::kNumber: {
      std::optional<double> v = ParseNumber(cell);
      return v && *v == operand.number;
    }
    case Operand::Kind::kBool: {
      std::optional<bool> v = ParseBool(cell);
      return v && *v == operand.boolean;
    }
  }
  return false;
}

bool CompareNumber(Op op, double x, const std::vector<Operand>& operands) {
  switch (op) {
    case Op::kGt:
      return x > operands[0].number;
    case Op::kGte:
      return x >= operands[0].number;
    case Op::kLt:
      return x < operands[0].number;
    case Op::kLte:
      return x <= operands[0].number;
    case Op::kBetween:
      return operands[0].number <= x && x <= operands[1].number;
    default:
      return false;
  }
}

}  // namespace

bool EvalLeafOnValue(const model::Condition& leaf, bool present, std::string_view raw,
                     const model::NamedList* list) {
  std::string_view cell = Trim(raw);
  if (cell.empty()) present = false;
  const Op op = leaf.op;
  if (op == Op::kExists) return present == leaf.operands[0].boolean;
  if (!present) return op == Op::kNe || op == Op::kNotIn;
  switch (op) {
    case Op::kEq:
      return Equals(leaf.operands[0], cell);
    case Op::kNe:
      return !Equals(leaf.operands[0], cell);
    case Op::kIn:
    case Op::kNotIn: {
      bool any = false;
      for (const Operand& o : leaf.operands) {
        if (Equals(o, cell)) {
          any = true;
          break;
        }
      }
      return op == Op::kIn ? any : !any;
    }
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte:
    case Op::kBetween: {
      std::optional<double> v = ParseNumber(cell);
      return v && CompareNumber(op, *v, leaf.operands);
    }
    case Op::kContains:
      return ContainsIgnoringCase(cell, Trim(leaf.operands[0].text));
    case Op::kStartsWith: {
      std::string_view needle = Trim(leaf.operands[0].text);
      return needle.size() <= cell.size() && IEquals(cell.substr(0, needle.size()), needle);
    }
    case Op::kEndsWith: {
      std::string_view needle = Trim(leaf.operands[0].text);
      return needle.size() <= cell.size() &&
             IEquals(cell.substr(cell.size() - needle.size()), needle);
    }
    case Op::kMatches:
      return leaf.regex != nullptr &&
             RE2::PartialMatch(re2::StringPiece(cell.data(), cell.size()), *leaf.regex);
    case Op::kInList:
      if (list == nullptr) return false;
      for (const std::string& v : list->values) {
        if (IEquals(cell, Trim(v))) return true;
      }
      return false;
    case Op::kExists:
      break;
  }
  return false;
}

int ConditionSet::Add(const model::Condition& condition, const Dataset& data,
                      const model::Model& model) {
  const int index = static_cast<int>(nodes_.size());
  nodes_.push_back(Node{condition.kind, 0, 0});
  if (condition.kind == model::Condition::Kind::kLeaf) {
    Leaf leaf;
    leaf.condition = &condition;
    leaf.source = condition.field.source;
    const ColumnSet* columns = nullptr;
    switch (leaf.source) {
      case model::FieldSource::kLead:
        columns = &data.leads.fields;
        break;
      case model::FieldSource::kAccount:
        columns = &data.accounts.fields;
        break;
      case model::FieldSource::kEvent:
        columns = &data.events.props;
        break;
    }
    const Column* column = columns->Find(condition.field.key);
    if (column != nullptr && column->in_file) leaf.column = column;
    const model::NamedList* list = nullptr;
    if (condition.op == Op::kInList) list = model.FindList(condition.operands[0].text);
    size_t values = leaf.column == nullptr ? 1 : leaf.column->values.size();
    leaf.truth.resize(values);
    leaf.truth[0] = EvalLeafOnValue(condition, false, {}, list);
    for (size_t v = 1; v < values; ++v) {
      leaf.truth[v] = EvalLeafOnValue(condition, true, leaf.column->values[v], list);
    }
    leaf.codes = leaf.column == nullptr ? nullptr : leaf.column->codes.data();
    leaf.truth_data = leaf.truth.data();
    nodes_[static_cast<size_t>(index)].first = static_cast<uint32_t>(leaves_.size());
    leaves_.push_back(std::move(leaf));
    return index;
  }
  std::vector<uint32_t> children;
  for (const model::Condition& child : condition.children) {
    children.push_back(static_cast<uint32_t>(Add(child, data, model)));
  }
  Node& node = nodes_[static_cast<size_t>(index)];
  node.first = static_cast<uint32_t>(kids_.size());
  node.count = static_cast<uint32_t>(children.size());
  kids_.insert(kids_.end(), children.begin(), children.end());
  return index;
}

bool ConditionSet::Eval(int index, uint32_t lead_row, int32_t account_row,
                        uint32_t event_row) const {
  const Node& node = nodes_[static_cast<size_t>(index)];
  switch (node.kind) {
    case model::Condition::Kind::kLeaf: {
      const Leaf& leaf = leaves_[node.first];
      return leaf.truth[CodeOf(leaf, lead_row, account_row, event_row)] != 0;
    }
    case model::Condition::Kind::kAll:
      for (uint32_t k = 0; k < node.count; ++k) {
        if (!Eval(static_cast<int>(kids_[node.first + k]), lead_row, account_row, event_row)) {
          return false;
        }
      }
      return true;
    case model::Condition::Kind::kAny:
      for (uint32_t k = 0; k < node.count; ++k) {
        if (Eval(static_cast<int>(kids_[node.first + k]), lead_row, account_row, event_row)) {
          return true;
        }
      }
      return false;
    case model::Condition::Kind::kNot:
      return !Eval(static_cast<int>(kids_[node.first]), lead_row, account_row, event_row);
  }
  return false;
}

void ConditionSet::EvalBlock(int index, uint32_t first, uint32_t n, const int32_t* account,
                             uint8_t* out, std::vector<std::vector<uint8_t>>& temp,
                             size_t depth) const {
  const Node& node = nodes_[static_cast<size_t>(index)];
  switch (node.kind) {
    case model::Condition::Kind::kLeaf: {
      const Leaf& leaf = leaves_[node.first];
      const uint8_t* truth = leaf.truth_data;
      if (leaf.codes == nullptr || leaf.source == model::FieldSource::kEvent) {
        // No column, or an event field read outside an event (EvalLead reads event row 0).
        std::memset(out, truth[CodeOf(leaf, first, -1, 0)], n);
        return;
      }
      if (leaf.source == model::FieldSource::kLead) {
        const uint32_t* codes = leaf.codes + first;
        for (uint32_t i = 0; i < n; ++i) out[i] = truth[codes[i]];
      } else {
        const uint32_t* codes = leaf.codes;
        const int32_t* acct = account + first;
        for (uint32_t i = 0; i < n; ++i) {
          out[i] = truth[acct[i] < 0 ? 0 : codes[static_cast<uint32_t>(acct[i])]];
        }
      }
      return;
    }
    case model::Condition::Kind::kNot:
      EvalBlock(static_cast<int>(kids_[node.first]), first, n, account, out, temp, depth + 1);
      for (uint32_t i = 0; i < n; ++i) out[i] ^= 1;
      return;
    case model::Condition::Kind::kAll:
    case model::Condition::Kind::kAny: {
      // An empty all holds, an empty any does not (as Eval).
      const bool all = node.kind == model::Condition::Kind::kAll;
      std::memset(out, all ? 1 : 0, n);
      if (temp.size() <= depth) temp.resize(depth + 1);
      if (temp[depth].size() < n) temp[depth].resize(n);
      for (uint32_t k = 0; k < node.count; ++k) {
        // Children may grow `temp` (moving its vectors, not their buffers): read the buffer
        // again after each.
        EvalBlock(static_cast<int>(kids_[node.first + k]), first, n, account, temp[depth].data(),
                  temp, depth + 1);
        const uint8_t* kid = temp[depth].data();
        if (all) {
          for (uint32_t i = 0; i < n; ++i) out[i] &= kid[i];
        } else {
          for (uint32_t i = 0; i < n; ++i) out[i] |= kid[i];
        }
      }
      return;
    }
  }
}

void ConditionSet::CollectLeaves(int index, std::vector<int>& out) const {
  const Node& node = nodes_[static_cast<size_t>(index)];
  if (node.kind == model::Condition::Kind::kLeaf) {
    out.push_back(static_cast<int>(node.first));
    return;
  }
  for (uint32_t k = 0; k < node.count; ++k) {
    CollectLeaves(static_cast<int>(kids_[node.first + k]), out);
  }
}

std::vector<ConditionSet::LeafReading> ConditionSet::ReadLeaves(int root, uint32_t lead_row,
                                                                int32_t account_row,
                                                                uint32_t event_row) const {
  std::vector<int> leaf_indices;
  CollectLeaves(root, leaf_indices);
  std::vector<LeafReading> out;
  for (int i : leaf_indices) {
    const Leaf& leaf = leaves_[static_cast<size_t>(i)];
    uint32_t code = CodeOf(leaf, lead_row, account_row, event_row);
    std::string_view value = code == 0 ? std::string_view() : leaf.column->values[code];
    out.push_back(LeafReading{leaf.condition, code != 0, value});
  }
  return out;
}

}  // namespace leadq::engine
