// Seeding across restarts: engine A downloads a published file with `swarmcopy get` and exits
// (or is killed); then swarmcopyd is started on A's state directory with no job. What A's cache
// holds and used within the daemon's seed time must be served to engine B again (checked first
// when A died uncleanly); an item used longer ago must not be. Loopback only, explicit peers.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "daemon/daemon_process.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 8ull << 20;
constexpr auto kPoll = 50ms;

bool tcp_port_open(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return open;
}

class ReseedTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
  }

  // swarmcopyd --user on A's state directory, no job, serving peers on `port` (no LSD).
  // Returns once its socket answers (it has opened the engine).
  std::unique_ptr<DaemonProcess> start_daemon(std::uint16_t port, std::uint32_t seed_seconds,
                                              std::vector<std::string> extra = {}) {
    DaemonOptions options;
    options.socket = daemon_dir_.path() / "d.sock";
    options.state_dir = home_a_.path();
    options.log = daemon_dir_.path() / "swarmcopyd.log";
    options.args = {"--user",
                    "--peer-listen",
                    peer_arg(port),
                    "--local-discovery",
                    "false",
                    "--seed-time-seconds",
                    std::to_string(seed_seconds),
                    "--idle-exit-seconds",
                    "0"};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    // No config file of the user running the tests.
    options.env = {{"XDG_CONFIG_HOME", daemon_dir_.path().string()},
                   {"XDG_RUNTIME_DIR", daemon_dir_.path().string()}};
    auto daemon = DaemonProcess::start(options);
    EXPECT_TRUE(daemon) << "swarmcopyd did not start: " << (daemon ? "" : daemon.error());
    return daemon ? std::move(*daemon) : nullptr;
  }

  // Stops it and returns its log.
  static std::string stop_daemon(std::unique_ptr<DaemonProcess> daemon) {
    const int exit_code = daemon->stop(30s);
    EXPECT_EQ(exit_code, 0) << daemon->log_text();
    return daemon->log_text();
  }

  // Stops the content origin; the metadata comes from another server (a management server,
  // say). Returns the URL of update.bin.torrent there.
  std::string stop_origin_keep_metadata() {
    fs::copy_file(docroot_.path() / "update.bin.torrent", meta_root_.path() / "update.bin.torrent");
    NginxOptions options;
    options.docroot = meta_root_.path();
    auto server = NginxServer::start(options);
    EXPECT_TRUE(server) << (server ? "" : server.error());
    if (!server) return {};
    meta_server_ = std::move(*server);
    nginx_.reset();
    return meta_server_->url("update.bin.torrent");
  }

  std::vector<fs::path> swarm_objects_of_a() const {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(home_a_.path() / "cache" / "objects")) {
      if (entry.path().filename().string().starts_with("btmh-")) found.push_back(entry.path());
    }
    return found;
  }

  std::string sha_;
  std::string url_;
  TestDir daemon_dir_, meta_root_;
  std::unique_ptr<NginxServer> meta_server_;
};

TEST_F(ReseedTest, ARestartedEngineSeedsWhatItGotWithinTheSeedTime) {
  auto first = json_of(run_get(url_, out_ / "a.bin", home_a_.path(), {}));
  ASSERT_EQ(first["state"], "ACKNOWLEDGED");
  const auto metadata_url = stop_origin_keep_metadata();
  ASSERT_FALSE(metadata_url.empty());

  const auto port = free_loopback_port();
  auto daemon = start_daemon(port, 300);
  ASSERT_TRUE(daemon);
  // The daemon has no job: only seeding again opens its peer session.
  ASSERT_TRUE(wait_until([&] { return tcp_port_open(port); }, 20s, kPoll))
      << "A does not serve peers after its restart";

  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port), "--metadata", metadata_url}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(json["from_peers"], kSize) << json.dump();
  EXPECT_EQ(json["from_origin"], 0) << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_NE(stop_daemon(std::move(daemon)).find("seeding btmh-"), std::string::npos);
}

TEST_F(ReseedTest, AnItemFromAnEngineThatDiedIsCheckedAndThenSeeded) {
  const auto seeder_port = free_loopback_port();
  auto seeder = start_seeder(url_, seeder_port);  // fills A's cache, then keeps it open
  ASSERT_TRUE(seeder);
  seeder->send_signal(SIGKILL);  // unclean: nothing in A's cache is trusted now
  (void)seeder->wait(10s);
  const auto metadata_url = stop_origin_keep_metadata();
  ASSERT_FALSE(metadata_url.empty());

  const auto port = free_loopback_port();
  auto daemon = start_daemon(port, 300);
  ASSERT_TRUE(daemon);
  ASSERT_TRUE(wait_until([&] { return tcp_port_open(port); }, 20s, kPoll))
      << "A does not serve peers after its restart";
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port), "--metadata", metadata_url}));
  EXPECT_EQ(json["from_peers"], kSize) << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  stop_daemon(std::move(daemon));
}

TEST_F(ReseedTest, AnItemCorruptedBeforeAnUncleanShutdownIsNotSeeded) {
  const auto seeder_port = free_loopback_port();
  auto seeder = start_seeder(url_, seeder_port);
  ASSERT_TRUE(seeder);
  seeder->send_signal(SIGKILL);
  (void)seeder->wait(10s);
  const auto objects = swarm_objects_of_a();
  ASSERT_EQ(objects.size(), 1u);
  {
    std::fstream file(objects[0], std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(3 << 20);
    file << "corrupt";
  }

  const auto port = free_loopback_port();
  auto daemon = start_daemon(port, 300);
  ASSERT_TRUE(daemon);
  // The origin stays: B gets every byte from it, none from A (which checked its item, found it
  // bad and dropped it, so had nothing to serve).
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(json["from_peers"], 0) << json.dump();
  EXPECT_EQ(json["from_origin"], kSize) << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_FALSE(tcp_port_open(port));
  const auto log = stop_daemon(std::move(daemon));
  EXPECT_EQ(log.find("seeding btmh-"), std::string::npos) << log;
  EXPECT_TRUE(swarm_objects_of_a().empty());
}

TEST_F(ReseedTest, AnItemUsedLongerAgoThanTheSeedTimeIsNotSeeded) {
  auto first = json_of(run_get(url_, out_ / "a.bin", home_a_.path(), {}));
  ASSERT_EQ(first["state"], "ACKNOWLEDGED");
  ASSERT_EQ(swarm_objects_of_a().size(), 1u);
  // The item must age past the daemon's seed time (1 s): time itself is the condition.
  std::this_thread::sleep_for(2s);

  const auto port = free_loopback_port();
  auto daemon = start_daemon(port, 1);
  ASSERT_TRUE(daemon);
  // B lists A and waits for it (peer_connect_wait) before the origin starts: had A re-seeded,
  // B would have taken pieces from it.
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(json["from_peers"], 0) << json.dump();
  EXPECT_EQ(json["from_origin"], kSize) << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_FALSE(tcp_port_open(port)) << "A opened a peer session with nothing to seed";
  const auto log = stop_daemon(std::move(daemon));
  EXPECT_EQ(log.find("seeding btmh-"), std::string::npos) << log;
  // Not seeding is not evicting: the item is still cached.
  EXPECT_EQ(swarm_objects_of_a().size(), 1u);
}

TEST_F(ReseedTest, AnEngineThatNeverUsesPeersDoesNotSeedAgain) {
  auto first = json_of(run_get(url_, out_ / "a.bin", home_a_.path(), {}));
  ASSERT_EQ(first["state"], "ACKNOWLEDGED");

  const auto port = free_loopback_port();
  auto daemon = start_daemon(port, 300, {"--download-mode", "http-only"});
  ASSERT_TRUE(daemon);
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(json["from_peers"], 0) << json.dump();
  EXPECT_EQ(json["from_origin"], kSize) << json.dump();
  EXPECT_FALSE(tcp_port_open(port)) << "an http-only engine opened a peer session";
  const auto log = stop_daemon(std::move(daemon));
  EXPECT_EQ(log.find("seeding btmh-"), std::string::npos) << log;
}

}  // namespace
}  // namespace swarmcopy::test
