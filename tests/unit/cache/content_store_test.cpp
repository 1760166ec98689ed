#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/cache/partial_item.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "test_dir/test_dir.h"

namespace swarmcopy::cache {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "a" * n for the sizes used below is not needed: keys are made from real hashes
// by the store's own check only after an unclean shutdown; elsewhere any key works.
const std::string kAbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class ContentStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<ContentStore> open(CacheLimits limits = {1 << 20, std::chrono::hours(72)}) {
    auto store = ContentStore::open(dir_ / "cache", limits);
    EXPECT_TRUE(store) << store.error().describe();
    return store ? std::move(*store) : nullptr;
  }

  // A file with `content`, open for reading.
  int source(const std::string& content) {
    const auto path = dir_ / ("src" + std::to_string(++files_));
    std::ofstream(path, std::ios::binary) << content;
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }

  void insert(ContentStore& store, const std::string& key, const std::string& content) {
    const int fd = source(content);
    ASSERT_TRUE(store.insert(key, fd, content.size()));
    ::close(fd);
  }

  std::string read_back(ContentStore& store, const Pin& pin) {
    const auto path = dir_ / ("out" + std::to_string(++files_));
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    EXPECT_TRUE(store.copy_to(pin, fd));
    ::close(fd);
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // The store as it opens in boot `boot` (a stand-in for the kernel's boot id).
  std::unique_ptr<ContentStore> open_in(std::optional<std::string> boot) {
    auto store = ContentStore::open(dir_ / "cache", {1 << 20, std::chrono::hours(72)}, boot);
    EXPECT_TRUE(store) << store.error().describe();
    return store ? std::move(*store) : nullptr;
  }

  // A partial item filled with `content` and finished (by a job of `filled_by`).
  void finish(ContentStore& store, const std::string& key, const std::string& content,
              std::optional<std::uint32_t> filled_by = std::nullopt) {
    auto item = store.begin_partial(key, content.size());
    ASSERT_TRUE(item);
    ASSERT_TRUE(item->write(content, 0));
    ASSERT_TRUE(store.finish_partial(*item, filled_by));
  }

  // Changes the first byte of the object of `key` (as a write lost in a crash would).
  void corrupt(const std::string& key) {
    const int fd = ::open((dir_ / "cache" / "objects" / key).c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "#", 1, 0), 1);
    ::close(fd);
  }

  // Runs `sql` on the index (as another process would) and returns the first column of its
  // first row (-1: no row).
  std::int64_t sql(const std::string& statement) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "cache" / "index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, statement.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    const int rc = sqlite3_step(stmt);
    EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
    const std::int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }
  std::int64_t unsynced_rows() { return sql("SELECT count(*) FROM unsynced"); }
  // Makes every unsynced row older than the store waits before it settles one (60 s).
  void age_unsynced_rows() { sql("UPDATE unsynced SET since_ns = since_ns - 61000000000"); }

  test::TestDir dir_{"swarmcopy-cache-"};
  int files_ = 0;
};

const std::string kHelloSha = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

TEST_F(ContentStoreTest, ServesWhatWasInserted) {
  auto store = open();
  insert(*store, "k1", "hello cache");
  auto pin = store->acquire("k1");
  ASSERT_TRUE(pin);
  ASSERT_TRUE(*pin);
  EXPECT_EQ((*pin)->size(), 11u);
  EXPECT_EQ(read_back(*store, **pin), "hello cache");
  EXPECT_EQ(store->stats().hits, 1u);
}

// Two jobs finishing the same bytes insert one key at once: one item, counted once, and no
// hidden copy left behind.
TEST_F(ContentStoreTest, ConcurrentInsertsOfOneKeyKeepOneItem) {
  auto store = open({64 << 20, std::chrono::hours(72)});
  const std::string content(4 << 20, 'x');
  constexpr int kWriters = 6;
  std::vector<int> fds;
  for (int i = 0; i < kWriters; ++i) fds.push_back(source(content));
  std::vector<std::thread> writers;
  std::atomic<int> failed{0};
  for (int fd : fds) {
    writers.emplace_back([&, fd] {
      if (!store->insert("same", fd, content.size())) ++failed;
    });
  }
  for (auto& writer : writers) writer.join();
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(store->stats().items, 1u);
  EXPECT_EQ(store->stats().bytes, content.size());
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "cache" / "objects")) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "same");
  }
  EXPECT_EQ(files, 1);
}

TEST_F(ContentStoreTest, AnAbsentKeyIsAMiss) {
  auto store = open();
  auto pin = store->acquire("nothing");
  ASSERT_TRUE(pin);
  EXPECT_FALSE(*pin);
  EXPECT_EQ(store->stats().misses, 1u);
}

TEST_F(ContentStoreTest, ACopyIsIndependentOfTheCachedItem) {
  auto store = open();
  insert(*store, "k", "original");
  auto pin = *store->acquire("k");
  const auto path = dir_ / "copy";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_TRUE(store->copy_to(*pin, fd));
  ASSERT_EQ(::pwrite(fd, "X", 1, 0), 1);  // change the copy
  ::close(fd);
  EXPECT_EQ(read_back(*store, *pin), "original");
}

TEST_F(ContentStoreTest, EvictsTheLeastRecentlyUsedOverTheSizeLimit) {
  auto store = open({3000, std::chrono::hours(72)});
  insert(*store, "a", std::string(1000, 'a'));
  insert(*store, "b", std::string(1000, 'b'));
  insert(*store, "c", std::string(1000, 'c'));
  ASSERT_TRUE(*store->acquire("a"));  // a is now more recent than b
  insert(*store, "d", std::string(1000, 'd'));
  EXPECT_FALSE(*store->acquire("b"));
  EXPECT_TRUE(*store->acquire("a"));
  EXPECT_TRUE(*store->acquire("d"));
  EXPECT_LE(store->stats().bytes, 3000u);
  EXPECT_EQ(store->stats().evictions, 1u);
  EXPECT_FALSE(fs::exists(dir_ / "cache" / "objects" / "b"));
}

TEST_F(ContentStoreTest, PinnedItemsAreNeverEvicted) {
  auto store = open({2000, std::chrono::hours(72)});
  insert(*store, "old", std::string(1000, 'o'));
  auto pin = *store->acquire("old");
  ASSERT_TRUE(pin);
  insert(*store, "x", std::string(1000, 'x'));
  insert(*store, "y", std::string(1000, 'y'));  // over the limit: "old" is LRU but pinned
  EXPECT_TRUE(fs::exists(pin->path()));
  EXPECT_EQ(store->stats().pinned_items, 1u);
  EXPECT_FALSE(store->clear().value_or(0) == 0);
  EXPECT_TRUE(fs::exists(pin->path()));  // clear spares it too
  pin = Pin();
  ASSERT_TRUE(store->clear());
  EXPECT_EQ(store->stats().items, 0u);
}

TEST_F(ContentStoreTest, ItemsPastTheAgeLimitArePruned) {
  auto store = open({1 << 20, std::chrono::seconds(0)});
  insert(*store, "a", "x");  // inserted, then pruned at once: nothing may be older than 0 s
  EXPECT_EQ(store->stats().items, 0u);
  EXPECT_EQ(store->stats().evictions, 1u);
}

TEST_F(ContentStoreTest, AnItemLargerThanTheWholeCacheIsNotKept) {
  auto store = open({100, std::chrono::hours(72)});
  insert(*store, "big", std::string(101, 'b'));
  EXPECT_EQ(store->stats().items, 0u);
}

TEST_F(ContentStoreTest, SurvivesACleanReopen) {
  {
    auto store = open();
    insert(*store, ContentStore::sha256_key(kAbcSha), "abc");
  }
  auto store = open();
  auto items = store->list();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].verified);
  EXPECT_EQ(read_back(*store, **store->acquire(ContentStore::sha256_key(kAbcSha))), "abc");
}

TEST_F(ContentStoreTest, AfterAnUncleanShutdownItemsAreCheckedBeforeTheyAreServed) {
  const auto good = ContentStore::sha256_key(kAbcSha);
  const auto bad = ContentStore::sha256_key(std::string(64, '0'));
  {
    auto store = open();
    insert(*store, good, "abc");
    insert(*store, bad, "abd");  // stored under a hash it does not have: corrupt
  }
  {
    // As if the process had died with the cache open.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "cache" / "index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "UPDATE meta SET value = 0 WHERE name = 'clean'", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  auto store = open();
  for (const auto& item : store->list()) EXPECT_FALSE(item.verified);
  EXPECT_TRUE(*store->acquire(good));
  EXPECT_FALSE(*store->acquire(bad));  // failed its check: dropped
  EXPECT_EQ(store->stats().items, 1u);
  EXPECT_FALSE(fs::exists(dir_ / "cache" / "objects" / bad));
}

TEST_F(ContentStoreTest, LeftoversAreRemovedAtOpen) {
  { auto store = open(); }
  const auto objects = dir_ / "cache" / "objects";
  std::ofstream(objects / ".half.123.tmp") << "partial";
  std::ofstream(objects / "no-row") << "orphan";
  auto store = open();
  EXPECT_TRUE(fs::is_empty(objects));
}

TEST_F(ContentStoreTest, AnUncheckedItemStaysUncheckedAcrossACleanShutdown) {
  const auto bad = ContentStore::sha256_key(std::string(64, '0'));
  {
    auto store = open();
    insert(*store, bad, "abd");
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "cache" / "index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "UPDATE meta SET value = 0 WHERE name = 'clean'", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  { auto store = open(); }  // unclean before, closed cleanly now, the item never checked
  auto store = open();
  ASSERT_EQ(store->list().size(), 1u);
  EXPECT_FALSE(store->list()[0].verified);
  EXPECT_FALSE(*store->acquire(bad));
}

TEST_F(ContentStoreTest, MetadataIsKeptWithItsItemAndGoesWithIt) {
  const std::string meta = "d4:infod6:lengthi3eee";
  {
    auto store = open();
    auto item = store->begin_partial("btmh-1", 3);
    ASSERT_TRUE(item);
    ASSERT_TRUE(store->set_metadata("btmh-1", meta));
    ASSERT_TRUE(store->finish_partial(*item));
    // A key the store does not hold keeps nothing.
    ASSERT_TRUE(store->set_metadata("btmh-absent", meta));
    EXPECT_FALSE(*store->metadata("btmh-absent"));
  }
  auto store = open();
  auto kept = store->metadata("btmh-1");
  ASSERT_TRUE(kept);
  ASSERT_TRUE(*kept);
  EXPECT_EQ(std::string((*kept)->begin(), (*kept)->end()), meta);
  ASSERT_TRUE(store->clear());
  EXPECT_FALSE(*store->metadata("btmh-1"));
  // A new item under the same key does not inherit it.
  auto pin = store->begin_partial("btmh-1", 3);
  ASSERT_TRUE(pin);
  EXPECT_FALSE(*store->metadata("btmh-1"));
}

TEST_F(ContentStoreTest, SeedingIsNotAUseButLettingGoIs) {
  auto store = open();
  insert(*store, "btmh-2", "abc");
  const auto before = store->list()[0].last_used;
  {
    auto pin = store->acquire_for_seeding("btmh-2", {});
    ASSERT_TRUE(pin);
    ASSERT_TRUE(*pin);
  }
  EXPECT_EQ(store->list()[0].last_used, before);
  EXPECT_EQ(store->stats().hits, 0u);
  ASSERT_TRUE(store->mark_used("btmh-2"));
  EXPECT_GT(store->list()[0].last_used, before);
}

// Boot-scoped durability: added items are not fsynced but recorded as unsynced in this boot.

TEST_F(ContentStoreTest, UnsyncedItemsAreTrustedWhileTheBootIsTheSame) {
  const auto hello = ContentStore::sha256_key(kHelloSha);
  {
    auto store = open_in("boot-a");
    insert(*store, hello, "hello world");
    finish(*store, "btmh-1", "xyz");
    EXPECT_EQ(unsynced_rows(), 2);
  }
  corrupt(hello);  // unnoticed: the page cache is trusted within the boot
  ASSERT_EQ(sql("SELECT value FROM meta WHERE name = 'clean'"), 1);
  auto store = open_in("boot-a");
  EXPECT_EQ(unsynced_rows(), 2);  // young: not settled yet
  for (const auto& item : store->list()) EXPECT_TRUE(item.verified) << item.key;
  int checks = 0;
  const ContentStore::Verifier verify = [&](const fs::path&) {
    ++checks;
    return false;
  };
  auto served = store->acquire(hello);
  ASSERT_TRUE(served);
  EXPECT_TRUE(*served);  // not checked, so served as it is
  auto finished = store->acquire("btmh-1", verify);
  ASSERT_TRUE(finished);
  EXPECT_TRUE(*finished);
  EXPECT_EQ(checks, 0);
  EXPECT_EQ(unsynced_rows(), 2);
}

TEST_F(ContentStoreTest, UnsyncedItemsOfAnotherBootAreCheckedBeforeTheyAreServed) {
  const auto abc = ContentStore::sha256_key(kAbcSha);
  const auto hello = ContentStore::sha256_key(kHelloSha);
  {
    auto store = open_in("boot-a");
    insert(*store, abc, "abc");
    insert(*store, hello, "hello world");
    finish(*store, "btmh-good", "xyz");
    finish(*store, "btmh-bad", "xyz");
  }
  corrupt(hello);                                                    // torn by the reboot
  ASSERT_EQ(sql("SELECT value FROM meta WHERE name = 'clean'"), 1);  // not an unclean shutdown
  {
    auto store = open_in("boot-b");
    EXPECT_EQ(unsynced_rows(), 0);
    EXPECT_EQ(store->list().size(), 4u);
  }
  // Recorded in the index: a later open in the new boot does not trust them either.
  auto store = open_in("boot-b");
  for (const auto& item : store->list()) EXPECT_FALSE(item.verified) << item.key;
  std::vector<fs::path> checked;
  const auto verify = [&](bool intact) {
    return [&checked, intact](const fs::path& object) {
      checked.push_back(object);
      return intact;
    };
  };
  EXPECT_TRUE(*store->acquire(abc));
  EXPECT_FALSE(*store->acquire(hello));  // failed its check: dropped
  EXPECT_TRUE(*store->acquire("btmh-good", verify(true)));
  EXPECT_FALSE(*store->acquire("btmh-bad", verify(false)));
  EXPECT_EQ(checked.size(), 2u);
  EXPECT_EQ(store->stats().items, 2u);
  EXPECT_FALSE(fs::exists(dir_ / "cache" / "objects" / hello));
  EXPECT_FALSE(fs::exists(dir_ / "cache" / "objects" / "btmh-bad"));
  EXPECT_EQ(unsynced_rows(), 0);
}

TEST_F(ContentStoreTest, OldUnsyncedItemsAreSettledAtOpen) {
  const auto hello = ContentStore::sha256_key(kHelloSha);
  {
    auto store = open_in("boot-a");
    insert(*store, hello, "hello world");
    finish(*store, "btmh-1", "xyz");
  }
  age_unsynced_rows();
  { auto store = open_in("boot-a"); }
  EXPECT_EQ(unsynced_rows(), 0);  // synced: durable
  corrupt(hello);
  // Durable items are trusted in any boot (as before: only an unclean shutdown checks them).
  auto store = open_in("boot-b");
  for (const auto& item : store->list()) EXPECT_TRUE(item.verified) << item.key;
  EXPECT_TRUE(*store->acquire(hello));
  EXPECT_TRUE(*store->acquire("btmh-1", [](const fs::path&) { return false; }));
}

TEST_F(ContentStoreTest, PruneSettlesOldUnsyncedItemsAndKeepsYoungOnes) {
  auto store = open_in("boot-a");
  insert(*store, "old", "o");
  finish(*store, "btmh-old", "x");
  age_unsynced_rows();
  insert(*store, "young", "y");
  ASSERT_EQ(unsynced_rows(), 3);
  ASSERT_TRUE(store->prune());
  EXPECT_EQ(unsynced_rows(), 1);
  EXPECT_EQ(sql("SELECT count(*) FROM unsynced WHERE key = 'young'"), 1);
  for (const auto& item : store->list()) EXPECT_TRUE(item.verified) << item.key;
  EXPECT_EQ(store->stats().items, 3u);
}

// A failed fsync may be the only report of a write-back error, and a check would read the page
// cache, not the disk: the item goes; one in use stays, unverified, until it is not.
TEST_F(ContentStoreTest, AnUnsyncedItemWhoseObjectCannotBeSyncedGoes) {
  auto store = open_in("boot-a");
  insert(*store, "k", "abc");
  insert(*store, "pinned", "xyz");
  auto pin = store->acquire("pinned");
  ASSERT_TRUE(pin && *pin);
  age_unsynced_rows();
  fs::remove(dir_ / "cache" / "objects" / "k");  // nothing to fsync
  fs::remove(dir_ / "cache" / "objects" / "pinned");
  ASSERT_TRUE(store->prune());
  EXPECT_EQ(unsynced_rows(), 0);
  ASSERT_EQ(store->list().size(), 1u);
  EXPECT_EQ(store->list()[0].key, "pinned");
  EXPECT_FALSE(store->list()[0].verified);
  EXPECT_EQ(sql("SELECT count(*) FROM items WHERE key = 'k'"), 0);
  EXPECT_EQ(sql("SELECT verified FROM items WHERE key = 'pinned'"), 0);
  pin->reset();
  EXPECT_FALSE(*store->acquire("pinned"));  // cannot be checked: dropped
}

TEST_F(ContentStoreTest, AnItemThatGoesTakesItsUnsyncedRowAlong) {
  auto store = ContentStore::open(dir_ / "cache", {2, std::chrono::hours(72)}, "boot-a");
  ASSERT_TRUE(store);
  insert(**store, "a", "a");
  insert(**store, "b", "b");
  insert(**store, "c", "c");  // over the limit: "a" is evicted
  EXPECT_FALSE(*(*store)->acquire("a"));
  EXPECT_EQ(sql("SELECT count(*) FROM unsynced WHERE key = 'a'"), 0);
  EXPECT_EQ(unsynced_rows(), 2);
  ASSERT_TRUE((*store)->clear());
  EXPECT_EQ(unsynced_rows(), 0);
}

TEST_F(ContentStoreTest, WithoutABootIdItemsAreSyncedWhenAddedAndUnsyncedOnesAreChecked) {
  const auto hello = ContentStore::sha256_key(kHelloSha);
  {
    auto store = open_in("boot-a");
    insert(*store, hello, "hello world");
  }
  corrupt(hello);
  auto store = open_in(std::nullopt);  // cannot tell the boot: it may be another one
  EXPECT_EQ(unsynced_rows(), 0);
  EXPECT_FALSE(*store->acquire(hello));
  insert(*store, "k", "abc");
  finish(*store, "btmh-1", "xyz");
  EXPECT_EQ(unsynced_rows(), 0);  // fsynced instead
  EXPECT_TRUE(*store->acquire("k"));
  EXPECT_TRUE(*store->acquire("btmh-1", [](const fs::path&) { return false; }));
}

TEST_F(ContentStoreTest, TheBootIdIsTheKernels) {
  const auto boot = ContentStore::current_boot_id();
  if (!fs::exists("/proc/sys/kernel/random/boot_id")) GTEST_SKIP() << "no /proc";
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->size(), 36u) << *boot;  // a UUID, without its newline
  auto store = open();
  insert(*store, "k", "abc");
  EXPECT_EQ(sql("SELECT count(*) FROM unsynced WHERE boot = '" + *boot + "'"), 1);
}

TEST_F(ContentStoreTest, PrivateContentIsItsUsersOnlyAndSharedContentNeedsTheOrigin) {
  auto store = open();
  insert(*store, "sha256-private", "secret");
  insert(*store, "sha256-public", "public");
  EXPECT_EQ(store->access("sha256-private", 1000).value(), CacheAccess::kDenied);  // nobody's yet
  ASSERT_TRUE(store->grant("sha256-private", 1000, false));
  ASSERT_TRUE(store->grant("sha256-public", 1000, true));
  EXPECT_EQ(store->access("sha256-private", 1000).value(), CacheAccess::kGranted);
  EXPECT_EQ(store->access("sha256-private", 1001).value(), CacheAccess::kDenied);
  EXPECT_EQ(store->access("sha256-public", 1001).value(), CacheAccess::kAskOrigin);
  EXPECT_EQ(store->access("sha256-absent", 1000).value(), CacheAccess::kAbsent);
  // The origin vouched for 1001: from now on it may use the item itself.
  ASSERT_TRUE(store->grant("sha256-public", 1001, false));
  EXPECT_EQ(store->access("sha256-public", 1001).value(), CacheAccess::kGranted);
  // A private fetch never makes a shared item private again; a public fetch shares it.
  ASSERT_TRUE(store->grant("sha256-private", 1002, true));
  EXPECT_EQ(store->access("sha256-private", 1001).value(), CacheAccess::kAskOrigin);

  store.reset();  // kept across a restart
  store = open();
  EXPECT_EQ(store->access("sha256-public", 1001).value(), CacheAccess::kGranted);
  EXPECT_EQ(store->access("sha256-private", 1003).value(), CacheAccess::kAskOrigin);
  for (const auto& item : store->list()) {
    if (item.key == "sha256-public") {
      EXPECT_EQ(item.users, (std::vector<std::uint32_t>{1000, 1001}));
      EXPECT_TRUE(item.shared);
    }
  }
  // An evicted item takes its access rows with it.
  ASSERT_TRUE(store->clear());
  insert(*store, "sha256-public", "public");
  EXPECT_EQ(store->access("sha256-public", 1001).value(), CacheAccess::kDenied);
}

// A swarm item is granted to the user whose job filled it in the commit that completes it: a
// job of that user waiting for it never finds it complete and nobody's (a race CI once lost).
TEST_F(ContentStoreTest, AFinishedSwarmItemIsItsFillersAtOnce) {
  auto store = open();
  finish(*store, "btmh-filled", "swarm", 1000);
  EXPECT_EQ(store->access("btmh-filled", 1000).value(), CacheAccess::kGranted);
  EXPECT_EQ(store->access("btmh-filled", 1001).value(), CacheAccess::kAskOrigin);
  finish(*store, "btmh-unowned", "swarm");
  EXPECT_EQ(store->access("btmh-unowned", 1000).value(), CacheAccess::kDenied);
  store.reset();
  store = open();
  EXPECT_EQ(store->access("btmh-filled", 1000).value(), CacheAccess::kGranted);
}

TEST_F(ContentStoreTest, ACacheFromBeforeAccessWasRecordedIsEmptied) {
  {
    auto store = open();
    insert(*store, "sha256-old", "old content");
  }
  // What an older swarmcopy left: no 'access' mark, so nobody knows whose items these are.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "cache" / "index.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM meta WHERE name = 'access'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = open();
  EXPECT_TRUE(store->list().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cache" / "objects" / "sha256-old"));
}

}  // namespace
}  // namespace swarmcopy::cache
