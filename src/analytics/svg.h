// A tiny SVG plotter for the HTML report: bar charts over categories and line/point charts over
// two numeric axes, written as inline <svg> elements (no script, no external resources), styled
// by CSS classes the page defines (.bar, .line, .point, .ref, .axis, .grid). Pure.
//
// Example:
//   BarChart c{.title = "Win rate by band", .y_label = "win rate", .percent = true};
//   c.bars = {{"1", 0.12}, {"2", 0.18}};
//   std::string svg = RenderBarChart(c);
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadq::analytics {

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string HtmlEscape(std::string_view text);

struct BarChart {
  std::string title;
  std::string x_label, y_label;
  std::vector<std::pair<std::string, double>> bars;  // category, value (>= 0)
  bool percent = false;  // values are fractions: the axis and labels show percentages
  int width = 640, height = 280;
};
std::string RenderBarChart(const BarChart& chart);

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
  std::string css = "line";  // "line" (a polyline), "point" (dots) or "ref" (dashed reference)
  std::vector<std::string> labels;  // optional, one a point: written beside dots ("n=12")
};

struct LineChart {
  std::string title;
  std::string x_label, y_label;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  std::vector<Series> series;
  int width = 420, height = 360;
};
std::string RenderLineChart(const LineChart& chart);

}  // namespace leadq::analytics
