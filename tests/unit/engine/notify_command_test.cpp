#include "notify_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace swarmcopy::engine {
namespace {

using namespace std::chrono_literals;

NotifyLaunch launch_of(std::vector<std::string> argv) {
  NotifyLaunch launch;
  launch.argv = std::move(argv);
  launch.uid = static_cast<std::uint32_t>(::geteuid());
  launch.gid = static_cast<std::uint32_t>(::getegid());
  launch.job_id = "6f9619ff-8b86-4011-b42d-00c04fc964ff";
  launch.job_state = "TRANSFERRED";
  return launch;
}

// Runs one command to its end (bounded: the io_context runs out of work once it is reaped).
std::optional<int> run(const NotifyLaunch& launch, std::chrono::milliseconds timeout = 30s) {
  boost::asio::io_context io;
  NotifyCommands commands(io, timeout);
  std::optional<int> status;
  auto started = commands.start(launch, [&](int s) { status = s; });
  EXPECT_TRUE(started) << started.error().describe();
  io.run_for(60s);
  EXPECT_EQ(commands.running(), 0u);
  return status;
}

TEST(NotifyCommand, TheProgramGetsTheJobAndItsExitStatusIsReported) {
  EXPECT_EQ(run(launch_of({"/bin/sh", "-c",
                           "test \"$SWARMCOPY_JOB_ID\" = 6f9619ff-8b86-4011-b42d-00c04fc964ff "
                           "&& test \"$SWARMCOPY_JOB_STATE\" = TRANSFERRED && exit 7"})),
            7);
}

TEST(NotifyCommand, ArgumentsReachTheProgramAsTheyAreWithoutAShell) {
  EXPECT_EQ(run(launch_of({"/usr/bin/test", "a b;$(exit 3)*", "=", "a b;$(exit 3)*"})), 0);
}

TEST(NotifyCommand, TheProgramGetsNoDescriptorOfOurs) {
  // One without O_CLOEXEC (as a library might leave one): exec alone would pass it on.
  const int inherited = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(inherited, 3);
  const auto fd = std::to_string(inherited);
  EXPECT_EQ(run(launch_of({"/bin/sh", "-c", "test ! -e /proc/self/fd/" + fd + " || exit 9"})), 0);
  ::close(inherited);
}

TEST(NotifyCommand, AProgramThatOutlivesTheTimeoutIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run(launch_of({"/bin/sleep", "60"}), 100ms), 128 + 9);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(NotifyCommand, AMissingProgramIs127AndARelativeOneIsRefused) {
  EXPECT_EQ(run(launch_of({"/nonexistent/notify"})), 127);
  boost::asio::io_context io;
  NotifyCommands commands(io, 1s);
  EXPECT_FALSE(commands.start(launch_of({"sh", "-c", "exit 0"}), [](int) {}));
  EXPECT_FALSE(commands.start(launch_of({}), [](int) {}));
}

// The point of the whole design: root runs another user's program only as that user.
TEST(NotifyCommand, AsRootTheProgramRunsWithTheOwnersCredentialsOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto launch = launch_of({"/bin/sh", "-c",
                           "test \"$(id -u)\" = 65534 && test \"$(id -g)\" = 65534 || exit 3; "
                           "case \" $(id -G) \" in *' 0 '*) exit 4;; esac; "
                           "test \"$SWARMCOPY_JOB_STATE\" = ERROR || exit 5"});
  launch.uid = 65534;
  launch.gid = 65534;
  launch.job_state = "ERROR";
  EXPECT_EQ(run(launch), 0);
}

}  // namespace
}  // namespace swarmcopy::engine
