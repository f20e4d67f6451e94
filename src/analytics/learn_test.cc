#include "analytics/learn.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "analytics/metrics.h"
#include "analytics/predictor.h"
#include "core/csv.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test (emptied first: a stale one from an earlier run with the same
// process id must not leak files into this one).
fs::path TestDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("leadq-learn-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path Write(const fs::path& dir, const std::string& file, const std::string& text) {
  fs::path p = dir / file;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// Rows of a CSV text: the header then data rows, each a vector of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  CsvReader reader(text, 0, text.size(), 1);
  while (reader.Next()) rows.emplace_back(reader.fields().begin(), reader.fields().end());
  return rows;
}

// ------------------------------------------------------------------ the real data set

const char* kXEducation = "../shared/data/leads/xeducation/Leads.csv";

// Splits the file into train (70%) and test (30%) rows, deterministically (seeded), keeping
// the header; returns the test rows' outcomes.
std::vector<uint8_t> SplitXEducation(const fs::path& dir, fs::path& train, fs::path& test) {
  Result<CsvFile> csv = CsvFile::Open(kXEducation);
  EXPECT_TRUE(csv.ok()) << csv.status().message();
  std::string header, train_text, test_text;
  for (size_t i = 0; i < csv->columns().size(); ++i) {
    if (i > 0) header += ',';
    AppendCsvField(header, csv->columns()[i].header);
  }
  train_text = test_text = header + "\n";
  const int converted = csv->FindColumn("converted");
  std::vector<uint8_t> test_labels;
  std::mt19937_64 rng(2026);
  CsvReader reader(csv->bytes(), csv->body_begin(), csv->bytes().size(), csv->body_line());
  while (reader.Next()) {
    std::string line;
    for (size_t i = 0; i < reader.fields().size(); ++i) {
      if (i > 0) line += ',';
      AppendCsvField(line, reader.fields()[i]);
    }
    line += "\n";
    if (rng() % 10 < 7) {
      train_text += line;
    } else {
      test_text += line;
      test_labels.push_back(reader.fields()[static_cast<size_t>(converted)] == "1" ? 1 : 0);
    }
  }
  train = Write(dir, "train.csv", train_text);
  test = Write(dir, "test.csv", test_text);
  return test_labels;
}

// Learns on 70% of the leads and measures the AUC on the other 30%, as the published studies
// do; Tags and Lead Quality (filled in by sales after contact) are left out, Prospect ID is the
// id and Lead Number is left out by the id-like check (every value a distinct whole number).
double HeldOutAuc(LearnMethod method, double& cv_auc, std::string& report) {
  fs::path dir = TestDir(method == LearnMethod::kLogistic ? "xedu-logistic" : "xedu-gbdt");
  fs::path train, test;
  std::vector<uint8_t> labels = SplitXEducation(dir, train, test);
  LearnOptions o;
  o.data = train;
  o.target = "Converted";
  o.id_column = "Prospect ID";
  o.drop = {"Tags", "Lead Quality"};
  o.missing_tokens = {"Select"};
  o.method = method;
  Result<LearnOutcome> learned = LearnFromCsv(o);
  EXPECT_TRUE(learned.ok()) << learned.status().message();
  if (!learned.ok()) return 0;
  report = learned->report;
  cv_auc = learned->model.summary.auc;
  // Through the model file, as `leadq predict` does.
  EXPECT_TRUE(WriteLearnedModel(learned->model, dir / "model.json").ok());
  Result<LearnedModel> model = ReadLearnedModel(dir / "model.json");
  EXPECT_TRUE(model.ok());
  std::ostringstream out;
  PredictOptions po;
  po.data = test;
  Result<PredictOutcome> predicted = PredictCsv(*model, po, out);
  EXPECT_TRUE(predicted.ok()) << predicted.status().message();
  EXPECT_EQ(predicted->id_key, "prospect_id");
  EXPECT_TRUE(predicted->absent.empty());
  std::vector<std::vector<std::string>> rows = ParseCsv(out.str());
  EXPECT_EQ(rows.size(), labels.size() + 1);
  std::vector<double> probability;
  for (size_t i = 1; i < rows.size(); ++i) probability.push_back(std::stod(rows[i][1]));
  fs::remove_all(dir);
  return RocAuc(probability, labels);
}

TEST(LearnXEducation, LogisticReachesThePublishedAucWithoutSalesColumns) {
  if (!fs::exists(kXEducation)) GTEST_SKIP() << kXEducation << " is not here";
  double cv_auc = 0;
  std::string report;
  double auc = HeldOutAuc(LearnMethod::kLogistic, cv_auc, report);
  // The floor. Measured (Nov 2026, this split, seed 1): held-out AUC 0.9239 on the 30% test
  // rows (2,762 leads), cross-validated AUC 0.9147 on the 70% training rows. Published
  // logistic-regression studies of this data without Tags and Lead Quality report test AUCs of
  // 0.88 to 0.91; the floor is the top of that range, so the test fails when leadq stops being at
  // least as good as they are. The split is fixed, so the margin above it (0.014, about 2.3
  // standard errors of an AUC on 2,762 rows by Hanley and McNeil) is only spent by code changes
  // that make the model worse, not by chance. The cross-validated AUC gets the same floor less
  // 0.01 (it is measured on fewer rows per fit).
  EXPECT_GE(auc, 0.91) << report;
  EXPECT_GE(cv_auc, 0.90) << report;
  EXPECT_NE(report.find("lead_number (id-like: every value a distinct whole number)"),
            std::string::npos)
      << report;
}

TEST(LearnXEducation, BoostedTreesDoAtLeastAsWell) {
  if (!fs::exists(kXEducation)) GTEST_SKIP() << kXEducation << " is not here";
  double cv_auc = 0;
  std::string report;
  double auc = HeldOutAuc(LearnMethod::kGbdt, cv_auc, report);
  // Measured: held-out AUC 0.9407, cross-validated 0.9315. The floor, 0.925, is the measured
  // value less about 2.5 standard errors (0.006 each on these 2,762 test rows): boosted trees
  // must stay clearly better than the published logistic models (0.88 to 0.91).
  EXPECT_GE(auc, 0.925) << report;
  EXPECT_GE(cv_auc, 0.915) << report;
}

// ------------------------------------------------------------------ synthetic files

TEST(ParseTarget, AcceptsTheFourPairsInAnyCase) {
  bool bad = false;
  for (const char* yes : {"1", "Yes", "TRUE", "won", " Won "}) {
    EXPECT_EQ(ParseTarget(yes, bad), 1.0) << yes;
    EXPECT_FALSE(bad);
  }
  for (const char* no : {"0", "no", "False", "LOST"}) {
    EXPECT_EQ(ParseTarget(no, bad), 0.0) << no;
    EXPECT_FALSE(bad);
  }
  EXPECT_EQ(ParseTarget("  ", bad), std::nullopt);
  EXPECT_FALSE(bad);
  EXPECT_EQ(ParseTarget("maybe", bad), std::nullopt);
  EXPECT_TRUE(bad);
  EXPECT_EQ(ParseTarget("y", bad), std::nullopt);  // not one of the documented forms
  EXPECT_TRUE(bad);
}

// 400 leads: lead_no (a numeric id), ref (a text id), visits (numeric, "NA" when unknown),
// channel (categorical with a rare level), signed (a date), note (constant), won (the outcome,
// empty for the last 7 rows).
std::string SyntheticLeads() {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u;
  std::string text = "Lead No,Ref,Visits,Channel,Signed,Note,Won\r\n";
  const char* channels[] = {"web", "event", "partner"};
  for (int i = 0; i < 400; ++i) {
    int visits = static_cast<int>(rng() % 20);
    std::string channel = i == 5 ? "fax" : channels[rng() % 3];
    int day = 1 + static_cast<int>(rng() % 28);
    int month = 1 + static_cast<int>(rng() % 6);
    double z = -2 + 0.2 * visits + (channel == "event" ? 1 : 0);
    std::string won = u(rng) < 1 / (1 + std::exp(-z)) ? "won" : "lost";
    if (i >= 393) won = "";
    char date[16];
    std::snprintf(date, sizeof date, "2026-%02d-%02d", month, day);
    text += std::to_string(100000 + i * 7) + ",R" + std::to_string(i) + "," +
            (i % 10 == 0 ? "NA" : std::to_string(visits)) + "," + channel + "," + date + ",same," +
            won + "\r\n";
  }
  return text;
}

TEST(LearnFromCsv, InfersTypesLeavesOutIdsAndCountsSkippedRows) {
  fs::path dir = TestDir("types");
  LearnOptions o;
  o.data = Write(dir, "leads.csv", SyntheticLeads());
  o.target = "Won";
  o.missing_tokens = {"NA"};
  o.method = LearnMethod::kLogistic;
  o.folds = 3;
  Result<LearnOutcome> r = LearnFromCsv(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const LearnedModel& m = r->model;
  EXPECT_EQ(m.summary.rows, 393u);
  EXPECT_EQ(m.summary.skipped_no_target, 7u);
  ASSERT_EQ(m.columns.size(), 3u) << r->report;
  EXPECT_EQ(m.columns[0].key, "visits");
  EXPECT_EQ(m.columns[0].kind, ColumnKind::kNumeric);
  EXPECT_TRUE(m.columns[0].has_missing);  // "NA"
  EXPECT_EQ(m.columns[1].key, "channel");
  EXPECT_EQ(m.columns[1].kind, ColumnKind::kCategorical);
  EXPECT_EQ(m.columns[1].levels.size(), 3u);
  EXPECT_TRUE(m.columns[1].has_other);  // "fax", seen once
  EXPECT_EQ(m.columns[2].key, "signed");
  EXPECT_EQ(m.columns[2].kind, ColumnKind::kDate);
  EXPECT_TRUE(m.has_reference_time);
  EXPECT_LE(m.reference_time, *ParseTimestamp("2026-06-28"));
  EXPECT_EQ(m.features.size(), m.coef.size());
  std::vector<IgnoredColumn> expected{
      {"lead_no", "id-like: every value a distinct whole number"},
      {"ref", "id-like or free text: 393 distinct values in 393 rows"},
      {"note", "constant"}};
  EXPECT_EQ(m.summary.ignored, expected);
  EXPECT_GT(m.summary.auc, 0.7) << r->report;
  EXPECT_NE(r->report.find("7 skipped without one"), std::string::npos) << r->report;
  fs::remove_all(dir);
}

TEST(LearnFromCsv, BadInputNamesTheFileLineAndValue) {
  fs::path dir = TestDir("bad");
  fs::path file = Write(dir, "leads.csv", "id,visits,won\n1,3,yes\n2,4,no\n3,5,perhaps\n");
  LearnOptions o;
  o.data = file;
  o.target = "won";
  Result<LearnOutcome> r = LearnFromCsv(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            file.string() +
                ":4: won \"perhaps\" is not an outcome (expected 1/0, yes/no, true/false or "
                "won/lost, any case; leave it empty to skip the row)");
  o.target = "outcome";
  r = LearnFromCsv(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), file.string() +
                                      ": no column \"outcome\" (--target); the columns are: id, "
                                      "visits, won");
  o.target = "won";
  o.drop = {"Visits", "colour"};
  r = LearnFromCsv(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column \"colour\" (--drop)"), std::string::npos);
  file = Write(dir, "few.csv", "visits,won\n1,yes\n2,yes\n3,no\n");
  o.data = file;
  o.drop = {};
  r = LearnFromCsv(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs at least --folds (5) of each outcome"),
            std::string::npos)
      << r.status().message();
  fs::remove_all(dir);
}

TEST(PredictCsv, OneRowPerInputInOrderWithTheIdAndAbsentColumnsAsMissing) {
  fs::path dir = TestDir("predict");
  LearnOptions o;
  o.data = Write(dir, "leads.csv", SyntheticLeads());
  o.target = "Won";
  o.id_column = "Ref";
  o.missing_tokens = {"NA"};
  o.folds = 3;
  Result<LearnOutcome> r = LearnFromCsv(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // No Signed column; a visits value that is not a number; a row with fewer cells.
  fs::path input =
      Write(dir, "new.csv", "ref,channel,visits\nA,event,19\nB,web,0\nC,web,many\n\"D, quoted\"\n");
  std::ostringstream out;
  PredictOptions po;
  po.data = input;
  Result<PredictOutcome> p = PredictCsv(r->model, po, out);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rows, 4u);
  EXPECT_EQ(p->id_key, "ref");
  EXPECT_EQ(p->absent, std::vector<std::string>{"signed"});
  std::vector<std::vector<std::string>> rows = ParseCsv(out.str());
  ASSERT_EQ(rows.size(), 5u) << out.str();
  EXPECT_EQ(rows[0], (std::vector<std::string>{"ref", "probability"}));
  EXPECT_EQ(rows[1][0], "A");
  EXPECT_EQ(rows[4][0], "D, quoted");
  for (size_t i = 1; i < rows.size(); ++i) {
    size_t point = rows[i][1].find('.');
    ASSERT_NE(point, std::string::npos);
    EXPECT_EQ(rows[i][1].size() - point - 1, 6u) << rows[i][1];
  }
  // Many visits at an event beats none on the web.
  EXPECT_GT(std::stod(rows[1][1]), std::stod(rows[2][1]));
  // Prediction matches the Predictor on the same cells.
  std::vector<std::string> keys{"ref", "channel", "visits"};
  Predictor predictor = Predictor::Bind(r->model, keys, nullptr);
  std::vector<std::string_view> cells{"B", "web", "0"};
  EXPECT_EQ(rows[2][1], [&] {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", predictor.Predict(cells, r->model.reference_time));
    return std::string(buf);
  }());
  po.id_column = "nope";
  EXPECT_FALSE(PredictCsv(r->model, po, out).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace leadq::analytics
