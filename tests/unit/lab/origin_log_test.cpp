// nginx's access log as the lab reads it: body bytes of the content's URIs (several for an
// image's layers) apart from everything else, per round by when each request started.
#include "origin_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;

class OriginLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = fs::temp_directory_path() / ("swarmcopy-lab-origin-log-" + std::to_string(::getpid()));
  }
  void TearDown() override { fs::remove(log_); }

  // One line as kOriginLogFormat writes it: address, uri, status, bytes, end, duration.
  void line(const std::string& uri, std::uint64_t bytes, double ended, double took) {
    std::ofstream(log_, std::ios::app)
        << "10.0.0.3 " << uri << " 200 " << bytes << " " << ended << " " << took << "\n";
  }

  fs::path log_;
};

TEST_F(OriginLogTest, EveryContentUriCountsAsContentAndTheRestAsMetadata) {
  line("/v2/lab/image/blobs/sha256:aa", 100, 1010, 1);
  line("/v2/lab/image/blobs/sha256:bb", 200, 1010, 1);
  line("/v2/lab/image/manifests/v1", 7, 1010, 1);
  line("/v2/lab/image/blobs/sha256:aa.torrent", 3, 1010, 1);
  const auto rounds = read_access_log(
      log_, {"/v2/lab/image/blobs/sha256:aa", "/v2/lab/image/blobs/sha256:bb"}, {1000});
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].content, 300u);
  EXPECT_EQ(rounds[0].metadata, 10u);
}

TEST_F(OriginLogTest, ARequestCountsInTheRoundInWhichItStarted) {
  line("/f.bin", 100, 1010, 1);
  line("/f.bin", 50, 1030, 15);  // started at 1015, logged in the second round
  line("/f.bin", 25, 1031, 1);
  const auto rounds = read_access_log(log_, {"/f.bin"}, {1000, 1020});
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].content, 150u);
  EXPECT_EQ(rounds[1].content, 25u);
}

}  // namespace
}  // namespace swarmcopy::lab
