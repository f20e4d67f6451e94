// The columnar data set the scorer works on: leads, accounts and events read from CSV files into
// columns, with events grouped by lead.
//
// Only the columns a model needs are loaded. Every column is dictionary-encoded: a cell is
// trimmed once and replaced by a code into the column's distinct values, so that a condition is
// evaluated once per distinct value, not once per row. Rows that cannot be used are counted in a
// RowIssues log with their file and line, never silently dropped.
//
// Loading works on bytes already read (core/csv.h), splits large files across cores and is
// deterministic: the same files give the same data set whatever the number of threads.
//
// Example:
//   DataNeeds needs = NeedsOf(model);
//   LEADQ_TRY(CsvFile leads, CsvFile::Open("leads.csv"));
//   RowIssues issues;
//   LEADQ_TRY(Dataset data, LoadDataset(leads, nullptr, nullptr, needs, issues));
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/csv.h"
#include "core/row_issues.h"
#include "core/status.h"
#include "core/string_index.h"
#include "core/time.h"

namespace leadq::engine {

// One column of trimmed cells. Code 0 is "missing" (a cell empty after trimming, or a column the
// file does not have); codes 1.. index values (values[0] is "").
struct Column {
  std::string key;
  bool in_file = false;  // false: the file has no such column, every row is missing
  std::vector<uint32_t> codes;
  std::vector<std::string> values{""};

  std::string_view Value(size_t row) const { return values[codes[row]]; }
};

// Columns by key, in the order they were asked for.
struct ColumnSet {
  std::vector<Column> columns;

  // The column with this key, or nullptr.
  const Column* Find(std::string_view key) const;
  int IndexOf(std::string_view key) const;
};

struct LeadTable {
  std::string file;
  std::vector<std::string> ids;  // trimmed lead_id of each row, in input order
  std::vector<int64_t> lines;    // physical line where each row starts
  std::vector<int32_t> account;  // row in the AccountTable, -1 when none
  ColumnSet fields;
  StringIndex index;  // lead_id -> row (keys borrow ids' bytes)

  LeadTable() = default;
  LeadTable(LeadTable&&) = default;
  LeadTable& operator=(LeadTable&&) = default;
  LeadTable(const LeadTable&) = delete;
  LeadTable& operator=(const LeadTable&) = delete;

  size_t size() const { return ids.size(); }
};

struct AccountTable {
  std::string file;
  std::vector<std::string> ids;
  std::vector<int64_t> lines;
  ColumnSet fields;
  StringIndex index;  // account_id -> row

  AccountTable() = default;
  AccountTable(AccountTable&&) = default;
  AccountTable& operator=(AccountTable&&) = default;
  AccountTable(const AccountTable&) = delete;
  AccountTable& operator=(const AccountTable&) = delete;

  size_t size() const { return ids.size(); }
};

// Usable events, grouped by lead: the events of lead i are rows [lead_begin[i], lead_begin[i+1]),
// in file order. Duplicates (same non-empty event_id) are already removed, the first kept.
struct EventTable {
  std::string file;
  std::vector<uint32_t> lead_begin;  // size leads + 1
  std::vector<TimePoint> at;
  std::vector<uint32_t> type;            // code into type_values
  std::vector<std::string> type_values;  // trimmed, as written; [0] unused
  std::vector<int64_t> lines;
  ColumnSet props;               // event properties the model reads
  std::vector<std::string> ids;  // event_id of each row, when asked for
  uint64_t duplicates = 0;       // rows dropped as repeats of an earlier event_id

  size_t size() const { return at.size(); }
};

// Which columns a model reads (keys as ColumnKey gives them).
struct DataNeeds {
  std::vector<std::string> lead_fields;
  std::vector<std::string> account_fields;
  std::vector<std::string> event_props;
  bool event_ids = false;  // keep event_id strings (for explanations)
};

struct Dataset {
  LeadTable leads;
  AccountTable accounts;  // empty without an accounts file
  EventTable events;      // empty without an events file
  bool has_accounts = false;
  bool has_events = false;
  uint64_t leads_with_unknown_account = 0;
};

// Reads the files into a Dataset. `accounts` and `events` may be null. Fails (naming the file)
// when a required column is absent (lead_id; account_id; lead_id, type and occurred_at) or a
// file is malformed CSV; row-level problems go to `issues` and the row is skipped. Uses all
// cores; deterministic.
Result<Dataset> LoadDataset(const CsvFile& leads, const CsvFile* accounts, const CsvFile* events,
                            const DataNeeds& needs, RowIssues& issues);

// Builds a Dataset from rows that come from somewhere other than CSV files (the workspace
// store), with the same dictionary encoding, joins and grouping as LoadDataset. Add every
// account, then every lead, then every event (values in the order of the keys below); `source`
// names the origin in messages. Ids are trimmed; a repeated id keeps the first row. Not
// thread-safe.
//
// Example:
//   DatasetBuilder builder(needs, "workspace");
//   for (...) builder.AddLead(id, account_id, values);   // values in builder.lead_keys() order
//   Dataset data = builder.Finish(issues);
class DatasetBuilder {
 public:
  DatasetBuilder(const DataNeeds& needs, std::string source);
  ~DatasetBuilder();
  DatasetBuilder(const DatasetBuilder&) = delete;
  DatasetBuilder& operator=(const DatasetBuilder&) = delete;

  // The lead columns AddLead expects (the model's, with email for email_domain), in order.
  std::vector<std::string> lead_keys() const;
  const std::vector<std::string>& account_keys() const { return needs().account_fields; }
  const std::vector<std::string>& event_keys() const { return needs().event_props; }

  // Makes room for about this many rows of each kind, before any is added: columns of millions
  // of rows then grow without copies. Optional; the counts may be off either way.
  void Reserve(size_t accounts, size_t leads, size_t events);

  // The caller promises that no two events it adds share an event_id (a store keeps one event
  // per id): no search for repeats, and the ids are not kept unless the needs ask for them.
  void EventsAreUnique();

  void AddAccount(std::string_view id, std::span<const std::string_view> values);
  void AddLead(std::string_view id, std::string_view account_id,
               std::span<const std::string_view> values);
  // An event of a lead that was not added is counted as an issue and dropped.
  void AddEvent(std::string_view event_id, std::string_view lead_id, std::string_view type,
                TimePoint occurred_at, std::span<const std::string_view> props);
  Dataset Finish(RowIssues& issues);

 private:
  struct State;
  const DataNeeds& needs() const;
  void FinishAccounts();
  void FinishLeads();
  std::unique_ptr<State> state_;
};

}  // namespace leadq::engine
