#include "trade/shipments.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

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
  const uint32_t consignee = SpellingId(buyer_spellings_, buyer_ids_, raw_buyers_,
                                        row.consignee_country, row.consignee_name);
  buyer.push_back(consignee);
  if (!row.consignee_address.empty()) {
    if (buyer_addresses_.size() <= consignee) buyer_addresses_.resize(consignee + 1);
    std::vector<std::string>& seen = buyer_addresses_[consignee];
    const std::string_view street = row.consignee_address, city = row.consignee_city;
    // Compared in place: most lines repeat an address their spelling has already.
    const bool known = std::any_of(seen.begin(), seen.end(), [&](std::string_view written) {
      return written.size() == street.size() + 1 + city.size() && written.starts_with(street) &&
             written[street.size()] == '\x1f' && written.ends_with(city);
    });
    if (!known && seen.size() < kMaxAddresses) {
      std::string& written = seen.emplace_back(street);
      written += '\x1f';
      written += city;
    }
  }
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

namespace {

// Notify parties that name nobody: the same one on most lines of every importer.
bool IsPlaceholderParty(std::string_view key) {
  for (std::string_view words : {"SAME AS", "TO ORDER", "TO THE ORDER"}) {
    if (key.starts_with(words) && (key.size() == words.size() || key[words.size()] == ' ')) {
      return true;
    }
  }
  for (std::string_view none :
       {"", "SAME", "NONE", "NA", "N A", "NIL", "NOT AVAILABLE", "UNKNOWN", "CONSIGNEE"}) {
    if (key == none) return true;
  }
  return false;
}

// "supplier ROBERT BOSCH (DE)"; "" for a name that keys as nothing.
std::string NameFact(std::string_view kind, const CountrySpelling& s) {
  std::string key = NameKey(s.name);
  if (key.empty()) return "";
  std::string out = std::string(kind) + " " + key;
  if (!s.country.empty()) out += " (" + s.country + ")";
  return out;
}

// The slot of each asked spelling (kNone for the others), by spelling index.
std::vector<uint32_t> Slots(std::span<const uint32_t> spellings, size_t count) {
  std::vector<uint32_t> slot(count, ShipmentTable::kNone);
  for (size_t k = 0; k < spellings.size(); ++k) {
    if (spellings[k] < count) slot[spellings[k]] = static_cast<uint32_t>(k);
  }
  return slot;
}

void SortUnique(std::vector<uint32_t>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// The fact ids of the asked spellings as the lines are read: a spelling of many lines names the
// same few facts over and over, so each list is deduplicated whenever it has doubled since.
class FactLists {
 public:
  explicit FactLists(size_t spellings) : lists_(spellings), deduplicated_(spellings, 0) {}

  void Add(uint32_t k, uint32_t fact) {
    std::vector<uint32_t>& list = lists_[k];
    if (!list.empty() && list.back() == fact) return;
    list.push_back(fact);
    if (list.size() >= 2 * deduplicated_[k] + 16) {
      SortUnique(list);
      deduplicated_[k] = static_cast<uint32_t>(list.size());
    }
  }

  std::vector<std::vector<uint32_t>> Take() {
    for (std::vector<uint32_t>& list : lists_) SortUnique(list);
    return std::move(lists_);
  }

 private:
  std::vector<std::vector<uint32_t>> lists_;
  std::vector<uint32_t> deduplicated_;  // a list's size when last deduplicated
};

// Fact ids by name, for one answer.
class FactNames {
 public:
  explicit FactNames(std::vector<std::string>& names) : names_(names) {}

  // The id of `name`; kNone for "" (no fact).
  uint32_t Id(std::string name) {
    if (name.empty()) return ShipmentTable::kNone;
    auto [it, added] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(std::move(name));
    return it->second;
  }

 private:
  std::vector<std::string>& names_;
  std::unordered_map<std::string, uint32_t> ids_;
};

// A fact id computed once per source id (a supplier, a notify party, a consignee).
constexpr uint32_t kNotYet = ShipmentTable::kNone - 1;

}  // namespace

Evidence ShipmentTable::BuyerEvidence(std::span<const uint32_t> spellings) const {
  Evidence out;
  if (spellings.empty()) return out;
  FactNames names(out.names);
  const std::vector<uint32_t> slot = Slots(spellings, buyer_spellings_.size());
  FactLists lists(spellings.size());
  std::vector<uint32_t> supplier_fact(supplier_spellings_.size(), kNotYet);
  std::vector<uint32_t> party_fact(notify_.size(), kNotYet);
  for (size_t line = 0; line < buyer.size(); ++line) {
    const uint32_t k = slot[buyer[line]];
    if (k == kNone) continue;
    if (const uint32_t s = supplier[line]; s != kNone) {
      if (supplier_fact[s] == kNotYet) {
        supplier_fact[s] = names.Id(NameFact("supplier", supplier_spellings_[s]));
      }
      if (supplier_fact[s] != kNone) lists.Add(k, supplier_fact[s]);
    }
    if (const uint32_t n = notify[line]; n != kNone) {
      if (party_fact[n] == kNotYet) {
        std::string key = NameKey(notify_.Text(n));
        party_fact[n] = IsPlaceholderParty(key) ? kNone : names.Id("notify party " + key);
      }
      if (party_fact[n] != kNone) lists.Add(k, party_fact[n]);
    }
  }
  std::unordered_map<std::string_view, uint32_t> address_fact;  // by "address\x1fcity"
  for (size_t k = 0; k < spellings.size(); ++k) {
    if (spellings[k] >= buyer_addresses_.size()) continue;
    for (const std::string& written : buyer_addresses_[spellings[k]]) {
      auto [it, added] = address_fact.try_emplace(written, kNone);
      if (added) {
        const size_t split = written.find('\x1f');
        const std::string address = AddressKey(std::string_view(written).substr(0, split));
        const std::string city = AddressKey(std::string_view(written).substr(split + 1));
        if (!address.empty()) {
          it->second = names.Id("address " + address + (city.empty() ? "" : ", " + city));
        }
      }
      if (it->second != kNone) lists.Add(static_cast<uint32_t>(k), it->second);
    }
  }
  out.facts = lists.Take();
  return out;
}

Evidence ShipmentTable::SupplierEvidence(std::span<const uint32_t> spellings) const {
  Evidence out;
  if (spellings.empty()) return out;
  FactNames names(out.names);
  const std::vector<uint32_t> slot = Slots(spellings, supplier_spellings_.size());
  FactLists lists(spellings.size());
  std::vector<uint32_t> consignee_fact(buyer_spellings_.size(), kNotYet);
  for (size_t line = 0; line < supplier.size(); ++line) {
    if (supplier[line] == kNone) continue;
    const uint32_t k = slot[supplier[line]];
    if (k == kNone) continue;
    const uint32_t b = buyer[line];
    if (consignee_fact[b] == kNotYet) {
      consignee_fact[b] = names.Id(NameFact("consignee", buyer_spellings_[b]));
    }
    if (consignee_fact[b] != kNone) lists.Add(k, consignee_fact[b]);
  }
  out.facts = lists.Take();
  return out;
}

Evidence SpellingsView::EvidenceOf(std::span<const uint32_t> spellings) const {
  return buyers_ ? table_->BuyerEvidence(spellings) : table_->SupplierEvidence(spellings);
}

}  // namespace leadq::trade
