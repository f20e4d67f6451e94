// Column mappings for `leadq import`: how the headers of another system's CSV export become
// leadq's columns. A mapping is a preset (hubspot, salesforce) or a TOML file:
//
//   # maven-pipeline.toml: the Maven Analytics CRM opportunities as outcomes
//   [columns]                        # leadq key = the source header (or a list of candidates)
//   deal_id = "opportunity_id"
//   account_id = "account"
//   status = "deal_stage"
//   created_at = "engage_date"
//   closed_at = "close_date"
//   value = "close_value"
//   [values.status]                  # source value = leadq value, for one column
//   Engaging = "open"
//   Prospecting = "open"
//
// Headers are compared by their key (core/text.h ColumnKey), so "Record ID" and "record_id"
// are the same header. Columns the mapping does not name keep their own key.
//
// Example:
//   LEADQ_TRY(Mapping m, LoadMapping("hubspot", ImportKind::kLeads));
//   std::vector<std::string> keys = m.KeysFor(csv.columns());
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/status.h"

namespace leadq::service {

enum class ImportKind { kLeads, kAccounts, kEvents, kOutcomes, kShipments };
std::string_view ImportKindName(ImportKind kind);

struct Mapping {
  std::string name;  // "hubspot", a file path, or "" for none
  // leadq key -> candidate source headers (as keys), the first one present wins.
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
  // leadq key -> (source value, ignoring case and surrounding space -> leadq value).
  std::map<std::string, std::map<std::string, std::string>> values;

  // The leadq key of every column of a header (empty for a column nobody uses: an unnamed one,
  // or one whose own key a mapped column took over).
  std::vector<std::string> KeysFor(const std::vector<CsvColumn>& header) const;
  // A cell's value after the [values] table of its column.
  std::string_view MapValue(const std::string& key, std::string_view value) const;
};

// `spec` is empty (no mapping), a preset name (hubspot, salesforce) or a mapping file. Fails
// with the file, line and column of a mistake in a mapping file, or the list of presets.
Result<Mapping> LoadMapping(const std::string& spec, ImportKind kind);

}  // namespace leadq::service
