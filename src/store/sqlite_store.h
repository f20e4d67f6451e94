// The SQLite implementation of Store: one workspace is one database file in WAL mode
// (synchronous=NORMAL, foreign keys on, busy timeout 5 s), its schema brought up to date by
// ordered migrations when it is opened.
//
// Connections: the store keeps a small pool of connections. Begin() takes one (or opens one)
// and runs BEGIN IMMEDIATE on it, so each Transaction has a connection of its own and write
// transactions of several threads or processes are serialised by SQLite's lock (a second
// writer waits up to the busy timeout, then Begin fails). The Store is thread-safe; a
// Transaction belongs to one thread and must be destroyed before its Store.
//
// Free-form columns of leads and accounts are real columns named "f_" + key (keys are ColumnKey
// form, a-z 0-9 _), added with ALTER TABLE the first time a key is written and listed in
// `field_columns`. Events are kept in blocks per lead (store/event_blocks.h); their keys are
// listed in `field_columns` too, and a block names a key by its position there.
//
// Example:
//   LEADQ_TRY(std::unique_ptr<Store> store, OpenSqliteStore(dir / "leadq.db", /*create=*/true));
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

struct sqlite3;

namespace leadq::store {

// Opens the workspace database at `db_path` and applies the migrations it lacks, in one
// transaction. With `create` a missing file (and its directory) is created; without it a
// missing file is NotFound ("no workspace at DIR: run leadq init DIR"). A database written by
// a newer leadq (a schema version this build does not know) is FailedPrecondition; a file that
// is not a leadq workspace is FailedPrecondition or IoError. Thread-safe.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& db_path,
                                               bool create = false);

// The schema version this build writes (the number of migrations it knows).
int64_t SqliteSchemaVersion();

namespace internal {

// One schema migration: SQL statements applied in order, version = position + 1, then (when
// set) `code` on the same connection, in the same transaction.
struct Migration {
  std::string_view description;
  std::string_view sql;
  Status (*code)(sqlite3* db) = nullptr;
};

// The migrations of this build, oldest first.
std::span<const Migration> SqliteMigrations();

// OpenSqliteStore with another list of migrations; for tests of upgrades and of old binaries.
Result<std::unique_ptr<Store>> OpenSqliteStoreWithMigrations(const std::filesystem::path& db_path,
                                                             bool create,
                                                             std::span<const Migration> migrations);

}  // namespace internal

}  // namespace leadq::store
