// leadq_score_bench: Google Benchmark figures for `leadq score`, stage by stage.
//
//   leadq_score_bench [--leads=N] [--events=M] [--data=DIR] [--benchmark_filter=...]
//
// Without --data, writes a data set of N leads (default 200,000) and M events (default
// 2,000,000) with bench/gen_lib.h into a temporary directory, removed at exit; with --data,
// uses the files leadq_bench_gen wrote there (model.toml, leads.csv, accounts.csv, events.csv).
// The environment variables LEADQ_BENCH_LEADS, LEADQ_BENCH_EVENTS and LEADQ_BENCH_DATA do the
// same as the flags.
//
// Stages (what `leadq score` does, in order): BM_OpenFiles (map, UTF-8 check, header),
// BM_LoadDataset (parse, encode, join, group), BM_CompileModel, BM_ScoreLeads, BM_WriteScoresCsv
// (scoring again, then formatting and writing). BM_LoadWorkset is the first three together.
// BM_ScoreLeadsEventsSkipped is the per-lead part of scoring. An argument /1 runs on one thread
// (LEADQ_THREADS=1), /0 on all cores. With --benchmark_repetitions=N each figure also gets a
// "_min" row: on a shared machine, quote the minimum.
//
// BM_Part_* time single-threaded copies of the steps inside LoadDataset on the events file,
// written here with the same primitives and containers as engine/dataset.cc, to say where the
// loading time goes; they drift if dataset.cc changes and are for attribution only.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/gen_lib.h"
#include "core/csv.h"
#include "core/parallel.h"
#include "core/string_index.h"
#include "core/text.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/dataset.h"
#include "engine/score.h"
#include "service/progress.h"
#include "service/scoring.h"

namespace leadq {
namespace {

constexpr std::string_view kAsOf = "2026-11-01";

// The cells of events.csv that LoadDataset reads, as views into the mapped file (or into
// `owned` for cells that held doubled quotes).
struct EventCells {
  std::vector<std::string_view> event_id, lead_id, type, occurred_at, page, asset;
  std::vector<uint32_t> lead_row;  // the lead's row, for the grouping step
  std::deque<std::string> owned;
};

struct Fixture {
  std::filesystem::path dir;
  bool remove_dir = false;
  std::filesystem::path scores_out;
  bench::GenSizes sizes;
  service::ScoreRequest request;
  std::unique_ptr<service::Workset> work;
  std::optional<CsvFile> leads, accounts, events;
  engine::DataNeeds needs;
  EventCells cells;  // read by the first BM_Part_* that needs them
  bool cells_read = false;
};
Fixture* fixture = nullptr;

// Runs the benchmark body with LEADQ_THREADS set to state.range(0) (0: all cores).
class ThreadsScope {
 public:
  explicit ThreadsScope(int64_t threads) {
    if (const char* old = std::getenv("LEADQ_THREADS")) old_ = old;
    if (threads > 0) {
      ::setenv("LEADQ_THREADS", std::to_string(threads).c_str(), 1);
    } else {
      ::unsetenv("LEADQ_THREADS");
    }
  }
  ~ThreadsScope() {
    if (old_) {
      ::setenv("LEADQ_THREADS", old_->c_str(), 1);
    } else {
      ::unsetenv("LEADQ_THREADS");
    }
  }
  ThreadsScope(const ThreadsScope&) = delete;
  ThreadsScope& operator=(const ThreadsScope&) = delete;

 private:
  std::optional<std::string> old_;
};

void SetThreadsLabel(benchmark::State& state) {
  state.counters["threads"] = static_cast<double>(WorkerCount());
}

uint64_t CsvRows() {
  return fixture->sizes.leads + fixture->sizes.accounts + fixture->sizes.events;
}

// ------------------------------------------------------------------ stages

void BM_OpenFiles(benchmark::State& state) {
  for (auto _ : state) {
    Result<CsvFile> leads = CsvFile::Open(fixture->request.leads);
    Result<CsvFile> accounts = CsvFile::Open(*fixture->request.accounts);
    Result<CsvFile> events = CsvFile::Open(*fixture->request.events);
    if (!leads.ok() || !accounts.ok() || !events.ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * fixture->sizes.total_bytes()));
}

void BM_LoadDataset(benchmark::State& state) {
  ThreadsScope threads(state.range(0));
  SetThreadsLabel(state);
  for (auto _ : state) {
    RowIssues issues;
    Result<engine::Dataset> data = engine::LoadDataset(*fixture->leads, &*fixture->accounts,
                                                       &*fixture->events, fixture->needs, issues);
    if (!data.ok()) state.SkipWithError(data.status().message().c_str());
    benchmark::DoNotOptimize(data);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * fixture->sizes.total_bytes()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * CsvRows()));
}

void BM_LoadWorkset(benchmark::State& state) {
  ThreadsScope threads(state.range(0));
  SetThreadsLabel(state);
  service::Progress quiet("bench", false);
  for (auto _ : state) {
    Result<std::unique_ptr<service::Workset>> work = service::LoadWorkset(fixture->request, quiet);
    if (!work.ok()) state.SkipWithError(work.status().message().c_str());
    benchmark::DoNotOptimize(work);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * fixture->sizes.total_bytes()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * CsvRows()));
}

void BM_CompileModel(benchmark::State& state) {
  const service::Workset& work = *fixture->work;
  for (auto _ : state) {
    engine::CompiledModel compiled = engine::CompileModel(work.model, work.data);
    benchmark::DoNotOptimize(compiled);
  }
}

void BM_ScoreLeads(benchmark::State& state) {
  ThreadsScope threads(state.range(0));
  SetThreadsLabel(state);
  const service::Workset& work = *fixture->work;
  for (auto _ : state) {
    engine::ScoreRun run = engine::ScoreLeads(work.compiled, work.data, work.as_of);
    benchmark::DoNotOptimize(run);
  }
  // items: events scored (after duplicates were dropped).
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * work.data.events.size()));
  state.counters["leads_per_second"] = benchmark::Counter(
      static_cast<double>(work.data.leads.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// The per-lead part of scoring (fit, negatives, grades, channel, disqualification) on the same
// data: with as-of at the epoch every event is after as-of and skipped by its first test, so
// what remains is the per-lead work plus one comparison per event. BM_ScoreLeads minus this is
// what the events cost.
void BM_ScoreLeadsEventsSkipped(benchmark::State& state) {
  ThreadsScope threads(state.range(0));
  SetThreadsLabel(state);
  const service::Workset& work = *fixture->work;
  for (auto _ : state) {
    engine::ScoreRun run = engine::ScoreLeads(work.compiled, work.data, /*as_of=*/0);
    benchmark::DoNotOptimize(run);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * work.data.leads.size()));
}

void BM_WriteScoresCsv(benchmark::State& state) {
  ThreadsScope threads(state.range(0));
  SetThreadsLabel(state);
  const service::Workset& work = *fixture->work;
  service::Progress quiet("bench", false);
  for (auto _ : state) {
    Result<service::ScoreSummary> summary =
        service::WriteScores(work, service::ScoreFormat::kCsv, fixture->scores_out, quiet);
    if (!summary.ok()) state.SkipWithError(summary.status().message().c_str());
    benchmark::DoNotOptimize(summary);
  }
  std::error_code ec;
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(fixture->scores_out, ec));
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["leads_per_second"] = benchmark::Counter(
      static_cast<double>(work.data.leads.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// ------------------------------------------------------------------ parts of LoadDataset

Status ReadEventCells(const CsvFile& csv, const engine::LeadTable& leads, EventCells& cells);

const EventCells& Cells() {
  if (!fixture->cells_read) {
    Status read = ReadEventCells(*fixture->events, fixture->work->data.leads, fixture->cells);
    if (!read.ok()) {
      std::fprintf(stderr, "leadq_score_bench: %s\n", read.message().c_str());
      std::exit(1);
    }
    fixture->cells_read = true;
  }
  return fixture->cells;
}

void SetEventRows(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * Cells().event_id.size()));
}

// CsvFile::Open's UTF-8 check of events.csv (one thread, before any parsing).
void BM_Part_Utf8Check(benchmark::State& state) {
  const std::string_view bytes = fixture->events->bytes();
  for (auto _ : state) benchmark::DoNotOptimize(FindInvalidUtf8(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

// ReadRows: find chunk boundaries and count newlines per chunk.
void BM_Part_SplitAndCountLines(benchmark::State& state) {
  const std::string_view bytes = fixture->events->bytes();
  for (auto _ : state) {
    std::vector<size_t> cuts = SplitCsvRows(bytes, fixture->events->body_begin(), 8);
    int64_t lines = 0;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      lines += std::count(bytes.begin() + static_cast<ptrdiff_t>(cuts[i]),
                          bytes.begin() + static_cast<ptrdiff_t>(cuts[i + 1]), '\n');
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

// CsvReader over every row of events.csv, with the trimming of the six cells ReadEvents reads.
void BM_Part_CsvParse(benchmark::State& state) {
  const CsvFile& csv = *fixture->events;
  const std::string_view bytes = csv.bytes();
  std::vector<int> cols;
  for (const char* key : {"event_id", "lead_id", "type", "occurred_at", "page", "asset"}) {
    cols.push_back(csv.FindColumn(key));
  }
  for (auto _ : state) {
    CsvReader reader(bytes, csv.body_begin(), bytes.size(), csv.body_line());
    size_t total = 0;
    while (reader.Next()) {
      for (int c : cols) total += Trim(reader.fields()[static_cast<size_t>(c)]).size();
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
  SetEventRows(state);
}

// The lead_id of each event looked up in LeadTable::index.
void BM_Part_LeadIdLookup(benchmark::State& state) {
  const EventCells& cells = Cells();
  const auto& index = fixture->work->data.leads.index;
  for (auto _ : state) {
    uint64_t sum = 0;
    for (std::string_view id : cells.lead_id) {
      std::optional<uint32_t> row = index.Find(id);
      if (row) sum += *row;
    }
    benchmark::DoNotOptimize(sum);
  }
  SetEventRows(state);
}

void BM_Part_ParseTimestamp(benchmark::State& state) {
  const EventCells& cells = Cells();
  for (auto _ : state) {
    int64_t sum = 0;
    for (std::string_view at : cells.occurred_at) sum += ParseTimestamp(at).value_or(0);
    benchmark::DoNotOptimize(sum);
  }
  SetEventRows(state);
}

// LocalDictionary::Code for type, page and asset (three hash look-ups per row).
void BM_Part_DictionaryCodes(benchmark::State& state) {
  const EventCells& cells = Cells();
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const auto* column : {&cells.type, &cells.page, &cells.asset}) {
      std::unordered_map<std::string_view, uint32_t> map;
      std::vector<uint32_t> codes;
      for (std::string_view v : *column) {
        if (v.empty()) {
          codes.push_back(0);
          continue;
        }
        auto it = map.find(v);
        if (it == map.end()) it = map.emplace(v, static_cast<uint32_t>(map.size() + 1)).first;
        codes.push_back(it->second);
      }
      sum += codes.size();
    }
    benchmark::DoNotOptimize(sum);
  }
  SetEventRows(state);
}

// ReadEvents' hash of each event_id, then FindDuplicateEvents (all partitions, one thread).
void BM_Part_EventIdDedup(benchmark::State& state) {
  const EventCells& cells = Cells();
  const auto& ids = cells.event_id;
  for (auto _ : state) {
    std::vector<uint64_t> hashes;
    hashes.reserve(ids.size());
    for (std::string_view id : ids) hashes.push_back(id.empty() ? 0 : HashBytes(id));
    std::vector<uint8_t> duplicate(ids.size(), 0);
    StringIndex seen;
    seen.Reserve(ids.size());
    for (size_t r = 0; r < ids.size(); ++r) {
      if (hashes[r] == 0) continue;
      if (!seen.InsertHashed(ids[r], hashes[r], 0).second) duplicate[r] = 1;
    }
    benchmark::DoNotOptimize(duplicate);
  }
  SetEventRows(state);
  // How FindDuplicateEvents shares the rows among its WorkerCount() partitions ((h >> 40) %
  // partitions): the share of the busiest one, 1/partitions when balanced.
  const size_t partitions = WorkerCount();
  std::vector<uint64_t> rows(partitions, 0);
  for (std::string_view id : ids) {
    if (!id.empty()) ++rows[(HashBytes(id) >> 40) % partitions];
  }
  state.counters["busiest_partition_share"] =
      static_cast<double>(*std::max_element(rows.begin(), rows.end())) /
      static_cast<double>(std::max<size_t>(ids.size(), 1));
}

// The per-row column appends of ReadEvents (lead, at, type, line, id, hash, two props).
void BM_Part_RowAppends(benchmark::State& state) {
  const EventCells& cells = Cells();
  const size_t n = cells.event_id.size();
  for (auto _ : state) {
    std::vector<uint32_t> lead, type, page, asset;
    std::vector<int64_t> at, lines;
    std::vector<std::string_view> ids;
    std::vector<uint64_t> hash;
    for (size_t r = 0; r < n; ++r) {
      lead.push_back(static_cast<uint32_t>(r));
      at.push_back(static_cast<int64_t>(r));
      type.push_back(static_cast<uint32_t>(r));
      lines.push_back(static_cast<int64_t>(r));
      ids.push_back(cells.event_id[r]);
      hash.push_back(r);
      page.push_back(static_cast<uint32_t>(r));
      asset.push_back(static_cast<uint32_t>(r));
    }
    benchmark::DoNotOptimize(ids);
  }
  SetEventRows(state);
}

// ReadEvents' grouping by lead: a counting sort that scatters each column to its lead's slot.
void BM_Part_GroupByLead(benchmark::State& state) {
  const EventCells& cells = Cells();
  const std::vector<uint32_t>& lead = cells.lead_row;
  const size_t n = lead.size();
  const size_t leads = fixture->work->data.leads.size();
  std::vector<int64_t> at(n), lines(n);
  std::vector<uint32_t> type(n), page(n), asset(n);
  for (size_t r = 0; r < n; ++r) at[r] = lines[r] = static_cast<int64_t>(r);
  for (auto _ : state) {
    std::vector<uint32_t> begin(leads + 1, 0);
    for (uint32_t l : lead) ++begin[l + 1];
    for (size_t i = 0; i < leads; ++i) begin[i + 1] += begin[i];
    std::vector<int64_t> out_at(n), out_lines(n);
    std::vector<uint32_t> out_type(n), out_page(n), out_asset(n);
    std::vector<uint32_t> cursor(begin.begin(), begin.end() - 1);
    for (size_t r = 0; r < n; ++r) {
      uint32_t dst = cursor[lead[r]]++;
      out_at[dst] = at[r];
      out_type[dst] = type[r];
      out_lines[dst] = lines[r];
      out_page[dst] = page[r];
      out_asset[dst] = asset[r];
    }
    benchmark::DoNotOptimize(out_at);
  }
  SetEventRows(state);
}

void RegisterAll() {
  auto stage = [](const char* name, void (*fn)(benchmark::State&), bool threaded) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name, fn);
    // With --benchmark_repetitions, "min" is the figure to quote on a shared machine: other
    // work can only slow a run down.
    b->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->ComputeStatistics("min", [](const std::vector<double>& v) {
          return *std::min_element(v.begin(), v.end());
        });
    if (threaded) b->Arg(1)->Arg(0);
    return b;
  };
  stage("BM_OpenFiles", BM_OpenFiles, false);
  stage("BM_LoadDataset", BM_LoadDataset, true);
  stage("BM_CompileModel", BM_CompileModel, false);
  stage("BM_LoadWorkset", BM_LoadWorkset, false)->Arg(0);
  stage("BM_ScoreLeads", BM_ScoreLeads, true);
  stage("BM_ScoreLeadsEventsSkipped", BM_ScoreLeadsEventsSkipped, true);
  stage("BM_WriteScoresCsv", BM_WriteScoresCsv, true);
  stage("BM_Part_Utf8Check", BM_Part_Utf8Check, false);
  stage("BM_Part_SplitAndCountLines", BM_Part_SplitAndCountLines, false);
  stage("BM_Part_CsvParse", BM_Part_CsvParse, false);
  stage("BM_Part_LeadIdLookup", BM_Part_LeadIdLookup, false);
  stage("BM_Part_ParseTimestamp", BM_Part_ParseTimestamp, false);
  stage("BM_Part_DictionaryCodes", BM_Part_DictionaryCodes, false);
  stage("BM_Part_EventIdDedup", BM_Part_EventIdDedup, false);
  stage("BM_Part_RowAppends", BM_Part_RowAppends, false);
  stage("BM_Part_GroupByLead", BM_Part_GroupByLead, false);
}

// ------------------------------------------------------------------ setup

Status ReadEventCells(const CsvFile& csv, const engine::LeadTable& leads, EventCells& cells) {
  const std::string_view bytes = csv.bytes();
  const int id_col = csv.FindColumn("event_id");
  const int lead_col = csv.FindColumn("lead_id");
  const int type_col = csv.FindColumn("type");
  const int at_col = csv.FindColumn("occurred_at");
  const int page_col = csv.FindColumn("page");
  const int asset_col = csv.FindColumn("asset");
  auto stable = [&](std::string_view cell) -> std::string_view {
    cell = Trim(cell);
    if (cell.empty() ||
        (cell.data() >= bytes.data() && cell.data() + cell.size() <= bytes.data() + bytes.size())) {
      return cell;
    }
    return cells.owned.emplace_back(cell);
  };
  auto cell = [](const CsvReader& r, int c) -> std::string_view {
    if (c < 0 || static_cast<size_t>(c) >= r.fields().size()) return {};
    return r.fields()[static_cast<size_t>(c)];
  };
  CsvReader reader(bytes, csv.body_begin(), bytes.size(), csv.body_line());
  while (reader.Next()) {
    cells.event_id.push_back(stable(cell(reader, id_col)));
    cells.lead_id.push_back(stable(cell(reader, lead_col)));
    cells.type.push_back(stable(cell(reader, type_col)));
    cells.occurred_at.push_back(stable(cell(reader, at_col)));
    cells.page.push_back(stable(cell(reader, page_col)));
    cells.asset.push_back(stable(cell(reader, asset_col)));
    cells.lead_row.push_back(leads.index.Find(cells.lead_id.back()).value_or(0));
  }
  return reader.status();
}

std::optional<uint64_t> ReadCount(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Status SetUp(int& argc, char** argv, Fixture& f) {
  bench::GenOptions options;
  std::optional<TimePoint> as_of = ParseTimestamp(kAsOf);
  options.as_of = *as_of;
  std::string data_dir;
  if (const char* v = std::getenv("LEADQ_BENCH_LEADS")) options.leads = ReadCount(v).value_or(0);
  if (const char* v = std::getenv("LEADQ_BENCH_EVENTS")) options.events = ReadCount(v).value_or(0);
  if (const char* v = std::getenv("LEADQ_BENCH_DATA")) data_dir = v;
  // Take our flags out of argv; the rest are Google Benchmark's.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--leads=")) {
      options.leads = ReadCount(arg.substr(8)).value_or(0);
    } else if (arg.starts_with("--events=")) {
      options.events = ReadCount(arg.substr(9)).value_or(0);
    } else if (arg.starts_with("--data=")) {
      data_dir = arg.substr(7);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (options.leads == 0) return Status::Invalid("--leads (LEADQ_BENCH_LEADS) must be > 0");

  if (data_dir.empty()) {
    f.dir = std::filesystem::temp_directory_path() /
            ("leadq-score-bench-" + std::to_string(::getpid()));
    f.remove_dir = true;
    std::fprintf(stderr, "generating %zu leads and %zu events in %s ...\n", options.leads,
                 options.events, f.dir.c_str());
    LEADQ_TRY(f.sizes, bench::WriteBenchData(options, f.dir));
    f.scores_out = f.dir / "scores.csv";
  } else {
    f.dir = data_dir;
    LEADQ_TRY(f.sizes, bench::MeasureBenchData(f.dir));
    f.scores_out = std::filesystem::temp_directory_path() /
                   ("leadq-score-bench-" + std::to_string(::getpid()) + ".csv");
  }
  f.request.model = f.dir / "model.toml";
  f.request.leads = f.dir / "leads.csv";
  f.request.accounts = f.dir / "accounts.csv";
  f.request.events = f.dir / "events.csv";
  f.request.as_of = std::string(kAsOf);

  service::Progress quiet("bench", false);
  LEADQ_TRY(f.work, service::LoadWorkset(f.request, quiet));
  LEADQ_TRY(CsvFile leads, CsvFile::Open(f.request.leads));
  LEADQ_TRY(CsvFile accounts, CsvFile::Open(*f.request.accounts));
  LEADQ_TRY(CsvFile events, CsvFile::Open(*f.request.events));
  f.leads.emplace(std::move(leads));
  f.accounts.emplace(std::move(accounts));
  f.events.emplace(std::move(events));
  f.needs = engine::NeedsOf(f.work->model);

  benchmark::AddCustomContext("data", f.dir.string());
  benchmark::AddCustomContext("rows", "leads " + GroupThousands(f.sizes.leads) + ", accounts " +
                                          GroupThousands(f.sizes.accounts) + ", events " +
                                          GroupThousands(f.sizes.events));
  benchmark::AddCustomContext("csv_mb",
                              FormatFixed2(static_cast<double>(f.sizes.total_bytes()) / 1e6));
  benchmark::AddCustomContext("events_kept",
                              GroupThousands(f.work->data.events.size()) + " (duplicates " +
                                  GroupThousands(f.work->data.events.duplicates) + ")");
  benchmark::AddCustomContext("worker_threads", std::to_string(WorkerCount()));
  return Status::Ok();
}

}  // namespace
}  // namespace leadq

int main(int argc, char** argv) {
  leadq::Fixture f;
  leadq::Status status = leadq::SetUp(argc, argv, f);
  int rc = 0;
  if (!status.ok()) {
    std::fprintf(stderr, "leadq_score_bench: %s\n", status.message().c_str());
    rc = 1;
  } else {
    leadq::fixture = &f;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
      rc = 1;
    } else {
      leadq::RegisterAll();
      benchmark::RunSpecifiedBenchmarks();
      benchmark::Shutdown();
    }
  }
  std::error_code ec;
  if (f.remove_dir) std::filesystem::remove_all(f.dir, ec);
  std::filesystem::remove(f.scores_out, ec);
  return rc;
}
