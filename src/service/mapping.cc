#include "service/mapping.h"

#include <toml++/toml.h>

#include <filesystem>

#include "core/text.h"

namespace leadq::service {
namespace {

using Columns = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Standard column names of the CSV exports of HubSpot (contacts, companies) and Salesforce
// (leads and contacts reports, accounts; report labels and API names).
Columns HubSpotColumns(ImportKind kind) {
  switch (kind) {
    case ImportKind::kLeads:
      return {{"lead_id", {"Record ID", "Contact ID", "hs_object_id"}},
              {"account_id",
               {"Associated Company ID", "Associated Company IDs",
                "Associated Company IDs (Primary)", "Company ID", "associatedcompanyid"}},
              {"first_name", {"First Name", "firstname"}},
              {"last_name", {"Last Name", "lastname"}},
              {"email", {"Email", "Email Address", "email"}},
              {"phone", {"Phone Number", "phone"}},
              {"job_title", {"Job Title", "jobtitle"}},
              {"company", {"Company Name", "company"}},
              {"country", {"Country/Region", "Country", "country"}},
              {"lifecycle_stage", {"Lifecycle Stage", "lifecyclestage"}},
              {"lead_status", {"Lead Status", "hs_lead_status"}},
              {"source", {"Original Source", "Original Source Type", "hs_analytics_source"}},
              {"owner", {"Contact owner", "Contact Owner", "hubspot_owner_id"}},
              {"created_at", {"Create Date", "createdate"}}};
    case ImportKind::kAccounts:
      return {{"account_id", {"Record ID", "Company ID", "hs_object_id"}},
              {"name", {"Company name", "Name", "name"}},
              {"domain", {"Company Domain Name", "Website URL", "domain"}},
              {"industry", {"Industry", "industry"}},
              {"employees", {"Number of Employees", "numberofemployees"}},
              {"annual_revenue", {"Annual Revenue", "annualrevenue"}},
              {"country", {"Country/Region", "Country", "country"}},
              {"owner", {"Company owner", "Company Owner", "hubspot_owner_id"}},
              {"created_at", {"Create Date", "createdate"}}};
    case ImportKind::kEvents:
      return {{"event_id", {"Activity ID", "Engagement ID", "Record ID"}},
              {"lead_id", {"Contact ID", "Associated Contact ID", "Associated Contact IDs"}},
              {"type", {"Activity type", "Activity Type", "Engagement Type", "Event Type"}},
              {"occurred_at", {"Activity date", "Activity Date", "Timestamp", "Create Date"}}};
    case ImportKind::kOutcomes:
      return {{"deal_id", {"Record ID", "Deal ID", "hs_object_id"}},
              {"account_id", {"Associated Company ID", "Associated Company IDs", "Company ID"}},
              {"lead_id", {"Associated Contact ID", "Associated Contact IDs", "Contact ID"}},
              {"created_at", {"Create Date", "createdate"}},
              {"closed_at", {"Close Date", "closedate"}},
              {"status", {"Deal Stage", "dealstage"}},
              {"value", {"Amount", "amount"}},
              {"lost_reason", {"Closed Lost Reason", "closed_lost_reason"}},
              {"owner", {"Deal owner", "Deal Owner", "hubspot_owner_id"}}};
    case ImportKind::kShipments:
      return {};  // CRMs export no customs records
  }
  return {};
}

Columns SalesforceColumns(ImportKind kind) {
  switch (kind) {
    case ImportKind::kLeads:
      return {{"lead_id", {"Lead ID", "Contact ID", "Id", "Record ID"}},
              {"account_id", {"Account ID", "AccountId", "Converted Account ID"}},
              {"first_name", {"First Name", "FirstName"}},
              {"last_name", {"Last Name", "LastName"}},
              {"email", {"Email", "Email Address"}},
              {"phone", {"Phone", "Business Phone"}},
              {"job_title", {"Title", "Job Title"}},
              {"company", {"Company / Account", "Company", "Account Name", "AccountName"}},
              {"industry", {"Industry"}},
              {"employees", {"No. of Employees", "Employees", "NumberOfEmployees"}},
              {"annual_revenue", {"Annual Revenue", "AnnualRevenue"}},
              {"country", {"Country", "Mailing Country", "MailingCountry"}},
              {"source", {"Lead Source", "LeadSource"}},
              {"lead_status", {"Lead Status", "Status"}},
              {"owner", {"Lead Owner", "Contact Owner", "Owner Name", "OwnerId"}},
              {"created_at", {"Created Date", "Create Date", "CreatedDate"}}};
    case ImportKind::kAccounts:
      return {{"account_id", {"Account ID", "Id"}},
              {"name", {"Account Name", "Name"}},
              {"domain", {"Website"}},
              {"industry", {"Industry"}},
              {"employees", {"Employees", "NumberOfEmployees"}},
              {"annual_revenue", {"Annual Revenue", "AnnualRevenue"}},
              {"country", {"Billing Country", "BillingCountry"}},
              {"account_type", {"Type", "Account Type"}},
              {"owner", {"Account Owner", "OwnerId"}},
              {"created_at", {"Created Date", "CreatedDate"}}};
    case ImportKind::kEvents:
      return {{"event_id", {"Activity ID", "Task ID", "Id"}},
              {"lead_id", {"Lead ID", "Contact ID", "WhoId", "Name ID"}},
              {"type", {"Type", "Task Subtype", "TaskSubtype", "Subject"}},
              {"occurred_at",
               {"Date", "Activity Date", "ActivityDate", "Created Date", "CreatedDate"}}};
    case ImportKind::kOutcomes:
      return {{"deal_id", {"Opportunity ID", "Id"}},
              {"account_id", {"Account ID", "AccountId"}},
              {"lead_id", {"Contact ID", "Primary Contact ID", "Converted Lead ID"}},
              {"created_at", {"Created Date", "CreatedDate"}},
              {"closed_at", {"Close Date", "CloseDate"}},
              {"status", {"Stage", "StageName"}},
              {"value", {"Amount"}},
              {"lost_reason", {"Loss Reason", "Closed Lost Reason", "Loss_Reason__c"}},
              {"owner", {"Opportunity Owner", "Owner Name", "OwnerId"}}};
    case ImportKind::kShipments:
      return {};
  }
  return {};
}

// Salesforce and HubSpot deal stages that mean won or lost; anything else must be mapped.
std::map<std::string, std::string> StandardStatusValues() {
  return {{"closed won", "won"},  {"closed lost", "lost"}, {"closedwon", "won"},
          {"closedlost", "lost"}, {"won", "won"},          {"lost", "lost"},
          {"open", "open"}};
}

std::string Where(const std::filesystem::path& file, const toml::source_region& r) {
  return file.string() + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) +
         ": ";
}

Result<Mapping> LoadMappingFile(const std::filesystem::path& file) {
  Mapping m;
  m.name = file.string();
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return Status::Invalid(Where(file, e.source()) +
                           "not valid TOML: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Status::Invalid(file.string() + ": " + e.what());
  }
  std::string errors;
  for (const auto& [key, node] : doc) {
    std::string k(key.str());
    if (k == "columns") {
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        errors += Where(file, node.source()) + "[columns] must be a table\n";
        continue;
      }
      for (const auto& [target, source] : *t) {
        std::vector<std::string> candidates;
        if (const auto* s = source.as_string()) {
          candidates.push_back(ColumnKey(s->get()));
        } else if (const auto* a = source.as_array()) {
          for (const auto& item : *a) {
            if (const auto* s = item.as_string()) candidates.push_back(ColumnKey(s->get()));
          }
        }
        if (candidates.empty()) {
          errors += Where(file, source.source()) + "columns." + std::string(target.str()) +
                    " must be a header name or a list of header names\n";
          continue;
        }
        m.columns.emplace_back(ColumnKey(target.str()), std::move(candidates));
      }
    } else if (k == "values") {
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        errors += Where(file, node.source()) + "[values] must be a table of tables\n";
        continue;
      }
      for (const auto& [target, table] : *t) {
        const toml::table* vt = table.as_table();
        if (vt == nullptr) {
          errors += Where(file, table.source()) + "values." + std::string(target.str()) +
                    " must be a table of source value = leadq value\n";
          continue;
        }
        auto& out = m.values[ColumnKey(target.str())];
        for (const auto& [from, to] : *vt) {
          if (const auto* s = to.as_string()) {
            out[AsciiLower(Trim(from.str()))] = s->get();
          } else {
            errors += Where(file, to.source()) + "values." + std::string(target.str()) + "." +
                      std::string(from.str()) + " must be a string\n";
          }
        }
      }
    } else {
      errors += Where(file, node.source()) + "unknown key \"" + k +
                "\" (a mapping file has [columns] and [values])\n";
    }
  }
  if (!errors.empty()) {
    errors.pop_back();
    return Status::Invalid(errors);
  }
  return m;
}

}  // namespace

std::string_view ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kLeads:
      return "leads";
    case ImportKind::kAccounts:
      return "accounts";
    case ImportKind::kEvents:
      return "events";
    case ImportKind::kOutcomes:
      return "outcomes";
    case ImportKind::kShipments:
      return "shipments";
  }
  return "";
}

Result<Mapping> LoadMapping(const std::string& spec, ImportKind kind) {
  Mapping m;
  if (spec.empty()) {
    m.values["status"] = StandardStatusValues();
    return m;
  }
  std::string preset = AsciiLower(spec);
  if ((preset == "hubspot" || preset == "salesforce") && kind == ImportKind::kShipments) {
    return Status::Invalid("--map " + spec + ": " + preset +
                           " exports no customs records; write a mapping file ([columns] "
                           "bol_number = \"Your header\")");
  }
  if (preset == "hubspot" || preset == "salesforce") {
    m.name = preset;
    Columns cols = preset == "hubspot" ? HubSpotColumns(kind) : SalesforceColumns(kind);
    for (auto& [target, candidates] : cols) {
      for (std::string& c : candidates) c = ColumnKey(c);
      m.columns.emplace_back(target, std::move(candidates));
    }
    m.values["status"] = StandardStatusValues();
    return m;
  }
  std::error_code ec;
  if (!std::filesystem::exists(spec, ec)) {
    return Status::NotFound("--map " + spec +
                            ": no such preset or file (presets: hubspot, salesforce)");
  }
  LEADQ_TRY(m, LoadMappingFile(spec));
  auto& status = m.values["status"];
  for (auto& [from, to] : StandardStatusValues()) status.emplace(from, to);
  return m;
}

std::vector<std::string> Mapping::KeysFor(const std::vector<CsvColumn>& header) const {
  std::vector<std::string> keys;
  for (const CsvColumn& c : header) keys.push_back(c.key);
  // Mapped columns take their leadq key; a column whose own key equals a mapped target (and
  // that is not itself the mapped source) gives way to the mapped one.
  for (const auto& [target, candidates] : columns) {
    int source = -1;
    for (const std::string& cand : candidates) {
      for (size_t i = 0; i < header.size() && source < 0; ++i) {
        if (header[i].key == cand) source = static_cast<int>(i);
      }
      if (source >= 0) break;
    }
    if (source < 0) continue;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (static_cast<int>(i) != source && keys[i] == target) keys[i].clear();
    }
    keys[static_cast<size_t>(source)] = target;
  }
  return keys;
}

std::string_view Mapping::MapValue(const std::string& key, std::string_view value) const {
  auto it = values.find(key);
  if (it == values.end()) return value;
  auto v = it->second.find(AsciiLower(Trim(value)));
  return v == it->second.end() ? value : std::string_view(v->second);
}

}  // namespace leadq::service
