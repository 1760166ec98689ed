// Which files the method hands to swarmcopyd (DaemonFetcher::wants; no daemon needed): packages
// apt knows the SHA-256 and size of, from min_peer_file_size up; never an index file.
#include "swarmcopy/apt/daemon_fetcher.h"

#include <gtest/gtest.h>

namespace swarmcopy::apt {
namespace {

AcquireRequest package(std::uint64_t size) {
  AcquireRequest request;
  request.uri = "swarmcopy+http://h/pool/p.deb";
  request.url = "http://h/pool/p.deb";
  request.filename = "/var/cache/apt/archives/partial/p.deb";
  request.expected_sha256 = std::string(64, 'a');
  request.expected_size = size;
  request.maximum_size = size;
  return request;
}

TEST(DaemonFetcherTest, PackagesFromTheMinimumSizeUpGoToTheDaemon) {
  MethodConfig config;
  DaemonFetcher fetcher(config, [](const std::string&) {});
  EXPECT_TRUE(fetcher.wants(package(1u << 20)));
  EXPECT_TRUE(fetcher.wants(package(300u << 20)));
  EXPECT_FALSE(fetcher.wants(package((1u << 20) - 1)));
  config.min_peer_file_size = 100;
  EXPECT_TRUE(fetcher.wants(package(100)));
}

TEST(DaemonFetcherTest, IndexesUnhashedAndUnsizedFilesAndADisabledDaemonDoNot) {
  MethodConfig config;
  DaemonFetcher fetcher(config, [](const std::string&) {});
  auto index = package(10u << 20);
  index.index_file = true;
  EXPECT_FALSE(fetcher.wants(index)) << "a big Packages.xz is still an index";
  auto unhashed = package(10u << 20);
  unhashed.expected_sha256.reset();
  EXPECT_FALSE(fetcher.wants(unhashed));
  auto unsized = package(0);
  unsized.expected_size.reset();
  unsized.maximum_size = 0;
  EXPECT_FALSE(fetcher.wants(unsized));
  config.use_daemon = false;
  EXPECT_FALSE(fetcher.wants(package(10u << 20)));
}

}  // namespace
}  // namespace swarmcopy::apt
