// The daemon's life: SIGTERM while jobs transfer (exit 0 in a few seconds; they resume by
// themselves at the next start), SIGHUP reload, user mode (paths, idle exit), the stale socket
// of a killed daemon, and a second daemon refused.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

bool exited_cleanly(const std::optional<int>& status) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

class DaemonLifecycleTest : public ::testing::Test {
 protected:
  void start_nginx() {
    std::filesystem::create_directories(dir_.path() / "www" / "slow");
    std::filesystem::create_directories(dir_.path() / "out");
    NginxOptions options;
    options.docroot = dir_.path() / "www";
    options.server_config = "location /slow/ { limit_rate 200k; }";
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
  }

  std::string add_test_file(const std::string& name, std::uint64_t size) {
    auto sha = write_test_file(dir_.path() / "www" / name, size, size + name.size());
    EXPECT_TRUE(sha) << sha.error();
    return sha.value_or("");
  }

  void TearDown() override {
    if (HasFailure()) {
      std::ifstream log(dir_.path() / "daemon.log");
      std::cerr << "daemon log:\n" << log.rdbuf();
    }
  }

  std::filesystem::path socket() const { return dir_.path() / "d.sock"; }
  std::string out(const std::string& name) const { return (dir_.path() / "out" / name).string(); }

  TestDir dir_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(DaemonLifecycleTest, SigtermStopsPromptlyAndJobsResumeByThemselvesAtTheNextStart) {
  start_nginx();
  const auto sha_a = add_test_file("slow/a.bin", 3 << 20);
  const auto sha_b = add_test_file("slow/b.bin", 2 << 20);
  auto daemon = DaemonProcess::start(daemon_options(dir_.path()));
  ASSERT_TRUE(daemon) << daemon.error();
  std::vector<std::string> ids;
  for (const auto& [name, priority] : std::vector<std::pair<std::string, std::string>>{
           {"a.bin", "foreground"}, {"b.bin", "normal"}}) {
    const auto id = create_job(socket(), name);
    ASSERT_FALSE(id.empty());
    ASSERT_EQ(http_request(socket(), "PATCH", "/v1/jobs/" + id, json{{"priority", priority}}.dump())
                  ->status,
              200);
    ASSERT_EQ(http_request(socket(), "POST", "/v1/jobs/" + id + "/files",
                           files_body({{nginx_->url("slow/" + name), out(name)}}))
                  ->status,
              200);
    ASSERT_EQ(http_request(socket(), "POST", "/v1/jobs/" + id + "/resume")->status, 200);
    ids.push_back(id);
  }
  for (const auto& id : ids) {
    const auto job = wait_job(socket(), id, [](const json& j) {
      return j.value("state", "") == "TRANSFERRING" &&
             j["bytes_transferred"].get<std::uint64_t>() > 0;
    });
    ASSERT_EQ(job.value("state", ""), "TRANSFERRING") << job.dump();
  }
  // A subscriber and an idle keep-alive client must not hold the exit up.
  auto watcher = HttpConnection::open(socket());
  ASSERT_TRUE(watcher);
  ASSERT_TRUE(watcher->send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto idle = HttpConnection::open(socket());
  ASSERT_TRUE(idle);

  const auto signalled = SteadyClock::now();
  (*daemon)->send_signal(SIGTERM);
  const auto status = (*daemon)->wait_exit(std::chrono::seconds(10));
  const auto took = SteadyClock::now() - signalled;
  ASSERT_TRUE(exited_cleanly(status)) << "status " << status.value_or(-1);
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_FALSE(std::filesystem::exists(socket()));  // removed on the way out
  EXPECT_TRUE(watcher->wait_closed(std::chrono::seconds(2)));

  // Next start: nobody calls resume; the jobs go on from where they were.
  auto again = DaemonProcess::start(daemon_options(dir_.path()));
  ASSERT_TRUE(again) << again.error();
  for (const auto& id : ids) {
    const auto first = http_request(socket(), "GET", "/v1/jobs/" + id)->json();
    EXPECT_GT(first["bytes_transferred"].get<std::uint64_t>(), 0u) << first.dump();
    EXPECT_NE(first["state"], "SUSPENDED");
    const auto job = wait_job(socket(), id, in_state("TRANSFERRED"), std::chrono::seconds(60));
    ASSERT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
    ASSERT_EQ(http_request(socket(), "POST", "/v1/jobs/" + id + "/complete")->status, 200);
  }
  EXPECT_EQ(sha256_file(out("a.bin")).value_or(""), sha_a);
  EXPECT_EQ(sha256_file(out("b.bin")).value_or(""), sha_b);
  EXPECT_EQ(TestDir::list(dir_.path() / "out"), (std::vector<std::string>{"a.bin", "b.bin"}));
}

TEST_F(DaemonLifecycleTest, SighupReloadsRateLimitsAndLogLevel) {
  const auto config = dir_.path() / "swarmcopyd.conf";
  {
    std::ofstream file(config);
    file << "# test config\nrequests_per_second = 0   # unlimited\nlog_level = info\n";
  }
  auto options = daemon_options(dir_.path());
  options.args = {"--config", config.string()};  // the rate comes from the file only
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  for (int i = 0; i < 30; ++i) ASSERT_EQ(http_request(socket(), "GET", "/v1/status")->status, 200);

  {
    std::ofstream file(config, std::ios::trunc);
    file << "requests_per_second = 2\nrequest_burst = 2\nlog_level = debug\nmax_jobs = 5\n";
  }
  (*daemon)->send_signal(SIGHUP);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  int status = 200;
  while (status != 429 && SteadyClock::now() < deadline) {
    status = http_request(socket(), "GET", "/v1/status").value_or(HttpResponse{}).status;
  }
  EXPECT_EQ(status, 429);
  const auto log = (*daemon)->log_text();
  EXPECT_NE(log.find("reload: log_level = debug"), std::string::npos) << log;
  EXPECT_NE(log.find("reload: requests_per_second = 2"), std::string::npos) << log;
  EXPECT_NE(log.find("max_jobs changed to 5: takes effect at the next start"), std::string::npos);

  // A broken file is refused whole: the running settings stay.
  {
    std::ofstream file(config, std::ios::trunc);
    file << "requests_per_second = 0\nno_such_key = 1\n";
  }
  (*daemon)->send_signal(SIGHUP);
  wait_until([&] { return (*daemon)->log_text().find("reload failed") != std::string::npos; },
             std::chrono::seconds(10), std::chrono::milliseconds(20));
  EXPECT_NE((*daemon)->log_text().find("unknown key \"no_such_key\""), std::string::npos);
  EXPECT_TRUE((*daemon)->running());
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    limited += http_request(socket(), "GET", "/v1/status").value_or(HttpResponse{}).status == 429;
  }
  EXPECT_GT(limited, 0);
}

TEST_F(DaemonLifecycleTest, UserModeUsesTheRuntimeDirAndExitsWhenIdle) {
  start_nginx();
  add_test_file("slow/c.bin", 2 << 20);
  const auto runtime = dir_.path() / "run";
  const auto home = dir_.path() / "home";
  std::filesystem::create_directories(runtime);
  std::filesystem::create_directories(home);
  DaemonOptions options;
  options.socket = runtime / "swarmcopy" / "swarmcopyd.sock";
  options.log = dir_.path() / "daemon.log";
  options.pass_socket = false;
  options.args = {"--user", "--idle-exit-seconds", "1", "--min-retry-delay-ms", "100"};
  options.env = {{"XDG_RUNTIME_DIR", runtime.string()},
                 {"HOME", home.string()},
                 {"SWARMCOPY_HOME", ""},
                 {"XDG_STATE_HOME", ""},
                 {"XDG_CONFIG_HOME", (dir_.path() / "config").string()}};
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();

  const auto status = http_request(options.socket, "GET", "/v1/status")->json();
  EXPECT_EQ(status["mode"], "user");
  struct stat info {};
  ASSERT_EQ(::stat(options.socket.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(options.socket.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(home / ".local" / "state" / "swarmcopy"));

  // A connected client keeps it alive past the idle time.
  {
    auto watcher = HttpConnection::open(options.socket);
    ASSERT_TRUE(watcher);
    ASSERT_TRUE(watcher->send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_FALSE((*daemon)->wait_exit(std::chrono::milliseconds(2500)));
  }
  // So does an active job, with no client at all.
  const auto id = create_job(options.socket, "keeps it awake");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(http_request(options.socket, "POST", "/v1/jobs/" + id + "/files",
                         files_body({{nginx_->url("slow/c.bin"), out("c.bin")}}))
                ->status,
            200);
  ASSERT_EQ(http_request(options.socket, "POST", "/v1/jobs/" + id + "/resume")->status, 200);
  const auto started = SteadyClock::now();
  const auto exit_status = (*daemon)->wait_exit(std::chrono::seconds(20));
  ASSERT_TRUE(exited_cleanly(exit_status)) << "status " << exit_status.value_or(-1);
  // 2 MiB over 4 connections at 200 KB/s: it stayed for the transfer (~2.5 s), then left.
  EXPECT_GE(SteadyClock::now() - started, std::chrono::milliseconds(1500));
  EXPECT_FALSE(std::filesystem::exists(options.socket));
  EXPECT_NE((*daemon)->log_text().find("idle for 1 s"), std::string::npos);
}

// Content is seeded for seed_time_seconds after its job: a user daemon that exits when idle
// waits for that too (it left after idle_exit_seconds, cutting the seed time short).
TEST_F(DaemonLifecycleTest, UserModeStaysWhileItSeeds) {
  start_nginx();
  add_test_file("s.bin", 2 << 20);
  ASSERT_TRUE(peer::publish(dir_.path() / "www" / "s.bin", 256 << 10));  // s.bin.torrent
  const auto runtime = dir_.path() / "run";
  std::filesystem::create_directories(runtime);
  DaemonOptions options;
  options.socket = runtime / "swarmcopy" / "swarmcopyd.sock";
  options.log = dir_.path() / "daemon.log";
  options.pass_socket = false;
  options.args = {"--user",     "--idle-exit-seconds", "1",     "--seed-time-seconds",
                  "4",          "--local-discovery",   "false", "--peer-listen",
                  "127.0.0.1:0"};
  options.env = {{"XDG_RUNTIME_DIR", runtime.string()},
                 {"HOME", (dir_.path() / "home").string()},
                 {"SWARMCOPY_HOME", ""},
                 {"XDG_STATE_HOME", ""},
                 {"XDG_CONFIG_HOME", (dir_.path() / "config").string()}};
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  const auto id = create_job(options.socket, "seeded afterwards");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(http_request(options.socket, "POST", "/v1/jobs/" + id + "/files",
                         files_body({{nginx_->url("s.bin"), out("s.bin")}}))
                ->status,
            200);
  const auto started = SteadyClock::now();
  ASSERT_EQ(http_request(options.socket, "POST", "/v1/jobs/" + id + "/resume")->status, 200);
  const auto exit_status = (*daemon)->wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(exited_cleanly(exit_status)) << "status " << exit_status.value_or(-1);
  // 2 MiB from a local nginx takes a moment; the seed time is 4 s, the idle time 1 s.
  EXPECT_GE(SteadyClock::now() - started, std::chrono::seconds(4));
  EXPECT_NE((*daemon)->log_text().find("nothing to seed"), std::string::npos);
}

TEST_F(DaemonLifecycleTest, UserModeWithoutARuntimeDirNeedsAndTakesAnExplicitSocket) {
  const auto home = dir_.path() / "home";
  std::filesystem::create_directories(home);
  DaemonOptions options;
  options.socket = dir_.path() / "explicit.sock";
  options.log = dir_.path() / "daemon.log";
  options.pass_socket = false;
  options.args = {"--user"};
  options.env = {{"XDG_RUNTIME_DIR", ""},
                 {"HOME", home.string()},
                 {"SWARMCOPY_HOME", ""},
                 {"XDG_STATE_HOME", ""},
                 {"XDG_CONFIG_HOME", (dir_.path() / "config").string()}};
  // Nothing says where the socket goes: refused, with the way out.
  auto refused = DaemonProcess::spawn(options);
  ASSERT_TRUE(refused);
  auto status = (*refused)->wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE((*refused)->log_text().find("give the socket path with --socket"), std::string::npos)
      << (*refused)->log_text();
  // --socket is enough.
  options.args = {"--user", "--socket", options.socket.string()};
  options.log = dir_.path() / "daemon2.log";
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  EXPECT_EQ(http_request(options.socket, "GET", "/v1/status")->json()["mode"], "user");
}

TEST_F(DaemonLifecycleTest, StaleSocketIsReplacedAndALiveDaemonIsNotDisturbed) {
  auto first = DaemonProcess::start(daemon_options(dir_.path()));
  ASSERT_TRUE(first) << first.error();

  // Same socket, another state dir: refused, and the first one goes on serving.
  auto second_options = daemon_options(dir_.path());
  second_options.state_dir = dir_.path() / "state2";
  second_options.log = dir_.path() / "second.log";
  auto second = DaemonProcess::spawn(second_options);
  ASSERT_TRUE(second);
  auto status = (*second)->wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE((*second)->log_text().find("another swarmcopyd is already listening"),
            std::string::npos)
      << (*second)->log_text();
  EXPECT_EQ(http_request(socket(), "GET", "/v1/status")->status, 200);

  // Same state dir, another socket: the engine's lock refuses it.
  auto third_options = daemon_options(dir_.path());
  third_options.socket = dir_.path() / "other.sock";
  third_options.log = dir_.path() / "third.log";
  auto third = DaemonProcess::spawn(third_options);
  ASSERT_TRUE(third);
  status = (*third)->wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_FALSE(std::filesystem::exists(third_options.socket));
  EXPECT_EQ(http_request(socket(), "GET", "/v1/status")->status, 200);

  // kill -9 leaves the socket file behind; the next daemon replaces it.
  (*first)->kill_now();
  EXPECT_TRUE(std::filesystem::exists(socket()));
  auto fourth = DaemonProcess::start(daemon_options(dir_.path()));
  ASSERT_TRUE(fourth) << fourth.error();
  (*fourth)->kill_now();

  // Something that is not a socket is never removed.
  std::filesystem::remove(socket());
  { std::ofstream(socket()) << "precious"; }
  auto fifth_options = daemon_options(dir_.path());
  fifth_options.log = dir_.path() / "fifth.log";
  auto fifth = DaemonProcess::spawn(fifth_options);
  ASSERT_TRUE(fifth);
  status = (*fifth)->wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_EQ(TestDir::read(socket()), "precious");
}

TEST_F(DaemonLifecycleTest, SystemModeSocketIsOpenToEveryUserInADirItCreates) {
  auto options = daemon_options(dir_.path());
  options.socket = dir_.path() / "run" / "swarmcopy" / "swarmcopyd.sock";
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  struct stat info {};
  ASSERT_EQ(::stat(options.socket.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0666u);
  ASSERT_EQ(::stat(options.socket.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0755u);
  // The socket answers as soon as it listens; the log line follows a moment later.
  const auto line = "listening on " + options.socket.string();
  wait_until([&] { return (*daemon)->log_text().find(line) != std::string::npos; },
             std::chrono::seconds(10));
  EXPECT_NE((*daemon)->log_text().find(line), std::string::npos);
  (*daemon)->send_signal(SIGINT);
  EXPECT_TRUE(exited_cleanly((*daemon)->wait_exit(std::chrono::seconds(10))));
}

TEST_F(DaemonLifecycleTest, BadCommandLinesAndConfigsAreRefusedClearly) {
  const auto config = dir_.path() / "bad.conf";
  { std::ofstream(config) << "max_jobs = lots\n"; }
  const auto no_peers = dir_.path() / "no-peers.conf";
  { std::ofstream(no_peers) << "peer_connections = 0\n"; }  // at least 1
  const auto not_a_certificate = dir_.path() / "ca.pem";
  { std::ofstream(not_a_certificate) << "-----BEGIN CERTIFICATE-----\nnot base64\n"; }
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--config", config.string()},
                                             {"--config", no_peers.string()},
                                             {"--config", (dir_.path() / "missing.conf").string()},
                                             {"--max-active-jobs", "0"},
                                             {"--log-level", "chatty"},
                                             {"--tls-ca-file", not_a_certificate.string()},
                                             {"--tls-ca-file", "/nonexistent/ca.pem"},
                                             {"--no-such-option"}}) {
    auto options = daemon_options(dir_.path(), args);
    options.log = dir_.path() / "refused.log";
    std::filesystem::remove(options.log);
    auto daemon = DaemonProcess::spawn(options);
    ASSERT_TRUE(daemon);
    const auto status = (*daemon)->wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(status && WIFEXITED(*status)) << args[0];
    EXPECT_NE(WEXITSTATUS(*status), 0) << args[0];
    EXPECT_FALSE((*daemon)->log_text().empty()) << args[0];
    if (args[0] == "--tls-ca-file") {
      EXPECT_NE((*daemon)->log_text().find("tls_ca_file: "), std::string::npos)
          << (*daemon)->log_text();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(socket()));
}

}  // namespace
}  // namespace swarmcopy::test
