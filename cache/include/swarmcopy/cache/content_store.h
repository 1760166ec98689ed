// ContentStore: verified content kept for repeat downloads and for peers, keyed by content
// identity ("sha256-<hex>" for a whole-file SHA-256; later the metadata's info-hash). Items
// live as files under <dir>/objects, indexed in <dir>/index.sqlite; total size and age are
// bounded by CacheLimits, least recently used unpinned items going first.
//
// Only verified content goes in (the caller vouches), and nothing comes out unverified: after
// an unclean shutdown every item is checked again (SHA-256 keys by hashing) before it is
// served. An item in use (copied to a job, seeded to peers) is pinned and never evicted.
// Items are separate files: copying one out (reflink where the file system can) never shares
// mutable data with a destination.
//
// Durability is boot-scoped: an item is not fsynced when it is added (a 1 GiB fsync costs ~2 s
// at ~470 MB/s, on the critical path of every download, on top of the job's own fsync). It is
// left to the kernel's write-back, and the index records it as unsynced in the current boot (the
// kernel's boot id, /proc/sys/kernel/random/boot_id). The page cache outlives processes, and
// only a reboot (crash, power loss) loses dirty pages, so while the boot is the same the item
// is intact even before it reaches the disk, and it is trusted. open() and prune() settle an
// unsynced row once it is older than a minute (the kernel has written the pages back by then,
// so the fsync costs next to nothing): fsync, then the row goes and the item is durable. A row
// from another boot means the data may be lost or torn: the item is unverified, and checked
// as after an unclean shutdown before it is served. Without a boot id (no /proc), items are
// fsynced when added, as durable as before.
//
// Thread-safe. acquire(), insert(), copy_to() and prune() (its settling fsyncs) do blocking
// I/O: call them off the engine thread. Pins must not outlive the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/cache/sibling_caches.h"

namespace swarmcopy::cache {

struct CacheLimits {
  // 0: a tenth of the cache's file system.
  std::uint64_t max_bytes = 0;
  // Items unused this long are evicted (Delivery Optimization's default: 3 days).
  std::chrono::seconds max_age{std::chrono::hours(72)};
};

struct CachedItem {
  std::string key;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point added;
  std::chrono::system_clock::time_point last_used;
  std::uint32_t pins = 0;
  bool verified = true;              // false after an unclean shutdown until checked again
  bool partial = false;              // being filled by a swarm: not served until finished
  std::vector<std::uint32_t> users;  // who may use it without asking the origin (see access())
  bool shared = false;               // fetched at least once without credentials
};

// Whether a user may take a complete item. Content fetched with credentials (headers, cookies,
// URL userinfo) stays private to the users who fetched it; content fetched without them is
// shared, but another user gets it only after the origin, asked with that user's own URL and
// headers, confirms it: knowing a hash is not having the content.
enum class CacheAccess {
  kAbsent,     // no complete item under the key
  kGranted,    // this user fetched it, or the origin confirmed it for them before
  kAskOrigin,  // shared content other users fetched: the caller's origin must confirm it first
  kDenied,     // private to other users
};

struct CacheStats {
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t pinned_items = 0;
  std::uint64_t hits = 0;    // since open
  std::uint64_t misses = 0;  // since open
  // Items removed by the size and age limits (prune), since open.
  std::uint64_t evictions = 0;
};

class ContentStore;
class PartialItem;  // partial_item.h

// Keeps one item from eviction while it is used. Move-only.
class Pin {
 public:
  Pin() = default;
  Pin(Pin&& other) noexcept;
  Pin& operator=(Pin&& other) noexcept;
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;
  ~Pin();

  const std::string& key() const { return key_; }
  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  explicit operator bool() const { return store_ != nullptr; }

 private:
  friend class ContentStore;
  Pin(ContentStore* store, std::string key, std::filesystem::path path, std::uint64_t size)
      : store_(store), key_(std::move(key)), path_(std::move(path)), size_(size) {}
  void release();

  ContentStore* store_ = nullptr;
  std::string key_;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
};

class ContentStore {
 public:
  // Creates the directory if missing. Items left by a process that did not close cleanly are
  // marked unverified; half-written objects and index rows without objects are dropped. Items
  // added unsynced in another boot are marked unverified; those of this boot are settled (see
  // prune()). `boot_id` names the current boot (tests pass their own); nullopt: unknown, so
  // items are fsynced when added and every unsynced row counts as another boot's.
  static api::Result<std::unique_ptr<ContentStore>> open(
      const std::filesystem::path& dir, CacheLimits limits = {},
      std::optional<std::string> boot_id = current_boot_id());
  // /proc/sys/kernel/random/boot_id, trimmed; nullopt when it cannot be read.
  static std::optional<std::string> current_boot_id();
  ~ContentStore();  // marks the cache cleanly closed
  ContentStore(const ContentStore&) = delete;
  ContentStore& operator=(const ContentStore&) = delete;

  static std::string sha256_key(const std::string& hex);
  // The key of content identified by its metadata (the v2 info-hash, 64 hex digits).
  static std::string metadata_key(const std::string& info_hash_v2);

  // Checks an item's object file against its identity (true: intact). SHA-256 keys need none;
  // other keys are checked by the caller's verifier, which knows their metadata.
  using Verifier = std::function<bool(const std::filesystem::path& object)>;

  // The complete item, pinned and marked used; nullopt when absent or partial (or when it
  // failed its check after an unclean shutdown: then it is removed). An unverified item whose
  // key is not a SHA-256 is checked with `verify`; without one it is dropped.
  api::Result<std::optional<Pin>> acquire(const std::string& key, const Verifier& verify = {});
  // The same for serving the item to peers: checked the same way, but seeding is not a use (its
  // last use, and so its age and place among the evicted, stays; no hit or miss is counted).
  api::Result<std::optional<Pin>> acquire_for_seeding(const std::string& key,
                                                      const Verifier& verify);
  // A job let go of the complete item `key` now: its last use is now. Absent or partial: nothing.
  api::Result<void> mark_used(const std::string& key);

  // The metadata `key` names (for a "btmh-" key, the metainfo it was made from), kept with the
  // item so that a later process can serve it again, and removed when the item goes. The store
  // does not check it (the reader checks it against the key); a key the store does not hold
  // keeps nothing. metadata(): nullopt when none is kept.
  api::Result<void> set_metadata(const std::string& key, std::span<const char> bytes);
  api::Result<std::optional<std::vector<char>>> metadata(const std::string& key);

  // A partial item that a swarm fills in place (PartialItem: its data file, opened once, the one
  // way bytes enter it): created at `size` bytes with its space reserved (a full disk fails
  // here, kDiskFull), or the existing partial item with the data it already holds (its pieces
  // are re-checked by whoever fills it: nothing in a partial item is trusted). Room is made by
  // evicting unpinned items; an item larger than the cache's limit is refused
  // (kLimitExceeded). Fails if the key is already complete.
  api::Result<PartialItem> begin_partial(const std::string& key, std::uint64_t size);
  // True when `key` is a partial item (data kept from an earlier attempt).
  bool is_partial(const std::string& key);
  // The caller has verified every piece of the partial item `filled`: it becomes a complete item,
  // without an fsync, left to the kernel's write-back; the same index transaction
  // that completes it records it as unsynced in this boot: trusted while the boot lasts (the
  // page cache holds its data), durable once settled, re-checked after a reboot (see above).
  // Without a boot id it is fsynced first instead. `filled_by`: the user whose job filled it,
  // granted the (shared) item in that same transaction, so that no other job sees it complete
  // and nobody's before that user is recorded.
  // It is synced (when it is) through the item's own descriptor; PartialItem::into_pin() then
  // keeps it pinned and ends the writing.
  // `shared`: false for content fetched with credentials (private to its users, as grant's).
  api::Result<void> finish_partial(const PartialItem& filled,
                                   std::optional<std::uint32_t> filled_by = std::nullopt,
                                   bool shared = true);
  // The partial item `filled` turned out not to be its content (the whole file's hash): it is
  // removed, data and rows; nothing of it is kept for a later attempt. A descriptor still open on
  // it (the swarm's) writes into a file that is gone.
  api::Result<void> discard_partial(const PartialItem& filled);

  // Adds `size` bytes read from `source_fd` (from offset 0) under `key`, then evicts down to the
  // limits. An existing key is kept as is. Copied into a hidden file, renamed, then the index (the
  // item and its unsynced row, in one transaction): a crash never leaves a partial object under its
  // key, and the item is durable as finish_partial's is. Without a boot id the copy is fsynced
  // before the rename instead. `check`: the copy must pass it before it is renamed (the bytes
  // kept are the bytes checked, whatever the source does meanwhile); failing it is an error.
  api::Result<void> insert(const std::string& key, int source_fd, std::uint64_t size,
                           const Verifier& check = {});

  // Shares with the user's other caches from now on (sibling_caches.h): this cache joins the
  // list, and import_from_siblings() may take items from the others.
  void share_with(SiblingCaches siblings);
  bool shares_with_siblings() const;
  // When this cache lacks the complete item `key`, copies it from another cache of the list
  // where `uid` used it, checked before it is kept (a SHA-256 key against its name, any other
  // key with `verify`; without one, nothing is taken), and grants it to `uid`, shared as it was
  // there. True when the item is here now (it was already, or it came); false when no other
  // cache has it or its copy failed the check. Blocking (the copy, the hash): not on the
  // engine thread.
  api::Result<bool> import_from_siblings(const std::string& key, std::uint32_t uid,
                                         const Verifier& verify = {});
  // This home is about to fetch `key`: its claim among the user's homes (SiblingCaches), kept
  // until the item is in this cache; nullopt while another home fetches it (wait, then import).
  // Without siblings, a claim that guards nothing.
  std::optional<SiblingCaches::FetchClaim> claim_fetch(const std::string& key);

  // Copies a pinned item into `dest_fd` from offset 0 (reflink when possible); the caller
  // syncs. The destination is a separate file either way.
  api::Result<void> copy_to(const Pin& pin, int dest_fd);
  // The same for an object file the caller holds a pin on (by path, for other threads).
  static api::Result<void> copy_object(const std::filesystem::path& object, std::uint64_t size,
                                       int dest_fd);

  // Access rules: see CacheAccess. acquire() itself does not check them; callers ask first.
  api::Result<CacheAccess> access(const std::string& key, std::uint32_t uid);
  // `uid` fetched and verified the complete item `key` (or its origin confirmed it): it may use
  // it from now on; `shared` (fetched without credentials) lets other users have it once their
  // origin confirms it. Never makes a shared item private again. Absent or partial: nothing.
  api::Result<void> grant(const std::string& key, std::uint32_t uid, bool shared);

  std::vector<CachedItem> list();
  CacheStats stats();
  // Evicts unpinned items past the age limit, then least recently used ones over the size
  // limit, then settles the items left unsynced in this boot more than a minute ago (fsync, and
  // they are durable; an object that cannot be synced is unverified). Returns the bytes freed.
  api::Result<std::uint64_t> prune();
  // Removes every unpinned item. Returns the bytes freed.
  api::Result<std::uint64_t> clear();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Impl;
  ContentStore(std::filesystem::path dir, std::unique_ptr<Impl> impl);
  friend class Pin;
  void unpin(const std::string& key);
  api::Result<std::optional<Pin>> acquire_item(const std::string& key, const Verifier& verify,
                                               bool use);
  api::Result<void> settle();

  std::filesystem::path dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::cache
