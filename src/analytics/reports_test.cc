// The report computations: funnel, calibration, thresholds and the HTML page.
#include <gtest/gtest.h>

#include <cmath>

#include "analytics/calibration.h"
#include "analytics/funnel.h"
#include "analytics/html_report.h"
#include "analytics/report_text.h"
#include "analytics/svg.h"
#include "analytics/thresholds.h"

namespace leadq::analytics {
namespace {

constexpr TimePoint kDay = kMicrosPerDay;

StageMove M(std::string from, std::string to, TimePoint at, std::string reason = "") {
  return {std::move(from), std::move(to), at, std::move(reason)};
}

LabelledLead Known(double score, bool won) {
  LabelledLead l;
  l.lead_id = "L";
  l.score = score;
  l.won = won;
  return l;
}

FunnelLead Lead(std::string group, std::vector<StageMove> moves) {
  return {std::move(group), std::move(moves)};
}

TEST(Funnel, ReachConversionAndTimes) {
  FunnelInput in;
  in.by = "channel";
  in.as_of = 100 * kDay;
  // Won through every stage: 2 days new, 3 mql, 1 accepted, 4 sql, 10 opportunity.
  in.leads.push_back(
      Lead("inbound", {M("", "new", 0), M("new", "mql", 2 * kDay), M("mql", "accepted", 5 * kDay),
                       M("accepted", "sql", 6 * kDay), M("sql", "opportunity", 10 * kDay),
                       M("opportunity", "won", 20 * kDay)}));
  // Accepted straight from new, then lost with a reason.
  in.leads.push_back(
      Lead("inbound", {M("", "new", 0), M("new", "accepted", 4 * kDay),
                       M("accepted", "sql", 5 * kDay), M("sql", "lost", 9 * kDay, "no_budget")}));
  // Disqualified, and one still new.
  in.leads.push_back(Lead("", {M("", "new", 0), M("new", "disqualified", kDay, "out_of_icp")}));
  in.leads.push_back(Lead("outbound", {M("", "new", 0)}));
  FunnelReport r = ComputeFunnel(in);
  ASSERT_EQ(r.groups.size(), 4u);  // all, (none), inbound, outbound
  const FunnelGroup& all = r.groups[0];
  EXPECT_EQ(all.name, "all");
  EXPECT_EQ(all.leads, 4u);
  std::vector<uint64_t> reached;
  for (const StageReach& s : all.stages) reached.push_back(s.reached);
  EXPECT_EQ(reached, (std::vector<uint64_t>{4, 2, 2, 2, 1, 1}));
  EXPECT_FALSE(all.stages[0].conversion);
  EXPECT_DOUBLE_EQ(*all.stages[1].conversion, 0.5);
  EXPECT_DOUBLE_EQ(*all.stages[4].conversion, 0.5);
  // new: visits 2, 4, 1 days (median 2), one still open.
  ASSERT_EQ(all.times[0].stage, "new");
  EXPECT_EQ(all.times[0].visits, 3u);
  EXPECT_EQ(all.times[0].open, 1u);
  EXPECT_DOUBLE_EQ(*all.times[0].median_days, 2.0);
  ASSERT_EQ(all.disqualified.size(), 1u);
  EXPECT_EQ(all.disqualified[0].reason, "out_of_icp");
  ASSERT_EQ(all.lost.size(), 1u);
  EXPECT_EQ(all.lost[0].reason, "no_budget");
  EXPECT_EQ(r.groups[1].name, "(none)");
  EXPECT_EQ(r.groups[2].name, "inbound");
  EXPECT_EQ(r.groups[2].stages.back().reached, 1u);

  std::string table = RenderFunnelTable(r);
  EXPECT_NE(table.find("channel inbound"), std::string::npos) << table;
  EXPECT_EQ(table.find("nan"), std::string::npos) << table;
  std::string csv = RenderFunnelCsv(r);
  EXPECT_NE(csv.find("stages,all,mql,reached,2\n"), std::string::npos) << csv;
  std::string json = RenderFunnelJson(r);
  EXPECT_NE(json.find("\"conversion\": null"), std::string::npos);
}

TEST(Funnel, RecycledClocksAndBackwardsVisits) {
  FunnelInput in;
  in.as_of = 50 * kDay;
  in.leads.push_back(Lead(
      "", {M("", "new", 0), M("new", "mql", kDay), M("mql", "recycled", 2 * kDay, "unresponsive"),
           M("recycled", "nurture", 10 * kDay), M("nurture", "mql", 12 * kDay),
           M("mql", "accepted", 13 * kDay), M("accepted", "sql", 14 * kDay),
           M("sql", "opportunity", 15 * kDay), M("opportunity", "won", 16 * kDay)}));
  in.leads.push_back(Lead("", {M("", "new", 10 * kDay), M("new", "mql", 5 * kDay)}));
  in.clocks = {{"", 0, 60 * kMicrosPerSecond * 10, 60 * kMicrosPerSecond * 5},
               {"", 0, 60 * kMicrosPerSecond * 10, 60 * kMicrosPerSecond * 20},
               {"", 0, 10 * kDay, std::nullopt},
               {"", 0, 60 * kDay, std::nullopt}};
  FunnelReport r = ComputeFunnel(in);
  const FunnelGroup& all = r.groups[0];
  EXPECT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(all.recycled.recycled, 1u);
  EXPECT_EQ(all.recycled.came_back, 1u);
  EXPECT_EQ(all.recycled.won, 1u);
  EXPECT_EQ(r.backwards_visits, 1u);
  EXPECT_EQ(all.clocks.met, 1u);
  EXPECT_EQ(all.clocks.late, 1u);
  EXPECT_EQ(all.clocks.overdue, 1u);
  EXPECT_EQ(all.clocks.running, 1u);
  EXPECT_NEAR(*all.clocks.adherence, 1.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(*all.clocks.median_minutes_to_touch, 12.5);
}

TEST(Funnel, DealsWinRateCycleAndReasons) {
  FunnelInput in;
  in.by = "owner";
  in.deals = {{"ana", DealState::kWon, 0, 10 * kDay, 100.0, ""},
              {"ana", DealState::kLost, 0, 20 * kDay, std::nullopt, "competitor"},
              {"bo", DealState::kWon, 0, 30 * kDay, 50.0, ""},
              {"bo", DealState::kOpen, 0, std::nullopt, std::nullopt, ""}};
  FunnelReport r = ComputeFunnel(in);
  const DealSummary& d = r.groups[0].deals;
  EXPECT_EQ(d.deals, 4u);
  EXPECT_EQ(d.won, 2u);
  EXPECT_EQ(d.lost, 1u);
  EXPECT_EQ(d.open, 1u);
  EXPECT_NEAR(*d.win_rate, 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(d.value_won, 150);
  EXPECT_DOUBLE_EQ(*d.median_cycle_days, 20);
  EXPECT_DOUBLE_EQ(*d.p90_cycle_days, 28);
  ASSERT_EQ(d.lost_reasons.size(), 1u);
  EXPECT_EQ(r.groups[1].name, "ana");
  EXPECT_DOUBLE_EQ(*r.groups[1].deals.win_rate, 0.5);
  std::string table = RenderFunnelTable(r);
  EXPECT_NE(table.find("no leads in this period"), std::string::npos) << table;
}

TEST(Funnel, EmptySaysSo) {
  FunnelReport r = ComputeFunnel({});
  std::string table = RenderFunnelTable(r);
  EXPECT_NE(table.find("no leads and no deals"), std::string::npos);
  EXPECT_EQ(RenderFunnelJson(r).find("nan"), std::string::npos);
}

CalibrationInput Labelled(size_t n) {
  // Win when the score is high, with some overlap: won iff (i % 10) < i * 10 / n.
  CalibrationInput in;
  in.rules = {"fit: Big", "fit: Never"};
  in.rules_known = true;
  in.bootstrap_reps = 200;
  for (size_t i = 0; i < n; ++i) {
    LabelledLead l;
    l.lead_id = "L" + std::to_string(i);
    l.score = static_cast<double>(i);
    l.won = (i % 10) < i * 10 / n;
    l.cell = i < n / 2 ? "B2" : "A1";
    l.cycle_days = 30;
    if (i >= n / 2) l.rules.push_back("fit: Big");
    in.leads.push_back(std::move(l));
  }
  return in;
}

TEST(Calibration, BandsAucFitAndRules) {
  CalibrationReport r = ComputeCalibration(Labelled(200));
  EXPECT_EQ(r.leads, 200u);
  ASSERT_EQ(r.deciles.size(), 10u);
  EXPECT_EQ(r.deciles[0].leads, 20u);
  EXPECT_LT(*r.deciles[0].win_rate, *r.deciles[9].win_rate);
  ASSERT_TRUE(r.auc);
  EXPECT_GT(*r.auc, 0.8);
  EXPECT_LT(r.auc_interval.low, *r.auc);
  EXPECT_NE(r.verdict.find("better than chance"), std::string::npos) << r.verdict;
  ASSERT_TRUE(r.fit.fitted);
  EXPECT_GT(r.fit.slope, 0);
  EXPECT_LT(*r.brier, *r.brier_base_rate);
  ASSERT_EQ(r.cells.size(), 2u);
  EXPECT_EQ(r.cells[0].label, "A1");
  ASSERT_EQ(r.rules.size(), 2u);
  EXPECT_EQ(r.rules[0].rule, "fit: Big");
  EXPECT_EQ(r.rules[0].matched, 100u);
  EXPECT_GT(*r.rules[0].difference, 0.3);
  EXPECT_EQ(r.rules[1].rule, "fit: Never");
  EXPECT_EQ(r.rules[1].matched, 0u);
  EXPECT_TRUE(r.rules[1].thin);
  for (const std::string& text :
       {RenderCalibrationTable(r), RenderCalibrationCsv(r), RenderCalibrationJson(r)}) {
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
  }
}

TEST(Calibration, TiesStayInOneBand) {
  CalibrationInput in;
  for (int i = 0; i < 30; ++i) in.leads.push_back(Known(i < 25 ? 50.0 : 60.0, i % 2 == 0));
  CalibrationReport r = ComputeCalibration(in);
  ASSERT_EQ(r.deciles.size(), 2u);
  EXPECT_EQ(r.deciles[0].leads, 25u);
  EXPECT_FALSE(r.rules_known);
}

TEST(Calibration, EmptyAndOneClassAreHonest) {
  CalibrationReport empty = ComputeCalibration({});
  EXPECT_NE(RenderCalibrationTable(empty).find("no lead has a known outcome"), std::string::npos);
  CalibrationInput one;
  for (int i = 0; i < 5; ++i) one.leads.push_back(Known(i, true));
  CalibrationReport r = ComputeCalibration(one);
  EXPECT_FALSE(r.auc);
  EXPECT_FALSE(r.fit.fitted);
  EXPECT_NE(r.verdict.find("too few outcomes"), std::string::npos);
  std::string text = RenderCalibrationTable(r) + RenderCalibrationJson(r);
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
}

TEST(Calibration, LogisticRecoversAKnownCurve) {
  // Grouped data from p = 1/(1+exp(-(-4 + 0.08 x))): with counts proportional to p the maximum
  // likelihood estimate is the generating curve.
  std::vector<double> x;
  std::vector<uint8_t> y;
  for (int s = 0; s <= 100; s += 10) {
    double p = 1 / (1 + std::exp(-(-4 + 0.08 * s)));
    int wins = static_cast<int>(std::lround(p * 1000));
    for (int i = 0; i < 1000; ++i) {
      x.push_back(s);
      y.push_back(i < wins ? 1 : 0);
    }
  }
  LogisticFit f = FitLogistic(x, y);
  ASSERT_TRUE(f.fitted);
  EXPECT_NEAR(f.intercept, -4, 0.02);
  EXPECT_NEAR(f.slope, 0.08, 0.0005);
}

TEST(Thresholds, LowestLineThatFitsCapacity) {
  ThresholdInput in;
  for (int s = 0; s < 100; ++s) in.scores.push_back(s);  // 100 leads over 10 weeks
  in.weeks = 10;
  in.capacity = 3;  // 30 leads over the window: scores 70..99
  in.fit = {-6, 0.08, true};
  in.labelled_low = 60;
  in.labelled_high = 100;
  in.window = "test";
  ThresholdReport r = ComputeThresholds(in);
  ASSERT_TRUE(r.chosen);
  EXPECT_DOUBLE_EQ(*r.chosen, 70);
  bool found = false;
  for (const ThresholdLine& l : r.lines) {
    if (!l.chosen) continue;
    found = true;
    EXPECT_DOUBLE_EQ(l.leads_per_week, 3);
    EXPECT_DOUBLE_EQ(l.load, 1);
    double wins = 0;
    for (int s = 70; s < 100; ++s) wins += WinProbability(in.fit, s);
    EXPECT_NEAR(*l.wins_per_week, wins / 10, 1e-9);
  }
  EXPECT_TRUE(found);
  EXPECT_GT(r.lines.front().line, r.lines.back().line);  // highest first
  EXPECT_TRUE(r.notes.empty());
  EXPECT_TRUE(r.lines.back().extrapolated);  // 50, below the fitted scores
  in.capacity = 8;                           // 80 leads: the line at 20, below the fitted scores
  ThresholdReport low = ComputeThresholds(in);
  EXPECT_DOUBLE_EQ(*low.chosen, 20);
  ASSERT_EQ(low.notes.size(), 1u);
  EXPECT_NE(low.notes[0].find("extrapolate"), std::string::npos);
}

TEST(Thresholds, NoFitAndNoArrivals) {
  ThresholdInput in;
  in.capacity = 5;
  ThresholdReport none = ComputeThresholds(in);
  EXPECT_FALSE(none.chosen);
  EXPECT_FALSE(none.notes.empty());
  in.scores = {10, 20};
  ThresholdReport all_fit = ComputeThresholds(in);
  ASSERT_TRUE(all_fit.chosen);
  EXPECT_DOUBLE_EQ(*all_fit.chosen, 10);
  std::string text = RenderThresholdsTable(all_fit) + RenderThresholdsJson(all_fit);
  EXPECT_NE(text.find("every arriving lead fits"), std::string::npos) << text;
  EXPECT_NE(text.find("no lead has a known outcome"), std::string::npos) << text;
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
}

TEST(Html, SelfContainedAndEscaped) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  HtmlReportInput in;
  in.title = "ws <test>";
  in.funnel = ComputeFunnel({});
  in.calibration = ComputeCalibration(Labelled(100));
  in.scores = {1, 15, 99};
  in.thresholds_note = "give --capacity";
  std::string html = RenderHtmlReport(in);
  EXPECT_NE(html.find("ws &lt;test&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("ROC curve"), std::string::npos);
  EXPECT_NE(html.find("Reliability"), std::string::npos);
  EXPECT_NE(html.find("give --capacity"), std::string::npos);
}

TEST(ReportText, NumbersNeverNan) {
  EXPECT_EQ(Fixed(std::nan(""), 2), "-");
  EXPECT_EQ(Fixed(-0.001, 1), "0.0");
  EXPECT_EQ(Percent(0.4567), "45.7%");
  EXPECT_EQ(Percent(std::nullopt), "-");
  EXPECT_EQ(CsvNumber(std::nan("")), "");
  EXPECT_TRUE(JsonNumber(std::nan("")).is_null());
  TextTable t({"a", "bb"});
  t.AddRow({"xyz", "1"});
  EXPECT_EQ(t.Render(""), "a    bb\nxyz   1\n");
}

}  // namespace
}  // namespace leadq::analytics
