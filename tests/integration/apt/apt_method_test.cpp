// swarmcopy+http with the real apt: a Debian repository built by the test (two packages made
// with dpkg-deb, one of them 2 MiB of incompressible data, indexes by apt-ftparchive, unsigned
// and [trusted=yes]) served by nginx on loopback, apt-get with a private state, cache and
// methods directory (apt's stock methods plus ours), and the real swarmcopyd on a private
// socket, running as root as the system daemon does. apt runs the method, which drops root for
// _apt as apt's own methods do.
//
// What must hold: update and download work; the big package goes through the daemon as a
// FOREGROUND job owned by _apt and arrives with the index's SHA-256, the small one and the
// indexes do not; with nobody on the socket apt works the same; a missing package is apt's
// usual 404; a package changed on the mirror after its index was made fails apt's hash check
// and leaves nothing in archives/.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/daemon_process.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/apt/message_reader.h"
#include "swarmcopy/client/connect_options.h"
#include "swarmcopy/client/remote_manager.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kBigPayload = 2u << 20;  // > 1 MiB: through the daemon
constexpr std::uint64_t kSmallPayload = 10000;   // < 1 MiB: fetched by the method itself

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

ChildResult run_sh(const std::string& script, const fs::path& cwd = {}) {
  return run_child({"/bin/sh", "-c", script}, cwd, 120s);
}

class AptMethodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "apt drops root for _apt: run as root";
    if (!fs::exists("/usr/bin/apt-ftparchive")) GTEST_SKIP() << "apt-utils is not installed";
    passwd* apt_user = ::getpwnam("_apt");
    ASSERT_NE(apt_user, nullptr) << "no _apt user";
    apt_uid_ = apt_user->pw_uid;
    // _apt must reach the daemon's socket and apt's partial directories inside.
    ::chmod(dir_.path().c_str(), 0755);
    repo_ = dir_ / "repo";
    fs::create_directories(repo_);
    big_ = make_package("sc-big", kBigPayload, 11);
    small_ = make_package("sc-small", kSmallPayload, 12);
    auto index = run_sh(
        "apt-ftparchive packages . > Packages && gzip -9kn Packages && "
        "apt-ftparchive release . > ../Release.tmp && mv ../Release.tmp Release",
        repo_);
    ASSERT_EQ(index.exit_code, 0) << index.err;

    NginxOptions options;
    options.docroot = repo_;
    // /slow/: the same files, throttled, for a transfer that lasts long enough to interrupt.
    options.server_config = "location /slow/ { alias " + repo_.string() + "/; limit_rate 64k; }";
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);

    // apt's private world.
    const auto apt = dir_ / "apt";
    for (const auto* d :
         {"state/lists/partial", "cache/archives/partial", "etc/sources.d", "methods", "log"}) {
      fs::create_directories(apt / d);
    }
    for (const auto& p : fs::recursive_directory_iterator(apt)) {
      if (p.is_directory()) ::chmod(p.path().c_str(), 0755);
    }
    ::chmod(apt.c_str(), 0755);
    write_file(apt / "status", "");
    write_file(apt / "etc/sources.list", "deb [trusted=yes] swarmcopy+http://127.0.0.1:" +
                                             std::to_string(nginx_->port()) + "/ ./\n");
    for (const auto& stock : fs::directory_iterator("/usr/lib/apt/methods")) {
      // A swarmcopy package installed on this machine brings its own: ours are the build's.
      if (stock.path().filename().string().starts_with("swarmcopy+")) continue;
      fs::create_symlink(stock.path(), apt / "methods" / stock.path().filename());
    }
    fs::create_symlink(SWARMCOPY_APT_METHOD_PATH, apt / "methods" / "swarmcopy+http");
    fs::create_symlink(SWARMCOPY_APT_METHOD_PATH, apt / "methods" / "swarmcopy+https");
  }

  struct Package {
    std::string name;
    fs::path deb;        // in the repository
    std::string sha256;  // of the .deb, as the index lists it
  };

  Package make_package(const std::string& name, std::uint64_t payload, std::uint64_t seed) {
    const auto root = dir_ / "build" / name;
    write_file(root / "DEBIAN/control", "Package: " + name +
                                            "\nVersion: 1.0\nArchitecture: all\n"
                                            "Maintainer: swarmcopy tests <t@example.org>\n"
                                            "Description: swarmcopy apt method test package\n");
    fs::create_directories(root / "usr/share" / name);
    EXPECT_TRUE(write_test_file(root / "usr/share" / name / "payload", payload, seed));
    Package package{name, repo_ / (name + "_1.0_all.deb"), ""};
    auto built = run_child({"/usr/bin/dpkg-deb", "--root-owner-group", "-Zgzip", "--build",
                            root.string(), package.deb.string()},
                           {}, 120s);
    EXPECT_EQ(built.exit_code, 0) << built.out << built.err;
    package.sha256 = sha256_file(package.deb).value_or("");
    return package;
  }

  void start_daemon() {
    DaemonOptions options;
    options.socket = socket();
    options.state_dir = dir_ / "state";
    options.log = dir_ / "swarmcopyd.log";
    options.home = dir_ / "home";
    fs::create_directories(options.home);
    write_file(dir_ / "swarmcopyd.conf", "");
    // The system daemon (root, every user): the origin is on loopback, which only root may
    // fetch from unless allowed, and the method asks as _apt.
    options.args = {"--config",
                    (dir_ / "swarmcopyd.conf").string(),
                    "--requests-per-second",
                    "0",
                    "--allow-loopback-origins",
                    "all",
                    "--local-discovery",
                    "false"};
    auto daemon = DaemonProcess::start(options);
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  fs::path socket() const { return dir_ / "d.sock"; }
  fs::path archives() const { return dir_ / "apt/cache/archives"; }

  ChildResult apt_get(std::vector<std::string> command) {
    const auto apt = dir_ / "apt";
    std::vector<std::string> args = {"/usr/bin/apt-get",
                                     "-q",
                                     "-o",
                                     "Dir::Etc::SourceList=" + (apt / "etc/sources.list").string(),
                                     "-o",
                                     "Dir::Etc::SourceParts=" + (apt / "etc/sources.d").string(),
                                     "-o",
                                     "Dir::State=" + (apt / "state").string(),
                                     "-o",
                                     "Dir::State::status=" + (apt / "status").string(),
                                     "-o",
                                     "Dir::Cache=" + (apt / "cache").string(),
                                     "-o",
                                     "Dir::Log=" + (apt / "log").string(),
                                     "-o",
                                     "Dir::Bin::Methods=" + (apt / "methods").string(),
                                     "-o",
                                     "Debug::NoLocking=true",
                                     "-o",
                                     "Acquire::Languages=none",
                                     "-o",
                                     "Acquire::Retries=0",
                                     "-o",
                                     "APT::Sandbox::User=_apt",
                                     "-o",
                                     "Acquire::swarmcopy::Socket=" + socket().string(),
                                     "-o",
                                     "Acquire::swarmcopy::StallTimeout=60"};
    for (const auto& option : extra_options_) args.insert(args.end(), {"-o", option});
    args.insert(args.end(), command.begin(), command.end());
    return run_child(args, dir_.path(), 180s);
  }

  std::vector<api::JobInfo> daemon_jobs() {
    client::ConnectOptions options;
    options.all_users = true;
    auto manager = client::connect(socket(), options);
    EXPECT_TRUE(manager) << manager.error().describe();
    if (!manager) return {};
    auto infos = (*manager)->job_infos();
    EXPECT_TRUE(infos) << infos.error().describe();
    return infos.value_or(std::vector<api::JobInfo>{});
  }

  std::string log_of(const ChildResult& r) const {
    return "apt-get said:\n" + r.out + r.err +
           (daemon_ ? "\nswarmcopyd:\n" + daemon_->log_text() : std::string());
  }

  TestDir dir_{"swarmcopy-apt-"};
  fs::path repo_;
  Package big_;
  Package small_;
  uid_t apt_uid_ = 0;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::vector<std::string> extra_options_;  // more apt -o options
};

TEST_F(AptMethodTest, TheBigPackageGoesThroughTheDaemonAsAForegroundJobOfApt) {
  start_daemon();
  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  EXPECT_NE(update.out.find("swarmcopy+http://127.0.0.1"), std::string::npos) << update.out;
  EXPECT_TRUE(daemon_jobs().empty()) << "indexes are fetched by the method itself";

  auto download = apt_get({"install", "--download-only", "-y", "sc-big", "sc-small"});
  ASSERT_EQ(download.exit_code, 0) << log_of(download);
  EXPECT_EQ(sha256_file(archives() / "sc-big_1.0_all.deb").value_or(""), big_.sha256);
  EXPECT_EQ(sha256_file(archives() / "sc-small_1.0_all.deb").value_or(""), small_.sha256);

  const auto jobs = daemon_jobs();
  ASSERT_EQ(jobs.size(), 1u) << "only the big package is the daemon's";
  const auto& job = jobs.front();
  EXPECT_EQ(job.priority, api::Priority::kForeground);
  EXPECT_EQ(job.state, api::JobState::kAcknowledged);
  EXPECT_EQ(job.owner_uid, apt_uid_) << "the method asked as apt's sandbox user";
  ASSERT_EQ(job.files.size(), 1u);
  EXPECT_TRUE(job.files.front().url.starts_with(nginx_->url("")) &&
              job.files.front().url.ends_with("/sc-big_1.0_all.deb"))
      << job.files.front().url;
  EXPECT_EQ(job.files.front().sha256, big_.sha256);
  EXPECT_EQ(fs::path(job.files.front().local_path).parent_path().filename(), "partial");
  EXPECT_EQ(job.files.front().bytes_transferred, fs::file_size(big_.deb));
  // The origin sent the big package to the daemon only: once.
  std::size_t big_gets = 0;
  for (const auto& entry : nginx_->access_log()) {
    if (entry.uri.ends_with("/sc-big_1.0_all.deb") && entry.method == "GET" &&
        entry.status / 100 == 2) {
      ++big_gets;
    }
  }
  EXPECT_GE(big_gets, 1u);
  // (The daemon's first request is a one-byte probe of size and identity.)
  const auto sent = nginx_->body_bytes_sent("/sc-big_1.0_all.deb");
  EXPECT_GE(sent, fs::file_size(big_.deb));
  EXPECT_LE(sent, fs::file_size(big_.deb) + 16) << "not fetched a second time by the method";
}

TEST_F(AptMethodTest, WithoutADaemonAptWorksAsWithItsOwnHttpMethod) {
  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  auto download = apt_get({"install", "--download-only", "-y", "sc-big", "sc-small"});
  ASSERT_EQ(download.exit_code, 0) << log_of(download);
  EXPECT_EQ(sha256_file(archives() / "sc-big_1.0_all.deb").value_or(""), big_.sha256);
  EXPECT_EQ(sha256_file(archives() / "sc-small_1.0_all.deb").value_or(""), small_.sha256);
}

TEST_F(AptMethodTest, ADaemonThatNeverAnswersCostsOneTimeoutAndAptStillDownloads) {
  // A socket that is listened on but never accepted from: connecting works, no answer comes.
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket().c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::chmod(socket().c_str(), 0666);
  ASSERT_EQ(::listen(listener, 64), 0);
  extra_options_ = {"Acquire::swarmcopy::Timeout=2"};
  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  auto download = apt_get({"install", "--download-only", "-y", "sc-big", "sc-small"});
  ::close(listener);
  ASSERT_EQ(download.exit_code, 0) << log_of(download);
  EXPECT_FALSE(download.timed_out);
  EXPECT_EQ(sha256_file(archives() / "sc-big_1.0_all.deb").value_or(""), big_.sha256);
  EXPECT_EQ(sha256_file(archives() / "sc-small_1.0_all.deb").value_or(""), small_.sha256);
}

TEST_F(AptMethodTest, SwarmcopyHttpsFetchesOverTlsWithAptsCaSetting) {
  // A certificate for 127.0.0.1, and a second nginx serving the same repository over TLS.
  const auto cert = dir_ / "tls/cert.pem";
  const auto key = dir_ / "tls/key.pem";
  fs::create_directories(cert.parent_path());
  ::chmod(cert.parent_path().c_str(), 0755);
  auto made = run_child({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                         "-keyout", key.string(), "-out", cert.string(), "-days", "1", "-subj",
                         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                        {}, 60s);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ::chmod(cert.c_str(), 0644);
  const int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  const auto tls_port = ntohs(addr.sin_port);
  ::close(probe);
  NginxOptions options;
  options.docroot = repo_;
  options.server_config = "listen 127.0.0.1:" + std::to_string(tls_port) +
                          " ssl; ssl_certificate " + cert.string() + "; ssl_certificate_key " +
                          key.string() + ";";
  auto tls = NginxServer::start(options);
  ASSERT_TRUE(tls) << tls.error();
  write_file(dir_ / "apt/etc/sources.list", "deb [trusted=yes] swarmcopy+https://127.0.0.1:" +
                                                std::to_string(tls_port) + "/ ./\n");
  extra_options_ = {"Acquire::https::CaInfo=" + cert.string()};

  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  EXPECT_NE(update.out.find("swarmcopy+https://127.0.0.1"), std::string::npos) << update.out;
  auto download = apt_get({"install", "--download-only", "-y", "sc-big", "sc-small"});
  ASSERT_EQ(download.exit_code, 0) << log_of(download);
  EXPECT_EQ(sha256_file(archives() / "sc-big_1.0_all.deb").value_or(""), big_.sha256);
  EXPECT_EQ(sha256_file(archives() / "sc-small_1.0_all.deb").value_or(""), small_.sha256);
  EXPECT_EQ(nginx_->access_log().size(), 0u) << "everything came over TLS";

  // Without apt's CA setting the certificate is refused, as apt's own https would.
  extra_options_.clear();
  fs::remove_all(dir_ / "apt/state/lists");
  fs::create_directories(dir_ / "apt/state/lists/partial");
  auto refused = apt_get({"update"});
  EXPECT_NE(refused.out.find("Err:"), std::string::npos) << log_of(refused);
  EXPECT_NE((refused.out + refused.err).find("certificate"), std::string::npos) << log_of(refused);
}

TEST_F(AptMethodTest, ASecondUpdateIsAnIfModifiedSinceHit) {
  start_daemon();
  auto first = apt_get({"update"});
  ASSERT_EQ(first.exit_code, 0) << log_of(first);
  auto second = apt_get({"update"});
  ASSERT_EQ(second.exit_code, 0) << log_of(second);
  EXPECT_NE(second.out.find("Hit:"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("Get:"), std::string::npos) << second.out;
  bool saw_304 = false;
  for (const auto& entry : nginx_->access_log()) saw_304 = saw_304 || entry.status == 304;
  EXPECT_TRUE(saw_304) << "the method sent If-Modified-Since";
}

TEST_F(AptMethodTest, AMissingPackageIsAptsUsual404) {
  start_daemon();
  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  fs::remove(small_.deb);
  fs::remove(big_.deb);
  auto download = apt_get({"install", "--download-only", "-y", "sc-small", "sc-big"});
  EXPECT_NE(download.exit_code, 0) << log_of(download);
  const auto said = download.out + download.err;
  EXPECT_NE(said.find("404  Not Found"), std::string::npos) << log_of(download);
  EXPECT_NE(said.find("Failed to fetch swarmcopy+http://127.0.0.1"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(archives() / "sc-small_1.0_all.deb"));
  EXPECT_FALSE(fs::exists(archives() / "sc-big_1.0_all.deb"));
}

TEST_F(AptMethodTest, APackageChangedOnTheMirrorFailsAptsHashCheck) {
  start_daemon();
  auto update = apt_get({"update"});
  ASSERT_EQ(update.exit_code, 0) << log_of(update);
  {  // same size, other bytes: only the hash can tell
    std::fstream deb(big_.deb, std::ios::in | std::ios::out | std::ios::binary);
    deb.seekp(static_cast<std::streamoff>(fs::file_size(big_.deb) - 100));
    deb.write("corrupted by the test", 21);
  }
  auto download = apt_get({"install", "--download-only", "-y", "sc-big"});
  EXPECT_NE(download.exit_code, 0) << log_of(download);
  const auto said = download.out + download.err;
  EXPECT_NE(said.find("Hash Sum mismatch"), std::string::npos) << log_of(download);
  for (const auto& entry : fs::directory_iterator(archives())) {
    EXPECT_NE(entry.path().extension(), ".deb") << entry.path() << " left in archives/";
  }
  // The daemon refused the changed bytes first; the method then fetched the file itself, and
  // apt judged it.
  const auto jobs = daemon_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().state, api::JobState::kCancelled);
}

// The method without apt, as apt drives it: root starts it, it drops to _apt after the
// configuration, and takes three pipelined requests written at once.
class MethodProcess {
 public:
  MethodProcess() {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
      ::execl(SWARMCOPY_APT_METHOD_PATH, "swarmcopy+http", nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~MethodProcess() {
    close_input();
    if (from_ >= 0) ::close(from_);
    if (pid_ > 0 && !wait_exit(10s)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool running() const { return pid_ > 0; }
  void send_signal(int signal_number) const {
    if (pid_ > 0) ::kill(pid_, signal_number);
  }
  void write_text(const std::string& text) {
    EXPECT_EQ(::write(to_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void close_input() {
    if (to_ >= 0) ::close(to_);
    to_ = -1;
  }
  // The next message, waiting at most `timeout`.
  std::optional<apt::Message> read(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto next = reader_.next()) {
        if (*next) return **next;
        ADD_FAILURE() << next->error().reason;
        return std::nullopt;
      }
      pollfd pfd{from_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      char buffer[8192];
      const auto n = ::read(from_, buffer, sizeof buffer);
      if (n <= 0) return std::nullopt;
      reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    return std::nullopt;
  }
  // Its exit code once it exited within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    wait_until(
        [&] {
          int status = 0;
          if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return pid_ <= 0;
          pid_ = -1;
          exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          return true;
        },
        timeout);
    if (pid_ > 0) return std::nullopt;
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
  std::optional<int> exit_code_;
  apt::MessageReader reader_;
};

TEST_F(AptMethodTest, TheMethodDropsRootAndTheDaemonWritesAptsFilesAsApt) {
  start_daemon();
  const auto partial = dir_ / "partial";
  fs::create_directories(partial);
  ASSERT_EQ(::chown(partial.c_str(), apt_uid_, 0), 0);
  ::chmod(partial.c_str(), 0700);  // as apt makes its partial/ directories
  const auto base = "swarmcopy+http://127.0.0.1:" + std::to_string(nginx_->port()) + "/";
  const auto acquire = [&](const std::string& name, const Package* p) {
    std::string m =
        "600 URI Acquire\nURI: " + base + name + "\nFilename: " + (partial / name).string() + "\n";
    if (p) {
      m += "Expected-SHA256: " + p->sha256 +
           "\nExpected-Checksum-FileSize: " + std::to_string(fs::file_size(p->deb)) + "\n";
    }
    return m + "\n";
  };

  MethodProcess method;
  ASSERT_TRUE(method.running());
  auto caps = method.read(10s);
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->code, 100);
  method.write_text(
      "601 Configuration\nConfig-Item: APT::Sandbox::User=_apt\n"
      "Config-Item: Acquire::swarmcopy::Socket=" +
      socket().string() + "\n\n");
  method.write_text(acquire("sc-big_1.0_all.deb", &big_) +
                    acquire("sc-small_1.0_all.deb", &small_) + acquire("missing.deb", nullptr));

  std::map<std::string, apt::Message> answers;
  while (answers.size() < 3) {
    auto message = method.read(120s);
    ASSERT_TRUE(message) << "no answer; swarmcopyd:\n" << daemon_->log_text();
    if (message->code == 201 || message->code == 400) {
      answers[message->get("URI").value_or("")] = *message;
    }
  }
  const auto& big = answers[base + "sc-big_1.0_all.deb"];
  EXPECT_EQ(big.code, 201) << big.get("Message").value_or("");
  EXPECT_EQ(big.get("SHA256-Hash"), big_.sha256);
  EXPECT_EQ(big.get("Size"), std::to_string(fs::file_size(big_.deb)));
  const auto& small = answers[base + "sc-small_1.0_all.deb"];
  EXPECT_EQ(small.code, 201);
  EXPECT_EQ(small.get("SHA256-Hash"), small_.sha256);
  const auto& missing = answers[base + "missing.deb"];
  EXPECT_EQ(missing.code, 400);
  EXPECT_EQ(missing.get("FailReason"), "HttpError404");

  for (const auto* name : {"sc-big_1.0_all.deb", "sc-small_1.0_all.deb"}) {
    struct stat st {};
    ASSERT_EQ(::stat((partial / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, apt_uid_) << name << " is _apt's, as apt expects in partial/";
  }
  const auto jobs = daemon_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().owner_uid, apt_uid_);
  EXPECT_EQ(jobs.front().files.front().local_path, (partial / "sc-big_1.0_all.deb").string());

  method.close_input();
  EXPECT_EQ(method.wait_exit(10s), 0);
}

TEST_F(AptMethodTest, AnInterruptedMethodCancelsItsDaemonJob) {
  start_daemon();
  const auto partial = dir_ / "partial";
  fs::create_directories(partial);
  ASSERT_EQ(::chown(partial.c_str(), apt_uid_, 0), 0);
  const auto uri =
      "swarmcopy+http://127.0.0.1:" + std::to_string(nginx_->port()) + "/slow/sc-big_1.0_all.deb";
  MethodProcess method;
  ASSERT_TRUE(method.running());
  ASSERT_TRUE(method.read(10s));  // 100 Capabilities
  method.write_text(
      "601 Configuration\nConfig-Item: APT::Sandbox::User=_apt\n"
      "Config-Item: Acquire::swarmcopy::Socket=" +
      socket().string() + "\n\n");
  method.write_text(
      "600 URI Acquire\nURI: " + uri + "\nFilename: " + (partial / "sc-big_1.0_all.deb").string() +
      "\nExpected-SHA256: " + big_.sha256 +
      "\nExpected-Checksum-FileSize: " + std::to_string(fs::file_size(big_.deb)) + "\n\n");
  auto start = method.read(30s);
  ASSERT_TRUE(start);
  ASSERT_EQ(start->code, 200) << start->get("Message").value_or("");
  ASSERT_EQ(daemon_jobs().size(), 1u);

  method.send_signal(SIGTERM);  // as Ctrl-C on apt-get reaches its methods
  EXPECT_EQ(method.wait_exit(20s), 100);
  const auto jobs = daemon_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().state, api::JobState::kCancelled) << "no orphan download left behind";
  EXPECT_FALSE(fs::exists(partial / "sc-big_1.0_all.deb"));
}

}  // namespace
}  // namespace swarmcopy::test
