#include "analytics/svg.h"

#include <algorithm>
#include <cmath>

#include "analytics/report_text.h"

namespace leadq::analytics {
namespace {

constexpr double kLeft = 56, kRight = 16, kTop = 32, kBottom = 48;

std::string Num(double v) { return Fixed(v, 1); }

// About five round steps over [0, max].
double NiceStep(double max) {
  if (!(max > 0)) return 1;
  double raw = max / 5;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

std::string Open(int width, int height, const std::string& title) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                  std::to_string(width) + " " + std::to_string(height) + "\" width=\"" +
                  std::to_string(width) + "\" height=\"" + std::to_string(height) +
                  "\" role=\"img\" aria-label=\"" + HtmlEscape(title) + "\">\n";
  s += "<text class=\"title\" x=\"" + Num(kLeft) + "\" y=\"18\">" + HtmlEscape(title) + "</text>\n";
  return s;
}

std::string Text(double x, double y, const std::string& text, const char* anchor,
                 const char* css = "label") {
  return "<text class=\"" + std::string(css) + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) +
         "\" text-anchor=\"" + anchor + "\">" + HtmlEscape(text) + "</text>\n";
}

std::string Line(double x1, double y1, double x2, double y2, const char* css) {
  return "<line class=\"" + std::string(css) + "\" x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) +
         "\" x2=\"" + Num(x2) + "\" y2=\"" + Num(y2) + "\"/>\n";
}

std::string AxisLabels(int width, int height, const std::string& x_label,
                       const std::string& y_label) {
  std::string s;
  if (!x_label.empty()) s += Text((kLeft + width - kRight) / 2, height - 8, x_label, "middle");
  if (!y_label.empty()) {
    s += "<text class=\"label\" transform=\"translate(14 " + Num((kTop + height - kBottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + HtmlEscape(y_label) + "</text>\n";
  }
  return s;
}

std::string TickLabel(double v, bool percent) {
  return percent ? Fixed(v * 100, 0) + "%" : (v == std::floor(v) ? Fixed(v, 0) : Fixed(v, 2));
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderBarChart(const BarChart& c) {
  std::string s = Open(c.width, c.height, c.title);
  const double plot_w = c.width - kLeft - kRight, plot_h = c.height - kTop - kBottom;
  double max = 0;
  for (const auto& [label, v] : c.bars) {
    if (std::isfinite(v)) max = std::max(max, v);
  }
  if (c.percent) max = std::max(max, 0.01);
  double step = NiceStep(max);
  double top = std::max(step, std::ceil(max / step) * step);
  auto y_of = [&](double v) { return kTop + plot_h * (1 - v / top); };
  for (double v = 0; v <= top + step / 2; v += step) {
    s += Line(kLeft, y_of(v), kLeft + plot_w, y_of(v), "grid");
    s += Text(kLeft - 6, y_of(v) + 4, TickLabel(v, c.percent), "end");
  }
  const size_t n = c.bars.size();
  const double slot = n > 0 ? plot_w / static_cast<double>(n) : plot_w;
  for (size_t i = 0; i < n; ++i) {
    const auto& [label, raw] = c.bars[i];
    double v = std::isfinite(raw) ? std::max(raw, 0.0) : 0;
    double x = kLeft + slot * static_cast<double>(i) + slot * 0.15;
    double w = slot * 0.7;
    s += "<rect class=\"bar\" x=\"" + Num(x) + "\" y=\"" + Num(y_of(v)) + "\" width=\"" + Num(w) +
         "\" height=\"" + Num(kTop + plot_h - y_of(v)) + "\"><title>" + HtmlEscape(label) + ": " +
         (c.percent ? Percent(v) : Fixed(v, v == std::floor(v) ? 0 : 2)) + "</title></rect>\n";
    s += Text(x + w / 2, y_of(v) - 3, c.percent ? Percent(v) : TickLabel(v, false), "middle",
              "value");
    s += Text(x + w / 2, kTop + plot_h + 14, label, "middle");
  }
  s += Line(kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h, "axis");
  s += AxisLabels(c.width, c.height, c.x_label, c.y_label);
  return s + "</svg>\n";
}

std::string RenderLineChart(const LineChart& c) {
  // A legend row under the axis label, so it never hides a curve.
  const bool legend = std::any_of(c.series.begin(), c.series.end(),
                                  [](const Series& series) { return !series.name.empty(); });
  const double legend_h = legend ? 18 : 0;
  const int height = c.height + static_cast<int>(legend_h);
  std::string s = Open(c.width, height, c.title);
  const double plot_w = c.width - kLeft - kRight, plot_h = c.height - kTop - kBottom;
  const double xr = c.x_max > c.x_min ? c.x_max - c.x_min : 1;
  const double yr = c.y_max > c.y_min ? c.y_max - c.y_min : 1;
  auto x_of = [&](double x) { return kLeft + plot_w * (x - c.x_min) / xr; };
  auto y_of = [&](double y) { return kTop + plot_h * (1 - (y - c.y_min) / yr); };
  for (int i = 0; i <= 5; ++i) {
    double fx = c.x_min + xr * i / 5, fy = c.y_min + yr * i / 5;
    s += Line(x_of(fx), kTop, x_of(fx), kTop + plot_h, "grid");
    s += Line(kLeft, y_of(fy), kLeft + plot_w, y_of(fy), "grid");
    s += Text(x_of(fx), kTop + plot_h + 14, TickLabel(fx, false), "middle");
    s += Text(kLeft - 6, y_of(fy) + 4, TickLabel(fy, false), "end");
  }
  s += Line(kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h, "axis");
  s += Line(kLeft, kTop, kLeft, kTop + plot_h, "axis");
  double legend_x = kLeft;
  const double legend_y = height - 6;
  for (const Series& series : c.series) {
    std::vector<std::pair<double, double>> pts;
    std::vector<std::string> labels;
    for (size_t i = 0; i < series.points.size(); ++i) {
      const auto& [x, y] = series.points[i];
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      pts.emplace_back(x_of(x), y_of(y));
      labels.push_back(i < series.labels.size() ? series.labels[i] : "");
    }
    if (series.css == "point") {
      for (size_t i = 0; i < pts.size(); ++i) {
        const auto& [x, y] = pts[i];
        s += "<circle class=\"point\" cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"3.5\">";
        s += labels[i].empty() ? "" : "<title>" + HtmlEscape(labels[i]) + "</title>";
        s += "</circle>\n";
        if (!labels[i].empty()) s += Text(x + 6, y - 5, labels[i], "start", "value");
      }
    } else if (!pts.empty()) {
      s += "<polyline class=\"" + HtmlEscape(series.css) + "\" points=\"";
      for (const auto& [x, y] : pts) s += Num(x) + "," + Num(y) + " ";
      s += "\"/>\n";
    }
    if (!series.name.empty()) {  // a legend entry: a sample of the style, then the name
      if (series.css == "point") {
        s += "<circle class=\"point\" cx=\"" + Num(legend_x + 8) + "\" cy=\"" + Num(legend_y - 4) +
             "\" r=\"3.5\"/>\n";
      } else {
        s += Line(legend_x, legend_y - 4, legend_x + 16, legend_y - 4, series.css.c_str());
      }
      s += Text(legend_x + 22, legend_y, series.name, "start", "legend");
      legend_x += 40 + 6.2 * static_cast<double>(series.name.size());
    }
  }
  s += AxisLabels(c.width, c.height, c.x_label, c.y_label);
  return s + "</svg>\n";
}

}  // namespace leadq::analytics
