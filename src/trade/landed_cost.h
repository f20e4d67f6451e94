// The landed cost of one unit of the seller's product in a destination country
// (../shared/spec/SHIPMENTS.md "Landed cost"), line by line, in the destination's currency and
// in USD, each line saying how it was computed:
//
//   customs value = FOB (basis FOB) or FOB + freight + insurance (basis CIF)
//   duty          = ad valorem x customs value + specific rate x quantity (kg or units)
//   fees          = each fee's rate x its base, per entry, limited to its minimum and maximum
//   tax           = VAT x (the sum of the destination's vat_base parts)
//   landed        = FOB + freight + insurance + duty + fees + tax
//
// Example:
//   LandedInput in{.section = &exports, .product = &exports.products[0],
//                  .destination = &exports.destinations[0],
//                  .tariff = table.Find("US", exports.products[0].hs)};
//   LEADQ_TRY(LandedCost cost, ComputeLandedCost(in));
//   std::cout << FormatLandedCost(cost);  // FOB 41.04 ... landed 45.30 (USD)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/model.h"
#include "trade/tariff.h"

namespace leadq::trade {

// What the price given includes.
enum class Incoterm {
  kFob,  // free on board: the goods at the port of export; freight and insurance come on top
  kCif,  // cost, insurance and freight: the price already includes both
};

// One landed-cost question. The pointers borrow; they must outlive the call.
struct LandedInput {
  const model::ExportSection* section = nullptr;  // currency, usd_per, insurance, units_per_teu
  const model::ExportProduct* product = nullptr;  // fob_price, unit_weight_kg
  const model::ExportDestination* destination = nullptr;
  const TariffLine* tariff = nullptr;          // may be null only when destination->duty_free
  Incoterm incoterm = Incoterm::kFob;          // kCif: `price` already includes freight + insurance
  std::optional<double> price = std::nullopt;  // overrides product->fob_price (seller currency)
  std::optional<double> freight_per_unit =
      std::nullopt;  // overrides the destination's (seller currency)
  std::optional<double> units_per_entry = std::nullopt;  // overrides the destination's
};

// One line of the breakdown, per unit.
struct CostLine {
  std::string name;  // "FOB", "freight", "insurance", "customs value", "duty", each fee by its
                     // name, "tax", "landed"
  double local = 0;  // in the destination currency
  double usd = 0;
  std::string how;  // "2.5% of customs value 41.04 (tariffs/us-hts-8708.csv:4 8708.30.50)"

  bool operator==(const CostLine&) const = default;
};

// The landed cost of one unit. The fields are per unit in the destination currency; `lines`
// repeat them with USD and the arithmetic, in the order of the formula.
struct LandedCost {
  std::string currency;  // the destination's
  std::vector<CostLine> lines;
  double fob = 0;
  double freight = 0;
  double insurance = 0;
  double customs_value = 0;
  double duty = 0;
  double fees = 0;
  double tax = 0;
  double landed = 0;
  double landed_usd = 0;
};

// Computes the landed cost of one unit:
// - Seller amounts (price, freight) are in section->currency; they are converted to the
//   destination currency through USD with section->usd_per (USD itself is 1).
// - Freight per unit = freight_per_kg x unit_weight_kg + freight_per_teu / units_per_teu.
// - Insurance = insurance rate (the destination's, else the section's) x FOB on basis FOB, or
//   x (FOB + freight) on basis CIF. With Incoterm::kCif the FOB is what remains of the price
//   once freight and that insurance are taken out.
// - A specific duty per kg counts unit_weight_kg kilograms; one in another currency (USD for
//   "¢/kg") is converted with usd_per.
// - A fee is charged per entry of units_per_entry units (0: one unit per entry): rate x base
//   x units, limited to [min, max] when they are set, divided back per unit. A fee with
//   only_mode applies only when destination->mode is that mode (it is listed at 0 otherwise).
//   A fee on base "fees" is charged on the fees listed before it.
// Fails with Invalid naming the problem when a currency it needs has no rate in usd_per
// ("no exchange rate for BRL: add BRL = <USD for one BRL> to [export.usd_per]"), the destination
// has no currency, there is no tariff line for a destination that is not duty-free, per-kg
// freight or duty meets a product without unit_weight_kg, per-TEU freight has no units_per_teu,
// or a CIF price does not cover its freight and insurance; with Internal when section, product
// or destination is null. Pure, thread-safe.
Result<LandedCost> ComputeLandedCost(const LandedInput& in);

// The breakdown as an aligned table, one line per CostLine, amounts with two decimals; the USD
// column is left out when the destination currency is USD:
//   landed cost per unit     BRL     USD
//   FOB                   228.00   41.04  38.00 EUR at 1.08 USD per EUR, 0.18 USD per BRL
//   ...
//   landed                344.16   61.95  FOB + freight + insurance + duty + fees + tax
// Pure, thread-safe.
std::string FormatLandedCost(const LandedCost& cost);

}  // namespace leadq::trade
