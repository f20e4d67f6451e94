// Conditions of the model bound to the columns of a data set.
//
// Every leaf of MODEL.md compares one cell; since a column is dictionary-encoded, a leaf is
// evaluated once per distinct value when the model is bound (its "truth table"), and a row's
// answer is a table look-up. EvalLeafOnValue holds the exact MODEL.md semantics of one leaf on
// one cell and is the only place they are written.
//
// Example:
//   ConditionSet set;
//   int root = set.Add(rule.when, data, model);
//   bool holds = set.EvalLead(root, lead_row, account_row);
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/dataset.h"
#include "model/model.h"

namespace leadq::engine {

// MODEL.md "Conditions" for one leaf on one cell. `cell` is the cell as read (it is trimmed
// here); `present` is false for a missing value. `list` is the named list of an in_list leaf
// (nullptr otherwise). Pure and thread-safe.
bool EvalLeafOnValue(const model::Condition& leaf, bool present, std::string_view cell,
                     const model::NamedList* list);

// All conditions of a compiled model, flattened into arrays and bound to a data set. Not
// copyable (leaves point into the data set's columns, which must outlive it). Evaluation is
// const and thread-safe.
class ConditionSet {
 public:
  ConditionSet() = default;
  ConditionSet(ConditionSet&&) = default;
  ConditionSet& operator=(ConditionSet&&) = default;
  ConditionSet(const ConditionSet&) = delete;
  ConditionSet& operator=(const ConditionSet&) = delete;

  // Binds `condition` (and its children) and returns its root index.
  int Add(const model::Condition& condition, const Dataset& data, const model::Model& model);

  bool EvalLead(int root, uint32_t lead_row, int32_t account_row) const {
    return EvalInline(root, lead_row, account_row, 0);
  }
  bool EvalEvent(int root, uint32_t event_row) const { return EvalInline(root, 0, -1, event_row); }

  // EvalLead for leads [first, first + n) at once, a column at a time: out[i] is 1 when `root`
  // holds for lead first + i, else 0. `account` is the account row of every lead
  // (LeadTable::account). `temp` is scratch space, grown on first use.
  void EvalLeadBlock(int root, uint32_t first, uint32_t n, const int32_t* account, uint8_t* out,
                     std::vector<std::vector<uint8_t>>& temp) const {
    EvalBlock(root, first, n, account, out, temp, 0);
  }

  // The leaves under `root`, with the value each one read for a lead (for explanations).
  struct LeafReading {
    const model::Condition* leaf;
    bool present;
    std::string_view value;
  };
  std::vector<LeafReading> ReadLeaves(int root, uint32_t lead_row, int32_t account_row,
                                      uint32_t event_row) const;

 private:
  struct Leaf {
    const model::Condition* condition = nullptr;
    model::FieldSource source = model::FieldSource::kLead;
    const Column* column = nullptr;  // nullptr: the column does not exist, always missing
    std::vector<uint8_t> truth;      // by code; truth[0] is the answer for a missing value
    // Raw views of column->codes and truth, so that a row's answer is two loads.
    const uint32_t* codes = nullptr;
    const uint8_t* truth_data = nullptr;
  };
  struct Node {
    model::Condition::Kind kind = model::Condition::Kind::kLeaf;
    uint32_t first = 0;  // kids_ index of the first child, or leaves_ index for a leaf
    uint32_t count = 0;
  };

  static uint32_t CodeOf(const Leaf& leaf, uint32_t lead_row, int32_t account_row,
                         uint32_t event_row) {
    if (leaf.codes == nullptr) return 0;
    switch (leaf.source) {
      case model::FieldSource::kLead:
        return leaf.codes[lead_row];
      case model::FieldSource::kAccount:
        return account_row < 0 ? 0 : leaf.codes[static_cast<uint32_t>(account_row)];
      case model::FieldSource::kEvent:
        return leaf.codes[event_row];
    }
    return 0;
  }

  bool Eval(int index, uint32_t lead_row, int32_t account_row, uint32_t event_row) const;
  void EvalBlock(int index, uint32_t first, uint32_t n, const int32_t* account, uint8_t* out,
                 std::vector<std::vector<uint8_t>>& temp, size_t depth) const;
  // Most conditions are a single leaf: answer those here, without the recursive call.
  bool EvalInline(int index, uint32_t lead_row, int32_t account_row, uint32_t event_row) const {
    const Node& node = nodes_[static_cast<size_t>(index)];
    if (node.kind != model::Condition::Kind::kLeaf) {
      return Eval(index, lead_row, account_row, event_row);
    }
    const Leaf& leaf = leaves_[node.first];
    return leaf.truth_data[CodeOf(leaf, lead_row, account_row, event_row)] != 0;
  }
  void CollectLeaves(int index, std::vector<int>& out) const;

  std::vector<Node> nodes_;
  std::vector<uint32_t> kids_;
  std::vector<Leaf> leaves_;
};

}  // namespace leadq::engine
