// The qualification model (../shared/spec/MODEL.md) as validated plain data.
//
// LoadModel reads a TOML file, checks every section, key and value against MODEL.md and
// returns a Model, or an error listing every mistake found (not only the first), each as
// "file:line:column: what is wrong". Nothing here looks at leads: binding field references to
// the columns of a data set is the engine's compile step (engine/compiled_model.h).
//
// Example:
//   LEADQ_TRY(model::Model m, model::LoadModel("examples/models/b2b-saas.toml"));
//   for (const model::FitRule& rule : m.fit.rules) std::cout << rule.name << "\n";
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace re2 {
class RE2;
}

namespace leadq::model {

// Where something was written in the model file (1-based; 0 when unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// A message about the model at a position. Errors refuse the model; warnings do not.
struct Diagnostic {
  SourcePos pos;
  std::string message;
  bool is_error = true;
};

// "file:line:column: message" (or "file: message" without a position).
std::string FormatDiagnostic(const std::filesystem::path& file, const Diagnostic& d);

// Where a field's value comes from.
enum class FieldSource { kLead, kAccount, kEvent };

// "lead.industry": the source and the column key (normalised with ColumnKey).
struct FieldRef {
  FieldSource source = FieldSource::kLead;
  std::string key;
  std::string text;  // as written in the model, for messages
};

enum class Op {
  kEq,
  kNe,
  kIn,
  kNotIn,
  kGt,
  kGte,
  kLt,
  kLte,
  kBetween,
  kContains,
  kStartsWith,
  kEndsWith,
  kMatches,
  kExists,
  kInList,
};

// The TOML key of an operator ("not_in").
std::string_view OpName(Op op);

// A scalar operand: a string, a number (TOML integer or float) or a boolean.
struct Operand {
  enum class Kind { kString, kNumber, kBool };
  Kind kind = Kind::kString;
  std::string text;  // kString: as written (not trimmed); other kinds: a display form
  double number = 0;
  bool boolean = false;
};

// A condition: a leaf comparing one field, or all/any/not over conditions.
struct Condition {
  enum class Kind { kLeaf, kAll, kAny, kNot };
  Kind kind = Kind::kLeaf;
  SourcePos pos;

  // Leaf only.
  FieldRef field;
  Op op = Op::kEq;
  // eq, ne, gt, gte, lt, lte, contains, starts_with, ends_with, matches, exists, in_list: one
  // operand (exists: a boolean; in_list: the list's name as a string). in, not_in: one or more.
  // between: two numbers, lo <= hi.
  std::vector<Operand> operands;
  // matches: the pattern compiled once (shared so that a Condition stays copyable).
  std::shared_ptr<const re2::RE2> regex;

  // all, any: one or more children; not: exactly one.
  std::vector<Condition> children;
};

struct FitRule {
  std::string name;  // unique within [fit]
  Condition when;
  double points = 0;
  SourcePos pos;
  SourcePos points_pos;  // where the points value is written (for tools that rewrite it)
};

struct FitSection {
  double max = 100;
  std::vector<FitRule> rules;
};

struct IntentEntry {
  std::string name;                      // optional label; empty when the file gives none
  std::string type;                      // trimmed as written; matched ignoring ASCII case
  double points = 0;                     // >= 0
  std::optional<double> cap;             // >= 0
  std::optional<double> half_life_days;  // >= 0; overrides IntentSection::half_life_days
  std::optional<Condition> when;         // over event.* fields
  SourcePos pos;
  SourcePos points_pos;

  // "demo_request" or the name when one is given, for explanations.
  std::string Label() const { return name.empty() ? type : name; }
};

struct IntentSection {
  double max = 100;
  double half_life_days = 0;  // 0: no decay
  double window_days = 0;     // 0: no window
  std::vector<IntentEntry> entries;
};

struct NegativeEntry {
  std::string name;
  std::optional<Condition> when;          // over lead.* and account.* fields
  std::optional<std::string> event_type;  // any event of this type in the intent window
  double points = 0;                      // <= 0
  SourcePos pos;
  SourcePos points_pos;
};

struct ScoreSection {
  double fit_weight = 1;
  double intent_weight = 1;
};

struct Grade {
  std::string name;
  double threshold = 0;
  SourcePos pos;
};

// A named action list: the grade cells ("A1") that get this action.
struct ActionList {
  std::string action;
  std::vector<std::string> cells;
  SourcePos pos;
};

struct ActionsSection {
  std::optional<std::string> default_action;  // the [actions] default is "lead" when absent
  std::vector<ActionList> lists;              // in file order
};

struct DisqualifyRule {
  std::string reason;
  Condition when;
  SourcePos pos;
};

struct Channel {
  std::string name;
  Condition when;
  // Lists that replace the model's lists of the same action for leads of this channel.
  ActionsSection actions;
  SourcePos pos;
};

// Named lists of strings for `in_list`.
struct NamedList {
  std::string name;
  std::vector<std::string> values;  // trimmed, as written (case is ignored when comparing)
  std::string file;                 // the file it was read from, when it came from one
  SourcePos pos;
};

// A qualification framework (BANT, MEDDIC, CHAMP, or one the model declares).
struct FrameworkCriterion {
  std::string key;          // "budget": what `leadq qualify --set budget=met` names
  std::string name;         // "Budget"
  std::string description;  // what "met" means, for the seller
};

struct Framework {
  std::string key;   // "bant"
  std::string name;  // "BANT"
  std::string description;
  std::vector<FrameworkCriterion> criteria;
  SourcePos pos;  // 0:0 for the built-in ones
};

// The lifecycle stages by name, in the order of engine::Stage (the engine's enum indexes this
// list; gates in the model name stages with it).
inline constexpr std::array<std::string_view, 10> kStageNames = {
    "new", "mql",  "accepted", "sql",          "opportunity",
    "won", "lost", "nurture",  "disqualified", "recycled"};

// A stage that needs framework answers before a person may move a lead into it.
struct Gate {
  std::string to;    // stage name
  std::string from;  // stage name; empty: from any stage
  std::string framework;
  // Exactly one way to pass: every criterion met; at least N met; or the named ones met.
  enum class Require { kAll, kAtLeast, kNamed };
  Require require = Require::kAll;
  int at_least = 0;
  std::vector<std::string> criteria;
  SourcePos pos;
};

// [lifecycle]: how the lifecycle treats leads (leadq's addition to MODEL.md).
struct LifecycleSection {
  double recycle_days = 120;  // a recycled lead returns to nurture after this many days
  // An mql whose intent stays below stale_intent for stale_mql_days goes back to nurture.
  // 0 days: never.
  double stale_mql_days = 0;
  double stale_intent = 0;
  // Reason codes for disqualification and loss.
  std::vector<std::string> reasons = {"no_budget",  "no_authority", "no_need",          "no_timing",
                                      "out_of_icp", "competitor",   "bankrupt",         "acquired",
                                      "duplicate",  "unresponsive", "no_import_license"};
  std::vector<Gate> gates;    // [[lifecycle.gate]]
  bool default_gates = true;  // with no gates: accepted -> sql needs BANT all met
};

// [handoff]: who gets a qualified lead, how fast they must answer and how they follow up
// (leadq's addition to MODEL.md).

// An assignment rule: leads that match `when` go to the owners of `pool`.
struct AssignRule {
  std::string name;
  std::optional<Condition> when;         // over lead.* and account.*; absent: every lead
  std::vector<std::string> pool;         // owner ids, as `leadq owner add` names them
  std::optional<bool> account_affinity;  // overrides HandoffSection::account_affinity
  SourcePos pos;
};

// Which leads a response-clock or cadence rule applies to. Empty lists match everything.
struct HandoffScope {
  std::vector<std::string> cells;     // grade cells ("A1")
  std::vector<std::string> channels;  // [[channel]] names; "none" for leads of no channel
};

// Escalation of a breached response clock.
enum class Escalation { kNone, kNotify, kReassign };
std::string_view EscalationName(Escalation e);  // "none", "notify", "reassign"

// A response clock: the first touch is due `minutes` after the lead becomes an mql.
struct SlaRule {
  std::string name;
  HandoffScope scope;
  double minutes = 0;
  bool working_hours = false;  // count only the owner's working hours
  Escalation escalate = Escalation::kNotify;
  double escalate_after_minutes = 0;  // after the breach
  SourcePos pos;
};

// A follow-up cadence: `touches` touches spread over `days`, at least `min_spacing_hours`
// apart, over the channels of `via` in turn; after the last one, `reply_wait_days` for a reply,
// then the lead is recycled as unresponsive.
struct CadenceRule {
  std::string name;
  HandoffScope scope;
  int touches = 6;
  double days = 14;
  double min_spacing_hours = 24;
  std::vector<std::string> via = {"call", "email"};  // email, call, linkedin, meeting
  double reply_wait_days = 3;
  SourcePos pos;
};

// The touch channels and outcomes leadq knows.
inline constexpr std::array<std::string_view, 4> kTouchChannels = {"email", "call", "linkedin",
                                                                   "meeting"};

struct HandoffSection {
  bool account_affinity = true;       // a lead of an account with an owner goes to that owner
  std::vector<std::string> fallback;  // owners when no rule matches or its pool is full
  std::vector<AssignRule> rules;      // [[handoff.assign]], first match wins
  std::vector<SlaRule> sla;           // [[handoff.sla]], first match wins
  std::vector<CadenceRule> cadences;  // [[handoff.cadence]], first match wins
  // Communication limit: never more than limit_touches touches in limit_days (0: no limit).
  int limit_touches = 0;
  double limit_days = 0;
  std::optional<Condition> do_not_contact;  // over lead.* and account.*
  SourcePos pos;
};

// [predictive]: a model learned from outcomes (`leadq learn`) whose probability becomes a lead
// field that conditions can use (fit rules, negatives, disqualify, channels, handoff rules):
//   [predictive]
//   model = "p_convert.json"   # relative to the model file
//   field = "p_convert"        # optional; conditions read it as lead.p_convert
// The model layer reads the file's bytes (so a missing file is a position error here); the
// service layer parses and applies it (analytics/predictor.h).
struct PredictiveSection {
  std::string file;     // the path, resolved against the model's folder
  std::string written;  // the path as written in the model
  std::string content;  // the file's bytes
  std::string field = "p_convert";
  SourcePos pos;       // of the [predictive] table
  SourcePos file_pos;  // of the model key
};

// [export]: pre-qualification of foreign buyers from customs records (../shared/spec/
// SHIPMENTS.md). The model layer checks keys, types and ranges and reads the tariff files'
// bytes; src/trade/ parses the tariff tables (their rate strings) and does the screening.
// Money amounts of the seller (FOB price, freight) are in `currency`; a destination's market
// price in that destination's currency; `usd_per` converts every currency named to USD.

// [[export.product]]: what the seller sells, by HS prefix (4 to 10 digits, dots ignored).
struct ExportProduct {
  std::string hs = {};        // digits only
  std::string name = {};      // optional, for messages ("brake discs")
  double fob_price = 0;       // per unit, in ExportSection::currency
  double unit_weight_kg = 0;  // per unit: turns per-kg freight and specific duty into per unit
  // The reference price per unit by destination country, in that destination's currency (used
  // when a buyer declared no value of its own).
  std::vector<std::pair<std::string, double>> market_price = {};
  SourcePos pos = {};
};

enum class ValuationBasis { kFob, kCif };
// What a fee or a tax is charged on.
enum class ChargeBase { kFob, kCustomsValue, kCif, kDuty, kFees, kFreight };
std::string_view ChargeBaseName(ChargeBase base);  // "fob", "customs_value", ...

// [[export.destination.fee]]: a per-entry fee, e.g. the US merchandise processing fee
// (rate 0.003464 of the customs value, min 33.58, max 651.50 USD per entry) or the harbor
// maintenance fee (0.00125, ocean shipments only).
struct ExportFee {
  std::string name = {};
  double rate = 0;  // fraction of `base`
  ChargeBase base = ChargeBase::kCustomsValue;
  double min = 0;              // per entry, in the destination currency; 0: none
  double max = 0;              // per entry; 0: none
  std::string only_mode = {};  // "ocean", "air", "land"; empty: any mode
  SourcePos pos = {};
};

// [[export.destination]]: one country the seller ships to and its customs rule.
struct ExportDestination {
  std::string country = {};   // ISO 3166-1 alpha-2
  std::string currency = {};  // of the buyer, e.g. "BRL"
  ValuationBasis basis = ValuationBasis::kFob;
  bool duty_free = false;      // no duty at all (a customs union: DE -> PL)
  std::string mode = "ocean";  // how goods arrive: "ocean", "air", "land"
  double freight_per_kg = 0;   // seller currency
  double freight_per_teu = 0;  // seller currency; with ExportSection::units_per_teu
  std::optional<double> insurance_rate = std::nullopt;  // overrides ExportSection::insurance_rate
  std::vector<ExportFee> fees = {};
  double vat = 0;  // import VAT / GST rate; 0: none levied at import
  std::vector<ChargeBase> vat_base = {ChargeBase::kCif, ChargeBase::kDuty, ChargeBase::kFees};
  double units_per_entry = 0;  // units in one customs entry (fees' min and max)
  SourcePos pos = {};
};

// A tariff file named by the model (trade/tariff.h reads its layouts).
struct TariffFile {
  std::string file = {};         // resolved against the model's folder
  std::string written = {};      // as written in the model
  std::string content = {};      // the file's bytes
  std::string destination = {};  // for layouts without a destination column (US HTS): "US"
  SourcePos pos = {};
};

// The movement signals (criterion 3) that count, each with its threshold; unset: not counted.
struct MovementRules {
  std::optional<double> new_supplier_share =
      std::nullopt;  // suppliers first seen in the last period
  std::optional<double> volume_growth =
      std::nullopt;  // last period against the one before, 0.25 = +25%
  std::optional<double> supplier_hhi = std::nullopt;  // Herfindahl index of product shipments, 0..1
  std::optional<double> origin_shift =
      std::nullopt;  // an origin's share fell by at least this (0..1)
  SourcePos pos = {};
};

struct ExportSection {
  std::string origin = {};                   // the seller's country, ISO alpha-2
  std::string currency = "USD";              // of the seller's prices
  std::vector<ExportProduct> products = {};  // at least one
  std::vector<std::string> markets = {};     // countries screened; empty: every country in the data
  int recent_months = 12;                    // criterion 1's window
  int history_months = 24;                   // criterion 2's window ("months with any import")
  int period_months = 12;  // movement compares the last period with the one before
  // Criterion 1: activity.
  int min_recent_shipments = 1;
  // Criterion 2: capability.
  int min_active_months = 6;
  double min_notify_share = 0;   // share of shipments with a notify party
  int min_origin_shipments = 0;  // shipments ever received from `origin`
  // Criterion 3: reason to switch.
  MovementRules movement;
  // Criterion 4: economics.
  double insurance_rate = 0.003;  // of FOB (or CIF: of FOB + freight)
  double units_per_teu = 0;       // units in a twenty-foot container, for per-TEU freight
  double min_margin = 0.1;        // (reference - landed) / reference at least this
  std::vector<std::pair<std::string, double>> usd_per = {};  // currency -> USD for one unit
  std::vector<ExportDestination> destinations = {};
  std::vector<TariffFile> tariffs = {};
  // Criterion 5: access. A promoted buyer's contacts (leads of its account) whose `role_field`
  // holds one of `roles` (any case) give access.
  std::string role_field = "decision_role";
  std::vector<std::string> roles = {"decision maker", "economic buyer", "signer"};
  SourcePos pos = {};
};

struct Model {
  std::filesystem::path path;  // the file it was read from
  std::string name;            // [model] name, optional
  std::string description;     // [model] description, optional

  std::vector<NamedList> lists;
  FitSection fit;
  IntentSection intent;
  std::vector<NegativeEntry> negatives;
  ScoreSection score;
  std::vector<Grade> fit_grades;     // in file order
  std::vector<Grade> intent_grades;  // in file order
  ActionsSection actions;
  std::vector<DisqualifyRule> disqualify;
  std::vector<Channel> channels;
  LifecycleSection lifecycle;
  std::vector<Framework> frameworks;  // [[framework]]: the model's own; built-ins live in engine
  HandoffSection handoff;
  std::optional<PredictiveSection> predictive;
  std::optional<ExportSection> exports;  // [export]

  std::vector<Diagnostic> warnings;  // things worth a look that do not refuse the model

  const NamedList* FindList(std::string_view name) const;
  std::string DefaultAction() const { return actions.default_action.value_or("lead"); }
};

// The action of one grade cell, and which part of the model gave it.
struct CellAction {
  enum class From { kDefault, kList, kChannelList, kChannelDefault };
  std::string action;
  From from = From::kDefault;
};

// The action of every grade cell ("A1" = fit grade name + intent grade name) for leads of no
// channel (`channel` -1) or of channel `channel`: MODEL.md "Grades and actions" and "Channels"
// (a channel's lists replace the lists they name; a cell moved into a replaced list leaves the
// list it was in; cells in no list get the default). Empty without grades. Thread-safe.
std::map<std::string, CellAction> CellActions(const Model& model, int channel);

// The built-in frameworks in a stable order (bant, meddic, champ), each with pos 0:0. A model's
// [[framework]] with the same key replaces one (engine::FindFramework). Thread-safe.
const std::vector<Framework>& BuiltinFrameworks();

// Reads and validates a model file. On failure the Status message holds every error found, one
// per line, as "file:line:column: what is wrong". Thread-safe.
Result<Model> LoadModel(const std::filesystem::path& path);

// The same from TOML text; `path` names the file in messages and anchors list files.
Result<Model> ParseModel(std::string_view toml, const std::filesystem::path& path);

}  // namespace leadq::model
