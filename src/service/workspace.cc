#include "service/workspace.h"

#include <cstdlib>

#include "store/sqlite_store.h"

namespace leadq::service {
namespace {

constexpr const char* kDatabase = "leadq.db";

}  // namespace

std::filesystem::path ResolveWorkspaceDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("LEADQ_WORKSPACE"); env != nullptr && *env != '\0') {
    return env;
  }
  return ".";
}

Result<Workspace> InitWorkspace(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir / kDatabase, ec)) {
    return Status::FailedPrecondition(dir.string() + " already holds a workspace (" +
                                      (dir / kDatabase).string() + ")");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError(dir.string() + ": cannot create: " + ec.message());
  Workspace ws;
  ws.dir = dir;
  LEADQ_TRY(ws.store, store::OpenSqliteStore(dir / kDatabase, /*create=*/true));
  return ws;
}

Result<Workspace> OpenWorkspace(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir / kDatabase, ec)) {
    return Status::NotFound("no workspace at " + dir.string() + ": run `leadq init " +
                            dir.string() + "` first, or give --workspace DIR");
  }
  Workspace ws;
  ws.dir = dir;
  LEADQ_TRY(ws.store, store::OpenSqliteStore(dir / kDatabase, /*create=*/false));
  return ws;
}

std::string ResolveActor(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* var : {"LEADQ_USER", "USER"}) {
    if (const char* env = std::getenv(var); env != nullptr && *env != '\0') return env;
  }
  return "unknown";
}

}  // namespace leadq::service
