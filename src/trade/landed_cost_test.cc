#include "trade/landed_cost.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadq::trade {
namespace {

constexpr double kCent = 1e-9;  // the figures below are exact to far better than this

LandedInput Input(const model::ExportSection* section, const model::ExportProduct* product,
                  const model::ExportDestination* destination, const TariffLine* tariff = nullptr) {
  return {.section = section, .product = product, .destination = destination, .tariff = tariff};
}

const CostLine* LineNamed(const LandedCost& cost, std::string_view name) {
  for (const CostLine& line : cost.lines) {
    if (line.name == name) return &line;
  }
  return nullptr;
}

// A German maker of brake discs (HS 8708.30) pricing in euros, as in
// examples/models/export-auto-parts.toml: 38.00 EUR FOB, 9 kg a disc, 1 EUR = 1.08 USD.
model::ExportSection GermanSeller() {
  model::ExportSection s;
  s.origin = "DE";
  s.currency = "EUR";
  s.insurance_rate = 0.003;
  s.usd_per = {{"EUR", 1.08}, {"BRL", 0.18}};
  model::ExportProduct disc;
  disc.hs = "870830";
  disc.name = "brake discs";
  disc.fob_price = 38.0;
  disc.unit_weight_kg = 9.0;
  s.products.push_back(disc);
  return s;
}

// The US rule: transaction value (FOB), no import VAT, the merchandise processing fee
// (0.3464% of the customs value, 33.58 to 651.50 USD per entry) and the harbor maintenance fee
// (0.125%, ocean only). Freight 0.30 EUR/kg.
model::ExportDestination UnitedStates(std::string mode = "ocean") {
  model::ExportDestination us;
  us.country = "US";
  us.currency = "USD";
  us.basis = model::ValuationBasis::kFob;
  us.mode = std::move(mode);
  us.freight_per_kg = 0.30;
  us.units_per_entry = 1200;
  us.fees.push_back({"merchandise processing fee",
                     0.003464,
                     model::ChargeBase::kCustomsValue,
                     33.58,
                     651.50,
                     "",
                     {}});
  us.fees.push_back(
      {"harbor maintenance fee", 0.00125, model::ChargeBase::kCustomsValue, 0, 0, "ocean", {}});
  return us;
}

TariffLine UsBrakes() {
  Result<DutyRate> rate = ParseDutyRate("2.5%");
  EXPECT_TRUE(rate.ok());
  return TariffLine{"US", "87083050", *rate, "Brakes > Other", "tariffs/us-hts-8708.csv:4"};
}

// Brazil: valuation on CIF, freight 0.42 EUR/kg, 18% tax at import (on CIF + duty + fees).
model::ExportDestination Brazil() {
  model::ExportDestination brazil;
  brazil.country = "BR";
  brazil.currency = "BRL";
  brazil.basis = model::ValuationBasis::kCif;
  brazil.freight_per_kg = 0.42;
  brazil.vat = 0.18;
  return brazil;
}

TariffLine BrazilBrakes(std::string_view rate_text) {
  Result<DutyRate> rate = ParseDutyRate(rate_text);
  EXPECT_TRUE(rate.ok()) << rate.status().message();
  return TariffLine{"BR", "870830", rate.ok() ? *rate : DutyRate{}, "brakes",
                    "tariffs/duties.csv:3"};
}

// Common to the US cases (EUR -> USD at 1.08):
//   FOB        38.00 EUR x 1.08                   = 41.04 USD
//   freight    0.30 EUR/kg x 9 kg = 2.70 EUR x 1.08 =  2.916
//   insurance  0.3% of FOB 38.00 EUR = 0.114 EUR x 1.08 = 0.12312
//   customs value = FOB                             = 41.04
//   duty       2.5% x 41.04                         =  1.026
//   subtotal before fees: 41.04 + 2.916 + 0.12312 + 1.026 = 45.10512
//   harbor maintenance fee 0.125% x 41.04 = 0.0513 per unit (no min or max)
constexpr double kUsBeforeFees = 45.10512;
constexpr double kHarborFee = 0.0513;

TEST(LandedCost, UsEntryWithProcessingFeeInRange) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates();
  TariffLine tariff = UsBrakes();
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  EXPECT_EQ(cost->currency, "USD");
  EXPECT_NEAR(cost->fob, 41.04, kCent);
  EXPECT_NEAR(cost->freight, 2.916, kCent);
  EXPECT_NEAR(cost->insurance, 0.12312, kCent);
  EXPECT_NEAR(cost->customs_value, 41.04, kCent);
  EXPECT_NEAR(cost->duty, 1.026, kCent);
  // MPF: 41.04 x 1200 units = 49,248.00 per entry x 0.3464% = 170.595072, between 33.58 and
  // 651.50, / 1200 = 0.14216256 per unit. Fees = 0.14216256 + 0.0513 = 0.19346256.
  const CostLine* mpf = LineNamed(*cost, "merchandise processing fee");
  ASSERT_NE(mpf, nullptr);
  EXPECT_NEAR(mpf->local, 0.14216256, kCent);
  EXPECT_EQ(mpf->how,
            "0.3464% of customs value 41.04 x 1200 units per entry = 170.60, / 1200 units");
  EXPECT_NEAR(LineNamed(*cost, "harbor maintenance fee")->local, kHarborFee, kCent);
  EXPECT_NEAR(cost->fees, 0.19346256, kCent);
  EXPECT_EQ(cost->tax, 0);
  // landed = 45.10512 + 0.19346256 = 45.29858256 USD
  EXPECT_NEAR(cost->landed, 45.29858256, kCent);
  EXPECT_NEAR(cost->landed_usd, 45.29858256, kCent);
  EXPECT_EQ(LineNamed(*cost, "duty")->how,
            "2.5% of customs value 41.04 (tariffs/us-hts-8708.csv:4, 8708.30.50)");
}

TEST(LandedCost, UsProcessingFeeAtItsMinimum) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates();
  TariffLine tariff = UsBrakes();
  LandedInput in = Input(&seller, &seller.products[0], &us, &tariff);
  in.units_per_entry = 10;  // a sample order
  auto cost = ComputeLandedCost(in);
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // MPF: 41.04 x 10 = 410.40 per entry x 0.3464% = 1.4216256 -> min 33.58, / 10 = 3.358.
  const CostLine* mpf = LineNamed(*cost, "merchandise processing fee");
  EXPECT_NEAR(mpf->local, 3.358, kCent);
  EXPECT_EQ(mpf->how,
            "0.3464% of customs value 41.04 x 10 units per entry = 1.42 -> min 33.58, / 10 units");
  // landed = 45.10512 + 3.358 + 0.0513 = 48.51442
  EXPECT_NEAR(cost->landed, kUsBeforeFees + 3.358 + kHarborFee, kCent);
  EXPECT_NEAR(cost->landed, 48.51442, kCent);
}

TEST(LandedCost, UsProcessingFeeAtItsMaximum) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates();
  us.units_per_entry = 5000;  // a full consolidated order
  TariffLine tariff = UsBrakes();
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // MPF: 41.04 x 5000 = 205,200 per entry x 0.3464% = 710.8128 -> max 651.50, / 5000 = 0.1303.
  const CostLine* mpf = LineNamed(*cost, "merchandise processing fee");
  EXPECT_NEAR(mpf->local, 0.1303, kCent);
  EXPECT_EQ(mpf->how,
            "0.3464% of customs value 41.04 x 5000 units per entry = 710.81 -> max 651.50, / "
            "5000 units");
  // landed = 45.10512 + 0.1303 + 0.0513 = 45.28672
  EXPECT_NEAR(cost->landed, 45.28672, kCent);
}

TEST(LandedCost, HarborMaintenanceFeeOnlyOnOceanFreight) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates("air");
  TariffLine tariff = UsBrakes();
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  const CostLine* hmf = LineNamed(*cost, "harbor maintenance fee");
  ASSERT_NE(hmf, nullptr);  // listed, at 0, with the reason
  EXPECT_EQ(hmf->local, 0);
  EXPECT_EQ(hmf->how, "only on ocean shipments; this one goes by air");
  // fees = MPF 0.14216256 only; landed = 45.10512 + 0.14216256 = 45.24728256
  EXPECT_NEAR(cost->fees, 0.14216256, kCent);
  EXPECT_NEAR(cost->landed, 45.24728256, kCent);
}

// A US maker of brake discs (54.00 USD FOB, 9 kg) selling into France: EU rule, valuation on
// CIF, 4.5% duty, 20% import VAT on CIF + duty. 1 EUR = 1.08 USD.
TEST(LandedCost, EuEntryOnCifWithImportVat) {
  model::ExportSection seller;
  seller.origin = "US";
  seller.currency = "USD";
  seller.insurance_rate = 0.003;
  seller.usd_per = {{"EUR", 1.08}};
  model::ExportProduct disc{"870830", "brake discs", 54.0, 9.0, {}, {}};
  model::ExportDestination france;
  france.country = "FR";
  france.currency = "EUR";
  france.basis = model::ValuationBasis::kCif;
  france.freight_per_kg = 0.24;
  france.vat = 0.20;
  france.vat_base = {model::ChargeBase::kCif, model::ChargeBase::kDuty};
  model::TariffFile file;
  file.written = "tariffs/eu.csv";
  file.content = "hs_prefix,destination,ad_valorem_pct\n8708.30,FR,4.5\n";
  auto table = TariffTable::Load({&file, 1});
  ASSERT_TRUE(table.ok()) << table.status().message();

  auto cost = ComputeLandedCost(Input(&seller, &disc, &france, table->Find("FR", "870830")));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  EXPECT_EQ(cost->currency, "EUR");
  // FOB       54.00 USD / 1.08                         = 50.00 EUR
  // freight   0.24 USD/kg x 9 kg = 2.16 USD / 1.08     =  2.00 EUR
  // insurance 0.3% x (54.00 + 2.16) = 0.16848 USD / 1.08 = 0.156 EUR
  // customs value = CIF = 50 + 2 + 0.156              = 52.156 EUR
  // duty      4.5% x 52.156                            =  2.34702
  // tax       20% x (52.156 + 2.34702) = 20% x 54.50302 = 10.900604
  // landed    52.156 + 2.34702 + 10.900604             = 65.403624 EUR = 70.63591392 USD
  EXPECT_NEAR(cost->fob, 50.0, kCent);
  EXPECT_NEAR(cost->freight, 2.0, kCent);
  EXPECT_NEAR(cost->insurance, 0.156, kCent);
  EXPECT_NEAR(cost->customs_value, 52.156, kCent);
  EXPECT_NEAR(cost->duty, 2.34702, kCent);
  EXPECT_NEAR(cost->tax, 10.900604, kCent);
  EXPECT_NEAR(cost->landed, 65.403624, kCent);
  EXPECT_NEAR(cost->landed_usd, 70.63591392, kCent);
  EXPECT_EQ(LineNamed(*cost, "tax")->how, "20% of CIF 52.16 + duty 2.35 = 54.50");
  EXPECT_EQ(LineNamed(*cost, "insurance")->how, "0.3% of FOB + freight 56.16 USD");
  EXPECT_NEAR(LineNamed(*cost, "landed")->usd, 70.63591392, kCent);
}

// A compound rate from the US schedule: 15.4¢/kg + 53.5% (column 2 of 2906.12).
TEST(LandedCost, CompoundRateAddsSpecificAndAdValorem) {
  model::ExportSection seller;
  seller.currency = "USD";
  seller.insurance_rate = 0.003;
  model::ExportProduct drum{"290612", "cyclohexanol, 2 kg drum", 10.0, 2.0, {}, {}};
  model::ExportDestination us;
  us.country = "US";
  us.currency = "USD";
  Result<DutyRate> rate = ParseDutyRate("15.4¢/kg + 53.5%");
  ASSERT_TRUE(rate.ok());
  TariffLine tariff{"US", "2906120000", *rate, "Cyclohexanol", "hts.csv:8"};
  auto cost = ComputeLandedCost(Input(&seller, &drum, &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // duty = 0.154 USD/kg x 2 kg + 53.5% x 10.00 = 0.308 + 5.35 = 5.658
  // landed = FOB 10 + freight 0 + insurance 0.3% x 10 = 0.03 + duty 5.658 = 15.688
  EXPECT_NEAR(cost->duty, 5.658, kCent);
  EXPECT_NEAR(cost->landed, 15.688, kCent);
  EXPECT_EQ(LineNamed(*cost, "duty")->how,
            "15.4¢/kg x 2 kg = 0.31 USD + 53.5% of customs value 10.00 (hts.csv:8, "
            "2906.12.00.00)");
}

// Brazil: CIF basis, 16% + 1.50 EUR per unit (a per-unit specific rate in another currency),
// the AFRMM surcharge of 8% of freight, 18% tax on CIF + duty + fees. 1 EUR = 6 BRL
// (1.08 / 0.18).
TEST(LandedCost, PerUnitSpecificRateInAnotherCurrency) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination brazil = Brazil();
  brazil.units_per_entry = 1000;
  brazil.fees.push_back(
      {"AFRMM merchant marine surcharge", 0.08, model::ChargeBase::kFreight, 0, 0, "", {}});
  TariffLine tariff = BrazilBrakes("1.5 EUR/unit + 16%");
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &brazil, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // FOB       38.00 EUR x 6                     = 228.00 BRL
  // freight   0.42 x 9 = 3.78 EUR x 6           =  22.68
  // insurance 0.3% x (38 + 3.78) = 0.12534 EUR x 6 = 0.75204
  // CIF = customs value 228 + 22.68 + 0.75204   = 251.43204
  // duty      16% x 251.43204 = 40.2291264 + 1.50 EUR x 1 unit x 6 = 9.00 -> 49.2291264
  // AFRMM     8% x freight 22.68 x 1000 per entry, / 1000 = 1.8144
  // tax       18% x (251.43204 + 49.2291264 + 1.8144 = 302.4755664) = 54.445601952
  // landed    251.43204 + 49.2291264 + 1.8144 + 54.445601952 = 356.921168352 BRL
  //           x 0.18 = 64.24581030336 USD
  EXPECT_NEAR(cost->customs_value, 251.43204, kCent);
  EXPECT_NEAR(cost->duty, 49.2291264, kCent);
  EXPECT_NEAR(cost->fees, 1.8144, kCent);
  EXPECT_NEAR(cost->tax, 54.445601952, kCent);
  EXPECT_NEAR(cost->landed, 356.921168352, kCent);
  EXPECT_NEAR(cost->landed_usd, 64.24581030336, kCent);
  EXPECT_EQ(LineNamed(*cost, "duty")->how,
            "1.5 EUR/unit x 1 unit = 1.50 EUR = 9.00 BRL + 16% of customs value 251.43 "
            "(tariffs/duties.csv:3, 8708.30)");
}

TEST(LandedCost, MissingExchangeRateIsNamed) {
  model::ExportSection seller = GermanSeller();
  seller.usd_per = {{"EUR", 1.08}};  // no BRL
  model::ExportDestination brazil;
  brazil.country = "BR";
  brazil.currency = "BRL";
  brazil.duty_free = true;
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &brazil));
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().message(),
            "no exchange rate for BRL: add BRL = <USD for one BRL> to [export.usd_per]");

  seller.usd_per.clear();  // now the seller's own currency is missing
  model::ExportDestination us = UnitedStates();
  TariffLine tariff = UsBrakes();
  cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().message(),
            "no exchange rate for EUR: add EUR = <USD for one EUR> to [export.usd_per]");
}

TEST(LandedCost, DutyFreeAndMissingTariff) {
  model::ExportSection seller = GermanSeller();
  seller.usd_per.push_back({"PLN", 0.25});
  model::ExportDestination poland;
  poland.country = "PL";
  poland.currency = "PLN";
  poland.basis = model::ValuationBasis::kCif;
  poland.duty_free = true;
  poland.mode = "land";
  poland.freight_per_kg = 0.11;
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &poland));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // 1 EUR = 1.08 / 0.25 = 4.32 PLN. FOB 38 x 4.32 = 164.16; freight 0.11 x 9 = 0.99 EUR x 4.32
  // = 4.2768; insurance 0.3% x 38.99 = 0.11697 EUR x 4.32 = 0.5053104; no duty, no tax:
  // landed = 164.16 + 4.2768 + 0.5053104 = 168.9421104 PLN.
  EXPECT_EQ(cost->duty, 0);
  EXPECT_EQ(LineNamed(*cost, "duty")->how, "duty-free into PL");
  EXPECT_NEAR(cost->landed, 168.9421104, kCent);

  poland.duty_free = false;
  cost = ComputeLandedCost(Input(&seller, &seller.products[0], &poland));
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().message(),
            "no tariff line for 8708.30 (brake discs) into PL: add one to a tariff file, or "
            "mark the destination duty_free");
}

TEST(LandedCost, CifPriceIsSplitBackIntoFobFreightAndInsurance) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates();
  TariffLine tariff = UsBrakes();
  LandedInput in = Input(&seller, &seller.products[0], &us, &tariff);
  in.incoterm = Incoterm::kCif;
  in.price = 45.0;  // EUR, freight and insurance included
  auto cost = ComputeLandedCost(in);
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // Basis FOB: 45 = FOB + 2.70 + 0.3% x FOB -> FOB = (45 - 2.70) / 1.003 = 42.17348 EUR.
  EXPECT_NEAR(cost->fob, (45.0 - 2.70) / 1.003 * 1.08, kCent);
  EXPECT_NEAR(cost->fob + cost->freight + cost->insurance, 45.0 * 1.08, kCent);

  in.price = 2.0;  // less than the freight alone
  cost = ComputeLandedCost(in);
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().message(),
            "the CIF price 2.00 EUR of brake discs does not cover freight 2.70 EUR and "
            "insurance to US");
}

TEST(LandedCost, OverridesAndPerTeuFreight) {
  model::ExportSection seller = GermanSeller();
  seller.units_per_teu = 2400;
  model::ExportDestination us = UnitedStates();
  us.freight_per_kg = 0;
  us.freight_per_teu = 1200;  // EUR a container
  us.fees.clear();
  TariffLine tariff = UsBrakes();
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // 1,200 EUR / 2400 units = 0.50 EUR x 1.08 = 0.54 USD a unit.
  EXPECT_NEAR(cost->freight, 0.54, kCent);
  EXPECT_EQ(LineNamed(*cost, "freight")->how, "1,200.00 EUR/TEU / 2400 units = 0.50 EUR");

  LandedInput in = Input(&seller, &seller.products[0], &us, &tariff);
  in.price = 40.0;
  in.freight_per_unit = 1.0;
  cost = ComputeLandedCost(in);
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  EXPECT_NEAR(cost->fob, 43.2, kCent);      // 40 EUR x 1.08
  EXPECT_NEAR(cost->freight, 1.08, kCent);  // 1 EUR x 1.08

  seller.units_per_teu = 0;
  cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().message(), "freight to US is per TEU but [export] has no units_per_teu");
}

TEST(FormatLandedCost, AlignedLineByLine) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination us = UnitedStates();
  TariffLine tariff = UsBrakes();
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &us, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // In USD already: one column of amounts.
  EXPECT_EQ(FormatLandedCost(*cost),
            "landed cost per unit          USD\n"
            "FOB                         41.04  38.00 EUR at 1.08 USD per EUR\n"
            "freight                      2.92  0.30 EUR/kg x 9 kg = 2.70 EUR\n"
            "insurance                    0.12  0.3% of FOB 38.00 EUR\n"
            "customs value               41.04  FOB (valuation basis FOB)\n"
            "duty                         1.03  2.5% of customs value 41.04 "
            "(tariffs/us-hts-8708.csv:4, 8708.30.50)\n"
            "merchandise processing fee   0.14  0.3464% of customs value 41.04 x 1200 units per "
            "entry = 170.60, / 1200 units\n"
            "harbor maintenance fee       0.05  0.125% of customs value 41.04\n"
            "tax                          0.00  no tax at import\n"
            "landed                      45.30  FOB + freight + insurance + duty + fees + tax\n");
}

TEST(FormatLandedCost, LocalCurrencyAndUsd) {
  model::ExportSection seller = GermanSeller();
  model::ExportDestination brazil = Brazil();
  brazil.vat_base = {model::ChargeBase::kCif, model::ChargeBase::kDuty};
  TariffLine tariff = BrazilBrakes("16%");
  auto cost = ComputeLandedCost(Input(&seller, &seller.products[0], &brazil, &tariff));
  ASSERT_TRUE(cost.ok()) << cost.status().message();
  // 1 EUR = 6 BRL. CIF 228 + 22.68 + 0.75204 = 251.43204; duty 16% = 40.2291264;
  // tax 18% x (251.43204 + 40.2291264 = 291.6611664) = 52.499009952;
  // landed 291.6611664 + 52.499009952 = 344.160176352 BRL x 0.18 = 61.94883174336 USD.
  EXPECT_EQ(
      FormatLandedCost(*cost),
      "landed cost per unit     BRL     USD\n"
      "FOB                   228.00   41.04  38.00 EUR at 1.08 USD per EUR, 0.18 USD per BRL\n"
      "freight                22.68    4.08  0.42 EUR/kg x 9 kg = 3.78 EUR\n"
      "insurance               0.75    0.14  0.3% of FOB + freight 41.78 EUR\n"
      "customs value         251.43   45.26  FOB + freight + insurance (valuation basis CIF)\n"
      "duty                   40.23    7.24  16% of customs value 251.43 "
      "(tariffs/duties.csv:3, 8708.30)\n"
      "tax                    52.50    9.45  18% of CIF 251.43 + duty 40.23 = 291.66\n"
      "landed                344.16   61.95  FOB + freight + insurance + duty + fees + tax\n");
  EXPECT_NEAR(cost->landed, 344.160176352, kCent);
  EXPECT_NEAR(cost->landed_usd, 61.94883174336, kCent);
}

}  // namespace
}  // namespace leadq::trade
