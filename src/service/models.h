// Model versions in the workspace: apply, history, show, diff, rollback, and loading the
// active version for a use case.
//
// A stored version is complete: the TOML text and the list files it reads. It is materialised
// as <workspace>/models/v<N>/ (a cache the database can always rebuild) so that the ordinary
// loader reads it with its list files beside it.
//
// Example:
//   LEADQ_TRY(AppliedModel applied, ApplyModel(ws, "model.toml", "raise the MQL line", "ana",
//   now)); LEADQ_TRY(ActiveModel active, LoadActiveModel(ws, *tx));
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/model.h"
#include "service/workspace.h"
#include "store/store.h"

namespace leadq::service {

struct AppliedModel {
  int64_t version = 0;
  bool unchanged = false;            // the same content as the active version: nothing was stored
  std::vector<std::string> changes;  // in words, against the previous active version
};

// Validates `path` (every error, with positions) and stores it as a new version.
Result<AppliedModel> ApplyModel(Workspace& ws, const std::filesystem::path& path,
                                const std::string& message, const std::string& author,
                                TimePoint now);

// The same as ApplyModel for a model given as text (posted over HTTP). The text is read as if it
// were the file <workspace>/model.toml: the files it names ([lists] files, the [predictive]
// learned model, [export] tariffs) are read relative to the workspace folder and must already be
// there, below it (a model posted over HTTP usually names none). Errors name the text
// "model.toml" ("model.toml:4:12: unknown field ..."), every one with its line and column.
// Stores nothing when the model is invalid or equals the active version. Thread-safe as far as
// the Store is (one transaction).
Result<AppliedModel> ApplyModelContent(Workspace& ws, std::string content,
                                       const std::string& message, const std::string& author,
                                       TimePoint now);

// Makes an old version active again by storing its content as a new version.
Result<AppliedModel> RollbackModel(Workspace& ws, int64_t version, const std::string& author,
                                   TimePoint now);

struct ActiveModel {
  int64_t version = 0;
  model::Model model;
};

// The active model, loaded. FailedPrecondition when no model was applied yet.
Result<ActiveModel> LoadActiveModel(Workspace& ws, store::Transaction& tx);
// A stored version, loaded.
Result<model::Model> LoadModelVersion(Workspace& ws, const store::ModelVersion& version);

// What changed from `before` to `after`, one line per change, in words a revenue team reads
// ("fit rule \"Senior title\": points 20 -> 25").
std::vector<std::string> DiffModels(const model::Model& before, const model::Model& after);

}  // namespace leadq::service
