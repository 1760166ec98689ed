#include "swarmcopy/cache/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <system_error>

#include "swarmcopy/cache/file_copy.h"
#include "swarmcopy/cache/partial_item.h"
#include "swarmcopy/sqlite/connection.h"
#include "swarmcopy/sqlite/transaction.h"
#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::cache {
namespace {

using sqlite::SqliteConnection;
using sqlite::SqliteStatement;
using Clock = std::chrono::system_clock;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS items (
  key TEXT PRIMARY KEY NOT NULL,
  size INTEGER NOT NULL,
  added_ns INTEGER NOT NULL,
  last_used_ns INTEGER NOT NULL,
  verified INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS partials (
  key TEXT PRIMARY KEY NOT NULL,
  size INTEGER NOT NULL,
  added_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS metadata (key TEXT PRIMARY KEY NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS unsynced (
  key TEXT PRIMARY KEY NOT NULL,
  boot TEXT NOT NULL,
  since_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS item_users (
  key TEXT NOT NULL,
  uid INTEGER NOT NULL,
  PRIMARY KEY (key, uid)
);
CREATE TABLE IF NOT EXISTS shared_items (key TEXT PRIMARY KEY NOT NULL);
)sql";

// meta row 'access' = 1: the index records who may use each item. A cache from before that
// cannot tell private content from shared, so its items are dropped when it is opened.
constexpr std::int64_t kAccessVersion = 1;

// An unsynced item this old is settled: the kernel writes dirty pages back within ~30 s, so
// its fsync has next to nothing left to do.
constexpr std::chrono::seconds kSettleAfter{60};

constexpr std::string_view kSha256Prefix = "sha256-";
constexpr std::string_view kMetadataPrefix = "btmh-";

std::int64_t to_ns(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}
Clock::time_point from_ns(std::int64_t ns) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

api::Error cache_error(std::string message, const std::string& file, int err = 0) {
  if (err != 0) message += std::string(": ") + std::strerror(err);
  return api::Error{api::ErrorContext::kCache,
                    err == ENOSPC ? api::ErrorKind::kDiskFull : api::ErrorKind::kLocalIo,
                    err,
                    std::move(message),
                    file,
                    api::Protocol::kLocal};
}

// The data file of a partial item, opened for the one PartialItem that fills it: never through
// a symbolic link, a regular file only, its space reserved (a full disk is an error now, not a
// stall later). `keep_data`: an earlier attempt's partial item, whose bytes are re-checked by
// its filler (a file gone meanwhile is made again); else a new item, emptied first.
api::Result<util::UniqueFd> open_for_filling(const std::filesystem::path& path, std::uint64_t size,
                                             bool keep_data) {
  const int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (keep_data ? 0 : O_TRUNC);
  util::UniqueFd fd(::open(path.c_str(), flags, 0600));
  if (!fd.valid()) return std::unexpected(cache_error("cannot add to the cache", path, errno));
  struct stat file {};
  if (::fstat(fd.get(), &file) != 0) {
    return std::unexpected(cache_error("cannot add to the cache", path, errno));
  }
  if (!S_ISREG(file.st_mode)) {
    return std::unexpected(cache_error("cannot add to the cache: not a regular file", path));
  }
  if (size > 0) {
    const int err = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(size));
    if (err != 0) {
      if (!keep_data) ::unlink(path.c_str());
      return std::unexpected(cache_error("cannot reserve space in the cache", path, err));
    }
  }
  return fd;
}

std::optional<std::string> sha256_of(const std::filesystem::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  auto hash = util::sha256_of_fd(fd.get(), path.string());
  if (!hash) return std::nullopt;
  return *hash;
}

}  // namespace

struct ContentStore::Impl {
  struct Item {
    std::uint64_t size = 0;
    Clock::time_point added;
    Clock::time_point last_used;
    bool verified = true;
    std::uint32_t pins = 0;
    bool partial = false;
    std::set<std::uint32_t> users;  // fetched it themselves, or their origin confirmed it
    bool shared = false;            // fetched at least once without credentials
  };

  SqliteConnection db;
  CacheLimits limits;
  std::mutex mutex;
  std::map<std::string, Item> items;
  std::uint64_t bytes = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;

  std::filesystem::path objects;
  // The current boot; nullopt: unknown, so items are fsynced when added. Set once by open().
  std::optional<std::string> boot;
  std::optional<SiblingCaches> siblings;  // set once, before the store is shared

  explicit Impl(SqliteConnection connection) : db(std::move(connection)) {}

  std::filesystem::path object_path(const std::string& key) const { return objects / key; }

  api::Result<void> exec(std::string_view what, const std::string& sql) {
    return db.exec(what, sql.c_str());
  }

  api::Result<void> put_row(const std::string& key, const Item& item) {
    auto stmt = db.prepare(
        "INSERT OR REPLACE INTO items (key, size, added_ns, last_used_ns, verified) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    stmt->bind(1, key);
    stmt->bind(2, static_cast<std::int64_t>(item.size));
    stmt->bind(3, to_ns(item.added));
    stmt->bind(4, to_ns(item.last_used));
    stmt->bind(5, static_cast<std::int64_t>(item.verified ? 1 : 0));
    const int rc = stmt->step();
    if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    return {};
  }

  api::Result<void> put_partial_row(const std::string& key, const Item& item) {
    auto stmt =
        db.prepare("INSERT OR REPLACE INTO partials (key, size, added_ns) VALUES (?1, ?2, ?3)");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    stmt->bind(1, key);
    stmt->bind(2, static_cast<std::int64_t>(item.size));
    stmt->bind(3, to_ns(item.added));
    const int rc = stmt->step();
    if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    return {};
  }

  // The item's object was written in this boot and not synced. Caller holds the mutex.
  api::Result<void> put_unsynced_row(const std::string& key) {
    if (!boot) return {};
    auto stmt =
        db.prepare("INSERT OR REPLACE INTO unsynced (key, boot, since_ns) VALUES (?1, ?2, ?3)");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    stmt->bind(1, key);
    stmt->bind(2, *boot);
    stmt->bind(3, to_ns(Clock::now()));
    const int rc = stmt->step();
    if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    return {};
  }

  // A new object's data, written through `fd`, on its way to the disk: with a boot id it is
  // left to the kernel's write-back (errors are the settling fsync's to see); without one it
  // is fsynced. Starting the write-back here (sync_file_range) blocked 0.3-0.36 s per GiB on a
  // full device queue, in the job's finish path, and took disk bandwidth from the
  // destination's fsync: the kernel writes dirty pages back within ~30 s anyway, before the
  // settling fsync (>= 60 s) looks.
  api::Result<void> write_back(int fd, const std::filesystem::path& path) const {
    if (boot) return {};
    if (::fsync(fd) != 0) {
      return std::unexpected(cache_error("cannot sync a cached item", path, errno));
    }
    return {};
  }

  api::Result<void> delete_where_key(const char* sql, const std::string& key) {
    auto stmt = db.prepare(sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    stmt->bind(1, key);
    const int rc = stmt->step();
    if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    return {};
  }

  // The item is gone: its rows and the metadata kept with it.
  api::Result<void> delete_row(const std::string& key) {
    for (const char* sql :
         {"DELETE FROM items WHERE key = ?1", "DELETE FROM partials WHERE key = ?1",
          "DELETE FROM metadata WHERE key = ?1", "DELETE FROM unsynced WHERE key = ?1",
          "DELETE FROM item_users WHERE key = ?1", "DELETE FROM shared_items WHERE key = ?1"}) {
      if (auto deleted = delete_where_key(sql, key); !deleted) return deleted;
    }
    return {};
  }

  // Who may use each item (item_users, shared_items). An index without the 'access' mark is
  // from before access was recorded: it cannot tell private content from shared, so every item
  // is forgotten (open() then removes the objects with no row).
  api::Result<void> load_access() {
    std::int64_t version = 0;
    {
      auto stmt = db.prepare("SELECT value FROM meta WHERE name = 'access'");
      if (!stmt) return std::unexpected(stmt.error());
      auto use = stmt->use();
      if (stmt->step() == SQLITE_ROW) version = stmt->column_int64(0);
    }
    if (version != kAccessVersion) {
      items.clear();
      return exec("cannot update the cache index",
                  "DELETE FROM items; DELETE FROM partials; DELETE FROM metadata; "
                  "DELETE FROM unsynced; DELETE FROM item_users; DELETE FROM shared_items; "
                  "INSERT OR REPLACE INTO meta VALUES ('access', " +
                      std::to_string(kAccessVersion) + ")");
    }
    {
      auto stmt = db.prepare("SELECT key, uid FROM item_users");
      if (!stmt) return std::unexpected(stmt.error());
      auto use = stmt->use();
      while (stmt->step() == SQLITE_ROW) {
        auto it = items.find(stmt->column_text(0));
        if (it != items.end()) {
          it->second.users.insert(static_cast<std::uint32_t>(stmt->column_int64(1)));
        }
      }
    }
    auto stmt = db.prepare("SELECT key FROM shared_items");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    while (stmt->step() == SQLITE_ROW) {
      auto it = items.find(stmt->column_text(0));
      if (it != items.end()) it->second.shared = true;
    }
    return {};
  }

  api::Result<void> put_access_rows(const std::string& key, std::uint32_t uid, bool shared) {
    auto stmt = db.prepare("INSERT OR IGNORE INTO item_users (key, uid) VALUES (?1, ?2)");
    if (!stmt) return std::unexpected(stmt.error());
    {
      auto use = stmt->use();
      stmt->bind(1, key);
      stmt->bind(2, static_cast<std::int64_t>(uid));
      const int rc = stmt->step();
      if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    }
    if (!shared) return {};
    auto shared_stmt = db.prepare("INSERT OR IGNORE INTO shared_items (key) VALUES (?1)");
    if (!shared_stmt) return std::unexpected(shared_stmt.error());
    auto use = shared_stmt->use();
    shared_stmt->bind(1, key);
    const int rc = shared_stmt->step();
    if (rc != SQLITE_DONE) return std::unexpected(db.error("cannot update the cache index", rc));
    return {};
  }

  api::Result<void> set_clean(bool clean) {
    return exec(
        "cannot mark the cache",
        std::string("INSERT OR REPLACE INTO meta VALUES ('clean', ") + (clean ? "1" : "0") + ")");
  }

  // Removes an unpinned item (object file, then index row). Caller holds the mutex.
  api::Result<std::uint64_t> evict(const std::string& key) {
    auto it = items.find(key);
    if (it == items.end() || it->second.pins > 0) return 0;
    const auto size = it->second.size;
    std::error_code ec;
    std::filesystem::remove(object_path(key), ec);
    if (ec) return std::unexpected(cache_error("cannot remove cached item", key, ec.value()));
    items.erase(it);
    bytes -= size;
    if (auto deleted = delete_row(key); !deleted) return std::unexpected(deleted.error());
    return size;
  }

  // Age first, then least recently used until the size fits. Caller holds the mutex.
  api::Result<std::uint64_t> prune_locked() {
    std::uint64_t freed = 0;
    const auto oldest_allowed = Clock::now() - limits.max_age;
    std::vector<std::pair<Clock::time_point, std::string>> by_use;
    for (const auto& [key, item] : items) {
      if (item.pins > 0) continue;
      by_use.emplace_back(item.last_used, key);
    }
    std::sort(by_use.begin(), by_use.end());
    for (const auto& [used, key] : by_use) {
      if (used >= oldest_allowed && bytes <= limits.max_bytes) break;
      auto evicted = evict(key);
      if (!evicted) return std::unexpected(evicted.error());
      freed += *evicted;
      ++evictions;  // unpinned and present (mutex held): evict removed it
    }
    return freed;
  }
};

// ------------------------------------------------------------------------------------- Pin

Pin::Pin(Pin&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      key_(std::move(other.key_)),
      path_(std::move(other.path_)),
      size_(other.size_) {}

Pin& Pin::operator=(Pin&& other) noexcept {
  if (this != &other) {
    release();
    store_ = std::exchange(other.store_, nullptr);
    key_ = std::move(other.key_);
    path_ = std::move(other.path_);
    size_ = other.size_;
  }
  return *this;
}

Pin::~Pin() { release(); }

void Pin::release() {
  if (store_ != nullptr) store_->unpin(key_);
  store_ = nullptr;
}

// ---------------------------------------------------------------------------- ContentStore

std::string ContentStore::sha256_key(const std::string& hex) {
  std::string key(kSha256Prefix);
  for (char c : hex) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::string ContentStore::metadata_key(const std::string& info_hash_v2) {
  std::string key(kMetadataPrefix);
  for (char c : info_hash_v2) {
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

ContentStore::ContentStore(std::filesystem::path dir, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), impl_(std::move(impl)) {}

ContentStore::~ContentStore() {
  std::lock_guard lock(impl_->mutex);
  (void)impl_->set_clean(true);
}

std::optional<std::string> ContentStore::current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!in || !std::getline(in, id)) return std::nullopt;
  const auto first = id.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  return id.substr(first, id.find_last_not_of(" \t\r\n") + 1 - first);
}

api::Result<std::unique_ptr<ContentStore>> ContentStore::open(const std::filesystem::path& dir,
                                                              CacheLimits limits,
                                                              std::optional<std::string> boot_id) {
  std::error_code ec;
  std::filesystem::create_directories(dir / "objects", ec);
  if (ec) return std::unexpected(cache_error("cannot create the cache", dir.string(), ec.value()));
  auto connection = SqliteConnection::open(dir / "index.sqlite", "cannot open the cache index");
  if (!connection) return std::unexpected(connection.error());
  auto impl = std::make_unique<Impl>(std::move(*connection));
  impl->objects = dir / "objects";
  impl->boot = std::move(boot_id);
  if (auto done = impl->db.exec("cannot set up the cache index",
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      !done) {
    return std::unexpected(done.error());
  }
  if (auto done = impl->db.exec("cannot set up the cache index", kSchema); !done) {
    return std::unexpected(done.error());
  }
  bool clean = true;
  {
    auto stmt = impl->db.prepare("SELECT value FROM meta WHERE name = 'clean'");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    if (stmt->step() == SQLITE_ROW) clean = stmt->column_int64(0) != 0;
  }
  {
    auto stmt = impl->db.prepare("SELECT key, size, added_ns, last_used_ns, verified FROM items");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    while (stmt->step() == SQLITE_ROW) {
      Impl::Item item;
      item.size = static_cast<std::uint64_t>(stmt->column_int64(1));
      item.added = from_ns(stmt->column_int64(2));
      item.last_used = from_ns(stmt->column_int64(3));
      // A process that died with the cache open may have left anything: check before serving.
      item.verified = clean && stmt->column_int64(4) != 0;
      impl->items.emplace(stmt->column_text(0), item);
    }
  }
  {
    auto stmt = impl->db.prepare("SELECT key, size, added_ns FROM partials");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    while (stmt->step() == SQLITE_ROW) {
      Impl::Item item;
      item.size = static_cast<std::uint64_t>(stmt->column_int64(1));
      item.added = item.last_used = from_ns(stmt->column_int64(2));
      item.verified = false;  // never trusted: its filler checks every piece again
      item.partial = true;
      impl->items.emplace(stmt->column_text(0), item);
    }
  }
  if (auto loaded = impl->load_access(); !loaded) return std::unexpected(loaded.error());
  // Index and objects agree: half-written objects, objects without a row and rows without an
  // object (or of the wrong size) go.
  std::vector<std::string> stale_rows;
  for (auto& [key, item] : impl->items) {
    struct stat st {};
    if (::stat(impl->object_path(key).c_str(), &st) != 0 ||
        static_cast<std::uint64_t>(st.st_size) != item.size) {
      stale_rows.push_back(key);
    }
  }
  for (const auto& key : stale_rows) {
    std::filesystem::remove(impl->object_path(key), ec);
    impl->items.erase(key);
    if (auto deleted = impl->delete_row(key); !deleted) return std::unexpected(deleted.error());
  }
  for (const auto& entry : std::filesystem::directory_iterator(impl->objects, ec)) {
    const auto name = entry.path().filename().string();
    if (!impl->items.contains(name)) std::filesystem::remove(entry.path(), ec);
  }
  // Metadata whose item went (a crash between the two deletes) goes too, and so do unsynced
  // rows without their item.
  if (auto done = impl->db.exec(
          "cannot clean the cache index",
          "DELETE FROM metadata WHERE key NOT IN (SELECT key FROM items UNION SELECT key FROM "
          "partials); DELETE FROM unsynced WHERE key NOT IN (SELECT key FROM items)");
      !done) {
    return std::unexpected(done.error());
  }
  // An item added unsynced in another boot (or in a boot we cannot tell) may have lost its data
  // or kept half of it: checked before it is served, as after an unclean shutdown, and that is
  // recorded with its row. Rows of this boot stay, their items trusted (the page cache holds
  // their data); prune() below settles the old ones.
  {
    std::vector<std::string> lost;
    {
      auto stmt = impl->db.prepare("SELECT key, boot FROM unsynced");
      if (!stmt) return std::unexpected(stmt.error());
      auto use = stmt->use();
      while (stmt->step() == SQLITE_ROW) {
        if (!impl->boot || stmt->column_text(1) != *impl->boot) {
          lost.push_back(stmt->column_text(0));
        }
      }
    }
    if (!lost.empty()) {
      auto committed =
          sqlite::SqliteTransaction::begin(impl->db, sqlite::SqliteTransaction::Mode::kWrite);
      if (!committed) return std::unexpected(committed.error());
      for (const auto& key : lost) {
        auto it = impl->items.find(key);
        if (it != impl->items.end() && !it->second.partial) {
          it->second.verified = false;
          if (auto saved = impl->put_row(key, it->second); !saved) {
            return std::unexpected(saved.error());
          }
        }
        if (auto deleted = impl->delete_where_key("DELETE FROM unsynced WHERE key = ?1", key);
            !deleted) {
          return std::unexpected(deleted.error());
        }
      }
      if (auto done = committed->commit(); !done) return std::unexpected(done.error());
    }
  }
  // Unchecked stays unchecked until an item is checked, also across a later clean shutdown.
  if (!clean) {
    if (auto done = impl->db.exec("cannot update the cache index", "UPDATE items SET verified = 0");
        !done) {
      return std::unexpected(done.error());
    }
  }
  for (const auto& [key, item] : impl->items) impl->bytes += item.size;
  if (limits.max_bytes == 0) {
    struct statvfs fs {};
    limits.max_bytes = ::statvfs(dir.c_str(), &fs) == 0
                           ? static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize / 10
                           : (10ull << 30);
  }
  impl->limits = limits;
  if (auto marked = impl->set_clean(false); !marked) return std::unexpected(marked.error());
  std::unique_ptr<ContentStore> store(new ContentStore(dir, std::move(impl)));
  if (auto pruned = store->prune(); !pruned) return std::unexpected(pruned.error());
  return store;
}

api::Result<std::optional<Pin>> ContentStore::acquire(const std::string& key,
                                                      const Verifier& verify) {
  return acquire_item(key, verify, true);
}

api::Result<std::optional<Pin>> ContentStore::acquire_for_seeding(const std::string& key,
                                                                  const Verifier& verify) {
  return acquire_item(key, verify, false);
}

api::Result<std::optional<Pin>> ContentStore::acquire_item(const std::string& key,
                                                           const Verifier& verify, bool use) {
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || it->second.partial) {
    if (use) ++impl_->misses;
    return std::optional<Pin>();
  }
  ++it->second.pins;  // held while it is checked, so nothing evicts it meanwhile
  Pin pin(this, key, impl_->object_path(key), it->second.size);
  if (!it->second.verified) {
    lock.unlock();
    bool intact = false;
    if (key.starts_with(kSha256Prefix)) {
      const auto actual = sha256_of(pin.path());
      intact = actual && *actual == key.substr(kSha256Prefix.size());
    } else if (verify) {
      intact = verify(pin.path());
    }
    lock.lock();
    it = impl_->items.find(key);
    if (!intact) {
      --it->second.pins;
      pin.store_ = nullptr;  // released by hand: the item is going
      if (use) ++impl_->misses;
      if (auto evicted = impl_->evict(key); !evicted) return std::unexpected(evicted.error());
      return std::optional<Pin>();
    }
    it->second.verified = true;
    if (!use) {
      if (auto saved = impl_->put_row(key, it->second); !saved) {
        return std::unexpected(saved.error());
      }
    }
  }
  if (use) {
    it->second.last_used = Clock::now();
    if (auto saved = impl_->put_row(key, it->second); !saved) {
      return std::unexpected(saved.error());
    }
    ++impl_->hits;
  }
  return std::optional<Pin>(std::move(pin));
}

api::Result<void> ContentStore::mark_used(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || it->second.partial) return {};
  it->second.last_used = Clock::now();
  return impl_->put_row(key, it->second);
}

api::Result<void> ContentStore::set_metadata(const std::string& key, std::span<const char> bytes) {
  std::lock_guard lock(impl_->mutex);
  // Under the lock with the item's presence: metadata never outlives its item.
  if (!impl_->items.contains(key)) return {};
  auto stmt = impl_->db.prepare("INSERT OR REPLACE INTO metadata (key, bytes) VALUES (?1, ?2)");
  if (!stmt) return std::unexpected(stmt.error());
  auto use = stmt->use();
  stmt->bind(1, key);
  stmt->bind_blob(2, std::span<const unsigned char>(
                         reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  const int rc = stmt->step();
  if (rc != SQLITE_DONE) {
    return std::unexpected(impl_->db.error("cannot update the cache index", rc));
  }
  return {};
}

api::Result<std::optional<std::vector<char>>> ContentStore::metadata(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->db.prepare("SELECT bytes FROM metadata WHERE key = ?1");
  if (!stmt) return std::unexpected(stmt.error());
  auto use = stmt->use();
  stmt->bind(1, key);
  const int rc = stmt->step();
  if (rc == SQLITE_DONE) return std::optional<std::vector<char>>();
  if (rc != SQLITE_ROW) {
    return std::unexpected(impl_->db.error("cannot read the cache index", rc));
  }
  const auto blob = stmt->column_blob(0);
  return std::optional<std::vector<char>>(std::vector<char>(blob.begin(), blob.end()));
}

api::Result<void> ContentStore::insert(const std::string& key, int source_fd, std::uint64_t size,
                                       const Verifier& check) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->items.contains(key) || size > impl_->limits.max_bytes) return {};
  }
  // Written under a hidden name (synced first without a boot id), then
  // renamed: a crash never leaves a partial object under its key (open() removes the
  // leftovers).
  std::mt19937_64 rng(std::random_device{}());
  const auto temp = impl_->objects / ("." + key + "." + std::to_string(rng()) + ".tmp");
  {
    util::UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!out.valid()) return std::unexpected(cache_error("cannot add to the cache", temp, errno));
    auto copied = copy_file_data(source_fd, out.get(), size, temp.string());
    if (copied && check && !check(temp)) {
      copied = std::unexpected(
          api::Error{api::ErrorContext::kCache, api::ErrorKind::kChecksumMismatch, 0,
                     "the copy does not match its key", key, api::Protocol::kLocal});
    }
    if (copied) copied = impl_->write_back(out.get(), temp);
    if (!copied) {
      ::unlink(temp.c_str());
      return copied;
    }
  }
  const auto path = impl_->object_path(key);
  // Under the lock from here: two inserts of one key (two jobs finishing the same bytes) both
  // passed the check above; the second must not count the item's size again.
  std::lock_guard lock(impl_->mutex);
  if (impl_->items.contains(key)) {
    ::unlink(temp.c_str());
    return {};
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return std::unexpected(cache_error("cannot add to the cache", path, err));
  }
  const auto now = Clock::now();
  Impl::Item item{size, now, now, true, 0, false, {}, false};
  {
    auto committed =
        sqlite::SqliteTransaction::begin(impl_->db, sqlite::SqliteTransaction::Mode::kWrite);
    if (!committed) return std::unexpected(committed.error());
    if (auto saved = impl_->put_row(key, item); !saved) return saved;
    if (auto saved = impl_->put_unsynced_row(key); !saved) return saved;
    if (auto done = committed->commit(); !done) return done;
  }
  impl_->items[key] = item;
  impl_->bytes += size;
  if (auto pruned = impl_->prune_locked(); !pruned) return std::unexpected(pruned.error());
  return {};
}

void ContentStore::share_with(SiblingCaches siblings) { impl_->siblings = std::move(siblings); }

bool ContentStore::shares_with_siblings() const { return impl_->siblings.has_value(); }

std::optional<SiblingCaches::FetchClaim> ContentStore::claim_fetch(const std::string& key) {
  if (!impl_->siblings) return SiblingCaches::no_claim();
  return impl_->siblings->try_claim(key);
}

api::Result<bool> ContentStore::import_from_siblings(const std::string& key, std::uint32_t uid,
                                                     const Verifier& verify) {
  {
    std::lock_guard lock(impl_->mutex);
    if (auto it = impl_->items.find(key); it != impl_->items.end()) return !it->second.partial;
  }
  if (!impl_->siblings) return false;
  Verifier check = verify;
  if (key.starts_with(kSha256Prefix)) {
    check = [hex = key.substr(kSha256Prefix.size())](const std::filesystem::path& copy) {
      return sha256_of(copy) == hex;
    };
  }
  if (!check) return false;
  auto found = impl_->siblings->find(key, uid);
  if (!found) return false;
  if (auto kept = insert(key, found->object.get(), found->size, check); !kept) {
    if (kept.error().kind == api::ErrorKind::kChecksumMismatch) {
      kept.error().message += " (from the cache in " + found->cache.string() + ")";
    }
    return std::unexpected(kept.error());
  }
  if (auto granted = grant(key, uid, found->shared); !granted) {
    return std::unexpected(granted.error());
  }
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  return it != impl_->items.end() && !it->second.partial;
}

api::Result<PartialItem> ContentStore::begin_partial(const std::string& key, std::uint64_t size) {
  std::lock_guard lock(impl_->mutex);
  const auto path = impl_->object_path(key);
  auto it = impl_->items.find(key);
  if (it != impl_->items.end()) {
    if (!it->second.partial) {
      return std::unexpected(api::Error{api::ErrorContext::kCache, api::ErrorKind::kInvalidState, 0,
                                        "already cached", key, api::Protocol::kLocal});
    }
    if (it->second.size == size) {
      auto file = open_for_filling(path, size, true);
      if (!file) return std::unexpected(file.error());
      ++it->second.pins;  // the Pin is made last: its release takes the lock we hold
      return PartialItem(Pin(this, key, path, size), std::move(*file));
    }
    // Same identity, other size: not the same content after all; start over.
    if (auto evicted = impl_->evict(key); !evicted) return std::unexpected(evicted.error());
  }
  if (size > impl_->limits.max_bytes) {
    return std::unexpected(api::Error{
        api::ErrorContext::kCache, api::ErrorKind::kLimitExceeded, 0,
        "larger than the cache's limit (" + std::to_string(impl_->limits.max_bytes) + " bytes)",
        key, api::Protocol::kLocal});
  }
  // Room first: least recently used unpinned items go until this one fits.
  std::vector<std::pair<Clock::time_point, std::string>> by_use;
  for (const auto& [other, item] : impl_->items) {
    if (item.pins == 0) by_use.emplace_back(item.last_used, other);
  }
  std::sort(by_use.begin(), by_use.end());
  for (const auto& [used, other] : by_use) {
    if (impl_->bytes + size <= impl_->limits.max_bytes) break;
    if (auto evicted = impl_->evict(other); !evicted) return std::unexpected(evicted.error());
  }
  auto file = open_for_filling(path, size, false);
  if (!file) return std::unexpected(file.error());
  const auto now = Clock::now();
  Impl::Item item{size, now, now, false, 1, true, {}, false};
  if (auto saved = impl_->put_partial_row(key, item); !saved) {
    ::unlink(path.c_str());
    return std::unexpected(saved.error());
  }
  impl_->items[key] = item;
  impl_->bytes += size;
  return PartialItem(Pin(this, key, path, size), std::move(*file));
}

bool ContentStore::is_partial(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  return it != impl_->items.end() && it->second.partial;
}

api::Result<void> ContentStore::finish_partial(const PartialItem& filled,
                                               std::optional<std::uint32_t> filled_by,
                                               bool shared) {
  const std::string& key = filled.key();
  if (auto written = impl_->write_back(filled.descriptor(), filled.path()); !written) {
    return written;
  }
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || !it->second.partial) return {};
  auto committed =
      sqlite::SqliteTransaction::begin(impl_->db, sqlite::SqliteTransaction::Mode::kWrite);
  if (!committed) return std::unexpected(committed.error());
  Impl::Item item = it->second;
  item.partial = false;
  item.verified = true;
  item.last_used = Clock::now();
  // Only the partial row: the metadata kept with the item stays.
  if (auto deleted = impl_->delete_where_key("DELETE FROM partials WHERE key = ?1", key);
      !deleted) {
    return deleted;
  }
  if (auto saved = impl_->put_row(key, item); !saved) return saved;
  if (auto saved = impl_->put_unsynced_row(key); !saved) return saved;
  if (filled_by) {
    if (auto saved = impl_->put_access_rows(key, *filled_by, shared); !saved) return saved;
    item.users.insert(*filled_by);
    item.shared = item.shared || shared;
  }
  if (auto done = committed->commit(); !done) return done;
  it->second = item;
  return {};
}

api::Result<void> ContentStore::discard_partial(const PartialItem& filled) {
  std::lock_guard lock(impl_->mutex);
  const auto& key = filled.key();
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || !it->second.partial) return {};
  // Its own pin (the one `filled` holds) does not keep it: unlike evict(), which spares pinned
  // items, this one is known bad. The pin's release then finds nothing to unpin.
  std::error_code ec;
  std::filesystem::remove(impl_->object_path(key), ec);
  if (ec) return std::unexpected(cache_error("cannot remove cached item", key, ec.value()));
  impl_->bytes -= it->second.size;
  impl_->items.erase(it);
  return impl_->delete_row(key);
}

api::Result<void> ContentStore::copy_to(const Pin& pin, int dest_fd) {
  util::UniqueFd in(::open(pin.path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return std::unexpected(cache_error("cannot read cached item", pin.key(), errno));
  return copy_file_data(in.get(), dest_fd, pin.size(), pin.key());
}

api::Result<void> ContentStore::copy_object(const std::filesystem::path& object, std::uint64_t size,
                                            int dest_fd) {
  util::UniqueFd in(::open(object.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return std::unexpected(cache_error("cannot read cached item", object, errno));
  return copy_file_data(in.get(), dest_fd, size, object.string());
}

api::Result<CacheAccess> ContentStore::access(const std::string& key, std::uint32_t uid) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || it->second.partial) return CacheAccess::kAbsent;
  if (it->second.users.contains(uid)) return CacheAccess::kGranted;
  return it->second.shared ? CacheAccess::kAskOrigin : CacheAccess::kDenied;
}

api::Result<void> ContentStore::grant(const std::string& key, std::uint32_t uid, bool shared) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it == impl_->items.end() || it->second.partial) return {};
  if (it->second.users.contains(uid) && (it->second.shared || !shared)) return {};
  if (auto saved = impl_->put_access_rows(key, uid, shared); !saved) return saved;
  it->second.users.insert(uid);
  it->second.shared = it->second.shared || shared;
  return {};
}

std::vector<CachedItem> ContentStore::list() {
  std::lock_guard lock(impl_->mutex);
  std::vector<CachedItem> result;
  for (const auto& [key, item] : impl_->items) {
    result.push_back(CachedItem{
        key, item.size, item.added, item.last_used, item.pins, item.verified, item.partial,
        std::vector<std::uint32_t>(item.users.begin(), item.users.end()), item.shared});
  }
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.last_used > b.last_used; });
  return result;
}

CacheStats ContentStore::stats() {
  std::lock_guard lock(impl_->mutex);
  CacheStats stats;
  stats.items = impl_->items.size();
  stats.bytes = impl_->bytes;
  stats.max_bytes = impl_->limits.max_bytes;
  for (const auto& [key, item] : impl_->items) stats.pinned_items += item.pins > 0 ? 1 : 0;
  stats.hits = impl_->hits;
  stats.misses = impl_->misses;
  stats.evictions = impl_->evictions;
  return stats;
}

api::Result<std::uint64_t> ContentStore::prune() {
  std::uint64_t freed = 0;
  {
    std::lock_guard lock(impl_->mutex);
    auto pruned = impl_->prune_locked();
    if (!pruned) return pruned;
    freed = *pruned;
  }
  if (auto settled = settle(); !settled) return std::unexpected(settled.error());
  return freed;
}

api::Result<void> ContentStore::settle() {
  if (!impl_->boot) return {};
  struct Row {
    std::string key;
    std::int64_t since_ns = 0;
    bool synced = false;
  };
  std::vector<Row> rows;
  {
    std::lock_guard lock(impl_->mutex);
    auto stmt =
        impl_->db.prepare("SELECT key, since_ns FROM unsynced WHERE boot = ?1 AND since_ns <= ?2");
    if (!stmt) return std::unexpected(stmt.error());
    auto use = stmt->use();
    stmt->bind(1, *impl_->boot);
    stmt->bind(2, to_ns(Clock::now() - kSettleAfter));
    int rc = SQLITE_ROW;
    while ((rc = stmt->step()) == SQLITE_ROW) {
      rows.push_back(Row{stmt->column_text(0), stmt->column_int64(1)});
    }
    if (rc != SQLITE_DONE) {
      return std::unexpected(impl_->db.error("cannot read the cache index", rc));
    }
  }
  if (rows.empty()) return {};
  // Without the lock: nearly free by now, but a slow disk must not hold up every other call.
  for (auto& row : rows) {
    util::UniqueFd fd(::open(impl_->object_path(row.key).c_str(), O_RDONLY | O_CLOEXEC));
    row.synced = fd.valid() && ::fsync(fd.get()) == 0;
  }
  std::lock_guard lock(impl_->mutex);
  auto committed =
      sqlite::SqliteTransaction::begin(impl_->db, sqlite::SqliteTransaction::Mode::kWrite);
  if (!committed) return std::unexpected(committed.error());
  auto stmt = impl_->db.prepare("DELETE FROM unsynced WHERE key = ?1 AND since_ns = ?2");
  if (!stmt) return std::unexpected(stmt.error());
  for (const auto& row : rows) {
    {
      auto use = stmt->use();
      stmt->bind(1, row.key);
      stmt->bind(2, row.since_ns);
      const int rc = stmt->step();
      if (rc != SQLITE_DONE) {
        return std::unexpected(impl_->db.error("cannot update the cache index", rc));
      }
    }
    // Only the row read above goes: an item evicted meanwhile took its row along, and one added
    // again under the same key has a row of its own.
    if (impl_->db.changes() == 0 || row.synced) continue;
    // Not durable (a write-back error, or the object went). Linux reports a write-back error
    // to one fsync only, and a check would read the page cache, not the disk: the item goes.
    // One in use stays until it is not, unverified (checked before it is served again).
    auto it = impl_->items.find(row.key);
    if (it == impl_->items.end() || it->second.partial) continue;
    if (it->second.pins == 0) {
      if (auto evicted = impl_->evict(row.key); !evicted) return std::unexpected(evicted.error());
      continue;
    }
    it->second.verified = false;
    if (auto saved = impl_->put_row(row.key, it->second); !saved) return saved;
  }
  return committed->commit();
}

api::Result<std::uint64_t> ContentStore::clear() {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> keys;
  for (const auto& [key, item] : impl_->items) keys.push_back(key);
  std::uint64_t freed = 0;
  for (const auto& key : keys) {
    auto evicted = impl_->evict(key);
    if (!evicted) return std::unexpected(evicted.error());
    freed += *evicted;
  }
  return freed;
}

void ContentStore::unpin(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->items.find(key);
  if (it != impl_->items.end() && it->second.pins > 0) --it->second.pins;
}

}  // namespace swarmcopy::cache
