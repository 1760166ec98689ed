// SqliteConnection: one open SQLite database file, closed when it dies, and the one place that
// turns SQLite result codes into api::Error values (kStoreFailure, the extended result code,
// SQLite's own message, the file's path). Used by the stores only (the job store, the
// cache index). Not thread-safe: one thread
// at a time, as the owning store.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "swarmcopy/api/error.h"
#include "swarmcopy/sqlite/statement.h"

namespace swarmcopy::sqlite {

class SqliteConnection {
 public:
  // Opens (creating when missing) the file; does not read it yet, so a file that is not a
  // database is only noticed by the first statement.
  static api::Result<SqliteConnection> open(const std::filesystem::path& file,
                                            std::string_view what = "cannot open the database") {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    // SQLite hands out a handle even on failure (to carry the message); it must be closed too.
    SqliteConnection connection(raw, file.string());
    if (rc != SQLITE_OK) {
      return std::unexpected(connection.error(what, rc));
    }
    sqlite3_extended_result_codes(raw, 1);
    return connection;
  }

  // Opens an existing file for reading only (another process may own it and write to it:
  // readers wait for its writer up to `busy` rather than failing at once).
  static api::Result<SqliteConnection> open_read_only(
      const std::filesystem::path& file, std::string_view what = "cannot open the database",
      std::chrono::milliseconds busy = std::chrono::milliseconds(500)) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    SqliteConnection connection(raw, file.string());
    if (rc != SQLITE_OK) {
      return std::unexpected(connection.error(what, rc));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy.count()));
    return connection;
  }

  // An api::Error for a failed SQLite call: `what` says what we were doing.
  api::Error error(std::string_view what, int rc) const {
    // The connection's message belongs to `rc` only if nothing else failed since.
    const bool own = db_ && sqlite3_extended_errcode(db_.get()) == rc;
    std::string message(what);
    message += ": ";
    message += own ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    return api::Error{api::ErrorContext::kGeneralQueueManager,
                      api::ErrorKind::kStoreFailure,
                      rc,
                      std::move(message),
                      path_,
                      api::Protocol::kLocal};
  }

  // Runs SQL that returns no rows (may hold several statements).
  api::Result<void> exec(std::string_view what, const char* sql) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(error(what, rc));
    return {};
  }

  // A statement meant to be kept and re-used for the connection's lifetime.
  // Preparing reads the schema, so this is where an unreadable file first shows: `what`.
  api::Result<SqliteStatement> prepare(std::string_view sql,
                                       std::string_view what = "cannot prepare a statement") {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return std::unexpected(error(what, rc));
    }
    return SqliteStatement(stmt);
  }

  // Rows changed by the last INSERT, UPDATE or DELETE (not counting cascades).
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  // True inside an explicit transaction. SQLite rolls one back by itself after some errors
  // (SQLITE_FULL, SQLITE_IOERR, ...), so this is the only reliable answer.
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  // Transaction control, through statements prepared on first use and kept: a store commits
  // once per call, and re-parsing "COMMIT" every time is waste on the hot path.
  // IMMEDIATE takes the write lock at once, so a writer never fails half-way on a lock that
  // another connection holds (busy_timeout covers the wait); DEFERRED is for reads.
  api::Result<void> begin_immediate() {
    return run_cached(begin_immediate_, "BEGIN IMMEDIATE", "cannot begin a transaction");
  }
  api::Result<void> begin_deferred() {
    return run_cached(begin_deferred_, "BEGIN DEFERRED", "cannot begin a transaction");
  }
  api::Result<void> commit() { return run_cached(commit_, "COMMIT", "cannot commit"); }
  api::Result<void> rollback() { return run_cached(rollback_, "ROLLBACK", "cannot roll back"); }

  const std::string& path() const { return path_; }
  sqlite3* get() const { return db_.get(); }

 private:
  struct Close {
    // close_v2: statements that outlive the connection object (none should) keep it alive.
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  api::Result<void> run_cached(SqliteStatement& slot, std::string_view sql, std::string_view what) {
    if (slot.get() == nullptr) {
      auto prepared = prepare(sql);
      if (!prepared) return std::unexpected(std::move(prepared.error()));
      slot = std::move(*prepared);
    }
    auto use = slot.use();
    const int rc = slot.step();
    if (rc != SQLITE_DONE) return std::unexpected(error(what, rc));
    return {};
  }

  // Declared first so it is destroyed last, after the statements below.
  std::unique_ptr<sqlite3, Close> db_;
  std::string path_;
  SqliteStatement begin_immediate_;
  SqliteStatement begin_deferred_;
  SqliteStatement commit_;
  SqliteStatement rollback_;
};

}  // namespace swarmcopy::sqlite
