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

// The same as ApplyModel for a model given as text (posted over HTTP), read as
// ParseModelContent reads it: the files it names are the active version's.
// Stores nothing when the model is invalid or equals the active version. Thread-safe as far as
// the Store is (one transaction).
// Parses a model given as text (posted over HTTP). The text is read as if it were the file
// model.toml of the active version's folder (<workspace>/models/v<N>/), so that the files it names
// ([lists] files, the [predictive] learned model, [export] tariffs) are the active version's
// stored files; with no active version, as <workspace>/model.toml. Errors name the text
// "model.toml" and its files by their names in the model, every one with its line and column.
Result<model::Model> ParseModelContent(const Workspace& ws, std::string_view content);
// `text` with the workspace's folders dropped from the paths it names (ParseModelContent's).
std::string NamePostedModel(const Workspace& ws, std::string text);

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
