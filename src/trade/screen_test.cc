// Tests of the buyer screening (trade/screen.h): each signal and criterion against worked
// examples on hand-built shipment tables, the tier boundaries, the shortlist order, the markets
// filter, merged spellings and the records' evidence for near matches.
//
// Every test screens as of 2026-06-30 with the default windows, so:
//   activity window   (2025-06-30, 2026-06-30]  (12 months; the start day itself is out)
//   capability window (2024-06-30, 2026-06-30]  (24 months)
//   movement periods  last (2025-06-30, 2026-06-30], previous (2024-06-30, 2025-06-30]
#include "trade/screen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace leadq::trade {
namespace {

// Whether `text` contains `part`; on failure the message shows both.
::testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" lacks \"" << part << "\"";
}

constexpr double kEps = 1e-9;

int64_t Day(int year, unsigned month, unsigned day) { return DaysFromCivil(year, month, day); }

const TimePoint kAsOf = Day(2026, 6, 30) * kMicrosPerDay;

// One bill-of-lading line; the defaults are a US buyer's brake discs from an Italian maker.
// Built with setters: Ship().At(Day(2026, 3, 1)).Hs("940120").Kg(100).
struct Ship {
  std::string buyer = "ACME AUTO PARTS INC";
  std::string country = "US";
  std::string address, city;  // consignee_address, consignee_city
  int64_t day = 0;
  std::string hs = "870830";
  std::string supplier = "BREMBO SPA";
  std::string supplier_country = "IT";
  std::string notify;
  std::string origin;  // country_of_origin
  std::string port;    // port_of_lading
  std::optional<double> weight;
  std::optional<double> value;

  Ship& Buyer(std::string name, std::string country_code) {
    buyer = std::move(name);
    country = std::move(country_code);
    return *this;
  }
  Ship& Address(std::string street, std::string town) {
    address = std::move(street);
    city = std::move(town);
    return *this;
  }
  Ship& At(int64_t d) {
    day = d;
    return *this;
  }
  Ship& Hs(std::string code) {
    hs = std::move(code);
    return *this;
  }
  Ship& From(std::string name, std::string country_code) {
    supplier = std::move(name);
    supplier_country = std::move(country_code);
    return *this;
  }
  Ship& Notify(std::string party) {
    notify = std::move(party);
    return *this;
  }
  Ship& Origin(std::string code) {
    origin = std::move(code);
    return *this;
  }
  Ship& Port(std::string name) {
    port = std::move(name);
    return *this;
  }
  Ship& Kg(double kg) {
    weight = kg;
    return *this;
  }
  Ship& Usd(double usd) {
    value = usd;
    return *this;
  }
};

void Add(ShipmentTable& table, const Ship& s) {
  std::string bol = "BOL" + std::to_string(table.size());
  table.Add(ShipmentView{.bol_number = bol,
                         .hs_code = s.hs,
                         .day = s.day,
                         .consignee_name = s.buyer,
                         .consignee_country = s.country,
                         .consignee_address = s.address,
                         .consignee_city = s.city,
                         .shipper_name = s.supplier,
                         .shipper_country = s.supplier_country,
                         .notify_party = s.notify,
                         .country_of_origin = s.origin,
                         .port_of_lading = s.port,
                         .weight_kg = s.weight,
                         .teu = std::nullopt,
                         .quantity = std::nullopt,
                         .value_usd = s.value});
}

// A German maker of brake discs (HS 8708.30) pricing in USD: 40.00 FOB, 10 kg a disc, a market
// price of 60.00 USD in the US. The US rule: FOB valuation, freight 0.50 USD/kg, duty 2.5% from
// an own-layout tariff file, no fees, no VAT. Insurance 0.5% of FOB. So in the US:
//   FOB 40.00 + freight 0.50 x 10 = 5.00 + insurance 0.5% x 40.00 = 0.20
//   + duty 2.5% x 40.00 = 1.00  => landed 46.20 USD per disc.
model::ExportSection Seller() {
  model::ExportSection s;
  s.origin = "DE";
  s.currency = "USD";
  s.insurance_rate = 0.005;
  s.min_margin = 0.1;
  model::ExportProduct disc;
  disc.hs = "870830";
  disc.name = "brake discs";
  disc.fob_price = 40.0;
  disc.unit_weight_kg = 10.0;
  disc.market_price = {{"US", 60.0}};
  s.products.push_back(disc);
  model::ExportDestination us;
  us.country = "US";
  us.currency = "USD";
  us.basis = model::ValuationBasis::kFob;
  us.freight_per_kg = 0.5;
  s.destinations.push_back(us);
  model::TariffFile duties;
  duties.file = "tariffs/duties.csv";
  duties.written = "tariffs/duties.csv";
  duties.content =
      "hs_prefix,destination,ad_valorem_pct,specific_per_unit\n"
      "8708.30,US,2.5,\n";
  s.tariffs.push_back(duties);
  return s;
}

Screening Screen(const ShipmentTable& table, const model::ExportSection& section,
                 std::span<const AccessFact> access = {}, std::span<const EntityRule> rules = {}) {
  Result<TariffTable> tariffs = TariffTable::Load(section.tariffs);
  EXPECT_TRUE(tariffs.ok()) << tariffs.status().message();
  return ScreenBuyers(table, section, tariffs.ok() ? *tariffs : TariffTable{}, access, rules, {},
                      kAsOf);
}

const BuyerResult* Find(const Screening& s, std::string_view name) {
  for (const BuyerResult& b : s.buyers) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::vector<std::string> Names(const Screening& s) {
  std::vector<std::string> names;
  for (const BuyerResult& b : s.buyers) names.push_back(b.name);
  return names;
}

const Criterion& Activity(const BuyerResult& b) { return b.criteria[0]; }
const Criterion& Capability(const BuyerResult& b) { return b.criteria[1]; }
const Criterion& Movement(const BuyerResult& b) { return b.criteria[2]; }
const Criterion& Economics(const BuyerResult& b) { return b.criteria[3]; }
const Criterion& Access(const BuyerResult& b) { return b.criteria[4]; }

// ---------------------------------------------------------------------------------------------
// Activity

ShipmentTable ActivityTable() {
  ShipmentTable t;
  // On the window's first day: not recent (the window is (2025-06-30, 2026-06-30]).
  Add(t, Ship().At(Day(2025, 6, 30)).From("OLD SUPPLIER GMBH", "DE"));
  Add(t, Ship().At(Day(2025, 7, 1)));
  Add(t, Ship().At(Day(2026, 1, 15)));
  Add(t, Ship().At(Day(2026, 6, 30)));              // on as_of: counted
  Add(t, Ship().At(Day(2026, 7, 1)));               // after as_of: not counted at all
  Add(t, Ship().At(Day(2026, 3, 1)).Hs("940120"));  // car seats: not the seller's product
  // A buyer whose last brake discs came two years ago, and one who never bought any.
  Add(t, Ship().Buyer("ZETA FRENOS SA", "MX").At(Day(2024, 1, 10)));
  Add(t, Ship().Buyer("SEATS ONLY LLC", "US").At(Day(2026, 2, 2)).Hs("940120"));
  return t;
}

TEST(ScreenActivity, CountsTheWindowAndNamesTheLastShipment) {
  ShipmentTable table = ActivityTable();
  Screening s = Screen(table, Seller());
  const BuyerResult* acme = Find(s, "ACME AUTO PARTS INC");
  ASSERT_NE(acme, nullptr);
  // 2025-07-01, 2026-01-15 and 2026-06-30: 3 (not 2025-06-30, not 2026-07-01, not the seats).
  EXPECT_EQ(acme->signals.recent_product_shipments, 3);
  EXPECT_EQ(acme->signals.last_product_date, "2026-06-30");
  EXPECT_EQ(Activity(*acme).verdict, Verdict::kMet);
  EXPECT_EQ(Activity(*acme).evidence,
            "3 shipments of 8708.30 in the last 12 months, last on 2026-06-30 from BREMBO SPA");
  // The named transactions: product lines up to as_of, newest first.
  ASSERT_EQ(acme->transactions.size(), 4U);
  EXPECT_EQ(acme->transactions[0].date, "2026-06-30");
  EXPECT_EQ(acme->transactions[0].hs, "8708.30");
  EXPECT_EQ(acme->transactions[0].supplier, "BREMBO SPA");
  EXPECT_EQ(acme->transactions[0].origin, "IT");  // no origin, no port: the shipper's country
  EXPECT_EQ(acme->transactions[3].date, "2025-06-30");
  EXPECT_EQ(acme->transactions[3].supplier, "OLD SUPPLIER GMBH");
  EXPECT_NE(std::find(s.notes.begin(), s.notes.end(), "1 shipment after 2026-06-30 not counted"),
            s.notes.end());
}

TEST(ScreenActivity, FailsBelowTheMinimumAndWithoutRecentShipments) {
  ShipmentTable table = ActivityTable();
  model::ExportSection seller = Seller();
  seller.min_recent_shipments = 4;
  Screening s = Screen(table, seller);
  const BuyerResult* acme = Find(s, "ACME AUTO PARTS INC");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(Activity(*acme).verdict, Verdict::kFailed);
  EXPECT_EQ(Activity(*acme).evidence,
            "3 shipments of 8708.30 in the last 12 months (fewer than 4), last on 2026-06-30 "
            "from BREMBO SPA");

  const BuyerResult* zeta = Find(s, "ZETA FRENOS SA");
  ASSERT_NE(zeta, nullptr);
  EXPECT_EQ(zeta->signals.recent_product_shipments, 0);
  EXPECT_EQ(Activity(*zeta).verdict, Verdict::kFailed);
  EXPECT_EQ(Activity(*zeta).evidence,
            "no shipment of 8708.30 in the last 12 months; last on 2024-01-10 from BREMBO SPA");

  const BuyerResult* seats = Find(s, "SEATS ONLY LLC");
  ASSERT_NE(seats, nullptr);
  EXPECT_EQ(Activity(*seats).verdict, Verdict::kFailed);
  EXPECT_EQ(Activity(*seats).evidence, "no shipment of 8708.30 ever");
  EXPECT_EQ(seats->signals.last_product_date, "");
}

// ---------------------------------------------------------------------------------------------
// Capability

ShipmentTable CapabilityTable() {
  ShipmentTable t;
  // Before the 24-month window (day = its start): counts in totals and origin, not in months.
  Add(t, Ship().At(Day(2024, 6, 30)).Origin("DE").Kg(100));
  // In the window: 7 lines over 6 months (two in 2025-01), 4 with a notify party.
  Add(t, Ship()
             .At(Day(2025, 1, 10))
             .Notify("KUEHNE NAGEL")
             .Port("HAMBURG, GERMANY")
             .Kg(100));  // no origin: the port's country, DE
  Add(t, Ship()
             .At(Day(2025, 1, 20))
             .From("ATE GMBH", "DE")
             .Notify("KUEHNE NAGEL")
             .Kg(100));  // no origin, no port: the shipper's, DE
  Add(t, Ship()
             .At(Day(2025, 3, 5))
             .From("BREMBO SPA", "DE")
             .Notify("KUEHNE NAGEL")
             .Origin("CN"));  // the country of origin wins over the shipper's country
  Add(t, Ship()
             .At(Day(2025, 5, 5))
             .From("BREMBO SPA", "DE")
             .Notify("EXPEDITORS")
             .Port("SHANGHAI"));  // the port wins over the shipper's country: CN
  Add(t, Ship().At(Day(2025, 8, 5)));
  Add(t, Ship().At(Day(2025, 11, 5)).Hs("940120"));  // any import counts for capability
  Add(t, Ship().At(Day(2026, 2, 5)));
  return t;
}

model::ExportSection CapabilitySeller() {
  model::ExportSection s = Seller();
  s.min_active_months = 6;
  s.min_notify_share = 0.5;
  s.min_origin_shipments = 1;
  return s;
}

TEST(ScreenCapability, MonthsNotifyShareAndOriginShipments) {
  ShipmentTable table = CapabilityTable();
  Screening s = Screen(table, CapabilitySeller());
  ASSERT_EQ(s.buyers.size(), 1U);
  const BuyerResult& b = s.buyers[0];
  // Months: 2025-01 (twice), 03, 05, 08, 11, 2026-02 = 6.
  EXPECT_EQ(b.signals.active_months, 6);
  EXPECT_EQ(b.signals.total_shipments, 8);
  EXPECT_NEAR(b.signals.total_weight_kg, 300, kEps);
  // Notify: 4 of the 7 lines in the window = 0.5714 -> "57%".
  EXPECT_NEAR(b.signals.notify_share, 4.0 / 7.0, kEps);
  // From DE: the 2024-06-30 line (origin DE), HAMBURG, GERMANY, the shipper's DE = 3; the lines
  // with origin CN and port SHANGHAI are from CN although their shippers are German.
  EXPECT_EQ(b.signals.origin_shipments, 3);
  EXPECT_EQ(b.notify_parties, (std::vector<std::string>{"KUEHNE NAGEL", "EXPEDITORS"}));
  EXPECT_EQ(Capability(b).verdict, Verdict::kMet);
  EXPECT_EQ(Capability(b).evidence,
            "imports in 6 of the last 24 months, 57% of them with a notify party (KUEHNE NAGEL), "
            "3 shipments ever from DE");
}

TEST(ScreenCapability, FailsOnEachThreshold) {
  ShipmentTable table = CapabilityTable();
  {
    model::ExportSection seller = CapabilitySeller();
    seller.min_active_months = 7;
    const BuyerResult b = Screen(table, seller).buyers.at(0);
    EXPECT_EQ(Capability(b).verdict, Verdict::kFailed);
    EXPECT_EQ(Capability(b).evidence,
              "imports in 6 of the last 24 months (fewer than 7) (57% of them with a notify party "
              "(KUEHNE NAGEL), 3 shipments ever from DE)");
  }
  {
    model::ExportSection seller = CapabilitySeller();
    seller.min_notify_share = 0.6;  // 57% < 60%
    const BuyerResult b = Screen(table, seller).buyers.at(0);
    EXPECT_EQ(Capability(b).verdict, Verdict::kFailed);
    EXPECT_TRUE(Contains(Capability(b).evidence,
                         "57% of them with a notify party (KUEHNE NAGEL) (less than 60%)"));
  }
  {
    model::ExportSection seller = CapabilitySeller();
    seller.min_origin_shipments = 4;  // 3 < 4
    const BuyerResult b = Screen(table, seller).buyers.at(0);
    EXPECT_EQ(Capability(b).verdict, Verdict::kFailed);
    EXPECT_TRUE(Contains(Capability(b).evidence, "3 shipments ever from DE"));
  }
  {
    model::ExportSection seller = CapabilitySeller();
    seller.origin = "PL";  // never imported from PL
    const BuyerResult b = Screen(table, seller).buyers.at(0);
    EXPECT_EQ(b.signals.origin_shipments, 0);
    EXPECT_EQ(Capability(b).verdict, Verdict::kFailed);
    EXPECT_TRUE(Contains(Capability(b).evidence, "never imported from PL (0 of 8 shipments)"));
  }
}

TEST(ScreenCapability, UnknownWhenTheRecordsCarryNoNotifyParty) {
  ShipmentTable table;
  for (unsigned month = 1; month <= 6; ++month) Add(table, Ship().At(Day(2026, month, 3)));
  model::ExportSection seller = Seller();
  seller.min_notify_share = 0.5;
  const BuyerResult b = Screen(table, seller).buyers.at(0);
  EXPECT_EQ(Capability(b).verdict, Verdict::kUnknown);
  EXPECT_EQ(Capability(b).evidence,
            "the records carry no notify party (imports in 6 of the last 24 months)");
}

// ---------------------------------------------------------------------------------------------
// Movement
//
// The previous period: 4 discs from BREMBO SPA (origin CN), 100 kg each = 400 kg.
// The last period: BREMBO SPA 6 (CN), ATE GMBH 3 (DE), TRW LTD 1 (DE), 50 kg each = 500 kg.
//   new suppliers: ATE and TRW first seen in the last period: (3 + 1) / 10 = 40%
//   volume growth: 500 / 400 - 1 = +25%
//   HHI: 0.6^2 + 0.3^2 + 0.1^2 = 0.36 + 0.09 + 0.01 = 0.46; BREMBO carries 6/10 = 60%
//   origin shift: CN 4/4 = 100% before, 6/10 = 60% after: a fall of 40 points

ShipmentTable MovementTable() {
  ShipmentTable t;
  for (unsigned m = 1; m <= 4; ++m) {
    Add(t, Ship().At(Day(2024, 8 + m, 10)).Origin("CN").Kg(100));
  }
  for (unsigned m = 1; m <= 6; ++m) Add(t, Ship().At(Day(2025, 6 + m, 10)).Origin("CN").Kg(50));
  for (unsigned m = 1; m <= 3; ++m) {
    Add(t, Ship().At(Day(2026, m, 20)).From("ATE GMBH", "DE").Origin("DE").Kg(50));
  }
  Add(t, Ship().At(Day(2026, 4, 20)).From("TRW LTD", "DE").Origin("DE").Kg(50));
  return t;
}

// The movement rules, each threshold or std::nullopt (not counted).
model::MovementRules Rules(std::optional<double> new_supplier_share,
                           std::optional<double> volume_growth, std::optional<double> supplier_hhi,
                           std::optional<double> origin_shift) {
  model::MovementRules rules;
  rules.new_supplier_share = new_supplier_share;
  rules.volume_growth = volume_growth;
  rules.supplier_hhi = supplier_hhi;
  rules.origin_shift = origin_shift;
  return rules;
}

Criterion MovementWith(const ShipmentTable& table, const model::MovementRules& rules,
                       Signals* signals = nullptr) {
  model::ExportSection seller = Seller();
  seller.movement = rules;
  Screening s = Screen(table, seller);
  EXPECT_EQ(s.buyers.size(), 1U);
  if (s.buyers.empty()) return {};
  if (signals != nullptr) *signals = s.buyers[0].signals;
  return Movement(s.buyers[0]);
}

TEST(ScreenMovement, SignalFigures) {
  ShipmentTable table = MovementTable();
  Signals sig;
  MovementWith(table, Rules(0.3, 0.2, 0.4, 0.3), &sig);
  EXPECT_EQ(sig.last_period_shipments, 10);
  EXPECT_EQ(sig.previous_period_shipments, 4);
  ASSERT_TRUE(sig.new_supplier_share && sig.volume_growth && sig.supplier_hhi && sig.origin_shift);
  EXPECT_NEAR(*sig.new_supplier_share, 0.4, kEps);
  EXPECT_NEAR(*sig.volume_growth, 0.25, kEps);
  EXPECT_NEAR(*sig.supplier_hhi, 0.46, kEps);
  EXPECT_NEAR(*sig.origin_shift, 0.4, kEps);
  EXPECT_EQ(sig.origin_shift_country, "CN");
}

TEST(ScreenMovement, NewSupplierShare) {
  ShipmentTable table = MovementTable();
  Criterion met =
      MovementWith(table, Rules(0.4, std::nullopt, std::nullopt, std::nullopt));  // 40% >= 40%
  EXPECT_EQ(met.verdict, Verdict::kMet);
  EXPECT_EQ(met.evidence,
            "suppliers first seen in the last 12 months carry 40% of product shipments (ATE GMBH, "
            "TRW LTD)");
  Criterion failed = MovementWith(table, Rules(0.5, std::nullopt, std::nullopt, std::nullopt));
  EXPECT_EQ(failed.verdict, Verdict::kFailed);
  EXPECT_EQ(failed.evidence, "no reason to switch: new suppliers 40%");
}

TEST(ScreenMovement, VolumeGrowth) {
  ShipmentTable table = MovementTable();
  Criterion met =
      MovementWith(table, Rules(std::nullopt, 0.25, std::nullopt, std::nullopt));  // +25% >= +25%
  EXPECT_EQ(met.verdict, Verdict::kMet);
  EXPECT_EQ(met.evidence, "product volume +25% in the last 12 months against the 12 months before");
  Criterion failed = MovementWith(table, Rules(std::nullopt, 0.3, std::nullopt, std::nullopt));
  EXPECT_EQ(failed.verdict, Verdict::kFailed);
  EXPECT_EQ(failed.evidence, "no reason to switch: volume +25%");

  // A fifth line before, without a weight: volumes cannot be compared, so shipments are:
  // 10 / 5 - 1 = +100%.
  Add(table, Ship().At(Day(2024, 12, 24)).Origin("CN"));
  Signals sig;
  Criterion by_count =
      MovementWith(table, Rules(std::nullopt, 0.3, std::nullopt, std::nullopt), &sig);
  ASSERT_TRUE(sig.volume_growth);
  EXPECT_NEAR(*sig.volume_growth, 1.0, kEps);
  EXPECT_EQ(by_count.verdict, Verdict::kMet);
  EXPECT_EQ(by_count.evidence,
            "product shipments +100% in the last 12 months against the 12 months before");
}

TEST(ScreenMovement, SupplierConcentration) {
  ShipmentTable table = MovementTable();
  Criterion met =
      MovementWith(table, Rules(std::nullopt, std::nullopt, 0.45, std::nullopt));  // 0.46 >= 0.45
  EXPECT_EQ(met.verdict, Verdict::kMet);
  EXPECT_EQ(met.evidence, "depends on BREMBO SPA for 60% of product shipments (HHI 0.46)");
  Criterion failed = MovementWith(table, Rules(std::nullopt, std::nullopt, 0.5, std::nullopt));
  EXPECT_EQ(failed.verdict, Verdict::kFailed);
  EXPECT_EQ(failed.evidence, "no reason to switch: HHI 0.46");
}

TEST(ScreenMovement, OriginShift) {
  ShipmentTable table = MovementTable();
  Criterion met =
      MovementWith(table, Rules(std::nullopt, std::nullopt, std::nullopt, 0.3));  // 40 points >= 30
  EXPECT_EQ(met.verdict, Verdict::kMet);
  EXPECT_EQ(met.evidence, "moving away from CN: its share fell 40 points in the last 12 months");
  Criterion failed = MovementWith(table, Rules(std::nullopt, std::nullopt, std::nullopt, 0.5));
  EXPECT_EQ(failed.verdict, Verdict::kFailed);
  EXPECT_EQ(failed.evidence, "no reason to switch: largest origin fall 40 points");
}

TEST(ScreenMovement, AllFailedListsEveryFigure) {
  ShipmentTable table = MovementTable();
  Criterion c = MovementWith(table, Rules(0.5, 0.5, 0.5, 0.5));
  EXPECT_EQ(c.verdict, Verdict::kFailed);
  EXPECT_EQ(c.evidence,
            "no reason to switch: new suppliers 40%, volume +25%, HHI 0.46, largest origin fall "
            "40 points");
}

TEST(ScreenMovement, UnknownWhenNothingToCompare) {
  // Product shipments only before both periods (before 2024-06-30): nothing to compare.
  ShipmentTable table;
  Add(table, Ship().At(Day(2023, 5, 1)).Origin("CN").Kg(10));
  Add(table, Ship().At(Day(2024, 6, 30)).Origin("CN").Kg(10));  // on the start: out
  Criterion c = MovementWith(table, Rules(0.3, 0.2, 0.4, 0.3));
  EXPECT_EQ(c.verdict, Verdict::kUnknown);
  EXPECT_EQ(c.evidence,
            "no product shipments in the last 12 months or the period before to compare");

  // A model that names no movement signal cannot judge it either.
  Criterion none = MovementWith(MovementTable(), {});
  EXPECT_EQ(none.verdict, Verdict::kUnknown);
  EXPECT_EQ(none.evidence, "the model names no movement signal");
}

// ---------------------------------------------------------------------------------------------
// Economics

TEST(ScreenEconomics, MetAndFailedMarginsByHand) {
  ShipmentTable table;
  // ACME: no declared value, so the US market price 60.00 is the reference:
  //   margin (60.00 - 46.20) / 60.00 = 13.80 / 60.00 = 23.0% >= 10%.
  Add(table, Ship().At(Day(2026, 3, 1)).Kg(100));
  // BETA: declared 500 USD for 100 kg = 5.00 USD/kg x 10 kg = 50.00 USD a disc:
  //   margin (50.00 - 46.20) / 50.00 = 3.80 / 50.00 = 7.6% < 10%.
  Add(table, Ship().Buyer("BETA BRAKES CORP", "US").At(Day(2026, 3, 1)).Kg(100).Usd(500));
  Screening s = Screen(table, Seller());

  const BuyerResult* acme = Find(s, "ACME AUTO PARTS INC");
  ASSERT_NE(acme, nullptr);
  ASSERT_TRUE(acme->landed.has_value());
  EXPECT_NEAR(acme->landed->fob, 40.0, kEps);
  EXPECT_NEAR(acme->landed->freight, 5.0, kEps);
  EXPECT_NEAR(acme->landed->insurance, 0.2, kEps);
  EXPECT_NEAR(acme->landed->duty, 1.0, kEps);
  EXPECT_NEAR(acme->landed->landed, 46.2, kEps);
  EXPECT_EQ(acme->product, "brake discs (8708.30)");
  ASSERT_TRUE(acme->signals.margin.has_value());
  EXPECT_NEAR(*acme->signals.margin, 0.23, kEps);
  EXPECT_EQ(Economics(*acme).verdict, Verdict::kMet);
  EXPECT_EQ(Economics(*acme).evidence,
            "landed 46.20 USD per unit of brake discs (8708.30) against the market price "
            "(60.00 USD): margin 23.0%");

  const BuyerResult* beta = Find(s, "BETA BRAKES CORP");
  ASSERT_NE(beta, nullptr);
  ASSERT_TRUE(beta->signals.reference_price.has_value());
  EXPECT_NEAR(*beta->signals.reference_price, 50.0, 1e-4);  // float columns
  EXPECT_NEAR(*beta->signals.margin, 0.076, 1e-6);
  EXPECT_EQ(Economics(*beta).verdict, Verdict::kFailed);
  EXPECT_EQ(Economics(*beta).evidence,
            "landed 46.20 USD per unit of brake discs (8708.30) against its declared value 5.00 "
            "USD/kg (50.00 USD): margin 7.6% (needs 10.0%)");
}

TEST(ScreenEconomics, UnknownWithTheReason) {
  model::ExportSection seller = Seller();
  // BR: a rule but no tariff line. CA: duty-free, but no market price and no declared value.
  model::ExportDestination br = seller.destinations[0];
  br.country = "BR";
  seller.destinations.push_back(br);
  model::ExportDestination ca = seller.destinations[0];
  ca.country = "CA";
  ca.duty_free = true;
  seller.destinations.push_back(ca);

  ShipmentTable table;
  Add(table, Ship().Buyer("FRENOS DEL NORTE SA DE CV", "MX").At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("FREIOS PAULISTA LTDA", "BR").At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("MAPLE BRAKES LTD", "CA").At(Day(2026, 3, 1)));
  Screening s = Screen(table, seller);

  const BuyerResult* mx = Find(s, "FRENOS DEL NORTE SA DE CV");
  ASSERT_NE(mx, nullptr);
  EXPECT_EQ(Economics(*mx).verdict, Verdict::kUnknown);
  EXPECT_EQ(Economics(*mx).evidence,
            "no customs rule for MX in the model ([[export.destination]])");
  EXPECT_FALSE(mx->landed.has_value());

  const BuyerResult* br_buyer = Find(s, "FREIOS PAULISTA LTDA");
  ASSERT_NE(br_buyer, nullptr);
  EXPECT_EQ(Economics(*br_buyer).verdict, Verdict::kUnknown);
  EXPECT_EQ(Economics(*br_buyer).evidence, "no tariff rate for 8708.30 into BR");

  // CA, duty-free: 40.00 + 5.00 + 0.20 = 45.20, but nothing to compare it with.
  const BuyerResult* ca_buyer = Find(s, "MAPLE BRAKES LTD");
  ASSERT_NE(ca_buyer, nullptr);
  EXPECT_EQ(Economics(*ca_buyer).verdict, Verdict::kUnknown);
  ASSERT_TRUE(ca_buyer->landed.has_value());
  EXPECT_NEAR(ca_buyer->landed->landed, 45.2, kEps);
  EXPECT_EQ(Economics(*ca_buyer).evidence,
            "landed 45.20 USD per unit of brake discs (8708.30); no reference price: no declared "
            "values and no market_price for CA");
  EXPECT_FALSE(ca_buyer->signals.margin.has_value());
}

// ---------------------------------------------------------------------------------------------
// Access

TEST(ScreenAccess, FromRecordedFacts) {
  ShipmentTable table;
  Add(table, Ship().At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("BETA BRAKES CORP", "US").At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("GAMMA PARTS LLC", "US").At(Day(2026, 3, 1)));
  std::vector<AccessFact> access = {
      // Spellings are matched in DisplaySpelling form: any case, any spacing.
      {"US", "acme  auto parts inc", Verdict::kMet, "met the CEO at Automechanika"},
      {"US", "BETA BRAKES CORP", Verdict::kFailed, "buys only through a purchasing group"},
      {"US", "NOBODY LLC", Verdict::kMet, "a friend"}};
  Screening s = Screen(table, Seller(), access);

  const BuyerResult* acme = Find(s, "ACME AUTO PARTS INC");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(Access(*acme).verdict, Verdict::kMet);
  EXPECT_EQ(Access(*acme).evidence, "met the CEO at Automechanika");
  const BuyerResult* beta = Find(s, "BETA BRAKES CORP");
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(Access(*beta).verdict, Verdict::kFailed);
  EXPECT_EQ(Access(*beta).evidence, "buys only through a purchasing group");
  const BuyerResult* gamma = Find(s, "GAMMA PARTS LLC");
  ASSERT_NE(gamma, nullptr);
  EXPECT_EQ(Access(*gamma).verdict, Verdict::kUnknown);
  EXPECT_TRUE(Contains(Access(*gamma).evidence, "nothing recorded"));
  EXPECT_NE(std::find(s.notes.begin(), s.notes.end(),
                      "access recorded for NOBODY LLC (US), a name no shipment carries"),
            s.notes.end());
}

// ---------------------------------------------------------------------------------------------
// Tiers and the shortlist

TEST(ScreenTier, Boundaries) {
  EXPECT_EQ(TierOf(5), Tier::kQualified);
  EXPECT_EQ(TierOf(4), Tier::kDeveloping);
  EXPECT_EQ(TierOf(3), Tier::kDeveloping);
  EXPECT_EQ(TierOf(2), Tier::kArtifact);
  EXPECT_EQ(TierOf(1), Tier::kArtifact);
  EXPECT_EQ(TierOf(0), Tier::kArtifact);
  EXPECT_EQ(TierName(Tier::kDeveloping), "developing");
  EXPECT_EQ(ParseTier("Research Artifact"), Tier::kArtifact);
  EXPECT_EQ(ParseTier("qualified"), Tier::kQualified);
  EXPECT_EQ(ParseTier("great"), std::nullopt);
}

// A steady buyer: a disc every month from 2024-07-15 to 2026-06-15, all from BREMBO SPA.
//   activity: 12 in the last 12 months (2025-07-15 .. 2026-06-15): met
//   capability: 24 months with imports >= 6: met
//   movement (supplier_hhi 0.4): one supplier, HHI 1.00: met
//   economics: US, margin 23.0% (as above): met; MX has no rule: unknown
void AddSteadyBuyer(ShipmentTable& t, const std::string& name, const std::string& country) {
  for (int i = 0; i < 24; ++i) {
    int month0 = 6 + i;  // 0-based month of 2024: July 2024 first
    Add(t, Ship()
               .Buyer(name, country)
               .At(Day(2024 + month0 / 12, static_cast<unsigned>(month0 % 12 + 1), 15)));
  }
}

TEST(ScreenTier, FromScreeningWithUnknownListedApart) {
  ShipmentTable table;
  AddSteadyBuyer(table, "ALPHA BRAKES INC", "US");    // access met: 5 met
  AddSteadyBuyer(table, "BRAVO MOTOR CORP", "US");    // nothing recorded: 4 met, 1 unknown
  AddSteadyBuyer(table, "CHARLIE WHEELS LLC", "US");  // access failed: 4 met, 1 failed
  AddSteadyBuyer(table, "DELTA FRENOS SA", "MX");     // economics, access unknown: 3 met
  AddSteadyBuyer(table, "ECHO AUTOPARTES SA", "MX");  // 3 met, 1 failed, 1 unknown
  // FOXTROT: one disc in 2023: activity and capability fail, movement unknown, economics met
  // (market price), access unknown: 1 met.
  Add(table, Ship().Buyer("FOXTROT GARAGE INC", "US").At(Day(2023, 2, 1)));
  model::ExportSection seller = Seller();
  seller.movement.supplier_hhi = 0.4;
  std::vector<AccessFact> access = {
      {"US", "ALPHA BRAKES INC", Verdict::kMet, "the owner's nephew works with us"},
      {"US", "CHARLIE WHEELS LLC", Verdict::kFailed, "no answer in two years"},
      {"MX", "ECHO AUTOPARTES SA", Verdict::kFailed, "closed to new suppliers"}};
  Screening s = Screen(table, seller, access);

  EXPECT_EQ(Names(s), (std::vector<std::string>{"ALPHA BRAKES INC", "BRAVO MOTOR CORP",
                                                "CHARLIE WHEELS LLC", "DELTA FRENOS SA",
                                                "ECHO AUTOPARTES SA", "FOXTROT GARAGE INC"}));
  struct Expected {
    std::string name;
    Tier tier;
    int met, failed, unknown;
  };
  for (const Expected& e :
       std::vector<Expected>{{"ALPHA BRAKES INC", Tier::kQualified, 5, 0, 0},
                             {"BRAVO MOTOR CORP", Tier::kDeveloping, 4, 0, 1},
                             {"CHARLIE WHEELS LLC", Tier::kDeveloping, 4, 1, 0},
                             {"DELTA FRENOS SA", Tier::kDeveloping, 3, 0, 2},
                             {"ECHO AUTOPARTES SA", Tier::kDeveloping, 3, 1, 1},
                             {"FOXTROT GARAGE INC", Tier::kArtifact, 1, 2, 2}}) {
    const BuyerResult* b = Find(s, e.name);
    ASSERT_NE(b, nullptr) << e.name;
    EXPECT_EQ(b->tier, e.tier) << e.name;
    EXPECT_EQ(b->met, e.met) << e.name;
    EXPECT_EQ(b->failed, e.failed) << e.name;
    EXPECT_EQ(b->unknown, e.unknown) << e.name;
  }
  // BRAVO: four met and access unknown, not failed.
  const BuyerResult* bravo = Find(s, "BRAVO MOTOR CORP");
  ASSERT_NE(bravo, nullptr);
  EXPECT_EQ(Activity(*bravo).verdict, Verdict::kMet);
  EXPECT_EQ(Capability(*bravo).verdict, Verdict::kMet);
  EXPECT_EQ(Capability(*bravo).evidence, "imports in 24 of the last 24 months");
  EXPECT_EQ(Movement(*bravo).verdict, Verdict::kMet);
  EXPECT_EQ(Movement(*bravo).evidence,
            "depends on BREMBO SPA for 100% of product shipments (HHI 1.00)");
  EXPECT_EQ(Economics(*bravo).verdict, Verdict::kMet);
  EXPECT_EQ(Access(*bravo).verdict, Verdict::kUnknown);
  EXPECT_EQ(bravo->signals.recent_product_shipments, 12);
}

BuyerResult Made(std::string name, Tier tier, int met, int failed, int recent,
                 std::optional<double> margin) {
  BuyerResult b;
  b.id = "us-" + name;
  b.name = std::move(name);
  b.tier = tier;
  b.met = met;
  b.failed = failed;
  b.unknown = 5 - met - failed;
  b.signals.recent_product_shipments = recent;
  b.signals.margin = margin;
  return b;
}

TEST(ScreenShortlist, OrderOfTierMetFailedRecentMarginName) {
  // Each neighbour pair differs in exactly the key that orders it.
  std::vector<BuyerResult> expected = {
      Made("Q", Tier::kQualified, 5, 0, 1, std::nullopt),
      // Tier first: a developing buyer with far more shipments still comes after.
      Made("D4", Tier::kDeveloping, 4, 0, 1, 0.1),
      // Fewer met: 3 after 4.
      Made("D3", Tier::kDeveloping, 3, 0, 50, 0.5),
      // Same met, one failed: after none failed.
      Made("D3-failed-recent", Tier::kDeveloping, 3, 1, 20, 0.1),
      // Fewer recent shipments: 10 after 20.
      Made("D3-failed-margin", Tier::kDeveloping, 3, 1, 10, 0.3),
      // Lower margin: 0.2 after 0.3; no margin after any margin.
      Made("D3-failed-low", Tier::kDeveloping, 3, 1, 10, 0.2),
      Made("A-no-margin", Tier::kDeveloping, 3, 1, 10, std::nullopt),
      // Same everything: by name.
      Made("B-no-margin", Tier::kDeveloping, 3, 1, 10, std::nullopt),
      Made("Z", Tier::kArtifact, 2, 0, 100, 0.9),
  };
  for (size_t i = 0; i + 1 < expected.size(); ++i) {
    EXPECT_TRUE(ShortlistBefore(expected[i], expected[i + 1])) << expected[i].name;
    EXPECT_FALSE(ShortlistBefore(expected[i + 1], expected[i])) << expected[i].name;
    EXPECT_FALSE(ShortlistBefore(expected[i], expected[i])) << expected[i].name;
  }
  std::vector<BuyerResult> shuffled = {expected[5], expected[8], expected[2],
                                       expected[0], expected[7], expected[3],
                                       expected[6], expected[1], expected[4]};
  std::sort(shuffled.begin(), shuffled.end(), ShortlistBefore);
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(shuffled[i].name, expected[i].name);
}

// ---------------------------------------------------------------------------------------------
// Markets and merged spellings

TEST(ScreenBuyers, MarketsFilterLeavesOthersOutWithANote) {
  ShipmentTable table;
  Add(table, Ship().At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("FRENOS DEL NORTE SA DE CV", "MX").At(Day(2026, 3, 1)));
  Add(table, Ship().Buyer("AUTOPARTES JALISCO SA", "MX").At(Day(2026, 3, 1)));
  model::ExportSection seller = Seller();
  seller.markets = {"US"};
  Screening s = Screen(table, seller);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"ACME AUTO PARTS INC"}));
  EXPECT_NE(std::find(s.notes.begin(), s.notes.end(), "2 buyers outside the markets (US) left out"),
            s.notes.end());
  // The resolution still covers every buyer.
  EXPECT_EQ(s.resolution.entities.size(), 3U);
}

TEST(ScreenBuyers, TwoSpellingsOfOneBuyerCountAsOne) {
  ShipmentTable table;
  Add(table, Ship().At(Day(2026, 1, 10)));
  Add(table, Ship().At(Day(2026, 2, 10)));
  Add(table, Ship().Buyer("Acme Auto Parts, Inc.", "US").At(Day(2026, 3, 10)));
  Screening s = Screen(table, Seller());
  ASSERT_EQ(s.buyers.size(), 1U);
  const BuyerResult& b = s.buyers[0];
  EXPECT_EQ(b.name, "ACME AUTO PARTS INC");  // the spelling with most shipments
  EXPECT_EQ(b.spellings,
            (std::vector<std::string>{"ACME AUTO PARTS INC", "ACME AUTO PARTS, INC."}));
  // 2 + 1 shipments of the two spellings.
  EXPECT_EQ(b.signals.recent_product_shipments, 3);
  EXPECT_EQ(b.signals.last_product_date, "2026-03-10");

  // A split rule keeps them apart: two buyers, 2 and 1 shipments.
  std::vector<EntityRule> split = {{false, "US", "ACME AUTO PARTS INC", "Acme Auto Parts, Inc."}};
  Screening apart = Screen(table, Seller(), {}, split);
  ASSERT_EQ(apart.buyers.size(), 2U);
  EXPECT_EQ(apart.buyers[0].signals.recent_product_shipments, 2);
  EXPECT_EQ(apart.buyers[1].signals.recent_product_shipments, 1);
}

// ---------------------------------------------------------------------------------------------
// Near matches and the records' evidence (ResolveSpellings)

// Whether two spellings of the table are in one entity.
bool Together(const ShipmentTable& t, const Resolution& r, std::string_view a, std::string_view b) {
  int64_t ia = -1, ib = -1;
  for (size_t i = 0; i < t.buyer_spellings().size(); ++i) {
    if (t.buyer_spellings()[i].name == a) ia = static_cast<int64_t>(i);
    if (t.buyer_spellings()[i].name == b) ib = static_cast<int64_t>(i);
  }
  EXPECT_GE(ia, 0) << a;
  EXPECT_GE(ib, 0) << b;
  if (ia < 0 || ib < 0) return false;
  return r.entity_of[static_cast<size_t>(ia)] == r.entity_of[static_cast<size_t>(ib)];
}

// The reasons of a resolution, as "spelling joined spelling: why".
std::vector<std::string> Reasons(const SpellingsView& spellings, const Resolution& r) {
  std::vector<std::string> out;
  for (const MergeReason& m : r.reasons) {
    out.push_back(spellings[m.spelling].name + " joined " + spellings[m.joined_to].name + ": " +
                  m.why);
  }
  return out;
}

TEST(ResolveSpellings, ANearMatchJoinsOnlyWithASharedAddressNotifyPartyOrSupplier) {
  ShipmentTable t;
  // "PACIFIC AUTO PARTS" and "PACIFIC AUTO PARTY" are one letter apart (0.94): the name alone
  // cannot tell a typo from a second company.
  Add(t, Ship()
             .Buyer("PACIFIC AUTO PARTS INC", "US")
             .Address("1200 Industrial Pkwy.", "Detroit")
             .From("QINGDAO HAIDA TYRE CO LTD", "CN"));
  Add(t, Ship()
             .Buyer("PACIFIC AUTO PARTY INC", "US")
             .Address("88 Harbor Rd", "Oakland")
             .From("DAEJIN TIRE CO LTD", "KR"));
  // The same address, written another way: one company.
  Add(t, Ship()
             .Buyer("KEYSTONE BRAKE & CHASSIS INC", "US")
             .Address("2150 Industrial Blvd", "Allentown")
             .From("ZF FRIEDRICHSHAFEN AG", "DE"));
  Add(t, Ship()
             .Buyer("KEYSTNOE BRAKE & CHASSIS INC", "US")
             .Address("2150 INDUSTRIAL BLVD.", "ALLENTOWN")
             .From("HANIL BRAKE CO LTD", "KR"));
  // No address, but a common supplier, spelled another way (the same NameKey).
  Add(t, Ship().Buyer("GREAT LAKES BRAKE SUPPLY", "US").From("Robert Bosch GmbH", "DE"));
  Add(t, Ship().Buyer("GREAT LAKES BRAKE SUPPYL", "US").From("ROBERT BOSCH G.M.B.H.", "DE"));
  // The same notify party, and nothing else in common.
  Add(t, Ship()
             .Buyer("SUNBELT IMPORT PARTS LLC", "US")
             .From("PUNE PRECISION AUTOCOMP", "IN")
             .Notify("Livingston International Inc"));
  Add(t, Ship()
             .Buyer("SUNBELT IMPROT PARTS LLC", "US")
             .From("CHENNAI FORGE AND AXLE", "IN")
             .Notify("LIVINGSTON INTERNATIONAL"));
  // A placeholder notify party is no evidence, nor is the city alone.
  Add(t, Ship()
             .Buyer("TRI STATE CHASSIS PARTS", "US")
             .From("NAGOYA FRICTION MATERIALS", "JP")
             .Notify("SAME AS CONSIGNEE")
             .Address("45 Meadowlands Pkwy", "Secaucus"));
  Add(t, Ship()
             .Buyer("TRI STATE CHASSIS PARTZ", "US")
             .From("KANSAI PRECISION BEARINGS", "JP")
             .Notify("Same as consignee")
             .Address("9 Paterson Plank Rd", "Secaucus"));
  // Different digits never join, whatever they share.
  Add(t, Ship().Buyer("MOTOR PARTS SUPPLY 1 LLC", "US").Address("7 Oak St", "Dallas"));
  Add(t, Ship().Buyer("MOTOR PARTS SUPPLY 2 LLC", "US").Address("7 Oak St", "Dallas"));

  const Resolution r = ResolveSpellings(t.buyer_spellings(), {});
  EXPECT_FALSE(Together(t, r, "PACIFIC AUTO PARTS INC", "PACIFIC AUTO PARTY INC"));
  EXPECT_TRUE(Together(t, r, "KEYSTONE BRAKE & CHASSIS INC", "KEYSTNOE BRAKE & CHASSIS INC"));
  EXPECT_TRUE(Together(t, r, "GREAT LAKES BRAKE SUPPLY", "GREAT LAKES BRAKE SUPPYL"));
  EXPECT_TRUE(Together(t, r, "SUNBELT IMPORT PARTS LLC", "SUNBELT IMPROT PARTS LLC"));
  EXPECT_FALSE(Together(t, r, "TRI STATE CHASSIS PARTS", "TRI STATE CHASSIS PARTZ"));
  EXPECT_FALSE(Together(t, r, "MOTOR PARTS SUPPLY 1 LLC", "MOTOR PARTS SUPPLY 2 LLC"));
  // Each join names the fact that confirmed it.
  const std::vector<std::string> reasons = Reasons(t.buyer_spellings(), r);
  const std::vector<std::string> expected = {
      "KEYSTONE BRAKE & CHASSIS INC joined KEYSTNOE BRAKE & CHASSIS INC: near match 0.96 "
      "(KEYSTONE BRAKE AND CHASSIS / KEYSTNOE BRAKE AND CHASSIS); same address 2150 INDUSTRIAL "
      "BLVD, ALLENTOWN",
      "GREAT LAKES BRAKE SUPPYL joined GREAT LAKES BRAKE SUPPLY: near match 0.95 (GREAT LAKES "
      "BRAKE SUPPYL / GREAT LAKES BRAKE SUPPLY); same supplier ROBERT BOSCH (DE)",
      "SUNBELT IMPROT PARTS LLC joined SUNBELT IMPORT PARTS LLC: near match 0.94 (SUNBELT IMPROT "
      "PARTS / SUNBELT IMPORT PARTS); same notify party LIVINGSTON INTERNATIONAL",
  };
  EXPECT_EQ(reasons, expected);

  // The user's word still comes first: a merge without evidence, a split despite it.
  const std::vector<EntityRule> rules = {
      {true, "US", "PACIFIC AUTO PARTS INC", "PACIFIC AUTO PARTY INC"},
      {false, "US", "KEYSTONE BRAKE & CHASSIS INC", "KEYSTNOE BRAKE & CHASSIS INC"}};
  const Resolution ruled = ResolveSpellings(t.buyer_spellings(), rules);
  EXPECT_TRUE(Together(t, ruled, "PACIFIC AUTO PARTS INC", "PACIFIC AUTO PARTY INC"));
  EXPECT_FALSE(Together(t, ruled, "KEYSTONE BRAKE & CHASSIS INC", "KEYSTNOE BRAKE & CHASSIS INC"));
}

TEST(ShipmentTable, BuyerEvidenceNamesTheFactsOfEachSpelling) {
  ShipmentTable t;
  Add(t, Ship().Address("1200 Industrial Pkwy.", "Detroit").Notify("Kuehne + Nagel Inc"));
  Add(t, Ship().Address("1200 INDUSTRIAL PKWY", "DETROIT").From("Brembo S.p.A.", "IT"));
  Add(t, Ship().Address("", "Detroit").Notify("TO ORDER"));  // a city alone; a placeholder
  Add(t, Ship().Buyer("ZENITH PARTS LLC", "US").Address("5 Elm St", ""));
  const std::vector<uint32_t> both = {0, 1};
  const Evidence evidence = t.BuyerEvidence(both);
  ASSERT_EQ(evidence.facts.size(), 2U);
  auto named = [&](size_t k) {
    std::vector<std::string> out;
    for (uint32_t id : evidence.facts[k]) out.push_back(evidence.names.at(id));
    std::sort(out.begin(), out.end());
    return out;
  };
  // Two ways of writing one address are one fact; the city alone and "TO ORDER" are none.
  EXPECT_EQ(named(0),
            (std::vector<std::string>{"address 1200 INDUSTRIAL PKWY, DETROIT",
                                      "notify party KUEHNE NAGEL", "supplier BREMBO (IT)"}));
  EXPECT_EQ(named(1), (std::vector<std::string>{"address 5 ELM ST", "supplier BREMBO (IT)"}));
  // One id for one fact across spellings.
  EXPECT_EQ(evidence.names.size(), 4U);
}

TEST(ResolveSpellings, SupplierNearMatchesJoinOnACommonConsignee) {
  ShipmentTable t;
  Add(t, Ship().From("NINGBO HENGDA AUTO PARTS CO LTD", "CN"));
  Add(t, Ship().Buyer("Acme Auto Parts, Inc.", "US").From("NINGBO HENGDA AUTO PRATS CO LTD", "CN"));
  Add(t, Ship().Buyer("ZENITH PARTS LLC", "US").From("SHANDONG JINHUA BRAKE SYSTEMS", "CN"));
  Add(t, Ship().Buyer("OMEGA FRENOS SA", "MX").From("SHANDONG JINHUA BRAKE SYSTEM", "CN"));
  const Resolution r = ResolveSpellings(t.supplier_spellings(), {});
  EXPECT_EQ(r.entity_of[0], r.entity_of[1]);  // both ship to ACME AUTO PARTS (US)
  EXPECT_NE(r.entity_of[2], r.entity_of[3]);  // no consignee in common
  ASSERT_EQ(r.reasons.size(), 1U);
  EXPECT_TRUE(Contains(r.reasons[0].why, "; same consignee ACME AUTO PARTS (US)"));
}

}  // namespace
}  // namespace leadq::trade
