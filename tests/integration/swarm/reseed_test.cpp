// Seeding across restarts: engine A downloads a published file with `swarmcopy get` and exits
// (or is killed); then swarmcopyd is started on A's state directory with no job. What A's cache
// holds and used within the daemon's seed time must be served to engine B again (checked first
// when A died uncleanly); an item used longer ago must not be. Loopback only, explicit peers.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "nginx/test_files.h"
#include "swarm_fixture.h"

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

bool unix_socket_answers(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  const bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return open;
}

template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
  return true;
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
  std::unique_ptr<ChildProcess> start_daemon(std::uint16_t port, std::uint32_t seed_seconds,
                                             std::vector<std::string> extra = {}) {
    const auto socket = daemon_dir_.path() / "d.sock";
    std::vector<std::string> args{SWARMCOPYD_PATH, "--user",      "--socket",
                                  socket.string(), "--state-dir", home_a_.path().string()};
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"--peer-listen", peer_arg(port)},
             {"--local-discovery", "false"},
             {"--seed-time-seconds", std::to_string(seed_seconds)},
             {"--idle-exit-seconds", "0"}}) {
      args.insert(args.end(), {key, value});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    auto daemon = ChildProcess::spawn(args, {},
                                      // No config file of the user running the tests.
                                      {{"XDG_CONFIG_HOME", daemon_dir_.path().string()},
                                       {"XDG_RUNTIME_DIR", daemon_dir_.path().string()}});
    EXPECT_TRUE(daemon) << (daemon ? "" : daemon.error());
    if (!daemon) return nullptr;
    EXPECT_TRUE(wait_until([&] { return unix_socket_answers(socket); }, 20s))
        << "swarmcopyd did not start";
    return std::move(*daemon);
  }

  // Stops it and returns its stderr (its log).
  static std::string stop_daemon(std::unique_ptr<ChildProcess> daemon) {
    daemon->send_signal(SIGTERM);
    auto result = daemon->wait(30s);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.err;
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
  ASSERT_TRUE(wait_until([&] { return tcp_port_open(port); }, 20s))
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
  ASSERT_TRUE(wait_until([&] { return tcp_port_open(port); }, 20s))
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
