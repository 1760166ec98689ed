// SqliteTransaction: an open transaction that rolls back unless commit() succeeded, so every
// early return (an error value, or an exception such as bad_alloc) leaves the database as it
// was. Private to the stores; same thread rule as the connection.
#pragma once

#include <utility>

#include "swarmcopy/api/error.h"
#include "swarmcopy/sqlite/connection.h"

namespace swarmcopy::sqlite {

class SqliteTransaction {
 public:
  enum class Mode { kRead, kWrite };

  static api::Result<SqliteTransaction> begin(SqliteConnection& connection, Mode mode) {
    auto begun = mode == Mode::kWrite ? connection.begin_immediate() : connection.begin_deferred();
    if (!begun) return std::unexpected(std::move(begun.error()));
    return SqliteTransaction(connection);
  }

  ~SqliteTransaction() {
    // SQLite may already have rolled back by itself (after SQLITE_FULL, SQLITE_IOERR ...); a
    // ROLLBACK then would only fail. Should ROLLBACK itself fail, the transaction stays open
    // and the next begin() reports it, rather than this destructor hiding it.
    if (connection_ != nullptr && connection_->in_transaction()) (void)connection_->rollback();
  }
  SqliteTransaction(SqliteTransaction&& other) noexcept
      : connection_(std::exchange(other.connection_, nullptr)) {}
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;

  // Durable when it returns (synchronous=FULL). On failure the destructor rolls back.
  api::Result<void> commit() {
    auto committed = connection_->commit();
    if (committed) connection_ = nullptr;
    return committed;
  }

 private:
  explicit SqliteTransaction(SqliteConnection& connection) : connection_(&connection) {}

  SqliteConnection* connection_;
};

}  // namespace swarmcopy::sqlite
