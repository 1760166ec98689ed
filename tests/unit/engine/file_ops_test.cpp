#include "file_ops.h"

#include <fcntl.h>

#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"
#include "test_dir/test_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace swarmcopy::engine {
namespace {

using test::TestDir;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class FileOpsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // So that dir_ can be removed with everything in it.
    std::error_code ec;
    std::filesystem::permissions(dir_ / "locked", std::filesystem::perms::owner_all, ec);
  }
  TestDir dir_{"swarmcopy-fileops-"};
};

TEST_F(FileOpsTest, DestinationMustBeAbsoluteInAnExistingDirectory) {
  EXPECT_TRUE(check_destination((dir_ / "file").string()));
  EXPECT_FALSE(check_destination("relative/file"));
  EXPECT_FALSE(check_destination((dir_ / "missing" / "file").string()));
  EXPECT_FALSE(check_destination(dir_.path().string() + "/"));
  EXPECT_FALSE(check_destination(dir_.path().string()));  // an existing directory
}

TEST_F(FileOpsTest, DestinationDirectoryMustBeWritable) {
  std::filesystem::create_directory(dir_ / "locked");
  std::filesystem::permissions(dir_ / "locked", std::filesystem::perms::owner_read |
                                                    std::filesystem::perms::owner_exec |
                                                    std::filesystem::perms::others_exec);
  ::chmod(dir_.path().c_str(), 0755);
  const auto target = (dir_ / "locked" / "file").string();
  if (::geteuid() != 0) {
    const auto result = check_destination(target);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("not writable"), std::string::npos);
    return;
  }
  // Root may write anywhere: check as an unprivileged user in a child process.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    const auto result = check_destination(target);
    const bool clear = !result && result.error().message.find("not writable") != std::string::npos;
    ::_exit(clear ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(FileOpsTest, TempPathIsHiddenBesideTheDestination) {
  const auto id = api::JobId::generate();
  const auto temp = temp_path_for((dir_ / "image.iso").string(), id, 3);
  EXPECT_EQ(std::filesystem::path(temp).parent_path(), dir_.path());
  const auto name = std::filesystem::path(temp).filename().string();
  EXPECT_EQ(name, ".image.iso." + id.to_string() + "-3.part");
  const std::string long_name(250, 'x');
  EXPECT_LE(std::filesystem::path(temp_path_for((dir_ / long_name).string(), id, 0))
                .filename()
                .string()
                .size(),
            255u);
}

TEST_F(FileOpsTest, Sha256OfAKnownString) {
  std::ofstream(dir_ / "abc") << "abc";
  util::UniqueFd fd(::open((dir_ / "abc").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  EXPECT_EQ(util::sha256_of_fd(fd.get(), "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(FileOpsTest, MoveAllIntoPlaceReplacesTheDestinations) {
  std::ofstream(dir_ / "temp1") << "new1";
  std::ofstream(dir_ / "temp2") << "new2";
  std::ofstream(dir_ / "dest1") << "old1";
  const std::vector<PendingMove> moves = {{(dir_ / "temp1").string(), (dir_ / "dest1").string()},
                                          {(dir_ / "temp2").string(), (dir_ / "dest2").string()}};
  ASSERT_TRUE(move_all_into_place(moves));
  EXPECT_FALSE(file_exists((dir_ / "temp1").string()));
  EXPECT_EQ(read_all(dir_ / "dest1"), "new1");
  EXPECT_EQ(read_all(dir_ / "dest2"), "new2");
  // No backups left.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), 2);
}

TEST_F(FileOpsTest, MoveAllIntoPlaceIsAllOrNothing) {
  std::ofstream(dir_ / "temp1") << "new1";
  std::ofstream(dir_ / "temp2") << "new2";
  std::ofstream(dir_ / "dest1") << "old1";
  // The second destination cannot be replaced (a non-empty directory stands there).
  std::filesystem::create_directories(dir_ / "dest2" / "inside");
  const std::vector<PendingMove> moves = {{(dir_ / "temp1").string(), (dir_ / "dest1").string()},
                                          {(dir_ / "temp2").string(), (dir_ / "dest2").string()}};
  const auto result = move_all_into_place(moves);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().file, (dir_ / "dest2").string());
  // The first destination is the old file again, and both temporary files are back.
  EXPECT_EQ(read_all(dir_ / "dest1"), "old1");
  EXPECT_EQ(read_all(dir_ / "temp1"), "new1");
  EXPECT_EQ(read_all(dir_ / "temp2"), "new2");
  EXPECT_FALSE(file_exists((dir_ / "temp1.previous").string()));
}

TEST_F(FileOpsTest, ATemporaryFileIsCheckedWithoutOpeningIt) {
  const auto temp = (dir_ / "temp").string();
  std::ofstream(temp) << "12345";
  const auto me = static_cast<std::uint32_t>(::geteuid());
  EXPECT_TRUE(check_temp_file(temp, me, 5));
  EXPECT_TRUE(check_temp_file(temp, me, std::nullopt));
  EXPECT_FALSE(check_temp_file(temp, me, 6));      // not what the job wrote
  EXPECT_FALSE(check_temp_file(temp, me + 1, 5));  // another user's file
  EXPECT_FALSE(check_temp_file((dir_ / "missing").string(), me, 5));
  // A FIFO would block whoever opened it; a symlink could point anywhere.
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  const auto fifo = check_temp_file((dir_ / "fifo").string(), me, std::nullopt);
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().message.find("replaced"), std::string::npos);
  std::filesystem::create_symlink(temp, dir_ / "link");
  EXPECT_FALSE(check_temp_file((dir_ / "link").string(), me, 5));
}

TEST_F(FileOpsTest, DestinationsWithControlCharactersAreRefused) {
  EXPECT_FALSE(check_destination((dir_ / "a").string() + std::string("\0b", 2)));
  EXPECT_FALSE(check_destination((dir_ / "a\x1b[31m").string()));
  EXPECT_FALSE(check_destination((dir_ / "line\nbreak").string()));
}

TEST_F(FileOpsTest, RemovingAMissingFileIsFine) {
  EXPECT_TRUE(remove_file((dir_ / "never").string()));
}

TEST(Sha256Hex, AcceptsOnly64HexDigits) {
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace swarmcopy::engine
