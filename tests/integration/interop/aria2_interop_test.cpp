// Interoperability with a stock BitTorrent client: aria2c, unmodified, exchanging a published
// file with `swarmcopy get` engines on loopback. aria2c speaks only v1, so it uses the v1 part
// of the hybrid metainfo that `swarmcopy publish` writes: these tests show that part is real,
// the same FILE.torrent serving v2 peers and stock v1 clients.
//
// Debian 12's aria2c (1.36.0) cannot join any hybrid swarm: it hashes the info dict wrongly
// (see SetUp), so there the tests skip and say why. They pass with aria2c >= 1.37.0 (Debian
// 13), given as SWARMCOPY_TEST_ARIA2C=/path/to/aria2c when the one on $PATH is older.
//
// aria2c learns peers only from trackers, DHT, LPD and PEX; DHT, LPD and PEX are off (nothing
// leaves the machine), so when it must find a swarmcopy seeder a test tracker names it.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../swarm/swarm_fixture.h"
#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "tracker/tracker.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 16ull << 20;

// The first executable `name` on $PATH; empty when there is none.
fs::path find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// "aria2 version 1.36.0": a version before 1.37.0, whose bencode parser drops empty keys.
bool drops_empty_keys(const std::string& version_line) {
  int major = 0, minor = 0;
  if (std::sscanf(version_line.c_str(), "aria2 version %d.%d", &major, &minor) != 2) return false;
  return major < 1 || (major == 1 && minor < 37);
}

class Aria2InteropTest : public SwarmFixture {
 protected:
  void SetUp() override {
    aria2c_ = aria2c_path();
    if (aria2c_.empty()) {
      GTEST_SKIP() << "aria2c is not installed (scripts/install-deps.sh installs it)";
    }
    const auto version = run_child({aria2c_.string(), "--version"}, {}, 10s);
    if (version.exit_code != 0 || version.out.find("aria2 version") == std::string::npos) {
      GTEST_SKIP() << aria2c_ << " --version failed (exit " << version.exit_code
                   << "): " << version.err;
    }
    version_ = version.out.substr(0, version.out.find('\n'));
    std::cout << aria2c_.string() << ": " << version_ << "\n";

    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
    torrent_ = docroot_.path() / "update.bin.torrent";
    meta_ = published_metainfo("update.bin");
    ASSERT_FALSE(meta_.info_hash_v1.empty()) << "published metainfo has no v1 part";
    // No web seeds and no trackers in the published metainfo: aria2c can get the bytes only
    // from the peers a test shows it (a url-list would let it fetch from nginx by itself).
    const std::string bytes(meta_.bytes.begin(), meta_.bytes.end());
    for (const auto* key : {"8:url-list", "9:httpseeds", "8:announce", "13:announce-list"}) {
      ASSERT_EQ(bytes.find(key), std::string::npos) << key;
    }
    // Which torrent aria2c thinks this is. aria2 before 1.37.0 drops dictionary keys that are
    // empty strings when it parses bencode, then hashes its re-encoding of the info dict: in a
    // v2 or hybrid metainfo every file of the "file tree" sits under such a key, so it gets a
    // wrong v1 info-hash and no peer anywhere shares its swarm (aria2 issue #1903, fixed by
    // PR #1905 in 1.37.0). Debian 12 ships 1.36.0.
    const auto shown = run_child({aria2c_.string(), "--no-conf", "-S", torrent_.string()}, {}, 10s);
    const auto at = shown.out.find("Info Hash: ");
    ASSERT_NE(at, std::string::npos) << shown.out << shown.err;
    const auto aria_hash = shown.out.substr(at + 11, 40);
    if (aria_hash != meta_.info_hash_v1) {
      ASSERT_TRUE(drops_empty_keys(version_)) << version_ << " reads the v1 info-hash as "
                                              << aria_hash << ", not " << meta_.info_hash_v1;
      GTEST_SKIP() << version_ << " reads the hybrid metainfo's v1 info-hash as " << aria_hash
                   << ", not " << meta_.info_hash_v1
                   << ": aria2 < 1.37.0 drops the empty keys of the v2 file tree before hashing "
                      "(aria2 #1903, fixed in 1.37.0), so it cannot join any hybrid swarm. Set "
                      "SWARMCOPY_TEST_ARIA2C to an aria2c >= 1.37.0 to run this test.";
    }
  }

  // $SWARMCOPY_TEST_ARIA2C, else the first aria2c on $PATH; empty when there is none.
  static fs::path aria2c_path() {
    if (const char* chosen = std::getenv("SWARMCOPY_TEST_ARIA2C"); chosen && *chosen) {
      return ::access(chosen, X_OK) == 0 ? fs::path(chosen) : fs::path();
    }
    return find_on_path("aria2c");
  }

  // aria2c for one torrent: loopback only, no DHT/LPD/PEX, no config file, no progress
  // readout, and it stops by itself if this test process dies.
  std::vector<std::string> aria2_args(std::uint16_t listen_port, const fs::path& dir,
                                      std::vector<std::string> extra) const {
    std::vector<std::string> args{aria2c_.string(),
                                  "--no-conf",
                                  "--enable-dht=false",
                                  "--enable-dht6=false",
                                  "--bt-enable-lpd=false",
                                  "--enable-peer-exchange=false",
                                  "--disable-ipv6=true",
                                  "--interface=127.0.0.1",
                                  "--listen-port=" + std::to_string(listen_port),
                                  "--file-allocation=none",
                                  "--summary-interval=0",
                                  "--show-console-readout=false",
                                  "--stop-with-process=" + std::to_string(::getpid()),
                                  "-d",
                                  dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(torrent_.string());
    return args;
  }

  fs::path aria2c_;
  std::string version_;  // "aria2 version 1.36.0"
  std::string sha_;
  std::string url_;
  fs::path torrent_;
  peer::Metainfo meta_;
};

TEST_F(Aria2InteropTest, SwarmcopyTakesTheFileFromAnAria2Seeder) {
  // aria2c seeds its own copy of the file, checked against the published metainfo (v1 pieces).
  TestDir aria_dir;
  fs::copy_file(docroot_.path() / "update.bin", aria_dir.path() / "update.bin");
  const auto aria_port = free_loopback_port();
  // Notice level (not warn): its "listening" line is how we know it is ready to serve.
  auto spawned =
      ChildProcess::spawn(aria2_args(aria_port, aria_dir.path(),
                                     {"--console-log-level=notice", "--check-integrity=true",
                                      "--seed-ratio=0.0", "--seed-time=5"}));
  ASSERT_TRUE(spawned) << spawned.error();
  auto aria = std::move(*spawned);
  ASSERT_TRUE(aria->wait_for_output("Verification finished successfully", 60s))
      << aria->wait(5s).out;
  ASSERT_TRUE(aria->wait_for_output("listening on TCP port " + std::to_string(aria_port), 30s))
      << aria->wait(5s).out;

  // The origin stays up but slow (1 MiB/s: 16 s for the file alone): most bytes should come
  // from aria2c, and any the origin gives must fit with the rest.
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(aria_port), "--limit-rate", "1M"}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  const auto from_peers = json["from_peers"].get<std::uint64_t>();
  const auto from_origin = json["from_origin"].get<std::uint64_t>();
  EXPECT_GT(from_peers, 0u) << json.dump();
  EXPECT_GT(from_peers, from_origin) << json.dump();
  EXPECT_EQ(from_peers + from_origin, kSize) << json.dump();
  std::uint64_t from_aria = 0;
  for (const auto& peer : json["peers"]) {
    if (peer["addr"] == peer_arg(aria_port)) from_aria += peer["bytes_down"].get<std::uint64_t>();
  }
  EXPECT_GT(from_aria, 0u) << "no bytes from aria2c's address: " << json.dump();

  aria->send_signal(SIGTERM);
  const auto aria_result = aria->wait(30s);
  EXPECT_FALSE(aria_result.timed_out);
  // Not asserted: what nginx wrote for the file. --limit-rate throttles our reading, not
  // nginx's writing; ranges cancelled once aria2c delivered leave what the socket buffers
  // held counted at nginx (several MiB on loopback) though never used.
  EXPECT_TRUE(nginx_->wait_until_idle(10s));  // every request logged, cancelled ones too
  std::cout << "swarmcopy: " << from_peers << " bytes from aria2c, " << from_origin
            << " from the origin; nginx wrote " << nginx_->body_bytes_sent("/update.bin")
            << " for the file\n";
}

TEST_F(Aria2InteropTest, Aria2TakesTheFileFromASwarmcopySeeder) {
  const auto seeder_port = free_loopback_port();
  auto seeder = start_seeder(url_, seeder_port);
  ASSERT_TRUE(seeder);
  // aria2c announces the v1 info-hash (it knows no other); the tracker names the seeder.
  Tracker tracker;
  tracker.add_peer(meta_.info_hash_v1, "127.0.0.1", seeder_port);
  // The seeder's requests are all logged (each when it finished); it keeps its idle
  // connections to nginx, so nginx is not idle: what is logged from here on is aria2c's.
  const auto origin_requests = nginx_->access_log().size();

  TestDir aria_dir;
  const auto result =
      run_child(aria2_args(free_loopback_port(), aria_dir.path(),
                           {"--console-log-level=warn", "--bt-tracker=" + tracker.announce_url(),
                            "--seed-time=0", "--bt-stop-timeout=60"}),
                {}, 120s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(sha256_file(aria_dir.path() / "update.bin").value_or(""), sha_);

  const auto announces = tracker.announces();
  ASSERT_FALSE(announces.empty()) << "aria2c never announced";
  EXPECT_EQ(announces.front().info_hash, meta_.info_hash_v1);
  EXPECT_EQ(announces.front().event, "started");
  std::cout << announces.size() << " announces by " << announces.front().user_agent << "\n";
  // Every byte came from the swarmcopy seeder (the only peer the tracker names): aria2c,
  // now gone with its connections, asked nginx for nothing at all.
  const auto log = nginx_->access_log();
  for (std::size_t i = origin_requests; i < log.size(); ++i) {
    ADD_FAILURE() << "nginx served " << log[i].method << " " << log[i].uri << " ("
                  << log[i].body_bytes_sent << " bytes)";
  }

  seeder->send_signal(SIGTERM);
  const auto seeder_result = seeder->wait(30s);
  EXPECT_EQ(seeder_result.exit_code, 0) << seeder_result.err;
}

}  // namespace
}  // namespace swarmcopy::test
