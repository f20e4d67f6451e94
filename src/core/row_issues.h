// Row-level problems found while reading input files: counted by kind, with the first few of
// each kind kept as messages ("events.csv:17: unknown lead_id "L999"; event skipped").
//
// Rows that cannot be used are never dropped silently: every skip is counted here and the
// caller prints the summary. Not thread-safe; give each thread its own RowIssues and Merge.
//
// Example:
//   RowIssues issues;
//   issues.Add("unknown lead_id", true, "events.csv", 17, "unknown lead_id \"L999\"");
//   std::cerr << issues.Report();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadq {

class RowIssues {
 public:
  // How many messages of each kind are kept; the rest are only counted.
  static constexpr size_t kKeptPerKind = 20;

  struct Kind {
    std::string name;     // "unknown lead_id"
    bool skipped = true;  // the row was not used (false: a warning, the row was used)
    uint64_t count = 0;
    std::vector<std::string> messages;  // "file:line: message", at most kKeptPerKind
  };

  // Records one problem. `line` 0 means no line.
  void Add(std::string_view kind, bool skipped, std::string_view file, int64_t line,
           std::string_view message);
  // Counts `n` problems of a kind without messages (for counts computed in bulk).
  void Count(std::string_view kind, bool skipped, uint64_t n);
  // Appends another log's kinds and messages (call in file order to keep messages ordered).
  void Merge(const RowIssues& other);

  const std::vector<Kind>& kinds() const { return kinds_; }
  uint64_t total() const;
  uint64_t skipped_rows() const;
  bool empty() const { return kinds_.empty(); }

  // Every kept message, one per line, then "... and N more <kind>" lines.
  std::string Messages() const;
  // One line: "skipped 3 rows (unknown lead_id: 2, unparsable occurred_at: 1); warnings: ...".
  std::string Summary() const;

 private:
  Kind& Find(std::string_view kind, bool skipped);
  std::vector<Kind> kinds_;
};

}  // namespace leadq
