// 600 URI Acquire as the method reads it: the scheme behind "swarmcopy+", the hashes and sizes,
// If-Modified-Since, and a clear sentence for what it cannot serve.
#include "swarmcopy/apt/acquire_request.h"

#include <gtest/gtest.h>

namespace swarmcopy::apt {
namespace {

Message acquire(std::vector<std::pair<std::string, std::string>> fields) {
  return Message{600, "URI Acquire", std::move(fields)};
}

TEST(AcquireRequestTest, ReadsEverythingAptSends) {
  const std::string sha(64, 'A');
  auto request = parse_acquire(acquire({{"URI", "swarmcopy+https://m.example/debian/p.deb"},
                                        {"Filename", "/var/cache/apt/archives/partial/p.deb"},
                                        {"Expected-SHA256", sha},
                                        {"Expected-Checksum-FileSize", "2000000"},
                                        {"Maximum-Size", "10"},
                                        {"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"}}));
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->url, "https://m.example/debian/p.deb");
  EXPECT_EQ(request->uri, "swarmcopy+https://m.example/debian/p.deb");
  EXPECT_EQ(request->expected_sha256, std::string(64, 'a'));
  EXPECT_EQ(request->expected_size, 2000000u);
  EXPECT_EQ(request->maximum_size, 2000000u) << "the known size is the limit";
  EXPECT_EQ(request->last_modified, 784111777);
}

TEST(AcquireRequestTest, IndexFilesHaveNoHashAndKeepMaximumSize) {
  auto request = parse_acquire(acquire({{"URI", "swarmcopy+http://h/dists/x/InRelease"},
                                        {"FileName", "/l/partial/InRelease"},
                                        {"Maximum-Size", "10000000"}}));
  ASSERT_TRUE(request) << request.error();
  EXPECT_EQ(request->url, "http://h/dists/x/InRelease");
  EXPECT_FALSE(request->expected_sha256);
  EXPECT_EQ(request->maximum_size, 10000000u);
  EXPECT_FALSE(request->last_modified);
  EXPECT_FALSE(request->index_file);
  auto index = parse_acquire(
      acquire({{"URI", "swarmcopy+http://h/dists/x/main/binary-amd64/by-hash/SHA256/ab"},
               {"Filename", "/l/partial/Packages.xz"},
               {"Index-File", "true"}}));
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->index_file);
}

TEST(AcquireRequestTest, RefusesWhatItCannotServeWithASentence) {
  EXPECT_NE(parse_acquire(acquire({{"Filename", "/x"}})).error().find("without a URI"),
            std::string::npos);
  EXPECT_NE(parse_acquire(acquire({{"URI", "swarmcopy+http://h/x"}})).error().find("Filename"),
            std::string::npos);
  EXPECT_NE(parse_acquire(acquire({{"URI", "swarmcopy+ftp://h/x"}, {"Filename", "/x"}}))
                .error()
                .find("Unsupported URI scheme"),
            std::string::npos);
  EXPECT_FALSE(parse_acquire(acquire({{"URI", "http://h/x"}, {"Filename", "relative"}})));
  EXPECT_FALSE(parse_acquire(
      acquire({{"URI", "http://h/x"}, {"Filename", "/x"}, {"Expected-SHA256", "abc"}})));
  EXPECT_FALSE(
      parse_acquire(acquire({{"URI", "http://h/x"}, {"Filename", "/x"}, {"Maximum-Size", "-1"}})));
  EXPECT_FALSE(parse_acquire(
      acquire({{"URI", "http://h/x"}, {"Filename", "/x"}, {"Expected-Checksum-FileSize", "x"}})));
}

}  // namespace
}  // namespace swarmcopy::apt
