#include "trade/landed_cost.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "core/text.h"
#include "trade/hs.h"

namespace leadq::trade {
namespace {

// "49,248.00": two decimals, thousands grouped.
std::string Money(double value) {
  std::string s = FormatFixed2(value);
  const size_t digits_begin = (!s.empty() && s[0] == '-') ? 1 : 0;
  size_t point = s.find('.');
  if (point == std::string::npos) point = s.size();
  for (size_t i = point; i > digits_begin + 3; i -= 3) s.insert(i - 3, ",");
  return s;
}

// The shortest text that reads back as `value`: "9", "4.5", "2400".
std::string Quantity(double value) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "?";
  return std::string(buf.data(), end);
}

std::string Amount(double value, std::string_view currency) {
  return Money(value) + " " + std::string(currency);
}

// What a fee or the tax is charged on, in the words of the `how` column (model::ChargeBaseName
// gives the model's keys: "customs_value").
std::string_view BaseLabel(model::ChargeBase base) {
  switch (base) {
    case model::ChargeBase::kFob:
      return "FOB";
    case model::ChargeBase::kCustomsValue:
      return "customs value";
    case model::ChargeBase::kCif:
      return "CIF";
    case model::ChargeBase::kDuty:
      return "duty";
    case model::ChargeBase::kFees:
      return "fees";
    case model::ChargeBase::kFreight:
      return "freight";
  }
  return "?";
}

// USD for one unit of `currency`.
Result<double> UsdPer(const model::ExportSection& section, std::string_view currency) {
  if (IEquals(currency, "USD")) return 1.0;
  for (const auto& [code, usd] : section.usd_per) {
    if (!IEquals(code, currency)) continue;
    if (!(usd > 0)) {
      return Status::Invalid("the exchange rate of " + std::string(currency) +
                             " in [export.usd_per] must be more than 0");
    }
    return usd;
  }
  return Status::Invalid("no exchange rate for " + std::string(currency) + ": add " +
                         std::string(currency) + " = <USD for one " + std::string(currency) +
                         "> to [export.usd_per]");
}

// The per-unit amounts, in the destination currency, that a fee or the tax may be charged on.
struct Bases {
  double fob = 0;
  double freight = 0;
  double customs_value = 0;
  double cif = 0;
  double duty = 0;
  double fees = 0;

  double Of(model::ChargeBase base) const {
    switch (base) {
      case model::ChargeBase::kFob:
        return fob;
      case model::ChargeBase::kCustomsValue:
        return customs_value;
      case model::ChargeBase::kCif:
        return cif;
      case model::ChargeBase::kDuty:
        return duty;
      case model::ChargeBase::kFees:
        return fees;
      case model::ChargeBase::kFreight:
        return freight;
    }
    return 0;
  }
};

// Freight per unit in the seller's currency, with its arithmetic.
Result<double> FreightPerUnit(const LandedInput& in, const std::string& seller, std::string& how) {
  if (in.freight_per_unit) {
    how = "given: " + Amount(*in.freight_per_unit, seller) + " per unit";
    return *in.freight_per_unit;
  }
  const model::ExportDestination& d = *in.destination;
  const double weight = in.product->unit_weight_kg;
  double freight = 0;
  std::vector<std::string> parts;
  if (d.freight_per_kg > 0) {
    if (!(weight > 0)) {
      return Status::Invalid("freight to " + d.country +
                             " is per kg but the product has no unit_weight_kg");
    }
    freight += d.freight_per_kg * weight;
    parts.push_back(Money(d.freight_per_kg) + " " + seller + "/kg x " + Quantity(weight) + " kg");
  }
  if (d.freight_per_teu > 0) {
    const double units = in.section->units_per_teu;
    if (!(units > 0)) {
      return Status::Invalid("freight to " + d.country +
                             " is per TEU but [export] has no units_per_teu");
    }
    freight += d.freight_per_teu / units;
    parts.push_back(Money(d.freight_per_teu) + " " + seller + "/TEU / " + Quantity(units) +
                    " units");
  }
  how = parts.empty() ? "none given" : JoinStrings(parts, " + ") + " = " + Amount(freight, seller);
  return freight;
}

}  // namespace

Result<LandedCost> ComputeLandedCost(const LandedInput& in) {
  if (in.section == nullptr || in.product == nullptr || in.destination == nullptr) {
    return Status::Internal("ComputeLandedCost needs a section, a product and a destination");
  }
  const model::ExportSection& section = *in.section;
  const model::ExportProduct& product = *in.product;
  const model::ExportDestination& dest = *in.destination;
  const std::string product_name = product.name.empty() ? FormatHs(product.hs) : product.name;
  const std::string seller = section.currency.empty() ? "USD" : section.currency;
  if (dest.currency.empty()) {
    return Status::Invalid("destination " + dest.country + " has no currency");
  }
  const std::string& local = dest.currency;
  LEADQ_TRY(const double seller_usd, UsdPer(section, seller));
  LEADQ_TRY(const double local_usd, UsdPer(section, local));
  const double fx = seller_usd / local_usd;  // destination currency for one seller unit
  const bool cif_basis = dest.basis == model::ValuationBasis::kCif;

  // Freight, FOB and insurance, in the seller's currency.
  std::string freight_how;
  LEADQ_TRY(const double freight_s, FreightPerUnit(in, seller, freight_how));
  const double rate = dest.insurance_rate.value_or(section.insurance_rate);
  const double price = in.price.value_or(product.fob_price);
  double fob_s = price;
  std::string fob_how = Amount(price, seller);
  if (in.incoterm == Incoterm::kCif) {
    // price = FOB + freight + insurance, insurance = rate x FOB (basis FOB) or
    // rate x (FOB + freight) (basis CIF): solve for FOB.
    fob_s = cif_basis ? price / (1 + rate) - freight_s : (price - freight_s) / (1 + rate);
    fob_how = cif_basis ? "CIF price " + Money(price) + " / " + Quantity(1 + rate) + " - freight " +
                              Money(freight_s) + " = " + Amount(fob_s, seller)
                        : "(CIF price " + Money(price) + " - freight " + Money(freight_s) + ") / " +
                              Quantity(1 + rate) + " = " + Amount(fob_s, seller);
    if (!(fob_s > 0)) {
      return Status::Invalid("the CIF price " + Amount(price, seller) + " of " + product_name +
                             " does not cover freight " + Amount(freight_s, seller) +
                             " and insurance to " + dest.country);
    }
  }
  if (seller != local) {
    fob_how += " at " + Quantity(seller_usd) + " USD per " + seller;
    if (local != "USD") fob_how += ", " + Quantity(local_usd) + " USD per " + local;
  }
  const double insured_s = cif_basis ? fob_s + freight_s : fob_s;
  const double insurance_s = rate * insured_s;
  const std::string insurance_how = FormatPercent(rate) + " of " +
                                    (cif_basis ? "FOB + freight " : "FOB ") +
                                    Amount(insured_s, seller);

  LandedCost cost;
  cost.currency = local;
  auto add = [&](std::string name, double value, std::string how) {
    cost.lines.push_back(CostLine{std::move(name), value, value * local_usd, std::move(how)});
  };

  Bases bases;
  bases.fob = fob_s * fx;
  bases.freight = freight_s * fx;
  const double insurance = insurance_s * fx;
  bases.cif = bases.fob + bases.freight + insurance;
  bases.customs_value = cif_basis ? bases.cif : bases.fob;
  add("FOB", bases.fob, fob_how);
  add("freight", bases.freight, freight_how);
  add("insurance", insurance, insurance_how);
  add("customs value", bases.customs_value,
      cif_basis ? "FOB + freight + insurance (valuation basis CIF)" : "FOB (valuation basis FOB)");

  // Duty.
  std::string duty_how;
  if (dest.duty_free) {
    duty_how = "duty-free into " + dest.country;
  } else if (in.tariff == nullptr) {
    return Status::Invalid("no tariff line for " + FormatHs(product.hs) + " (" + product_name +
                           ") into " + dest.country +
                           ": add one to a tariff file, or mark the destination duty_free");
  } else {
    const DutyRate& duty_rate = in.tariff->rate;
    std::vector<std::string> parts;
    if (duty_rate.specific > 0) {
      double quantity = 1;
      std::string per = "1 unit";
      if (duty_rate.specific_unit != "unit") {
        quantity = product.unit_weight_kg;
        per = Quantity(quantity) + " kg";
        if (!(quantity > 0)) {
          return Status::Invalid("the duty " + duty_rate.text + " into " + dest.country +
                                 " is per kg but " + product_name + " has no unit_weight_kg");
        }
      }
      const std::string currency =
          duty_rate.specific_currency.empty() ? local : duty_rate.specific_currency;
      LEADQ_TRY(const double currency_usd, UsdPer(section, currency));
      const double amount = duty_rate.specific * quantity;
      const double amount_local = amount * currency_usd / local_usd;
      bases.duty += amount_local;
      DutyRate specific_only = duty_rate;
      specific_only.ad_valorem = 0;
      std::string part =
          FormatDutyRate(specific_only) + " x " + per + " = " + Amount(amount, currency);
      if (currency != local) part += " = " + Amount(amount_local, local);
      parts.push_back(std::move(part));
    }
    if (duty_rate.ad_valorem > 0) {
      bases.duty += duty_rate.ad_valorem * bases.customs_value;
      parts.push_back(FormatPercent(duty_rate.ad_valorem) + " of customs value " +
                      Money(bases.customs_value));
    }
    if (parts.empty()) parts.push_back("Free");
    duty_how = JoinStrings(parts, " + ") + " (" + in.tariff->source + ", " +
               FormatHs(in.tariff->hs_prefix) + ")";
  }
  add("duty", bases.duty, duty_how);

  // Fees, per entry.
  double units = in.units_per_entry.value_or(dest.units_per_entry);
  if (!(units > 0)) units = 1;
  for (const model::ExportFee& fee : dest.fees) {
    if (!fee.only_mode.empty() && !IEquals(fee.only_mode, dest.mode)) {
      add(fee.name, 0, "only on " + fee.only_mode + " shipments; this one goes by " + dest.mode);
      continue;
    }
    const double base = bases.Of(fee.base);
    const double computed = fee.rate * base * units;
    double per_entry = computed;
    std::string how =
        FormatPercent(fee.rate) + " of " + std::string(BaseLabel(fee.base)) + " " + Money(base);
    if (fee.min <= 0 && fee.max <= 0) {  // no limit: the size of the entry does not matter
      bases.fees += fee.rate * base;
      add(fee.name, fee.rate * base, std::move(how));
      continue;
    }
    if (units != 1) how += " x " + Quantity(units) + " units per entry";
    how += " = " + Money(computed);
    if (fee.min > 0 && per_entry < fee.min) {
      per_entry = fee.min;
      how += " -> min " + Money(fee.min);
    }
    if (fee.max > 0 && per_entry > fee.max) {
      per_entry = fee.max;
      how += " -> max " + Money(fee.max);
    }
    if (units != 1) how += ", / " + Quantity(units) + " units";
    const double per_unit = per_entry / units;
    bases.fees += per_unit;
    add(fee.name, per_unit, std::move(how));
  }

  // Tax at import.
  double tax = 0;
  std::string tax_how = "no tax at import";
  if (dest.vat > 0) {
    double base = 0;
    std::vector<std::string> parts;
    for (model::ChargeBase part : dest.vat_base) {
      base += bases.Of(part);
      parts.push_back(std::string(BaseLabel(part)) + " " + Money(bases.Of(part)));
    }
    tax = dest.vat * base;
    tax_how = FormatPercent(dest.vat) + " of " + JoinStrings(parts, " + ");
    if (parts.size() > 1) tax_how += " = " + Money(base);
  }
  add("tax", tax, tax_how);

  cost.fob = bases.fob;
  cost.freight = bases.freight;
  cost.insurance = insurance;
  cost.customs_value = bases.customs_value;
  cost.duty = bases.duty;
  cost.fees = bases.fees;
  cost.tax = tax;
  cost.landed = cost.fob + cost.freight + cost.insurance + cost.duty + cost.fees + cost.tax;
  cost.landed_usd = cost.landed * local_usd;
  add("landed", cost.landed, "FOB + freight + insurance + duty + fees + tax");
  return cost;
}

std::string FormatLandedCost(const LandedCost& cost) {
  constexpr std::string_view kTitle = "landed cost per unit";
  const bool show_usd = cost.currency != "USD";  // else the two columns would repeat
  size_t name_width = kTitle.size();
  size_t number_width = std::max<size_t>(cost.currency.size(), 3);
  for (const CostLine& line : cost.lines) {
    name_width = std::max(name_width, line.name.size());
    number_width = std::max({number_width, Money(line.local).size(), Money(line.usd).size()});
  }
  auto row = [&](std::string_view name, std::string_view local, std::string_view usd,
                 std::string_view how) {
    std::string out(name);
    out.append(name_width - name.size() + 2, ' ');
    out.append(number_width - local.size(), ' ');
    out += local;
    if (show_usd) {
      out.append(number_width - usd.size() + 2, ' ');
      out += usd;
    }
    if (!how.empty()) {
      out += "  ";
      out += how;
    }
    out += '\n';
    return out;
  };
  std::string out = row(kTitle, cost.currency, "USD", "");
  for (const CostLine& line : cost.lines) {
    out += row(line.name, Money(line.local), Money(line.usd), line.how);
  }
  return out;
}

}  // namespace leadq::trade
