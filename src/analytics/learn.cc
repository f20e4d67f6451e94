#include "analytics/learn.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "analytics/gbdt.h"
#include "analytics/logistic.h"
#include "analytics/metrics.h"
#include "analytics/predictor.h"
#include "core/csv.h"
#include "core/parallel.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

// A categorical column with more distinct values than this is not a feature (id-like or free
// text); counting stops there so that a column of unique values costs no more memory.
constexpr size_t kMaxDistinct = 5000;
// At most this many levels per categorical column are kept (the most frequent).
constexpr size_t kMaxLevels = 30;
// A level needs this many rows (or 0.1% of the rows, when more) to be kept; rarer ones are
// pooled into "(other)", since a coefficient learned from a handful of rows is noise.
constexpr uint64_t kMinLevelRows = 10;
// Clip points and the id check read at most this many values per column.
constexpr size_t kStatSample = 100'000;
// Columns are id-like only when there are enough rows to tell.
constexpr uint64_t kMinRowsForIdCheck = 20;

// ------------------------------------------------------------------ reading in chunks

using Chunk = CsvChunk;

// Splits the file's rows into chunks for WorkerCount() threads (one chunk when `whole`).
std::vector<Chunk> SplitChunks(const CsvFile& csv, bool whole) {
  return SplitCsvChunks(csv, whole ? 1 : WorkerCount() * 16);
}

// Runs on_row over every row of each chunk, chunks in parallel. Returns false when a chunk's
// reader disagreed with the split (a quote the splitter did not expect): read again whole.
bool ReadChunks(const CsvFile& csv, const std::vector<Chunk>& chunks, Status& status,
                const std::function<void(size_t, CsvReader&)>& on_row) {
  bool consistent = true;
  status = ReadCsvChunks(csv, chunks, consistent, on_row);
  return !status.ok() || consistent;
}

// ------------------------------------------------------------------ pass 1: scan

struct ColumnScan {
  uint64_t missing = 0, numbers = 0, dates = 0, texts = 0;
  std::vector<double> values;  // per used row: the number, the date (micros) or NaN
  std::unordered_map<std::string, uint64_t> counts;
  bool overflow = false;

  void Count(std::string_view cell) {
    if (overflow) return;
    ++counts[std::string(cell)];
    if (counts.size() > kMaxDistinct) {
      overflow = true;
      counts.clear();
    }
  }
};

struct ChunkScan {
  std::vector<ColumnScan> columns;
  std::vector<double> y;
  uint64_t skipped = 0;
  int64_t bad_line = 0;  // first row with a bad target, 0 when none
  std::string bad_value;
};

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 80)) + "\""; }

// How one candidate column was judged.
struct Decision {
  int source = -1;  // position in the file
  ModelColumn column;
};

std::string FeatureList(const std::vector<std::string>& names) { return JoinStrings(names, ", "); }

std::string Percent(double share) {
  std::string s = FormatFixed2(100 * share);
  return s + "%";
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  return std::string(buf, r.ptr);
}

// Sets clip points, mean and scale from a column's values; false when the values are constant.
bool FitNumericEncoding(std::vector<double> values, ModelColumn& c) {
  // The clip points come from a deterministic sample of at most kStatSample values.
  if (values.size() > kStatSample) {
    size_t stride = (values.size() + kStatSample - 1) / kStatSample;
    std::vector<double> sample;
    for (size_t i = 0; i < values.size(); i += stride) sample.push_back(values[i]);
    c.clip_low = Quantile(sample, 0.01);
    c.clip_high = Quantile(std::move(sample), 0.99);
  } else {
    c.clip_low = Quantile(values, 0.01);
    c.clip_high = Quantile(values, 0.99);
  }
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (c.clip_low == c.clip_high) {
    // Most values are one number: clipping would erase the rest.
    c.clip_low = *lo;
    c.clip_high = *hi;
  }
  double sum = 0, sum2 = 0;
  for (double v : values) sum += std::clamp(v, c.clip_low, c.clip_high);
  c.mean = sum / static_cast<double>(values.size());
  for (double v : values) {
    double d = std::clamp(v, c.clip_low, c.clip_high) - c.mean;
    sum2 += d * d;
  }
  double sd = std::sqrt(sum2 / static_cast<double>(values.size()));
  c.scale = sd > 0 ? sd : 1;
  return *lo != *hi;
}

// True when every value is a whole number and no two are equal (a numeric id).
bool AllDistinctWholeNumbers(const std::vector<double>& values) {
  if (values.size() < kMinRowsForIdCheck) return false;
  for (double v : values) {
    if (v != std::floor(v)) return false;
  }
  std::unordered_set<double> seen;
  seen.reserve(values.size());
  for (double v : values) {
    if (!seen.insert(v).second) return false;
  }
  return true;
}

// ------------------------------------------------------------------ cross-validation

// Stratified folds: each class shuffled with the seed and dealt round-robin.
std::vector<int> MakeFolds(std::span<const double> y, int folds, uint64_t seed) {
  std::vector<size_t> pos, neg;
  for (size_t i = 0; i < y.size(); ++i) (y[i] > 0.5 ? pos : neg).push_back(i);
  std::mt19937_64 rng(seed);
  std::shuffle(pos.begin(), pos.end(), rng);
  std::shuffle(neg.begin(), neg.end(), rng);
  std::vector<int> fold(y.size());
  size_t k = 0;
  for (const auto* group : {&pos, &neg}) {
    for (size_t i : *group) fold[i] = static_cast<int>(k++ % static_cast<size_t>(folds));
  }
  return fold;
}

// A stratified random subsample of `size` row indices, in file order.
std::vector<Eigen::Index> Subsample(std::span<const double> y, uint64_t size, uint64_t seed) {
  std::vector<Eigen::Index> pos, neg;
  for (size_t i = 0; i < y.size(); ++i) {
    (y[i] > 0.5 ? pos : neg).push_back(static_cast<Eigen::Index>(i));
  }
  std::mt19937_64 rng(seed ^ 0x5bd1e995u);
  std::shuffle(pos.begin(), pos.end(), rng);
  std::shuffle(neg.begin(), neg.end(), rng);
  auto take_pos = static_cast<size_t>(std::llround(
      static_cast<double>(size) * static_cast<double>(pos.size()) / static_cast<double>(y.size())));
  take_pos = std::min(take_pos, pos.size());
  size_t take_neg = std::min<size_t>(size - take_pos, neg.size());
  std::vector<Eigen::Index> rows(pos.begin(), pos.begin() + static_cast<ptrdiff_t>(take_pos));
  rows.insert(rows.end(), neg.begin(), neg.begin() + static_cast<ptrdiff_t>(take_neg));
  std::sort(rows.begin(), rows.end());
  return rows;
}

struct MethodResult {
  std::vector<double> out_of_fold;  // probabilities
  double auc = 0;
  double l2 = 0;
  int rounds = 0;
  size_t grid_size = 0;
};

MethodResult CrossValidateLogisticMethod(const Eigen::MatrixXd& x, std::span<const double> y,
                                         std::span<const int> fold, int folds,
                                         std::span<const uint8_t> label) {
  LogisticCrossValidation cv = CrossValidateLogistic(x, y, fold, folds, DefaultL2Grid());
  MethodResult r;
  r.out_of_fold = std::move(cv.out_of_fold);
  r.auc = RocAuc(r.out_of_fold, label);
  r.l2 = cv.best_l2;
  r.grid_size = cv.grid.size();
  return r;
}

// XGBoost's OpenMP threads spin while they wait; on small matrices they cost more than they
// save (and steal the cores of the other folds), so small fits run on one thread.
int GbdtThreads(Eigen::Index rows, Eigen::Index cols) {
  return rows * cols < 5'000'000 ? 1 : static_cast<int>(WorkerCount());
}

Result<MethodResult> CrossValidateGbdt(const Eigen::MatrixXd& x, std::span<const double> y,
                                       std::span<const int> fold, int folds,
                                       std::span<const uint8_t> label, uint64_t seed) {
  MethodResult r;
  r.out_of_fold.assign(y.size(), 0);
  std::vector<int> rounds(static_cast<size_t>(folds), 0);
  std::vector<Status> status(static_cast<size_t>(folds));
  const bool small = GbdtThreads(x.rows(), x.cols()) == 1;
  auto run_fold = [&](size_t fk) {
    const int k = static_cast<int>(fk);
    std::vector<Eigen::Index> train, valid, test;
    for (size_t i = 0; i < y.size(); ++i) {
      (fold[i] == k ? test : train).push_back(static_cast<Eigen::Index>(i));
    }
    // Early stopping watches a fifth of the training rows, never the held-out fold.
    std::mt19937_64 rng(seed + fk);
    std::shuffle(train.begin(), train.end(), rng);
    size_t n_valid = std::max<size_t>(1, train.size() / 5);
    valid.assign(train.begin(), train.begin() + static_cast<ptrdiff_t>(n_valid));
    train.erase(train.begin(), train.begin() + static_cast<ptrdiff_t>(n_valid));
    std::sort(train.begin(), train.end());
    std::sort(valid.begin(), valid.end());
    auto pick_y = [&](const std::vector<Eigen::Index>& rows) {
      std::vector<double> out;
      for (Eigen::Index i : rows) out.push_back(y[static_cast<size_t>(i)]);
      return out;
    };
    Eigen::MatrixXd x_train = x(train, Eigen::all), x_valid = x(valid, Eigen::all);
    std::vector<double> y_train = pick_y(train), y_valid = pick_y(valid);
    GbdtOptions o;
    o.seed = seed + fk;
    o.threads = GbdtThreads(x_train.rows(), x_train.cols());
    Result<GbdtFit> fit = FitGbdt(x_train, y_train, &x_valid, y_valid, o);
    if (!fit.ok()) {
      status[fk] = fit.status();
      return;
    }
    rounds[fk] = fit->best_rounds;
    Eigen::RowVectorXd row;
    for (Eigen::Index i : test) {
      row = x.row(i);
      double z = TreesMargin(fit->trees, fit->base_margin,
                             std::span<const double>(row.data(), static_cast<size_t>(row.size())));
      r.out_of_fold[static_cast<size_t>(i)] = 1 / (1 + std::exp(-z));
    }
  };
  if (small) {
    // Small folds: one thread each, folds in parallel.
    ParallelTasks(static_cast<size_t>(folds), run_fold);
  } else {
    for (size_t k = 0; k < static_cast<size_t>(folds); ++k) run_fold(k);
  }
  for (const Status& st : status) LEADQ_TRY(st);
  r.auc = RocAuc(r.out_of_fold, label);
  double mean_rounds = std::accumulate(rounds.begin(), rounds.end(), 0.0) / folds;
  r.rounds = std::max(1, static_cast<int>(std::lround(mean_rounds)));
  return r;
}

// Pearson correlation, 0 when either side is constant.
double Correlation(const Eigen::VectorXd& a, std::span<const double> b) {
  double n = static_cast<double>(b.size());
  double ma = a.sum() / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    double da = a[static_cast<Eigen::Index>(i)] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

bool IsIndicator(const LearnedModel& m, size_t feature) {
  for (const ModelColumn& c : m.columns) {
    if (feature >= c.first_feature && feature < c.first_feature + c.feature_count) {
      return c.kind == ColumnKind::kCategorical || feature != c.first_feature;
    }
  }
  return false;
}

}  // namespace

std::optional<double> ParseTarget(std::string_view cell, bool& bad) {
  bad = false;
  std::string_view s = Trim(cell);
  if (s.empty()) return std::nullopt;
  for (const char* yes : {"1", "yes", "true", "won"}) {
    if (IEquals(s, yes)) return 1.0;
  }
  for (const char* no : {"0", "no", "false", "lost"}) {
    if (IEquals(s, no)) return 0.0;
  }
  bad = true;
  return std::nullopt;
}

Result<LearnOutcome> LearnFromCsv(const LearnOptions& options) {
  LEADQ_TRY(CsvFile csv, CsvFile::Open(options.data));
  const std::string name = csv.name();
  const auto& file_columns = csv.columns();
  auto find = [&](const std::string& what, const std::string& option) -> Result<int> {
    int i = csv.FindColumn(ColumnKey(what));
    if (i < 0) {
      std::vector<std::string> headers;
      for (const CsvColumn& c : file_columns) {
        if (!c.key.empty()) headers.push_back(c.header);
      }
      return Status::Invalid(name + ": no column " + Quote(what) + " (" + option +
                             "); the columns are: " + JoinStrings(headers));
    }
    return i;
  };
  if (options.folds < 2) return Status::Invalid("--folds must be at least 2");
  LEADQ_TRY(int target, find(options.target, "--target"));
  int id = -1;
  if (!options.id_column.empty()) {
    LEADQ_TRY(id, find(options.id_column, "--id"));
  }
  std::vector<IgnoredColumn> ignored;
  std::vector<bool> candidate(file_columns.size(), true);
  candidate[static_cast<size_t>(target)] = false;
  if (id >= 0) {
    candidate[static_cast<size_t>(id)] = false;
    ignored.push_back({file_columns[static_cast<size_t>(id)].key, "the id column"});
  }
  for (const std::string& d : options.drop) {
    LEADQ_TRY(int i, find(d, "--drop"));
    if (i == target) return Status::Invalid("--drop names the target column " + Quote(d));
    if (candidate[static_cast<size_t>(i)]) {
      candidate[static_cast<size_t>(i)] = false;
      ignored.push_back({file_columns[static_cast<size_t>(i)].key, "--drop"});
    }
  }
  for (size_t i = 0; i < file_columns.size(); ++i) {
    if (file_columns[i].key.empty()) candidate[i] = false;  // an unnamed (trailing) column
  }
  const std::vector<std::string>& tokens = options.missing_tokens;

  // Pass 1: targets, types, values and counts.
  std::vector<Chunk> chunks = SplitChunks(csv, false);
  std::vector<ChunkScan> scans;
  Status read_status;
  auto scan_row = [&](size_t c, CsvReader& reader) {
    ChunkScan& s = scans[c];
    auto fields = reader.fields();
    std::string_view target_cell =
        static_cast<size_t>(target) < fields.size() ? fields[static_cast<size_t>(target)] : "";
    bool bad = false;
    std::optional<double> y = ParseTarget(target_cell, bad);
    if (!y) {
      if (bad && s.bad_line == 0) {
        s.bad_line = reader.line();
        s.bad_value = std::string(Trim(target_cell));
      }
      if (!bad) ++s.skipped;
      return;
    }
    s.y.push_back(*y);
    for (size_t i = 0; i < file_columns.size(); ++i) {
      if (!candidate[i]) continue;
      ColumnScan& col = s.columns[i];
      std::string_view cell = i < fields.size() ? Trim(fields[i]) : std::string_view();
      if (IsMissingCell(cell, tokens)) {
        ++col.missing;
        col.values.push_back(std::nan(""));
        continue;
      }
      col.Count(cell);
      if (std::optional<double> v = ParseNumber(cell)) {
        ++col.numbers;
        col.values.push_back(*v);
      } else if (std::optional<TimePoint> t = ParseTimestamp(cell)) {
        ++col.dates;
        col.values.push_back(static_cast<double>(*t));
      } else {
        ++col.texts;
        col.values.push_back(std::nan(""));
      }
    }
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) chunks = SplitChunks(csv, true);
    scans.assign(chunks.size(), ChunkScan{});
    for (ChunkScan& s : scans) s.columns.resize(file_columns.size());
    if (ReadChunks(csv, chunks, read_status, scan_row)) break;
  }
  LEADQ_TRY(read_status);
  uint64_t rows = 0, skipped = 0;
  for (const ChunkScan& s : scans) {
    if (s.bad_line != 0) {
      return Status::Invalid(name + ":" + std::to_string(s.bad_line) + ": " +
                             file_columns[static_cast<size_t>(target)].header + " " +
                             Quote(s.bad_value) +
                             " is not an outcome (expected 1/0, yes/no, true/false or "
                             "won/lost, any case; leave it empty to skip the row)");
    }
    rows += s.y.size();
    skipped += s.skipped;
  }
  std::vector<double> y;
  y.reserve(rows);
  // Each chunk's first row in the matrix that pass 2 fills.
  std::vector<Eigen::Index> offset(chunks.size() + 1, 0);
  for (size_t c = 0; c < scans.size(); ++c) {
    y.insert(y.end(), scans[c].y.begin(), scans[c].y.end());
    offset[c + 1] = offset[c] + static_cast<Eigen::Index>(scans[c].y.size());
  }
  const auto positives = static_cast<uint64_t>(std::count(y.begin(), y.end(), 1.0));
  if (positives < static_cast<uint64_t>(options.folds) ||
      rows - positives < static_cast<uint64_t>(options.folds)) {
    return Status::Invalid(name + ": " + std::to_string(rows) + " rows with an outcome, " +
                           std::to_string(positives) +
                           " positive: learning needs at least --folds (" +
                           std::to_string(options.folds) + ") of each outcome");
  }

  // Decide each column's type and encoding.
  LearnedModel model;
  model.target = file_columns[static_cast<size_t>(target)].key;
  model.id_column = id >= 0 ? file_columns[static_cast<size_t>(id)].key : "";
  model.missing_tokens = tokens;
  struct Merged {
    uint64_t missing = 0, numbers = 0, dates = 0, texts = 0;
    bool overflow = false;
    std::unordered_map<std::string, uint64_t> counts;
    std::vector<double> values;
  };
  std::vector<Merged> merged(file_columns.size());
  ParallelTasks(file_columns.size(), [&](size_t i) {
    if (!candidate[i]) return;
    Merged& m = merged[i];
    m.values.reserve(rows);
    for (ChunkScan& s : scans) {
      ColumnScan& c = s.columns[i];
      m.missing += c.missing;
      m.numbers += c.numbers;
      m.dates += c.dates;
      m.texts += c.texts;
      m.values.insert(m.values.end(), c.values.begin(), c.values.end());
      std::vector<double>().swap(c.values);
      m.overflow = m.overflow || c.overflow;
      if (!m.overflow) {
        for (auto& [k, v] : c.counts) m.counts[k] += v;
        if (m.counts.size() > kMaxDistinct) m.overflow = true;
      }
    }
  });
  scans.clear();
  // The reference time for dates: the latest date in the data.
  for (size_t i = 0; i < file_columns.size(); ++i) {
    const Merged& m = merged[i];
    if (!candidate[i] || m.dates == 0 || m.numbers != 0 || m.texts != 0) continue;
    for (double v : m.values) {
      if (std::isnan(v)) continue;
      auto t = static_cast<TimePoint>(v);
      if (!model.has_reference_time || t > model.reference_time) model.reference_time = t;
      model.has_reference_time = true;
    }
  }
  std::vector<int> source_index;
  int numeric_count = 0, categorical_count = 0, date_count = 0;
  for (size_t i = 0; i < file_columns.size(); ++i) {
    if (!candidate[i]) continue;
    Merged& m = merged[i];
    ModelColumn c;
    c.key = file_columns[i].key;
    c.header = file_columns[i].header;
    c.has_missing = m.missing > 0;
    const uint64_t present = m.numbers + m.dates + m.texts;
    if (present == 0) {
      ignored.push_back({c.key, "no values"});
      continue;
    }
    std::vector<double> values;
    if (m.texts == 0 && (m.numbers == 0 || m.dates == 0)) {
      values.reserve(present);
      for (double v : m.values) {
        if (!std::isnan(v)) values.push_back(v);
      }
    }
    std::vector<std::string> names;
    if (m.texts == 0 && m.dates == 0) {
      c.kind = ColumnKind::kNumeric;
      if (AllDistinctWholeNumbers(values)) {
        ignored.push_back({c.key, "id-like: every value a distinct whole number"});
        continue;
      }
      if (!FitNumericEncoding(std::move(values), c) && !c.has_missing) {
        ignored.push_back({c.key, "constant"});
        continue;
      }
      names.push_back(c.key);
      ++numeric_count;
    } else if (m.texts == 0 && m.numbers == 0) {
      c.kind = ColumnKind::kDate;
      std::vector<bool> month_seen(13, false);
      for (double& v : values) {
        auto t = static_cast<TimePoint>(v);
        month_seen[static_cast<size_t>(std::stoi(MonthOf(t)))] = true;
        v = AgeDays(t, model.reference_time);
      }
      if (!FitNumericEncoding(std::move(values), c) && !c.has_missing) {
        ignored.push_back({c.key, "constant"});
        continue;
      }
      names.push_back(c.key + " (age days)");
      for (int month = 1; month <= 12; ++month) {
        if (!month_seen[static_cast<size_t>(month)]) continue;
        std::string mm = (month < 10 ? "0" : "") + std::to_string(month);
        c.levels.push_back(mm);
        names.push_back(c.key + " month=" + mm);
      }
      ++date_count;
    } else {
      c.kind = ColumnKind::kCategorical;
      if (m.overflow || (present >= kMinRowsForIdCheck && m.counts.size() * 2 > present)) {
        ignored.push_back({c.key, "id-like or free text: " +
                                      (m.overflow ? "over " + GroupThousands(kMaxDistinct)
                                                  : GroupThousands(m.counts.size())) +
                                      " distinct values in " + GroupThousands(present) + " rows"});
        continue;
      }
      std::vector<std::pair<std::string, uint64_t>> levels(m.counts.begin(), m.counts.end());
      std::sort(levels.begin(), levels.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      uint64_t min_rows = std::max<uint64_t>(kMinLevelRows, rows / 1000);
      for (const auto& [level, count] : levels) {
        if (count >= min_rows && c.levels.size() < kMaxLevels) {
          c.levels.push_back(level);
        } else {
          c.has_other = true;
        }
      }
      if (c.levels.size() + (c.has_other ? 1 : 0) + (c.has_missing ? 1 : 0) < 2) {
        ignored.push_back({c.key, levels.size() == 1 ? "constant" : "every value rare"});
        continue;
      }
      for (const std::string& level : c.levels) names.push_back(c.key + "=" + level);
      if (c.has_other) names.push_back(c.key + " (other)");
      ++categorical_count;
    }
    if (c.has_missing) names.push_back(c.key + " (missing)");
    c.first_feature = model.features.size();
    c.feature_count = names.size();
    model.features.insert(model.features.end(), names.begin(), names.end());
    model.columns.push_back(std::move(c));
    source_index.push_back(static_cast<int>(i));
    std::vector<double>().swap(m.values);
  }
  merged.clear();
  if (model.features.empty()) {
    return Status::Invalid(name + ": no column can be a feature (left out: " + JoinStrings([&] {
                             std::vector<std::string> k;
                             for (const IgnoredColumn& c : ignored) k.push_back(c.key);
                             return k;
                           }()) +
                           ")");
  }

  // Pass 2: encode every row with an outcome.
  const auto n = static_cast<Eigen::Index>(rows);
  const auto p = static_cast<Eigen::Index>(model.features.size());
  Eigen::MatrixXd x(n, p);
  struct alignas(64) NextRow {  // a cache line per chunk: each is advanced by its own thread
    Eigen::Index row = 0;
  };
  std::vector<NextRow> next(offset.size() - 1);
  for (size_t c = 0; c + 1 < offset.size(); ++c) next[c].row = offset[c];
  Status encode_status;
  ReadChunks(csv, chunks, encode_status, [&](size_t c, CsvReader& reader) {
    thread_local std::vector<double> buffer;
    auto fields = reader.fields();
    bool bad = false;
    std::string_view cell =
        static_cast<size_t>(target) < fields.size() ? fields[static_cast<size_t>(target)] : "";
    if (!ParseTarget(cell, bad)) return;
    buffer.resize(static_cast<size_t>(p));
    EncodeRow(model, fields, source_index, model.reference_time, buffer);
    Eigen::Index row = next[c].row++;
    for (Eigen::Index j = 0; j < p; ++j) x(row, j) = buffer[static_cast<size_t>(j)];
  });
  LEADQ_TRY(encode_status);

  // Cross-validation, on a subsample when there are many rows.
  std::vector<uint8_t> label(y.size());
  for (size_t i = 0; i < y.size(); ++i) label[i] = y[i] > 0.5 ? 1 : 0;
  const bool subsample = rows > options.cv_max_rows;
  Eigen::MatrixXd x_sample;
  std::vector<double> y_sample;
  std::vector<uint8_t> label_sample;
  if (subsample) {
    std::vector<Eigen::Index> picked = Subsample(y, options.cv_max_rows, options.seed);
    x_sample = x(picked, Eigen::all);
    for (Eigen::Index i : picked) {
      y_sample.push_back(y[static_cast<size_t>(i)]);
      label_sample.push_back(label[static_cast<size_t>(i)]);
    }
  }
  const Eigen::MatrixXd& x_cv = subsample ? x_sample : x;
  std::span<const double> y_cv = subsample ? std::span<const double>(y_sample) : y;
  std::span<const uint8_t> label_cv = subsample ? std::span<const uint8_t>(label_sample) : label;
  std::vector<int> fold = MakeFolds(y_cv, options.folds, options.seed);

  std::optional<MethodResult> logistic, gbdt;
  if (options.method != LearnMethod::kGbdt) {
    logistic = CrossValidateLogisticMethod(x_cv, y_cv, fold, options.folds, label_cv);
  }
  if (options.method != LearnMethod::kLogistic) {
    LEADQ_TRY(MethodResult g,
              CrossValidateGbdt(x_cv, y_cv, fold, options.folds, label_cv, options.seed));
    gbdt = std::move(g);
  }
  // auto: boosted trees only when they rank better; logistic regression is easier to explain.
  bool use_gbdt = !logistic || (gbdt && gbdt->auc > logistic->auc);
  const MethodResult& chosen = use_gbdt ? *gbdt : *logistic;

  // The final model, on all rows.
  TrainingSummary& s = model.summary;
  std::vector<double> importance(static_cast<size_t>(p), 0);
  if (use_gbdt) {
    model.method = LearnedMethod::kGbdt;
    GbdtOptions o;
    o.seed = options.seed;
    o.max_rounds = chosen.rounds;
    o.threads = GbdtThreads(x.rows(), x.cols());
    LEADQ_TRY(GbdtFit fit, FitGbdt(x, y, nullptr, {}, o));
    model.base_margin = fit.base_margin;
    model.trees = std::move(fit.trees);
    double total = std::accumulate(fit.gain.begin(), fit.gain.end(), 0.0);
    for (Eigen::Index j = 0; j < p; ++j) {
      double share = total > 0 ? fit.gain[static_cast<size_t>(j)] / total : 0;
      importance[static_cast<size_t>(j)] = share;
    }
    s.rounds = chosen.rounds;
  } else {
    model.method = LearnedMethod::kLogistic;
    LogisticFit fit = FitLogistic(x, y, {.l2 = chosen.l2});
    model.coef = fit.coef;
    model.intercept = fit.intercept;
    for (Eigen::Index j = 0; j < p; ++j) {
      const Eigen::VectorXd col = x.col(j);
      double mean = col.mean();
      double sd = std::sqrt((col.array() - mean).square().mean());
      importance[static_cast<size_t>(j)] = std::abs(fit.coef[static_cast<size_t>(j)]) * sd;
    }
    s.l2 = chosen.l2;
  }

  s.data_file = name;
  s.target = model.target;
  s.rows = rows;
  s.positives = positives;
  s.skipped_no_target = skipped;
  s.folds = options.folds;
  s.seed = options.seed;
  s.cv_rows = static_cast<uint64_t>(x_cv.rows());
  s.cv_note = subsample ? "stratified random subsample of " + GroupThousands(s.cv_rows) + " of " +
                              GroupThousands(rows) + " rows (seed " + std::to_string(options.seed) +
                              "); the final model is fitted on all rows"
                        : "all rows";
  s.auc = chosen.auc;
  Interval ci = BootstrapAuc(chosen.out_of_fold, label_cv, 200, options.seed);
  s.auc_low = ci.low;
  s.auc_high = ci.high;
  s.log_loss = LogLoss(chosen.out_of_fold, label_cv);
  s.brier = Brier(chosen.out_of_fold, label_cv);
  s.logistic_auc = logistic ? logistic->auc : -1;
  s.gbdt_auc = gbdt ? gbdt->auc : -1;
  s.ignored = ignored;

  std::vector<size_t> order(static_cast<size_t>(p));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return importance[a] > importance[b]; });
  for (size_t k = 0; k < order.size() && static_cast<int>(k) < options.top_features; ++k) {
    size_t j = order[k];
    if (importance[j] <= 0) break;
    TopFeature f;
    f.name = model.features[j];
    if (use_gbdt) {
      double direction = Correlation(x_cv.col(static_cast<Eigen::Index>(j)), chosen.out_of_fold);
      f.effect = direction < 0 ? -importance[j] : importance[j];
      f.note = Percent(importance[j]) + " of the gain, " + (direction < 0 ? "lowers" : "raises") +
               " the probability";
    } else {
      f.effect = model.coef[j];
      f.note = "odds x" + FormatFixed2(std::exp(f.effect)) +
               (IsIndicator(model, j) ? " when it applies" : " per standard deviation");
    }
    s.top_features.push_back(std::move(f));
  }

  // The report for a person.
  std::ostringstream r;
  r << "leadq learn: " << name << ": " << GroupThousands(rows) << " rows with an outcome ("
    << GroupThousands(positives) << " positive, "
    << Percent(static_cast<double>(positives) / static_cast<double>(rows)) << "), "
    << GroupThousands(skipped) << " skipped without one\n";
  r << "columns: " << model.columns.size() << " used (" << numeric_count << " numeric, "
    << categorical_count << " categorical, " << date_count << " date) -> " << model.features.size()
    << " features";
  if (model.has_reference_time) {
    r << "; date ages as of " << FormatTimestamp(model.reference_time) << " (the latest date)";
  }
  r << "\n";
  if (!ignored.empty()) {
    std::vector<std::string> parts;
    for (const IgnoredColumn& c : ignored) parts.push_back(c.key + " (" + c.reason + ")");
    r << "left out: " << FeatureList(parts) << "\n";
  }
  r << "cross-validation: " << options.folds << " stratified folds, seed " << options.seed << ", "
    << s.cv_note << "\n";
  if (logistic) {
    r << "  logistic: L2 penalty " << Fixed(logistic->l2, 4) << " (the lowest held-out log loss of "
      << logistic->grid_size << " tried), AUC " << Fixed(logistic->auc, 4) << "\n";
  }
  if (gbdt) {
    const GbdtOptions defaults;
    r << "  gbdt: XGBoost, depth " << defaults.max_depth << ", learning rate "
      << Fixed(defaults.learning_rate, 2) << ", early stopping on a fifth of each training fold, "
      << gbdt->rounds << " rounds (the folds' mean, used for the final model), AUC "
      << Fixed(gbdt->auc, 4) << "\n";
  }
  r << "method: " << (use_gbdt ? "gbdt" : "logistic");
  if (logistic && gbdt) r << " (the better cross-validated AUC)";
  r << "\n";
  r << "cross-validated AUC " << Fixed(s.auc, 4) << " [" << Fixed(s.auc_low, 4) << ", "
    << Fixed(s.auc_high, 4) << "], log loss " << Fixed(s.log_loss, 4) << ", Brier "
    << Fixed(s.brier, 4) << "\n";
  r << "top features:\n";
  // Names line up in a column up to 48 characters; a longer one pushes its own line out.
  size_t width = 0;
  for (const TopFeature& f : s.top_features) width = std::max(width, f.name.size());
  width = std::min<size_t>(width, 48);
  for (const TopFeature& f : s.top_features) {
    std::string effect = (f.effect >= 0 ? "+" : "") + Fixed(f.effect, 3);
    r << "  " << f.name << std::string(width - std::min(width, f.name.size()) + 2, ' ')
      << std::string(8 - std::min<size_t>(8, effect.size()), ' ') << effect << "  " << f.note
      << "\n";
  }
  return LearnOutcome{std::move(model), r.str()};
}

Result<PredictOutcome> PredictCsv(const LearnedModel& model, const PredictOptions& options,
                                  std::ostream& out) {
  LEADQ_TRY(CsvFile csv, CsvFile::Open(options.data));
  PredictOutcome outcome;
  std::vector<std::string> keys;
  for (const CsvColumn& c : csv.columns()) keys.push_back(c.key);
  int id = -1;
  if (!options.id_column.empty()) {
    id = csv.FindColumn(ColumnKey(options.id_column));
    if (id < 0) {
      return Status::Invalid(csv.name() + ": no column " + Quote(options.id_column) + " (--id)");
    }
  } else if (!model.id_column.empty()) {
    id = csv.FindColumn(model.id_column);
  }
  if (id >= 0) outcome.id_key = keys[static_cast<size_t>(id)];
  Predictor predictor = Predictor::Bind(model, keys, &outcome.absent);
  const TimePoint as_of = options.as_of.value_or(model.reference_time);

  std::vector<Chunk> chunks;
  // Each chunk's output on a cache line of its own: the two threads append to neighbouring
  // chunks at the same time, and a shared line would bounce between the cores on every row.
  struct alignas(64) ChunkOutput {
    std::string text;
    uint64_t rows = 0;
  };
  std::vector<ChunkOutput> output;
  Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    chunks = SplitChunks(csv, attempt == 1);
    output.assign(chunks.size(), ChunkOutput());
    bool consistent = ReadChunks(csv, chunks, status, [&](size_t c, CsvReader& reader) {
      auto fields = reader.fields();
      std::string& o = output[c].text;
      if (id >= 0) {
        AppendCsvField(o, static_cast<size_t>(id) < fields.size()
                              ? Trim(fields[static_cast<size_t>(id)])
                              : std::string_view());
        o += ',';
      }
      AppendFixed6(o, predictor.Predict(fields, as_of));
      o += '\n';
      ++output[c].rows;
    });
    if (consistent) break;
  }
  LEADQ_TRY(status);
  std::string header;
  if (id >= 0) {
    AppendCsvField(header, outcome.id_key);
    header += ',';
  }
  header += "probability\n";
  out << header;
  for (size_t c = 0; c < chunks.size(); ++c) {
    out << output[c].text;
    outcome.rows += output[c].rows;
  }
  if (!out) return Status::IoError("the predictions could not be written");
  return outcome;
}

}  // namespace leadq::analytics
