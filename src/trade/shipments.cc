#include "trade/shipments.h"

#include <limits>

#include "trade/entities.h"
#include "trade/ports.h"

namespace leadq::trade {

uint32_t Interner::Id(std::string_view text) {
  auto it = ids_.find(text);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(text);
  ids_.emplace(texts_.back(), id);
  return id;
}

int64_t Interner::Find(std::string_view text) const {
  auto it = ids_.find(text);
  return it == ids_.end() ? -1 : static_cast<int64_t>(it->second);
}

uint32_t ShipmentTable::SpellingId(std::vector<CountrySpelling>& spellings, Interner& ids,
                                   RawIds& raw, std::string_view country,
                                   std::string_view raw_name) {
  // Most lines repeat a spelling exactly: look the raw text up first, normalise only new ones.
  key_.assign(country).push_back('\x1f');
  key_.append(raw_name);
  auto cached = raw.find(key_);
  uint32_t id = 0;
  if (cached != raw.end()) {
    id = cached->second;
  } else {
    std::string name = DisplaySpelling(raw_name);
    std::string key;
    key.reserve(country.size() + 1 + name.size());
    key.append(country).push_back('\x1f');
    key += name;
    id = ids.Id(key);
    if (id == spellings.size()) spellings.push_back(CountrySpelling{std::string(country), name, 0});
    raw.emplace(key_, id);
  }
  ++spellings[id].shipments;
  return id;
}

void ShipmentTable::Add(const ShipmentView& row) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  day.push_back(static_cast<int32_t>(row.day));
  buyer.push_back(SpellingId(buyer_spellings_, buyer_ids_, raw_buyers_, row.consignee_country,
                             row.consignee_name));
  supplier.push_back(row.shipper_name.empty()
                         ? kNone
                         : SpellingId(supplier_spellings_, supplier_ids_, raw_suppliers_,
                                      row.shipper_country, row.shipper_name));
  hs.push_back(hs_.Id(row.hs_code));
  std::string_view origin_code = row.country_of_origin;
  if (origin_code.empty()) origin_code = PortCountry(row.port_of_lading);
  if (origin_code.empty()) origin_code = row.shipper_country;
  origin.push_back(origin_code.empty() ? kNoCountry
                                       : static_cast<uint16_t>(countries_.Id(origin_code)));
  notify.push_back(row.notify_party.empty() ? kNone : notify_.Id(row.notify_party));
  weight_kg.push_back(row.weight_kg ? static_cast<float>(*row.weight_kg) : kNaN);
  value_usd.push_back(row.value_usd ? static_cast<float>(*row.value_usd) : kNaN);
}

}  // namespace leadq::trade
