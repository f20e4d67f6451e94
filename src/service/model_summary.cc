#include "service/model_summary.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "core/text.h"
#include "service/predictive.h"
#include "service/trade.h"

namespace leadq::service {
namespace {

std::string OperandText(const model::Operand& o) {
  switch (o.kind) {
    case model::Operand::Kind::kString:
      return "\"" + o.text + "\"";
    case model::Operand::Kind::kNumber: {
      std::string s = FormatFixed2(o.number);
      if (s.size() > 3 && s.substr(s.size() - 3) == ".00") s.resize(s.size() - 3);
      return s;
    }
    case model::Operand::Kind::kBool:
      return o.boolean ? "true" : "false";
  }
  return "";
}

std::string SourceName(model::FieldSource s) {
  switch (s) {
    case model::FieldSource::kLead:
      return "lead.";
    case model::FieldSource::kAccount:
      return "account.";
    case model::FieldSource::kEvent:
      return "event.";
  }
  return "";
}

std::vector<size_t> ByThreshold(const std::vector<model::Grade>& grades) {
  std::vector<size_t> order(grades.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return grades[a].threshold > grades[b].threshold; });
  return order;
}

// Left-aligns in a column of `width`, always leaving at least one space after the text.
std::string Pad(std::string s, size_t width) {
  s.append(s.size() < width ? width - s.size() : 1, ' ');
  return s;
}

std::string Number(double v) {
  std::string s = FormatFixed2(v);
  if (s.size() > 3 && s.substr(s.size() - 3) == ".00") s.resize(s.size() - 3);
  return s;
}

}  // namespace

std::string DescribeCondition(const model::Condition& c) {
  using Kind = model::Condition::Kind;
  if (c.kind != Kind::kLeaf) {
    if (c.kind == Kind::kNot) return "not (" + DescribeCondition(c.children[0]) + ")";
    std::string s = c.kind == Kind::kAll ? "all of (" : "any of (";
    for (size_t i = 0; i < c.children.size(); ++i) {
      if (i > 0) s += "; ";
      s += DescribeCondition(c.children[i]);
    }
    return s + ")";
  }
  std::string field = SourceName(c.field.source) + c.field.key;
  std::string op(model::OpName(c.op));
  switch (c.op) {
    case model::Op::kIn:
    case model::Op::kNotIn: {
      std::string s = field + " " + (c.op == model::Op::kIn ? "in" : "not in") + " [";
      for (size_t i = 0; i < c.operands.size(); ++i) {
        if (i > 0) s += ", ";
        s += OperandText(c.operands[i]);
      }
      return s + "]";
    }
    case model::Op::kBetween:
      return field + " between " + OperandText(c.operands[0]) + " and " +
             OperandText(c.operands[1]);
    case model::Op::kExists:
      return field + (c.operands[0].boolean ? " is present" : " is missing");
    case model::Op::kInList:
      return field + " in list " + c.operands[0].text;
    case model::Op::kEq:
      return field + " = " + OperandText(c.operands[0]);
    case model::Op::kNe:
      return field + " != " + OperandText(c.operands[0]);
    case model::Op::kGt:
      return field + " > " + OperandText(c.operands[0]);
    case model::Op::kGte:
      return field + " >= " + OperandText(c.operands[0]);
    case model::Op::kLt:
      return field + " < " + OperandText(c.operands[0]);
    case model::Op::kLte:
      return field + " <= " + OperandText(c.operands[0]);
    default:
      return field + " " + op + " " + OperandText(c.operands[0]);
  }
}

std::string GradeMatrix(const model::Model& m, int channel, const std::vector<uint64_t>* counts) {
  if (m.fit_grades.empty() || m.intent_grades.empty()) return "  (no grades)\n";
  const std::vector<size_t> fit = ByThreshold(m.fit_grades);
  const std::vector<size_t> intent = ByThreshold(m.intent_grades);
  const std::map<std::string, model::CellAction> actions = model::CellActions(m, channel);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"fit \\ intent"};
  for (size_t i : intent) {
    header.push_back(m.intent_grades[i].name + " (>=" + Number(m.intent_grades[i].threshold) + ")");
  }
  rows.push_back(header);
  for (size_t f : fit) {
    std::vector<std::string> row{m.fit_grades[f].name + " (>=" + Number(m.fit_grades[f].threshold) +
                                 ")"};
    for (size_t i : intent) {
      std::string cell = m.fit_grades[f].name + m.intent_grades[i].name;
      std::string text = actions.at(cell).action;
      if (counts != nullptr) {
        text += " " + GroupThousands((*counts)[f * m.intent_grades.size() + i]);
      }
      row.push_back(text);
    }
    rows.push_back(row);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    out += "  ";
    for (size_t c = 0; c < row.size(); ++c) {
      out += c + 1 == row.size() ? row[c] : Pad(row[c], widths[c] + 2);
    }
    out += "\n";
  }
  return out;
}

namespace {

std::string ScopeText(const model::HandoffScope& scope) {
  std::string out;
  if (!scope.cells.empty()) out += "cells " + JoinStrings(scope.cells);
  if (!scope.channels.empty()) {
    out += (out.empty() ? "" : "; ") + std::string("channels ") + JoinStrings(scope.channels);
  }
  return out.empty() ? std::string("every lead") : out;
}

}  // namespace

std::string DescribeAssignRule(const model::AssignRule& rule) {
  std::string out = rule.when ? "when " + DescribeCondition(*rule.when) : std::string("any lead");
  out += " -> pool " + JoinStrings(rule.pool);
  if (rule.account_affinity) {
    out += *rule.account_affinity ? " (account affinity)" : " (no account affinity)";
  }
  return out;
}

std::string DescribeSlaRule(const model::SlaRule& rule) {
  std::string out = ScopeText(rule.scope) + ": first touch within " + Number(rule.minutes) +
                    " min" + (rule.working_hours ? " of working hours" : "");
  if (rule.escalate != model::Escalation::kNone) {
    out +=
        "; then " + std::string(model::EscalationName(rule.escalate)) +
        (rule.escalate_after_minutes > 0 ? " after " + Number(rule.escalate_after_minutes) + " min"
                                         : std::string());
  }
  return out;
}

std::string DescribeCadence(const model::CadenceRule& rule) {
  return ScopeText(rule.scope) + ": " + std::to_string(rule.touches) + " touches over " +
         Number(rule.days) + " days, >= " + Number(rule.min_spacing_hours) + " h apart, via " +
         JoinStrings(rule.via) + "; recycled after " + Number(rule.reply_wait_days) +
         " days with no reply";
}

std::string ModelSummary(const model::Model& m) {
  std::string out;
  out += "model " + (m.name.empty() ? m.path.filename().string() : m.name) + " is valid\n";
  if (!m.description.empty()) out += "  " + m.description + "\n";

  if (!m.lists.empty()) {
    out += "\nLists\n";
    for (const model::NamedList& l : m.lists) {
      out += "  " + Pad(l.name, 20) + std::to_string(l.values.size()) + " entries" +
             (l.file.empty() ? "" : " from " + l.file) + "\n";
    }
  }
  out +=
      "\nFit (max " + Number(m.fit.max) + "): " + std::to_string(m.fit.rules.size()) + " rules\n";
  for (const model::FitRule& r : m.fit.rules) {
    std::string pts = (r.points > 0 ? "+" : "") + Number(r.points);
    out += "  " + Pad(pts, 7) + Pad(r.name, 28) + DescribeCondition(r.when) + "\n";
  }
  out += "\nIntent (max " + Number(m.intent.max) + ", half-life " +
         (m.intent.half_life_days > 0 ? Number(m.intent.half_life_days) + " days" : "none") +
         ", window " +
         (m.intent.window_days > 0 ? Number(m.intent.window_days) + " days" : "none") +
         "): " + std::to_string(m.intent.entries.size()) + " entries, first match wins\n";
  for (const model::IntentEntry& e : m.intent.entries) {
    std::string line =
        "  " + Pad("+" + Number(e.points), 7) + Pad(e.Label(), 28) + "type " + e.type;
    if (e.when) line += " when " + DescribeCondition(*e.when);
    if (e.cap) line += "; cap " + Number(*e.cap);
    if (e.half_life_days) line += "; half-life " + Number(*e.half_life_days) + " days";
    out += line + "\n";
  }
  if (!m.negatives.empty()) {
    out += "\nNegative signals\n";
    for (const model::NegativeEntry& n : m.negatives) {
      std::string what;
      if (n.when) what = DescribeCondition(*n.when);
      if (n.event_type) what += (what.empty() ? "" : " and ") + ("an event " + *n.event_type);
      out += "  " + Pad(Number(n.points), 7) + Pad(n.name, 28) + what + "\n";
    }
  }
  out += "\nScore = " + Number(m.score.fit_weight) + " x fit + " + Number(m.score.intent_weight) +
         " x intent + negative\n";
  out += "\nGrade matrix (action of each cell)\n" + GradeMatrix(m, -1);
  for (size_t c = 0; c < m.channels.size(); ++c) {
    const model::Channel& ch = m.channels[c];
    out += "\nChannel " + ch.name + " (when " + DescribeCondition(ch.when) + ")\n" +
           GradeMatrix(m, static_cast<int>(c));
  }
  if (!m.disqualify.empty()) {
    out += "\nDisqualified when (first match sets the reason)\n";
    for (const model::DisqualifyRule& d : m.disqualify) {
      out += "  " + Pad(d.reason, 20) + DescribeCondition(d.when) + "\n";
    }
  }
  const model::HandoffSection& h = m.handoff;
  if (!h.rules.empty() || !h.fallback.empty() || !h.sla.empty() || !h.cadences.empty()) {
    out += "\nHandoff (account affinity " + std::string(h.account_affinity ? "on" : "off") +
           (h.fallback.empty() ? "" : ", fallback pool " + JoinStrings(h.fallback)) + ")\n";
    for (const model::AssignRule& r : h.rules) {
      out += "  assign   " + Pad(r.name, 18) + DescribeAssignRule(r) + "\n";
    }
    for (const model::SlaRule& r : h.sla) {
      out += "  clock    " + Pad(r.name, 18) + DescribeSlaRule(r) + "\n";
    }
    for (const model::CadenceRule& r : h.cadences) {
      out += "  cadence  " + Pad(r.name, 18) + DescribeCadence(r) + "\n";
    }
    if (h.limit_touches > 0) {
      out += "  limit    at most " + std::to_string(h.limit_touches) + " touches in " +
             Number(h.limit_days) + " days\n";
    }
    if (h.do_not_contact) {
      out += "  never contact when " + DescribeCondition(*h.do_not_contact) + "\n";
    }
  }
  if (!m.warnings.empty()) {
    out += "\nWarnings\n";
    for (const model::Diagnostic& w : m.warnings) {
      out += "  " + model::FormatDiagnostic(m.path, w) + "\n";
    }
  }
  return out;
}

Result<std::string> CheckModel(const model::Model& model, const std::filesystem::path& path) {
  LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(model));
  std::optional<TradeModel> trade_model;
  if (model.exports) {
    LEADQ_TRY(TradeModel compiled, CompileTradeModel(model));
    trade_model = std::move(compiled);
  }
  std::string out;
  const bool export_only = model.exports && model.fit.rules.empty() &&
                           model.intent.entries.empty() && model.fit_grades.empty() &&
                           model.intent_grades.empty();
  if (export_only) {
    out += "model " + (model.name.empty() ? path.filename().string() : model.name) + " is valid\n";
    if (!model.description.empty()) out += "  " + model.description + "\n";
    for (const model::Diagnostic& w : model.warnings) {
      out += "warning: " + model::FormatDiagnostic(path, w) + "\n";
    }
    out += "\n";
  } else {
    out += ModelSummary(model);
  }
  if (trade_model) out += (export_only ? "" : "\n") + DescribeExport(*trade_model);
  if (learned) {
    out += "\npredictive: " + DescribePredictive(model, *learned) + "\n";
    const engine::DataNeeds needs = engine::NeedsOf(model);
    if (std::find(needs.lead_fields.begin(), needs.lead_fields.end(), model.predictive->field) ==
        needs.lead_fields.end()) {
      out += "warning: no rule reads lead." + model.predictive->field +
             ": the predictive model is computed for nothing\n";
    }
  }
  return out;
}

}  // namespace leadq::service
