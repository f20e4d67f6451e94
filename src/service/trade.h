// Export pre-qualification use cases (`leadq trade ...`, ../shared/spec/SHIPMENTS.md): import
// bill-of-lading records, list resolved buyers, force or forbid merges, record access, promote a
// buyer to an account, screen buyers into a shortlist, and compute a landed cost alone.
//
// Each use case is one transaction. Screening reads every shipment of the workspace into a
// trade::ShipmentTable and applies the [export] section of the active model (or of a model file
// given with `model_file`); the user's merge/split rules, access notes and promoted accounts
// come from the store. Nothing here prints: the CLI and the HTTP API format the results.
//
// Example:
//   LEADQ_TRY(TradeImportReport r, ImportShipments(ws, {.file = "bol.csv", .now = now}));
//   LEADQ_TRY(ShortlistResult s, Shortlist(ws, {.as_of = now}));
//   std::cout << ShortlistText(s, {.top = 40});
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "model/model.h"
#include "service/lifecycle_ops.h"
#include "service/workspace.h"
#include "store/store.h"
#include "trade/landed_cost.h"
#include "trade/screen.h"
#include "trade/tariff.h"

namespace leadq::service {

// ---- import

struct TradeImportRequest {
  std::filesystem::path file;
  std::string map;  // a mapping file ([columns] bol_number = "Bill of Lading"); empty: none
  bool partial = false;
  std::optional<std::filesystem::path> rejects;  // default: <workspace>/rejects/<file>.rejects.csv
  TimePoint now = 0;
};

struct TradeImportReport {
  uint64_t rows = 0;
  uint64_t rejected = 0;
  store::WriteStats stats;
  bool committed = false;
  std::filesystem::path rejects_file;
  std::string first_reasons;          // the first few, "file:line: reason"
  std::vector<std::string> warnings;  // unknown HS codes (kept), ...
};

// Reads shipment records (columns by key; bol_number, arrival_date, consignee_name, hs_code and
// shipper_name required, as SHIPMENTS.md; consignee_country should be there, since buyers are
// resolved within a country), rejecting rows with a missing or unparsable required field, date,
// country code or number, and upserts them by (bol_number, hs_code). All-or-nothing unless `partial`.
Result<TradeImportReport> ImportShipments(Workspace& ws, const TradeImportRequest& request);

// ---- the export model

struct TradeModel {
  int64_t version = 0;  // 0: read from a file
  model::Model model;   // has an [export] section
  trade::TariffTable tariffs;
  std::vector<std::string> warnings;  // product HS prefixes unknown to the nomenclature, ...
};

// The [export] model: `file` when given, else the workspace's active version. Fails when it has
// no [export] section or a tariff file does not parse (file:line and the rate string).
Result<TradeModel> LoadTradeModel(Workspace& ws, store::Transaction& tx,
                                  const std::optional<std::filesystem::path>& file);
// The same checks for a model already loaded (`leadq model check`).
Result<TradeModel> CompileTradeModel(model::Model model);
// The [export] section in words, for `leadq model check`: origin, products, the criteria's
// thresholds, each destination's customs rule and tariff lines, and the warnings.
std::string DescribeExport(const TradeModel& model);

// ---- buyers, merges, access, promotion

struct BuyerSummary {
  std::string id, name, country;
  struct Named {
    std::string name;
    uint64_t shipments = 0;
  };
  std::vector<Named> spellings;            // most shipments first
  std::vector<std::string> merge_reasons;  // "ACME AUTO PARTS LLC joined ACME AUTO PARTS INC: ..."
  uint64_t shipments = 0;
  std::string first_date, last_date;
  std::vector<Named> suppliers;  // resolved, most shipments first
  std::vector<Named> origins;    // countries, most shipments first
  std::vector<Named> hs_codes;   // 6-digit, most shipments first
  std::string account_id;        // when promoted
};

struct BuyersQuery {
  std::string country;    // empty: all
  std::string hs_prefix;  // digits; empty: all. Buyers with at least one shipment under it
  std::string search;     // a spelling, or part of one (any case); empty: all
};

Result<std::vector<BuyerSummary>> ListBuyers(Workspace& ws, const BuyersQuery& query);
std::string BuyersText(const std::vector<BuyerSummary>& buyers, ListFormat format);

struct TradeRuleRequest {
  bool merge = true;
  std::string role = "buyer";  // or "supplier"
  std::string country;
  std::string a, b;  // spellings as written (any case and spacing)
  std::string by, note;
  TimePoint now = 0;
};
// Records a merge (force) or split (forbid) of two spellings. NotFound when a spelling occurs in
// no shipment of that country (with the closest spellings that do).
Result<store::TradeRule> AddTradeRule(Workspace& ws, const TradeRuleRequest& request);

// A buyer named by its id ("us-acme-auto-parts") or by one of its spellings; `country` narrows
// a spelling found in several countries.
struct BuyerRef {
  std::string text;
  std::string country;
};

struct AccessRequest {
  BuyerRef buyer;
  bool access = true;
  std::string note;  // who, how: "purchasing director met at Automechanika"
  std::string by;
  TimePoint now = 0;
};
Result<BuyerSummary> RecordAccess(Workspace& ws, const AccessRequest& request);

struct PromoteRequest {
  BuyerRef buyer;
  std::string account_id;  // empty: the buyer's id
  std::string by;
  TimePoint now = 0;
};
struct PromoteResult {
  std::string account_id;
  BuyerSummary buyer;
  bool created = false;  // false: the account existed and was updated
};
// Makes a buyer an account of the workspace (name, country, city, the notify parties as a note,
// source "customs records"), so that contacts, frameworks, owners and the lifecycle apply; the
// access criterion then reads the account's contacts and their decision roles.
Result<PromoteResult> PromoteBuyer(Workspace& ws, const PromoteRequest& request);

// ---- shortlist

struct ShortlistRequest {
  std::optional<std::filesystem::path> model_file;
  TimePoint as_of = 0;
};

struct ShortlistResult {
  trade::Screening screening;
  std::string model_name;
  int64_t model_version = 0;  // 0: from a file
  std::string currency;       // the seller's
  TimePoint as_of = 0;
  uint64_t shipments = 0;
  std::vector<std::string> warnings;
};

Result<ShortlistResult> Shortlist(Workspace& ws, const ShortlistRequest& request);

struct ShortlistView {
  size_t top = 40;                  // 0: all
  std::optional<trade::Tier> tier;  // only this tier
};
std::string ShortlistText(const ShortlistResult& result, const ShortlistView& view);
std::string ShortlistCsv(const ShortlistResult& result, const ShortlistView& view);
std::string ShortlistJson(const ShortlistResult& result, const ShortlistView& view);

// ---- landed cost alone

struct LandedCostRequest {
  std::optional<std::filesystem::path> model_file;  // else the active model
  std::string hs;                                   // the code being quoted
  std::string to;                                   // destination country
  trade::Incoterm incoterm = trade::Incoterm::kFob;
  std::optional<double> price;             // per unit, seller currency; else the product's FOB
  std::optional<double> freight_per_unit;  // seller currency; else the destination's freight
  std::optional<double> units_per_entry;   // else the destination's
};
struct LandedCostResult {
  trade::LandedCost cost;
  std::string product;  // which [[export.product]] priced it
  std::string tariff;   // the tariff line used, "2.5% (8708.30.50, tariffs/us-hts-8708.csv:4)"
  std::string hs_description;
};
Result<LandedCostResult> ComputeLandedCostFor(Workspace* ws, const LandedCostRequest& request);
std::string LandedCostText(const LandedCostResult& result);
std::string LandedCostJson(const LandedCostResult& result);

// ---- demo

struct TradeDemoRun {
  std::filesystem::path dir = "trade-demo";
  int buyers = 150;
  uint64_t seed = 7;
  TimePoint as_of = 0;
  std::string by = "demo";
};
struct TradeDemoReport {
  std::filesystem::path shipments_file, model_file, workspace_dir;
  uint64_t rows = 0;
  size_t access_notes = 0;
  ShortlistResult shortlist;
  std::vector<std::pair<std::string, std::string>> stories;  // "name (country)", story
};
// Writes synthetic customs records (service/trade_demo.h) and the example export model with its
// tariff files to `dir`, makes (or reopens) the workspace dir/workspace, applies the model,
// imports the records, records the demo user's access notes and screens the buyers. Running it
// twice changes nothing the second time.
Result<TradeDemoReport> RunTradeDemo(const TradeDemoRun& run);

}  // namespace leadq::service
