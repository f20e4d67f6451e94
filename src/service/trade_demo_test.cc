#include "service/trade_demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/text.h"
#include "core/time.h"

namespace leadq::service {
namespace {

constexpr std::string_view kColumns[] = {
    "bol_number",       "arrival_date",      "consignee_name",
    "hs_code",          "shipper_name",      "consignee_address",
    "consignee_city",   "consignee_country", "shipper_country",
    "notify_party",     "country_of_origin", "port_of_lading",
    "port_of_unlading", "description",       "carrier",
    "weight_kg",        "containers",        "teu",
    "quantity",         "value_usd"};
enum Col {
  kBol,
  kDate,
  kConsignee,
  kHs,
  kShipper,
  kAddress,
  kCity,
  kCountry,
  kShipperCountry,
  kNotify,
  kOrigin,
  kLading,
  kUnlading,
  kDescription,
  kCarrier,
  kWeight,
  kContainers,
  kTeu,
  kQuantity,
  kValue
};

// One parsed row, with what the checks below need.
struct Row {
  std::vector<std::string> f;
  int64_t age_days = 0;  // before as_of
  std::string hs;        // digits only
  double weight = 0;

  const std::string& operator[](Col c) const { return f[static_cast<size_t>(c)]; }
  bool product() const {
    return hs.starts_with("870830") || hs.starts_with("870880") || hs.starts_with("870899");
  }
  // Where the goods come from: country_of_origin, or on US rows (which have none) the country
  // of the port of lading, as SHIPMENTS.md says a ports table gives it.
  std::string origin() const {
    if (!(*this)[kOrigin].empty()) return (*this)[kOrigin];
    static const std::map<std::string, std::string> kPorts = {
        {"HAMBURG", "DE"},  {"BREMERHAVEN", "DE"}, {"ROTTERDAM", "NL"}, {"ANTWERP", "BE"},
        {"SHANGHAI", "CN"}, {"NINGBO", "CN"},      {"YANTIAN", "CN"},   {"BUSAN", "KR"},
        {"YOKOHAMA", "JP"}, {"NHAVA SHEVA", "IN"}, {"GENOA", "IT"},     {"VALENCIA", "ES"},
        {"SANTOS", "BR"},   {"VERACRUZ", "MX"},    {"GDANSK", "PL"}};
    std::string port = (*this)[kLading].substr(0, (*this)[kLading].find(','));
    auto it = kPorts.find(port);
    return it == kPorts.end() ? "" : it->second;
  }
  // The supplier, as far as a test needs: the first 12 letters of the shipper's name, upper
  // case ("Robert Bosch G.m.b.H." and "ROBERT BOSCH GMBH" are both ROBERTBOSCHG).
  std::string supplier() const {
    std::string key;
    for (char c : (*this)[kShipper]) {
      if (key.size() == 12) break;
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      if (c >= 'A' && c <= 'Z') key += c;
    }
    return key;
  }
};

const TimePoint kAsOf = *ParseTimestamp("2026-11-01");

std::vector<Row> Parse(const std::string& csv, std::vector<std::string>* header = nullptr) {
  std::vector<Row> rows;
  CsvReader reader(csv, 0, csv.size(), 1);
  bool first = true;
  while (reader.Next()) {
    std::vector<std::string> fields(reader.fields().begin(), reader.fields().end());
    if (first) {
      if (header != nullptr) *header = fields;
      first = false;
      continue;
    }
    Row row;
    row.f = std::move(fields);
    rows.push_back(std::move(row));
  }
  EXPECT_TRUE(reader.status().ok());
  for (Row& row : rows) {
    if (row.f.size() != std::size(kColumns)) continue;  // reported by the field test
    if (std::optional<TimePoint> t = ParseTimestamp(row[kDate]))
      row.age_days = (kAsOf - *t) / kMicrosPerDay;
    for (char c : row[kHs])
      if (c >= '0' && c <= '9') row.hs += c;
    row.weight = ParseNumber(row[kWeight]).value_or(0);
  }
  return rows;
}

TradeDemo Generate(int buyers = 150, uint64_t seed = 7) {
  TradeDemoOptions options;
  options.as_of = kAsOf;
  options.buyers = buyers;
  options.seed = seed;
  return GenerateTradeDemo(options);
}

// The story's kind: the text before the first colon.
std::string KindOf(const TradeDemoStory& story) {
  return story.story.substr(0, story.story.find(':'));
}

// The rows of a designed buyer: those at the address of the rows that carry its spelling (each
// designed buyer has an address of its own).
std::vector<const Row*> RowsOf(const std::vector<Row>& rows, const TradeDemoStory& story) {
  std::string address;
  for (const Row& r : rows)
    if (r[kConsignee] == story.spelling && r[kCountry] == story.country) address = r[kAddress];
  std::vector<const Row*> out;
  for (const Row& r : rows)
    if (!address.empty() && r[kAddress] == address && r[kCountry] == story.country)
      out.push_back(&r);
  return out;
}

// The movement signals of SHIPMENTS.md over product rows: last 12 months against the 12 before.
struct Movement {
  double new_supplier_share = 0;  // of last-period product shipments, suppliers first seen then
  double volume_growth = 0;       // product weight, last period against the one before
  double hhi = 0;                 // of last-period product shipments by supplier
  double origin_shift = 0;        // the largest fall of an origin's share, in share points / 100
  std::set<std::string> last_suppliers;
};

Movement MovementOf(const std::vector<const Row*>& rows) {
  Movement m;
  std::map<std::string, int64_t> first_seen;  // supplier -> oldest age
  std::map<std::string, int> last_by_supplier;
  std::map<std::string, int> last_by_origin, before_by_origin;
  double last_kg = 0, before_kg = 0;
  int last = 0, before = 0;
  for (const Row* r : rows) {
    if (!r->product()) continue;
    int64_t& seen = first_seen[r->supplier()];
    seen = std::max(seen, r->age_days);
    if (r->age_days < 365) {
      ++last;
      last_kg += r->weight;
      ++last_by_supplier[r->supplier()];
      ++last_by_origin[r->origin()];
    } else if (r->age_days < 730) {
      ++before;
      before_kg += r->weight;
      ++before_by_origin[r->origin()];
    }
  }
  int new_count = 0;
  for (const auto& [supplier, n] : last_by_supplier) {
    m.last_suppliers.insert(supplier);
    if (first_seen[supplier] < 365) new_count += n;
    m.hhi += (static_cast<double>(n) / last) * (static_cast<double>(n) / last);
  }
  if (last > 0) m.new_supplier_share = static_cast<double>(new_count) / last;
  if (before_kg > 0) m.volume_growth = last_kg / before_kg - 1;
  if (last > 0 && before > 0) {
    for (const auto& [origin, n] : before_by_origin) {
      double fall =
          static_cast<double>(n) / before - static_cast<double>(last_by_origin[origin]) / last;
      m.origin_shift = std::max(m.origin_shift, fall);
    }
  }
  return m;
}

bool AnyMovement(const Movement& m) {
  // The example model's thresholds: 20% new, +25% volume, HHI 0.6, 15 points of origin share.
  return m.new_supplier_share >= 0.2 || m.volume_growth >= 0.25 || m.hhi >= 0.6 ||
         m.origin_shift >= 0.15;
}

int RecentProductShipments(const std::vector<const Row*>& rows) {
  int n = 0;
  for (const Row* r : rows) n += r->product() && r->age_days < 365;
  return n;
}

int ActiveMonths(const std::vector<const Row*>& rows) {
  std::set<std::string> months;
  for (const Row* r : rows)
    if (r->age_days < 730) months.insert((*r)[kDate].substr(0, 7));
  return static_cast<int>(months.size());
}

double NotifyShare(const std::vector<const Row*>& rows) {
  int n = 0;
  for (const Row* r : rows) n += !(*r)[kNotify].empty();
  return rows.empty() ? 0 : static_cast<double>(n) / static_cast<double>(rows.size());
}

int FromGermany(const std::vector<const Row*>& rows) {
  int n = 0;
  for (const Row* r : rows) n += r->origin() == "DE";
  return n;
}

// Declared USD per kg on the product rows: {min, max}.
std::pair<double, double> ValuePerKg(const std::vector<const Row*>& rows) {
  double lo = 1e9, hi = 0;
  for (const Row* r : rows) {
    if (!r->product()) continue;
    double v = ParseNumber((*r)[kValue]).value_or(0) / r->weight;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

TEST(TradeDemoTest, SameSeedSameBytesOtherSeedOtherData) {
  TradeDemo a = Generate(), b = Generate(), c = Generate(150, 8);
  EXPECT_EQ(a.shipments_csv, b.shipments_csv);
  EXPECT_EQ(a.stories, b.stories);
  EXPECT_EQ(a.access, b.access);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_NE(a.shipments_csv, c.shipments_csv);
  // The designed buyers do not depend on the seed; only their dates and weights do.
  EXPECT_EQ(a.stories, c.stories);
}

TEST(TradeDemoTest, EveryRowHasTheRequiredFieldsAndParses) {
  TradeDemo demo = Generate();
  std::vector<std::string> header;
  std::vector<Row> rows = Parse(demo.shipments_csv, &header);
  ASSERT_EQ(header.size(), std::size(kColumns));
  for (size_t i = 0; i < header.size(); ++i) EXPECT_EQ(header[i], kColumns[i]);
  EXPECT_EQ(rows.size(), demo.rows);
  // About 20 rows a buyer over three years: 150 buyers give a few thousand rows.
  EXPECT_GT(rows.size(), 1500u);
  EXPECT_LT(rows.size(), 6000u);
  std::set<std::pair<std::string, std::string>> keys;
  std::string previous_date;
  int64_t oldest = 0;
  for (const Row& r : rows) {
    ASSERT_EQ(r.f.size(), std::size(kColumns)) << r[kBol];
    for (Col c : {kBol, kDate, kConsignee, kHs, kShipper, kCountry, kShipperCountry, kDescription,
                  kCarrier, kWeight, kQuantity})
      EXPECT_FALSE(r[c].empty()) << r[kBol] << " column " << kColumns[c];
    std::optional<TimePoint> date = ParseTimestamp(r[kDate]);
    ASSERT_TRUE(date.has_value()) << r[kDate];
    EXPECT_EQ(r[kDate].size(), 10u);
    EXPECT_LT(*date, kAsOf);
    EXPECT_GE(r[kDate], previous_date) << "rows are oldest first";
    previous_date = r[kDate];
    oldest = std::max(oldest, r.age_days);
    EXPECT_GE(r.hs.size(), 4u);
    EXPECT_LE(r.hs.size(), 10u);
    EXPECT_TRUE(keys.insert({r[kBol], r.hs}).second) << "bol_number + hs_code repeats: " << r[kBol];
    EXPECT_EQ(r[kCountry].size(), 2u);
    EXPECT_EQ(r[kShipperCountry].size(), 2u);
    EXPECT_NE(r[kCountry], r[kShipperCountry]) << "an import crosses a border";
    for (Col c : {kWeight, kContainers, kTeu, kQuantity, kValue}) {
      if (r[c].empty()) continue;
      std::optional<double> v = ParseNumber(r[c]);
      ASSERT_TRUE(v.has_value()) << r[kBol] << " " << kColumns[c] << " = " << r[c];
      EXPECT_GT(*v, 0);
    }
    EXPECT_EQ(FindInvalidUtf8(r[kConsignee]), std::string_view::npos);
  }
  // Three years of history: the oldest row is 35 to 37 months old (36 x 30.44 = 1,096 days).
  EXPECT_GT(oldest, 1040);
  EXPECT_LT(oldest, 1130);
}

TEST(TradeDemoTest, OriginAndValueColumnsFollowEachCountrysCustomsData) {
  std::vector<Row> rows = Parse(Generate().shipments_csv);
  const std::set<std::string> kUsPorts = {"HAMBURG",  "BREMERHAVEN", "ROTTERDAM", "ANTWERP",
                                          "SHANGHAI", "NINGBO",      "YANTIAN",   "BUSAN",
                                          "YOKOHAMA", "NHAVA SHEVA", "GENOA",     "VALENCIA",
                                          "SANTOS",   "VERACRUZ",    "GDANSK"};
  std::map<std::string, int> by_country;
  int with_notify = 0;
  for (const Row& r : rows) {
    const std::string& country = r[kCountry];
    ++by_country[country];
    with_notify += !r[kNotify].empty();
    if (country == "US") {
      EXPECT_TRUE(r[kOrigin].empty()) << "US manifests carry no country of origin: " << r[kBol];
      std::string port = r[kLading].substr(0, r[kLading].find(','));
      EXPECT_TRUE(kUsPorts.contains(port)) << r[kLading];
    } else {
      EXPECT_EQ(r[kOrigin].size(), 2u) << r[kBol];
    }
    bool declares = country == "BR" || country == "MX";
    EXPECT_EQ(!r[kValue].empty(), declares) << country << " " << r[kBol];
  }
  for (std::string_view market : {"US", "BR", "MX", "PL"})
    EXPECT_GT(by_country[std::string(market)], 200) << market;
  int elsewhere = static_cast<int>(rows.size()) - by_country["US"] - by_country["BR"] -
                  by_country["MX"] - by_country["PL"];
  EXPECT_GT(elsewhere, 0) << "a few buyers outside the model's markets";
  // A forwarder or broker on most, not all, shipments.
  double share = static_cast<double>(with_notify) / static_cast<double>(rows.size());
  EXPECT_GT(share, 0.5);
  EXPECT_LT(share, 0.9);
}

TEST(TradeDemoTest, NotEveryImportIsAProductImportAndSuppliersAreSpelledSeveralWays) {
  std::vector<Row> rows = Parse(Generate().shipments_csv);
  std::map<std::string, int> chapters;
  std::set<std::string> shippers;
  for (const Row& r : rows) {
    ++chapters[r.hs.substr(0, 4)];
    shippers.insert(r[kShipper]);
  }
  EXPECT_GT(chapters["8708"], static_cast<int>(rows.size()) / 3);
  EXPECT_GT(chapters["4011"], 0);
  EXPECT_GT(chapters["8421"], 0);
  EXPECT_GT(chapters["8512"], 0);
  EXPECT_TRUE(shippers.contains("Robert Bosch GmbH"));
  EXPECT_TRUE(shippers.contains("ROBERT BOSCH GMBH"));
  EXPECT_TRUE(shippers.contains("BOSCH GMBH"));
}

TEST(TradeDemoTest, StoriesCountAndAccess) {
  TradeDemo demo = Generate();
  std::map<std::string, int> kinds;
  std::set<std::string> qualified_markets;
  for (const TradeDemoStory& s : demo.stories) {
    ++kinds[KindOf(s)];
    if (KindOf(s) == "qualified") qualified_markets.insert(s.country);
  }
  EXPECT_EQ(demo.stories.size(), 20u);
  EXPECT_EQ(kinds["qualified"], 10);
  EXPECT_EQ(kinds["no recent activity"], 2);
  EXPECT_EQ(kinds["never imported from DE"], 2);
  EXPECT_EQ(kinds["no movement"], 2);
  EXPECT_EQ(kinds["margin-negative"], 2);
  EXPECT_EQ(kinds["no access"], 1);
  EXPECT_EQ(kinds["access unknown"], 1);
  EXPECT_EQ(qualified_markets, (std::set<std::string>{"BR", "MX", "PL", "US"}));
  for (const TradeDemoStory& s : demo.stories) {
    auto access =
        std::find_if(demo.access.begin(), demo.access.end(), [&](const TradeDemoAccess& a) {
          return a.country == s.country && a.spelling == s.spelling;
        });
    if (KindOf(s) == "access unknown") {
      EXPECT_EQ(access, demo.access.end()) << s.spelling;
      continue;
    }
    ASSERT_NE(access, demo.access.end()) << s.spelling;
    EXPECT_EQ(access->access, KindOf(s) != "no access") << s.spelling;
    EXPECT_FALSE(access->note.empty());
  }
  // Only the designed buyers have access recorded as yes (so that no random buyer qualifies).
  int yes = 0;
  for (const TradeDemoAccess& a : demo.access) yes += a.access;
  EXPECT_EQ(yes, 18);  // 20 stories less "no access" and "access unknown"
}

TEST(TradeDemoTest, EachDesignedBuyerIsWrittenSeveralWays) {
  TradeDemo demo = Generate();
  std::vector<Row> rows = Parse(demo.shipments_csv);
  for (const TradeDemoStory& s : demo.stories) {
    std::vector<const Row*> own = RowsOf(rows, s);
    ASSERT_FALSE(own.empty()) << s.spelling;
    std::set<std::string> spellings;
    for (const Row* r : own) spellings.insert((*r)[kConsignee]);
    EXPECT_GE(spellings.size(), 2u) << s.spelling;
  }
}

TEST(TradeDemoTest, SmallBuyerCountWritesOnlyTheDesignedBuyers) {
  TradeDemo demo = Generate(5);
  std::vector<Row> rows = Parse(demo.shipments_csv);
  std::set<std::string> addresses;
  for (const Row& r : rows) addresses.insert(r[kCountry] + "|" + r[kAddress]);
  EXPECT_EQ(demo.stories.size(), 20u);
  EXPECT_EQ(addresses.size(), 20u);
}

// Each story, checked on its rows with the example model's thresholds (as_of 2026-11-01; "last
// 12 months" = under 365 days, the 24-month history = under 730 days).
TEST(TradeDemoTest, EachStoryHasTheShapeItClaims) {
  TradeDemo demo = Generate();
  std::vector<Row> rows = Parse(demo.shipments_csv);
  for (const TradeDemoStory& s : demo.stories) {
    SCOPED_TRACE(s.spelling + ": " + s.story);
    std::vector<const Row*> own = RowsOf(rows, s);
    std::string kind = KindOf(s);
    Movement m = MovementOf(own);
    bool otherwise_qualified =
        kind == "qualified" || kind == "no access" || kind == "access unknown";
    if (kind != "no recent activity") {
      // Activity: 4 product shipments in the last 12 months.
      EXPECT_GE(RecentProductShipments(own), 4);
    }
    // Capability, the parts every story keeps: 6 active months of 24, half with a broker.
    EXPECT_GE(ActiveMonths(own), 6);
    EXPECT_GE(NotifyShare(own), 0.5);
    if (otherwise_qualified || kind == "margin-negative") {
      EXPECT_GE(FromGermany(own), 1);
      EXPECT_TRUE(AnyMovement(m)) << "new " << m.new_supplier_share << " growth " << m.volume_growth
                                  << " hhi " << m.hhi << " shift " << m.origin_shift;
    }
    if (s.country == "BR" && otherwise_qualified) {
      // German 8708.30 lands in Brazil at about 6.9 USD/kg (38 EUR FOB + freight, insurance,
      // 16% duty, AFRMM, 18% tax = 57.72 EUR = 62.33 USD for 9 kg); 8% under a declared 9 USD/kg
      // (81 USD a unit) passes.
      auto [lo, hi] = ValuePerKg(own);
      EXPECT_GE(lo, 9.0 - 0.01);
      EXPECT_LE(hi, 12.0 + 0.01);
    }
    if (kind == "margin-negative") {
      ASSERT_EQ(s.country, "BR");
      // 4.5 USD/kg is 40.50 USD for a 9 kg unit, well under the 62.33 USD landed cost.
      auto [lo, hi] = ValuePerKg(own);
      EXPECT_GE(lo, 3.5 - 0.01);
      EXPECT_LE(hi, 4.5 + 0.01);
    }
    if (kind == "no recent activity") {
      int64_t newest = 100000;
      int recent_any = 0;
      for (const Row* r : own) {
        if (r->product()) newest = std::min(newest, r->age_days);
        recent_any += r->age_days < 365;
      }
      // 14 to 20 months: 426 to 609 days.
      EXPECT_GE(newest, 426);
      EXPECT_LE(newest, 609);
      EXPECT_GT(recent_any, 0) << "other imports go on";
    }
    if (kind == "never imported from DE") {
      for (const Row* r : own) {
        EXPECT_TRUE((*r)[kShipperCountry] == "CN" || (*r)[kShipperCountry] == "IN" ||
                    (*r)[kShipperCountry] == "KR")
            << (*r)[kShipper];
        EXPECT_NE(r->origin(), "DE");
        EXPECT_NE((*r)[kOrigin], "DE");
        EXPECT_EQ((*r)[kLading].find("HAMBURG"), std::string::npos);
        EXPECT_EQ((*r)[kLading].find("BREMERHAVEN"), std::string::npos);
      }
      EXPECT_TRUE(AnyMovement(m));
    }
    if (kind == "no movement") {
      // 4 + 4 + 4 product shipments a year: HHI = 3 x (1/3)^2 = 0.33.
      EXPECT_EQ(m.last_suppliers.size(), 3u);
      EXPECT_NEAR(m.hhi, 1.0 / 3, 0.01);
      EXPECT_EQ(m.new_supplier_share, 0);
      EXPECT_LT(std::abs(m.volume_growth), 0.10);
      EXPECT_LT(m.origin_shift, 0.05);
      EXPECT_FALSE(AnyMovement(m));
    }
  }
}

}  // namespace
}  // namespace leadq::service
