// Shipment records in columns, as the screening reads them (../shared/spec/SHIPMENTS.md).
//
// A ShipmentTable interns the strings of bill-of-lading lines once (consignee and shipper
// spellings with their country, HS codes, countries, notify parties) and keeps the rest as
// numbers, so that 5 million lines fit in a few hundred megabytes and the screening loops over
// integers. The origin of each line is resolved when it is added: `country_of_origin` when the
// record has one, else the country of `port_of_lading` from the ports table (trade/ports.h),
// else `shipper_country` (US manifests carry no origin). The table also answers what the lines
// of a spelling say besides the name (BuyerEvidence, SupplierEvidence), which entity resolution
// needs before it joins two spellings that are only near matches.
//
// Not thread-safe while adding; read-only use from several threads is safe.
//
// Example:
//   ShipmentTable table;
//   table.Add(ShipmentView{.bol_number = "MAEU1", .hs_code = "870830", .day = 20577, ...});
//   table.buyer_spellings()[table.buyer[0]].name  // "ACME AUTO PARTS INC"
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "trade/entities.h"

namespace leadq::trade {

// One line as the caller has it (borrowed strings; the table copies what it keeps).
struct ShipmentView {
  std::string_view bol_number;
  std::string_view hs_code;  // digits
  int64_t day = 0;           // arrival, days since the epoch
  std::string_view consignee_name, consignee_country;
  std::string_view consignee_address, consignee_city;  // for BuyerEvidence; may be empty
  std::string_view shipper_name, shipper_country;
  std::string_view notify_party, country_of_origin, port_of_lading;
  std::optional<double> weight_kg, teu, quantity, value_usd;
};

// A name as written (DisplaySpelling form) in one country.
struct CountrySpelling {
  std::string country;
  std::string name;
  uint32_t shipments = 0;
};

// Interns strings to dense ids, first seen first.
class Interner {
 public:
  uint32_t Id(std::string_view text);
  const std::string& Text(uint32_t id) const { return texts_[id]; }
  size_t size() const { return texts_.size(); }
  // The id of `text`, or -1 when it was never interned.
  int64_t Find(std::string_view text) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

 private:
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> texts_;
};

class ShipmentTable;

// The spellings of one role of a ShipmentTable (consignees or shippers), first seen first. Reads
// like a const std::vector<CountrySpelling>; EvidenceOf reads the table's lines, which is what
// ResolveSpellings (trade/screen.h) needs besides the names. Borrows the table: valid while the
// table lives.
class SpellingsView {
 public:
  size_t size() const { return spellings_->size(); }
  bool empty() const { return spellings_->empty(); }
  const CountrySpelling& operator[](size_t i) const { return (*spellings_)[i]; }
  std::vector<CountrySpelling>::const_iterator begin() const { return spellings_->begin(); }
  std::vector<CountrySpelling>::const_iterator end() const { return spellings_->end(); }

  // ShipmentTable::BuyerEvidence or SupplierEvidence, by the role of the spellings.
  trade::Evidence EvidenceOf(std::span<const uint32_t> spellings) const;

 private:
  friend class ShipmentTable;
  SpellingsView(const ShipmentTable& table, const std::vector<CountrySpelling>& spellings,
                bool buyers)
      : table_(&table), spellings_(&spellings), buyers_(buyers) {}

  const ShipmentTable* table_;
  const std::vector<CountrySpelling>* spellings_;
  bool buyers_;
};

class ShipmentTable {
 public:
  void Add(const ShipmentView& row);
  size_t size() const { return day.size(); }

  SpellingsView buyer_spellings() const { return {*this, buyer_spellings_, true}; }
  SpellingsView supplier_spellings() const { return {*this, supplier_spellings_, false}; }

  // What the lines of each of `spellings` (indexes into buyer_spellings(), ascending) say besides
  // the name, as Evidence (trade/entities.h): per spelling its sorted fact ids, and the names of
  // the facts, equal for the same fact: "address 1200 INDUSTRIAL PKWY, DETROIT" (AddressKey of
  // the address and the city; a city alone is no evidence: one port city has thousands of
  // importers), "notify party EXPEDITORS INTERNATIONAL" (its NameKey; placeholders such as "SAME
  // AS CONSIGNEE" or "TO ORDER" left out), "supplier ROBERT BOSCH (DE)" (the shipper's NameKey and
  // country). A spelling keeps its first kMaxAddresses addresses. One pass over the lines, so
  // ask once for all the spellings at stake; thread-safe for concurrent readers.
  trade::Evidence BuyerEvidence(std::span<const uint32_t> spellings) const;
  // The same for supplier_spellings(): the consignees they ship to, "consignee ACME AUTO PARTS
  // (US)" (NameKey and country).
  trade::Evidence SupplierEvidence(std::span<const uint32_t> spellings) const;

  const Interner& hs_codes() const { return hs_; }
  const Interner& countries() const { return countries_; }
  const Interner& notify_parties() const { return notify_; }

  // Columns, one entry per line.
  std::vector<int32_t> day;
  std::vector<uint32_t> buyer;     // index into buyer_spellings()
  std::vector<uint32_t> supplier;  // index into supplier_spellings(); kNone without a shipper
  std::vector<uint32_t> hs;        // id in hs_codes()
  std::vector<uint16_t> origin;    // id in countries(); kNoCountry when unknown
  std::vector<uint32_t> notify;    // id in notify_parties(); kNone without one
  std::vector<float> weight_kg;    // NaN when absent
  std::vector<float> value_usd;    // NaN when absent

  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint16_t kNoCountry = UINT16_MAX;
  // Distinct addresses kept per consignee spelling: the look-up on each line stays short.
  static constexpr size_t kMaxAddresses = 16;

 private:
  uint32_t SpellingId(
      std::vector<CountrySpelling>& spellings, Interner& ids,
      std::unordered_map<std::string, uint32_t, Interner::Hash, std::equal_to<>>& raw,
      std::string_view country, std::string_view raw_name);

  std::vector<CountrySpelling> buyer_spellings_, supplier_spellings_;
  // Per consignee spelling (empty past the last one with an address): its distinct
  // "address\x1fcity" as written, first seen first.
  std::vector<std::vector<std::string>> buyer_addresses_;
  Interner buyer_ids_, supplier_ids_, hs_, countries_, notify_;
  // Raw "country\x1fname" -> spelling id: skips normalising a spelling seen before.
  using RawIds = std::unordered_map<std::string, uint32_t, Interner::Hash, std::equal_to<>>;
  RawIds raw_buyers_, raw_suppliers_;
  std::string key_;
};

}  // namespace leadq::trade
