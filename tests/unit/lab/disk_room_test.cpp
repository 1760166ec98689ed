// The lab's disk check: what a run writes, and the refusal when the file system cannot hold it.
#include "disk_room.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <filesystem>

namespace swarmcopy::lab {
namespace {

RunSettings settings_of(int peers, std::uint64_t size, const std::string& mode, int rounds) {
  RunSettings settings;
  settings.peers = peers;
  settings.size = size;
  settings.mode = mode;
  settings.rounds = rounds;
  return settings;
}

TEST(DiskRoomTest, EachPeerHoldsACopyPerRoundAndOneInItsCache) {
  constexpr std::uint64_t kMiB = 1 << 20;
  // 32 peers of 256 MiB in lan mode: the origin's file, 32 destinations, 32 cache items.
  EXPECT_EQ(disk_needed(settings_of(32, 256 * kMiB, "lan", 1)), 65 * 256 * kMiB);
  EXPECT_EQ(disk_needed(settings_of(3, 64 * kMiB, "http-only", 2)), (1 + 3 * 3) * 64 * kMiB);
  // curl keeps no cache.
  EXPECT_EQ(disk_needed(settings_of(8, 64 * kMiB, "curl", 1)), 9 * 64 * kMiB);
}

TEST(DiskRoomTest, TheAptAndOciOriginsHoldTheirContentTwice) {
  constexpr std::uint64_t kMiB = 1 << 20;
  // apt: the package's tree beside its .deb; oci: the image's layout and the registry's copy.
  for (const char* workload : {"apt", "oci"}) {
    RunSettings settings = settings_of(8, 256 * kMiB, "lan", 1);
    settings.workload = workload;
    EXPECT_EQ(disk_needed(settings), (2 + 8 * 2) * 256 * kMiB) << workload;
  }
}

TEST(DiskRoomTest, ARunTheFileSystemCannotHoldIsRefusedWithFigures) {
  const auto dir = std::filesystem::temp_directory_path();
  struct statvfs fs {};
  ASSERT_EQ(::statvfs(dir.c_str(), &fs), 0);
  const std::uint64_t available = std::uint64_t{fs.f_bavail} * fs.f_frsize;
  EXPECT_TRUE(check_disk_room(dir, 1 << 20) || available < (512ull << 20));
  auto refused = check_disk_room(dir, available + 1);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not enough disk"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("--size"), std::string::npos) << refused.error();
  // Room for the bytes alone is not enough: the machine needs some left.
  EXPECT_FALSE(check_disk_room(dir, available));
  EXPECT_FALSE(check_disk_room(dir / "no-such-dir", 1));
}

}  // namespace
}  // namespace swarmcopy::lab
