#include "analytics/predictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/time.h"

namespace leadq::analytics {
namespace {

// visits (numeric, mean 2, scale 2, clipped to [0, 10], missing indicator), channel
// (categorical: web, event, other, missing), created (date: age mean 10 scale 5, months 01 03).
LearnedModel SmallModel() {
  LearnedModel m;
  m.target = "won";
  m.id_column = "lead_id";
  m.missing_tokens = {"Select"};
  m.reference_time = *ParseTimestamp("2026-03-31");
  m.has_reference_time = true;
  ModelColumn visits;
  visits.key = "visits";
  visits.header = "Visits";
  visits.kind = ColumnKind::kNumeric;
  visits.clip_high = 10;
  visits.mean = 2;
  visits.scale = 2;
  visits.has_missing = true;
  visits.first_feature = 0;
  visits.feature_count = 2;
  ModelColumn channel;
  channel.key = "channel";
  channel.header = "Channel";
  channel.kind = ColumnKind::kCategorical;
  channel.levels = {"web", "event"};
  channel.has_other = true;
  channel.has_missing = true;
  channel.first_feature = 2;
  channel.feature_count = 4;
  ModelColumn created;
  created.key = "created";
  created.header = "Created";
  created.kind = ColumnKind::kDate;
  created.clip_high = 100;
  created.mean = 10;
  created.scale = 5;
  created.levels = {"01", "03"};
  created.first_feature = 6;
  created.feature_count = 3;
  m.columns = {visits, channel, created};
  m.features = {"visits",          "visits (missing)",  "channel=web",        "channel=event",
                "channel (other)", "channel (missing)", "created (age days)", "created month=01",
                "created month=03"};
  m.coef = {1, -1, 0.5, 0.25, -0.5, -2, 0.1, 0.3, -0.3};
  m.intercept = -0.2;
  m.summary.rows = 10;
  m.summary.top_features = {{"visits", 1, "odds x2.72 per SD"}};
  return m;
}

std::vector<double> Encode(const LearnedModel& m, std::vector<std::string_view> row,
                           TimePoint as_of) {
  std::vector<int> index{0, 1, 2};
  std::vector<double> out(m.features.size());
  EncodeRow(m, row, index, as_of, out);
  return out;
}

TEST(EncodeRow, NumericCategoricalAndDate) {
  LearnedModel m = SmallModel();
  TimePoint as_of = *ParseTimestamp("2026-03-31");
  EXPECT_EQ(Encode(m, {"6", "event", "2026-03-21"}, as_of),
            (std::vector<double>{2, 0, 0, 1, 0, 0, 0, 0, 1}));
  // Clipped at 10; 40 days old is (40 - 10) / 5; an unseen level is "other"; an unseen month sets
  // no month.
  EXPECT_EQ(Encode(m, {"50", "fair", "2026-02-19"}, as_of),
            (std::vector<double>{4, 0, 0, 0, 1, 0, 6, 0, 0}));
}

TEST(EncodeRow, MissingCellsTokensAndNonNumbers) {
  LearnedModel m = SmallModel();
  TimePoint as_of = *ParseTimestamp("2026-03-31");
  // Empty, a token (any case), a word in a numeric column, a non-date in a date column.
  EXPECT_EQ(Encode(m, {"", "select", "soon"}, as_of),
            (std::vector<double>{0, 1, 0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(Encode(m, {"many", "  ", ""}, as_of), (std::vector<double>{0, 1, 0, 0, 0, 1, 0, 0, 0}));
}

TEST(MonthOf, AgreesWithTheCalendar) {
  EXPECT_EQ(MonthOf(*ParseTimestamp("2026-03-01")), "03");
  EXPECT_EQ(MonthOf(*ParseTimestamp("2026-02-28T23:59:59Z")), "02");
  EXPECT_EQ(MonthOf(*ParseTimestamp("2024-12-31")), "12");
  EXPECT_EQ(MonthOf(*ParseTimestamp("1969-12-31T12:00:00Z")), "12");
  EXPECT_EQ(MonthOf(*ParseTimestamp("2000-01-01")), "01");
}

TEST(LearnedModelJson, RoundTripsExactly) {
  LearnedModel m = SmallModel();
  Result<LearnedModel> back = ParseLearnedModel(LearnedModelToJson(m), "m.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, m);

  m.method = LearnedMethod::kGbdt;
  m.coef.clear();
  m.intercept = 0;  // a gbdt model has a base margin instead
  m.base_margin = 0.1;
  m.trees = {Tree{{1, -1, -1}, {2, -1, -1}, {0, 0, 0}, {0.5f, 0, 0}, {0, -0.25f, 0.75f}}};
  back = ParseLearnedModel(LearnedModelToJson(m), "m.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, m);
}

TEST(LearnedModelJson, ErrorsNameTheFileAndTheProblem) {
  Result<LearnedModel> r = ParseLearnedModel("{", "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("m.json: not JSON"), std::string::npos);
  r = ParseLearnedModel(R"({"format": "something"})", "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a leadq learned model"), std::string::npos);
  LearnedModel m = SmallModel();
  m.coef.pop_back();
  r = ParseLearnedModel(LearnedModelToJson(m), "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("8 coefficients for 9 features"), std::string::npos);
  m = SmallModel();
  m.method = LearnedMethod::kGbdt;
  m.trees = {Tree{{0, -1, -1}, {2, -1, -1}, {0, 0, 0}, {0.5f, 0, 0}, {0, 0, 0}}};
  r = ParseLearnedModel(LearnedModelToJson(m), "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tree 1 is malformed"), std::string::npos);
  r = ReadLearnedModel("no/such/model.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no/such/model.json"), std::string::npos);
}

TEST(Predictor, BindsByKeyAndReportsAbsentColumns) {
  LearnedModel m = SmallModel();
  std::vector<std::string> keys{"lead_id", "channel", "visits"};
  std::vector<std::string> absent;
  Predictor p = Predictor::Bind(m, keys, &absent);
  EXPECT_EQ(absent, std::vector<std::string>{"created"});
  EXPECT_EQ(p.SourceColumns(), (std::vector<std::string>{"visits", "channel", "created"}));
  std::vector<std::string_view> row{"L1", "web", "6"};
  // margin = -0.2 + 1*2 + 0.5 (web) + 0 (created missing, no indicator)
  double z = -0.2 + 2 + 0.5;
  EXPECT_NEAR(p.Predict(row, p.ReferenceTime()), 1 / (1 + std::exp(-z)), 1e-12);
}

// A logistic prediction sums coefficient x feature as it reads the cells; it must be the very
// double the encoded vector's dot product gives, for every kind of cell.
TEST(Predictor, LogisticWithoutTheVectorIsBitForBitTheEncodedOne) {
  LearnedModel m = SmallModel();
  m.coef = {0.731, -1.13, 0.517, 0.259, -0.503, -2.07, 0.113, 0.307, -0.311};
  std::vector<int> index{0, 1, 2};
  const std::vector<std::string> visits{"3", "-1.25", "12", "", "Select", "many", " 4.5 ", "1e1"};
  const std::vector<std::string> channels{"web", "event", "fair", "", "SELECT", " web"};
  const std::vector<std::string> dates{"2026-01-15", "2026-03-02", "2026-02-10", "", "soon"};
  int rows = 0;
  for (const std::string& v : visits) {
    for (const std::string& c : channels) {
      for (const std::string& d : dates) {
        std::vector<std::string_view> row{v, c, d};
        std::vector<double> x(m.features.size());
        EncodeRow(m, row, index, m.reference_time, x);
        double expected = Probability(m, x);
        double got = RowProbability(m, row, index, m.reference_time);
        ASSERT_EQ(std::memcmp(&got, &expected, sizeof got), 0) << v << "|" << c << "|" << d;
        ++rows;
      }
    }
  }
  EXPECT_EQ(rows, 240);
}

TEST(Predictor, EvaluatesTrees) {
  LearnedModel m = SmallModel();
  m.method = LearnedMethod::kGbdt;
  m.base_margin = 0.1;
  // Split on visits (encoded) < 0.5: left leaf -0.25, right leaf 0.75.
  m.trees = {Tree{{1, -1, -1}, {2, -1, -1}, {0, 0, 0}, {0.5f, 0, 0}, {0, -0.25f, 0.75f}}};
  std::vector<std::string> keys{"visits", "channel", "created"};
  Predictor p = Predictor::Bind(m, keys, nullptr);
  std::vector<std::string_view> low{"2", "", ""}, high{"4", "", ""};
  EXPECT_NEAR(p.Predict(low, 0), 1 / (1 + std::exp(-(0.1 - 0.25))), 1e-6);
  EXPECT_NEAR(p.Predict(high, 0), 1 / (1 + std::exp(-(0.1 + 0.75))), 1e-6);
}

}  // namespace
}  // namespace leadq::analytics
