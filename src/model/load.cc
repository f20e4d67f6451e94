// LoadModel and ParseModel (model.h): TOML text to a validated Model.
//
// The loader walks the parsed TOML once. Every mistake becomes a Diagnostic at the position of
// the offending key or value and the walk goes on, so that one run reports them all. Each
// top-level section has a parse function in kSections; to add a section, write its function
// and add a row there. toml++ exceptions never leave this file.

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "core/text.h"
#include "model/model.h"

namespace leadq::model {
namespace {

// ---------------------------------------------------------------------------------------------
// Diagnostics and the state shared by the section parsers.

enum class GradeState { kAbsent, kInvalid, kValid };

struct LoadContext {
  LoadContext(Model& m, std::filesystem::path d) : model(m), dir(std::move(d)) {}

  void Error(SourcePos pos, std::string message) {
    errors.push_back(Diagnostic{pos, std::move(message), true});
  }
  void Warn(SourcePos pos, std::string message) {
    warnings.push_back(Diagnostic{pos, std::move(message), false});
  }

  Model& model;
  std::filesystem::path dir;  // list files are read relative to it
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  // Set by [grades]: the cells ("A1") that name a (fit grade, intent grade) pair.
  GradeState grades = GradeState::kAbsent;
  std::set<std::string, std::less<>> cells;
};

SourcePos PosOf(const toml::source_region& region) {
  return SourcePos{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}
SourcePos PosOf(const toml::node& node) { return PosOf(node.source()); }
SourcePos PosOf(const toml::key& key) { return PosOf(key.source()); }

bool Before(SourcePos a, SourcePos b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

void SortByPosition(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return Before(a.pos, b.pos); });
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The shortest text that reads back as `value` ("50", "0.5", "nan").
std::string FormatNumber(double value) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "?";
  return std::string(buf.data(), end);
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// ---------------------------------------------------------------------------------------------
// "Did you mean": the known name a misspelt one most likely stands for.

// Optimal string alignment distance (a transposition counts as one edit).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// The entry of `known` closest to `name` (ignoring ASCII case) when it is close enough to be a
// slip: a third of the letters wrong at most, or one a prefix of the other ("equals", "eq").
// Ties go to the longer common prefix. Empty when nothing is close.
std::string_view ClosestName(std::string_view name, std::span<const std::string_view> known) {
  std::string lower = AsciiLower(name);
  std::string_view best;
  size_t best_distance = 0;
  size_t best_prefix = 0;
  for (std::string_view candidate : known) {
    std::string other = AsciiLower(candidate);
    size_t distance = EditDistance(lower, other);
    size_t prefix = CommonPrefix(lower, other);
    size_t longer = std::max(lower.size(), other.size());
    size_t shorter = std::min(lower.size(), other.size());
    bool close = distance <= std::max<size_t>(1, longer / 3) || (prefix == shorter && shorter >= 2);
    if (!close) continue;
    if (best.empty() || distance < best_distance ||
        (distance == best_distance && prefix > best_prefix)) {
      best = candidate;
      best_distance = distance;
      best_prefix = prefix;
    }
  }
  return best;
}

// "; did you mean \"eq\"?" or nothing.
std::string DidYouMean(std::string_view name, std::span<const std::string_view> known) {
  std::string_view best = ClosestName(name, known);
  if (best.empty()) return "";
  return "; did you mean " + Quote(best) + "?";
}

// ---------------------------------------------------------------------------------------------
// Reading keys and values. Each reader reports what is wrong and returns nothing.

using KeyAndValue = std::pair<const toml::key*, const toml::node*>;

// The entries of `table` in the order they were written (toml++ keeps them sorted by key).
std::vector<KeyAndValue> InFileOrder(const toml::table& table) {
  std::vector<KeyAndValue> entries;
  for (auto&& [key, node] : table) entries.emplace_back(&key, &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return Before(PosOf(*a.first), PosOf(*b.first));
  });
  return entries;
}

// Reports every key of `table` that is not in `known`; `where` names the table ("[fit]").
void CheckKeys(LoadContext& ctx, const toml::table& table, std::span<const std::string_view> known,
               std::string_view where) {
  for (auto&& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    ctx.Error(PosOf(key), "unknown key " + Quote(key.str()) + " in " + std::string(where) +
                              DidYouMean(key.str(), known));
  }
}

// The value of `key`, or nullptr (reported) when `table` lacks it.
const toml::node* Require(LoadContext& ctx, const toml::table& table, std::string_view key,
                          std::string_view where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    ctx.Error(PosOf(table), "missing required key " + Quote(key) + " in " + std::string(where));
  }
  return node;
}

const toml::table* AsTable(LoadContext& ctx, const toml::node& node, std::string_view where) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    ctx.Error(PosOf(node),
              std::string(where) + " must be a table, got " + std::string(TypeName(node)));
  }
  return table;
}

// The tables of an array of tables ("[[negative]]").
std::vector<const toml::table*> AsTables(LoadContext& ctx, const toml::node& node,
                                         std::string_view where) {
  std::vector<const toml::table*> tables;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node), std::string(where) + " must be an array of tables, got " +
                               std::string(TypeName(node)) + "; write each entry as " +
                               std::string(where));
    return tables;
  }
  for (const toml::node& element : *array) {
    if (const toml::table* table = element.as_table()) {
      tables.push_back(table);
    } else {
      ctx.Error(PosOf(element), std::string(where) + " must hold only tables, got " +
                                    std::string(TypeName(element)));
    }
  }
  return tables;
}

// A finite number (TOML integers become doubles); `subject` names it in messages.
std::optional<double> ReadNumber(LoadContext& ctx, const toml::node& node,
                                 std::string_view subject) {
  if (const auto* integer = node.as_integer()) return static_cast<double>(integer->get());
  if (const auto* floating = node.as_floating_point()) {
    double value = floating->get();
    if (std::isfinite(value)) return value;
    ctx.Error(PosOf(node),
              std::string(subject) + " must be a finite number, got " + FormatNumber(value));
    return std::nullopt;
  }
  ctx.Error(PosOf(node),
            std::string(subject) + " must be a number, got " + std::string(TypeName(node)));
  return std::nullopt;
}

std::optional<double> ReadNonNegative(LoadContext& ctx, const toml::node& node,
                                      std::string_view subject) {
  std::optional<double> value = ReadNumber(ctx, node, subject);
  if (value && *value < 0) {
    ctx.Error(PosOf(node), std::string(subject) + " must be >= 0, got " + FormatNumber(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> ReadNonPositive(LoadContext& ctx, const toml::node& node,
                                      std::string_view subject) {
  std::optional<double> value = ReadNumber(ctx, node, subject);
  if (value && *value > 0) {
    ctx.Error(PosOf(node), std::string(subject) + " must be <= 0, got " + FormatNumber(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> ReadString(LoadContext& ctx, const toml::node& node,
                                      std::string_view subject) {
  if (const auto* text = node.as_string()) return text->get();
  ctx.Error(PosOf(node),
            std::string(subject) + " must be a string, got " + std::string(TypeName(node)));
  return std::nullopt;
}

// A string that names something: trimmed, and not empty.
std::optional<std::string> ReadName(LoadContext& ctx, const toml::node& node,
                                    std::string_view subject) {
  std::optional<std::string> text = ReadString(ctx, node, subject);
  if (!text) return std::nullopt;
  std::string name(Trim(*text));
  if (name.empty()) {
    ctx.Error(PosOf(node), std::string(subject) + " must not be empty");
    return std::nullopt;
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// Conditions.

// Which fields a condition may test: [[intent.event]] `when` tests the event being counted;
// every other condition tests the lead and its account.
enum class FieldScope { kLeadAndAccount, kEvent };

// What the operand of an operator must be (MODEL.md, "Conditions").
enum class OperandShape { kScalar, kScalarList, kNumber, kRange, kString, kPattern, kBool, kList };

constexpr std::array kAllOps = {Op::kEq,      Op::kNe,       Op::kIn,         Op::kNotIn,
                                Op::kGt,      Op::kGte,      Op::kLt,         Op::kLte,
                                Op::kBetween, Op::kContains, Op::kStartsWith, Op::kEndsWith,
                                Op::kMatches, Op::kExists,   Op::kInList};

// The keys of a condition that are not operators.
constexpr std::array<std::string_view, 4> kStructureKeys = {"all", "any", "not", "field"};

OperandShape ShapeOf(Op op) {
  switch (op) {
    case Op::kEq:
    case Op::kNe:
      return OperandShape::kScalar;
    case Op::kIn:
    case Op::kNotIn:
      return OperandShape::kScalarList;
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte:
      return OperandShape::kNumber;
    case Op::kBetween:
      return OperandShape::kRange;
    case Op::kContains:
    case Op::kStartsWith:
    case Op::kEndsWith:
      return OperandShape::kString;
    case Op::kMatches:
      return OperandShape::kPattern;
    case Op::kExists:
      return OperandShape::kBool;
    case Op::kInList:
      return OperandShape::kList;
  }
  return OperandShape::kScalar;
}

std::optional<Op> FindOp(std::string_view name) {
  for (Op op : kAllOps) {
    if (OpName(op) == name) return op;
  }
  return std::nullopt;
}

// Every key a condition may hold, for suggestions.
std::vector<std::string_view> ConditionKeys() {
  std::vector<std::string_view> keys(kStructureKeys.begin(), kStructureKeys.end());
  for (Op op : kAllOps) keys.push_back(OpName(op));
  return keys;
}

std::string OpList() {
  std::string out;
  for (Op op : kAllOps) {
    if (!out.empty()) out += ", ";
    out += OpName(op);
  }
  return out;
}

Operand StringOperand(std::string text) {
  Operand operand;
  operand.kind = Operand::Kind::kString;
  operand.text = std::move(text);
  return operand;
}

Operand NumberOperand(double number) {
  Operand operand;
  operand.kind = Operand::Kind::kNumber;
  operand.number = number;
  operand.text = FormatNumber(number);
  return operand;
}

Operand BoolOperand(bool value) {
  Operand operand;
  operand.kind = Operand::Kind::kBool;
  operand.boolean = value;
  operand.text = value ? "true" : "false";
  return operand;
}

bool IsNumber(const toml::node& node) { return node.is_integer() || node.is_floating_point(); }

// A string or a finite number (and a boolean when `allow_bool`).
std::optional<Operand> ReadScalar(LoadContext& ctx, const toml::node& node, std::string_view op,
                                  bool allow_bool, std::string_view expected) {
  if (const auto* text = node.as_string()) return StringOperand(text->get());
  if (IsNumber(node)) {
    std::optional<double> number = ReadNumber(ctx, node, op);
    if (!number) return std::nullopt;
    return NumberOperand(*number);
  }
  if (allow_bool && node.is_boolean()) return BoolOperand(node.as_boolean()->get());
  ctx.Error(PosOf(node), std::string(op) + " must be " + std::string(expected) + ", got " +
                             std::string(TypeName(node)));
  return std::nullopt;
}

bool ReadScalarList(LoadContext& ctx, const toml::node& node, std::string_view op, Condition& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node), std::string(op) + " must be an array of strings or numbers, got " +
                               std::string(TypeName(node)));
    return false;
  }
  if (array->empty()) {
    ctx.Error(PosOf(node), std::string(op) + " must not be empty");
    return false;
  }
  bool ok = true;
  for (const toml::node& element : *array) {
    std::optional<Operand> operand =
        ReadScalar(ctx, element, op, /*allow_bool=*/false, "an array of strings or numbers");
    if (operand) {
      out.operands.push_back(std::move(*operand));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool ReadRange(LoadContext& ctx, const toml::node& node, std::string_view op, Condition& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr || array->size() != 2) {
    std::string got = array == nullptr ? std::string(TypeName(node))
                                       : "an array of " + std::to_string(array->size());
    ctx.Error(PosOf(node), std::string(op) + " must be [lo, hi], two numbers, got " + got);
    return false;
  }
  std::optional<double> lo = ReadNumber(ctx, *array->get(0), op);
  std::optional<double> hi = ReadNumber(ctx, *array->get(1), op);
  if (!lo || !hi) return false;
  if (*lo > *hi) {
    ctx.Error(PosOf(node), std::string(op) + " must have lo <= hi, got [" + FormatNumber(*lo) +
                               ", " + FormatNumber(*hi) + "]");
    return false;
  }
  out.operands = {NumberOperand(*lo), NumberOperand(*hi)};
  return true;
}

bool ReadPattern(LoadContext& ctx, const toml::node& node, std::string_view op, Condition& out) {
  std::optional<std::string> pattern = ReadString(ctx, node, op);
  if (!pattern) return false;
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(*pattern, options);
  if (!regex->ok()) {
    ctx.Error(PosOf(node), "bad regular expression " + Quote(*pattern) + ": " + regex->error());
    return false;
  }
  out.operands.push_back(StringOperand(std::move(*pattern)));
  out.regex = std::move(regex);
  return true;
}

bool ReadListName(LoadContext& ctx, const toml::node& node, std::string_view op, Condition& out) {
  std::optional<std::string> name = ReadString(ctx, node, op);
  if (!name) return false;
  if (ctx.model.FindList(*name) == nullptr) {
    std::vector<std::string_view> known;
    for (const NamedList& list : ctx.model.lists) known.push_back(list.name);
    std::string hint = known.empty() ? " (the model has no [lists])" : DidYouMean(*name, known);
    ctx.Error(PosOf(node), "unknown list " + Quote(*name) + hint);
    return false;
  }
  out.operands.push_back(StringOperand(std::move(*name)));
  return true;
}

// Reads the operand of `out.op` from `node` into `out`.
bool ReadOperand(LoadContext& ctx, const toml::node& node, Condition& out) {
  std::string_view op = OpName(out.op);
  switch (ShapeOf(out.op)) {
    case OperandShape::kScalar: {
      auto operand =
          ReadScalar(ctx, node, op, /*allow_bool=*/true, "a string, a number or a boolean");
      if (operand) out.operands.push_back(std::move(*operand));
      return operand.has_value();
    }
    case OperandShape::kScalarList:
      return ReadScalarList(ctx, node, op, out);
    case OperandShape::kNumber: {
      std::optional<double> number = ReadNumber(ctx, node, op);
      if (number) out.operands.push_back(NumberOperand(*number));
      return number.has_value();
    }
    case OperandShape::kRange:
      return ReadRange(ctx, node, op, out);
    case OperandShape::kString: {
      std::optional<std::string> text = ReadString(ctx, node, op);
      if (text) out.operands.push_back(StringOperand(std::move(*text)));
      return text.has_value();
    }
    case OperandShape::kPattern:
      return ReadPattern(ctx, node, op, out);
    case OperandShape::kBool: {
      if (!node.is_boolean()) {
        ctx.Error(PosOf(node),
                  std::string(op) + " must be a boolean, got " + std::string(TypeName(node)));
        return false;
      }
      out.operands.push_back(BoolOperand(node.as_boolean()->get()));
      return true;
    }
    case OperandShape::kList:
      return ReadListName(ctx, node, op, out);
  }
  return false;
}

// "lead.industry": the source prefix and the column key, allowed in `scope`.
std::optional<FieldRef> ReadField(LoadContext& ctx, const toml::node& node, FieldScope scope) {
  std::optional<std::string> text = ReadString(ctx, node, "field");
  if (!text) return std::nullopt;
  std::string_view written = Trim(*text);
  size_t dot = written.find('.');
  std::string_view prefix = dot == std::string_view::npos ? "" : written.substr(0, dot);
  FieldRef field;
  field.text = *text;
  if (IEquals(prefix, "lead")) {
    field.source = FieldSource::kLead;
  } else if (IEquals(prefix, "account")) {
    field.source = FieldSource::kAccount;
  } else if (IEquals(prefix, "event")) {
    field.source = FieldSource::kEvent;
  } else {
    ctx.Error(PosOf(node),
              "field " + Quote(*text) + " must be lead.<key>, account.<key> or event.<key>");
    return std::nullopt;
  }
  field.key = ColumnKey(written.substr(dot + 1));
  if (field.key.empty()) {
    ctx.Error(PosOf(node), "field " + Quote(*text) + " names no column");
    return std::nullopt;
  }
  bool is_event = field.source == FieldSource::kEvent;
  if (scope == FieldScope::kEvent && !is_event) {
    ctx.Error(PosOf(node), "field " + Quote(*text) +
                               " is not allowed in an [[intent.event]] condition, which tests "
                               "the event's properties (event.<key>)");
    return std::nullopt;
  }
  if (scope == FieldScope::kLeadAndAccount && is_event) {
    ctx.Error(PosOf(node),
              "field " + Quote(*text) + " is only allowed in an [[intent.event]] condition");
    return std::nullopt;
  }
  return field;
}

std::optional<Condition> ReadCondition(LoadContext& ctx, const toml::node& node, FieldScope scope,
                                       std::string_view subject);

// The operator keys of a leaf, in file order; reports the keys that are no operator.
std::vector<KeyAndValue> CollectOperators(LoadContext& ctx, const toml::table& table,
                                          bool& saw_unknown) {
  std::vector<KeyAndValue> ops;
  std::vector<std::string_view> known = ConditionKeys();
  for (const auto& [key, node] : InFileOrder(table)) {
    if (key->str() == "field") continue;
    if (FindOp(key->str())) {
      ops.emplace_back(key, node);
      continue;
    }
    ctx.Error(PosOf(*key), "unknown operator " + Quote(key->str()) + DidYouMean(key->str(), known));
    saw_unknown = true;
  }
  return ops;
}

// { field = "lead.x", OP = VALUE }
std::optional<Condition> ReadLeaf(LoadContext& ctx, const toml::table& table, FieldScope scope) {
  bool saw_unknown = false;
  std::vector<KeyAndValue> ops = CollectOperators(ctx, table, saw_unknown);
  const toml::node* field_node = Require(ctx, table, "field", "condition");
  std::optional<FieldRef> field;
  if (field_node != nullptr) field = ReadField(ctx, *field_node, scope);
  std::string on = field_node != nullptr && field_node->is_string()
                       ? " on " + Quote(field_node->as_string()->get())
                       : "";
  if (ops.empty()) {
    // After an unknown operator, "no operator" would only repeat it.
    if (!saw_unknown) {
      ctx.Error(PosOf(table), "condition" + on + " has no operator; use one of " + OpList());
    }
    return std::nullopt;
  }
  if (ops.size() > 1) {
    ctx.Error(PosOf(*ops[1].first), "condition" + on + " has more than one operator (" +
                                        std::string(ops[0].first->str()) + ", " +
                                        std::string(ops[1].first->str()) +
                                        "); use exactly one, and all = [...] to combine tests");
    return std::nullopt;
  }
  Condition condition;
  condition.kind = Condition::Kind::kLeaf;
  condition.pos = PosOf(table);
  condition.op = *FindOp(ops[0].first->str());
  bool operand_ok = ReadOperand(ctx, *ops[0].second, condition);
  if (!operand_ok || !field || saw_unknown) return std::nullopt;
  condition.field = std::move(*field);
  return condition;
}

// { all = [...] }, { any = [...] }, { not = C }
std::optional<Condition> ReadCombinator(LoadContext& ctx, const toml::table& table,
                                        const toml::key& key, const toml::node& value,
                                        FieldScope scope) {
  std::string_view name = key.str();
  if (table.size() != 1) {
    std::string others;
    for (const auto& [other, node] : InFileOrder(table)) {
      if (other->str() == name) continue;
      others += others.empty() ? "" : ", ";
      others += Quote(other->str());
    }
    ctx.Error(PosOf(table), "a condition with " + Quote(name) + " cannot also have " + others +
                                "; put each test in its own condition");
    return std::nullopt;
  }
  Condition condition;
  condition.pos = PosOf(table);
  if (name == "not") {
    condition.kind = Condition::Kind::kNot;
    std::optional<Condition> child = ReadCondition(ctx, value, scope, "not");
    if (!child) return std::nullopt;
    condition.children.push_back(std::move(*child));
    return condition;
  }
  condition.kind = name == "all" ? Condition::Kind::kAll : Condition::Kind::kAny;
  const toml::array* array = value.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(value), std::string(name) + " must be an array of conditions, got " +
                                std::string(TypeName(value)));
    return std::nullopt;
  }
  if (array->empty()) {
    ctx.Error(PosOf(value), std::string(name) + " must not be empty");
    return std::nullopt;
  }
  bool ok = true;
  std::string subject = "each element of " + std::string(name);
  for (const toml::node& element : *array) {
    std::optional<Condition> child = ReadCondition(ctx, element, scope, subject);
    if (child) {
      condition.children.push_back(std::move(*child));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return condition;
}

// A condition (MODEL.md "Conditions"); `subject` names it in messages ("when").
std::optional<Condition> ReadCondition(LoadContext& ctx, const toml::node& node, FieldScope scope,
                                       std::string_view subject) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    ctx.Error(PosOf(node), std::string(subject) + " must be a condition (an inline table such as " +
                               "{ field = \"lead.x\", eq = \"y\" }), got " +
                               std::string(TypeName(node)));
    return std::nullopt;
  }
  for (std::string_view combinator : {"all", "any", "not"}) {
    auto it = table->find(combinator);
    if (it != table->end()) return ReadCombinator(ctx, *table, it->first, it->second, scope);
  }
  return ReadLeaf(ctx, *table, scope);
}

// ---------------------------------------------------------------------------------------------
// [model] and [lists]

void ParseModelInfo(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[model]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"name", "description"};
  CheckKeys(ctx, *table, kKeys, "[model]");
  if (const toml::node* name = table->get("name")) {
    if (auto text = ReadString(ctx, *name, "name")) ctx.model.name = std::string(Trim(*text));
  }
  if (const toml::node* description = table->get("description")) {
    if (auto text = ReadString(ctx, *description, "description")) ctx.model.description = *text;
  }
}

// The bytes of a file. NotFound "no such file" when it does not exist, IoError otherwise; the
// messages do not repeat the path.
Result<std::string> ReadFileBytes(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return Status::NotFound("no such file");
  if (std::filesystem::is_directory(status)) return Status::IoError("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("read failed");
  return bytes;
}

// One entry a line; '#' starts a comment; entries trimmed; blank lines skipped.
std::vector<std::string> SplitListFile(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::vector<std::string> values;
  while (!bytes.empty()) {
    size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (!line.empty()) values.emplace_back(line);
  }
  return values;
}

void ReadListFile(LoadContext& ctx, const toml::table& table, NamedList& list) {
  static constexpr std::array<std::string_view, 1> kKeys = {"file"};
  std::string where = "list " + Quote(list.name);
  CheckKeys(ctx, table, kKeys, where);
  const toml::node* file = Require(ctx, table, "file", where);
  if (file == nullptr) return;
  std::optional<std::string> name = ReadName(ctx, *file, "file");
  if (!name) return;
  std::filesystem::path path = ctx.dir / *name;
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) {
    ctx.Error(PosOf(*file),
              "cannot read list file " + Quote(path.string()) + ": " + bytes.status().message());
    return;
  }
  list.values = SplitListFile(*bytes);
  list.file = path.string();
}

void ReadInlineList(LoadContext& ctx, const toml::array& array, NamedList& list) {
  for (const toml::node& element : array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      ctx.Error(PosOf(element), "list " + Quote(list.name) + " must hold only strings, got " +
                                    std::string(TypeName(element)));
      continue;
    }
    std::string_view value = Trim(text->get());
    if (!value.empty()) list.values.emplace_back(value);
  }
}

void ParseLists(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[lists]");
  if (table == nullptr) return;
  for (const auto& [key, value] : InFileOrder(*table)) {
    NamedList list;
    list.name = std::string(key->str());
    list.pos = PosOf(*key);
    if (const toml::array* array = value->as_array()) {
      ReadInlineList(ctx, *array, list);
    } else if (const toml::table* file = value->as_table()) {
      ReadListFile(ctx, *file, list);
    } else {
      ctx.Error(PosOf(*value), "list " + Quote(list.name) +
                                   " must be an array of strings or { file = \"...\" }, got " +
                                   std::string(TypeName(*value)));
    }
    ctx.model.lists.push_back(std::move(list));
  }
}

// ---------------------------------------------------------------------------------------------
// [fit], [intent], [[negative]], [score]

FitRule ReadFitRule(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 3> kKeys = {"name", "when", "points"};
  static constexpr std::string_view kWhere = "[[fit.rule]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  FitRule rule;
  rule.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    rule.name = ReadName(ctx, *name, "name").value_or("");
  }
  if (const toml::node* when = Require(ctx, table, "when", kWhere)) {
    auto condition = ReadCondition(ctx, *when, FieldScope::kLeadAndAccount, "when");
    if (condition) rule.when = std::move(*condition);
  }
  if (const toml::node* points = Require(ctx, table, "points", kWhere)) {
    rule.points = ReadNumber(ctx, *points, "points").value_or(0);
    rule.points_pos = PosOf(*points);
  }
  return rule;
}

void ParseFit(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[fit]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"max", "rule"};
  CheckKeys(ctx, *table, kKeys, "[fit]");
  if (const toml::node* max = table->get("max")) {
    ctx.model.fit.max = ReadNonNegative(ctx, *max, "max").value_or(ctx.model.fit.max);
  }
  const toml::node* rules = table->get("rule");
  if (rules == nullptr) return;
  std::map<std::string, int, std::less<>> first_line;
  for (const toml::table* rule_table : AsTables(ctx, *rules, "[[fit.rule]]")) {
    FitRule rule = ReadFitRule(ctx, *rule_table);
    const toml::node* name = rule_table->get("name");
    if (!rule.name.empty()) {
      auto [it, inserted] = first_line.emplace(rule.name, PosOf(*name).line);
      if (!inserted) {
        ctx.Error(PosOf(*name), "duplicate fit rule name " + Quote(rule.name) + " (first at line " +
                                    std::to_string(it->second) + ")");
      }
    }
    ctx.model.fit.rules.push_back(std::move(rule));
  }
}

IntentEntry ReadIntentEntry(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 6> kKeys = {"name", "type",           "points",
                                                            "cap",  "half_life_days", "when"};
  static constexpr std::string_view kWhere = "[[intent.event]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  IntentEntry entry;
  entry.pos = PosOf(table);
  if (const toml::node* name = table.get("name")) {
    entry.name = ReadName(ctx, *name, "name").value_or("");
  }
  if (const toml::node* type = Require(ctx, table, "type", kWhere)) {
    entry.type = ReadName(ctx, *type, "type").value_or("");
  }
  if (const toml::node* points = Require(ctx, table, "points", kWhere)) {
    entry.points = ReadNonNegative(ctx, *points, "points").value_or(0);
    entry.points_pos = PosOf(*points);
  }
  if (const toml::node* cap = table.get("cap")) entry.cap = ReadNonNegative(ctx, *cap, "cap");
  if (const toml::node* half_life = table.get("half_life_days")) {
    entry.half_life_days = ReadNonNegative(ctx, *half_life, "half_life_days");
  }
  if (const toml::node* when = table.get("when")) {
    entry.when = ReadCondition(ctx, *when, FieldScope::kEvent, "when");
  }
  return entry;
}

void ParseIntent(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[intent]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 4> kKeys = {"max", "half_life_days", "window_days",
                                                            "event"};
  CheckKeys(ctx, *table, kKeys, "[intent]");
  IntentSection& intent = ctx.model.intent;
  if (const toml::node* max = table->get("max")) {
    intent.max = ReadNonNegative(ctx, *max, "max").value_or(intent.max);
  }
  if (const toml::node* half_life = table->get("half_life_days")) {
    intent.half_life_days = ReadNonNegative(ctx, *half_life, "half_life_days").value_or(0);
  }
  if (const toml::node* window = table->get("window_days")) {
    intent.window_days = ReadNonNegative(ctx, *window, "window_days").value_or(0);
  }
  if (const toml::node* events = table->get("event")) {
    for (const toml::table* entry : AsTables(ctx, *events, "[[intent.event]]")) {
      intent.entries.push_back(ReadIntentEntry(ctx, *entry));
    }
  }
}

NegativeEntry ReadNegative(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 4> kKeys = {"name", "when", "event", "points"};
  static constexpr std::string_view kWhere = "[[negative]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  NegativeEntry entry;
  entry.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    entry.name = ReadName(ctx, *name, "name").value_or("");
  }
  const toml::node* when = table.get("when");
  const toml::node* event = table.get("event");
  if (when == nullptr && event == nullptr) {
    ctx.Error(PosOf(table), "[[negative]] needs \"when\", \"event\" or both");
  }
  if (when != nullptr) entry.when = ReadCondition(ctx, *when, FieldScope::kLeadAndAccount, "when");
  if (event != nullptr) entry.event_type = ReadName(ctx, *event, "event");
  if (const toml::node* points = Require(ctx, table, "points", kWhere)) {
    entry.points = ReadNonPositive(ctx, *points, "points").value_or(0);
    entry.points_pos = PosOf(*points);
  }
  return entry;
}

void ParseNegatives(LoadContext& ctx, const toml::node& node) {
  std::map<std::string, int, std::less<>> first_line;
  for (const toml::table* table : AsTables(ctx, node, "[[negative]]")) {
    NegativeEntry entry = ReadNegative(ctx, *table);
    if (!entry.name.empty()) {
      SourcePos pos = PosOf(*table->get("name"));
      auto [it, inserted] = first_line.emplace(entry.name, pos.line);
      if (!inserted) {
        ctx.Warn(pos, "duplicate negative name " + Quote(entry.name) + " (first at line " +
                          std::to_string(it->second) + ")");
      }
    }
    ctx.model.negatives.push_back(std::move(entry));
  }
}

void ParseScore(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[score]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"fit_weight", "intent_weight"};
  CheckKeys(ctx, *table, kKeys, "[score]");
  ScoreSection& score = ctx.model.score;
  if (const toml::node* weight = table->get("fit_weight")) {
    score.fit_weight = ReadNumber(ctx, *weight, "fit_weight").value_or(score.fit_weight);
  }
  if (const toml::node* weight = table->get("intent_weight")) {
    score.intent_weight = ReadNumber(ctx, *weight, "intent_weight").value_or(score.intent_weight);
  }
}

// ---------------------------------------------------------------------------------------------
// [grades] and the action lists whose cells they define

std::vector<Grade> ReadGradeTable(LoadContext& ctx, const toml::node& node,
                                  std::string_view where) {
  std::vector<Grade> grades;
  const toml::table* table = AsTable(ctx, node, where);
  if (table == nullptr) return grades;
  if (table->empty()) {
    ctx.Error(PosOf(*table), std::string(where) + " is empty; give each grade a threshold");
    return grades;
  }
  for (const auto& [key, value] : InFileOrder(*table)) {
    Grade grade;
    grade.name = std::string(key->str());
    grade.pos = PosOf(*key);
    if (Trim(grade.name).empty()) {
      ctx.Error(grade.pos, "a grade name in " + std::string(where) + " must not be empty");
    }
    std::optional<double> threshold = ReadNumber(ctx, *value, "grade " + Quote(grade.name));
    if (!threshold) continue;
    grade.threshold = *threshold;
    for (const Grade& earlier : grades) {
      if (earlier.threshold != grade.threshold) continue;
      ctx.Error(PosOf(*value), "grades " + Quote(earlier.name) + " and " + Quote(grade.name) +
                                   " in " + std::string(where) + " have the same threshold " +
                                   FormatNumber(grade.threshold) + " (ambiguous)");
      break;
    }
    grades.push_back(std::move(grade));
  }
  return grades;
}

// Fills ctx.cells with every fit grade followed by an intent grade.
void IndexCells(LoadContext& ctx) {
  std::map<std::string, std::string, std::less<>> pair_of_cell;
  for (const Grade& fit : ctx.model.fit_grades) {
    for (const Grade& intent : ctx.model.intent_grades) {
      std::string cell = fit.name + intent.name;
      std::string pair = Quote(fit.name) + " + " + Quote(intent.name);
      auto [it, inserted] = pair_of_cell.emplace(cell, pair);
      if (!inserted) {
        ctx.Error(intent.pos, "grade names make cell " + Quote(cell) + " ambiguous: " + it->second +
                                  " or " + pair);
      }
    }
  }
  for (auto& [cell, pair] : pair_of_cell) ctx.cells.insert(cell);
}

void ParseGrades(LoadContext& ctx, const toml::node& node) {
  size_t errors_before = ctx.errors.size();
  ctx.grades = GradeState::kInvalid;
  const toml::table* table = AsTable(ctx, node, "[grades]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"fit", "intent"};
  CheckKeys(ctx, *table, kKeys, "[grades]");
  if (const toml::node* fit = Require(ctx, *table, "fit", "[grades]")) {
    ctx.model.fit_grades = ReadGradeTable(ctx, *fit, "[grades.fit]");
  }
  if (const toml::node* intent = Require(ctx, *table, "intent", "[grades]")) {
    ctx.model.intent_grades = ReadGradeTable(ctx, *intent, "[grades.intent]");
  }
  IndexCells(ctx);
  if (ctx.errors.size() == errors_before) ctx.grades = GradeState::kValid;
}

std::string GradeNames(const std::vector<Grade>& grades) {
  std::string out;
  for (const Grade& grade : grades) {
    if (!out.empty()) out += ", ";
    out += grade.name;
  }
  return out;
}

// Reports a cell that names no (fit grade, intent grade) pair. Silent when [grades] itself was
// wrong: its errors say enough.
void CheckCell(LoadContext& ctx, const std::string& cell, SourcePos pos) {
  if (ctx.grades == GradeState::kInvalid || ctx.cells.contains(cell)) return;
  if (ctx.grades == GradeState::kAbsent) {
    ctx.Error(pos, "cell " + Quote(cell) + " names no grade pair: the model has no [grades]");
    return;
  }
  ctx.Error(pos, "cell " + Quote(cell) +
                     " names no (fit grade, intent grade) pair; fit grades are " +
                     GradeNames(ctx.model.fit_grades) + " and intent grades are " +
                     GradeNames(ctx.model.intent_grades));
}

struct CellOwner {
  std::string action;
  int line = 0;
};

ActionList ReadActionList(LoadContext& ctx, const toml::key& key, const toml::node& node,
                          std::map<std::string, CellOwner, std::less<>>& owners) {
  ActionList list;
  list.action = std::string(key.str());
  list.pos = PosOf(key);
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node), "action list " + Quote(list.action) +
                               " must be an array of strings, got " + std::string(TypeName(node)));
    return list;
  }
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      ctx.Error(PosOf(element), "action list " + Quote(list.action) +
                                    " must hold only strings, got " +
                                    std::string(TypeName(element)));
      continue;
    }
    std::string cell(Trim(text->get()));
    SourcePos pos = PosOf(element);
    CheckCell(ctx, cell, pos);
    auto [it, inserted] = owners.emplace(cell, CellOwner{list.action, pos.line});
    if (!inserted && it->second.action != list.action) {
      ctx.Error(pos, "cell " + Quote(cell) +
                         " is in two action lists: " + Quote(it->second.action) + " (line " +
                         std::to_string(it->second.line) + ") and " + Quote(list.action));
    } else if (!inserted) {
      ctx.Warn(pos, "cell " + Quote(cell) + " appears twice in action list " + Quote(list.action));
    }
    list.cells.push_back(std::move(cell));
  }
  return list;
}

// [actions] or [channel.actions]: default = "action", and action = ["A1", ...].
ActionsSection ReadActions(LoadContext& ctx, const toml::node& node, std::string_view where) {
  ActionsSection actions;
  const toml::table* table = AsTable(ctx, node, where);
  if (table == nullptr) return actions;
  std::map<std::string, CellOwner, std::less<>> owners;
  for (const auto& [key, value] : InFileOrder(*table)) {
    if (key->str() == "default") {
      actions.default_action = ReadName(ctx, *value, "default");
    } else {
      actions.lists.push_back(ReadActionList(ctx, *key, *value, owners));
    }
  }
  return actions;
}

void ParseActions(LoadContext& ctx, const toml::node& node) {
  ctx.model.actions = ReadActions(ctx, node, "[actions]");
}

// ---------------------------------------------------------------------------------------------
// [[disqualify]] and [[channel]]

void ParseDisqualify(LoadContext& ctx, const toml::node& node) {
  static constexpr std::array<std::string_view, 2> kKeys = {"reason", "when"};
  static constexpr std::string_view kWhere = "[[disqualify]]";
  for (const toml::table* table : AsTables(ctx, node, kWhere)) {
    CheckKeys(ctx, *table, kKeys, kWhere);
    DisqualifyRule rule;
    rule.pos = PosOf(*table);
    if (const toml::node* reason = Require(ctx, *table, "reason", kWhere)) {
      rule.reason = ReadName(ctx, *reason, "reason").value_or("");
    }
    if (const toml::node* when = Require(ctx, *table, "when", kWhere)) {
      auto condition = ReadCondition(ctx, *when, FieldScope::kLeadAndAccount, "when");
      if (condition) rule.when = std::move(*condition);
    }
    ctx.model.disqualify.push_back(std::move(rule));
  }
}

Channel ReadChannel(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 3> kKeys = {"name", "when", "actions"};
  static constexpr std::string_view kWhere = "[[channel]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  Channel channel;
  channel.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    channel.name = ReadName(ctx, *name, "name").value_or("");
  }
  if (const toml::node* when = Require(ctx, table, "when", kWhere)) {
    auto condition = ReadCondition(ctx, *when, FieldScope::kLeadAndAccount, "when");
    if (condition) channel.when = std::move(*condition);
  }
  if (const toml::node* actions = table.get("actions")) {
    channel.actions = ReadActions(ctx, *actions, "[channel.actions]");
  } else {
    ctx.Warn(channel.pos, "channel " + Quote(channel.name) +
                              " has no [channel.actions], so it changes no action");
  }
  return channel;
}

void ParseChannels(LoadContext& ctx, const toml::node& node) {
  for (const toml::table* table : AsTables(ctx, node, "[[channel]]")) {
    ctx.model.channels.push_back(ReadChannel(ctx, *table));
  }
}

// ---------------------------------------------------------------------------------------------
// [[framework]] and [lifecycle]

bool IsCode(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A lower_snake_case code ("no_budget"), trimmed. A code of other characters is reported and
// still returned, so that what names it later is not reported a second time.
std::optional<std::string> ReadCode(LoadContext& ctx, const toml::node& node,
                                    std::string_view subject) {
  std::optional<std::string> code = ReadName(ctx, node, subject);
  if (code && !IsCode(*code)) {
    std::string fixed = ColumnKey(*code);
    ctx.Error(PosOf(node), std::string(subject) + " " + Quote(*code) +
                               " must be lower_snake_case (a-z, 0-9 and _)" +
                               (fixed.empty() ? "" : "; write " + Quote(fixed)));
  }
  return code;
}

std::optional<bool> ReadBool(LoadContext& ctx, const toml::node& node, std::string_view subject) {
  if (const auto* value = node.as_boolean()) return value->get();
  ctx.Error(PosOf(node),
            std::string(subject) + " must be a boolean, got " + std::string(TypeName(node)));
  return std::nullopt;
}

std::optional<int64_t> ReadInteger(LoadContext& ctx, const toml::node& node,
                                   std::string_view subject) {
  if (const auto* value = node.as_integer()) return value->get();
  ctx.Error(PosOf(node),
            std::string(subject) + " must be an integer, got " + std::string(TypeName(node)));
  return std::nullopt;
}

// "; did you mean \"sql\"?" or, when nothing is close, "; <what> are a, b, c".
std::string SuggestOrList(std::string_view name, std::span<const std::string_view> known,
                          std::string_view what) {
  std::string hint = DidYouMean(name, known);
  if (!hint.empty()) return hint;
  return "; " + std::string(what) + " are " + JoinStrings(known);
}

// A stage name, trimmed and lower-cased.
std::optional<std::string> ReadStage(LoadContext& ctx, const toml::node& node,
                                     std::string_view subject) {
  std::optional<std::string> name = ReadName(ctx, node, subject);
  if (!name) return std::nullopt;
  std::string stage = AsciiLower(*name);
  if (std::find(kStageNames.begin(), kStageNames.end(), stage) != kStageNames.end()) return stage;
  ctx.Error(PosOf(node),
            "unknown stage " + Quote(*name) + SuggestOrList(*name, kStageNames, "the stages"));
  return std::nullopt;
}

FrameworkCriterion ReadCriterion(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 3> kKeys = {"key", "name", "description"};
  static constexpr std::string_view kWhere = "[[framework.criterion]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  FrameworkCriterion criterion;
  if (const toml::node* key = Require(ctx, table, "key", kWhere)) {
    criterion.key = ReadCode(ctx, *key, "key").value_or("");
  }
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    criterion.name = ReadName(ctx, *name, "name").value_or("");
  }
  if (const toml::node* description = table.get("description")) {
    criterion.description = ReadString(ctx, *description, "description").value_or("");
  }
  return criterion;
}

void ReadCriteria(LoadContext& ctx, const toml::table& table, Framework& framework) {
  std::string which = framework.key.empty() ? "" : " " + Quote(framework.key);
  const toml::node* node = table.get("criterion");
  if (node == nullptr) {
    ctx.Error(framework.pos, "framework" + which + " needs at least one [[framework.criterion]]");
    return;
  }
  std::vector<const toml::table*> tables = AsTables(ctx, *node, "[[framework.criterion]]");
  if (tables.empty() && node->is_array() && node->as_array()->empty()) {
    ctx.Error(PosOf(*node), "framework" + which + " needs at least one [[framework.criterion]]");
  }
  std::map<std::string, int, std::less<>> first_line;
  for (const toml::table* criterion_table : tables) {
    FrameworkCriterion criterion = ReadCriterion(ctx, *criterion_table);
    if (!criterion.key.empty()) {
      SourcePos pos = PosOf(*criterion_table->get("key"));
      auto [it, inserted] = first_line.emplace(criterion.key, pos.line);
      if (!inserted) {
        ctx.Error(pos, "duplicate criterion key " + Quote(criterion.key) + " in framework" + which +
                           " (first at line " + std::to_string(it->second) + ")");
      }
    }
    framework.criteria.push_back(std::move(criterion));
  }
}

void ParseFrameworks(LoadContext& ctx, const toml::node& node) {
  static constexpr std::array<std::string_view, 4> kKeys = {"key", "name", "description",
                                                            "criterion"};
  static constexpr std::string_view kWhere = "[[framework]]";
  std::map<std::string, int, std::less<>> first_line;
  for (const toml::table* table : AsTables(ctx, node, kWhere)) {
    CheckKeys(ctx, *table, kKeys, kWhere);
    Framework framework;
    framework.pos = PosOf(*table);
    if (const toml::node* key = Require(ctx, *table, "key", kWhere)) {
      framework.key = ReadCode(ctx, *key, "key").value_or("");
      if (!framework.key.empty()) {
        auto [it, inserted] = first_line.emplace(framework.key, PosOf(*key).line);
        if (!inserted) {
          ctx.Error(PosOf(*key), "duplicate framework key " + Quote(framework.key) +
                                     " (first at line " + std::to_string(it->second) + ")");
        }
        for (const Framework& builtin : BuiltinFrameworks()) {
          if (inserted && builtin.key == framework.key) {
            ctx.Warn(PosOf(*key), "framework " + Quote(framework.key) + " replaces the built-in " +
                                      builtin.name);
          }
        }
      }
    }
    if (const toml::node* name = Require(ctx, *table, "name", kWhere)) {
      framework.name = ReadName(ctx, *name, "name").value_or("");
    }
    if (const toml::node* description = table->get("description")) {
      framework.description = ReadString(ctx, *description, "description").value_or("");
    }
    ReadCriteria(ctx, *table, framework);
    ctx.model.frameworks.push_back(std::move(framework));
  }
}

// The framework a gate names: the model's own first (it replaces a built-in of the same key).
const Framework* FindGateFramework(const LoadContext& ctx, std::string_view key) {
  for (const Framework& framework : ctx.model.frameworks) {
    if (framework.key == key) return &framework;
  }
  for (const Framework& framework : BuiltinFrameworks()) {
    if (framework.key == key) return &framework;
  }
  return nullptr;
}

std::vector<std::string_view> FrameworkKeys(const LoadContext& ctx) {
  std::vector<std::string_view> keys;
  for (const Framework& framework : BuiltinFrameworks()) keys.push_back(framework.key);
  for (const Framework& framework : ctx.model.frameworks) {
    if (std::find(keys.begin(), keys.end(), framework.key) == keys.end() &&
        !framework.key.empty()) {
      keys.push_back(framework.key);
    }
  }
  return keys;
}

std::vector<std::string_view> CriterionKeys(const Framework& framework) {
  std::vector<std::string_view> keys;
  for (const FrameworkCriterion& criterion : framework.criteria) keys.push_back(criterion.key);
  return keys;
}

// The keys of a gate that say how it passes; a gate has exactly one.
constexpr std::array<std::string_view, 3> kGateRequirements = {"require", "at_least", "criteria"};
constexpr std::string_view kGateRequirementHelp =
    "require = \"all\", at_least = N or criteria = [...]";

void ReadAtLeast(LoadContext& ctx, const toml::node& node, const Framework* framework, Gate& gate) {
  std::optional<int64_t> n = ReadInteger(ctx, node, "at_least");
  if (!n) return;
  int64_t count = framework == nullptr ? 0 : static_cast<int64_t>(framework->criteria.size());
  if (*n < 1 || (framework != nullptr && *n > count)) {
    std::string range = framework == nullptr
                            ? " must be at least 1"
                            : " must be between 1 and " + std::to_string(count) +
                                  " (the criteria of " + Quote(framework->key) + ")";
    ctx.Error(PosOf(node), "at_least" + range + ", got " + std::to_string(*n));
    return;
  }
  gate.at_least = static_cast<int>(*n);
}

void ReadGateCriteria(LoadContext& ctx, const toml::node& node, const Framework* framework,
                      Gate& gate) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node),
              "criteria must be an array of strings, got " + std::string(TypeName(node)));
    return;
  }
  if (array->empty()) {
    ctx.Error(PosOf(node), "criteria must not be empty");
    return;
  }
  std::vector<std::string_view> known;
  if (framework != nullptr) known = CriterionKeys(*framework);
  for (const toml::node& element : *array) {
    std::optional<std::string> name = ReadName(ctx, element, "each element of criteria");
    if (!name) continue;
    std::string key = AsciiLower(*name);
    if (framework != nullptr && std::find(known.begin(), known.end(), key) == known.end()) {
      ctx.Error(PosOf(element), "unknown criterion " + Quote(*name) + " of framework " +
                                    Quote(framework->key) +
                                    SuggestOrList(*name, known, "its criteria"));
      continue;
    }
    if (std::find(gate.criteria.begin(), gate.criteria.end(), key) != gate.criteria.end()) {
      ctx.Warn(PosOf(element), "criterion " + Quote(key) + " is named twice in criteria");
      continue;
    }
    gate.criteria.push_back(std::move(key));
  }
}

// How the gate passes: exactly one of require = "all", at_least = N, criteria = [...].
void ReadGateRequirement(LoadContext& ctx, const toml::table& table, const Framework* framework,
                         Gate& gate) {
  std::vector<KeyAndValue> given;
  for (const KeyAndValue& entry : InFileOrder(table)) {
    if (std::find(kGateRequirements.begin(), kGateRequirements.end(), entry.first->str()) !=
        kGateRequirements.end()) {
      given.push_back(entry);
    }
  }
  if (given.empty()) {
    ctx.Error(gate.pos, "[[lifecycle.gate]] needs one of " + std::string(kGateRequirementHelp));
    return;
  }
  if (given.size() > 1) {
    ctx.Error(PosOf(*given[1].first), "[[lifecycle.gate]] has both " +
                                          Quote(given[0].first->str()) + " and " +
                                          Quote(given[1].first->str()) + "; use exactly one of " +
                                          std::string(kGateRequirementHelp));
    return;
  }
  const auto& [key, value] = given[0];
  if (key->str() == "require") {
    gate.require = Gate::Require::kAll;
    std::optional<std::string> text = ReadString(ctx, *value, "require");
    if (text && AsciiLower(Trim(*text)) != "all") {
      ctx.Error(PosOf(*value), "require must be \"all\", got " + Quote(*text) +
                                   " (for some criteria write at_least = N or criteria = [...])");
    }
  } else if (key->str() == "at_least") {
    gate.require = Gate::Require::kAtLeast;
    ReadAtLeast(ctx, *value, framework, gate);
  } else {
    gate.require = Gate::Require::kNamed;
    ReadGateCriteria(ctx, *value, framework, gate);
  }
}

Gate ReadGate(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 6> kKeys = {"to",      "from",     "framework",
                                                            "require", "at_least", "criteria"};
  static constexpr std::string_view kWhere = "[[lifecycle.gate]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  Gate gate;
  gate.pos = PosOf(table);
  if (const toml::node* to = Require(ctx, table, "to", kWhere)) {
    gate.to = ReadStage(ctx, *to, "to").value_or("");
    if (gate.to == "new") {
      ctx.Error(PosOf(*to), "no move leads into \"new\", so a gate on it would never apply");
    }
  }
  if (const toml::node* from = table.get("from")) {
    gate.from = ReadStage(ctx, *from, "from").value_or("");
    if (!gate.from.empty() && gate.from == gate.to) {
      ctx.Error(PosOf(*from), "from and to are both " + Quote(gate.to) +
                                  "; a gate guards a move between two stages");
    }
  }
  const Framework* framework = nullptr;
  if (const toml::node* key = Require(ctx, table, "framework", kWhere)) {
    if (std::optional<std::string> name = ReadName(ctx, *key, "framework")) {
      gate.framework = AsciiLower(*name);
      framework = FindGateFramework(ctx, gate.framework);
      if (framework == nullptr) {
        ctx.Error(PosOf(*key), "unknown framework " + Quote(*name) +
                                   SuggestOrList(*name, FrameworkKeys(ctx), "the frameworks"));
      } else if (framework->criteria.empty()) {
        framework = nullptr;  // its own errors say enough; nothing to check the gate against
      }
    }
  }
  ReadGateRequirement(ctx, table, framework, gate);
  return gate;
}

std::vector<std::string> ReadReasons(LoadContext& ctx, const toml::node& node) {
  std::vector<std::string> reasons;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node),
              "reasons must be an array of strings, got " + std::string(TypeName(node)));
    return reasons;
  }
  if (array->empty()) {
    ctx.Error(PosOf(node),
              "reasons must not be empty: disqualifying a lead or losing it needs a reason code");
    return reasons;
  }
  std::map<std::string, int, std::less<>> first_line;
  for (const toml::node& element : *array) {
    std::optional<std::string> code = ReadCode(ctx, element, "reason code");
    if (!code) continue;
    auto [it, inserted] = first_line.emplace(*code, PosOf(element).line);
    if (!inserted) {
      ctx.Error(PosOf(element), "duplicate reason code " + Quote(*code) + " (first at line " +
                                    std::to_string(it->second) + ")");
      continue;
    }
    reasons.push_back(std::move(*code));
  }
  return reasons;
}

void ParseLifecycle(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[lifecycle]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 6> kKeys = {
      "recycle_days", "stale_mql_days", "stale_intent", "reasons", "default_gates", "gate"};
  CheckKeys(ctx, *table, kKeys, "[lifecycle]");
  LifecycleSection& lifecycle = ctx.model.lifecycle;
  if (const toml::node* days = table->get("recycle_days")) {
    lifecycle.recycle_days =
        ReadNonNegative(ctx, *days, "recycle_days").value_or(lifecycle.recycle_days);
  }
  const toml::node* stale_days = table->get("stale_mql_days");
  if (stale_days != nullptr) {
    lifecycle.stale_mql_days = ReadNonNegative(ctx, *stale_days, "stale_mql_days").value_or(0);
  }
  const toml::node* stale_intent = table->get("stale_intent");
  if (stale_intent != nullptr) {
    lifecycle.stale_intent = ReadNumber(ctx, *stale_intent, "stale_intent").value_or(0);
  }
  if (lifecycle.stale_mql_days > 0 && stale_intent == nullptr) {
    ctx.Error(PosOf(*table),
              "missing required key \"stale_intent\" in [lifecycle]: with "
              "stale_mql_days = " +
                  FormatNumber(lifecycle.stale_mql_days) +
                  ", an mql goes back to nurture when its intent stays below "
                  "stale_intent that long");
  } else if (stale_intent != nullptr && lifecycle.stale_mql_days == 0 &&
             (stale_days == nullptr || IsNumber(*stale_days))) {
    ctx.Warn(PosOf(*stale_intent), "stale_intent has no effect while stale_mql_days is 0");
  }
  if (const toml::node* reasons = table->get("reasons")) {
    std::vector<std::string> codes = ReadReasons(ctx, *reasons);
    if (!codes.empty()) lifecycle.reasons = std::move(codes);
  }
  const toml::node* default_gates = table->get("default_gates");
  if (default_gates != nullptr) {
    lifecycle.default_gates =
        ReadBool(ctx, *default_gates, "default_gates").value_or(lifecycle.default_gates);
  }
  if (const toml::node* gates = table->get("gate")) {
    for (const toml::table* gate : AsTables(ctx, *gates, "[[lifecycle.gate]]")) {
      lifecycle.gates.push_back(ReadGate(ctx, *gate));
    }
  }
  if (default_gates != nullptr && default_gates->is_boolean() && lifecycle.default_gates &&
      !lifecycle.gates.empty()) {
    ctx.Warn(PosOf(*default_gates),
             "default_gates has no effect: the model declares its own [[lifecycle.gate]], which "
             "replace the default accepted -> sql BANT gate");
  }
}

// ---------------------------------------------------------------------------------------------
// [handoff]

// An array of non-empty strings, trimmed; an empty array is an error when `allow_empty` is false.
std::vector<std::pair<std::string, SourcePos>> ReadNames(LoadContext& ctx, const toml::node& node,
                                                         std::string_view subject, bool allow_empty,
                                                         bool unique = true) {
  std::vector<std::pair<std::string, SourcePos>> out;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node), std::string(subject) + " must be an array of strings, got " +
                               std::string(TypeName(node)));
    return out;
  }
  if (array->empty() && !allow_empty) {
    ctx.Error(PosOf(node), std::string(subject) + " must not be empty");
    return out;
  }
  for (const toml::node& element : *array) {
    std::optional<std::string> name =
        ReadName(ctx, element, "each element of " + std::string(subject));
    if (!name) continue;
    bool seen = unique && std::any_of(out.begin(), out.end(),
                                      [&](const auto& p) { return p.first == *name; });
    if (seen) {
      ctx.Warn(PosOf(element), Quote(*name) + " is named twice in " + std::string(subject));
      continue;
    }
    out.emplace_back(std::move(*name), PosOf(element));
  }
  return out;
}

std::vector<std::string> NamesOnly(std::vector<std::pair<std::string, SourcePos>> names) {
  std::vector<std::string> out;
  for (auto& [name, pos] : names) out.push_back(std::move(name));
  return out;
}

// cells = [...] and channels = [...] of a [[handoff.sla]] or [[handoff.cadence]].
HandoffScope ReadScope(LoadContext& ctx, const toml::table& table) {
  HandoffScope scope;
  if (const toml::node* cells = table.get("cells")) {
    for (auto& [cell, pos] : ReadNames(ctx, *cells, "cells", false)) {
      CheckCell(ctx, cell, pos);
      scope.cells.push_back(std::move(cell));
    }
  }
  if (const toml::node* channels = table.get("channels")) {
    std::vector<std::string_view> known = {"none"};
    for (const Channel& channel : ctx.model.channels) known.push_back(channel.name);
    for (auto& [name, pos] : ReadNames(ctx, *channels, "channels", false)) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        ctx.Error(pos,
                  "unknown channel " + Quote(name) +
                      SuggestOrList(name, known, "the channels (\"none\": leads of no channel)"));
        continue;
      }
      scope.channels.push_back(std::move(name));
    }
  }
  return scope;
}

// Reports a second entry of the same name in one list of [handoff].
template <typename Rule>
void CheckUniqueNames(LoadContext& ctx, const std::vector<Rule>& rules, std::string_view where) {
  std::map<std::string, int, std::less<>> first_line;
  for (const Rule& rule : rules) {
    if (rule.name.empty()) continue;
    auto [it, inserted] = first_line.emplace(rule.name, rule.pos.line);
    if (!inserted) {
      ctx.Error(rule.pos, "duplicate " + std::string(where) + " name " + Quote(rule.name) +
                              " (first at line " + std::to_string(it->second) + ")");
    }
  }
}

// Warns about rules after one that matches every lead: they never apply.
template <typename Rule>
void WarnUnreachable(LoadContext& ctx, const std::vector<Rule>& rules, std::string_view where) {
  for (size_t i = 0; i + 1 < rules.size(); ++i) {
    if (!rules[i].scope.cells.empty() || !rules[i].scope.channels.empty()) continue;
    for (size_t j = i + 1; j < rules.size(); ++j) {
      ctx.Warn(rules[j].pos, std::string(where) + " " + Quote(rules[j].name) + " never applies: " +
                                 Quote(rules[i].name) + " before it matches every lead");
    }
    return;
  }
}

AssignRule ReadAssignRule(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 4> kKeys = {"name", "when", "pool",
                                                            "account_affinity"};
  static constexpr std::string_view kWhere = "[[handoff.assign]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  AssignRule rule;
  rule.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    rule.name = ReadCode(ctx, *name, "name").value_or("");
  }
  if (const toml::node* when = table.get("when")) {
    rule.when = ReadCondition(ctx, *when, FieldScope::kLeadAndAccount, "when");
  }
  if (const toml::node* pool = Require(ctx, table, "pool", kWhere)) {
    rule.pool = NamesOnly(ReadNames(ctx, *pool, "pool", false));
  }
  if (const toml::node* affinity = table.get("account_affinity")) {
    rule.account_affinity = ReadBool(ctx, *affinity, "account_affinity");
  }
  return rule;
}

SlaRule ReadSlaRule(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 7> kKeys = {"name",
                                                            "cells",
                                                            "channels",
                                                            "minutes",
                                                            "working_hours",
                                                            "escalate",
                                                            "escalate_after_minutes"};
  static constexpr std::string_view kWhere = "[[handoff.sla]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  SlaRule rule;
  rule.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    rule.name = ReadCode(ctx, *name, "name").value_or("");
  }
  rule.scope = ReadScope(ctx, table);
  if (const toml::node* minutes = Require(ctx, table, "minutes", kWhere)) {
    std::optional<double> value = ReadNumber(ctx, *minutes, "minutes");
    if (value && *value <= 0) {
      ctx.Error(PosOf(*minutes), "minutes must be > 0, got " + FormatNumber(*value));
    } else if (value) {
      rule.minutes = *value;
    }
  }
  if (const toml::node* hours = table.get("working_hours")) {
    rule.working_hours = ReadBool(ctx, *hours, "working_hours").value_or(false);
  }
  if (const toml::node* escalate = table.get("escalate")) {
    static constexpr std::array<std::string_view, 3> kKinds = {"none", "notify", "reassign"};
    if (std::optional<std::string> kind = ReadName(ctx, *escalate, "escalate")) {
      std::string lower = AsciiLower(*kind);
      if (lower == "none") {
        rule.escalate = Escalation::kNone;
      } else if (lower == "notify") {
        rule.escalate = Escalation::kNotify;
      } else if (lower == "reassign") {
        rule.escalate = Escalation::kReassign;
      } else {
        ctx.Error(PosOf(*escalate), "unknown escalate " + Quote(*kind) +
                                        SuggestOrList(*kind, kKinds, "the escalations"));
      }
    }
  }
  if (const toml::node* after = table.get("escalate_after_minutes")) {
    rule.escalate_after_minutes =
        ReadNonNegative(ctx, *after, "escalate_after_minutes").value_or(0);
  }
  return rule;
}

CadenceRule ReadCadence(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 8> kKeys = {
      "name", "cells",          "channels", "touches", "days", "min_spacing_hours",
      "via",  "reply_wait_days"};
  static constexpr std::string_view kWhere = "[[handoff.cadence]]";
  CheckKeys(ctx, table, kKeys, kWhere);
  CadenceRule rule;
  rule.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", kWhere)) {
    rule.name = ReadCode(ctx, *name, "name").value_or("");
  }
  rule.scope = ReadScope(ctx, table);
  if (const toml::node* touches = Require(ctx, table, "touches", kWhere)) {
    std::optional<int64_t> n = ReadInteger(ctx, *touches, "touches");
    if (n && (*n < 1 || *n > 100)) {
      ctx.Error(PosOf(*touches), "touches must be between 1 and 100, got " + std::to_string(*n));
    } else if (n) {
      rule.touches = static_cast<int>(*n);
    }
  }
  if (const toml::node* days = Require(ctx, table, "days", kWhere)) {
    rule.days = ReadNonNegative(ctx, *days, "days").value_or(rule.days);
  }
  if (const toml::node* spacing = table.get("min_spacing_hours")) {
    rule.min_spacing_hours =
        ReadNonNegative(ctx, *spacing, "min_spacing_hours").value_or(rule.min_spacing_hours);
  }
  if (const toml::node* wait = table.get("reply_wait_days")) {
    rule.reply_wait_days =
        ReadNonNegative(ctx, *wait, "reply_wait_days").value_or(rule.reply_wait_days);
  }
  if (const toml::node* via = table.get("via")) {
    std::vector<std::string> channels;
    for (auto& [name, pos] : ReadNames(ctx, *via, "via", false, /*unique=*/false)) {
      std::string lower = AsciiLower(name);
      if (std::find(kTouchChannels.begin(), kTouchChannels.end(), lower) == kTouchChannels.end()) {
        ctx.Error(pos, "unknown touch channel " + Quote(name) +
                           SuggestOrList(name, kTouchChannels, "the touch channels"));
        continue;
      }
      channels.push_back(std::move(lower));
    }
    if (!channels.empty()) rule.via = std::move(channels);
  }
  double needed_hours = (rule.touches - 1) * rule.min_spacing_hours;
  if (needed_hours > rule.days * 24 + 1e-9) {
    ctx.Error(rule.pos, "cadence " + Quote(rule.name) + ": " + std::to_string(rule.touches) +
                            " touches at least " + FormatNumber(rule.min_spacing_hours) +
                            " hours apart need " + FormatNumber(needed_hours / 24) +
                            " days, but days is " + FormatNumber(rule.days));
  }
  return rule;
}

void ReadLimit(LoadContext& ctx, const toml::node& node, HandoffSection& handoff) {
  const toml::table* table = AsTable(ctx, node, "limit");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"touches", "days"};
  CheckKeys(ctx, *table, kKeys, "limit");
  if (const toml::node* touches = Require(ctx, *table, "touches", "limit")) {
    std::optional<int64_t> n = ReadInteger(ctx, *touches, "limit touches");
    if (n && *n < 1) {
      ctx.Error(PosOf(*touches), "limit touches must be at least 1, got " + std::to_string(*n));
    } else if (n) {
      handoff.limit_touches = static_cast<int>(*n);
    }
  }
  if (const toml::node* days = Require(ctx, *table, "days", "limit")) {
    std::optional<double> d = ReadNumber(ctx, *days, "limit days");
    if (d && *d <= 0) {
      ctx.Error(PosOf(*days), "limit days must be > 0, got " + FormatNumber(*d));
    } else if (d) {
      handoff.limit_days = *d;
    }
  }
}

void ParseHandoff(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[handoff]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 7> kKeys = {
      "account_affinity", "fallback", "limit", "do_not_contact", "assign", "sla", "cadence"};
  CheckKeys(ctx, *table, kKeys, "[handoff]");
  HandoffSection& handoff = ctx.model.handoff;
  handoff.pos = PosOf(*table);
  if (const toml::node* affinity = table->get("account_affinity")) {
    handoff.account_affinity = ReadBool(ctx, *affinity, "account_affinity").value_or(true);
  }
  if (const toml::node* fallback = table->get("fallback")) {
    handoff.fallback = NamesOnly(ReadNames(ctx, *fallback, "fallback", false));
  }
  if (const toml::node* limit = table->get("limit")) ReadLimit(ctx, *limit, handoff);
  if (const toml::node* dnc = table->get("do_not_contact")) {
    handoff.do_not_contact =
        ReadCondition(ctx, *dnc, FieldScope::kLeadAndAccount, "do_not_contact");
  }
  if (const toml::node* rules = table->get("assign")) {
    for (const toml::table* rule : AsTables(ctx, *rules, "[[handoff.assign]]")) {
      handoff.rules.push_back(ReadAssignRule(ctx, *rule));
    }
  }
  if (const toml::node* rules = table->get("sla")) {
    for (const toml::table* rule : AsTables(ctx, *rules, "[[handoff.sla]]")) {
      handoff.sla.push_back(ReadSlaRule(ctx, *rule));
    }
  }
  if (const toml::node* rules = table->get("cadence")) {
    for (const toml::table* rule : AsTables(ctx, *rules, "[[handoff.cadence]]")) {
      handoff.cadences.push_back(ReadCadence(ctx, *rule));
    }
  }
  CheckUniqueNames(ctx, handoff.rules, "[[handoff.assign]]");
  CheckUniqueNames(ctx, handoff.sla, "[[handoff.sla]]");
  CheckUniqueNames(ctx, handoff.cadences, "[[handoff.cadence]]");
  WarnUnreachable(ctx, handoff.sla, "[[handoff.sla]]");
  WarnUnreachable(ctx, handoff.cadences, "[[handoff.cadence]]");
  for (size_t i = 0; i + 1 < handoff.rules.size(); ++i) {
    if (handoff.rules[i].when.has_value()) continue;
    for (size_t j = i + 1; j < handoff.rules.size(); ++j) {
      ctx.Warn(handoff.rules[j].pos, "[[handoff.assign]] " + Quote(handoff.rules[j].name) +
                                         " never applies: " + Quote(handoff.rules[i].name) +
                                         " before it has no `when` and takes every lead");
    }
    break;
  }
  if (handoff.rules.empty() && handoff.fallback.empty()) {
    ctx.Warn(handoff.pos,
             "[handoff] has no [[handoff.assign]] and no fallback: mqls are assigned only by "
             "leadq assign --to");
  }
}

// ---------------------------------------------------------------------------------------------
// The sections and the whole file

using SectionParser = void (*)(LoadContext&, const toml::node&);

struct SectionSpec {
  std::string_view name;     // the top-level key
  std::string_view display;  // how it is written: "[fit]", "[[negative]]"
  SectionParser parse;
};

// In the order they are parsed: [lists] before the conditions that name its lists, [grades]
// before the action lists whose cells it defines, [[framework]] before the gates of [lifecycle]
// that name them, [[channel]] before the [handoff] rules that name channels.
// ---------------------------------------------------------------------------------------------
// [predictive]

void ParsePredictive(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[predictive]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 2> kKeys = {"model", "field"};
  CheckKeys(ctx, *table, kKeys, "[predictive]");
  PredictiveSection p;
  p.pos = PosOf(*table);
  if (const toml::node* field = table->get("field")) {
    std::optional<std::string> name = ReadName(ctx, *field, "field");
    if (name) {
      if (ColumnKey(*name) != *name) {
        ctx.Error(PosOf(*field), "[predictive] field " + Quote(*name) +
                                     " is not a column key: write it as " +
                                     Quote(ColumnKey(*name)));
      } else if (*name == "lead_id" || *name == "account_id" || *name == "email_domain") {
        ctx.Error(PosOf(*field), "[predictive] field " + Quote(*name) +
                                     " would hide a field leadq defines; choose another name");
      } else {
        p.field = *name;
      }
    }
  }
  const toml::node* file = Require(ctx, *table, "model", "[predictive]");
  if (file == nullptr) return;
  std::optional<std::string> name = ReadName(ctx, *file, "model");
  if (!name) return;
  p.file_pos = PosOf(*file);
  p.written = *name;
  std::filesystem::path path = ctx.dir / *name;
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) {
    ctx.Error(PosOf(*file), "cannot read the predictive model " + Quote(path.string()) + ": " +
                                bytes.status().message() + " (write one with `leadq learn`)");
    return;
  }
  p.file = path.string();
  p.content = std::move(*bytes);
  ctx.model.predictive = std::move(p);
}

// ---------------------------------------------------------------------------------------------
// [export]: the buyer screening of SHIPMENTS.md. trade/ interprets it; here only shapes, ranges
// and the tariff files' bytes.

bool IsCountryCode(std::string_view s) {
  return s.size() == 2 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// An ISO 3166-1 alpha-2 code, upper case ("DE").
std::optional<std::string> ReadCountry(LoadContext& ctx, const toml::node& node,
                                       std::string_view subject) {
  std::optional<std::string> text = ReadName(ctx, node, subject);
  if (!text) return std::nullopt;
  if (!IsCountryCode(*text)) {
    ctx.Error(PosOf(node),
              std::string(subject) + " " + Quote(*text) +
                  " must be an ISO 3166-1 alpha-2 country code in upper case (\"DE\")");
    return std::nullopt;
  }
  return text;
}

// An ISO 4217 code ("EUR").
std::optional<std::string> ReadCurrency(LoadContext& ctx, const toml::node& node,
                                        std::string_view subject) {
  std::optional<std::string> text = ReadName(ctx, node, subject);
  if (!text) return std::nullopt;
  bool ok = text->size() == 3 &&
            std::all_of(text->begin(), text->end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!ok) {
    ctx.Error(PosOf(node), std::string(subject) + " " + Quote(*text) +
                               " must be an ISO 4217 currency code in upper case (\"EUR\")");
    return std::nullopt;
  }
  return text;
}

// An HS code prefix of 4 to 10 digits; dots and spaces are ignored. Returns the digits.
std::optional<std::string> ReadHsPrefix(LoadContext& ctx, const toml::node& node,
                                        std::string_view subject) {
  std::optional<std::string> text = ReadName(ctx, node, subject);
  if (!text) return std::nullopt;
  std::string digits;
  for (char c : *text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '.' && c != ' ') {
      digits.clear();
      break;
    }
  }
  if (digits.size() < 4 || digits.size() > 10) {
    ctx.Error(PosOf(node), std::string(subject) + " " + Quote(*text) +
                               " must be an HS code of 4 to 10 digits (\"8708\", \"8708.30\")");
    return std::nullopt;
  }
  return digits;
}

std::optional<double> ReadFraction(LoadContext& ctx, const toml::node& node,
                                   std::string_view subject) {
  std::optional<double> value = ReadNumber(ctx, node, subject);
  if (value && (*value < 0 || *value > 1)) {
    ctx.Error(PosOf(node), std::string(subject) +
                               " must be between 0 and 1 (a share; 0.2 is 20%), got " +
                               FormatNumber(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> ReadPositive(LoadContext& ctx, const toml::node& node,
                                   std::string_view subject) {
  std::optional<double> value = ReadNumber(ctx, node, subject);
  if (value && *value <= 0) {
    ctx.Error(PosOf(node), std::string(subject) + " must be > 0, got " + FormatNumber(*value));
    return std::nullopt;
  }
  return value;
}

// A whole number of months or shipments, within [min, max].
std::optional<int> ReadCount(LoadContext& ctx, const toml::node& node, std::string_view subject,
                             int64_t min, int64_t max) {
  std::optional<int64_t> value = ReadInteger(ctx, node, subject);
  if (!value) return std::nullopt;
  if (*value < min || *value > max) {
    ctx.Error(PosOf(node), std::string(subject) + " must be between " + std::to_string(min) +
                               " and " + std::to_string(max) + ", got " + std::to_string(*value));
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

template <typename T>
void SetIf(const std::optional<T>& value, T& out) {
  if (value) out = *value;
}

std::optional<ChargeBase> ReadChargeBase(LoadContext& ctx, const toml::node& node,
                                         std::string_view subject) {
  static constexpr std::array<std::string_view, 6> kNames = {"fob",  "customs_value", "cif",
                                                             "duty", "fees",          "freight"};
  std::optional<std::string> name = ReadName(ctx, node, subject);
  if (!name) return std::nullopt;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (*name == kNames[i]) return static_cast<ChargeBase>(i);
  }
  ctx.Error(PosOf(node), std::string(subject) + " " + Quote(*name) + " is not a base" +
                             SuggestOrList(*name, kNames, "bases"));
  return std::nullopt;
}

std::optional<std::string> ReadMode(LoadContext& ctx, const toml::node& node,
                                    std::string_view subject) {
  static constexpr std::array<std::string_view, 3> kModes = {"ocean", "air", "land"};
  std::optional<std::string> mode = ReadName(ctx, node, subject);
  if (!mode) return std::nullopt;
  if (std::find(kModes.begin(), kModes.end(), *mode) == kModes.end()) {
    ctx.Error(PosOf(node), std::string(subject) + " " + Quote(*mode) + " is not a transport mode" +
                               SuggestOrList(*mode, kModes, "modes"));
    return std::nullopt;
  }
  return mode;
}

// { US = 74.0, BR = 300.0 }: an amount by country or by currency.
std::vector<std::pair<std::string, double>> ReadAmounts(LoadContext& ctx, const toml::node& node,
                                                        std::string_view subject, bool currencies) {
  std::vector<std::pair<std::string, double>> out;
  const toml::table* table = AsTable(ctx, node, subject);
  if (table == nullptr) return out;
  for (const auto& [key, value] : InFileOrder(*table)) {
    std::string name(key->str());
    bool ok = currencies
                  ? name.size() == 3 && std::all_of(name.begin(), name.end(),
                                                    [](char c) { return c >= 'A' && c <= 'Z'; })
                  : IsCountryCode(name);
    if (!ok) {
      ctx.Error(PosOf(*key), std::string(subject) + ": " + Quote(name) + " must be " +
                                 (currencies ? "an ISO 4217 currency code (\"EUR\")"
                                             : "an ISO 3166-1 alpha-2 country code (\"US\")"));
      continue;
    }
    std::optional<double> amount = ReadPositive(ctx, *value, std::string(subject) + " " + name);
    if (amount) out.emplace_back(name, *amount);
  }
  return out;
}

ExportProduct ReadExportProduct(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 5> kKeys = {"hs", "name", "fob_price",
                                                            "unit_weight_kg", "market_price"};
  CheckKeys(ctx, table, kKeys, "[[export.product]]");
  ExportProduct p;
  p.pos = PosOf(table);
  if (const toml::node* hs = Require(ctx, table, "hs", "[[export.product]]")) {
    SetIf(ReadHsPrefix(ctx, *hs, "[[export.product]] hs"), p.hs);
  }
  if (const toml::node* name = table.get("name")) SetIf(ReadName(ctx, *name, "name"), p.name);
  if (const toml::node* price = Require(ctx, table, "fob_price", "[[export.product]]")) {
    SetIf(ReadPositive(ctx, *price, "fob_price"), p.fob_price);
  }
  if (const toml::node* weight = Require(ctx, table, "unit_weight_kg", "[[export.product]]")) {
    SetIf(ReadPositive(ctx, *weight, "unit_weight_kg"), p.unit_weight_kg);
  }
  if (const toml::node* market = table.get("market_price")) {
    p.market_price = ReadAmounts(ctx, *market, "market_price", false);
  }
  return p;
}

ExportFee ReadExportFee(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 6> kKeys = {"name", "rate", "base",
                                                            "min",  "max",  "only_mode"};
  CheckKeys(ctx, table, kKeys, "[[export.destination.fee]]");
  ExportFee fee;
  fee.pos = PosOf(table);
  if (const toml::node* name = Require(ctx, table, "name", "[[export.destination.fee]]")) {
    SetIf(ReadName(ctx, *name, "fee name"), fee.name);
  }
  if (const toml::node* rate = Require(ctx, table, "rate", "[[export.destination.fee]]")) {
    SetIf(ReadFraction(ctx, *rate, "fee rate"), fee.rate);
  }
  if (const toml::node* base = table.get("base"))
    SetIf(ReadChargeBase(ctx, *base, "fee base"), fee.base);
  if (const toml::node* min = table.get("min"))
    SetIf(ReadNonNegative(ctx, *min, "fee min"), fee.min);
  if (const toml::node* max = table.get("max"))
    SetIf(ReadNonNegative(ctx, *max, "fee max"), fee.max);
  if (fee.max > 0 && fee.min > fee.max) {
    ctx.Error(fee.pos, "fee " + Quote(fee.name) + ": min " + FormatNumber(fee.min) +
                           " is above max " + FormatNumber(fee.max));
  }
  if (const toml::node* mode = table.get("only_mode"))
    SetIf(ReadMode(ctx, *mode, "only_mode"), fee.only_mode);
  return fee;
}

ExportDestination ReadExportDestination(LoadContext& ctx, const toml::table& table) {
  static constexpr std::array<std::string_view, 13> kKeys = {"country",
                                                             "currency",
                                                             "basis",
                                                             "duty_free",
                                                             "mode",
                                                             "freight_per_kg",
                                                             "freight_per_teu",
                                                             "insurance_rate",
                                                             "fee",
                                                             "vat",
                                                             "vat_base",
                                                             "units_per_entry",
                                                             "note"};
  CheckKeys(ctx, table, kKeys, "[[export.destination]]");
  ExportDestination d;
  d.pos = PosOf(table);
  if (const toml::node* country = Require(ctx, table, "country", "[[export.destination]]")) {
    SetIf(ReadCountry(ctx, *country, "destination country"), d.country);
  }
  if (const toml::node* currency = Require(ctx, table, "currency", "[[export.destination]]")) {
    SetIf(ReadCurrency(ctx, *currency, "destination currency"), d.currency);
  }
  if (const toml::node* basis = table.get("basis")) {
    std::optional<std::string> text = ReadName(ctx, *basis, "basis");
    if (text) {
      std::string upper = *text;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (upper == "FOB") {
        d.basis = ValuationBasis::kFob;
      } else if (upper == "CIF") {
        d.basis = ValuationBasis::kCif;
      } else {
        ctx.Error(PosOf(*basis), "basis " + Quote(*text) +
                                     " must be \"FOB\" (transaction value, as the US) or \"CIF\" "
                                     "(cost, insurance and freight, as the EU)");
      }
    }
  }
  if (const toml::node* free = table.get("duty_free"))
    SetIf(ReadBool(ctx, *free, "duty_free"), d.duty_free);
  if (const toml::node* mode = table.get("mode")) SetIf(ReadMode(ctx, *mode, "mode"), d.mode);
  if (const toml::node* f = table.get("freight_per_kg"))
    SetIf(ReadNonNegative(ctx, *f, "freight_per_kg"), d.freight_per_kg);
  if (const toml::node* f = table.get("freight_per_teu"))
    SetIf(ReadNonNegative(ctx, *f, "freight_per_teu"), d.freight_per_teu);
  if (const toml::node* rate = table.get("insurance_rate"))
    d.insurance_rate = ReadFraction(ctx, *rate, "insurance_rate");
  if (const toml::node* vat = table.get("vat")) SetIf(ReadFraction(ctx, *vat, "vat"), d.vat);
  if (const toml::node* base = table.get("vat_base")) {
    const toml::array* array = base->as_array();
    if (array == nullptr || array->empty()) {
      ctx.Error(PosOf(*base),
                "vat_base must be a non-empty array of bases (\"cif\", \"duty\", \"fees\", ...)");
    } else {
      d.vat_base.clear();
      for (const toml::node& element : *array) {
        std::optional<ChargeBase> b = ReadChargeBase(ctx, element, "each element of vat_base");
        if (b) d.vat_base.push_back(*b);
      }
    }
  }
  if (const toml::node* units = table.get("units_per_entry")) {
    SetIf(ReadPositive(ctx, *units, "units_per_entry"), d.units_per_entry);
  }
  if (const toml::node* note = table.get("note")) ReadString(ctx, *note, "note");
  if (const toml::node* fees = table.get("fee")) {
    for (const toml::table* fee : AsTables(ctx, *fees, "[[export.destination.fee]]")) {
      d.fees.push_back(ReadExportFee(ctx, *fee));
    }
  }
  if (d.freight_per_teu > 0 && ctx.model.exports && ctx.model.exports->units_per_teu <= 0) {
    ctx.Error(PosOf(*table.get("freight_per_teu")),
              "freight_per_teu needs units_per_teu in [export] (units in one container)");
  }
  return d;
}

void ReadExportTariffs(LoadContext& ctx, const toml::node& node, ExportSection& ex) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    ctx.Error(PosOf(node), "tariffs must be an array of { file = \"...\", destination = \"US\" }");
    return;
  }
  for (const toml::node& element : *array) {
    TariffFile t;
    t.pos = PosOf(element);
    const toml::node* file = &element;
    if (const toml::table* table = element.as_table()) {
      static constexpr std::array<std::string_view, 2> kKeys = {"file", "destination"};
      CheckKeys(ctx, *table, kKeys, "a tariffs entry");
      file = Require(ctx, *table, "file", "a tariffs entry");
      if (const toml::node* dest = table->get("destination")) {
        SetIf(ReadCountry(ctx, *dest, "tariff destination"), t.destination);
      }
      if (file == nullptr) continue;
    }
    std::optional<std::string> name = ReadName(ctx, *file, "tariff file");
    if (!name) continue;
    t.written = *name;
    std::filesystem::path path = ctx.dir / *name;
    Result<std::string> bytes = ReadFileBytes(path);
    if (!bytes.ok()) {
      ctx.Error(PosOf(*file), "cannot read the tariff file " + Quote(path.string()) + ": " +
                                  bytes.status().message());
      continue;
    }
    t.file = path.string();
    t.content = std::move(*bytes);
    ex.tariffs.push_back(std::move(t));
  }
}

void ReadExportCriteria(LoadContext& ctx, const toml::table& table, ExportSection& ex) {
  if (const toml::node* node = table.get("activity")) {
    if (const toml::table* t = AsTable(ctx, *node, "[export.activity]")) {
      static constexpr std::array<std::string_view, 2> kKeys = {"months", "min_shipments"};
      CheckKeys(ctx, *t, kKeys, "[export.activity]");
      if (const toml::node* v = t->get("months"))
        SetIf(ReadCount(ctx, *v, "[export.activity] months", 1, 120), ex.recent_months);
      if (const toml::node* v = t->get("min_shipments"))
        SetIf(ReadCount(ctx, *v, "min_shipments", 1, 1000000), ex.min_recent_shipments);
    }
  }
  if (const toml::node* node = table.get("capability")) {
    if (const toml::table* t = AsTable(ctx, *node, "[export.capability]")) {
      static constexpr std::array<std::string_view, 4> kKeys = {
          "months", "min_active_months", "min_notify_share", "min_origin_shipments"};
      CheckKeys(ctx, *t, kKeys, "[export.capability]");
      if (const toml::node* v = t->get("months"))
        SetIf(ReadCount(ctx, *v, "[export.capability] months", 1, 240), ex.history_months);
      if (const toml::node* v = t->get("min_active_months"))
        SetIf(ReadCount(ctx, *v, "min_active_months", 0, 240), ex.min_active_months);
      if (const toml::node* v = t->get("min_notify_share"))
        SetIf(ReadFraction(ctx, *v, "min_notify_share"), ex.min_notify_share);
      if (const toml::node* v = t->get("min_origin_shipments"))
        SetIf(ReadCount(ctx, *v, "min_origin_shipments", 0, 1000000), ex.min_origin_shipments);
      if (ex.min_active_months > ex.history_months) {
        ctx.Error(PosOf(*t), "min_active_months " + std::to_string(ex.min_active_months) +
                                 " is more than the " + std::to_string(ex.history_months) +
                                 " months looked at");
      }
    }
  }
  if (const toml::node* node = table.get("movement")) {
    if (const toml::table* t = AsTable(ctx, *node, "[export.movement]")) {
      static constexpr std::array<std::string_view, 5> kKeys = {
          "period_months", "new_supplier_share", "volume_growth", "supplier_hhi", "origin_shift"};
      CheckKeys(ctx, *t, kKeys, "[export.movement]");
      MovementRules& m = ex.movement;
      m.pos = PosOf(*t);
      if (const toml::node* v = t->get("period_months"))
        SetIf(ReadCount(ctx, *v, "period_months", 1, 60), ex.period_months);
      if (const toml::node* v = t->get("new_supplier_share"))
        m.new_supplier_share = ReadFraction(ctx, *v, "new_supplier_share");
      if (const toml::node* v = t->get("volume_growth"))
        m.volume_growth = ReadNumber(ctx, *v, "volume_growth");
      if (const toml::node* v = t->get("supplier_hhi"))
        m.supplier_hhi = ReadFraction(ctx, *v, "supplier_hhi");
      if (const toml::node* v = t->get("origin_shift"))
        m.origin_shift = ReadFraction(ctx, *v, "origin_shift");
      if (!m.new_supplier_share && !m.volume_growth && !m.supplier_hhi && !m.origin_shift) {
        ctx.Warn(m.pos,
                 "[export.movement] names no signal: the reason-to-switch criterion is "
                 "unknown for every buyer");
      }
    }
  } else {
    ctx.Warn(ex.pos,
             "[export] has no [export.movement]: the reason-to-switch criterion is "
             "unknown for every buyer");
  }
  if (const toml::node* node = table.get("access")) {
    if (const toml::table* t = AsTable(ctx, *node, "[export.access]")) {
      static constexpr std::array<std::string_view, 2> kKeys = {"field", "roles"};
      CheckKeys(ctx, *t, kKeys, "[export.access]");
      if (const toml::node* v = t->get("field")) {
        std::optional<std::string> name = ReadName(ctx, *v, "[export.access] field");
        if (name && ColumnKey(*name) != *name) {
          ctx.Error(PosOf(*v), "[export.access] field " + Quote(*name) +
                                   " is not a column key: write it as " + Quote(ColumnKey(*name)));
        } else {
          SetIf(name, ex.role_field);
        }
      }
      if (const toml::node* v = t->get("roles"))
        ex.roles = NamesOnly(ReadNames(ctx, *v, "roles", false));
    }
  }
}

void ParseExport(LoadContext& ctx, const toml::node& node) {
  const toml::table* table = AsTable(ctx, node, "[export]");
  if (table == nullptr) return;
  static constexpr std::array<std::string_view, 15> kKeys = {
      "origin",     "currency", "markets", "insurance_rate", "units_per_teu",
      "min_margin", "tariffs",  "usd_per", "activity",       "capability",
      "movement",   "access",   "product", "destination",    "description"};
  CheckKeys(ctx, *table, kKeys, "[export]");
  ctx.model.exports.emplace();
  ExportSection& ex = *ctx.model.exports;
  ex.pos = PosOf(*table);
  if (const toml::node* origin = Require(ctx, *table, "origin", "[export]")) {
    SetIf(ReadCountry(ctx, *origin, "origin"), ex.origin);
  }
  if (const toml::node* currency = table->get("currency"))
    SetIf(ReadCurrency(ctx, *currency, "currency"), ex.currency);
  if (const toml::node* markets = table->get("markets")) {
    for (auto& [name, pos] : ReadNames(ctx, *markets, "markets", true)) {
      if (!IsCountryCode(name)) {
        ctx.Error(pos, "markets: " + Quote(name) +
                           " must be an ISO 3166-1 alpha-2 country code (\"US\")");
      } else {
        ex.markets.push_back(name);
      }
    }
  }
  if (const toml::node* v = table->get("insurance_rate"))
    SetIf(ReadFraction(ctx, *v, "insurance_rate"), ex.insurance_rate);
  if (const toml::node* v = table->get("units_per_teu"))
    SetIf(ReadPositive(ctx, *v, "units_per_teu"), ex.units_per_teu);
  if (const toml::node* v = table->get("min_margin")) {
    std::optional<double> margin = ReadNumber(ctx, *v, "min_margin");
    if (margin && (*margin <= -1 || *margin >= 1)) {
      ctx.Error(PosOf(*v), "min_margin must be a fraction between -1 and 1 (0.08 is 8%), got " +
                               FormatNumber(*margin));
    } else {
      SetIf(margin, ex.min_margin);
    }
  }
  if (const toml::node* v = table->get("description")) ReadString(ctx, *v, "description");
  if (const toml::node* v = table->get("usd_per"))
    ex.usd_per = ReadAmounts(ctx, *v, "usd_per", true);
  ReadExportCriteria(ctx, *table, ex);
  if (const toml::node* products =
          Require(ctx, *table, "product", "[export] (write at least one [[export.product]])")) {
    for (const toml::table* p : AsTables(ctx, *products, "[[export.product]]")) {
      ex.products.push_back(ReadExportProduct(ctx, *p));
    }
  }
  std::set<std::string> seen;
  for (const ExportProduct& p : ex.products) {
    if (!p.hs.empty() && !seen.insert(p.hs).second) {
      ctx.Error(p.pos, "[[export.product]] hs " + Quote(p.hs) + " is named twice");
    }
  }
  if (const toml::node* dests = table->get("destination")) {
    for (const toml::table* d : AsTables(ctx, *dests, "[[export.destination]]")) {
      ex.destinations.push_back(ReadExportDestination(ctx, *d));
    }
  }
  seen.clear();
  for (const ExportDestination& d : ex.destinations) {
    if (!d.country.empty() && !seen.insert(d.country).second) {
      ctx.Error(d.pos, "[[export.destination]] " + Quote(d.country) + " is named twice");
    }
  }
  if (const toml::node* tariffs = table->get("tariffs")) ReadExportTariffs(ctx, *tariffs, ex);
  // Every currency the landed cost converts needs a rate.
  auto has_rate = [&](const std::string& currency) {
    return currency == "USD" || std::any_of(ex.usd_per.begin(), ex.usd_per.end(),
                                            [&](const auto& p) { return p.first == currency; });
  };
  if (!ex.currency.empty() && !has_rate(ex.currency)) {
    ctx.Error(ex.pos, "[export] currency " + Quote(ex.currency) +
                          " has no rate in [export.usd_per] (USD for one " + ex.currency + ")");
  }
  for (const ExportDestination& d : ex.destinations) {
    if (!d.currency.empty() && !has_rate(d.currency)) {
      ctx.Error(d.pos, "destination " + Quote(d.country) + " uses " + Quote(d.currency) +
                           ", which has no rate in [export.usd_per]");
    }
  }
  for (const std::string& market : ex.markets) {
    bool ruled = std::any_of(ex.destinations.begin(), ex.destinations.end(),
                             [&](const ExportDestination& d) { return d.country == market; });
    if (!ruled) {
      ctx.Warn(ex.pos, "market " + Quote(market) +
                           " has no [[export.destination]]: the economics "
                           "criterion is unknown for its buyers");
    }
  }
}

constexpr std::array kSections = {
    SectionSpec{"model", "[model]", &ParseModelInfo},
    SectionSpec{"lists", "[lists]", &ParseLists},
    SectionSpec{"fit", "[fit]", &ParseFit},
    SectionSpec{"intent", "[intent]", &ParseIntent},
    SectionSpec{"negative", "[[negative]]", &ParseNegatives},
    SectionSpec{"score", "[score]", &ParseScore},
    SectionSpec{"grades", "[grades]", &ParseGrades},
    SectionSpec{"actions", "[actions]", &ParseActions},
    SectionSpec{"disqualify", "[[disqualify]]", &ParseDisqualify},
    SectionSpec{"channel", "[[channel]]", &ParseChannels},
    SectionSpec{"framework", "[[framework]]", &ParseFrameworks},
    SectionSpec{"lifecycle", "[lifecycle]", &ParseLifecycle},
    SectionSpec{"handoff", "[handoff]", &ParseHandoff},
    SectionSpec{"predictive", "[predictive]", &ParsePredictive},
    SectionSpec{"export", "[export]", &ParseExport},
};

void CheckSectionNames(LoadContext& ctx, const toml::table& root) {
  std::vector<std::string_view> names;
  for (const SectionSpec& section : kSections) names.push_back(section.name);
  for (auto&& [key, node] : root) {
    if (std::find(names.begin(), names.end(), key.str()) != names.end()) continue;
    std::string_view best = ClosestName(key.str(), names);
    std::string hint;
    for (const SectionSpec& section : kSections) {
      if (section.name == best) hint = "; did you mean " + std::string(section.display) + "?";
    }
    std::string what = node.is_table()   ? "section [" + std::string(key.str()) + "]"
                       : node.is_array() ? "section [[" + std::string(key.str()) + "]]"
                                         : "top-level key " + Quote(key.str());
    ctx.Error(PosOf(key), "unknown " + what + hint);
  }
}

void WarnAboutGaps(LoadContext& ctx) {
  const Model& model = ctx.model;
  // A model for export screening alone ([export] and nothing to score leads with) is complete.
  bool export_only = model.exports && ctx.grades == GradeState::kAbsent &&
                     model.fit.rules.empty() && model.intent.entries.empty();
  if (export_only) return;
  if (ctx.grades == GradeState::kAbsent) {
    ctx.Warn(SourcePos{}, "the model has no [grades]: every lead gets empty grades and the " +
                              std::string("default action ") + Quote(model.DefaultAction()));
  }
  if (model.fit.rules.empty() && model.intent.entries.empty()) {
    ctx.Warn(SourcePos{},
             "the model has no [[fit.rule]] and no [[intent.event]]: every fit and intent is 0");
  }
}

std::string JoinDiagnostics(const std::filesystem::path& path,
                            const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += FormatDiagnostic(path, d);
  }
  return out;
}

}  // namespace

Result<Model> ParseModel(std::string_view toml, const std::filesystem::path& path) {
  toml::table root;
  try {
    std::string source = path.string();
    root = toml::parse(toml, source);
  } catch (const toml::parse_error& e) {
    Diagnostic d{PosOf(e.source()), "not valid TOML: " + std::string(e.description()), true};
    return Status::Invalid(FormatDiagnostic(path, d));
  }
  Model model;
  model.path = path;
  LoadContext ctx(model, path.parent_path());
  CheckSectionNames(ctx, root);
  for (const SectionSpec& section : kSections) {
    if (const toml::node* node = root.get(section.name)) section.parse(ctx, *node);
  }
  WarnAboutGaps(ctx);
  if (!ctx.errors.empty()) {
    SortByPosition(ctx.errors);
    return Status::Invalid(JoinDiagnostics(path, ctx.errors));
  }
  SortByPosition(ctx.warnings);
  model.warnings = std::move(ctx.warnings);
  return model;
}

Result<Model> LoadModel(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) {
    Status status = bytes.status();
    return Status(status.code(), FormatDiagnostic(path, Diagnostic{{}, status.message(), true}));
  }
  return ParseModel(*bytes, path);
}

}  // namespace leadq::model
