// The benchmark data set: large synthetic leads, accounts and events CSV files with the columns
// examples/models/b2b-saas.toml reads, written fast enough to make ten million events in
// seconds, plus a copy of that model and its list file.
//
// Unlike the demo data (service/demo.h), which tells a believable story per lead, these files
// only need plausible value distributions (distinct values per column, share of empty cells,
// quoted fields, events per lead, time spread) so that loading and scoring do the work a real
// export would make them do. Events are written in time order, as an export would be: the rows
// of one lead are scattered across the file. About 3% of events happen after `as_of`, about a
// quarter before the model's 180-day window, and 0.2% repeat an earlier row's event_id.
//
// Example:
//   GenOptions options;
//   options.leads = 1'000'000;
//   options.events = 10'000'000;
//   options.as_of = *ParseTimestamp("2026-11-01");
//   LEADQ_TRY(GenSizes sizes, WriteBenchData(options, "bench/out/1m"));
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace leadq::bench {

struct GenOptions {
  size_t leads = 200'000;
  size_t events = 2'000'000;  // rows of events.csv, repeated rows included
  uint64_t seed = 42;         // the only source of randomness: same options, same bytes
  TimePoint as_of = 0;        // events reach back eight months from here
  // Where b2b-saas.toml and free-mail.txt are copied from; empty: the source tree's
  // examples/models (compiled in).
  std::filesystem::path model_dir;
};

// What was written.
struct GenSizes {
  size_t leads = 0;
  size_t accounts = 0;
  size_t events = 0;
  uint64_t leads_bytes = 0;
  uint64_t accounts_bytes = 0;
  uint64_t events_bytes = 0;

  uint64_t total_bytes() const { return leads_bytes + accounts_bytes + events_bytes; }
};

// The text of DIR/params.txt for these options: the generator's version and every option that
// changes the bytes of the CSV files.
std::string ParamsText(const GenOptions& options);

// True when `dir` holds a complete data set written with the same ParamsText.
bool HasBenchData(const GenOptions& options, const std::filesystem::path& dir);

// Writes, in `dir` (created when missing): leads.csv, accounts.csv (leads / 10 rows, at least
// one), events.csv, model.toml, free-mail.txt, and last params.txt (so that an interrupted run
// is never taken for a complete one). Existing files are replaced. Fails with an I/O Status
// naming the path. Single-threaded; touches no shared state.
Result<GenSizes> WriteBenchData(const GenOptions& options, const std::filesystem::path& dir);

// Copies model.toml and free-mail.txt only (for a data set that is reused).
Status CopyModel(const GenOptions& options, const std::filesystem::path& dir);

// The sizes of an existing data set: rows are counted as newlines after the header.
Result<GenSizes> MeasureBenchData(const std::filesystem::path& dir);

}  // namespace leadq::bench
