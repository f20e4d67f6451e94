// Buyer screening: the five criteria of ../shared/spec/SHIPMENTS.md over resolved buyers.
//
// ScreenBuyers takes the shipment lines (trade/shipments.h), the [export] section of the model,
// its tariff table, what the user recorded about access, the user's merge/split rules and
// `as_of`, resolves consignee and shipper spellings into entities (trade/entities.h), computes
// each buyer's signals and judges each criterion as met, failed or unknown with an evidence
// line; the tier follows from the count of criteria met (5 qualified, 3-4 developing, else
// research artifact). A criterion without the data to judge it is unknown, never met.
//
// Pure, deterministic and thread-safe; the per-buyer work runs on every core.
//
// Example:
//   LEADQ_TRY(TariffTable tariffs, TariffTable::Load(model.exports->tariffs));
//   Screening s = ScreenBuyers(table, *model.exports, tariffs, {}, {}, as_of);
//   for (const BuyerResult& b : s.buyers) std::cout << b.name << " " << TierName(b.tier) << "\n";
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/model.h"
#include "trade/entities.h"
#include "trade/landed_cost.h"
#include "trade/shipments.h"
#include "trade/tariff.h"

namespace leadq::trade {

enum class Verdict { kMet, kFailed, kUnknown };
std::string_view VerdictName(Verdict v);  // "met", "failed", "unknown"

enum class Tier { kQualified, kDeveloping, kArtifact };
std::string_view TierName(Tier t);  // "qualified", "developing", "artifact"
std::optional<Tier> ParseTier(std::string_view name);

// The five criteria, in SHIPMENTS.md order.
inline constexpr std::array<std::string_view, 5> kCriteria = {"activity", "capability", "movement",
                                                              "economics", "access"};

struct Criterion {
  Verdict verdict = Verdict::kUnknown;
  std::string evidence;  // one line a person reads
};

// A named shipment that proves activity.
struct Transaction {
  std::string date;  // YYYY-MM-DD
  std::string hs;    // "8708.30.50"
  std::string supplier;
  std::string origin;
  std::optional<double> weight_kg;
};

// What the user knows about reaching a buyer's decision makers, by one of its spellings.
struct AccessFact {
  std::string country;
  std::string spelling;                 // DisplaySpelling form
  Verdict verdict = Verdict::kUnknown;  // met: a credible path; failed: none
  std::string evidence;
};

// The figures behind the criteria (NaN-free: optionals where a figure may not exist).
struct Signals {
  // Activity.
  int recent_product_shipments = 0;
  std::string last_product_date;  // empty: none ever
  std::string main_hs;            // the most frequent product HS code (6 digits) of the buyer
  // Capability.
  int active_months = 0;  // months with any import in the capability window
  int total_shipments = 0;
  double total_weight_kg = 0;
  double notify_share = 0;  // in the capability window
  int origin_shipments = 0;
  // Movement.
  std::optional<double> new_supplier_share;
  std::optional<double> volume_growth;
  std::optional<double> supplier_hhi;
  std::optional<double> origin_shift;  // the largest fall of one origin's share
  std::string origin_shift_country;
  int last_period_shipments = 0, previous_period_shipments = 0;
  // Economics.
  std::optional<double> reference_price;  // per unit, destination currency
  std::string reference_from;             // "declared value 9.80 USD/kg" or "market price"
  std::optional<double> margin;           // (reference - landed) / reference
};

struct BuyerResult {
  std::string id;  // Entity::id
  std::string name;
  std::string country;
  std::vector<std::string> spellings;  // most shipments first
  Tier tier = Tier::kArtifact;
  int met = 0, failed = 0, unknown = 0;
  std::array<Criterion, 5> criteria;
  Signals signals;
  std::vector<Transaction> transactions;    // the latest product shipments, newest first (<= 5)
  std::vector<std::string> notify_parties;  // most frequent first (<= 3)
  std::optional<LandedCost> landed;         // when the economics could be computed
  std::string product;                      // the seller's product the landed cost is for
};

struct Screening {
  std::vector<BuyerResult> buyers;  // the shortlist order: best first
  Resolution resolution;            // of buyer spellings (ShipmentTable::buyer_spellings)
  Resolution suppliers;             // of supplier spellings
  std::vector<std::string> notes;   // facts about the run ("12 buyers outside markets left out")
};

// Screens every buyer in `section.markets` (every buyer when empty). `rules` are the user's
// merge/split rules for buyers; `supplier_rules` for suppliers. Never fails: what cannot be
// judged is unknown, with the reason in its evidence line.
Screening ScreenBuyers(const ShipmentTable& table, const model::ExportSection& section,
                       const TariffTable& tariffs, std::span<const AccessFact> access,
                       std::span<const EntityRule> rules,
                       std::span<const EntityRule> supplier_rules, TimePoint as_of);

// The order of the shortlist: tier, then criteria met, then fewer failed, then recent product
// shipments, then margin, then name. Exposed for tests.
bool ShortlistBefore(const BuyerResult& a, const BuyerResult& b);

// Resolves spellings (ShipmentTable::buyer_spellings or supplier_spellings) with the user's rules;
// near matches are confirmed by what the table's lines say (SpellingsView::EvidenceOf: the same
// address, notify party or supplier for buyers, the same consignee for suppliers). Never fails.
Resolution ResolveSpellings(SpellingsView spellings, std::span<const EntityRule> rules);

// The tier of a count of criteria met.
Tier TierOf(int met);

}  // namespace leadq::trade
