// `leadq import`: CSV files into the workspace, one transaction per file.
//
// Leads and accounts are upserted by id (cells left empty do not overwrite what is stored);
// events are deduplicated by event_id, or by lead, type and time when there is none; outcomes
// are upserted by deal_id. Importing the same file twice changes nothing. Rows that cannot be
// used go to a rejects file (line, reason, the row as it was) and, unless `partial`, nothing of
// the file is imported.
//
// Example:
//   ImportRequest r{.kind = ImportKind::kLeads, .file = "leads.csv"};
//   LEADQ_TRY(ImportReport report, ImportFile(ws, r));
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/csv.h"

#include "core/status.h"
#include "core/time.h"
#include "service/mapping.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

struct ImportRequest {
  ImportKind kind = ImportKind::kLeads;
  std::filesystem::path file;
  std::string map;  // preset name or mapping file; empty: none
  bool partial = false;
  std::optional<std::filesystem::path> rejects;  // default: <workspace>/rejects/<file>.rejects.csv
  std::string actor;  // who imports (recorded on new leads' first transition)
  TimePoint now = 0;
};

struct ImportReport {
  uint64_t rows = 0;  // data rows read
  uint64_t rejected = 0;
  store::WriteStats stats;
  bool committed = false;              // false: rejected rows and no --partial, nothing changed
  std::filesystem::path rejects_file;  // written when rejected > 0
  std::string first_reasons;           // the first few reasons, for the message
};

// A row that cannot be used: its physical line, why, and its fields as read.
struct RejectedRow {
  int64_t line = 0;
  std::string reason;
  std::vector<std::string> fields;
};
// Writes a rejects file: the header "line,reason,<the file's columns>" and one row per reject.
// Creates the folder. Fails with IoError naming the path.
Status WriteRejects(const std::filesystem::path& path, const CsvFile& csv,
                    const std::vector<RejectedRow>& rejects);

// Imports one file. Fails (changing nothing) on an unreadable file, a missing required column,
// a bad mapping or a database error. Rejected rows are not a failure: see the report.
Result<ImportReport> ImportFile(Workspace& ws, const ImportRequest& request);

}  // namespace leadq::service
