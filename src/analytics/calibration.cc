#include "analytics/calibration.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "analytics/report_text.h"
#include "core/text.h"

namespace leadq::analytics {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kDeciles = 10;

std::optional<double> MedianOf(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return Quantile(v, 0.5);
}

Band MakeBand(std::string label, const std::vector<const LabelledLead*>& members) {
  Band b;
  b.label = std::move(label);
  std::vector<double> cycles;
  b.low = members.empty() ? 0 : members.front()->score;
  b.high = b.low;
  for (const LabelledLead* l : members) {
    ++b.leads;
    b.wins += l->won;
    b.low = std::min(b.low, l->score);
    b.high = std::max(b.high, l->score);
    if (l->won && l->cycle_days) cycles.push_back(*l->cycle_days);
  }
  b.win_rate = Ratio(static_cast<double>(b.wins), static_cast<double>(b.leads));
  b.median_cycle_days = MedianOf(cycles);
  return b;
}

// Up to ten bands of nearly equal size over the leads sorted by score; equal scores never
// straddle two bands (a band boundary moves past them).
std::vector<Band> Deciles(std::vector<const LabelledLead*> sorted) {
  std::vector<Band> bands;
  const size_t n = sorted.size();
  const size_t k = std::min(kDeciles, n);
  size_t begin = 0;
  for (size_t i = 1; i <= k && begin < n; ++i) {
    size_t end = i == k ? n : i * n / k;
    if (end <= begin) continue;
    while (end < n && sorted[end]->score == sorted[end - 1]->score) ++end;
    std::vector<const LabelledLead*> members(sorted.begin() + static_cast<ptrdiff_t>(begin),
                                             sorted.begin() + static_cast<ptrdiff_t>(end));
    bands.push_back(MakeBand(std::to_string(bands.size() + 1), members));
    begin = end;
  }
  return bands;
}

}  // namespace

double WinProbability(const LogisticFit& fit, double score) {
  double z = fit.intercept + fit.slope * score;
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  double e = std::exp(z);
  return e / (1.0 + e);
}

LogisticFit FitLogistic(std::span<const double> score, std::span<const uint8_t> label) {
  LogisticFit fit;
  const size_t n = std::min(score.size(), label.size());
  size_t pos = 0;
  double mean = 0;
  for (size_t i = 0; i < n; ++i) {
    pos += label[i] != 0;
    mean += score[i];
  }
  if (pos < 2 || n - pos < 2) return fit;
  mean /= static_cast<double>(n);
  double var = 0;
  for (size_t i = 0; i < n; ++i) var += (score[i] - mean) * (score[i] - mean);
  const double sd = std::sqrt(var / static_cast<double>(n));
  // Fit on the standardised score for a well-conditioned Newton step; a small ridge on the
  // slope keeps perfectly separated data finite.
  constexpr double kRidge = 1e-3;
  double a = std::log(static_cast<double>(pos) / static_cast<double>(n - pos)), b = 0;
  if (sd > 0) {
    for (int iter = 0; iter < 100; ++iter) {
      double ga = 0, gb = -kRidge * b, haa = 0, hab = 0, hbb = kRidge;
      for (size_t i = 0; i < n; ++i) {
        double z = (score[i] - mean) / sd;
        double p = WinProbability({a, b, true}, z);
        double r = (label[i] != 0 ? 1.0 : 0.0) - p;
        double w = p * (1 - p);
        ga += r;
        gb += r * z;
        haa += w;
        hab += w * z;
        hbb += w * z * z;
      }
      double det = haa * hbb - hab * hab;
      if (!(det > 1e-12)) break;
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      a += da;
      b += db;
      if (std::abs(da) + std::abs(db) < 1e-10) break;
    }
  }
  fit.fitted = true;
  fit.slope = sd > 0 ? b / sd : 0;
  fit.intercept = sd > 0 ? a - b * mean / sd : a;
  return fit;
}

CalibrationReport ComputeCalibration(const CalibrationInput& input) {
  CalibrationReport r;
  r.rules_known = input.rules_known;
  const size_t n = input.leads.size();
  r.leads = n;
  if (n == 0) {
    r.verdict = kNoOutcomesMessage;
    return r;
  }
  std::vector<double> score(n);
  std::vector<uint8_t> label(n);
  for (size_t i = 0; i < n; ++i) {
    score[i] = input.leads[i].score;
    label[i] = input.leads[i].won ? 1 : 0;
    r.wins += label[i];
  }
  r.losses = n - r.wins;
  r.base_rate = static_cast<double>(r.wins) / static_cast<double>(n);

  std::vector<const LabelledLead*> sorted;
  for (const LabelledLead& l : input.leads) sorted.push_back(&l);
  std::stable_sort(sorted.begin(), sorted.end(), [](const LabelledLead* a, const LabelledLead* b) {
    return a->score < b->score;
  });
  r.deciles = Deciles(sorted);

  std::map<std::string, std::vector<const LabelledLead*>> by_cell;
  for (const LabelledLead& l : input.leads) by_cell[l.cell.empty() ? "~" : l.cell].push_back(&l);
  for (const auto& [cell, members] : by_cell) {
    r.cells.push_back(MakeBand(cell == "~" ? "(none)" : cell, members));
  }

  double auc = RocAuc(score, label);
  if (!std::isnan(auc)) {
    r.auc = auc;
    r.auc_interval = BootstrapAuc(score, label, input.bootstrap_reps, input.seed);
    r.roc = RocCurve(score, label);
  }
  r.verdict = AucVerdict(auc, r.auc_interval);

  r.fit = FitLogistic(score, label);
  if (r.fit.fitted) {
    std::vector<double> p(n);
    for (size_t i = 0; i < n; ++i) p[i] = WinProbability(r.fit, score[i]);
    r.brier = Brier(p, label);
    r.log_loss = LogLoss(p, label);
    std::vector<double> base(n, *r.base_rate);
    r.brier_base_rate = Brier(base, label);
    r.reliability = Reliability(p, label, 10);
  }

  // Rules: every rule of the model, then any a lead matched that the list does not name.
  std::vector<std::string> names = input.rules;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < names.size(); ++i) index.emplace(names[i], i);
  for (const LabelledLead& l : input.leads) {
    for (const std::string& rule : l.rules) {
      if (index.emplace(rule, names.size()).second) names.push_back(rule);
    }
  }
  if (input.rules_known) {
    std::vector<uint64_t> matched(names.size(), 0), matched_wins(names.size(), 0);
    for (const LabelledLead& l : input.leads) {
      std::vector<bool> seen(names.size(), false);
      for (const std::string& rule : l.rules) {
        size_t i = index.at(rule);
        if (seen[i]) continue;
        seen[i] = true;
        ++matched[i];
        matched_wins[i] += l.won;
      }
    }
    for (size_t i = 0; i < names.size(); ++i) {
      RuleSignal s;
      s.rule = names[i];
      s.matched = matched[i];
      s.matched_wins = matched_wins[i];
      s.other = n - matched[i];
      s.other_wins = r.wins - matched_wins[i];
      s.matched_rate = Ratio(static_cast<double>(s.matched_wins), static_cast<double>(s.matched));
      s.other_rate = Ratio(static_cast<double>(s.other_wins), static_cast<double>(s.other));
      if (s.matched_rate && s.other_rate) s.difference = *s.matched_rate - *s.other_rate;
      s.thin = s.matched < kThinRule || s.other < kThinRule;
      r.rules.push_back(std::move(s));
    }
    std::stable_sort(r.rules.begin(), r.rules.end(), [](const RuleSignal& a, const RuleSignal& b) {
      if (a.thin != b.thin) return !a.thin;
      double da = a.difference ? std::abs(*a.difference) : -1;
      double db = b.difference ? std::abs(*b.difference) : -1;
      return da > db;
    });
  }
  return r;
}

namespace {

std::string Count(uint64_t n) { return GroupThousands(n); }

std::string Range(const Band& b) { return Fixed(b.low, 1) + " - " + Fixed(b.high, 1); }

std::string SignedPoints(const std::optional<double>& d) {
  if (!d) return "-";
  std::string s = Fixed(*d * 100, 1);
  return (*d > 0 && s != "0.0" ? "+" : "") + s + " pts";
}

Json BandsJson(const std::vector<Band>& bands) {
  Json a = Json::array();
  for (const Band& b : bands) {
    a.push_back({{"band", b.label},
                 {"score_low", b.low},
                 {"score_high", b.high},
                 {"leads", b.leads},
                 {"wins", b.wins},
                 {"win_rate", JsonNumber(b.win_rate)},
                 {"median_cycle_days", JsonNumber(b.median_cycle_days)}});
  }
  return a;
}

}  // namespace

std::string RenderCalibrationTable(const CalibrationReport& r) {
  std::string out = "Calibration: the score at mql against the outcome\n";
  for (const std::string& note : r.notes) out += "  note: " + note + "\n";
  if (r.leads == 0) return out + "  " + kNoOutcomesMessage + "\n";
  out += "  " + Count(r.leads) + " leads with a known outcome: " + Count(r.wins) + " won, " +
         Count(r.losses) + " lost (win rate " + Percent(r.base_rate) + ")\n";
  out += "  " + r.verdict + "\n";
  if (r.fit.fitted) {
    out += "  probability of a win = 1 / (1 + exp(-(" + Fixed(r.fit.intercept, 3) + " + " +
           Fixed(r.fit.slope, 4) + " x score))), fitted on these leads (in-sample)\n";
    out += "  Brier score " + Fixed(r.brier, 3) +
           " (always predicting the win rate: " + Fixed(r.brier_base_rate, 3) +
           "; lower is better); log loss " + Fixed(r.log_loss, 3) + "\n";
  } else {
    out += "  no probability fitted: it needs at least two won and two lost leads\n";
  }
  out += "\n";
  TextTable deciles({"score band", "scores", "leads", "won", "win rate", "cycle median (days)"});
  for (const Band& b : r.deciles) {
    deciles.AddRow({b.label, Range(b), Count(b.leads), Count(b.wins), Percent(b.win_rate),
                    Fixed(b.median_cycle_days, 1)});
  }
  out +=
      "By score band (bands of equal size, lowest scores first; cycle: the sales cycle of the "
      "won leads)\n";
  out += deciles.Render("  ") + "\n";
  TextTable cells({"grade cell", "scores", "leads", "won", "win rate", "cycle median (days)"});
  for (const Band& b : r.cells) {
    cells.AddRow({b.label, Range(b), Count(b.leads), Count(b.wins), Percent(b.win_rate),
                  Fixed(b.median_cycle_days, 1)});
  }
  out += "By grade cell at mql\n" + cells.Render("  ") + "\n";
  if (!r.rules_known) {
    out += "Rules: not available (no active model to re-score the leads with)\n";
    return out;
  }
  out +=
      "Which rules carry signal (win rate of leads that matched the rule at mql against those "
      "that did not; * fewer than " +
      std::to_string(kThinRule) + " leads on a side)\n";
  TextTable rules(
      {"rule", "matched", "won", "win rate", "others", "won", "win rate", "difference"});
  for (const RuleSignal& s : r.rules) {
    rules.AddRow({s.rule + (s.thin ? " *" : ""), Count(s.matched), Count(s.matched_wins),
                  Percent(s.matched_rate), Count(s.other), Count(s.other_wins),
                  Percent(s.other_rate), SignedPoints(s.difference)});
  }
  if (rules.empty()) {
    out += "  the model has no rules\n";
  } else {
    out += rules.Render("  ");
  }
  return out;
}

std::string RenderCalibrationCsv(const CalibrationReport& r) {
  std::string out = "section,item,metric,value\n";
  auto row = [&](std::string_view section, std::string_view item, std::string_view metric,
                 const std::string& value) {
    AppendCsvRow(out, {section, item, metric, value});
  };
  row("summary", "", "leads", std::to_string(r.leads));
  row("summary", "", "wins", std::to_string(r.wins));
  row("summary", "", "losses", std::to_string(r.losses));
  row("summary", "", "auc", CsvNumber(r.auc));
  row("summary", "", "auc_low", r.auc ? CsvNumber(r.auc_interval.low) : "");
  row("summary", "", "auc_high", r.auc ? CsvNumber(r.auc_interval.high) : "");
  row("summary", "", "brier", CsvNumber(r.brier));
  row("summary", "", "brier_base_rate", CsvNumber(r.brier_base_rate));
  row("summary", "", "log_loss", CsvNumber(r.log_loss));
  row("summary", "", "intercept", r.fit.fitted ? CsvNumber(r.fit.intercept) : "");
  row("summary", "", "slope", r.fit.fitted ? CsvNumber(r.fit.slope) : "");
  for (const auto* bands : {&r.deciles, &r.cells}) {
    const char* section = bands == &r.deciles ? "decile" : "cell";
    for (const Band& b : *bands) {
      row(section, b.label, "score_low", CsvNumber(b.low));
      row(section, b.label, "score_high", CsvNumber(b.high));
      row(section, b.label, "leads", std::to_string(b.leads));
      row(section, b.label, "wins", std::to_string(b.wins));
      row(section, b.label, "win_rate", CsvNumber(b.win_rate));
      row(section, b.label, "median_cycle_days", CsvNumber(b.median_cycle_days));
    }
  }
  for (const RuleSignal& s : r.rules) {
    row("rule", s.rule, "matched", std::to_string(s.matched));
    row("rule", s.rule, "matched_wins", std::to_string(s.matched_wins));
    row("rule", s.rule, "others", std::to_string(s.other));
    row("rule", s.rule, "others_wins", std::to_string(s.other_wins));
    row("rule", s.rule, "difference", CsvNumber(s.difference));
  }
  return out;
}

std::string RenderCalibrationJson(const CalibrationReport& r) {
  Json j;
  j["leads"] = r.leads;
  j["wins"] = r.wins;
  j["losses"] = r.losses;
  j["verdict"] = r.verdict;
  j["auc"] = JsonNumber(r.auc);
  j["auc_interval"] =
      r.auc ? Json::array({JsonNumber(r.auc_interval.low), JsonNumber(r.auc_interval.high)})
            : Json(nullptr);
  j["probability"] = r.fit.fitted ? Json{{"method", "logistic on the score, in-sample"},
                                         {"intercept", r.fit.intercept},
                                         {"slope", r.fit.slope}}
                                  : Json(nullptr);
  j["brier"] = JsonNumber(r.brier);
  j["brier_base_rate"] = JsonNumber(r.brier_base_rate);
  j["log_loss"] = JsonNumber(r.log_loss);
  Json roc = Json::array();
  for (const RocPoint& p : r.roc) {
    roc.push_back({{"threshold", p.threshold},
                   {"false_positive_rate", p.false_positive_rate},
                   {"true_positive_rate", p.true_positive_rate}});
  }
  j["roc"] = std::move(roc);
  j["deciles"] = BandsJson(r.deciles);
  j["cells"] = BandsJson(r.cells);
  Json rel = Json::array();
  for (const ReliabilityBin& b : r.reliability) {
    rel.push_back({{"low", b.low},
                   {"high", b.high},
                   {"count", b.count},
                   {"mean_predicted", b.mean_predicted},
                   {"observed_rate", b.observed_rate}});
  }
  j["reliability"] = rel;
  Json rules = Json::array();
  for (const RuleSignal& s : r.rules) {
    rules.push_back({{"rule", s.rule},
                     {"matched", s.matched},
                     {"matched_wins", s.matched_wins},
                     {"matched_win_rate", JsonNumber(s.matched_rate)},
                     {"others", s.other},
                     {"others_wins", s.other_wins},
                     {"others_win_rate", JsonNumber(s.other_rate)},
                     {"difference", JsonNumber(s.difference)},
                     {"thin", s.thin}});
  }
  j["rules"] = r.rules_known ? rules : Json(nullptr);
  j["notes"] = r.notes;
  return j.dump(2) + "\n";
}

}  // namespace leadq::analytics
