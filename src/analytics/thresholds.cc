#include "analytics/thresholds.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "analytics/report_text.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

using Json = nlohmann::ordered_json;

constexpr double kNeighbours[] = {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20};

}  // namespace

ThresholdReport ComputeThresholds(const ThresholdInput& input) {
  ThresholdReport r;
  r.capacity = input.capacity;
  r.weeks = input.weeks > 0 ? input.weeks : 1;
  r.arrivals = input.scores.size();
  r.labelled = input.labelled;
  r.window = input.window;
  r.fit = input.fit;
  if (input.unscored > 0) {
    r.notes.push_back(GroupThousands(input.unscored) +
                      " leads arrived in the window without a score and are left out: leadq "
                      "rescore");
  }
  if (input.scores.empty()) {
    r.notes.push_back("no lead arrived in the window (" + input.window +
                      "): nothing to draw a line through");
    return r;
  }
  std::vector<double> desc = input.scores;
  std::sort(desc.begin(), desc.end(), std::greater<>());
  // Prefix sums of the win probability over the scores, highest first.
  std::vector<double> wins_above(desc.size() + 1, 0);
  for (size_t i = 0; i < desc.size(); ++i) {
    wins_above[i + 1] = wins_above[i] + (r.fit.fitted ? WinProbability(r.fit, desc[i]) : 0);
  }
  auto at_line = [&](double line) {
    ThresholdLine l;
    l.line = line;
    // Leads scoring >= line: a prefix of the scores sorted highest first.
    size_t k = static_cast<size_t>(
        std::partition_point(desc.begin(), desc.end(), [&](double s) { return s >= line; }) -
        desc.begin());
    l.leads_per_week = static_cast<double>(k) / r.weeks;
    if (r.fit.fitted) {
      l.wins_per_week = wins_above[k] / r.weeks;
      l.conversion = Ratio(wins_above[k], static_cast<double>(k));
    }
    l.load = r.capacity > 0 ? l.leads_per_week / r.capacity : 0;
    l.extrapolated = r.fit.fitted && (line < input.labelled_low || line > input.labelled_high);
    return l;
  };
  const double lowest = std::floor(desc.back());
  const double highest = std::floor(desc.front()) + 1;  // nobody scores at or above it
  double chosen = highest;
  for (double t = lowest; t <= highest; t += 1) {
    if (at_line(t).leads_per_week <= r.capacity) {
      chosen = t;
      break;
    }
  }
  r.chosen = chosen;
  std::set<double, std::greater<>> lines;
  for (double d : kNeighbours) {
    double t = chosen + d;
    if (t >= lowest && t <= highest) lines.insert(t);
  }
  for (double t : lines) {
    ThresholdLine l = at_line(t);
    l.chosen = t == chosen;
    r.lines.push_back(l);
  }
  if (chosen == lowest) {
    r.notes.push_back(
        "the capacity exceeds the inflow: every arriving lead fits, at any line "
        "up to " +
        Fixed(chosen, 0));
  }
  if (r.fit.fitted && (chosen < input.labelled_low || chosen > input.labelled_high)) {
    r.notes.push_back("the line is outside the scores of the labelled leads (" +
                      Fixed(input.labelled_low, 1) + " to " + Fixed(input.labelled_high, 1) +
                      "): its expected wins extrapolate the fitted curve");
  }
  if (!r.fit.fitted) {
    r.notes.push_back(std::string(kNoOutcomesMessage) +
                      " (at least two won and two lost at mql); expected wins are not shown");
  } else if (r.fit.slope <= 0) {
    r.notes.push_back(
        "the score does not rank wins in the labelled history (a higher score is "
        "not more likely to win): the line fits the capacity but does not pick "
        "likelier wins");
  }
  return r;
}

std::string RenderThresholdsTable(const ThresholdReport& r) {
  std::string out =
      "Thresholds: the mql line for a capacity of " + Fixed(r.capacity, 0) + " leads a week\n";
  out += "  inflow: " + GroupThousands(r.arrivals) + " leads arrived " + r.window + " (" +
         Fixed(r.weeks, 1) + " weeks), scored by the latest score\n";
  if (r.fit.fitted) {
    out += "  win probability: logistic on the score at mql, fitted on " +
           GroupThousands(r.labelled) + " leads with a known outcome\n";
  }
  if (r.chosen) {
    out += "  the line: score >= " + Fixed(*r.chosen, 0) +
           " (the lowest whole score whose weekly workload fits the capacity)\n";
  }
  for (const std::string& note : r.notes) out += "  note: " + note + "\n";
  if (r.lines.empty()) return out;
  out += "\n";
  TextTable t({"line", "leads/week", "expected wins/week", "conversion", "load"});
  for (const ThresholdLine& l : r.lines) {
    t.AddRow({(l.chosen ? "> " : "  ") + Fixed(l.line, 0), Fixed(l.leads_per_week, 1),
              Fixed(l.wins_per_week, 2) + (l.extrapolated ? " *" : ""), Percent(l.conversion),
              Percent(l.load)});
  }
  out += t.Render("  ");
  if (std::any_of(r.lines.begin(), r.lines.end(),
                  [](const ThresholdLine& l) { return l.extrapolated; })) {
    out += "  * below or above the scores the win probability was fitted on: an extrapolation\n";
  }
  return out;
}

std::string RenderThresholdsCsv(const ThresholdReport& r) {
  std::string out =
      "line,leads_per_week,expected_wins_per_week,conversion,load,chosen,extrapolated\n";
  for (const ThresholdLine& l : r.lines) {
    out += CsvNumber(l.line) + "," + CsvNumber(l.leads_per_week) + "," +
           CsvNumber(l.wins_per_week) + "," + CsvNumber(l.conversion) + "," + CsvNumber(l.load) +
           "," + (l.chosen ? "true" : "false") + "," + (l.extrapolated ? "true" : "false") + "\n";
  }
  return out;
}

std::string RenderThresholdsJson(const ThresholdReport& r) {
  Json lines = Json::array();
  for (const ThresholdLine& l : r.lines) {
    lines.push_back({{"line", l.line},
                     {"leads_per_week", l.leads_per_week},
                     {"expected_wins_per_week", JsonNumber(l.wins_per_week)},
                     {"conversion", JsonNumber(l.conversion)},
                     {"load", l.load},
                     {"chosen", l.chosen},
                     {"extrapolated", l.extrapolated}});
  }
  Json j = {{"capacity_per_week", r.capacity},
            {"window", r.window},
            {"weeks", r.weeks},
            {"arrivals", r.arrivals},
            {"labelled", r.labelled},
            {"line", JsonNumber(r.chosen)},
            {"probability", r.fit.fitted ? Json{{"method", "logistic on the score at mql"},
                                                {"intercept", r.fit.intercept},
                                                {"slope", r.fit.slope}}
                                         : Json(nullptr)},
            {"lines", lines},
            {"notes", r.notes}};
  return j.dump(2) + "\n";
}

}  // namespace leadq::analytics
