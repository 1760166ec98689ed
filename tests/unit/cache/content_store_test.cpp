#include "swarmcopy/cache/content_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace swarmcopy::cache {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "a" * n for the sizes used below is not needed: keys are made from real hashes
// by the store's own check only after an unclean shutdown; elsewhere any key works.
const std::string kAbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/swarmcopy-cache-XXXXXX";
    dir_ = ::mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(dir_); }

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

  fs::path dir_;
  int files_ = 0;
};

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
    auto pin = store->begin_partial("btmh-1", 3);
    ASSERT_TRUE(pin);
    ASSERT_TRUE(store->set_metadata("btmh-1", meta));
    ASSERT_TRUE(store->finish_partial("btmh-1"));
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

}  // namespace
}  // namespace swarmcopy::cache
