// How the reports (funnel, calibration, thresholds, HTML) write numbers and tables: fixed
// decimals, percentages, "-" for an undefined number (never "nan"), and text tables with aligned
// columns. Pure and thread-safe.
//
// Example:
//   TextTable t({"stage", "reached", "conversion"});
//   t.AddRow({"mql", "120", Percent(0.45)});
//   std::string text = t.Render("  ");  // two spaces of indent
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leadq::analytics {

// `value` with `decimals` digits after the point; "-" when it is not finite.
std::string Fixed(double value, int decimals);
std::string Fixed(const std::optional<double>& value, int decimals);
// 0.4523 -> "45.2%"; "-" when absent or not finite.
std::string Percent(const std::optional<double>& rate);
// A number for JSON: null when absent or not finite.
nlohmann::ordered_json JsonNumber(const std::optional<double>& value);
// A number for CSV: empty when absent or not finite, else up to 6 significant decimals.
std::string CsvNumber(const std::optional<double>& value);
// Appends one CSV record (RFC 4180 quoting where needed) and its '\n' to `out`.
void AppendCsvRow(std::string& out, std::initializer_list<std::string_view> fields);
// The fraction a / b, none when b is 0.
std::optional<double> Ratio(double a, double b);

// Rows of cells printed in aligned columns: the first column left-aligned, the others right.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Every line starts with `indent` and ends with '\n'; widths count UTF-8 code points.
  std::string Render(const std::string& indent = "  ") const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace leadq::analytics
