// SqliteStatement: one prepared SQLite statement, finalized when it dies. The JobStore prepares
// each of its statements once and re-binds them per call; Use resets the statement when the
// call is done, so a cached statement never keeps a read snapshot (or a write lock) open
// between calls. Private to the stores. Same thread rule as the connection it came from.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace swarmcopy::sqlite {

class SqliteStatement {
 public:
  // Scope of one use: binds start from a clean statement, and the statement is reset and its
  // bindings cleared at the end of the scope, whatever path leaves it.
  class [[nodiscard]] Use {
   public:
    explicit Use(sqlite3_stmt* stmt) : stmt_(stmt) {}
    ~Use() {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    sqlite3_stmt* stmt_;
  };

  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  Use use() { return Use(stmt_.get()); }

  // Parameter indexes are 1-based, as in SQLite. Returns an SQLite result code.
  // SQLITE_TRANSIENT: SQLite copies the bytes, so binding a temporary is safe.
  int bind(int index, std::int64_t value) { return sqlite3_bind_int64(stmt_.get(), index, value); }
  int bind(int index, std::string_view text) {
    return sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  }
  int bind_blob(int index, std::span<const unsigned char> bytes) {
    // A null pointer would bind NULL rather than an empty blob.
    if (bytes.empty()) return sqlite3_bind_zeroblob(stmt_.get(), index, 0);
    return sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }
  int bind_null(int index) { return sqlite3_bind_null(stmt_.get(), index); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }

  // Column indexes are 0-based, as in SQLite.
  bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
  std::int64_t column_int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  std::string column_text(int column) const {
    // Text first, then its length: the order SQLite documents as safe.
    const auto* text = sqlite3_column_text(stmt_.get(), column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text), size);
  }
  std::span<const unsigned char> column_blob(int column) const {
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_.get(), column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
    if (data == nullptr) return {};
    return {data, size};
  }

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace swarmcopy::sqlite
