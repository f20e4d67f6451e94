// A workspace: one directory holding one database (leadq.db, SQLite in WAL mode) and the
// materialised model versions (models/v<N>/). Every workspace command opens one.
//
// Example:
//   LEADQ_TRY(Workspace ws, OpenWorkspace(ResolveWorkspaceDir(flag)));
//   LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace leadq::service {

struct Workspace {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
};

// The workspace directory: `flag` when given, else $LEADQ_WORKSPACE, else the current directory.
std::filesystem::path ResolveWorkspaceDir(const std::string& flag);

// Creates `dir` (and parents) and an empty workspace in it. Fails when one is already there.
Result<Workspace> InitWorkspace(const std::filesystem::path& dir);

// Opens an existing workspace; NotFound with "run leadq init DIR" when there is none.
Result<Workspace> OpenWorkspace(const std::filesystem::path& dir);

// Who is acting: `flag` when given, else $LEADQ_USER, else $USER, else "unknown".
std::string ResolveActor(const std::string& flag);

}  // namespace leadq::service
