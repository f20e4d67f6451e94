#include "analytics/learned_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text.h"

namespace leadq::analytics {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "leadq-learned-model";
constexpr int kVersion = 1;

const char* KindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kNumeric:
      return "numeric";
    case ColumnKind::kCategorical:
      return "categorical";
    case ColumnKind::kDate:
      return "date";
  }
  return "numeric";
}

json ToJson(const TrainingSummary& s) {
  json top = json::array();
  for (const TopFeature& f : s.top_features) {
    top.push_back({{"name", f.name}, {"effect", f.effect}, {"note", f.note}});
  }
  json ignored = json::array();
  for (const IgnoredColumn& c : s.ignored) {
    ignored.push_back({{"column", c.key}, {"reason", c.reason}});
  }
  return {{"data_file", s.data_file},
          {"target", s.target},
          {"rows", s.rows},
          {"positives", s.positives},
          {"skipped_no_target", s.skipped_no_target},
          {"folds", s.folds},
          {"seed", s.seed},
          {"cv_rows", s.cv_rows},
          {"cv_note", s.cv_note},
          {"cv_auc", s.auc},
          {"cv_auc_low", s.auc_low},
          {"cv_auc_high", s.auc_high},
          {"cv_log_loss", s.log_loss},
          {"cv_brier", s.brier},
          {"logistic_cv_auc", s.logistic_auc},
          {"gbdt_cv_auc", s.gbdt_auc},
          {"l2", s.l2},
          {"rounds", s.rounds},
          {"top_features", top},
          {"ignored_columns", ignored}};
}

// Reading with messages that say which field is wrong. json's own exceptions are caught at the
// edge (ParseLearnedModel) and reported with the file name.
struct Reader {
  const std::string& name;
  std::string error;

  const json* Field(const json& obj, const char* field, const std::string& where) {
    if (!obj.is_object() || !obj.contains(field)) {
      if (error.empty()) error = where + " has no \"" + field + "\"";
      return nullptr;
    }
    return &obj.at(field);
  }
  template <typename T>
  bool Get(const json& obj, const char* field, const std::string& where, T& out) {
    const json* v = Field(obj, field, where);
    if (v == nullptr) return false;
    try {
      out = v->get<T>();
      return true;
    } catch (const json::exception&) {
      if (error.empty()) error = where + ": \"" + field + "\" has the wrong type";
      return false;
    }
  }
};

TrainingSummary SummaryFromJson(const json& j) {
  // The summary is informative: read what is there, never fail on it.
  TrainingSummary s;
  auto get = [&](const char* f, auto& out) {
    if (j.is_object() && j.contains(f)) {
      try {
        out = j.at(f).get<std::decay_t<decltype(out)>>();
      } catch (const json::exception&) {
      }
    }
  };
  get("data_file", s.data_file);
  get("target", s.target);
  get("rows", s.rows);
  get("positives", s.positives);
  get("skipped_no_target", s.skipped_no_target);
  get("folds", s.folds);
  get("seed", s.seed);
  get("cv_rows", s.cv_rows);
  get("cv_note", s.cv_note);
  get("cv_auc", s.auc);
  get("cv_auc_low", s.auc_low);
  get("cv_auc_high", s.auc_high);
  get("cv_log_loss", s.log_loss);
  get("cv_brier", s.brier);
  get("logistic_cv_auc", s.logistic_auc);
  get("gbdt_cv_auc", s.gbdt_auc);
  get("l2", s.l2);
  get("rounds", s.rounds);
  if (j.is_object() && j.contains("top_features") && j["top_features"].is_array()) {
    for (const json& f : j["top_features"]) {
      TopFeature t;
      if (f.is_object()) {
        t.name = f.value("name", "");
        t.effect = f.value("effect", 0.0);
        t.note = f.value("note", "");
      }
      s.top_features.push_back(std::move(t));
    }
  }
  if (j.is_object() && j.contains("ignored_columns") && j["ignored_columns"].is_array()) {
    for (const json& c : j["ignored_columns"]) {
      if (c.is_object()) s.ignored.push_back({c.value("column", ""), c.value("reason", "")});
    }
  }
  return s;
}

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

std::string LearnedModelToJson(const LearnedModel& m) {
  json columns = json::array();
  for (const ModelColumn& c : m.columns) {
    json jc = {{"key", c.key}, {"header", c.header}, {"type", KindName(c.kind)}};
    if (c.kind != ColumnKind::kCategorical) {
      jc["clip"] = {c.clip_low, c.clip_high};
      jc["mean"] = c.mean;
      jc["scale"] = c.scale;
    }
    if (c.kind == ColumnKind::kCategorical) {
      jc["levels"] = c.levels;
      jc["other"] = c.has_other;
    }
    if (c.kind == ColumnKind::kDate) jc["months"] = c.levels;
    jc["missing_indicator"] = c.has_missing;
    columns.push_back(std::move(jc));
  }
  json j = {{"format", kFormat},
            {"version", kVersion},
            {"method", m.method == LearnedMethod::kLogistic ? "logistic" : "gbdt"},
            {"target", m.target},
            {"id_column", m.id_column},
            {"missing_tokens", m.missing_tokens},
            {"reference_time",
             m.has_reference_time ? json(FormatTimestamp(m.reference_time)) : json(nullptr)},
            {"columns", columns},
            {"features", m.features}};
  if (m.method == LearnedMethod::kLogistic) {
    j["logistic"] = {{"intercept", m.intercept}, {"coef", m.coef}};
  } else {
    json trees = json::array();
    for (const Tree& t : m.trees) {
      trees.push_back({{"left", t.left},
                       {"right", t.right},
                       {"feature", t.feature},
                       {"threshold", t.threshold},
                       {"value", t.value}});
    }
    j["gbdt"] = {{"base_margin", m.base_margin}, {"trees", trees}};
  }
  j["summary"] = ToJson(m.summary);
  return j.dump(1) + "\n";
}

Result<LearnedModel> ParseLearnedModel(std::string_view text, const std::string& name) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    return Status::Invalid(name + ": not JSON (byte " + std::to_string(e.byte) + ")");
  }
  Reader r{name, {}};
  LearnedModel m;
  std::string format, method, reference;
  int version = 0;
  if (!r.Get(j, "format", "the file", format) || format != kFormat) {
    return Status::Invalid(name + ": not a leadq learned model (\"format\" is not \"" + kFormat +
                           "\"; write one with leadq learn)");
  }
  if (!r.Get(j, "version", "the file", version) || version != kVersion) {
    return Status::Invalid(name + ": model file version " + std::to_string(version) +
                           " is not supported (this leadq reads version " +
                           std::to_string(kVersion) + ")");
  }
  r.Get(j, "method", "the file", method);
  r.Get(j, "target", "the file", m.target);
  r.Get(j, "id_column", "the file", m.id_column);
  r.Get(j, "missing_tokens", "the file", m.missing_tokens);
  r.Get(j, "features", "the file", m.features);
  if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
  if (method == "logistic") {
    m.method = LearnedMethod::kLogistic;
  } else if (method == "gbdt") {
    m.method = LearnedMethod::kGbdt;
  } else {
    return Status::Invalid(name + ": \"method\" is \"" + method + "\"; expected logistic or gbdt");
  }
  if (j.contains("reference_time") && !j["reference_time"].is_null()) {
    r.Get(j, "reference_time", "the file", reference);
    std::optional<TimePoint> t = ParseTimestamp(reference);
    if (!t) {
      return Status::Invalid(name + ": \"reference_time\" \"" + reference +
                             "\" is not an ISO 8601 time");
    }
    m.reference_time = *t;
    m.has_reference_time = true;
  }
  const json* columns = r.Field(j, "columns", "the file");
  if (columns == nullptr || !columns->is_array()) {
    return Status::Invalid(name + ": \"columns\" is missing or not a list");
  }
  size_t next_feature = 0;
  for (size_t i = 0; i < columns->size(); ++i) {
    const json& jc = (*columns)[i];
    std::string where = "column " + std::to_string(i + 1);
    ModelColumn c;
    std::string type;
    r.Get(jc, "key", where, c.key);
    r.Get(jc, "header", where, c.header);
    r.Get(jc, "type", where, type);
    r.Get(jc, "missing_indicator", where, c.has_missing);
    if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
    where = "column \"" + c.key + "\"";
    if (type == "categorical") {
      c.kind = ColumnKind::kCategorical;
      r.Get(jc, "levels", where, c.levels);
      r.Get(jc, "other", where, c.has_other);
    } else if (type == "numeric" || type == "date") {
      c.kind = type == "numeric" ? ColumnKind::kNumeric : ColumnKind::kDate;
      std::vector<double> clip;
      r.Get(jc, "clip", where, clip);
      r.Get(jc, "mean", where, c.mean);
      r.Get(jc, "scale", where, c.scale);
      if (r.error.empty() && (clip.size() != 2 || !(c.scale > 0))) {
        r.error = where + ": \"clip\" must be two numbers and \"scale\" positive";
      } else if (clip.size() == 2) {
        c.clip_low = clip[0];
        c.clip_high = clip[1];
      }
      if (c.kind == ColumnKind::kDate) r.Get(jc, "months", where, c.levels);
    } else {
      return Status::Invalid(name + ": " + where + ": \"type\" is \"" + type +
                             "\"; expected numeric, categorical or date");
    }
    if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
    c.first_feature = next_feature;
    c.feature_count = c.kind == ColumnKind::kCategorical
                          ? c.levels.size() + (c.has_other ? 1 : 0)
                          : 1 + (c.kind == ColumnKind::kDate ? c.levels.size() : 0);
    c.feature_count += c.has_missing ? 1 : 0;
    next_feature += c.feature_count;
    m.columns.push_back(std::move(c));
  }
  if (next_feature != m.features.size()) {
    return Status::Invalid(name + ": the columns encode " + std::to_string(next_feature) +
                           " features but \"features\" names " + std::to_string(m.features.size()));
  }
  const size_t p = m.features.size();
  if (m.method == LearnedMethod::kLogistic) {
    const json* lj = r.Field(j, "logistic", "the file");
    if (lj != nullptr) {
      r.Get(*lj, "intercept", "\"logistic\"", m.intercept);
      r.Get(*lj, "coef", "\"logistic\"", m.coef);
    }
    if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
    if (m.coef.size() != p) {
      return Status::Invalid(name + ": \"logistic\" has " + std::to_string(m.coef.size()) +
                             " coefficients for " + std::to_string(p) + " features");
    }
  } else {
    const json* gj = r.Field(j, "gbdt", "the file");
    json trees;
    if (gj != nullptr) {
      r.Get(*gj, "base_margin", "\"gbdt\"", m.base_margin);
      r.Get(*gj, "trees", "\"gbdt\"", trees);
    }
    if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
    if (!trees.is_array()) return Status::Invalid(name + ": \"gbdt\".\"trees\" is not a list");
    for (size_t t = 0; t < trees.size(); ++t) {
      std::string where = "tree " + std::to_string(t + 1);
      Tree tree;
      r.Get(trees[t], "left", where, tree.left);
      r.Get(trees[t], "right", where, tree.right);
      r.Get(trees[t], "feature", where, tree.feature);
      r.Get(trees[t], "threshold", where, tree.threshold);
      r.Get(trees[t], "value", where, tree.value);
      if (!r.error.empty()) return Status::Invalid(name + ": " + r.error);
      const size_t nodes = tree.left.size();
      bool ok = nodes > 0 && tree.right.size() == nodes && tree.feature.size() == nodes &&
                tree.threshold.size() == nodes && tree.value.size() == nodes;
      // Children come after their parent, so evaluation always ends at a leaf.
      for (size_t n = 0; ok && n < nodes; ++n) {
        int32_t l = tree.left[n], rr = tree.right[n];
        if (l == -1) continue;
        ok = l > static_cast<int32_t>(n) && rr > static_cast<int32_t>(n) &&
             static_cast<size_t>(l) < nodes && static_cast<size_t>(rr) < nodes &&
             tree.feature[n] >= 0 && static_cast<size_t>(tree.feature[n]) < p;
      }
      if (!ok) {
        return Status::Invalid(name + ": " + where +
                               " is malformed (arrays of different lengths, or a node that "
                               "points outside the tree or the features)");
      }
      m.trees.push_back(std::move(tree));
    }
  }
  if (j.contains("summary")) m.summary = SummaryFromJson(j["summary"]);
  return m;
}

Result<LearnedModel> ReadLearnedModel(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot open the model file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(path.string() + ": cannot read the model file");
  return ParseLearnedModel(text.str(), path.string());
}

Status WriteLearnedModel(const LearnedModel& model, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IoError(path.string() + ": cannot write the model file");
  out << LearnedModelToJson(model);
  out.close();
  if (!out) return Status::IoError(path.string() + ": cannot write the model file");
  return Status::Ok();
}

bool IsMissingCell(std::string_view cell, std::span<const std::string> tokens) {
  std::string_view s = Trim(cell);
  if (s.empty()) return true;
  for (const std::string& t : tokens) {
    if (IEquals(s, t)) return true;
  }
  return false;
}

namespace {

// The month (1..12) of a day count since 1970-01-01: the inverse of DaysFromCivil (H. Hinnant's
// civil_from_days), without formatting the whole date (this runs once per date cell).
unsigned MonthOfDay(int64_t days) {
  const int64_t z = days + 719'468;
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int64_t doe = z - era * 146'097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  return static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
}

const char* const kMonths[] = {"01", "02", "03", "04", "05", "06",
                               "07", "08", "09", "10", "11", "12"};

}  // namespace

std::string MonthOf(TimePoint t) {
  int64_t days = t / kMicrosPerDay - (t % kMicrosPerDay < 0 ? 1 : 0);
  return kMonths[MonthOfDay(days) - 1];
}

namespace {

// Writes a numeric encoding; returns false when the cell is missing or not a number.
double EncodeNumber(const ModelColumn& c, double v) {
  return (std::clamp(v, c.clip_low, c.clip_high) - c.mean) / c.scale;
}

// The index of `value` among `levels`, or -1.
int FindLevel(const std::vector<std::string>& levels, std::string_view value) {
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string& l = levels[i];
    // Length and first byte before the library compare: most levels differ in one of them.
    if (l.size() == value.size() && (l.empty() || l[0] == value[0]) &&
        std::memcmp(l.data(), value.data(), l.size()) == 0) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// The features of one row, as calls set(feature, value) in increasing feature order for the
// features that are not zero (a missing cell's numeric feature is 0, the mean, and is not set).
// EncodeRow writes them into a vector; RowProbability adds coefficient x value as it goes,
// which sums the same terms in the same order as the dot product over the whole vector.
template <typename Set>
void VisitFeatures(const LearnedModel& model, std::span<const std::string_view> row,
                   std::span<const int> source_index, TimePoint as_of, Set&& set) {
  const bool any_tokens = !model.missing_tokens.empty();
  for (size_t ci = 0; ci < model.columns.size(); ++ci) {
    const ModelColumn& c = model.columns[ci];
    const size_t f = c.first_feature;
    int src = source_index[ci];
    std::string_view cell = src >= 0 && static_cast<size_t>(src) < row.size()
                                ? Trim(row[static_cast<size_t>(src)])
                                : std::string_view();
    bool missing = cell.empty() || (any_tokens && IsMissingCell(cell, model.missing_tokens));
    switch (c.kind) {
      case ColumnKind::kNumeric: {
        std::optional<double> v = missing ? std::nullopt : ParseNumber(cell);
        // A cell that is not a number in a numeric column is treated as missing.
        if (v) {
          set(f, EncodeNumber(c, *v));
        } else {
          missing = true;
        }
        break;
      }
      case ColumnKind::kDate: {
        std::optional<TimePoint> t = missing ? std::nullopt : ParseTimestamp(cell);
        if (t) {
          set(f, EncodeNumber(c, AgeDays(*t, as_of)));
          int64_t days = *t / kMicrosPerDay - (*t % kMicrosPerDay < 0 ? 1 : 0);
          int m = FindLevel(c.levels, kMonths[MonthOfDay(days) - 1]);
          if (m >= 0) set(f + 1 + static_cast<size_t>(m), 1.0);
        } else {
          missing = true;
        }
        break;
      }
      case ColumnKind::kCategorical: {
        if (missing) break;
        int level = FindLevel(c.levels, cell);
        if (level >= 0) {
          set(f + static_cast<size_t>(level), 1.0);
        } else if (c.has_other) {
          set(f + c.levels.size(), 1.0);
        }
        break;
      }
    }
    if (missing && c.has_missing) set(f + c.feature_count - 1, 1.0);
  }
}

}  // namespace

void EncodeRow(const LearnedModel& model, std::span<const std::string_view> row,
               std::span<const int> source_index, TimePoint as_of, std::span<double> out) {
  std::fill(out.begin(), out.end(), 0.0);
  VisitFeatures(model, row, source_index, as_of, [&](size_t j, double v) { out[j] = v; });
}

double TreesMargin(std::span<const Tree> trees, double base_margin, std::span<const double> row) {
  double z = base_margin;
  for (const Tree& t : trees) {
    size_t node = 0;
    while (t.left[node] != -1) {
      float v = static_cast<float>(row[static_cast<size_t>(t.feature[node])]);
      node = static_cast<size_t>(v < t.threshold[node] ? t.left[node] : t.right[node]);
    }
    z += t.value[node];
  }
  return z;
}

double Margin(const LearnedModel& model, std::span<const double> x) {
  if (model.method == LearnedMethod::kLogistic) {
    double z = model.intercept;
    for (size_t j = 0; j < model.coef.size(); ++j) z += model.coef[j] * x[j];
    return z;
  }
  return TreesMargin(model.trees, model.base_margin, x);
}

double Probability(const LearnedModel& model, std::span<const double> features) {
  return Sigmoid(Margin(model, features));
}

double RowProbability(const LearnedModel& model, std::span<const std::string_view> row,
                      std::span<const int> source_index, TimePoint as_of) {
  if (model.method == LearnedMethod::kLogistic) {
    double z = model.intercept;
    const double* coef = model.coef.data();
    VisitFeatures(model, row, source_index, as_of, [&](size_t j, double v) { z += coef[j] * v; });
    return Sigmoid(z);
  }
  // One buffer per thread: no allocation per row once it has grown.
  thread_local std::vector<double> features;
  features.resize(model.features.size());
  EncodeRow(model, row, source_index, as_of, features);
  return Probability(model, features);
}

}  // namespace leadq::analytics
