// Two machines on loopback, each with its own swarmcopyd (the system daemon: root, a private
// socket and state directory) and its own private apt, the second daemon (started once the
// first offers what it downloaded) listing the first as a peer (--peers): the package a person
// on the first machine downloaded is the second's from the first, not from the mirror. The
// repository (made in the test: one package with a random payload of 32-64 MiB, dpkg-deb,
// apt-ftparchive, unsigned and [trusted=yes]) is served by nginx, whose access log says how often
// the mirror sent the .deb.
//
// What must hold: the second machine's `apt-get install --download-only` gets the .deb with
// the index's SHA-256, its daemon's job counts bytes from peers, and the mirror sent the .deb
// once over both machines; a .deb changed on the mirror after its index was made fails apt's
// hash check on each machine, and neither daemon's cache keeps anything of it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "apt_world.h"
#include "daemon/daemon_process.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/client/connect_options.h"
#include "swarmcopy/client/daemon_cache.h"
#include "swarmcopy/client/remote_manager.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kMiB = 1u << 20;

// One machine: a daemon and an apt.
struct Machine {
  std::string name;
  fs::path dir;
  std::unique_ptr<DaemonProcess> daemon;
  std::unique_ptr<AptWorld> apt;

  fs::path socket() const { return dir / "d.sock"; }

  std::vector<api::JobInfo> jobs() const {
    client::ConnectOptions options;
    options.all_users = true;
    auto manager = client::connect(socket(), options);
    EXPECT_TRUE(manager) << manager.error().describe();
    if (!manager) return {};
    auto infos = (*manager)->job_infos();
    EXPECT_TRUE(infos) << infos.error().describe();
    return infos.value_or(std::vector<api::JobInfo>{});
  }

  std::vector<api::CacheItem> cache_items() const {
    auto items = client::connect_cache(socket())->items();
    EXPECT_TRUE(items) << items.error().describe();
    return items.value_or(std::vector<api::CacheItem>{});
  }

  std::string describe(const ChildResult& r) const {
    return name + ": apt-get said:\n" + r.out + r.err + "\n" + name + "'s swarmcopyd:\n" +
           (daemon ? daemon->log_text() : std::string("(none)"));
  }
};

class AptTwoMachinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "apt drops root for _apt: run as root";
    if (!fs::exists("/usr/bin/apt-ftparchive")) GTEST_SKIP() << "apt-utils is not installed";
    ::chmod(dir_.path().c_str(), 0755);
    repo_ = dir_ / "repo";
    fs::create_directories(repo_);
    std::random_device random;
    const std::uint64_t seed = random();
    const std::uint64_t payload = 32 * kMiB + random() % (32 * kMiB);
    auto package = make_deb_package(dir_ / "build", repo_, "sc-peered", payload, seed);
    ASSERT_TRUE(package) << package.error();
    package_ = *package;
    std::cout << "sc-peered: payload " << payload << " bytes (seed " << seed << "), .deb "
              << package_.size << " bytes\n";
    auto indexed = index_repository(repo_);
    ASSERT_TRUE(indexed) << indexed.error();

    NginxOptions options;
    options.docroot = repo_;
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
    auto methods = make_methods_dir(dir_ / "methods", SWARMCOPY_APT_METHOD_PATH);
    ASSERT_TRUE(methods) << methods.error();

    // Debug: the first says when it offers what it holds (start_second waits for that).
    first_ = make_machine("first", {"--log-level", "debug"});
    ASSERT_TRUE(first_.daemon);
  }

  // The second machine, listing the first as its peer: where the first's peer session listens
  // (a port of its own choosing, known once a download opened the session: a port picked for
  // it beforehand could be taken by then, and the second would dial nobody). `first_offers`:
  // once the first offers the package it holds (it makes the package's site metainfo after its
  // download, off the engine thread: a second machine asking before then finds nobody).
  void start_second(bool first_offers) {
    std::uint16_t port = 0;
    const std::regex listening("listening on ([0-9]+) for peers");
    ASSERT_TRUE(wait_until(
        [&] {
          std::smatch match;
          const auto log = first_.daemon->log_text();
          if (!std::regex_search(log, match, listening)) return false;
          port = static_cast<std::uint16_t>(std::stoul(match[1].str()));
          return true;
        },
        20s, 50ms))
        << "the first machine's peer session did not open:\n"
        << first_.daemon->log_text();
    if (first_offers) {
      const auto offering = "sha256:" + package_.sha256 + ": offering its site metainfo";
      ASSERT_TRUE(wait_until(
          [&] { return first_.daemon->log_text().find(offering) != std::string::npos; }, 60s, 50ms))
          << "the first machine does not offer the package:\n"
          << first_.daemon->log_text();
    }
    second_ = make_machine("second", {"--peers", "127.0.0.1:" + std::to_string(port)});
    ASSERT_TRUE(second_.daemon);
    auto update = second_.apt->apt_get({"update"});
    ASSERT_EQ(update.exit_code, 0) << second_.describe(update);
  }

  Machine make_machine(const std::string& name, std::vector<std::string> extra) {
    Machine machine;
    machine.name = name;
    machine.dir = dir_ / name;
    fs::create_directories(machine.dir / "home");
    ::chmod(machine.dir.c_str(), 0755);
    std::ofstream(machine.dir / "swarmcopyd.conf") << "";
    DaemonOptions options;
    options.socket = machine.socket();
    options.state_dir = machine.dir / "state";
    options.log = machine.dir / "swarmcopyd.log";
    options.home = machine.dir / "home";
    // The system daemon (root, every user; the mirror is on loopback, which only root may
    // fetch from unless allowed, and the method asks as _apt); peers on loopback only (any
    // free port), and only the ones listed: no multicast discovery between the tests running
    // at once.
    options.args = {"--config",
                    (machine.dir / "swarmcopyd.conf").string(),
                    "--requests-per-second",
                    "0",
                    "--allow-loopback-origins",
                    "all",
                    "--local-discovery",
                    "false",
                    "--peer-listen",
                    "127.0.0.1:0"};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    auto daemon = DaemonProcess::start(options);
    EXPECT_TRUE(daemon) << daemon.error();
    if (daemon) machine.daemon = std::move(*daemon);
    machine.apt = std::make_unique<AptWorld>(
        machine.dir / "apt",
        "deb [trusted=yes] swarmcopy+http://127.0.0.1:" + std::to_string(nginx_->port()) + "/ ./",
        dir_ / "methods", machine.socket());
    return machine;
  }

  std::string deb_name() const { return package_.deb.filename().string(); }

  // Bytes of the .deb's body the mirror sent, over every request.
  std::uint64_t origin_bytes() const { return nginx_->body_bytes_sent("/" + deb_name()); }

  void corrupt_the_deb_at_the_mirror() const {
    // Same size, other bytes: only the hash can tell.
    std::fstream deb(package_.deb, std::ios::in | std::ios::out | std::ios::binary);
    deb.seekp(static_cast<std::streamoff>(package_.size / 2));
    deb.write("corrupted by the test", 21);
  }

  TestDir dir_{"swarmcopy-apt2-"};
  fs::path repo_;
  DebPackage package_;
  std::unique_ptr<NginxServer> nginx_;
  Machine first_;
  Machine second_;
};

TEST_F(AptTwoMachinesTest, TheSecondMachineTakesThePackageFromTheFirstAndTheMirrorSendsItOnce) {
  auto update = first_.apt->apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << first_.describe(update);
  auto first = first_.apt->apt_get({"install", "--download-only", "-y", "sc-peered"});
  ASSERT_EQ(first.exit_code, 0) << first_.describe(first);
  EXPECT_EQ(sha256_file(first_.apt->archives() / deb_name()).value_or(""), package_.sha256);
  const auto after_first = origin_bytes();
  ASSERT_NO_FATAL_FAILURE(start_second(true));

  auto second = second_.apt->apt_get({"install", "--download-only", "-y", "sc-peered"});
  ASSERT_EQ(second.exit_code, 0) << second_.describe(second);
  EXPECT_EQ(sha256_file(second_.apt->archives() / deb_name()).value_or(""), package_.sha256);

  const auto first_jobs = first_.jobs();
  ASSERT_EQ(first_jobs.size(), 1u);
  const auto& first_file = first_jobs.front().files.front();
  const auto second_jobs = second_.jobs();
  ASSERT_EQ(second_jobs.size(), 1u) << "the .deb went through the second machine's daemon";
  const auto& job = second_jobs.front();
  EXPECT_EQ(job.state, api::JobState::kAcknowledged);
  EXPECT_EQ(job.priority, api::Priority::kForeground);
  ASSERT_EQ(job.files.size(), 1u);
  const auto& file = job.files.front();
  EXPECT_EQ(file.sha256, package_.sha256);
  std::cout << "first machine: from_origin " << first_file.from_origin << ", from_peers "
            << first_file.from_peers << "; second machine: from_origin " << file.from_origin
            << ", from_peers " << file.from_peers << ", refetched " << file.refetched
            << "; the mirror sent " << after_first << " bytes of the .deb for the first, "
            << origin_bytes() << " in all (.deb " << package_.size << " bytes)\n";
  EXPECT_GT(file.from_peers, 0u) << "nothing came from the first machine; first's swarmcopyd:\n"
                                 << first_.daemon->log_text() << "\nsecond's swarmcopyd:\n"
                                 << second_.daemon->log_text();
  EXPECT_EQ(file.from_peers + file.from_origin, package_.size);
  EXPECT_EQ(first_file.from_origin, package_.size);
  // Once over both machines. (A daemon's first request is a one-byte probe of size and
  // identity: one per machine.)
  EXPECT_GE(origin_bytes(), package_.size);
  EXPECT_LE(origin_bytes(), package_.size + 16) << "the mirror sent the .deb more than once";
}

TEST_F(AptTwoMachinesTest, ADebChangedOnTheMirrorFailsAptsHashCheckAndNoCacheKeepsIt) {
  auto update = first_.apt->apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << first_.describe(update);
  corrupt_the_deb_at_the_mirror();
  const auto fails_apts_hash_check = [&](const Machine& machine) {
    auto download = machine.apt->apt_get({"install", "--download-only", "-y", "sc-peered"});
    EXPECT_NE(download.exit_code, 0) << machine.describe(download);
    const auto said = download.out + download.err;
    EXPECT_NE(said.find("Hash Sum mismatch"), std::string::npos) << machine.describe(download);
    for (const auto& entry : fs::directory_iterator(machine.apt->archives())) {
      EXPECT_NE(entry.path().extension(), ".deb") << entry.path() << " left in archives/";
    }
    // The daemon refused the changed bytes (its job is cancelled: the method then fetched the
    // file itself and apt judged it), and its cache holds nothing.
    const auto jobs = machine.jobs();
    ASSERT_EQ(jobs.size(), 1u) << machine.name;
    EXPECT_EQ(jobs.front().state, api::JobState::kCancelled) << machine.name;
  };
  fails_apts_hash_check(first_);
  // The second asks the first too: it has nothing to give.
  ASSERT_NO_FATAL_FAILURE(start_second(false));
  fails_apts_hash_check(second_);
  for (const auto* machine : {&first_, &second_}) {
    const auto items = machine->cache_items();
    for (const auto& item : items) {
      ADD_FAILURE() << machine->name << "'s cache holds " << item.key << " (" << item.bytes
                    << " bytes" << (item.partial ? ", partial" : "") << ")";
    }
  }
}

}  // namespace
}  // namespace swarmcopy::test
