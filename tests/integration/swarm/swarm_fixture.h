// SwarmFixture: engines as separate `swarmcopy get` processes on loopback, an nginx origin
// serving a published file (the file and its FILE.torrent), and helpers to pick free ports and
// read --json results. Explicit peers only (--no-lsd): nothing leaves the machine.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nginx/nginx_server.h"
#include "process/child_process.h"
#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {

// A TCP port on 127.0.0.1 that nobody listens on right now.
std::uint16_t free_loopback_port();

class SwarmFixture : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kPiece = 256 << 10;

  // `size` bytes of deterministic data as docroot/NAME, published (NAME.torrent beside it).
  std::string make_published_file(const std::string& name, std::uint64_t size,
                                  std::uint32_t seed = 1);
  void start_origin();
  // The metainfo published beside docroot/NAME (NAME.torrent), as the engine would parse it.
  peer::Metainfo published_metainfo(const std::string& name);

  // `swarmcopy get URL -o OUT --home HOME --no-lsd --json -q ARGS...`
  std::vector<std::string> get_args(const std::string& url, const std::filesystem::path& out,
                                    const std::filesystem::path& home,
                                    std::vector<std::string> extra);
  std::unique_ptr<ChildProcess> spawn_get(const std::string& url, const std::filesystem::path& out,
                                          const std::filesystem::path& home,
                                          std::vector<std::string> extra);
  ChildResult run_get(const std::string& url, const std::filesystem::path& out,
                      const std::filesystem::path& home, std::vector<std::string> extra);
  // A seeding engine: started, its download finished (its JSON printed), serving on `port`.
  // Its state directory is home_a_ unless `home` names another (two seeders need two).
  std::unique_ptr<ChildProcess> start_seeder(const std::string& url, std::uint16_t port,
                                             std::vector<std::string> extra = {},
                                             const std::filesystem::path& home = {});

  static nlohmann::json json_of(const ChildResult& result);
  static std::string peer_arg(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

  TestDir docroot_, out_, home_a_, home_b_, home_c_, home_d_;
  std::unique_ptr<NginxServer> nginx_;
};

}  // namespace swarmcopy::test
