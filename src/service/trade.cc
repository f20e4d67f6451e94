#include "service/trade.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "core/text.h"
#include "service/demo.h"
#include "service/import.h"
#include "service/mapping.h"
#include "service/models.h"
#include "service/trade_demo.h"
#include "trade/entities.h"
#include "trade/hs.h"
#include "trade/shipments.h"

namespace leadq::service {
namespace {

// The columns of SHIPMENTS.md; the first five are required.
constexpr std::array<std::string_view, 20> kShipmentColumns = {
    "bol_number",        "arrival_date",      "consignee_name",
    "hs_code",           "shipper_name",      "consignee_country",
    "consignee_address", "consignee_city",    "shipper_country",
    "notify_party",      "country_of_origin", "port_of_lading",
    "port_of_unlading",  "description",       "carrier",
    "weight_kg",         "containers",        "teu",
    "quantity",          "value_usd"};

bool IsCountry(std::string_view s) {
  return s.size() == 2 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// `s` in upper case, into `out`.
void UpperInto(std::string& out, std::string_view s) {
  out.assign(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
}

std::string Upper(std::string_view s) {
  std::string out;
  UpperInto(out, s);
  return out;
}

std::string_view Cell(const CsvReader& reader, int column) {
  if (column < 0 || static_cast<size_t>(column) >= reader.fields().size()) return {};
  return Trim(reader.fields()[static_cast<size_t>(column)]);
}

// A loaded shipment table and what screening needs from the store.
struct TradeData {
  trade::ShipmentTable table;
  std::vector<trade::EntityRule> buyer_rules, supplier_rules;
  std::vector<store::BuyerNote> notes;
  uint64_t shipments = 0;
};

Result<TradeData> LoadTradeData(store::Transaction& tx) {
  TradeData data;
  LEADQ_TRY(tx.ScanShipments([&](const store::ShipmentRow& row) {
    trade::ShipmentView v;
    v.bol_number = row.bol_number;
    v.hs_code = row.hs_code;
    v.day = row.arrival / kMicrosPerDay;
    v.consignee_name = row.consignee_name;
    v.consignee_country = row.consignee_country;
    v.consignee_address = row.consignee_address;  // evidence that confirms a near match
    v.consignee_city = row.consignee_city;
    v.shipper_name = row.shipper_name;
    v.shipper_country = row.shipper_country;
    v.notify_party = row.notify_party;
    v.country_of_origin = row.country_of_origin;
    v.port_of_lading = row.port_of_lading;
    v.weight_kg = row.weight_kg;
    v.teu = row.teu;
    v.quantity = row.quantity;
    v.value_usd = row.value_usd;
    data.table.Add(v);
    ++data.shipments;
    return true;
  }));
  LEADQ_TRY(std::vector<store::TradeRule> rules, tx.TradeRules());
  for (const store::TradeRule& r : rules) {
    trade::EntityRule rule{r.kind == "merge", r.country, trade::DisplaySpelling(r.a),
                           trade::DisplaySpelling(r.b)};
    (r.role == "supplier" ? data.supplier_rules : data.buyer_rules).push_back(std::move(rule));
  }
  LEADQ_TRY(data.notes, tx.BuyerNotes());
  return data;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Import.

Result<TradeImportReport> ImportShipments(Workspace& ws, const TradeImportRequest& request) {
  LEADQ_TRY(CsvFile csv, CsvFile::Open(request.file));
  LEADQ_TRY(Mapping mapping, LoadMapping(request.map, ImportKind::kShipments));
  std::vector<std::string> keys = mapping.KeysFor(csv.columns());
  auto find = [&](std::string_view key) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return static_cast<int>(i);
    }
    return -1;
  };
  std::array<int, kShipmentColumns.size()> col{};
  for (size_t i = 0; i < kShipmentColumns.size(); ++i) col[i] = find(kShipmentColumns[i]);
  for (size_t i = 0; i < 5; ++i) {
    if (col[i] >= 0) continue;
    std::string have;
    for (const std::string& k : keys) {
      if (!k.empty()) have += (have.empty() ? "" : ", ") + k;
    }
    return Status::Invalid(csv.name() + ": no " + std::string(kShipmentColumns[i]) +
                           " column; the columns are: " + have +
                           ". Rename the column or map it with --map FILE ([columns] " +
                           std::string(kShipmentColumns[i]) + " = \"Your header\")");
  }

  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  TradeImportReport report;
  std::vector<RejectedRow> rejects;
  // The whole file in one batch: the store writes each arrival day once (a file is seldom in
  // arrival order). The batch holds the lines encoded, about the file's size.
  store::ShipmentBatch batch;
  batch.Reserve(csv.bytes().size() / 160 + 16, csv.bytes().size() + csv.bytes().size() / 8);
  std::map<std::string, std::pair<uint64_t, int64_t>> unknown_hs;  // code -> (rows, first line)
  const trade::HsNomenclature& hs = trade::HsNomenclature::Builtin();
  std::unordered_map<std::string, bool> hs_known;
  const size_t header_fields = csv.columns().size();
  const std::vector<std::string> column_names(kShipmentColumns.begin(), kShipmentColumns.end());
  std::string consignee_country, shipper_country, origin_country, hs_code;

  CsvReader reader(csv.bytes(), csv.body_begin(), csv.bytes().size(), csv.body_line());
  while (reader.Next()) {
    ++report.rows;
    auto reject = [&](std::string reason) {
      rejects.push_back({reader.line(), std::move(reason),
                         std::vector<std::string>(reader.fields().begin(), reader.fields().end())});
    };
    if (reader.fields().size() != header_fields) {
      reject(std::to_string(reader.fields().size()) + " fields where the header has " +
             std::to_string(header_fields));
      continue;
    }
    auto text = [&](size_t i) { return mapping.MapValue(column_names[i], Cell(reader, col[i])); };
    std::string missing;
    for (size_t i : {0, 1, 2, 3, 4}) {
      if (Cell(reader, col[i]).empty())
        missing += (missing.empty() ? "" : ", ") + std::string(kShipmentColumns[i]);
    }
    if (!missing.empty()) {
      reject("missing " + missing);
      continue;
    }
    store::shipblocks::ShipmentFields row;
    const std::string_view date = text(1);
    std::optional<TimePoint> arrival = ParseTimestamp(date);
    if (!arrival) {
      reject("arrival_date \"" + std::string(date) + "\" is not a date (write 2026-05-02)");
      continue;
    }
    row.arrival = *arrival - (*arrival % kMicrosPerDay + kMicrosPerDay) % kMicrosPerDay;
    const std::string_view hs_text = text(3);
    hs_code = trade::HsDigits(hs_text);
    if (hs_code.size() < 4 || hs_code.size() > 10) {
      reject("hs_code \"" + std::string(hs_text) +
             "\" must be 4 to 10 digits (dots and spaces allowed)");
      continue;
    }
    UpperInto(consignee_country, text(5));
    if (!consignee_country.empty() && !IsCountry(consignee_country)) {
      reject("consignee_country \"" + std::string(text(5)) +
             "\" is not an ISO 3166-1 alpha-2 code (write US)");
      continue;
    }
    UpperInto(shipper_country, text(8));
    UpperInto(origin_country, text(10));
    bool bad = false;
    for (auto [i, code] : {std::pair<size_t, const std::string*>{8, &shipper_country},
                           std::pair<size_t, const std::string*>{10, &origin_country}}) {
      if (!code->empty() && !IsCountry(*code)) {
        reject(std::string(kShipmentColumns[i]) + " \"" + std::string(text(i)) +
               "\" is not an ISO 3166-1 alpha-2 code");
        bad = true;
        break;
      }
    }
    if (bad) continue;
    for (size_t k = 0; k < row.numbers.size() && !bad; ++k) {
      std::string_view cell = Cell(reader, col[15 + k]);
      if (cell.empty()) continue;
      std::optional<double> v = ParseNumber(cell);
      if (!v || !std::isfinite(*v) || *v < 0) {
        reject(std::string(kShipmentColumns[15 + k]) + " \"" + std::string(cell) +
               "\" is not a number >= 0 (write 1250.5)");
        bad = true;
      } else {
        row.numbers[k] = *v;
      }
    }
    if (bad) continue;
    row.bol_number = text(0);
    row.hs_code = hs_code;
    // In ShipmentFields::texts order.
    row.texts = {text(2), text(4),        text(6),  text(7),  consignee_country, shipper_country,
                 text(9), origin_country, text(11), text(12), text(13),          text(14)};
    auto known = hs_known.find(hs_code);
    if (known == hs_known.end()) {
      // Chapter 99 ("commodities not specified according to kind", no section) is not a
      // product code: a record carrying it is as good as unclassified.
      const trade::HsEntry* entry = hs.Longest(hs_code);
      bool ok = entry != nullptr && entry->code.size() >= 4 && !entry->section.empty();
      known = hs_known.emplace(hs_code, ok).first;
    }
    if (!known->second) {
      auto& [count, line] = unknown_hs[hs_code];
      if (count++ == 0) line = reader.line();
    }
    batch.Add(row);
  }
  if (!reader.status().ok()) return reader.status().WithPrefix(csv.name());
  LEADQ_TRY(tx->UpsertShipmentBatch(batch, report.stats));

  if (!unknown_hs.empty()) {
    uint64_t rows = 0;
    std::vector<std::string> examples;
    for (const auto& [code, info] : unknown_hs) {
      rows += info.first;
      if (examples.size() < 3) {
        examples.push_back(trade::FormatHs(code) + " (line " + std::to_string(info.second) + ")");
      }
    }
    report.warnings.push_back(csv.name() + ": " + std::to_string(rows) + " rows carry " +
                              std::to_string(unknown_hs.size()) +
                              " HS codes unknown to the HS 2022 nomenclature, kept: " +
                              JoinStrings(examples) + (unknown_hs.size() > 3 ? ", ..." : ""));
  }
  report.rejected = rejects.size();
  if (!rejects.empty()) {
    report.rejects_file = request.rejects.value_or(
        ws.dir / "rejects" / (request.file.filename().string() + ".rejects.csv"));
    LEADQ_TRY(WriteRejects(report.rejects_file, csv, rejects));
    for (size_t i = 0; i < rejects.size() && i < 3; ++i) {
      report.first_reasons +=
          csv.name() + ":" + std::to_string(rejects[i].line) + ": " + rejects[i].reason + "\n";
    }
    if (rejects.size() > 3) {
      report.first_reasons += csv.name() + ": ... and " + GroupThousands(rejects.size() - 3) +
                              " more (see the rejects file)\n";
    }
    if (!request.partial) return report;  // the transaction rolls back
  }
  LEADQ_TRY(tx->Commit());
  report.committed = true;
  return report;
}

// ---------------------------------------------------------------------------------------------
// The export model.

Result<TradeModel> CompileTradeModel(model::Model model) {
  if (!model.exports) {
    return Status::FailedPrecondition(model.path.string() +
                                      ": the model has no [export] section (see "
                                      "examples/models/export-auto-parts.toml)");
  }
  TradeModel out;
  LEADQ_TRY(out.tariffs, trade::TariffTable::Load(model.exports->tariffs));
  const trade::HsNomenclature& hs = trade::HsNomenclature::Builtin();
  for (const model::ExportProduct& p : model.exports->products) {
    const trade::HsEntry* entry = hs.Longest(p.hs);
    if (entry == nullptr || entry->code.size() < std::min<size_t>(p.hs.size(), 6)) {
      out.warnings.push_back(model.path.string() + ":" + std::to_string(p.pos.line) + ":" +
                             std::to_string(p.pos.column) + ": product HS " +
                             trade::FormatHs(p.hs) + " is not in the HS 2022 nomenclature");
    }
  }
  for (const model::ExportDestination& d : model.exports->destinations) {
    if (d.duty_free) continue;
    for (const model::ExportProduct& p : model.exports->products) {
      if (trade::ChooseTariff(out.tariffs, d.country, p.hs).line == nullptr) {
        out.warnings.push_back(
            model.path.string() + ":" + std::to_string(d.pos.line) + ":" +
            std::to_string(d.pos.column) + ": no tariff line for " + trade::FormatHs(p.hs) +
            " into " + d.country +
            " (economics is unknown for its buyers unless a longer code has one)");
      }
    }
  }
  out.model = std::move(model);
  return out;
}

std::string DescribeExport(const TradeModel& tm) {
  const model::ExportSection& e = *tm.model.exports;
  auto num = [](double v) {
    std::string s = FormatFixed2(v);
    while (s.size() > 1 && s.find('.') != std::string::npos &&
           (s.back() == '0' || s.back() == '.')) {
      bool dot = s.back() == '.';
      s.pop_back();
      if (dot) break;
    }
    return s;
  };
  auto pct = [&](double f) { return num(f * 100) + "%"; };
  std::string out = "Export screening: seller in " + e.origin + ", prices in " + e.currency + "\n";
  out += "  markets: " +
         (e.markets.empty() ? std::string("every country in the data") : JoinStrings(e.markets)) +
         "\n";
  out += "  products:\n";
  const trade::HsNomenclature& hs = trade::HsNomenclature::Builtin();
  for (const model::ExportProduct& p : e.products) {
    out += "    " + trade::FormatHs(p.hs) + " " + (p.name.empty() ? "" : p.name + ": ") + "FOB " +
           num(p.fob_price) + " " + e.currency + ", " + num(p.unit_weight_kg) + " kg a unit  [" +
           hs.Describe(p.hs) + "]\n";
  }
  out += "  1 activity:   at least " + std::to_string(e.min_recent_shipments) +
         " product shipments in the last " + std::to_string(e.recent_months) + " months\n";
  out += "  2 capability: imports in at least " + std::to_string(e.min_active_months) +
         " of the last " + std::to_string(e.history_months) + " months, notify party on at least " +
         pct(e.min_notify_share) + ", at least " + std::to_string(e.min_origin_shipments) +
         " shipments ever from " + e.origin + "\n";
  std::vector<std::string> signals;
  const model::MovementRules& m = e.movement;
  if (m.new_supplier_share)
    signals.push_back("new suppliers carry " + pct(*m.new_supplier_share) + "+");
  if (m.volume_growth) signals.push_back("volume up " + pct(*m.volume_growth) + "+");
  if (m.supplier_hhi) signals.push_back("supplier HHI " + num(*m.supplier_hhi) + "+");
  if (m.origin_shift)
    signals.push_back("an origin falls " + num(*m.origin_shift * 100) + "+ points");
  out += "  3 movement:   any of: " +
         (signals.empty() ? std::string("(none)") : JoinStrings(signals)) + " (last " +
         std::to_string(e.period_months) + " months against the " +
         std::to_string(e.period_months) + " before)\n";
  out += "  4 economics:  landed cost at least " + pct(e.min_margin) +
         " under the reference price (declared value per kg, else the market price)\n";
  for (const model::ExportDestination& d : e.destinations) {
    out += "    " + d.country + " (" + d.currency + "): valuation " +
           (d.basis == model::ValuationBasis::kFob ? "FOB" : "CIF") + ", " + d.mode;
    if (d.duty_free) out += ", duty free";
    for (const model::ExportFee& f : d.fees)
      out += ", " + f.name + " " + trade::FormatPercent(f.rate);
    if (d.vat > 0) out += ", import tax " + pct(d.vat);
    out += "\n";
    if (d.duty_free) continue;
    for (const model::ExportProduct& p : e.products) {
      trade::TariffChoice c = trade::ChooseTariff(tm.tariffs, d.country, p.hs);
      out +=
          "      " + trade::FormatHs(p.hs) + ": " +
          (c.line == nullptr ? std::string("no tariff line (economics unknown)")
                             : trade::FormatDutyRate(c.line->rate) + " (" + c.line->source + ")") +
          "\n";
    }
  }
  out += "  5 access:     contacts whose " + e.role_field + " is " + JoinStrings(e.roles, " or ") +
         ", or access recorded with `leadq trade access`\n";
  out += "  tiers: 5 met qualified, 3-4 developing, else research artifact; unknown never counts\n";
  for (const std::string& w : tm.warnings) out += "warning: " + w + "\n";
  return out;
}

Result<TradeModel> LoadTradeModel(Workspace& ws, store::Transaction& tx,
                                  const std::optional<std::filesystem::path>& file) {
  if (file) {
    LEADQ_TRY(model::Model m, model::LoadModel(*file));
    return CompileTradeModel(std::move(m));
  }
  LEADQ_TRY(ActiveModel active, LoadActiveModel(ws, tx));
  if (!active.model.exports) {
    return Status::FailedPrecondition(
        "the active model (v" + std::to_string(active.version) +
        ") has no [export] section: apply one with `leadq model apply` or pass --model FILE");
  }
  int64_t version = active.version;
  LEADQ_TRY(TradeModel out, CompileTradeModel(std::move(active.model)));
  out.version = version;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Buyers.

namespace {

using Named = BuyerSummary::Named;

std::vector<Named> TopNamed(const std::unordered_map<std::string, uint64_t>& counts, size_t limit) {
  std::vector<Named> out;
  for (const auto& [name, n] : counts) out.push_back(Named{name, n});
  std::sort(out.begin(), out.end(), [](const Named& a, const Named& b) {
    return a.shipments != b.shipments ? a.shipments > b.shipments : a.name < b.name;
  });
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

std::string SpellingKey(std::string_view country, std::string_view spelling) {
  return std::string(country) + '\x1f' + std::string(spelling);
}

// Resolution of the workspace's buyers, with the store's rules and notes.
struct BuyerIndex {
  TradeData data;
  trade::Resolution buyers;
  trade::Resolution suppliers;
  std::unordered_map<std::string, uint32_t> spelling_index;  // country\x1fspelling -> index
  std::unordered_map<std::string, uint32_t> entity_by_id;

  // The entity of a spelling, or -1.
  int64_t EntityOfSpelling(std::string_view country, std::string_view spelling) const {
    auto it = spelling_index.find(SpellingKey(country, trade::DisplaySpelling(spelling)));
    return it == spelling_index.end() ? -1 : static_cast<int64_t>(buyers.entity_of[it->second]);
  }
};

Result<BuyerIndex> LoadBuyerIndex(store::Transaction& tx) {
  BuyerIndex index;
  LEADQ_TRY(index.data, LoadTradeData(tx));
  const trade::ShipmentTable& t = index.data.table;
  index.buyers = trade::ResolveSpellings(t.buyer_spellings(), index.data.buyer_rules);
  index.suppliers = trade::ResolveSpellings(t.supplier_spellings(), index.data.supplier_rules);
  for (size_t i = 0; i < t.buyer_spellings().size(); ++i) {
    const trade::CountrySpelling& s = t.buyer_spellings()[i];
    index.spelling_index.emplace(SpellingKey(s.country, s.name), static_cast<uint32_t>(i));
  }
  for (size_t e = 0; e < index.buyers.entities.size(); ++e) {
    index.entity_by_id.emplace(index.buyers.entities[e].id, static_cast<uint32_t>(e));
  }
  return index;
}

BuyerSummary Summarise(const BuyerIndex& index, uint32_t entity,
                       const std::vector<uint32_t>& rows) {
  const trade::ShipmentTable& t = index.data.table;
  const trade::Entity& e = index.buyers.entities[entity];
  BuyerSummary b;
  b.id = e.id;
  b.name = e.name;
  b.country = e.country;
  for (uint32_t s : e.spellings) {
    b.spellings.push_back(Named{t.buyer_spellings()[s].name, t.buyer_spellings()[s].shipments});
  }
  std::sort(b.spellings.begin(), b.spellings.end(), [](const Named& x, const Named& y) {
    return x.shipments != y.shipments ? x.shipments > y.shipments : x.name < y.name;
  });
  for (const trade::MergeReason& r : index.buyers.reasons) {
    if (index.buyers.entity_of[r.spelling] != entity) continue;
    b.merge_reasons.push_back(t.buyer_spellings()[r.spelling].name + " joined " +
                              t.buyer_spellings()[r.joined_to].name + ": " + r.why);
  }
  std::unordered_map<std::string, uint64_t> suppliers, origins, codes;
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (uint32_t r : rows) {
    ++b.shipments;
    first = std::min<int64_t>(first, t.day[r]);
    last = std::max<int64_t>(last, t.day[r]);
    if (t.supplier[r] != trade::ShipmentTable::kNone) {
      suppliers[index.suppliers.entities[index.suppliers.entity_of[t.supplier[r]]].name]++;
    }
    if (t.origin[r] != trade::ShipmentTable::kNoCountry) origins[t.countries().Text(t.origin[r])]++;
    codes[trade::FormatHs(t.hs_codes().Text(t.hs[r]).substr(0, 6))]++;
  }
  if (!rows.empty()) {
    b.first_date = FormatDate(first * kMicrosPerDay);
    b.last_date = FormatDate(last * kMicrosPerDay);
  }
  b.suppliers = TopNamed(suppliers, 5);
  b.origins = TopNamed(origins, 5);
  b.hs_codes = TopNamed(codes, 5);
  for (const store::BuyerNote& note : index.data.notes) {
    if (note.kind == "account" && index.EntityOfSpelling(note.country, note.spelling) == entity) {
      b.account_id = note.value;
    }
  }
  return b;
}

std::vector<std::vector<uint32_t>> RowsByEntity(const BuyerIndex& index,
                                                const std::vector<char>& wanted) {
  std::vector<std::vector<uint32_t>> rows(index.buyers.entities.size());
  const trade::ShipmentTable& t = index.data.table;
  for (uint32_t r = 0; r < t.size(); ++r) {
    uint32_t e = index.buyers.entity_of[t.buyer[r]];
    if (wanted[e] != 0) rows[e].push_back(r);
  }
  return rows;
}

// The entity a BuyerRef names, with the spelling to record notes under.
Result<std::pair<uint32_t, std::string>> FindBuyer(const BuyerIndex& index, const BuyerRef& ref) {
  auto by_id = index.entity_by_id.find(ref.text);
  if (by_id != index.entity_by_id.end()) {
    const trade::Entity& e = index.buyers.entities[by_id->second];
    if (ref.country.empty() || ref.country == e.country)
      return std::make_pair(by_id->second, e.name);
  }
  std::string spelling = trade::DisplaySpelling(ref.text);
  std::vector<std::string> countries;
  int64_t found = -1;
  for (const trade::CountrySpelling& s : index.data.table.buyer_spellings()) {
    if (s.name != spelling || (!ref.country.empty() && s.country != ref.country)) continue;
    countries.push_back(s.country);
    found = index.EntityOfSpelling(s.country, s.name);
  }
  if (countries.size() > 1) {
    return Status::Invalid("\"" + ref.text + "\" is a buyer in " + JoinStrings(countries) +
                           ": say which with --country");
  }
  if (found >= 0) return std::make_pair(static_cast<uint32_t>(found), spelling);
  // Nothing: suggest spellings that share the key's first word.
  std::string key = trade::NameKey(ref.text);
  std::string word = key.substr(0, key.find(' '));
  std::vector<std::string> close;
  for (const trade::Entity& e : index.buyers.entities) {
    if (close.size() >= 5) break;
    if (!word.empty() && e.name.find(word) != std::string::npos &&
        (ref.country.empty() || e.country == ref.country)) {
      close.push_back(e.id + " (" + e.name + ")");
    }
  }
  return Status::NotFound("no buyer \"" + ref.text + "\"" +
                          (ref.country.empty() ? "" : " in " + ref.country) +
                          (close.empty() ? std::string(" (leadq trade buyers lists them)")
                                         : "; did you mean " + JoinStrings(close) + "?"));
}

}  // namespace

Result<std::vector<BuyerSummary>> ListBuyers(Workspace& ws, const BuyersQuery& query) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(BuyerIndex index, LoadBuyerIndex(*tx));
  const trade::ShipmentTable& t = index.data.table;
  std::string country = Upper(query.country);
  std::string search = Upper(Trim(query.search));
  std::vector<char> wanted(index.buyers.entities.size(), 0);
  for (size_t e = 0; e < index.buyers.entities.size(); ++e) {
    const trade::Entity& entity = index.buyers.entities[e];
    if (!country.empty() && entity.country != country) continue;
    bool match = search.empty() || entity.id == query.search;
    for (uint32_t s : entity.spellings) {
      if (!match && t.buyer_spellings()[s].name.find(search) != std::string::npos) match = true;
    }
    wanted[e] = match ? 1 : 0;
  }
  if (!query.hs_prefix.empty()) {
    std::vector<char> has(wanted.size(), 0);
    for (uint32_t r = 0; r < t.size(); ++r) {
      uint32_t e = index.buyers.entity_of[t.buyer[r]];
      if (wanted[e] != 0 && t.hs_codes().Text(t.hs[r]).starts_with(query.hs_prefix)) has[e] = 1;
    }
    wanted = std::move(has);
  }
  std::vector<std::vector<uint32_t>> rows = RowsByEntity(index, wanted);
  std::vector<BuyerSummary> out;
  for (size_t e = 0; e < wanted.size(); ++e) {
    if (wanted[e] != 0) out.push_back(Summarise(index, static_cast<uint32_t>(e), rows[e]));
  }
  std::sort(out.begin(), out.end(), [](const BuyerSummary& a, const BuyerSummary& b) {
    if (a.shipments != b.shipments) return a.shipments > b.shipments;
    return a.id < b.id;
  });
  return out;
}

Result<store::TradeRule> AddTradeRule(Workspace& ws, const TradeRuleRequest& request) {
  if (request.role != "buyer" && request.role != "supplier") {
    return Status::Invalid("role \"" + request.role + "\" must be buyer or supplier");
  }
  std::string country = Upper(request.country);
  if (!IsCountry(country)) {
    return Status::Invalid("--country \"" + request.country +
                           "\" must be an ISO 3166-1 alpha-2 code (merges never cross countries)");
  }
  std::string a = trade::DisplaySpelling(request.a), b = trade::DisplaySpelling(request.b);
  if (a.empty() || b.empty() || a == b) {
    return Status::Invalid("name two different spellings");
  }
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(TradeData data, LoadTradeData(*tx));
  const auto& spellings =
      request.role == "buyer" ? data.table.buyer_spellings() : data.table.supplier_spellings();
  for (const std::string* name : {&a, &b}) {
    bool found = std::any_of(
        spellings.begin(), spellings.end(),
        [&](const trade::CountrySpelling& s) { return s.country == country && s.name == *name; });
    if (!found) {
      return Status::NotFound("no " + request.role + " spelled \"" + *name + "\" in " + country +
                              " in the shipments (leadq trade buyers --country " + country +
                              " lists the spellings)");
    }
  }
  store::TradeRule rule;
  rule.kind = request.merge ? "merge" : "split";
  rule.role = request.role;
  rule.country = country;
  rule.a = a;
  rule.b = b;
  rule.by = request.by;
  rule.note = request.note;
  rule.at = request.now;
  LEADQ_TRY(rule.id, tx->AddTradeRule(rule));
  LEADQ_TRY(tx->Commit());
  return rule;
}

Result<BuyerSummary> RecordAccess(Workspace& ws, const AccessRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(BuyerIndex index, LoadBuyerIndex(*tx));
  LEADQ_TRY(auto found, FindBuyer(index, request.buyer));
  const trade::Entity& e = index.buyers.entities[found.first];
  store::BuyerNote note;
  note.country = e.country;
  note.spelling = found.second;
  note.kind = "access";
  note.value = request.access ? "yes" : "no";
  note.note = request.note;
  note.by = request.by;
  note.at = request.now;
  LEADQ_TRY(tx->PutBuyerNote(note));
  index.data.notes.push_back(note);
  std::vector<char> wanted(index.buyers.entities.size(), 0);
  wanted[found.first] = 1;
  BuyerSummary summary = Summarise(index, found.first, RowsByEntity(index, wanted)[found.first]);
  LEADQ_TRY(tx->Commit());
  return summary;
}

Result<PromoteResult> PromoteBuyer(Workspace& ws, const PromoteRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(BuyerIndex index, LoadBuyerIndex(*tx));
  LEADQ_TRY(auto found, FindBuyer(index, request.buyer));
  const uint32_t entity = found.first;
  std::vector<char> wanted(index.buyers.entities.size(), 0);
  wanted[entity] = 1;
  PromoteResult out;
  out.buyer = Summarise(index, entity, RowsByEntity(index, wanted)[entity]);
  out.account_id = !request.account_id.empty()     ? request.account_id
                   : !out.buyer.account_id.empty() ? out.buyer.account_id
                                                   : out.buyer.id;
  // The address and city most used on its manifests, and its notify parties.
  std::set<std::string> spellings;
  for (const Named& s : out.buyer.spellings) spellings.insert(s.name);
  std::unordered_map<std::string, uint64_t> cities, addresses, notify;
  LEADQ_TRY(tx->ScanShipments([&](const store::ShipmentRow& row) {
    if (row.consignee_country != out.buyer.country) return true;
    if (spellings.count(trade::DisplaySpelling(row.consignee_name)) == 0) return true;
    if (!row.consignee_city.empty()) cities[row.consignee_city]++;
    if (!row.consignee_address.empty()) addresses[row.consignee_address]++;
    if (!row.notify_party.empty()) notify[row.notify_party]++;
    return true;
  }));
  LEADQ_TRY(std::vector<std::string> accounts, tx->AccountIds());
  out.created = std::find(accounts.begin(), accounts.end(), out.account_id) == accounts.end();
  store::AccountRow account;
  account.account_id = out.account_id;
  auto field = [&](std::string key, std::string value) {
    if (!value.empty()) account.fields.push_back(store::Field{std::move(key), std::move(value)});
  };
  field("name", out.buyer.name);
  field("country", out.buyer.country);
  std::vector<Named> city = TopNamed(cities, 1), address = TopNamed(addresses, 1);
  if (!city.empty()) field("city", city[0].name);
  if (!address.empty()) field("address", address[0].name);
  field("source", "customs records");
  field("trade_buyer_id", out.buyer.id);
  std::vector<std::string> brokers;
  for (const Named& n : TopNamed(notify, 3)) {
    brokers.push_back(n.name + " (" + std::to_string(n.shipments) + " shipments)");
  }
  std::string note = "Promoted from customs records: " + std::to_string(out.buyer.shipments) +
                     " shipments " + out.buyer.first_date + " to " + out.buyer.last_date + ".";
  if (!brokers.empty())
    note += " Notify party (customs broker or forwarder): " + JoinStrings(brokers) + ".";
  field("note", note);
  store::WriteStats stats;
  LEADQ_TRY(tx->UpsertAccounts(std::span(&account, 1), request.now, stats));
  store::BuyerNote link;
  link.country = out.buyer.country;
  link.spelling = found.second;
  link.kind = "account";
  link.value = out.account_id;
  link.by = request.by;
  link.at = request.now;
  LEADQ_TRY(tx->PutBuyerNote(link));
  LEADQ_TRY(tx->Commit());
  out.buyer.account_id = out.account_id;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shortlist.

namespace {

// What the store knows about access: the user's notes, and the contacts of promoted accounts.
Result<std::vector<trade::AccessFact>> AccessFacts(store::Transaction& tx, const TradeData& data,
                                                   const model::ExportSection& section) {
  std::vector<trade::AccessFact> facts;
  std::map<std::string, std::vector<const store::BuyerNote*>> accounts;  // account -> notes
  for (const store::BuyerNote& note : data.notes) {
    if (note.kind == "access") {
      trade::AccessFact f;
      f.country = note.country;
      f.spelling = note.spelling;
      f.verdict = note.value == "yes" ? trade::Verdict::kMet : trade::Verdict::kFailed;
      f.evidence = std::string(note.value == "yes" ? "access" : "no access") + " recorded by " +
                   (note.by.empty() ? "someone" : note.by) + " on " + FormatDate(note.at) +
                   (note.note.empty() ? "" : ": " + note.note);
      facts.push_back(std::move(f));
    } else if (note.kind == "account") {
      accounts[note.value].push_back(&note);
    }
  }
  if (accounts.empty()) return facts;
  struct Contacts {
    int total = 0, with_role = 0;
    std::vector<std::string> deciders;
  };
  std::map<std::string, Contacts> by_account;
  std::vector<std::string> keys = {section.role_field, "first_name", "last_name", "name", "title"};
  LEADQ_TRY(tx.ScanLeads(keys, [&](std::string_view id, std::string_view account,
                                   std::span<const std::string_view> v) {
    auto it = accounts.find(std::string(account));
    if (it == accounts.end()) return;
    Contacts& c = by_account[it->first];
    ++c.total;
    std::string_view role = Trim(v[0]);
    if (role.empty()) return;
    ++c.with_role;
    bool decides = std::any_of(section.roles.begin(), section.roles.end(),
                               [&](const std::string& r) { return IEquals(r, role); });
    if (!decides) return;
    std::string who = Trim(std::string(v[1]) + " " + std::string(v[2])).empty()
                          ? std::string(v[3].empty() ? id : v[3])
                          : std::string(Trim(std::string(v[1]) + " " + std::string(v[2])));
    if (!v[4].empty()) who += ", " + std::string(v[4]);
    c.deciders.push_back(who + " (" + std::string(role) + ")");
  }));
  for (const auto& [account, notes] : accounts) {
    const Contacts& c = by_account[account];
    trade::AccessFact f;
    f.country = notes.front()->country;
    f.spelling = notes.front()->spelling;
    if (!c.deciders.empty()) {
      f.verdict = trade::Verdict::kMet;
      f.evidence = "account " + account + ": " + JoinStrings(c.deciders);
    } else if (c.with_role > 0) {
      f.verdict = trade::Verdict::kFailed;
      f.evidence = "account " + account + ": " + std::to_string(c.total) +
                   " contacts, none with a decision role (" + JoinStrings(section.roles) + ")";
    } else {
      f.verdict = trade::Verdict::kUnknown;
      f.evidence = c.total == 0 ? "account " + account + " has no contacts yet"
                                : "account " + account + ": " + std::to_string(c.total) +
                                      " contacts without a " + section.role_field;
    }
    facts.push_back(std::move(f));
  }
  return facts;
}

}  // namespace

Result<ShortlistResult> Shortlist(Workspace& ws, const ShortlistRequest& request) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(TradeModel tm, LoadTradeModel(ws, *tx, request.model_file));
  LEADQ_TRY(TradeData data, LoadTradeData(*tx));
  const model::ExportSection& section = *tm.model.exports;
  LEADQ_TRY(std::vector<trade::AccessFact> access, AccessFacts(*tx, data, section));
  ShortlistResult out;
  out.model_name = tm.model.name.empty() ? tm.model.path.filename().string() : tm.model.name;
  out.model_version = tm.version;
  out.currency = section.currency;
  out.as_of = request.as_of;
  out.shipments = data.shipments;
  out.warnings = std::move(tm.warnings);
  out.screening = trade::ScreenBuyers(data.table, section, tm.tariffs, access, data.buyer_rules,
                                      data.supplier_rules, request.as_of);
  return out;
}

namespace {

std::vector<const trade::BuyerResult*> Visible(const ShortlistResult& result,
                                               const ShortlistView& view) {
  std::vector<const trade::BuyerResult*> out;
  for (const trade::BuyerResult& b : result.screening.buyers) {
    if (view.tier && b.tier != *view.tier) continue;
    if (view.top > 0 && out.size() >= view.top) break;
    out.push_back(&b);
  }
  return out;
}

std::string Fixed(double v, int decimals = 2) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Opt(const std::optional<double>& v, int decimals = 4) {
  return v ? Fixed(*v, decimals) : "";
}

}  // namespace

std::string ShortlistText(const ShortlistResult& result, const ShortlistView& view) {
  std::array<size_t, 3> tiers{};
  for (const trade::BuyerResult& b : result.screening.buyers) tiers[static_cast<size_t>(b.tier)]++;
  std::string out =
      "Shortlist: " + result.model_name +
      (result.model_version > 0 ? " (v" + std::to_string(result.model_version) + ")" : "") +
      ", as of " + FormatDate(result.as_of) + ", " + GroupThousands(result.shipments) +
      " shipments\n";
  out += "  " + GroupThousands(tiers[0]) + " qualified, " + GroupThousands(tiers[1]) +
         " developing, " + GroupThousands(tiers[2]) + " research artifacts\n";
  for (const std::string& note : result.screening.notes) out += "  note: " + note + "\n";
  for (const std::string& w : result.warnings) out += "  warning: " + w + "\n";
  std::vector<const trade::BuyerResult*> shown = Visible(result, view);
  if (shown.empty()) return out + "\n(no buyer to show)\n";
  size_t rank = 0;
  for (const trade::BuyerResult* b : shown) {
    ++rank;
    out += "\n" + std::to_string(rank) + ". " + b->name + " (" + b->country + ", " + b->id + ")  " +
           std::string(trade::TierName(b->tier)) + ": " + std::to_string(b->met) + " of 5 met";
    if (b->unknown > 0) out += ", " + std::to_string(b->unknown) + " unknown";
    out += "\n";
    if (b->spellings.size() > 1) {
      std::vector<std::string> rest(
          b->spellings.begin() + 1,
          b->spellings.begin() + std::min<size_t>(b->spellings.size(), 4));
      out +=
          "   also written: " + JoinStrings(rest) + (b->spellings.size() > 4 ? ", ..." : "") + "\n";
    }
    // Met first, then failed, then unknown: what was verified and what was assumed.
    for (trade::Verdict v :
         {trade::Verdict::kMet, trade::Verdict::kFailed, trade::Verdict::kUnknown}) {
      for (size_t i = 0; i < b->criteria.size(); ++i) {
        if (b->criteria[i].verdict != v) continue;
        std::string tag = "[" + std::string(trade::VerdictName(v)) + "]";
        tag.resize(10, ' ');
        std::string name(trade::kCriteria[i]);
        name.resize(11, ' ');
        out += "   " + tag + name + b->criteria[i].evidence + "\n";
      }
    }
    if (!b->notify_parties.empty())
      out += "   notify parties: " + JoinStrings(b->notify_parties) + "\n";
    if (!b->transactions.empty()) {
      out += "   latest product shipments:\n";
      for (const trade::Transaction& t : b->transactions) {
        out += "     " + t.date + "  " + t.hs + "  " + t.supplier;
        if (!t.origin.empty()) out += " (" + t.origin + ")";
        if (t.weight_kg)
          out += "  " + GroupThousands(static_cast<uint64_t>(std::llround(*t.weight_kg))) + " kg";
        out += "\n";
      }
    }
    if (b->landed) {
      out += "   landed cost per unit of " + b->product + ", " + b->landed->currency + ":\n";
      for (const trade::CostLine& line : b->landed->lines) {
        std::string name = line.name;
        if (name.size() < 30) name.resize(30, ' ');
        std::string amount = Fixed(line.local);
        if (amount.size() < 12) amount.insert(0, 12 - amount.size(), ' ');
        out += "     " + name + amount + "  " + line.how + "\n";
      }
    }
  }
  return out;
}

std::string ShortlistCsv(const ShortlistResult& result, const ShortlistView& view) {
  std::string out =
      "rank,buyer_id,name,country,tier,met,failed,unknown,activity,activity_evidence,capability,"
      "capability_evidence,movement,movement_evidence,economics,economics_evidence,access,"
      "access_evidence,recent_product_shipments,last_product_date,active_months,notify_share,"
      "origin_shipments,total_shipments,new_supplier_share,volume_growth,supplier_hhi,"
      "origin_shift,main_hs,product,currency,landed,landed_usd,reference_price,margin,spellings\n";
  size_t rank = 0;
  for (const trade::BuyerResult* b : Visible(result, view)) {
    std::vector<std::string> f = {std::to_string(++rank),
                                  b->id,
                                  b->name,
                                  b->country,
                                  std::string(trade::TierName(b->tier)),
                                  std::to_string(b->met),
                                  std::to_string(b->failed),
                                  std::to_string(b->unknown)};
    for (const trade::Criterion& c : b->criteria) {
      f.emplace_back(trade::VerdictName(c.verdict));
      f.push_back(c.evidence);
    }
    const trade::Signals& s = b->signals;
    f.push_back(std::to_string(s.recent_product_shipments));
    f.push_back(s.last_product_date);
    f.push_back(std::to_string(s.active_months));
    f.push_back(Fixed(s.notify_share, 4));
    f.push_back(std::to_string(s.origin_shipments));
    f.push_back(std::to_string(s.total_shipments));
    f.push_back(Opt(s.new_supplier_share));
    f.push_back(Opt(s.volume_growth));
    f.push_back(Opt(s.supplier_hhi));
    f.push_back(Opt(s.origin_shift));
    f.push_back(s.main_hs.empty() ? "" : trade::FormatHs(s.main_hs));
    f.push_back(b->product);
    f.push_back(b->landed ? b->landed->currency : "");
    f.push_back(b->landed ? Fixed(b->landed->landed) : "");
    f.push_back(b->landed ? Fixed(b->landed->landed_usd) : "");
    f.push_back(Opt(s.reference_price, 2));
    f.push_back(Opt(s.margin));
    f.push_back(JoinStrings(b->spellings, " | "));
    for (size_t i = 0; i < f.size(); ++i) {
      if (i > 0) out += ',';
      AppendCsvField(out, f[i]);
    }
    out += '\n';
  }
  return out;
}

namespace {

nlohmann::json OptJson(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json LandedJson(const trade::LandedCost& c) {
  nlohmann::json lines = nlohmann::json::array();
  for (const trade::CostLine& l : c.lines) {
    lines.push_back({{"name", l.name}, {"amount", l.local}, {"usd", l.usd}, {"how", l.how}});
  }
  return {{"currency", c.currency},
          {"fob", c.fob},
          {"freight", c.freight},
          {"insurance", c.insurance},
          {"customs_value", c.customs_value},
          {"duty", c.duty},
          {"fees", c.fees},
          {"tax", c.tax},
          {"landed", c.landed},
          {"landed_usd", c.landed_usd},
          {"lines", lines}};
}

}  // namespace

std::string ShortlistJson(const ShortlistResult& result, const ShortlistView& view) {
  nlohmann::json buyers = nlohmann::json::array();
  size_t rank = 0;
  for (const trade::BuyerResult* b : Visible(result, view)) {
    nlohmann::json criteria = nlohmann::json::object();
    for (size_t i = 0; i < b->criteria.size(); ++i) {
      criteria[std::string(trade::kCriteria[i])] = {
          {"verdict", trade::VerdictName(b->criteria[i].verdict)},
          {"evidence", b->criteria[i].evidence}};
    }
    const trade::Signals& s = b->signals;
    nlohmann::json transactions = nlohmann::json::array();
    for (const trade::Transaction& t : b->transactions) {
      transactions.push_back({{"date", t.date},
                              {"hs", t.hs},
                              {"supplier", t.supplier},
                              {"origin", t.origin},
                              {"weight_kg", OptJson(t.weight_kg)}});
    }
    buyers.push_back({
        {"rank", ++rank},
        {"id", b->id},
        {"name", b->name},
        {"country", b->country},
        {"spellings", b->spellings},
        {"tier", trade::TierName(b->tier)},
        {"met", b->met},
        {"failed", b->failed},
        {"unknown", b->unknown},
        {"criteria", criteria},
        {"signals",
         {{"recent_product_shipments", s.recent_product_shipments},
          {"last_product_date", s.last_product_date},
          {"main_hs", s.main_hs.empty() ? "" : trade::FormatHs(s.main_hs)},
          {"active_months", s.active_months},
          {"total_shipments", s.total_shipments},
          {"total_weight_kg", s.total_weight_kg},
          {"notify_share", s.notify_share},
          {"origin_shipments", s.origin_shipments},
          {"new_supplier_share", OptJson(s.new_supplier_share)},
          {"volume_growth", OptJson(s.volume_growth)},
          {"supplier_hhi", OptJson(s.supplier_hhi)},
          {"origin_shift", OptJson(s.origin_shift)},
          {"origin_shift_country", s.origin_shift_country},
          {"last_period_shipments", s.last_period_shipments},
          {"previous_period_shipments", s.previous_period_shipments},
          {"reference_price", OptJson(s.reference_price)},
          {"reference_from", s.reference_from},
          {"margin", OptJson(s.margin)}}},
        {"notify_parties", b->notify_parties},
        {"transactions", transactions},
        {"product", b->product},
        {"landed_cost", b->landed ? LandedJson(*b->landed) : nlohmann::json(nullptr)},
    });
  }
  std::array<size_t, 3> tiers{};
  for (const trade::BuyerResult& b : result.screening.buyers) tiers[static_cast<size_t>(b.tier)]++;
  nlohmann::json out = {
      {"model", result.model_name},
      {"model_version", result.model_version},
      {"as_of", FormatDate(result.as_of)},
      {"shipments", result.shipments},
      {"counts", {{"qualified", tiers[0]}, {"developing", tiers[1]}, {"artifact", tiers[2]}}},
      {"notes", result.screening.notes},
      {"warnings", result.warnings},
      {"buyers", buyers}};
  return out.dump(2) + "\n";
}

std::string BuyersText(const std::vector<BuyerSummary>& buyers, ListFormat format) {
  auto names = [](const std::vector<Named>& list) {
    std::vector<std::string> out;
    for (const Named& n : list) out.push_back(n.name + " (" + std::to_string(n.shipments) + ")");
    return JoinStrings(out);
  };
  if (format == ListFormat::kJson) {
    nlohmann::json out = nlohmann::json::array();
    auto named = [](const std::vector<Named>& list) {
      nlohmann::json a = nlohmann::json::array();
      for (const Named& n : list) a.push_back({{"name", n.name}, {"shipments", n.shipments}});
      return a;
    };
    for (const BuyerSummary& b : buyers) {
      out.push_back({{"id", b.id},
                     {"name", b.name},
                     {"country", b.country},
                     {"shipments", b.shipments},
                     {"first_date", b.first_date},
                     {"last_date", b.last_date},
                     {"spellings", named(b.spellings)},
                     {"merges", b.merge_reasons},
                     {"suppliers", named(b.suppliers)},
                     {"origins", named(b.origins)},
                     {"hs_codes", named(b.hs_codes)},
                     {"account_id", b.account_id}});
    }
    return out.dump(2) + "\n";
  }
  if (format == ListFormat::kCsv) {
    std::string out =
        "buyer_id,name,country,shipments,first_date,last_date,spellings,suppliers,origins,hs_codes,"
        "account_id\n";
    for (const BuyerSummary& b : buyers) {
      std::vector<std::string> f = {b.id,
                                    b.name,
                                    b.country,
                                    std::to_string(b.shipments),
                                    b.first_date,
                                    b.last_date,
                                    names(b.spellings),
                                    names(b.suppliers),
                                    names(b.origins),
                                    names(b.hs_codes),
                                    b.account_id};
      for (size_t i = 0; i < f.size(); ++i) {
        if (i > 0) out += ',';
        AppendCsvField(out, f[i]);
      }
      out += '\n';
    }
    return out;
  }
  std::string out;
  for (const BuyerSummary& b : buyers) {
    out += b.name + "  (" + b.country + ", " + b.id + ")  " + GroupThousands(b.shipments) +
           " shipments, " + b.first_date + " to " + b.last_date;
    if (!b.account_id.empty()) out += ", account " + b.account_id;
    out += "\n  spellings: " + names(b.spellings) + "\n";
    for (const std::string& why : b.merge_reasons) out += "    " + why + "\n";
    out += "  suppliers: " + names(b.suppliers) + "\n";
    out += "  origins:   " + names(b.origins) + "\n";
    out += "  HS codes:  " + names(b.hs_codes) + "\n";
  }
  if (buyers.empty()) out = "(no buyer matches)\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Landed cost alone.

Result<LandedCostResult> ComputeLandedCostFor(Workspace* ws, const LandedCostRequest& request) {
  TradeModel tm;
  if (request.model_file) {
    LEADQ_TRY(model::Model m, model::LoadModel(*request.model_file));
    LEADQ_TRY(tm, CompileTradeModel(std::move(m)));
  } else {
    if (ws == nullptr) return Status::Invalid("name the model with --model FILE");
    LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws->store->Begin());
    LEADQ_TRY(tm, LoadTradeModel(*ws, *tx, std::nullopt));
  }
  const model::ExportSection& section = *tm.model.exports;
  std::string hs = trade::HsDigits(request.hs);
  if (hs.size() < 4 || hs.size() > 10) {
    return Status::Invalid("--hs \"" + request.hs + "\" must be an HS code of 4 to 10 digits");
  }
  std::string to = Upper(request.to);
  const model::ExportProduct* product = nullptr;
  for (const model::ExportProduct& p : section.products) {
    if (hs.starts_with(p.hs) && (product == nullptr || p.hs.size() > product->hs.size()))
      product = &p;
  }
  if (product == nullptr) {
    std::vector<std::string> codes;
    for (const model::ExportProduct& p : section.products) codes.push_back(trade::FormatHs(p.hs));
    return Status::NotFound("no [[export.product]] covers " + trade::FormatHs(hs) +
                            "; the model's products are " + JoinStrings(codes));
  }
  const model::ExportDestination* dest = nullptr;
  for (const model::ExportDestination& d : section.destinations) {
    if (d.country == to) dest = &d;
  }
  if (dest == nullptr) {
    std::vector<std::string> countries;
    for (const model::ExportDestination& d : section.destinations) countries.push_back(d.country);
    return Status::NotFound("no customs rule for " + to + " in the model; it has " +
                            JoinStrings(countries) + " ([[export.destination]])");
  }
  LandedCostResult out;
  trade::LandedInput input;
  input.section = &section;
  input.product = product;
  input.destination = dest;
  if (!dest->duty_free) {
    trade::TariffChoice choice = trade::ChooseTariff(tm.tariffs, to, hs);
    input.tariff = choice.line;
    if (input.tariff == nullptr) {
      return Status::NotFound("no tariff rate for " + trade::FormatHs(hs) + " into " + to +
                              " in the model's tariff files");
    }
    out.tariff = trade::FormatDutyRate(input.tariff->rate) + " (" +
                 trade::FormatHs(input.tariff->hs_prefix) + ", " + input.tariff->source + ")";
    if (!choice.note.empty()) out.tariff += "; " + choice.note;
  } else {
    out.tariff = "duty free (customs union)";
  }
  input.incoterm = request.incoterm;
  input.price = request.price;
  input.freight_per_unit = request.freight_per_unit;
  input.units_per_entry = request.units_per_entry;
  LEADQ_TRY(out.cost, trade::ComputeLandedCost(input));
  out.product = (product->name.empty() ? trade::FormatHs(product->hs) : product->name) + " (" +
                trade::FormatHs(product->hs) + ")";
  out.hs_description = trade::HsNomenclature::Builtin().Describe(hs);
  return out;
}

std::string LandedCostText(const LandedCostResult& result) {
  std::string out = "Landed cost per unit, " + result.cost.currency + "\n";
  out += "  HS:      " + result.hs_description + "\n";
  out += "  product: " + result.product + "\n";
  out += "  tariff:  " + result.tariff + "\n\n";
  out += trade::FormatLandedCost(result.cost);
  return out;
}

std::string LandedCostJson(const LandedCostResult& result) {
  nlohmann::json out = LandedJson(result.cost);
  out["product"] = result.product;
  out["tariff"] = result.tariff;
  out["hs"] = result.hs_description;
  return out.dump(2) + "\n";
}

// ---------------------------------------------------------------------------------------------
// Demo.

Result<TradeDemoReport> RunTradeDemo(const TradeDemoRun& run) {
  TradeDemoReport report;
  std::error_code ec;
  std::filesystem::create_directories(run.dir / "tariffs", ec);
  if (ec) return Status::Internal("cannot create " + run.dir.string() + ": " + ec.message());
  auto write = [](const std::filesystem::path& path, std::string_view text) -> Status {
    std::ofstream file(path, std::ios::binary);
    file << text;
    if (!file) return Status::Internal("cannot write " + path.string());
    return Status::Ok();
  };
  TradeDemoOptions options;
  options.buyers = run.buyers;
  options.seed = run.seed;
  options.as_of = run.as_of;
  TradeDemo demo = GenerateTradeDemo(options);
  report.rows = demo.rows;
  report.shipments_file = run.dir / "shipments.csv";
  report.model_file = run.dir / "export-auto-parts.toml";
  LEADQ_TRY(write(report.shipments_file, demo.shipments_csv));
  LEADQ_TRY(write(report.model_file, kTradeDemoModelToml));
  LEADQ_TRY(write(run.dir / "tariffs" / "us-hts-8708.csv", kTradeDemoUsHts));
  LEADQ_TRY(write(run.dir / "tariffs" / "duties.csv", kTradeDemoDuties));
  std::string access_csv = "country,spelling,access,note\n";
  for (const TradeDemoAccess& a : demo.access) {
    std::vector<std::string> f = {a.country, a.spelling, a.access ? "yes" : "no", a.note};
    for (size_t i = 0; i < f.size(); ++i) {
      if (i > 0) access_csv += ',';
      AppendCsvField(access_csv, f[i]);
    }
    access_csv += '\n';
  }
  LEADQ_TRY(write(run.dir / "access.csv", access_csv));

  report.workspace_dir = run.dir / "workspace";
  Result<Workspace> opened = std::filesystem::exists(report.workspace_dir / "leadq.db")
                                 ? OpenWorkspace(report.workspace_dir)
                                 : InitWorkspace(report.workspace_dir);
  if (!opened.ok()) return opened.status();
  Workspace& ws = *opened;
  LEADQ_TRY(ApplyModel(ws, report.model_file, "leadq trade demo: the example export model", run.by,
                       run.as_of)
                .status());
  TradeImportRequest import;
  import.file = report.shipments_file;
  import.now = run.as_of;
  LEADQ_TRY(TradeImportReport imported, ImportShipments(ws, import));
  if (!imported.committed) {
    return Status::Internal("the demo's own records were rejected: " + imported.first_reasons);
  }
  for (const TradeDemoAccess& a : demo.access) {
    AccessRequest request;
    request.buyer = BuyerRef{a.spelling, a.country};
    request.access = a.access;
    request.note = a.note;
    request.by = run.by;
    request.now = run.as_of;
    LEADQ_TRY(RecordAccess(ws, request).status());
    ++report.access_notes;
  }
  for (const TradeDemoStory& s : demo.stories) {
    report.stories.emplace_back(s.spelling + " (" + s.country + ")", s.story);
  }
  ShortlistRequest request;
  request.as_of = run.as_of;
  LEADQ_TRY(report.shortlist, Shortlist(ws, request));
  return report;
}

}  // namespace leadq::service
