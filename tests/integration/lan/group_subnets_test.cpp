// Group mode across two routed subnets, with Debian's opentracker: a site of two subnets joined
// by a router (harness NetworkLab, subnets = 2; multicast does not cross it), the origin (nginx)
// and an opentracker behind the router. peer1, in subnet 0, fetches a published file from the
// origin and seeds it; a machine of another group, on peer1's own link and at the same tracker,
// never meets it; then the origin stops serving the data, and peer2, in subnet 1, can only
// complete through the tracker, which hands it peer1 across the router: local service discovery
// cannot reach it there. The origin sent the group the file once. Needs root and opentracker;
// skips without them.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nginx/test_files.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/harness/tracker_server.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kCli = SWARMCOPY_CLI_PATH;
constexpr std::uint64_t kSize = 32ull << 20;
constexpr std::uint32_t kPiece = 256 << 10;
constexpr int kOriginPort = 8080;
constexpr int kTrackerPort = 6969;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tail_of(const fs::path& path, std::size_t bytes = 6000) {
  const std::string text = slurp(path);
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

nlohmann::json json_of(const harness::LabProcess& process) {
  auto json = nlohmann::json::parse(slurp(process.stdout_path()), nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << slurp(process.stdout_path());
  return json.is_discarded() ? nlohmann::json::object() : json;
}

// Body bytes nginx sent for `uri` with status 200 or 206, by client address (combined log
// format: ADDRESS - - [time] "GET URI HTTP/1.1" STATUS BYTES ...).
std::map<std::string, std::uint64_t> data_bytes_by_client(const fs::path& access_log,
                                                          const std::string& uri) {
  std::map<std::string, std::uint64_t> sent;
  std::istringstream lines(slurp(access_log));
  for (std::string line; std::getline(lines, line);) {
    const auto request = line.find("\"GET " + uri + " ");
    if (request == std::string::npos) continue;
    std::istringstream after(line.substr(line.find('"', request + 1) + 1));
    int status = 0;
    std::uint64_t bytes = 0;
    after >> status >> bytes;
    if (status == 200 || status == 206) sent[line.substr(0, line.find(' '))] += bytes;
  }
  return sent;
}

class GroupSubnetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: the test builds network namespaces, bridges and a router";
    }
    if (auto allowed = harness::check_privileges(); !allowed) {
      GTEST_SKIP() << allowed.error().message;
    }
    auto nginx = harness::find_program("nginx");
    if (!nginx) GTEST_SKIP() << "nginx is not installed: " << nginx.error().message;
    auto opentracker = harness::find_program("opentracker");
    if (!opentracker) GTEST_SKIP() << "opentracker is needed (scripts/install-deps.sh)";
    nginx_ = *nginx;
    opentracker_ = *opentracker;

    harness::LabOptions options;
    options.subnets = 2;
    if (const char* keep = std::getenv("SWARMCOPY_KEEP_TEST_DIRS"); keep && *keep == '1') {
      options.work_dir =
          fs::temp_directory_path() / ("swarmcopy-group-subnets-" + std::to_string(::getpid()));
      std::cout << "keeping the lab's files in " << options.work_dir << "\n";
    }
    auto lab = harness::NetworkLab::create(options);
    ASSERT_TRUE(lab.has_value()) << lab.error().message;
    lab_ = std::move(*lab);
    prefix_ = lab_->prefix();
    for (const auto& [name, placement] :
         std::vector<std::pair<std::string, harness::NamespaceOptions>>{
             {"origin", {.uplink = true}},
             {"peer1", {.subnet = 0}},
             {"other", {.subnet = 0}},
             {"peer2", {.subnet = 1}}}) {
      auto ns = lab_->add_namespace(name, placement);
      ASSERT_TRUE(ns.has_value()) << ns.error().message;
    }
  }

  // Whatever happened, the lab goes with every process the test started in it, and nothing
  // under its prefix stays: namespaces, the router, veths, bridges.
  void TearDown() override {
    if (!lab_) return;
    if (HasFailure()) {
      for (const auto& [name, process] : started_) {
        std::cout << "--- " << name << " stderr:\n" << tail_of(process.stderr_path()) << "\n";
      }
    }
    auto closed = lab_->close();
    EXPECT_TRUE(closed.has_value()) << closed.error().message;
    auto left = harness::find_leftovers(prefix_);
    ASSERT_TRUE(left.has_value()) << left.error().message;
    EXPECT_EQ(*left, std::vector<std::string>{});
  }

  // `swarmcopy get` of `group` in namespace `ns`, meeting others at the tracker (LSD stays on:
  // it cannot cross the router). Normal priority: peers first, then the origin.
  harness::LabProcess* start_get(const std::string& ns, const std::string& group,
                                 const fs::path& out, const std::vector<std::string>& extra) {
    const fs::path home = lab_->work_dir() / ("home-" + ns);
    std::vector<std::string> argv{kCli,     "get",         url_,         "-o",         out.string(),
                                  "--home", home.string(), "--mode",     "group",      "--group-id",
                                  group,    "--tracker",   tracker_url_, "--priority", "normal",
                                  "--json", "-q",          "-vv",        "--listen",   "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    harness::RunOptions options;
    options.env = {{"XDG_STATE_HOME", (home / ".state").string()}};  // a machine of its own
    auto started = lab_->run_in(ns, argv, options);
    if (!started) {
      ADD_FAILURE() << started.error().message;
      return nullptr;
    }
    started_.emplace_back(ns, *started);
    return &started_.back().second;
  }

  std::string nginx_;
  std::string opentracker_;
  std::unique_ptr<harness::NetworkLab> lab_;
  std::string prefix_;
  std::string url_;
  std::string tracker_url_;
  // A deque: the pointers start_get hands out stay valid as more are started.
  std::deque<std::pair<std::string, harness::LabProcess>> started_;
};

TEST_F(GroupSubnetsTest, ASecondSubnetsMachineTakesTheFileFromTheFirstsThroughTheTracker) {
  const std::string origin = lab_->address_of("origin").value();
  const std::string peer1_address = lab_->address_of("peer1").value();
  ASSERT_NE(lab_->find("peer1")->subnet, lab_->find("peer2")->subnet);

  const fs::path work = lab_->work_dir();
  const fs::path docroot = work / "docroot";
  fs::create_directories(docroot);
  auto sha = write_test_file(docroot / "f.bin", kSize, 7);
  ASSERT_TRUE(sha.has_value()) << sha.error();
  auto meta = peer::publish(docroot / "f.bin", kPiece);
  ASSERT_TRUE(meta.has_value()) << meta.error().describe();
  harness::OriginOptions nginx;
  nginx.nginx = nginx_;
  nginx.ns = "origin";
  nginx.address = origin;
  nginx.port = kOriginPort;
  nginx.docroot = docroot;
  auto server = harness::start_origin_server(*lab_, nginx);
  ASSERT_TRUE(server.has_value()) << server.error().message;
  started_.emplace_back("nginx", server->process);
  url_ = "http://" + origin + ":" + std::to_string(kOriginPort) + "/f.bin";

  // The tracker lists both groups' hashes of the content, as their administrators would.
  harness::TrackerOptions tracker;
  tracker.opentracker = opentracker_;
  tracker.ns = "origin";
  tracker.address = origin;
  tracker.port = kTrackerPort;
  tracker.info_hashes = {peer::Session::group_announce_info_hash("site-a", meta->info_hash_v2),
                         peer::Session::group_announce_info_hash("site-b", meta->info_hash_v2)};
  auto opentracker = harness::start_tracker_server(*lab_, tracker);
  ASSERT_TRUE(opentracker.has_value()) << opentracker.error().message;
  started_.emplace_back("opentracker", opentracker->process);
  tracker_url_ = opentracker->announce_url;

  // peer1 (subnet 0) takes the file from the origin and seeds.
  auto* peer1 = start_get("peer1", "site-a", work / "out1.bin", {"--seed-time", "120"});
  ASSERT_TRUE(peer1);
  ASSERT_TRUE(peer1->wait_for_stdout("\"state\"", 90s)) << "peer1 did not finish its download";
  const auto first = json_of(*peer1);
  EXPECT_EQ(first.value("state", ""), "ACKNOWLEDGED") << first.dump();
  EXPECT_EQ(first.value("from_origin", std::uint64_t{0}), kSize) << first.dump();
  ASSERT_TRUE(peer1->running()) << "peer1 should be seeding";

  // A machine of another group, on peer1's link and at the same tracker: never meets it.
  auto* other = start_get("other", "site-b", work / "other.bin", {});
  ASSERT_TRUE(other);
  auto other_exit = other->wait(90s);
  ASSERT_TRUE(other_exit.has_value() && other_exit->has_value()) << "other still runs after 90 s";
  const auto stranger = json_of(*other);
  EXPECT_EQ(stranger.value("state", ""), "ACKNOWLEDGED") << stranger.dump();
  EXPECT_EQ(stranger.value("from_peers", std::uint64_t{1}), 0u) << stranger.dump();
  EXPECT_EQ(stranger.value("peers_seen", 1), 0) << stranger.dump();
  EXPECT_EQ(stranger.value("from_origin", std::uint64_t{0}), kSize) << stranger.dump();

  // The origin stops serving the data: peer2 (subnet 1) can only have it from peer1.
  fs::rename(docroot / "f.bin", docroot / "f.bin.gone");
  auto* peer2 = start_get("peer2", "site-a", work / "out2.bin", {});
  ASSERT_TRUE(peer2);
  auto peer2_exit = peer2->wait(120s);
  ASSERT_TRUE(peer2_exit.has_value() && peer2_exit->has_value()) << "peer2 still runs after 120 s";
  EXPECT_EQ(**peer2_exit, 0) << slurp(peer2->stdout_path());
  const auto second = json_of(*peer2);
  EXPECT_EQ(second.value("state", ""), "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(second.value("from_peers", std::uint64_t{0}), kSize) << second.dump();
  EXPECT_EQ(second.value("from_origin", std::uint64_t{1}), 0u) << second.dump();
  for (const auto& source : second.value("peers", nlohmann::json::array())) {
    // Across the router, with peer1's own address: no NAT between the subnets.
    EXPECT_TRUE(source.value("addr", "").starts_with(peer1_address + ":")) << second.dump();
  }
  EXPECT_EQ(sha256_file(work / "out2.bin").value_or(""), *sha);

  // The origin sent the data to peer1 (once, with its 1-byte probe) and to the other group's
  // machine; to peer2, nothing.
  peer1->kill(SIGTERM);
  EXPECT_EQ(peer1->wait(30s).value_or(std::nullopt), std::optional<int>(0));
  server->process.kill(SIGQUIT);  // nginx logs every request before it quits
  (void)server->process.wait(15s);
  const auto sent = data_bytes_by_client(server->access_log, "/f.bin");
  EXPECT_LE(sent.count(peer1_address) ? sent.at(peer1_address) : 0, kSize + 1);
  EXPECT_GE(sent.count(peer1_address) ? sent.at(peer1_address) : 0, kSize);
  EXPECT_EQ(sent.count(lab_->address_of("peer2").value()), 0u);
}

}  // namespace
}  // namespace swarmcopy::test
