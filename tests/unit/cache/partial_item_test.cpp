// PartialItem: the one way bytes enter a cache item (see partial_item.h).
#include "swarmcopy/cache/partial_item.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "swarmcopy/cache/content_store.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::cache {
namespace {

namespace fs = std::filesystem;

class PartialItemTest : public ::testing::Test {
 protected:
  std::unique_ptr<ContentStore> open() {
    auto store = ContentStore::open(dir_ / "cache", {1 << 20, std::chrono::hours(72)});
    EXPECT_TRUE(store) << store.error().describe();
    return store ? std::move(*store) : nullptr;
  }

  // The complete item's bytes, as a repeat download would get them.
  std::string copied_out(ContentStore& store, const std::string& key) {
    auto pin = store.acquire(key);
    if (!pin || !*pin) return "<absent>";
    const auto path = dir_ / "out";
    util::UniqueFd out(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    EXPECT_TRUE(store.copy_to(**pin, out.get()));
    return test::TestDir::read(path);
  }

  test::TestDir dir_;
};

TEST_F(PartialItemTest, WritesAndASharedDescriptorFillOneItemThatFinishesIntoAPin) {
  auto store = open();
  auto item = store->begin_partial("btmh-a", 6);
  ASSERT_TRUE(item) << item.error().describe();
  ASSERT_TRUE(item->write(std::string_view("abc"), 0));
  // The swarm's disk layer writes through a copy of the same open file.
  auto shared = item->share();
  ASSERT_TRUE(shared) << shared.error().describe();
  ASSERT_EQ(::pwrite(shared->get(), "def", 3, 3), 3);
  EXPECT_FALSE(store->acquire("btmh-a").value()) << "a partial item is never served";

  ASSERT_TRUE(store->finish_partial(*item));
  Pin pin = std::move(*item).into_pin();
  EXPECT_EQ(pin.key(), "btmh-a");
  EXPECT_EQ(copied_out(*store, "btmh-a"), "abcdef");
  // A finished item is written no more.
  EXPECT_FALSE(item->write(std::string_view("x"), 0));
  EXPECT_EQ(copied_out(*store, "btmh-a"), "abcdef");
}

TEST_F(PartialItemTest, AWritePastTheEndIsRefusedAndWritesNothing) {
  auto store = open();
  auto item = store->begin_partial("btmh-b", 4);
  ASSERT_TRUE(item);
  auto past = item->write(std::string_view("abc"), 2);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_FALSE(item->write(std::string_view("a"), 5));
  EXPECT_EQ(fs::file_size(item->path()), 4u) << "the item grew past its reserved space";
}

// A partial item that turned out not to be its content (the whole file's hash) goes at once,
// although its filler still holds it: no byte of it is kept for a later attempt, and a later
// one starts empty. A reopened store finds nothing of it either.
TEST_F(PartialItemTest, ADiscardedPartialItemLeavesNothing) {
  {
    auto store = open();
    auto item = store->begin_partial("sha256-d", 4);
    ASSERT_TRUE(item);
    ASSERT_TRUE(item->write(std::string_view("bad!"), 0));
    const auto path = item->path();
    ASSERT_TRUE(store->discard_partial(*item));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(store->is_partial("sha256-d"));
    EXPECT_TRUE(store->list().empty());
    EXPECT_EQ(store->stats().bytes, 0u);
    EXPECT_TRUE(store->finish_partial(*item)) << "finishing what is gone does nothing";
    EXPECT_FALSE(store->acquire("sha256-d").value());
  }
  auto reopened = open();
  EXPECT_TRUE(reopened->list().empty());
  auto again = reopened->begin_partial("sha256-d", 4);
  ASSERT_TRUE(again);
  EXPECT_NE(test::TestDir::read(again->path()), "bad!");
}

TEST_F(PartialItemTest, ASecondAttemptKeepsTheEarlierBytesAndRemakesAMissingFile) {
  auto store = open();
  {
    auto first = store->begin_partial("btmh-c", 4);
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->write(std::string_view("ab"), 0));
  }
  {
    auto again = store->begin_partial("btmh-c", 4);
    ASSERT_TRUE(again);
    EXPECT_EQ(test::TestDir::read(again->path()).substr(0, 2), "ab");
    fs::remove(again->path());
  }
  auto remade = store->begin_partial("btmh-c", 4);
  ASSERT_TRUE(remade) << remade.error().describe();
  EXPECT_EQ(fs::file_size(remade->path()), 4u);
  ASSERT_TRUE(remade->write(std::string_view("wxyz"), 0));
  ASSERT_TRUE(store->finish_partial(*remade));
  EXPECT_EQ(copied_out(*store, "btmh-c"), "wxyz");
}

// The objects directory is the daemon's, but the writer never follows a link planted there: a
// partial item that is a symbolic link is refused, and the file it points to is untouched.
TEST_F(PartialItemTest, ASymbolicLinkInPlaceOfTheObjectIsNeverFollowed) {
  auto store = open();
  const auto victim = dir_ / "victim";
  std::ofstream(victim) << "precious";
  {
    auto planted = store->begin_partial("btmh-d", 8);
    ASSERT_TRUE(planted);
    const auto object = planted->path();
    fs::remove(object);
    fs::create_symlink(victim, object);
  }
  auto item = store->begin_partial("btmh-d", 8);
  EXPECT_FALSE(item) << "a partial item opened through a symbolic link";
  // Nor for a new item, whose object the writer would otherwise empty first.
  fs::create_symlink(victim, dir_ / "cache" / "objects" / "btmh-e");
  EXPECT_FALSE(store->begin_partial("btmh-e", 8));
  EXPECT_EQ(test::TestDir::read(victim), "precious");
}

}  // namespace
}  // namespace swarmcopy::cache
