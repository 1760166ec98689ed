// JobDirectory: a job file's directory, reached so that a job root owns never follows a link
// another user could have planted, while a user's own job (and root in a directory only root
// can change) follows links as anyone would. The root cases switch the thread's file-system
// uid (ScopedFsCredentials), so they need root.
#include "job_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "file_ops.h"
#include "fs_credentials.h"
#include "temp_file.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::engine {
namespace {

namespace fs = std::filesystem;

// nobody/nogroup exist on every Debian system.
constexpr std::uint32_t kNobody = 65534;
constexpr std::uint32_t kNogroup = 65534;

TEST(JobDirectoryTest, OnlyRootCanChangeSystemDirectoriesNotTemporaryOnes) {
  EXPECT_TRUE(only_root_can_change("/"));
  EXPECT_TRUE(only_root_can_change("/usr/lib"));
  // A link (merged /usr: /lib -> usr/lib) in a directory only root can change.
  if (fs::is_symlink("/lib")) {
    EXPECT_TRUE(only_root_can_change("/lib"));
  }
  EXPECT_FALSE(only_root_can_change("/tmp"));  // anyone may create entries there
  test::TestDir dir;
  EXPECT_FALSE(only_root_can_change(dir.path().string()));
  EXPECT_FALSE(only_root_can_change("/usr/../tmp"));  // resolved by the kernel, not by name
  EXPECT_FALSE(only_root_can_change("/no/such/directory"));
}

class JobDirectoryAsRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "switching file-system credentials needs root";
    // A directory of nobody's, as a user's home would be, and a root-only one.
    fs::permissions(dir_.path(), fs::perms(0755));
    users_ = dir_ / "user";
    fs::create_directories(users_ / "real");
    for (const auto& d : {users_, users_ / "real"}) {
      ASSERT_EQ(::chown(d.c_str(), kNobody, kNogroup), 0);
    }
    root_only_ = dir_ / "root-only";
    fs::create_directories(root_only_);
    fs::create_directory_symlink(root_only_, users_ / "link");
  }

  test::TestDir dir_;
  fs::path users_, root_only_;
};

TEST_F(JobDirectoryAsRootTest, RootDoesNotFollowALinkInAnotherUsersDirectory) {
  ASSERT_TRUE(acting_as_root());
  const auto through_link = (users_ / "link" / "f.bin").string();
  auto opened = JobDirectory::of(through_link);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, api::ErrorKind::kLocalIo);
  EXPECT_NE(opened.error().message.find("symbolic link"), std::string::npos)
      << opened.error().message;
  EXPECT_FALSE(TempFile::open(through_link, 0600));
  EXPECT_FALSE(remove_file(through_link));
  EXPECT_TRUE(test::TestDir::list(root_only_).empty()) << "nothing made where the link points";
  // The same directory without the link: reached as usual.
  EXPECT_TRUE(JobDirectory::of((users_ / "real" / "f.bin").string()));
}

TEST_F(JobDirectoryAsRootTest, TheUsersOwnJobFollowsTheUsersLinks) {
  ScopedFsCredentials as_nobody(kNobody, kNogroup);
  ASSERT_FALSE(acting_as_root());
  // The link leads where nobody may not write: the kernel, checking nobody's rights, refuses
  // the file; the directory itself is reached.
  EXPECT_TRUE(JobDirectory::of((users_ / "link" / "f.bin").string()));
  EXPECT_FALSE(TempFile::open((users_ / "link" / "f.bin").string(), 0600));
  EXPECT_TRUE(TempFile::open((users_ / "real" / "f.bin").string(), 0600));
}

TEST_F(JobDirectoryAsRootTest, AnotherUsersFileUnderTheTemporaryNameIsNotWritten) {
  // Made by nobody before root's job opens its temporary file under that name.
  const auto temp = users_ / "real" / ".f.bin.part";
  {
    ScopedFsCredentials as_nobody(kNobody, kNogroup);
    auto planted = TempFile::open(temp.string(), 0666);
    ASSERT_TRUE(planted) << planted.error().describe();
  }
  auto opened = TempFile::open(temp.string(), 0600);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("belongs to another user"), std::string::npos)
      << opened.error().message;
}

}  // namespace
}  // namespace swarmcopy::engine
