// Two homes of one user, each with its own cache, sharing through the user's list of caches:
// what one verified the other takes, checked, and nothing it should not.
#include "swarmcopy/cache/sibling_caches.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/cache/partial_item.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::cache {
namespace {

namespace fs = std::filesystem;
using test::TestDir;

const std::string kContent = "abc";
const std::string kAbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class SiblingCachesTest : public ::testing::Test {
 protected:
  // The cache of home `name`, sharing through the test's list.
  std::unique_ptr<ContentStore> open_home(const std::string& name) {
    const auto dir = dir_ / name / "cache";
    auto store = ContentStore::open(dir, {1 << 20, std::chrono::hours(72)});
    EXPECT_TRUE(store) << store.error().describe();
    if (!store) return nullptr;
    auto siblings = SiblingCaches::join(list(), dir);
    EXPECT_TRUE(siblings) << siblings.error().describe();
    if (siblings) (*store)->share_with(std::move(*siblings));
    return std::move(*store);
  }

  fs::path list() const { return dir_ / "state" / "swarmcopy-caches"; }

  void insert(ContentStore& store, const std::string& key, const std::string& content) {
    const auto path = dir_ / ("src" + std::to_string(++files_));
    std::ofstream(path, std::ios::binary) << content;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_TRUE(store.insert(key, fd, content.size()));
    ::close(fd);
  }

  std::string read_back(ContentStore& store, const std::string& key) {
    auto pin = store.acquire(key);
    if (!pin || !*pin) return "<absent>";
    return TestDir::read((*pin)->path());
  }

  const std::uint32_t uid_ = ::getuid();
  TestDir dir_;
  int files_ = 0;
};

TEST_F(SiblingCachesTest, WhatAnotherHomeOfTheUserVerifiedIsCopiedCheckedAndGranted) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, true));

  auto taken = second->import_from_siblings(key, uid_);
  ASSERT_TRUE(taken) << taken.error().describe();
  EXPECT_TRUE(*taken);
  EXPECT_EQ(read_back(*second, key), kContent);
  EXPECT_EQ(second->access(key, uid_).value(), CacheAccess::kGranted);
  // Shared there (fetched without credentials), shared here.
  EXPECT_EQ(second->access(key, uid_ + 1).value(), CacheAccess::kAskOrigin);
  // The first home keeps its own.
  EXPECT_EQ(read_back(*first, key), kContent);
}

TEST_F(SiblingCachesTest, PrivateContentStaysPrivateInTheCopy) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, false));  // fetched with credentials

  ASSERT_TRUE(second->import_from_siblings(key, uid_).value());
  EXPECT_EQ(second->access(key, uid_).value(), CacheAccess::kGranted);
  EXPECT_EQ(second->access(key, uid_ + 1).value(), CacheAccess::kDenied);
}

TEST_F(SiblingCachesTest, ACopyThatDoesNotMatchItsKeyIsNotKept) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, "abd");  // not the bytes its key names
  ASSERT_TRUE(first->grant(key, uid_, true));

  auto taken = second->import_from_siblings(key, uid_);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, api::ErrorKind::kChecksumMismatch);
  EXPECT_NE(taken.error().message.find((dir_ / "first" / "cache").string()), std::string::npos)
      << taken.error().message;
  EXPECT_EQ(second->access(key, uid_).value(), CacheAccess::kAbsent);
  EXPECT_TRUE(TestDir::list(dir_ / "second" / "cache" / "objects").empty());
}

TEST_F(SiblingCachesTest, AnItemOnlyAnotherUserUsedIsNotTaken) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_ + 1, true));

  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  EXPECT_EQ(second->access(key, uid_).value(), CacheAccess::kAbsent);
}

TEST_F(SiblingCachesTest, APartialItemIsNotTaken) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  auto partial = first->begin_partial(key, kContent.size());
  ASSERT_TRUE(partial);
  ASSERT_TRUE(partial->write(kContent, 0));

  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
}

TEST_F(SiblingCachesTest, AKeyThatIsNotASha256IsTakenOnlyWithTheCallersCheck) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::metadata_key(std::string(64, 'a'));
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, true));

  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  auto refused = second->import_from_siblings(key, uid_, [](const fs::path&) { return false; });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, api::ErrorKind::kChecksumMismatch);
  fs::path checked;
  auto taken = second->import_from_siblings(key, uid_, [&](const fs::path& copy) {
    checked = copy;
    return TestDir::read(copy) == kContent;
  });
  ASSERT_TRUE(taken) << taken.error().describe();
  EXPECT_TRUE(*taken);
  // What was checked is the copy in this cache, not the other cache's object.
  EXPECT_EQ(checked.parent_path(), dir_ / "second" / "cache" / "objects");
  EXPECT_EQ(read_back(*second, key), kContent);
}

TEST_F(SiblingCachesTest, AHomeThatWasRemovedLeavesTheList) {
  auto second = open_home("second");
  { auto first = open_home("first"); }
  EXPECT_EQ(TestDir::list(list()).size(), 2u);
  fs::remove_all(dir_ / "first");

  EXPECT_FALSE(second->import_from_siblings(ContentStore::sha256_key(kAbcSha), uid_).value());
  EXPECT_EQ(TestDir::list(list()).size(), 1u);
}

TEST_F(SiblingCachesTest, AListOthersMayChangeIsNeitherJoinedNorRead) {
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, true));
  ASSERT_EQ(::chmod(list().c_str(), 0777), 0);

  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  auto joined = SiblingCaches::join(list(), dir_ / "first" / "cache");
  ASSERT_FALSE(joined);
  EXPECT_NE(joined.error().message.find("only it may change"), std::string::npos);
}

TEST_F(SiblingCachesTest, ACacheOthersMayWriteToIsNotRead) {
  auto second = open_home("second");
  auto first = open_home("first");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, true));
  // Anyone could have put anything there.
  ASSERT_EQ(::chmod((dir_ / "first" / "cache").c_str(), 0777), 0);
  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  ASSERT_EQ(::chmod((dir_ / "first" / "cache").c_str(), 0755), 0);
  EXPECT_TRUE(second->import_from_siblings(key, uid_).value());
}

TEST_F(SiblingCachesTest, AnotherUsersCacheIsNotRead) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a cache to another user";
  auto first = open_home("first");
  auto second = open_home("second");
  const auto key = ContentStore::sha256_key(kAbcSha);
  insert(*first, key, kContent);
  ASSERT_TRUE(first->grant(key, uid_, true));
  // A cache directory, or an object in it, that is not this user's is left alone.
  const auto object = dir_ / "first" / "cache" / "objects" / key;
  ASSERT_EQ(::chown(object.c_str(), 65534, 65534), 0);
  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  ASSERT_EQ(::chown(object.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown((dir_ / "first" / "cache").c_str(), 65534, 65534), 0);
  EXPECT_FALSE(second->import_from_siblings(key, uid_).value());
  ASSERT_EQ(::chown((dir_ / "first" / "cache").c_str(), 0, 0), 0);
  EXPECT_TRUE(second->import_from_siblings(key, uid_).value());
}

}  // namespace
}  // namespace swarmcopy::cache
