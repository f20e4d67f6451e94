#include "analytics/html_report.h"

#include <algorithm>
#include <cmath>

#include "analytics/report_text.h"
#include "analytics/svg.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330;
       max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin: 28px 0 6px; }
.meta, .note { color: #5b6477; } .verdict { font-size: 16px; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 12px; } th, td { padding: 3px 10px; }
th { text-align: left; border-bottom: 1px solid #9aa3b5; font-weight: 600; }
td { border-bottom: 1px solid #e3e6ee; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.chosen td { font-weight: 700; background: #eef4ff; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } svg { max-width: 100%; height: auto; }
svg .title { font-size: 13px; font-weight: 600; fill: #1d2330; }
svg .label, svg .legend { font-size: 11px; fill: #5b6477; } svg .value { font-size: 10px; fill: #1d2330; }
svg .bar { fill: #3b6fd8; } svg .grid { stroke: #e3e6ee; } svg .axis { stroke: #5b6477; }
svg .line { fill: none; stroke: #3b6fd8; stroke-width: 2; }
svg .ref { fill: none; stroke: #9aa3b5; stroke-dasharray: 4 3; stroke-width: 1; }
svg .point { fill: #d8573b; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } .charts { display: block; } svg { break-inside: avoid; } }
)";

std::string Cell(const std::string& text, bool numeric = false) {
  return std::string(numeric ? "<td class=\"n\">" : "<td>") + HtmlEscape(text) + "</td>";
}

// A table from a header and rows; every column but the first is numeric.
std::string HtmlTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows,
                      const std::vector<bool>& highlight = {}) {
  std::string s = "<table><thead><tr>";
  for (const std::string& h : header) s += "<th>" + HtmlEscape(h) + "</th>";
  s += "</tr></thead><tbody>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    bool hi = r < highlight.size() && highlight[r];
    s += hi ? "<tr class=\"chosen\">" : "<tr>";
    for (size_t c = 0; c < rows[r].size(); ++c) s += Cell(rows[r][c], c > 0);
    s += "</tr>\n";
  }
  return s + "</tbody></table>\n";
}

std::string Para(const std::string& text, const char* css = "note") {
  return "<p class=\"" + std::string(css) + "\">" + HtmlEscape(text) + "</p>\n";
}

std::string Count(uint64_t n) { return GroupThousands(n); }

std::string FunnelSection(const FunnelReport& f) {
  std::string s = "<section><h2>Funnel</h2>\n";
  const FunnelGroup& g = f.groups.front();
  if (g.leads == 0) {
    s += Para("No leads yet: import leads (leadq import leads FILE).");
  } else {
    BarChart chart;
    chart.title = "Leads that reached each stage";
    chart.y_label = "leads";
    std::vector<std::vector<std::string>> rows;
    for (const StageReach& st : g.stages) {
      std::string name = st.stage == "new" ? "lead" : st.stage;
      chart.bars.emplace_back(name, static_cast<double>(st.reached));
      rows.push_back(
          {name, Count(st.reached), Percent(st.conversion),
           Percent(Ratio(static_cast<double>(st.reached), static_cast<double>(g.leads)))});
    }
    s += RenderBarChart(chart);
    s += Para(
        "Reached: entered the stage or a later one. Conversion: reached over the stage "
        "before.");
    s += HtmlTable({"stage", "reached", "conversion", "of all leads"}, rows);
    rows.clear();
    for (const StageTime& t : g.times) {
      rows.push_back(
          {t.stage, Count(t.visits), Fixed(t.median_days, 1), Fixed(t.p90_days, 1), Count(t.open)});
    }
    s += HtmlTable({"time in stage (days)", "visits", "median", "p90", "still there"}, rows);
    for (const auto* reasons : {&g.disqualified, &g.lost}) {
      if (reasons->empty()) continue;
      rows.clear();
      for (const ReasonCount& r : *reasons) rows.push_back({r.reason, Count(r.count)});
      s += HtmlTable({reasons == &g.lost ? "lost because" : "disqualified because", "leads"}, rows);
    }
    s += Para("Recycled: " + Count(g.recycled.recycled) +
              " leads; came back to mql or later: " + Count(g.recycled.came_back) +
              "; won after recycling: " + Count(g.recycled.won) + ".");
    const ClockSummary& c = g.clocks;
    if (c.clocks > 0) {
      s += Para("Response clocks: " + Count(c.clocks) + "; met " + Count(c.met) + ", late " +
                Count(c.late) + ", overdue untouched " + Count(c.overdue) + ", running " +
                Count(c.running) + "; adherence " + Percent(c.adherence) + ".");
    }
  }
  s += "</section>\n";
  const DealSummary& d = g.deals;
  s += "<section><h2>Deals</h2>\n";
  if (d.deals == 0) {
    s += Para("No deals: import outcomes (leadq import outcomes FILE).");
  } else {
    s += HtmlTable(
        {"deals", "open", "won", "lost", "win rate", "value won", "cycle median (days)",
         "cycle p90 (days)"},
        {{Count(d.deals), Count(d.open), Count(d.won), Count(d.lost), Percent(d.win_rate),
          Fixed(d.value_won, 0), Fixed(d.median_cycle_days, 1), Fixed(d.p90_cycle_days, 1)}});
    if (!d.lost_reasons.empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const ReasonCount& r : d.lost_reasons) rows.push_back({r.reason, Count(r.count)});
      s += HtmlTable({"deal lost because", "deals"}, rows);
    }
  }
  return s + "</section>\n";
}

std::string DistributionChart(const std::vector<double>& scores) {
  if (scores.empty()) return Para("No lead has a score yet: leadq rescore.");
  auto [lo_it, hi_it] = std::minmax_element(scores.begin(), scores.end());
  double lo = std::floor(*lo_it / 10) * 10, hi = std::floor(*hi_it / 10) * 10 + 10;
  BarChart chart;
  chart.title = "Score distribution (latest scores, " + Count(scores.size()) + " leads)";
  chart.x_label = "score (bins of 10 points, by lower edge)";
  chart.y_label = "leads";
  for (double b = lo; b < hi; b += 10) {
    double n = 0;
    for (double v : scores) n += v >= b && v < b + 10;
    chart.bars.emplace_back(Fixed(b, 0), n);
  }
  return RenderBarChart(chart);
}

std::string CalibrationSection(const CalibrationReport& c) {
  std::string s = "<section><h2>Does the score predict wins?</h2>\n";
  if (c.leads == 0) return s + Para(kNoOutcomesMessage) + "</section>\n";
  s += Para(c.verdict, "verdict");
  s += Para(Count(c.leads) + " leads with a known outcome: " + Count(c.wins) + " won, " +
            Count(c.losses) + " lost (win rate " + Percent(c.base_rate) +
            "); the score and grade each had when it became an mql.");
  s += "<div class=\"charts\">\n";
  BarChart bands;
  bands.title = "Win rate by score band";
  bands.x_label = "score band (equal-size bands, each named by its lowest score)";
  bands.y_label = "win rate";
  bands.percent = true;
  for (const Band& b : c.deciles) bands.bars.emplace_back(Fixed(b.low, 0), b.win_rate.value_or(0));
  s += RenderBarChart(bands);
  if (!c.reliability.empty()) {
    LineChart rel;
    rel.title = "Reliability: predicted against observed";
    rel.x_label = "predicted probability of a win";
    rel.y_label = "observed win rate";
    Series diag{"perfect calibration", {{0, 0}, {1, 1}}, "ref", {}};
    Series pts{"bins (n = leads in the bin)", {}, "point", {}};
    Series line{"", {}, "line", {}};
    for (const ReliabilityBin& b : c.reliability) {
      if (b.count == 0) continue;
      pts.points.emplace_back(b.mean_predicted, b.observed_rate);
      pts.labels.push_back("n=" + std::to_string(b.count));
      line.points.emplace_back(b.mean_predicted, b.observed_rate);
    }
    rel.series = {diag, line, pts};
    s += RenderLineChart(rel);
  }
  if (!c.roc.empty()) {
    LineChart roc;
    roc.title = "ROC curve (AUC " + Fixed(c.auc, 2) + ")";
    roc.x_label = "false positive rate (lost leads above the line)";
    roc.y_label = "true positive rate (won leads above the line)";
    Series diag{"chance", {{0, 0}, {1, 1}}, "ref", {}};
    Series curve{"the score", {}, "line", {}};
    for (const RocPoint& p : c.roc) {
      curve.points.emplace_back(p.false_positive_rate, p.true_positive_rate);
    }
    roc.series = {diag, curve};
    s += RenderLineChart(roc);
  }
  s += "</div>\n";
  if (c.fit.fitted) {
    s += Para("Probability of a win = 1 / (1 + exp(-(" + Fixed(c.fit.intercept, 3) + " + " +
              Fixed(c.fit.slope, 4) +
              " × score))), a logistic regression on the score fitted on these same leads "
              "(in-sample). Brier score " +
              Fixed(c.brier, 3) + "; always predicting the win rate scores " +
              Fixed(c.brier_base_rate, 3) + " (lower is better).");
  }
  std::vector<std::vector<std::string>> rows;
  for (const Band& b : c.deciles) {
    rows.push_back({b.label, Fixed(b.low, 1) + " – " + Fixed(b.high, 1), Count(b.leads),
                    Count(b.wins), Percent(b.win_rate), Fixed(b.median_cycle_days, 1)});
  }
  s += Para("Cycle: the median sales cycle of the won leads, in days.");
  s += HtmlTable({"score band", "scores", "leads", "won", "win rate", "cycle median (days)"}, rows);
  rows.clear();
  for (const Band& b : c.cells) {
    rows.push_back({b.label, Fixed(b.low, 1) + " – " + Fixed(b.high, 1), Count(b.leads),
                    Count(b.wins), Percent(b.win_rate), Fixed(b.median_cycle_days, 1)});
  }
  s += HtmlTable({"grade cell", "scores", "leads", "won", "win rate", "cycle median (days)"}, rows);
  if (c.rules_known && !c.rules.empty()) {
    rows.clear();
    for (const RuleSignal& r : c.rules) {
      rows.push_back({r.rule + (r.thin ? " *" : ""), Count(r.matched), Percent(r.matched_rate),
                      Count(r.other), Percent(r.other_rate),
                      r.difference ? Fixed(*r.difference * 100, 1) + " pts" : "-"});
    }
    s += "<h2>Which rules carry signal</h2>\n";
    s += Para(
        "Win rate of the leads that matched each rule at mql against those that did not; "
        "* fewer than " +
        std::to_string(kThinRule) + " leads on a side.");
    s += HtmlTable({"rule", "matched", "win rate", "others", "win rate", "difference"}, rows);
  }
  return s + "</section>\n";
}

std::string ThresholdSection(const std::optional<ThresholdReport>& t, const std::string& note) {
  std::string s = "<section><h2>Where to draw the MQL line</h2>\n";
  if (!t) return s + Para(note) + "</section>\n";
  s += Para("Capacity " + Fixed(t->capacity, 0) + " leads a week; inflow " + Count(t->arrivals) +
            " leads arrived " + t->window + " (" + Fixed(t->weeks, 1) + " weeks).");
  if (t->chosen) {
    s += Para("The line: score ≥ " + Fixed(*t->chosen, 0) +
                  ", the lowest whole score whose weekly workload fits the capacity.",
              "verdict");
  }
  for (const std::string& n : t->notes) s += Para(n);
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> chosen;
  for (const ThresholdLine& l : t->lines) {
    rows.push_back({Fixed(l.line, 0), Fixed(l.leads_per_week, 1),
                    Fixed(l.wins_per_week, 2) + (l.extrapolated ? " *" : ""), Percent(l.conversion),
                    Percent(l.load)});
    chosen.push_back(l.chosen);
  }
  if (!rows.empty()) {
    s +=
        HtmlTable({"line", "leads/week", "expected wins/week", "conversion", "load"}, rows, chosen);
  }
  return s + "</section>\n";
}

}  // namespace

std::string RenderHtmlReport(const HtmlReportInput& in) {
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>leadq "
      "report: " +
      HtmlEscape(in.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  s += "<h1>leadq report</h1>\n";
  s += Para(in.title + " · as of " + FormatTimestamp(in.as_of), "meta");
  s += FunnelSection(in.funnel);
  s += "<section><h2>Scores</h2>\n" + DistributionChart(in.scores) + "</section>\n";
  s += CalibrationSection(in.calibration);
  s += ThresholdSection(in.thresholds, in.thresholds_note);
  return s + "</body>\n</html>\n";
}

}  // namespace leadq::analytics
