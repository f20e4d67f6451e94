#include "trade/screen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "core/parallel.h"
#include "core/text.h"
#include "trade/hs.h"

namespace leadq::trade {
namespace {

std::string Percent(double fraction, int decimals = 0) {
  double scaled = fraction * 100;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f%%", decimals, scaled);
  return buf;
}

std::string SignedPercent(double fraction) {
  std::string p = Percent(fraction);
  return fraction >= 0 ? "+" + p : p;
}

std::string Points(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f", fraction * 100);
  return buf;
}

std::string Fixed(double value, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string DateOf(int64_t day) { return FormatDate(day * kMicrosPerDay); }

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  std::string count = n < 0 ? "-" + GroupThousands(static_cast<uint64_t>(-n))
                            : GroupThousands(static_cast<uint64_t>(n));
  return count + " " + std::string(n == 1 ? one : many);
}

std::optional<double> UsdPer(const model::ExportSection& section, std::string_view currency) {
  if (currency == "USD") return 1.0;
  for (const auto& [code, rate] : section.usd_per) {
    if (code == currency) return rate;
  }
  return std::nullopt;
}

// Everything ScreenBuyers computes once and every buyer reads.
struct Context {
  const ShipmentTable& table;
  const model::ExportSection& section;
  const TariffTable& tariffs;
  const Resolution& suppliers;
  int64_t as_of_day = 0;
  int64_t recent_start = 0, history_start = 0, last_start = 0, previous_start = 0;
  std::vector<int16_t> product_of_hs;  // per HS id: index into section.products, -1 for none
  int64_t origin_id = -1;              // of section.origin in table.countries()
  bool any_notify = false;             // does the data carry notify parties at all?
};

// The seller's product an HS code belongs to: the longest matching prefix.
int16_t ProductOf(const model::ExportSection& section, std::string_view hs) {
  int16_t best = -1;
  size_t best_len = 0;
  for (size_t i = 0; i < section.products.size(); ++i) {
    const std::string& prefix = section.products[i].hs;
    if (hs.size() >= prefix.size() && hs.compare(0, prefix.size(), prefix) == 0 &&
        prefix.size() > best_len) {
      best = static_cast<int16_t>(i);
      best_len = prefix.size();
    }
  }
  return best;
}

std::string SupplierName(const Context& ctx, uint32_t spelling) {
  if (spelling == ShipmentTable::kNone) return "an unnamed supplier";
  return ctx.suppliers.entities[ctx.suppliers.entity_of[spelling]].name;
}

std::string ProductCodes(const Context& ctx, const std::vector<uint32_t>& rows) {
  std::map<std::string, int> counts;
  for (uint32_t r : rows) counts[ctx.table.hs_codes().Text(ctx.table.hs[r]).substr(0, 6)]++;
  std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> codes;
  for (size_t i = 0; i < sorted.size() && i < 3; ++i) codes.push_back(FormatHs(sorted[i].first));
  std::string text = JoinStrings(codes);
  if (sorted.size() > 3)
    text += " and " + Plural(static_cast<int64_t>(sorted.size() - 3), "other", "others");
  return text;
}

std::string SellerCodes(const model::ExportSection& section) {
  std::vector<std::string> codes;
  for (const model::ExportProduct& p : section.products) codes.push_back(FormatHs(p.hs));
  return JoinStrings(codes);
}

void JudgeActivity(const Context& ctx, const std::vector<uint32_t>& product_rows,
                   BuyerResult& out) {
  const model::ExportSection& s = ctx.section;
  std::vector<uint32_t> recent;
  for (uint32_t r : product_rows) {
    if (ctx.table.day[r] > ctx.recent_start) recent.push_back(r);
  }
  Signals& sig = out.signals;
  sig.recent_product_shipments = static_cast<int>(recent.size());
  std::string window = "in the last " + Plural(s.recent_months, "month", "months");
  Criterion& c = out.criteria[0];
  if (product_rows.empty()) {
    c.verdict = Verdict::kFailed;
    c.evidence = "no shipment of " + SellerCodes(s) + " ever";
    return;
  }
  uint32_t last = product_rows.back();
  sig.last_product_date = DateOf(ctx.table.day[last]);
  std::string last_text =
      "last on " + sig.last_product_date + " from " + SupplierName(ctx, ctx.table.supplier[last]);
  if (recent.empty()) {
    c.verdict = Verdict::kFailed;
    c.evidence = "no shipment of " + SellerCodes(s) + " " + window + "; " + last_text;
    return;
  }
  std::string text = Plural(static_cast<int64_t>(recent.size()), "shipment", "shipments") + " of " +
                     ProductCodes(ctx, recent) + " " + window;
  if (static_cast<int>(recent.size()) >= s.min_recent_shipments) {
    c.verdict = Verdict::kMet;
    c.evidence = text + ", " + last_text;
  } else {
    c.verdict = Verdict::kFailed;
    c.evidence =
        text + " (fewer than " + std::to_string(s.min_recent_shipments) + "), " + last_text;
  }
}

void JudgeCapability(const Context& ctx, const std::vector<uint32_t>& rows, BuyerResult& out) {
  const model::ExportSection& s = ctx.section;
  const ShipmentTable& t = ctx.table;
  Signals& sig = out.signals;
  std::vector<int64_t> months;
  int in_window = 0, with_notify = 0;
  std::unordered_map<uint32_t, int> notify_counts;
  for (uint32_t r : rows) {
    ++sig.total_shipments;
    if (!std::isnan(t.weight_kg[r])) sig.total_weight_kg += t.weight_kg[r];
    if (ctx.origin_id >= 0 && t.origin[r] == ctx.origin_id) ++sig.origin_shipments;
    if (t.notify[r] != ShipmentTable::kNone) notify_counts[t.notify[r]]++;
    if (t.day[r] <= ctx.history_start) continue;
    ++in_window;
    months.push_back(MonthIndex(t.day[r]));
    if (t.notify[r] != ShipmentTable::kNone) ++with_notify;
  }
  std::sort(months.begin(), months.end());
  sig.active_months = static_cast<int>(std::unique(months.begin(), months.end()) - months.begin());
  sig.notify_share = in_window > 0 ? static_cast<double>(with_notify) / in_window : 0;
  std::vector<std::pair<uint32_t, int>> brokers(notify_counts.begin(), notify_counts.end());
  std::sort(brokers.begin(), brokers.end(), [&](const auto& a, const auto& b) {
    return a.second != b.second
               ? a.second > b.second
               : t.notify_parties().Text(a.first) < t.notify_parties().Text(b.first);
  });
  for (size_t i = 0; i < brokers.size() && i < 3; ++i) {
    out.notify_parties.push_back(t.notify_parties().Text(brokers[i].first));
  }

  std::vector<std::string> good, bad, unknown;
  std::string months_text = "imports in " + std::to_string(sig.active_months) + " of the last " +
                            Plural(s.history_months, "month", "months");
  if (sig.active_months >= s.min_active_months) {
    good.push_back(months_text);
  } else {
    bad.push_back(months_text + " (fewer than " + std::to_string(s.min_active_months) + ")");
  }
  if (s.min_notify_share > 0 || ctx.any_notify) {
    std::string notify_text = Percent(sig.notify_share) + " of them with a notify party";
    if (!out.notify_parties.empty()) notify_text += " (" + out.notify_parties.front() + ")";
    if (!ctx.any_notify) {
      unknown.push_back("the records carry no notify party");
    } else if (sig.notify_share >= s.min_notify_share) {
      good.push_back(notify_text);
    } else {
      bad.push_back(notify_text + " (less than " + Percent(s.min_notify_share) + ")");
    }
  }
  std::string origin_text =
      Plural(sig.origin_shipments, "shipment", "shipments") + " ever from " + s.origin;
  if (sig.origin_shipments == 0) {
    origin_text = "never imported from " + s.origin + " (0 of " +
                  std::to_string(sig.total_shipments) + " shipments)";
  }
  if (sig.origin_shipments >= s.min_origin_shipments) {
    if (sig.origin_shipments > 0) good.push_back(origin_text);
  } else {
    bad.push_back(origin_text);
  }
  Criterion& c = out.criteria[1];
  if (!bad.empty()) {
    c.verdict = Verdict::kFailed;
    c.evidence = JoinStrings(bad, "; ");
    if (!good.empty()) c.evidence += " (" + JoinStrings(good, ", ") + ")";
  } else if (!unknown.empty()) {
    c.verdict = Verdict::kUnknown;
    c.evidence = JoinStrings(unknown, "; ") + " (" + JoinStrings(good, ", ") + ")";
  } else {
    c.verdict = Verdict::kMet;
    c.evidence = JoinStrings(good, ", ");
  }
}

void JudgeMovement(const Context& ctx, const std::vector<uint32_t>& product_rows,
                   BuyerResult& out) {
  const model::ExportSection& s = ctx.section;
  const model::MovementRules& rules = s.movement;
  const ShipmentTable& t = ctx.table;
  Signals& sig = out.signals;
  // Supplier entities: first product shipment, and counts in the last period.
  std::unordered_map<uint32_t, int64_t> first_day;
  std::unordered_map<uint32_t, int> last_counts;
  std::unordered_map<uint32_t, int> origin_last, origin_prev;
  double volume_last = 0, volume_prev = 0;
  bool all_weighed = true;
  int last_with_supplier = 0, origin_last_n = 0, origin_prev_n = 0;
  for (uint32_t r : product_rows) {
    uint32_t supplier = t.supplier[r] == ShipmentTable::kNone
                            ? ShipmentTable::kNone
                            : ctx.suppliers.entity_of[t.supplier[r]];
    if (supplier != ShipmentTable::kNone) first_day.emplace(supplier, t.day[r]);  // rows by day
    bool last = t.day[r] > ctx.last_start;
    bool prev = !last && t.day[r] > ctx.previous_start;
    if (!last && !prev) continue;
    if (std::isnan(t.weight_kg[r])) all_weighed = false;
    (last ? sig.last_period_shipments : sig.previous_period_shipments)++;
    (last ? volume_last : volume_prev) += std::isnan(t.weight_kg[r]) ? 0 : t.weight_kg[r];
    if (last && supplier != ShipmentTable::kNone) {
      last_counts[supplier]++;
      ++last_with_supplier;
    }
    if (t.origin[r] != ShipmentTable::kNoCountry) {
      (last ? origin_last : origin_prev)[t.origin[r]]++;
      (last ? origin_last_n : origin_prev_n)++;
    }
  }
  std::string period = "the last " + Plural(s.period_months, "month", "months");
  std::vector<std::string> holds, figures;
  bool any_known = false;
  if (rules.new_supplier_share && last_with_supplier > 0) {
    int fresh = 0;
    std::vector<std::string> names;
    for (const auto& [supplier, n] : last_counts) {
      if (first_day[supplier] > ctx.last_start) {
        fresh += n;
        names.push_back(ctx.suppliers.entities[supplier].name);
      }
    }
    std::sort(names.begin(), names.end());
    double share = static_cast<double>(fresh) / last_with_supplier;
    sig.new_supplier_share = share;
    any_known = true;
    if (share >= *rules.new_supplier_share && fresh > 0) {
      std::string text = "suppliers first seen in " + period + " carry " + Percent(share) +
                         " of product shipments";
      if (!names.empty()) {
        if (names.size() > 2) names.resize(2), names.push_back("...");
        text += " (" + JoinStrings(names) + ")";
      }
      holds.push_back(text);
    } else {
      figures.push_back("new suppliers " + Percent(share));
    }
  }
  if (rules.volume_growth && sig.previous_period_shipments > 0) {
    double a = all_weighed ? volume_last : sig.last_period_shipments;
    double b = all_weighed ? volume_prev : sig.previous_period_shipments;
    if (b > 0) {
      double growth = a / b - 1;
      sig.volume_growth = growth;
      any_known = true;
      std::string what = all_weighed ? "product volume " : "product shipments ";
      if (growth >= *rules.volume_growth) {
        holds.push_back(what + SignedPercent(growth) + " in " + period + " against the " +
                        Plural(s.period_months, "month", "months") + " before");
      } else {
        figures.push_back("volume " + SignedPercent(growth));
      }
    }
  }
  if (rules.supplier_hhi && last_with_supplier > 0) {
    double hhi = 0;
    int top = 0;
    uint32_t top_supplier = 0;
    for (const auto& [supplier, n] : last_counts) {
      double share = static_cast<double>(n) / last_with_supplier;
      hhi += share * share;
      if (n > top || (n == top && ctx.suppliers.entities[supplier].name <
                                      ctx.suppliers.entities[top_supplier].name)) {
        top = n;
        top_supplier = supplier;
      }
    }
    sig.supplier_hhi = hhi;
    any_known = true;
    if (hhi >= *rules.supplier_hhi) {
      holds.push_back("depends on " + ctx.suppliers.entities[top_supplier].name + " for " +
                      Percent(static_cast<double>(top) / last_with_supplier) +
                      " of product shipments (HHI " + Fixed(hhi, 2) + ")");
    } else {
      figures.push_back("HHI " + Fixed(hhi, 2));
    }
  }
  if (rules.origin_shift && origin_last_n > 0 && origin_prev_n > 0) {
    double worst = 0;
    uint16_t worst_origin = ShipmentTable::kNoCountry;
    for (const auto& [origin, n] : origin_prev) {
      double before = static_cast<double>(n) / origin_prev_n;
      auto it = origin_last.find(origin);
      double after = it == origin_last.end() ? 0 : static_cast<double>(it->second) / origin_last_n;
      double fall = before - after;
      if (fall > worst || (fall == worst && worst_origin != ShipmentTable::kNoCountry &&
                           t.countries().Text(origin) < t.countries().Text(worst_origin))) {
        worst = fall;
        worst_origin = static_cast<uint16_t>(origin);
      }
    }
    sig.origin_shift = worst;
    if (worst_origin != ShipmentTable::kNoCountry) {
      sig.origin_shift_country = t.countries().Text(worst_origin);
    }
    any_known = true;
    if (worst >= *rules.origin_shift && worst > 0) {
      holds.push_back("moving away from " + sig.origin_shift_country + ": its share fell " +
                      Points(worst) + " points in " + period);
    } else {
      figures.push_back("largest origin fall " + Points(worst) + " points");
    }
  }
  Criterion& c = out.criteria[2];
  if (!holds.empty()) {
    c.verdict = Verdict::kMet;
    c.evidence = JoinStrings(holds, "; ");
  } else if (any_known) {
    c.verdict = Verdict::kFailed;
    c.evidence = "no reason to switch: " + JoinStrings(figures, ", ");
  } else {
    c.verdict = Verdict::kUnknown;
    bool no_rules = !rules.new_supplier_share && !rules.volume_growth && !rules.supplier_hhi &&
                    !rules.origin_shift;
    c.evidence = no_rules ? "the model names no movement signal"
                 : sig.last_period_shipments > 0
                     ? "nothing to compare with: no product shipments in the " +
                           Plural(s.period_months, "month", "months") + " before " + period
                     : "no product shipments in " + period + " or the period before to compare";
  }
}

void JudgeEconomics(const Context& ctx, const std::vector<uint32_t>& product_rows,
                    BuyerResult& out) {
  const model::ExportSection& s = ctx.section;
  const ShipmentTable& t = ctx.table;
  Signals& sig = out.signals;
  Criterion& c = out.criteria[3];
  c.verdict = Verdict::kUnknown;
  // The buyer's main product code: the code (as declared) of most of its product shipments.
  std::map<std::string, int> counts;
  double value = 0, weight = 0;
  for (uint32_t r : product_rows) {
    counts[t.hs_codes().Text(t.hs[r])]++;
    if (!std::isnan(t.value_usd[r]) && !std::isnan(t.weight_kg[r]) && t.weight_kg[r] > 0 &&
        t.day[r] > ctx.history_start) {
      value += t.value_usd[r];
      weight += t.weight_kg[r];
    }
  }
  if (counts.empty()) {
    c.evidence = "no product imports to price";
    return;
  }
  auto main = std::max_element(counts.begin(), counts.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::string code = main->first;
  sig.main_hs = code.substr(0, 6);
  int16_t product_index = ProductOf(s, code);
  if (product_index < 0) {
    c.evidence = "no product of the model matches " + FormatHs(code);
    return;
  }
  const model::ExportProduct& product = s.products[static_cast<size_t>(product_index)];
  out.product =
      (product.name.empty() ? FormatHs(product.hs) : product.name) + " (" + FormatHs(code) + ")";
  const model::ExportDestination* dest = nullptr;
  for (const model::ExportDestination& d : s.destinations) {
    if (d.country == out.country) dest = &d;
  }
  if (dest == nullptr) {
    c.evidence = "no customs rule for " + out.country + " in the model ([[export.destination]])";
    return;
  }
  const TariffLine* tariff = nullptr;
  std::string tariff_note;
  if (!dest->duty_free) {
    TariffChoice choice = ChooseTariff(ctx.tariffs, out.country, code);
    if (choice.line == nullptr) {
      c.evidence = "no tariff rate for " + FormatHs(code) + " into " + out.country;
      return;
    }
    tariff = choice.line;
    tariff_note = choice.note;
  }
  LandedInput input;
  input.section = &s;
  input.product = &product;
  input.destination = dest;
  input.tariff = tariff;
  Result<LandedCost> landed = ComputeLandedCost(input);
  if (!landed.ok()) {
    c.evidence = "landed cost not computable: " + landed.status().message();
    return;
  }
  out.landed = *landed;
  std::optional<double> local_per_usd;
  if (std::optional<double> rate = UsdPer(s, dest->currency); rate && *rate > 0) {
    local_per_usd = 1 / *rate;
  }
  if (weight > 0 && local_per_usd) {
    double usd_per_kg = value / weight;
    sig.reference_price = usd_per_kg * product.unit_weight_kg * *local_per_usd;
    sig.reference_from = "its declared value " + Fixed(usd_per_kg, 2) + " USD/kg";
  } else {
    for (const auto& [country, price] : product.market_price) {
      if (country == out.country) {
        sig.reference_price = price;
        sig.reference_from = "the market price";
      }
    }
  }
  std::string landed_text = "landed " + Fixed(landed->landed, 2) + " " + dest->currency;
  if (dest->currency != "USD") landed_text += " (" + Fixed(landed->landed_usd, 2) + " USD)";
  landed_text += " per unit of " + out.product;
  if (!sig.reference_price || *sig.reference_price <= 0) {
    c.evidence = landed_text + "; no reference price: no declared values and no market_price for " +
                 out.country;
    return;
  }
  double margin = (*sig.reference_price - landed->landed) / *sig.reference_price;
  sig.margin = margin;
  std::string text = landed_text + " against " + sig.reference_from + " (" +
                     Fixed(*sig.reference_price, 2) + " " + dest->currency + "): margin " +
                     Percent(margin, 1);
  if (!tariff_note.empty()) text += " (" + tariff_note + ")";
  if (margin >= s.min_margin) {
    c.verdict = Verdict::kMet;
    c.evidence = text;
  } else {
    c.verdict = Verdict::kFailed;
    c.evidence = text + " (needs " + Percent(s.min_margin, 1) + ")";
    if (landed->duty > 0 && landed->duty >= *sig.reference_price * (s.min_margin - margin)) {
      c.evidence += "; duty " + Fixed(landed->duty, 2) + " " + dest->currency + " per unit";
    }
  }
}

void JudgeAccess(const std::vector<const AccessFact*>& facts, BuyerResult& out) {
  Criterion& c = out.criteria[4];
  const AccessFact* yes = nullptr;
  const AccessFact* no = nullptr;
  for (const AccessFact* f : facts) {
    if (f->verdict == Verdict::kMet && yes == nullptr) yes = f;
    if (f->verdict == Verdict::kFailed && no == nullptr) no = f;
  }
  if (yes != nullptr) {
    c.verdict = Verdict::kMet;
    c.evidence = yes->evidence;
  } else if (no != nullptr) {
    c.verdict = Verdict::kFailed;
    c.evidence = no->evidence;
  } else {
    c.verdict = Verdict::kUnknown;
    c.evidence =
        "nothing recorded (leadq trade access, or promote it and add contacts with "
        "decision roles)";
  }
}

}  // namespace

Resolution ResolveSpellings(SpellingsView spellings, std::span<const EntityRule> rules) {
  std::vector<Spelling> input;
  input.reserve(spellings.size());
  for (const CountrySpelling& s : spellings)
    input.push_back(Spelling{s.country, s.name, s.shipments});
  return ResolveEntities(
      input, rules, [&](std::span<const uint32_t> asked) { return spellings.EvidenceOf(asked); });
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kMet:
      return "met";
    case Verdict::kFailed:
      return "failed";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

std::string_view TierName(Tier t) {
  switch (t) {
    case Tier::kQualified:
      return "qualified";
    case Tier::kDeveloping:
      return "developing";
    case Tier::kArtifact:
      return "artifact";
  }
  return "?";
}

std::optional<Tier> ParseTier(std::string_view name) {
  for (Tier t : {Tier::kQualified, Tier::kDeveloping, Tier::kArtifact}) {
    if (IEquals(name, TierName(t))) return t;
  }
  if (IEquals(name, "research artifact")) return Tier::kArtifact;
  return std::nullopt;
}

Tier TierOf(int met) {
  if (met >= 5) return Tier::kQualified;
  if (met >= 3) return Tier::kDeveloping;
  return Tier::kArtifact;
}

bool ShortlistBefore(const BuyerResult& a, const BuyerResult& b) {
  if (a.tier != b.tier) return a.tier < b.tier;
  if (a.met != b.met) return a.met > b.met;
  if (a.failed != b.failed) return a.failed < b.failed;
  if (a.signals.recent_product_shipments != b.signals.recent_product_shipments) {
    return a.signals.recent_product_shipments > b.signals.recent_product_shipments;
  }
  double ma = a.signals.margin.value_or(-1e9), mb = b.signals.margin.value_or(-1e9);
  if (ma != mb) return ma > mb;
  if (a.name != b.name) return a.name < b.name;
  return a.id < b.id;
}

Screening ScreenBuyers(const ShipmentTable& table, const model::ExportSection& section,
                       const TariffTable& tariffs, std::span<const AccessFact> access,
                       std::span<const EntityRule> rules,
                       std::span<const EntityRule> supplier_rules, TimePoint as_of) {
  Screening out;
  out.resolution = ResolveSpellings(table.buyer_spellings(), rules);
  out.suppliers = ResolveSpellings(table.supplier_spellings(), supplier_rules);

  Context ctx{table, section, tariffs, out.suppliers, 0, 0, 0, 0, 0, {}, -1, false};
  ctx.as_of_day = as_of >= 0 ? as_of / kMicrosPerDay : (as_of - kMicrosPerDay + 1) / kMicrosPerDay;
  ctx.recent_start = AddMonths(ctx.as_of_day, -section.recent_months);
  ctx.history_start = AddMonths(ctx.as_of_day, -section.history_months);
  ctx.last_start = AddMonths(ctx.as_of_day, -section.period_months);
  ctx.previous_start = AddMonths(ctx.as_of_day, -2 * section.period_months);
  ctx.product_of_hs.resize(table.hs_codes().size());
  for (size_t i = 0; i < table.hs_codes().size(); ++i) {
    ctx.product_of_hs[i] = ProductOf(section, table.hs_codes().Text(static_cast<uint32_t>(i)));
  }
  ctx.origin_id = table.countries().Find(section.origin);
  ctx.any_notify = table.notify_parties().size() > 0;

  // Which entities are screened: those in the markets.
  const std::vector<Entity>& entities = out.resolution.entities;
  std::vector<char> screened(entities.size(), 1);
  if (!section.markets.empty()) {
    size_t outside = 0;
    for (size_t e = 0; e < entities.size(); ++e) {
      screened[e] = std::find(section.markets.begin(), section.markets.end(),
                              entities[e].country) != section.markets.end();
      outside += screened[e] == 0;
    }
    if (outside > 0) {
      out.notes.push_back(Plural(static_cast<int64_t>(outside), "buyer", "buyers") +
                          " outside the markets (" + JoinStrings(section.markets) + ") left out");
    }
  }

  // Lines by buyer entity, in day order (a counting sort keeps the lines' relative order, so
  // sort the lines by day first), up to as_of.
  std::vector<uint32_t> order(table.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return table.day[a] < table.day[b]; });
  std::vector<uint32_t> start(entities.size() + 1, 0);
  size_t future = 0;
  for (uint32_t r : order) {
    if (table.day[r] > ctx.as_of_day) {
      ++future;
      continue;
    }
    ++start[out.resolution.entity_of[table.buyer[r]] + 1];
  }
  for (size_t e = 0; e < entities.size(); ++e) start[e + 1] += start[e];
  std::vector<uint32_t> rows_by_entity(start.back());
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t r : order) {
      if (table.day[r] > ctx.as_of_day) continue;
      rows_by_entity[fill[out.resolution.entity_of[table.buyer[r]]]++] = r;
    }
  }
  if (future > 0) {
    out.notes.push_back(Plural(static_cast<int64_t>(future), "shipment", "shipments") + " after " +
                        DateOf(ctx.as_of_day) + " not counted");
  }

  // Access facts by entity.
  std::unordered_map<std::string, uint32_t> spelling_index;
  for (size_t i = 0; i < table.buyer_spellings().size(); ++i) {
    const CountrySpelling& s = table.buyer_spellings()[i];
    spelling_index.emplace(s.country + '\x1f' + s.name, static_cast<uint32_t>(i));
  }
  std::vector<std::vector<const AccessFact*>> facts(entities.size());
  for (const AccessFact& f : access) {
    auto it = spelling_index.find(f.country + '\x1f' + DisplaySpelling(f.spelling));
    if (it == spelling_index.end()) {
      out.notes.push_back("access recorded for " + f.spelling + " (" + f.country +
                          "), a name no shipment carries");
      continue;
    }
    facts[out.resolution.entity_of[it->second]].push_back(&f);
  }

  std::vector<uint32_t> chosen;
  for (size_t e = 0; e < entities.size(); ++e) {
    if (screened[e] != 0 && start[e + 1] > start[e]) chosen.push_back(static_cast<uint32_t>(e));
  }
  out.buyers.resize(chosen.size());
  ParallelFor(chosen.size(), [&](size_t begin, size_t end, size_t) {
    for (size_t i = begin; i < end; ++i) {
      uint32_t e = chosen[i];
      const Entity& entity = entities[e];
      BuyerResult& b = out.buyers[i];
      b.id = entity.id;
      b.name = entity.name;
      b.country = entity.country;
      std::vector<uint32_t> spellings = entity.spellings;
      std::stable_sort(spellings.begin(), spellings.end(), [&](uint32_t x, uint32_t y) {
        return table.buyer_spellings()[x].shipments > table.buyer_spellings()[y].shipments;
      });
      for (uint32_t s : spellings) b.spellings.push_back(table.buyer_spellings()[s].name);
      std::vector<uint32_t> rows(rows_by_entity.begin() + start[e],
                                 rows_by_entity.begin() + start[e + 1]);
      std::vector<uint32_t> product_rows;
      for (uint32_t r : rows) {
        if (ctx.product_of_hs[table.hs[r]] >= 0) product_rows.push_back(r);
      }
      JudgeActivity(ctx, product_rows, b);
      JudgeCapability(ctx, rows, b);
      JudgeMovement(ctx, product_rows, b);
      JudgeEconomics(ctx, product_rows, b);
      JudgeAccess(facts[e], b);
      for (size_t k = product_rows.size(); k > 0 && b.transactions.size() < 5; --k) {
        uint32_t r = product_rows[k - 1];
        Transaction tx;
        tx.date = DateOf(table.day[r]);
        tx.hs = FormatHs(table.hs_codes().Text(table.hs[r]));
        tx.supplier = SupplierName(ctx, table.supplier[r]);
        if (table.origin[r] != ShipmentTable::kNoCountry)
          tx.origin = table.countries().Text(table.origin[r]);
        if (!std::isnan(table.weight_kg[r])) tx.weight_kg = table.weight_kg[r];
        b.transactions.push_back(std::move(tx));
      }
      for (const Criterion& c : b.criteria) {
        b.met += c.verdict == Verdict::kMet;
        b.failed += c.verdict == Verdict::kFailed;
        b.unknown += c.verdict == Verdict::kUnknown;
      }
      b.tier = TierOf(b.met);
    }
  });
  std::sort(out.buyers.begin(), out.buyers.end(), ShortlistBefore);
  return out;
}

}  // namespace leadq::trade
