// Local service discovery end to end, across a real bridge: three network namespaces (an nginx
// origin, peer1, peer2) that the test builds with NetworkLab and removes again. peer1 fetches a
// published file from the origin and keeps seeding; then the origin stops serving the data (its
// metadata stays), so peer2 — started with no --peer — can only complete if LSD multicast makes
// the two engines meet. Needs root; skips without it.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nginx/test_files.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kCli = SWARMCOPY_CLI_PATH;
constexpr std::uint64_t kSize = 32ull << 20;
constexpr std::uint32_t kPiece = 256 << 10;
constexpr int kOriginPort = 8080;
constexpr const char* kPeerPort = "0";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last `bytes` of a log, for failure messages.
std::string tail_of(const fs::path& path, std::size_t bytes = 6000) {
  const std::string text = slurp(path);
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// Every namespace and link (any kind) whose name starts with `prefix`.
std::vector<std::string> names_with(const std::string& prefix) {
  auto found = harness::find_leftovers(prefix);
  EXPECT_TRUE(found.has_value()) << found.error().message;
  return found ? *found : std::vector<std::string>{};
}

// The start time of process `pid` (field 22 of /proc/PID/stat), so that a pid reused by someone
// else later is not mistaken for ours; nullopt once there is no such process.
std::optional<std::string> start_time_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!stat || !std::getline(stat, text)) return std::nullopt;
  // Fields after the command name (which may hold spaces) start at state, field 3.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index) {
  }
  return field;
}

class LanDiscoveryTest : public ::testing::Test {
 protected:
  // A process the test started in the lab: its handle, and what identifies it in /proc.
  struct Spawned {
    std::string name;
    harness::LabProcess process;
    std::string start_time;
  };

  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: the test builds network namespaces, veths and a bridge";
    }
    if (auto allowed = harness::check_privileges(); !allowed) {
      GTEST_SKIP() << allowed.error().message;
    }
    auto nginx = harness::find_program("nginx");
    if (!nginx) GTEST_SKIP() << "nginx is not installed: " << nginx.error().message;
    nginx_ = *nginx;

    harness::LabOptions options;
    if (const char* keep = std::getenv("SWARMCOPY_KEEP_TEST_DIRS"); keep && *keep == '1') {
      // A work directory we name is left in place by close(): logs for a post-mortem.
      options.work_dir =
          fs::temp_directory_path() / ("swarmcopy-lan-" + std::to_string(::getpid()));
      std::cout << "keeping the lab's files in " << options.work_dir << "\n";
    }
    auto lab = harness::NetworkLab::create(options);
    ASSERT_TRUE(lab.has_value()) << lab.error().message;
    lab_ = std::move(*lab);
    prefix_ = lab_->prefix();
    for (const char* name : {"origin", "peer1", "peer2"}) {
      auto ns = lab_->add_namespace(name);
      ASSERT_TRUE(ns.has_value()) << ns.error().message;
    }
    ASSERT_EQ(names_with(prefix_).size(), 3u + 3u + 1u) << "3 namespaces, 3 host veths, a bridge";
    origin_address_ = lab_->address_of("origin").value();
  }

  // Whatever happened, the lab goes, and nothing of it may stay: no namespace or link under its
  // prefix, none of the processes the test started.
  void TearDown() override {
    if (!lab_) return;
    if (HasFailure()) {
      for (const auto& spawned : spawned_) {
        std::cout << "--- " << spawned.name << " stderr:\n"
                  << tail_of(spawned.process.stderr_path()) << "\n";
      }
      std::cout << "--- nginx error log:\n"
                << tail_of(lab_->work_dir() / "nginx" / "logs" / "error.log") << "\n";
    }
    auto closed = lab_->close();
    EXPECT_TRUE(closed.has_value()) << closed.error().message;
    EXPECT_EQ(names_with(prefix_), std::vector<std::string>{});
    for (const auto& spawned : spawned_) {
      EXPECT_FALSE(spawned.start_time.empty()) << spawned.name;
      EXPECT_NE(start_time_of(spawned.process.pid()), spawned.start_time)
          << spawned.name << " (pid " << spawned.process.pid() << ") outlived the lab";
    }
  }

  harness::LabProcess& track(const std::string& name, harness::LabProcess process) {
    const pid_t pid = process.pid();
    spawned_.push_back(Spawned{name, std::move(process), start_time_of(pid).value_or("")});
    return spawned_.back().process;
  }

  // nginx in namespace "origin", on its address and kOriginPort, serving `docroot`; true once
  // it listens (bounded).
  bool start_origin(const fs::path& docroot) {
    harness::OriginOptions options;
    options.nginx = nginx_;
    options.ns = "origin";
    options.address = origin_address_;
    options.port = kOriginPort;
    options.docroot = docroot;
    auto started = harness::start_origin_server(*lab_, options);
    if (!started) {
      ADD_FAILURE() << started.error().message;
      return false;
    }
    track("nginx", std::move(started->process));
    return true;
  }

  // `swarmcopy get URL -o OUT --home HOME --mode lan --json -q -vv --listen 0 EXTRA...` in
  // namespace `ns`: LSD on (no --no-lsd, no --peer). -vv: its log (stderr) is printed if the
  // test fails.
  //
  // `--listen 0` on purpose: libtorrent 2.0 expands 0.0.0.0:0 into one socket per interface
  // address, each with its own random port, but announces only the first socket's (loopback's)
  // to LSD, so the other engine dialled a closed port ("10.x.y.4:34431 ... Connection refused"
  // while peer2 listened on 10.x.y.4:41743). peer::Session now picks one free port for all
  // interfaces; this test keeps that fixed.
  harness::LabProcess* start_get(const std::string& ns, const std::string& url, const fs::path& out,
                                 const fs::path& home, const std::vector<std::string>& extra) {
    std::vector<std::string> argv{kCli,     "get",         url,        "-o",     out.string(),
                                  "--home", home.string(), "--mode",   "lan",    "--json",
                                  "-q",     "-vv",         "--listen", kPeerPort};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Each namespace a machine of its own, with its own user state: one user's homes on one host
    // share their caches, and the second would copy the first's instead of meeting it.
    harness::RunOptions options;
    options.env = {{"XDG_STATE_HOME", (home / ".state").string()}};
    auto started = lab_->run_in(ns, argv, options);
    if (!started) {
      ADD_FAILURE() << started.error().message;
      return nullptr;
    }
    return &track(ns, *started);
  }

  static nlohmann::json json_of(const harness::LabProcess& process) {
    auto json = nlohmann::json::parse(slurp(process.stdout_path()), nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << slurp(process.stdout_path());
    return json.is_discarded() ? nlohmann::json::object() : json;
  }

  std::string nginx_;
  std::unique_ptr<harness::NetworkLab> lab_;
  std::string prefix_;
  std::string origin_address_;
  std::deque<Spawned> spawned_;  // a deque: references handed out stay valid
};

TEST_F(LanDiscoveryTest, ASecondEngineFindsTheFirstByLocalDiscoveryAcrossTheBridge) {
  const std::string peer1_address = lab_->address_of("peer1").value();
  const std::string peer2_address = lab_->address_of("peer2").value();

  // The origin: a published file (f.bin and f.bin.torrent) served by nginx.
  const fs::path work = lab_->work_dir();
  const fs::path docroot = work / "docroot";
  fs::create_directories(docroot);
  auto sha = write_test_file(docroot / "f.bin", kSize, 42);
  ASSERT_TRUE(sha.has_value()) << sha.error();
  auto meta = peer::publish(docroot / "f.bin", kPiece);
  ASSERT_TRUE(meta.has_value()) << meta.error().describe();
  ASSERT_TRUE(fs::exists(docroot / "f.bin.torrent"));
  ASSERT_TRUE(start_origin(docroot));
  const std::string url =
      "http://" + origin_address_ + ":" + std::to_string(kOriginPort) + "/f.bin";

  // peer1 takes the file from the origin, prints its JSON, and keeps seeding.
  auto* peer1 = start_get("peer1", url, work / "out1.bin", work / "home1", {"--seed-time", "120"});
  ASSERT_TRUE(peer1);
  ASSERT_TRUE(peer1->wait_for_stdout("\"state\"", 90s)) << "peer1 did not finish its download";
  const auto first = json_of(*peer1);
  EXPECT_EQ(first.value("state", ""), "ACKNOWLEDGED") << first.dump();
  EXPECT_EQ(first.value("from_origin", std::uint64_t{0}), kSize) << first.dump();
  EXPECT_EQ(sha256_file(work / "out1.bin").value_or(""), *sha);
  ASSERT_TRUE(peer1->running()) << "peer1 should be seeding";

  // The origin stops serving the data (404 from now on); its metadata stays.
  fs::rename(docroot / "f.bin", docroot / "f.bin.gone");

  // peer2, with no peer named: only discovery can bring it peer1.
  auto* peer2 = start_get("peer2", url, work / "out2.bin", work / "home2", {});
  ASSERT_TRUE(peer2);
  auto exit_code = peer2->wait(90s);
  ASSERT_TRUE(exit_code.has_value()) << exit_code.error().message;
  ASSERT_TRUE(exit_code->has_value()) << "peer2 still runs after 90 s";
  EXPECT_EQ(**exit_code, 0) << slurp(peer2->stdout_path());
  const auto second = json_of(*peer2);
  EXPECT_EQ(second.value("state", ""), "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(second.value("from_peers", std::uint64_t{0}), kSize) << second.dump();
  EXPECT_EQ(second.value("from_origin", std::uint64_t{1}), 0u) << second.dump();
  EXPECT_GE(second.value("peers_seen", 0), 1) << second.dump();
  ASSERT_TRUE(second.contains("peers") && second["peers"].is_array() && !second["peers"].empty())
      << second.dump();
  std::uint64_t bytes_down = 0;
  for (const auto& peer : second["peers"]) {
    // "IP:PORT": peer1's namespace address (the port depends on which side dialled).
    EXPECT_TRUE(peer.value("addr", "").starts_with(peer1_address + ":")) << second.dump();
    bytes_down += peer.value("bytes_down", std::uint64_t{0});
  }
  EXPECT_GE(bytes_down, kSize) << second.dump();
  EXPECT_EQ(sha256_file(work / "out2.bin").value_or(""), *sha);

  // nginx saw peer2 ask for the data and answered 404 every time: not one data byte went to
  // it (combined log format: ADDRESS - - [time] "GET /f.bin HTTP/1.1" STATUS BYTES ...).
  std::istringstream access(slurp(work / "nginx" / "logs" / "access.log"));
  int data_requests = 0;
  for (std::string line; std::getline(access, line);) {
    if (!line.starts_with(peer2_address + " ") || line.find("\"GET /f.bin ") == std::string::npos) {
      continue;
    }
    ++data_requests;
    EXPECT_NE(line.find("\" 404 "), std::string::npos) << line;
  }
  EXPECT_GE(data_requests, 1) << "peer2 never asked the origin for the data";

  // peer1 stops cleanly when asked. (TearDown then closes the lab and checks that nothing is
  // left.)
  peer1->kill(SIGTERM);
  auto peer1_exit = peer1->wait(30s);
  ASSERT_TRUE(peer1_exit.has_value()) << peer1_exit.error().message;
  EXPECT_EQ(peer1_exit->value_or(-1), 0);
}

}  // namespace
}  // namespace swarmcopy::test
