// Interoperability with a stock BitTorrent client that speaks v2: qbittorrent-nox, unmodified
// (Debian 12: 4.5.2 on libtorrent 2.0), exchanging a published file with `swarmcopy get`
// engines on loopback through the hybrid FILE.torrent that `swarmcopy publish` writes. Unlike
// aria2c (see aria2_interop_test.cpp) it reads the hybrid metainfo right, so these tests run on
// Debian 12.
//
// qBittorrent is driven headless through its Web API (Qbittorrent). It learns peers only from
// what a test tells it (POST /api/v2/torrents/addPeers): DHT, PeX, LSD and port forwarding are
// off and the metainfo names no tracker, so nothing leaves the machine.
#include <signal.h>

#include <fstream>
#include <functional>
#include <thread>

#include "../swarm/swarm_fixture.h"
#include "nginx/test_files.h"
#include "qbittorrent.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 16ull << 20;
constexpr auto kPollInterval = 200ms;

bool is_seeding(const nlohmann::json& torrent) {
  static const std::vector<std::string> kSeeding = {"uploading", "stalledUP", "queuedUP",
                                                    "forcedUP"};
  const auto state = torrent.value("state", "");
  return torrent.value("progress", 0.0) == 1.0 &&
         std::find(kSeeding.begin(), kSeeding.end(), state) != kSeeding.end();
}

class QbittorrentInteropTest : public SwarmFixture {
 protected:
  void SetUp() override {
    const auto program = Qbittorrent::program();
    if (program.empty()) {
      GTEST_SKIP() << "qbittorrent-nox is not installed (Debian package qbittorrent-nox; "
                      "scripts/install-deps.sh installs it), or SWARMCOPY_TEST_QBITTORRENT_NOX "
                      "names no executable";
    }
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
    torrent_ = docroot_.path() / "update.bin.torrent";
    meta_ = published_metainfo("update.bin");
    // No web seeds and no trackers: qBittorrent can get the bytes only from the peers a test
    // gives it (a url-list would let it fetch from nginx by itself).
    const std::string bytes(meta_.bytes.begin(), meta_.bytes.end());
    for (const auto* key : {"8:url-list", "9:httpseeds", "8:announce", "13:announce-list"}) {
      ASSERT_EQ(bytes.find(key), std::string::npos) << key;
    }

    auto started = Qbittorrent::start(program, qbt_dir_.path());
    ASSERT_TRUE(started) << started.error();
    qbt_ = std::move(*started);
    std::cout << program.string() << " " << qbt_->version()
              << ": peers on 127.0.0.1:" << qbt_->peer_port()
              << ", Web API on 127.0.0.1:" << qbt_->webui_port() << "\n";
  }

  void TearDown() override {
    if (qbt_) qbt_->stop();
  }

  // Adds the published metainfo to qBittorrent, saved in `save_path`; returns the hash its
  // Web API knows it by (for a hybrid torrent 4.5 uses the v2 info-hash cut to 40 digits).
  std::string add_torrent(const fs::path& save_path) {
    auto added = qbt_->add_torrent(torrent_, save_path);
    EXPECT_TRUE(added) << added.error();
    nlohmann::json torrent;
    const bool listed = wait_for_torrent([](const nlohmann::json&) { return true; }, 30s, torrent);
    EXPECT_TRUE(listed) << "qBittorrent does not list the torrent it accepted";
    if (!listed) return {};
    // qBittorrent read both parts of the hybrid metainfo as swarmcopy wrote them.
    EXPECT_EQ(torrent.value("infohash_v1", ""), meta_.info_hash_v1) << torrent.dump();
    EXPECT_EQ(torrent.value("infohash_v2", ""), meta_.info_hash_v2) << torrent.dump();
    EXPECT_EQ(torrent.value("size", std::uint64_t{0}), kSize) << torrent.dump();
    return torrent.value("hash", "");
  }

  // Polls GET /api/v2/torrents/info until the published torrent is listed and `done` holds for
  // it, or `timeout` passes; `torrent` is the last state seen.
  bool wait_for_torrent(const std::function<bool(const nlohmann::json&)>& done,
                        std::chrono::milliseconds timeout, nlohmann::json& torrent) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto torrents = qbt_->torrents();
      if (!torrents) {
        ADD_FAILURE() << torrents.error();
        return false;
      }
      for (const auto& each : *torrents) {
        if (each.value("infohash_v2", "") == meta_.info_hash_v2) torrent = each;
      }
      if (!torrent.is_null() && done(torrent)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  // What qBittorrent says about the torrent, its peers and its log, for failure messages.
  std::string diagnostics(const std::string& hash, const nlohmann::json& torrent) {
    auto peers = qbt_->peers(hash);
    return "torrent: " + torrent.dump() +
           "\npeers: " + (peers ? peers->value("peers", nlohmann::json()).dump() : peers.error()) +
           "\nqBittorrent log:\n" + qbt_->log_tail();
  }

  TestDir qbt_dir_;  // its profiles and the data it saves
  std::unique_ptr<Qbittorrent> qbt_;
  std::string sha_;
  std::string url_;
  fs::path torrent_;
  peer::Metainfo meta_;
};

TEST_F(QbittorrentInteropTest, SwarmcopyTakesTheFileFromAQbittorrentSeeder) {
  // qBittorrent seeds its own copy of the file, hash-checked against the published metainfo.
  const auto seed_dir = qbt_dir_.path() / "seed";
  fs::create_directories(seed_dir);
  fs::copy_file(docroot_.path() / "update.bin", seed_dir / "update.bin");
  const auto hash = add_torrent(seed_dir);
  ASSERT_FALSE(hash.empty());
  nlohmann::json torrent;
  ASSERT_TRUE(wait_for_torrent(is_seeding, 60s, torrent)) << "qBittorrent does not seed its copy\n"
                                                          << diagnostics(hash, torrent);

  // The origin stays up but slow (1 MiB/s: 16 s for the file alone): most bytes should come
  // from qBittorrent, and any the origin gives must fit with the rest.
  const auto qbt_addr = peer_arg(qbt_->peer_port());
  auto json = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", qbt_addr, "--limit-rate", "1M"}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  const auto from_peers = json["from_peers"].get<std::uint64_t>();
  const auto from_origin = json["from_origin"].get<std::uint64_t>();
  EXPECT_GT(from_peers, 0u) << json.dump() << "\n" << diagnostics(hash, torrent);
  EXPECT_GT(from_peers, from_origin) << json.dump();
  EXPECT_EQ(from_peers + from_origin, kSize) << json.dump();
  std::uint64_t from_qbt = 0;
  for (const auto& peer : json["peers"]) {
    if (peer["addr"] == qbt_addr) from_qbt += peer["bytes_down"].get<std::uint64_t>();
  }
  EXPECT_GT(from_qbt, 0u) << "no bytes from qBittorrent's address: " << json.dump();

  // qBittorrent counts what it sent (its statistics refresh every second or two).
  EXPECT_TRUE(wait_for_torrent(
      [&](const nlohmann::json& t) {
        return t.value("uploaded_session", std::uint64_t{0}) >= from_qbt;
      },
      15s, torrent))
      << "swarmcopy got " << from_qbt << " bytes from qBittorrent\n"
      << diagnostics(hash, torrent);
  EXPECT_TRUE(nginx_->wait_until_idle(10s));
  std::cout << "swarmcopy: " << from_peers << " bytes from qBittorrent, " << from_origin
            << " from the origin; qBittorrent uploaded " << torrent.value("uploaded_session", 0)
            << "; nginx wrote " << nginx_->body_bytes_sent("/update.bin") << " for the file\n";
}

TEST_F(QbittorrentInteropTest, QbittorrentTakesTheFileFromASwarmcopySeeder) {
  const auto seeder_port = free_loopback_port();
  auto seeder = start_seeder(url_, seeder_port);
  ASSERT_TRUE(seeder);
  // The seeder's requests are all logged (each when it finished); it keeps its idle
  // connections to nginx, so nginx is not idle: what is logged from here on is not the seeder's
  // download.
  const auto origin_requests = nginx_->access_log().size();

  const auto save_dir = qbt_dir_.path() / "download";
  fs::create_directories(save_dir);
  const auto hash = add_torrent(save_dir);
  ASSERT_FALSE(hash.empty());
  auto added = qbt_->add_peer(hash, peer_arg(seeder_port));
  ASSERT_TRUE(added) << added.error();
  nlohmann::json torrent;
  ASSERT_TRUE(wait_for_torrent(is_seeding, 90s, torrent))
      << "qBittorrent did not finish the download from the swarmcopy seeder\n"
      << diagnostics(hash, torrent);
  EXPECT_EQ(sha256_file(save_dir / "update.bin").value_or(""), sha_);
  EXPECT_GE(torrent.value("downloaded_session", std::uint64_t{0}), kSize) << torrent.dump();

  // Every byte came from the swarmcopy seeder (the only peer qBittorrent knows): nginx served
  // nothing of the file meanwhile.
  const auto log = nginx_->access_log();
  std::uint64_t served = 0;
  for (std::size_t i = origin_requests; i < log.size(); ++i) {
    if (log[i].uri == "/update.bin") served += log[i].body_bytes_sent;
    ADD_FAILURE() << "nginx served " << log[i].method << " " << log[i].uri << " ("
                  << log[i].body_bytes_sent << " bytes)";
  }
  EXPECT_EQ(served, 0u);

  qbt_->stop();
  seeder->send_signal(SIGTERM);
  const auto seeder_result = seeder->wait(30s);
  EXPECT_EQ(seeder_result.exit_code, 0) << seeder_result.err;
}

}  // namespace
}  // namespace swarmcopy::test
