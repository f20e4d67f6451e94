// The synthetic customs records of `leadq trade demo`: three years of bill-of-lading lines of
// auto-parts importers in the US, Brazil, Mexico and Poland (and a few countries the example
// model leaves out), shaped like a purchased import-data extract, with the access the demo user
// recorded for some buyers. Screened with examples/models/export-auto-parts.toml as of `as_of`,
// 20 designed buyers ("stories") show the criteria at work: 10 come out qualified, the others
// developing, each failing the criterion its story names (or, for "access unknown", leaving it
// unknown; a buyer with no recent activity has no recent movement either). The other buyers have
// random, plausible patterns and no access recorded as yes, so none of them qualifies.
//
// The records look real: each buyer is written several ways (legal forms, punctuation, accents,
// word order, now and then a typo), suppliers too ("BOSCH GMBH", "Robert Bosch GmbH"); most
// shipments name a forwarder or customs broker as the notify party; volumes are seasonal; not
// every import is a product import (tyres, filters, lamps); US rows carry no country of origin
// (only a port of lading) and no value, BR and MX rows carry a declared value in USD. The file is
// clean: every row parses.
//
// Example:
//   TradeDemoOptions options;
//   options.as_of = *ParseTimestamp("2026-11-01");
//   TradeDemo demo = GenerateTradeDemo(options);
//   // demo.shipments_csv: "bol_number,arrival_date,consignee_name,...\nMAEU...\n"
//   // demo.stories[0]: {"US", "Keystone Brake & Chassis, Inc.", "qualified: ..."}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace leadq::service {

struct TradeDemoOptions {
  // Buyers in the file, the designed ones included (there are 20 of them; a smaller number
  // still writes all 20 and no others).
  int buyers = 150;
  // The only source of randomness: the same options give byte-identical output everywhere.
  uint64_t seed = 7;
  // The "now" of the data: every arrival is before it, the oldest about 36 months before.
  TimePoint as_of = 0;

  bool operator==(const TradeDemoOptions&) const = default;
};

// What the demo user recorded about reaching a buyer's decision makers.
struct TradeDemoAccess {
  std::string country;   // ISO alpha-2
  std::string spelling;  // a consignee_name used in the records for this buyer
  bool access = false;
  std::string note;  // "met at Automechanika, buyer is the purchasing director"

  bool operator==(const TradeDemoAccess&) const = default;
};

// One designed buyer and what screening it should show.
struct TradeDemoStory {
  std::string country;   // ISO alpha-2
  std::string spelling;  // its most frequent consignee_name
  // "<kind>: <detail>", kind one of "qualified", "no recent activity", "never imported from DE",
  // "no movement", "margin-negative", "no access", "access unknown"; the detail names the
  // criterion meant to fail and the figures designed in.
  std::string story;

  bool operator==(const TradeDemoStory&) const = default;
};

struct TradeDemo {
  // The header line (bol_number, arrival_date, consignee_name, hs_code, shipper_name,
  // consignee_address, consignee_city, consignee_country, shipper_country, notify_party,
  // country_of_origin, port_of_lading, port_of_unlading, description, carrier, weight_kg,
  // containers, teu, quantity, value_usd) and one row per bill-of-lading line, oldest first.
  std::string shipments_csv;
  std::vector<TradeDemoAccess> access;  // what the demo user recorded
  std::vector<TradeDemoStory> stories;  // the designed buyers, in a fixed order
  uint64_t rows = 0;                    // data rows in shipments_csv
};

// Generates the demo data. Deterministic: the same options give the same bytes. Dates are
// relative to options.as_of (its day; the time of day is ignored). Cannot fail; a `buyers`
// below the number of designed buyers writes only those. Thread-safe: no shared state.
TradeDemo GenerateTradeDemo(const TradeDemoOptions& options);

}  // namespace leadq::service
