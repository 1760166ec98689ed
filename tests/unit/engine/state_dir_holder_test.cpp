// The state directory's lock file names its holder: what one holder writes the next reader
// gets back, a daemon's socket with it, and a text that is torn or foreign is not trusted. The
// real lock: a second acquire fails naming the holder's pid, and reading the holder while it
// is held gives the socket the holder passed.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "state_dir_lock.h"
#include "swarmcopy/engine/state_dir_holder.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::engine {
namespace {

TEST(StateDirHolderTest, WhatIsWrittenIsReadBack) {
  const StateDirHolder get{1234, std::nullopt};
  const StateDirHolder daemon{99,
                              std::filesystem::path("/run/user/1000/swarmcopy/swarmcopyd.sock")};
  EXPECT_EQ(format_state_dir_holder(get), "1234\n");
  EXPECT_EQ(parse_state_dir_holder(format_state_dir_holder(get)), get);
  EXPECT_EQ(parse_state_dir_holder(format_state_dir_holder(daemon)), daemon);
}

TEST(StateDirHolderTest, ATornOrForeignTextNamesNothingItCannotRead) {
  // The pid of a holder from before the socket line existed.
  EXPECT_EQ(parse_state_dir_holder("77\n"), (StateDirHolder{77, std::nullopt}));
  // An unterminated line is one still being written.
  EXPECT_EQ(parse_state_dir_holder("77"), StateDirHolder{});
  EXPECT_EQ(parse_state_dir_holder("77\nsocket /run/x.so"), (StateDirHolder{77, std::nullopt}));
  EXPECT_EQ(parse_state_dir_holder("-5\n"), StateDirHolder{});
  EXPECT_EQ(parse_state_dir_holder("12ab\n"), StateDirHolder{});
  EXPECT_EQ(parse_state_dir_holder(""), StateDirHolder{});
  // A relative socket path would depend on the reader's directory.
  EXPECT_EQ(parse_state_dir_holder("8\nsocket run/x.sock\n"), (StateDirHolder{8, std::nullopt}));
}

TEST(StateDirHolderTest, TheLockHolderIsNamedWhileItHoldsTheDirectory) {
  test::TestDir dir;
  const auto socket = dir.path() / "d.sock";
  auto held = StateDirLock::acquire(dir.path(), socket);
  ASSERT_TRUE(held) << held.error().describe();

  EXPECT_EQ(read_state_dir_holder(dir.path()), (StateDirHolder{::getpid(), socket}));
  auto second = StateDirLock::acquire(dir.path());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_NE(second.error().message.find("(pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << second.error().message;
  // The failed attempt did not overwrite what the holder wrote.
  EXPECT_EQ(read_state_dir_holder(dir.path()), (StateDirHolder{::getpid(), socket}));
  EXPECT_EQ(read_state_dir_holder(dir.path() / "missing"), StateDirHolder{});
}

// A lock file someone else owns (a home in another user's directory) names nobody: its socket
// could be that user's, waiting for our job.
TEST(StateDirHolderTest, AnotherUsersLockFileIsNotBelieved) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  test::TestDir dir;
  {
    auto held = StateDirLock::acquire(dir.path(), dir.path() / "d.sock");
    ASSERT_TRUE(held) << held.error().describe();
  }
  ASSERT_NE(read_state_dir_holder(dir.path()), StateDirHolder{});
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chown((dir.path() / "lock").c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(read_state_dir_holder(dir.path()), StateDirHolder{});
}

}  // namespace
}  // namespace swarmcopy::engine
