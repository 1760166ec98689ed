// The Debian package on the machine the test runs on: built from this build with CPack (as
// scripts/package.sh does), installed with `dpkg -i`, its files and conffile checked, the
// installed /usr/bin/swarmcopyd started without systemd (its config file and state directory
// as the unit gives them; a private socket and peers on loopback only, so that no other test
// of the machine finds a system daemon), an apt download through the installed
// /usr/lib/apt/methods/swarmcopy+http from a repository made in the test and served by nginx,
// then `dpkg --remove` (the conffile stays) and `dpkg --purge` (nothing of the package is
// left: files, conffile, state, the unit's enablement).
//
// It changes the system: root only, never over a swarmcopy package already installed, the
// package purged whatever happens (TearDown), and alone (ctest RUN_SERIAL). dpkg held by
// another process for more than a minute skips it.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "apt_world.h"
#include "daemon/daemon_process.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/client/connect_options.h"
#include "swarmcopy/client/remote_manager.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kPayload = 3u << 20;  // > 1 MiB: through the daemon

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Whether some process holds one of dpkg's locks (fcntl locks, as dpkg and apt take them).
bool dpkg_locked() {
  for (const auto* path : {"/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock"}) {
    const int fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    const bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
    ::close(fd);
    if (held) return true;
  }
  return false;
}

ChildResult dpkg(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/dpkg");
  return run_child(args, {}, 300s);
}

bool package_installed() {
  auto status =
      run_child({"/usr/bin/dpkg-query", "-W", "-f=${db:Status-Abbrev}", "swarmcopy"}, {}, 60s);
  return status.exit_code == 0 && status.out.starts_with("i");
}

// Every path under `dir` whose name mentions swarmcopy.
std::vector<std::string> swarmcopy_paths_under(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it =
           fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().find("swarmcopy") != std::string::npos) {
      found.push_back(it->path().string());
    }
  }
  return found;
}

class DebPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "dpkg -i needs root";
    if (!fs::exists("/usr/bin/apt-ftparchive")) GTEST_SKIP() << "apt-utils is not installed";
    if (package_installed()) {
      GTEST_SKIP() << "a swarmcopy package is installed on this machine: the test would replace "
                      "and purge it";
    }
    if (!wait_until([] { return !dpkg_locked(); }, 60s, 500ms)) {
      GTEST_SKIP() << "dpkg is locked by another process (an apt or dpkg run) for over a minute";
    }
    for (const auto* path :
         {"/etc/swarmcopy", "/var/lib/swarmcopy", "/usr/lib/apt/methods/swarmcopy+http"}) {
      if (fs::exists(path))
        GTEST_SKIP() << path << " exists without the package: not ours to purge";
    }
    ::chmod(dir_.path().c_str(), 0755);

    // The package, as scripts/package.sh makes it.
    auto built = run_child({"/usr/bin/cpack", "--config", SWARMCOPY_BUILD_DIR "/CPackConfig.cmake",
                            "-G", "DEB", "-B", (dir_ / "package").string()},
                           dir_.path(), 300s);
    ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
    for (const auto& entry : fs::directory_iterator(dir_ / "package")) {
      if (entry.path().extension() == ".deb") deb_ = entry.path();
    }
    ASSERT_FALSE(deb_.empty()) << built.out;
    EXPECT_EQ(deb_.filename(), "swarmcopy_" SWARMCOPY_VERSION "_amd64.deb");
  }

  void TearDown() override {
    daemon_.reset();  // killed and reaped before its binary goes
    if (installed_) {
      auto purged = dpkg({"--purge", "swarmcopy"});
      EXPECT_EQ(purged.exit_code, 0) << "could not purge swarmcopy: " << purged.out << purged.err;
    }
  }

  void install() {
    installed_ = true;  // from here on, TearDown purges whatever happens
    auto result = dpkg({"-i", deb_.string()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    ASSERT_TRUE(package_installed());
  }

  std::vector<api::JobInfo> daemon_jobs() {
    client::ConnectOptions options;
    options.all_users = true;
    auto manager = client::connect(dir_ / "d.sock", options);
    EXPECT_TRUE(manager) << manager.error().describe();
    if (!manager) return {};
    auto infos = (*manager)->job_infos();
    EXPECT_TRUE(infos) << infos.error().describe();
    return infos.value_or(std::vector<api::JobInfo>{});
  }

  TestDir dir_{"swarmcopy-deb-"};
  fs::path deb_;
  bool installed_ = false;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DebPackageTest, InstallsRunsDownloadsForAptAndPurgesWithoutATrace) {
  // What the package would leave of itself, before it comes.
  std::vector<std::string> before;
  for (const auto* dir :
       {"/etc", "/var/lib/systemd", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
    if (!fs::exists(dir)) continue;
    for (auto& path : swarmcopy_paths_under(dir)) before.push_back(std::move(path));
  }
  ASSERT_TRUE(before.empty()) << before.front();

  ASSERT_NO_FATAL_FAILURE(install());
  auto listed = run_child({"/usr/bin/dpkg", "-L", "swarmcopy"}, {}, 60s);
  ASSERT_EQ(listed.exit_code, 0);
  std::vector<fs::path> files;  // the package's files (not its directories)
  {
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && !fs::is_directory(fs::symlink_status(line))) files.push_back(line);
    }
  }
  for (const auto* path :
       {"/usr/bin/swarmcopy", "/usr/bin/swarmcopyd", "/usr/lib/apt/methods/swarmcopy+http"}) {
    EXPECT_TRUE(fs::is_regular_file(path)) << path;
    EXPECT_EQ(::access(path, X_OK), 0) << path;
    EXPECT_NE(std::find(files.begin(), files.end(), fs::path(path)), files.end()) << path;
  }
  EXPECT_TRUE(fs::is_symlink("/usr/lib/apt/methods/swarmcopy+https"));
  EXPECT_EQ(fs::read_symlink("/usr/lib/apt/methods/swarmcopy+https"), "swarmcopy+http");
  const fs::path unit = "/usr/lib/systemd/system/swarmcopyd.service";
  ASSERT_TRUE(fs::is_regular_file(unit));
  EXPECT_NE(read_text(unit).find("\nExecStart=/usr/bin/swarmcopyd --config "
                                 "/etc/swarmcopy/swarmcopyd.conf\n"),
            std::string::npos)
      << read_text(unit);
  EXPECT_TRUE(fs::exists("/usr/share/doc/swarmcopy/API.md"));
  // Enabled (deb-systemd-helper records the symlink whether or not systemd runs).
  EXPECT_TRUE(fs::is_symlink("/etc/systemd/system/multi-user.target.wants/swarmcopyd.service"));
  // The config file is a conffile, as shipped.
  const fs::path conf = "/etc/swarmcopy/swarmcopyd.conf";
  ASSERT_TRUE(fs::is_regular_file(conf));
  EXPECT_EQ(read_text(conf), read_text(SWARMCOPY_SOURCE_DIR "/daemon/swarmcopyd.conf"));
  auto conffiles =
      run_child({"/usr/bin/dpkg-query", "-W", "-f=${Conffiles}", "swarmcopy"}, {}, 60s);
  EXPECT_NE(conffiles.out.find(" /etc/swarmcopy/swarmcopyd.conf "), std::string::npos)
      << conffiles.out;
  auto version = run_child({"/usr/bin/swarmcopyd", "--version"}, {}, 30s);
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_NE(version.out.find(SWARMCOPY_VERSION), std::string::npos) << version.out;

  // The installed daemon, as the unit runs it (its config file; its state directory is the
  // default, /var/lib/swarmcopy), on a private socket.
  const auto repo = dir_ / "repo";
  fs::create_directories(repo);
  auto package = make_deb_package(dir_ / "build", repo, "sc-deb-test", kPayload, 31);
  ASSERT_TRUE(package) << package.error();
  auto indexed = index_repository(repo);
  ASSERT_TRUE(indexed) << indexed.error();
  NginxOptions nginx_options;
  nginx_options.docroot = repo;
  auto nginx = NginxServer::start(nginx_options);
  ASSERT_TRUE(nginx) << nginx.error();

  DaemonOptions options;
  options.program = "/usr/bin/swarmcopyd";
  options.socket = dir_ / "d.sock";
  options.log = dir_ / "swarmcopyd.log";
  options.home = dir_ / "home";
  fs::create_directories(options.home);
  options.args = {"--config",      conf.string(),       "--allow-loopback-origins",
                  "all",           "--local-discovery", "false",
                  "--peer-listen", "127.0.0.1:0"};
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  daemon_ = std::move(*daemon);
  EXPECT_TRUE(fs::is_directory("/var/lib/swarmcopy"));

  // apt with the system's methods directory: the installed method.
  AptWorld apt(
      dir_ / "apt",
      "deb [trusted=yes] swarmcopy+http://127.0.0.1:" + std::to_string((*nginx)->port()) + "/ ./",
      "/usr/lib/apt/methods", dir_ / "d.sock");
  auto update = apt.apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << update.out << update.err << daemon_->log_text();
  auto download = apt.apt_get({"install", "--download-only", "-y", "sc-deb-test"});
  ASSERT_EQ(download.exit_code, 0) << download.out << download.err << daemon_->log_text();
  EXPECT_EQ(sha256_file(apt.archives() / package->deb.filename()).value_or(""), package->sha256);
  const auto jobs = daemon_jobs();
  ASSERT_EQ(jobs.size(), 1u) << "the .deb went through the installed daemon";
  EXPECT_EQ(jobs.front().state, api::JobState::kAcknowledged);
  EXPECT_EQ(jobs.front().owner_uid, ::getpwnam("_apt")->pw_uid);
  EXPECT_EQ(jobs.front().files.front().sha256, package->sha256);
  EXPECT_EQ(daemon_->stop(30s), 0) << daemon_->log_text();
  daemon_.reset();

  // Removed: the programs go, the (changed) conffile and the state stay.
  std::ofstream(conf, std::ios::app) << "# changed by the administrator\n";
  auto removed = dpkg({"--remove", "swarmcopy"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_FALSE(fs::exists("/usr/bin/swarmcopyd"));
  EXPECT_FALSE(fs::exists(fs::symlink_status("/usr/lib/apt/methods/swarmcopy+https")));
  EXPECT_TRUE(fs::exists(conf));
  EXPECT_TRUE(fs::exists("/var/lib/swarmcopy"));

  // Purged: nothing left.
  auto purged = dpkg({"--purge", "swarmcopy"});
  ASSERT_EQ(purged.exit_code, 0) << purged.out << purged.err;
  installed_ = false;
  auto status = run_child({"/usr/bin/dpkg-query", "-W", "swarmcopy"}, {}, 60s);
  EXPECT_NE(status.exit_code, 0) << "dpkg still knows swarmcopy: " << status.out;
  for (const auto& file : files) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(file))) << file << " left behind";
  }
  for (const auto* path :
       {"/etc/swarmcopy", "/var/lib/swarmcopy", "/run/swarmcopy", "/usr/share/doc/swarmcopy"}) {
    EXPECT_FALSE(fs::exists(path)) << path << " left behind";
  }
  for (const auto* dir : {"/etc", "/var/lib/systemd", "/lib/systemd/system",
                          "/usr/lib/systemd/system", "/var/lib/dpkg/info"}) {
    if (!fs::exists(dir)) continue;
    for (const auto& path : swarmcopy_paths_under(dir)) ADD_FAILURE() << path << " left behind";
  }
}

}  // namespace
}  // namespace swarmcopy::test
