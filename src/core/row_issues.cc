#include "core/row_issues.h"

#include "core/text.h"

namespace leadq {

RowIssues::Kind& RowIssues::Find(std::string_view kind, bool skipped) {
  for (Kind& k : kinds_) {
    if (k.name == kind && k.skipped == skipped) return k;
  }
  Kind& k = kinds_.emplace_back();
  k.name = std::string(kind);
  k.skipped = skipped;
  return k;
}

void RowIssues::Add(std::string_view kind, bool skipped, std::string_view file, int64_t line,
                    std::string_view message) {
  Kind& k = Find(kind, skipped);
  ++k.count;
  if (k.messages.size() < kKeptPerKind) {
    std::string m(file);
    if (line > 0) m += ":" + std::to_string(line);
    m += ": ";
    m += message;
    k.messages.push_back(std::move(m));
  }
}

void RowIssues::Count(std::string_view kind, bool skipped, uint64_t n) {
  if (n == 0) return;
  Find(kind, skipped).count += n;
}

void RowIssues::Merge(const RowIssues& other) {
  for (const Kind& o : other.kinds_) {
    Kind& k = Find(o.name, o.skipped);
    k.count += o.count;
    for (const std::string& m : o.messages) {
      if (k.messages.size() < kKeptPerKind) k.messages.push_back(m);
    }
  }
}

uint64_t RowIssues::total() const {
  uint64_t n = 0;
  for (const Kind& k : kinds_) n += k.count;
  return n;
}

uint64_t RowIssues::skipped_rows() const {
  uint64_t n = 0;
  for (const Kind& k : kinds_) {
    if (k.skipped) n += k.count;
  }
  return n;
}

std::string RowIssues::Messages() const {
  std::string out;
  for (const Kind& k : kinds_) {
    for (const std::string& m : k.messages) out += m + "\n";
    if (k.count > k.messages.size()) {
      out += "... and " + GroupThousands(k.count - k.messages.size()) + " more (" + k.name + ")\n";
    }
  }
  return out;
}

std::string RowIssues::Summary() const {
  std::string skipped;
  std::string warned;
  uint64_t skipped_n = 0;
  uint64_t warned_n = 0;
  for (const Kind& k : kinds_) {
    std::string& s = k.skipped ? skipped : warned;
    (k.skipped ? skipped_n : warned_n) += k.count;
    if (!s.empty()) s += ", ";
    s += k.name + ": " + GroupThousands(k.count);
  }
  std::string out;
  if (skipped_n > 0) {
    out += "skipped " + GroupThousands(skipped_n) + (skipped_n == 1 ? " row (" : " rows (") +
           skipped + ")";
  }
  if (warned_n > 0) {
    if (!out.empty()) out += "; ";
    out += GroupThousands(warned_n) + (warned_n == 1 ? " warning (" : " warnings (") + warned + ")";
  }
  return out;
}

}  // namespace leadq
