#include "service/explain_render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace leadq::service {
namespace {

using engine::ActionSource;
using engine::CompiledModel;
using engine::LeadExplanation;
using json = nlohmann::ordered_json;

// How many events of one intent entry the text explanation lists one by one.
constexpr size_t kEventsShown = 5;

std::string Num(double v) { return FormatFixed2(v); }

std::string Signed(double v) {
  std::string s = FormatFixed2(v);
  return (s[0] == '-' || s == "0.00") ? s : "+" + s;
}

std::string Days(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", d);
  return buf;
}

std::string FieldSourceName(model::FieldSource s) {
  switch (s) {
    case model::FieldSource::kLead:
      return "lead";
    case model::FieldSource::kAccount:
      return "account";
    case model::FieldSource::kEvent:
      return "event";
  }
  return "";
}

// "account.industry = "software"" for each field a condition read.
std::vector<std::pair<std::string, std::string>> Readings(const Workset& work, int root,
                                                          uint32_t lead_row) {
  std::vector<std::pair<std::string, std::string>> out;
  int32_t account = work.data.leads.account[lead_row];
  for (const auto& r : work.compiled.conditions.ReadLeaves(root, lead_row, account, 0)) {
    std::string field = FieldSourceName(r.leaf->field.source) + "." + r.leaf->field.key;
    bool seen = false;
    for (const auto& [f, v] : out) seen = seen || f == field;
    if (!seen) out.emplace_back(field, r.present ? std::string(r.value) : std::string());
  }
  return out;
}

std::string ReadingsText(const std::vector<std::pair<std::string, std::string>>& readings) {
  std::string s;
  for (const auto& [field, value] : readings) {
    if (!s.empty()) s += ", ";
    s += field + (value.empty() ? " is missing" : " = \"" + value + "\"");
  }
  return s;
}

std::string ActionReason(const Workset& work, const engine::LeadScore& s, ActionSource::Kind source,
                         const std::string& cell) {
  const model::Model& m = work.model;
  const std::string& action = work.compiled.actions[s.action];
  if (s.disqualify >= 0) {
    return "disqualified by [[disqualify]] \"" + m.disqualify[s.disqualify].reason +
           "\" (it applies whatever the grades say)";
  }
  std::string where =
      cell.empty() ? "the lead has no grade cell (the model has no grades)" : "cell " + cell;
  std::string channel =
      s.channel >= 0 ? "channel \"" + m.channels[s.channel].name + "\"" : std::string();
  switch (source) {
    case ActionSource::Kind::kList:
      return where + " is in the " + action + " list of [actions]" +
             (channel.empty() ? "" : " (" + channel + " does not replace it)");
    case ActionSource::Kind::kChannelList:
      return where + " is in the " + action + " list of " + channel + "'s [channel.actions]";
    case ActionSource::Kind::kChannelDefault:
      return where + " is in no list of " + channel + ", so it gets that channel's default";
    case ActionSource::Kind::kDefault:
      return where + " is in no action list" + (channel.empty() ? "" : " for " + channel) +
             ", so it gets the default";
  }
  return "";
}

std::string GradeText(const std::vector<model::Grade>& grades, int index) {
  if (index < 0) return "no grade";
  const model::Grade& g = grades[static_cast<size_t>(index)];
  double lowest = g.threshold;
  for (const model::Grade& o : grades) lowest = std::min(lowest, o.threshold);
  return "grade " + g.name + " (at least " + FormatFixed2(g.threshold) +
         (g.threshold == lowest ? ", the lowest grade" : "") + ")";
}

std::string WhyIgnored(engine::IgnoredEvent::Why why) {
  switch (why) {
    case engine::IgnoredEvent::Why::kAfterAsOf:
      return "after as-of";
    case engine::IgnoredEvent::Why::kOutsideWindow:
      return "outside the window";
    case engine::IgnoredEvent::Why::kNoEntry:
      return "no intent entry takes it";
  }
  return "";
}

json EventJson(const Workset& work, uint32_t row) {
  const engine::EventTable& ev = work.data.events;
  json j;
  if (!ev.ids.empty()) j["event_id"] = ev.ids[row];
  j["type"] = ev.type_values[ev.type[row]];
  j["occurred_at"] = FormatTimestamp(ev.at[row]);
  j["line"] = ev.lines[row];
  return j;
}

}  // namespace

json Fixed2(double value) { return json(std::stod(FormatFixed2(value))); }

GradeNames NamesOf(const CompiledModel& m, const engine::LeadScore& s) {
  GradeNames g;
  if (s.fit_grade >= 0) g.fit = m.model->fit_grades[s.fit_grade].name;
  if (s.intent_grade >= 0) g.intent = m.model->intent_grades[s.intent_grade].name;
  if (s.fit_grade >= 0 && s.intent_grade >= 0) g.cell = g.fit + g.intent;
  return g;
}

std::string ReasonOf(const CompiledModel& m, const engine::LeadScore& s) {
  return s.disqualify >= 0 ? m.model->disqualify[s.disqualify].reason : std::string();
}

std::string RenderExplanationText(const Workset& work, const LeadExplanation& why) {
  const model::Model& m = work.model;
  const engine::LeadScore& s = why.score;
  const GradeNames g = NamesOf(work.compiled, s);
  const std::string& action = work.compiled.actions[s.action];
  const uint32_t row = why.lead_row;
  std::string out;

  out += "Lead " + work.data.leads.ids[row] + ": " +
         (g.cell.empty() ? std::string("no grade") : "grade " + g.cell) + ", action " + action;
  if (s.disqualify >= 0) out += " (" + m.disqualify[s.disqualify].reason + ")";
  out += "\n";
  out += "  score " + Num(s.score) + " = " + Num(m.score.fit_weight) + " x fit " + Num(s.fit) +
         " + " + Num(m.score.intent_weight) + " x intent " + Num(s.intent) + " + negative " +
         Num(s.negative) + "\n";
  out += "  why " + action + ": " + ActionReason(work, s, why.action_source, g.cell) + "\n";
  out += "  as of " + FormatTimestamp(work.as_of) + ", " + work.data.leads.file + ":" +
         std::to_string(work.data.leads.lines[row]) + "\n";

  // Fit.
  out += "\nFit " + Num(s.fit) + " of " + Num(m.fit.max) + ": " +
         GradeText(m.fit_grades, s.fit_grade) + "\n";
  if (why.fit_rules.empty()) out += "  no fit rule holds\n";
  for (uint16_t r : why.fit_rules) {
    const model::FitRule& rule = m.fit.rules[r];
    char line[256];
    std::snprintf(line, sizeof line, "  %8s  %-28s ", Signed(rule.points).c_str(),
                  rule.name.c_str());
    out += line + ReadingsText(Readings(work, work.compiled.fit_rules[r].when, row)) + "\n";
  }
  if (why.fit_sum != s.fit) {
    out += "  (the rules add up to " + Num(why.fit_sum) + "; fit is kept between 0 and " +
           Num(m.fit.max) + ")\n";
  }

  // Intent.
  out += "\nIntent " + Num(s.intent) + " of " + Num(m.intent.max) + ": " +
         GradeText(m.intent_grades, s.intent_grade);
  std::string rules;
  if (m.intent.half_life_days > 0) rules += "half-life " + Num(m.intent.half_life_days) + " days";
  if (m.intent.window_days > 0) {
    rules +=
        (rules.empty() ? "" : ", ") + std::string("window ") + Num(m.intent.window_days) + " days";
  }
  out += (rules.empty() ? "" : "; " + rules) + "\n";
  if (why.entries.empty()) out += "  no event counts\n";
  for (const engine::EntryContribution& e : why.entries) {
    const model::IntentEntry& entry = m.intent.entries[e.entry];
    out += "  " + Signed(e.counted) + "  " + entry.Label();
    if (entry.cap) {
      out += " (cap " + Num(*entry.cap) + (e.sum > *entry.cap ? ", reached" : "") + ")";
    }
    out += ": " + std::to_string(e.events.size()) + (e.events.size() == 1 ? " event" : " events") +
           "\n";
    // The events that weigh most, in time order; the rest summed on one line.
    std::vector<size_t> shown(e.events.size());
    for (size_t k = 0; k < shown.size(); ++k) shown[k] = k;
    if (shown.size() > kEventsShown) {
      std::stable_sort(shown.begin(), shown.end(),
                       [&](size_t a, size_t b) { return e.events[a].points > e.events[b].points; });
      shown.resize(kEventsShown);
      std::sort(shown.begin(), shown.end());
    }
    double rest = e.sum;
    for (size_t k : shown) {
      const engine::EventContribution& c = e.events[k];
      rest -= c.points;
      out += "      " + FormatTimestamp(c.occurred_at) + "  " + Days(c.age_days) + " days ago  ";
      if (c.half_life_days > 0) {
        out += Num(c.base_points) + " x 0.5^(" + Days(c.age_days) + "/" + Num(c.half_life_days) +
               ") = " + Num(c.points);
      } else {
        out += Num(c.points) + " (no decay)";
      }
      out +=
          "  " + work.data.events.file + ":" + std::to_string(work.data.events.lines[c.event_row]);
      if (!work.data.events.ids.empty() && !work.data.events.ids[c.event_row].empty()) {
        out += " " + work.data.events.ids[c.event_row];
      }
      out += "\n";
    }
    if (shown.size() < e.events.size()) {
      out += "      and " + std::to_string(e.events.size() - shown.size()) +
             " older or smaller events adding " + Num(rest) + "\n";
    }
  }
  if (why.intent_sum > s.intent) {
    out += "  (the entries add up to " + Num(why.intent_sum) + "; intent is limited to " +
           Num(m.intent.max) + ")\n";
  }
  if (!why.ignored.empty()) {
    size_t counts[3] = {0, 0, 0};
    for (const engine::IgnoredEvent& i : why.ignored) ++counts[static_cast<int>(i.why)];
    out += "  not counted:";
    const char* names[3] = {"after as-of", "outside the window", "no intent entry takes them"};
    bool first = true;
    for (int k = 0; k < 3; ++k) {
      if (counts[k] == 0) continue;
      out += std::string(first ? " " : ", ") + std::to_string(counts[k]) + " " + names[k];
      first = false;
    }
    out += "\n";
  }

  // Negative.
  out += "\nNegative " + Num(s.negative) + "\n";
  if (why.negatives.empty()) out += "  no negative signal\n";
  for (const engine::NegativeContribution& n : why.negatives) {
    const model::NegativeEntry& entry = m.negatives[n.entry];
    char line[256];
    std::snprintf(line, sizeof line, "  %8s  %-28s ", Num(n.points).c_str(), entry.name.c_str());
    std::string detail;
    if (entry.when) {
      detail = ReadingsText(Readings(work, work.compiled.negatives[n.entry].when, row));
    }
    if (n.event_row >= 0) {
      auto e = static_cast<uint32_t>(n.event_row);
      if (!detail.empty()) detail += "; ";
      detail += work.data.events.type_values[work.data.events.type[e]] + " on " +
                FormatTimestamp(work.data.events.at[e]) + " (" + work.data.events.file + ":" +
                std::to_string(work.data.events.lines[e]) + ")";
    }
    out += line + detail + "\n";
  }
  return out;
}

json ExplanationJson(const Workset& work, const LeadExplanation& why) {
  const model::Model& m = work.model;
  const engine::LeadScore& s = why.score;
  const GradeNames g = NamesOf(work.compiled, s);
  const uint32_t row = why.lead_row;
  json j;
  j["lead_id"] = work.data.leads.ids[row];
  j["fit"] = Fixed2(s.fit);
  j["intent"] = Fixed2(s.intent);
  j["negative"] = Fixed2(s.negative);
  j["score"] = Fixed2(s.score);
  j["fit_grade"] = g.fit;
  j["intent_grade"] = g.intent;
  j["cell"] = g.cell;
  j["action"] = work.compiled.actions[s.action];
  j["reason"] = ReasonOf(work.compiled, s);

  json fit_rules = json::array();
  for (uint16_t r : why.fit_rules) {
    json reads = json::object();
    for (const auto& [field, value] : Readings(work, work.compiled.fit_rules[r].when, row)) {
      reads[field] = value.empty() ? json(nullptr) : json(value);
    }
    fit_rules.push_back(
        {{"name", m.fit.rules[r].name}, {"points", m.fit.rules[r].points}, {"fields", reads}});
  }
  json entries = json::array();
  for (const engine::EntryContribution& e : why.entries) {
    const model::IntentEntry& entry = m.intent.entries[e.entry];
    json events = json::array();
    for (const engine::EventContribution& c : e.events) {
      json ev = EventJson(work, c.event_row);
      ev["age_days"] = Fixed2(c.age_days);
      ev["half_life_days"] = c.half_life_days;
      ev["base_points"] = c.base_points;
      ev["points"] = Fixed2(c.points);
      events.push_back(ev);
    }
    json je = {{"entry", e.entry},     {"label", entry.Label()},       {"type", entry.type},
               {"sum", Fixed2(e.sum)}, {"counted", Fixed2(e.counted)}, {"events", events}};
    if (entry.cap) je["cap"] = *entry.cap;
    entries.push_back(je);
  }
  json ignored = json::array();
  for (const engine::IgnoredEvent& i : why.ignored) {
    json ev = EventJson(work, i.event_row);
    ev["why"] = WhyIgnored(i.why);
    ignored.push_back(ev);
  }
  json negatives = json::array();
  for (const engine::NegativeContribution& n : why.negatives) {
    json jn = {{"name", m.negatives[n.entry].name}, {"points", n.points}};
    if (n.event_row >= 0) jn["event"] = EventJson(work, static_cast<uint32_t>(n.event_row));
    negatives.push_back(jn);
  }
  json action = {{"action", work.compiled.actions[s.action]},
                 {"why", ActionReason(work, s, why.action_source, g.cell)}};
  if (s.channel >= 0) action["channel"] = m.channels[s.channel].name;
  if (s.disqualify >= 0) action["disqualify_rule"] = s.disqualify;

  j["explanation"] = {
      {"fit", {{"sum", Fixed2(why.fit_sum)}, {"max", m.fit.max}, {"rules", fit_rules}}},
      {"intent",
       {{"sum", Fixed2(why.intent_sum)},
        {"max", m.intent.max},
        {"entries", entries},
        {"ignored", ignored}}},
      {"negative", negatives},
      {"action", action}};
  return j;
}

}  // namespace leadq::service
