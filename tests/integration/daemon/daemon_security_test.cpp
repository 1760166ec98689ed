// What a hostile local user tried against a system-mode swarmcopyd (root), through the real
// socket, with a real nginx origin and two throw-away local users: the owner of some private
// content and an intruder. Each test is one finding of the security review (issue 19).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"
#include "test_user.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 1 << 20;

class DaemonSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "a system-mode daemon and local users need root";
    auto owner = TestUser::create();
    ASSERT_TRUE(owner) << owner.error();
    owner_ = std::move(*owner);
    auto intruder = TestUser::create();
    ASSERT_TRUE(intruder) << intruder.error();
    intruder_ = std::move(*intruder);
    fs::permissions(dir_.path(), fs::perms(0755));
    fs::create_directories(dir_.path() / "www");
    for (const auto* user : {owner_.get(), intruder_.get()}) {
      const auto out = out_of(*user);
      fs::create_directories(out);
      ASSERT_EQ(::chown(out.c_str(), user->uid(), user->gid()), 0);
      fs::permissions(out, fs::perms(0755));
    }
    auto sha = write_test_file(dir_.path() / "www" / "f.bin", kSize, 5);
    ASSERT_TRUE(sha) << sha.error();
    sha_ = *sha;
    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
    daemon_.reset();  // before the users go: nothing of theirs may be running
  }

  void start_daemon(std::vector<std::string> args = {}) {
    auto daemon = DaemonProcess::start(daemon_options(dir_.path(), std::move(args)));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  fs::path socket() const { return dir_.path() / "d.sock"; }
  fs::path out_of(const TestUser& user) const { return dir_.path() / ("out-" + user.name()); }

  HttpResponse call(const TestUser* user, std::string_view method, const std::string& target,
                    std::string_view body = {}) {
    auto response = http_request(socket(), method, target, body,
                                 user ? std::optional<Identity>(user->identity()) : std::nullopt);
    EXPECT_TRUE(response) << response.error();
    return response.value_or(HttpResponse{});
  }

  // A job of `user` (nullptr: root) for one file, resumed; its id.
  std::string download(const TestUser* user, const std::string& url, const fs::path& path,
                       std::optional<std::string> sha256 = {}, json extra_patch = {},
                       json create = json{{"name", "download"}}) {
    const auto created = call(user, "POST", "/v1/jobs", create.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = created.json().value("id", "");
    json file{{"url", url}, {"path", path.string()}};
    if (sha256) file["sha256"] = *sha256;
    const auto added =
        call(user, "POST", "/v1/jobs/" + id + "/files", json{{"files", {file}}}.dump());
    EXPECT_EQ(added.status, 200) << added.body;
    if (!extra_patch.is_null()) {
      const auto patched = call(user, "PATCH", "/v1/jobs/" + id, extra_patch.dump());
      EXPECT_EQ(patched.status, 200) << patched.body;
    }
    EXPECT_EQ(call(user, "POST", "/v1/jobs/" + id + "/resume").status, 200);
    return id;
  }

  json wait_done(const TestUser* user, const std::string& id) {
    return wait_job(
        socket(), id,
        [](const json& job) {
          const auto state = job.value("state", "");
          return state == "TRANSFERRED" || state == "ERROR";
        },
        std::chrono::seconds(60), user ? std::optional<Identity>(user->identity()) : std::nullopt);
  }

  std::vector<std::string> cache_keys(const TestUser* user) {
    std::vector<std::string> keys;
    const auto body = call(user, "GET", "/v1/cache").json();
    for (const auto& item : body["items"]) keys.push_back(item["key"]);
    return keys;
  }

  TestDir dir_;
  std::unique_ptr<TestUser> owner_;
  std::unique_ptr<TestUser> intruder_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
};

// Finding 1: knowing a file's SHA-256 is not having it. Another user's job naming that hash
// with any URL used to be served the cached bytes without the origin being asked.
TEST_F(DaemonSecurityTest, CachedContentReachesAnotherUserOnlyWhenTheirOriginConfirmsIt) {
  start_daemon();
  const auto owner_job =
      download(owner_.get(), nginx_->url("f.bin"), out_of(*owner_) / "f.bin", sha_);
  ASSERT_EQ(wait_done(owner_.get(), owner_job)["state"], "TRANSFERRED");
  const std::string key = "sha256-" + sha_;
  EXPECT_EQ(cache_keys(owner_.get()), std::vector<std::string>{key});
  EXPECT_TRUE(cache_keys(intruder_.get()).empty()) << "another user's item was listed";
  EXPECT_EQ(cache_keys(nullptr), std::vector<std::string>{key});  // root sees everything

  // A URL that serves nothing: no byte of the cached item may reach the intruder.
  const auto stolen =
      download(intruder_.get(), "http://127.0.0.1:1/anything", out_of(*intruder_) / "stolen", sha_,
               json{{"no_progress_timeout", 0}});
  const auto refused = wait_done(intruder_.get(), stolen);
  EXPECT_EQ(refused["state"], "ERROR") << refused.dump();
  EXPECT_EQ(refused["from_cache"], 0);
  call(intruder_.get(), "POST", "/v1/jobs/" + stolen + "/complete");
  EXPECT_FALSE(fs::exists(out_of(*intruder_) / "stolen"));

  // The intruder's own origin serves a file of that size: now the cache may answer.
  const auto allowed =
      download(intruder_.get(), nginx_->url("f.bin"), out_of(*intruder_) / "f.bin", sha_);
  const auto done = wait_done(intruder_.get(), allowed);
  ASSERT_EQ(done["state"], "TRANSFERRED") << done.dump();
  EXPECT_EQ(done["from_cache"], kSize);
  EXPECT_EQ(done["from_origin"], 0);
  EXPECT_EQ(cache_keys(intruder_.get()), std::vector<std::string>{key});
}

// Finding 1 and 2: content fetched with credentials is private to its user: never shared
// from the cache, never peered (the job says why).
TEST_F(DaemonSecurityTest, ContentFetchedWithCredentialsStaysPrivate) {
  start_daemon();
  const auto owner_job = download(owner_.get(), nginx_->url("f.bin"), out_of(*owner_) / "f.bin",
                                  sha_, json{{"http_headers", {"Authorization: Bearer secret"}}});
  const auto owned = wait_done(owner_.get(), owner_job);
  ASSERT_EQ(owned["state"], "TRANSFERRED") << owned.dump();
  const std::string reason = owned.value("peers_unused_reason", json("")).get<std::string>();
  EXPECT_NE(reason.find("credentials"), std::string::npos) << reason;
  EXPECT_EQ(owned["http_headers"], json::array({"Authorization: ***"}));

  // The same bytes, from the same origin, without credentials: from the origin, not the cache.
  const auto other =
      download(intruder_.get(), nginx_->url("f.bin"), out_of(*intruder_) / "f.bin", sha_);
  const auto done = wait_done(intruder_.get(), other);
  ASSERT_EQ(done["state"], "TRANSFERRED") << done.dump();
  EXPECT_EQ(done["from_cache"], 0);
  EXPECT_EQ(done["from_origin"], kSize);
}

// Finding 10: credentials in a URL are masked like credential headers.
TEST_F(DaemonSecurityTest, CredentialsInUrlsAreMasked) {
  start_daemon();
  const auto port = std::to_string(nginx_->port());
  const std::string url =
      "http://alice:hunter2@127.0.0.1:" + port + "/f.bin?X-Amz-Signature=abc123&part=1";
  const auto id = download(owner_.get(), url, out_of(*owner_) / "f.bin");
  const auto job = call(owner_.get(), "GET", "/v1/jobs/" + id);
  ASSERT_EQ(job.status, 200);
  EXPECT_EQ(job.body.find("hunter2"), std::string::npos) << job.body;
  EXPECT_EQ(job.body.find("abc123"), std::string::npos) << job.body;
  EXPECT_EQ(job.json()["files"][0]["url"],
            "http://***@127.0.0.1:" + port + "/f.bin?X-Amz-Signature=***&part=1");
  const auto listed = call(nullptr, "GET", "/v1/jobs?all=1");
  EXPECT_EQ(listed.body.find("hunter2"), std::string::npos);
}

// Finding 8: NUL and control characters are refused where they enter.
TEST_F(DaemonSecurityTest, ControlCharactersAreRefused) {
  start_daemon();
  const auto bad_name = call(owner_.get(), "POST", "/v1/jobs",
                             json{{"name", "update\x1b[2J\x1b]0;pwned\x07"}}.dump());
  EXPECT_EQ(bad_name.status, 400) << bad_name.body;
  EXPECT_EQ(bad_name.error_kind(), "invalid_argument");

  const std::string id =
      call(owner_.get(), "POST", "/v1/jobs", json{{"name", "fine"}}.dump()).json()["id"];
  const auto nul_path =
      call(owner_.get(), "POST", "/v1/jobs/" + id + "/files",
           json{{"files",
                 {{{"url", nginx_->url("f.bin")},
                   {"path", (out_of(*owner_) / "a").string() + std::string("\0b", 2)}}}}}
               .dump());
  EXPECT_EQ(nul_path.status, 400) << nul_path.body;
  const auto escape_path = call(
      owner_.get(), "POST", "/v1/jobs/" + id + "/files",
      json{{"files",
            {{{"url", nginx_->url("f.bin")}, {"path", (out_of(*owner_) / "a\x1b[31m").string()}}}}}
          .dump());
  EXPECT_EQ(escape_path.status, 400) << escape_path.body;
  for (const std::string& header :
       {std::string("X-A: b\x01"), std::string("X-A: b\0c", 8), std::string("X A: b"),
        std::string("X-A: \xc2\x9b"
                    "31m")}) {
    const auto bad_header =
        call(owner_.get(), "PATCH", "/v1/jobs/" + id, json{{"http_headers", {header}}}.dump());
    EXPECT_EQ(bad_header.status, 400) << bad_header.body;
  }
  EXPECT_EQ(call(owner_.get(), "PATCH", "/v1/jobs/" + id,
                 json{{"http_headers", {"X-Token:\tvalue with tab"}}}.dump())
                .status,
            200);
}

// Finding 7: the daemon writes files with the caller's umask (0600 when the caller sent none).
TEST_F(DaemonSecurityTest, FilesGetTheCallersUmask) {
  start_daemon();
  const auto mode_after = [&](std::optional<int> umask, const std::string& name) -> unsigned {
    json create{{"name", name}};
    if (umask) create["umask"] = *umask;
    const auto id = download(owner_.get(), nginx_->url("f.bin"), out_of(*owner_) / name,
                             std::nullopt, {}, create);
    EXPECT_EQ(wait_done(owner_.get(), id)["state"], "TRANSFERRED");
    EXPECT_EQ(call(owner_.get(), "POST", "/v1/jobs/" + id + "/complete").status, 200);
    struct stat st {};
    EXPECT_EQ(::stat((out_of(*owner_) / name).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, owner_->uid());
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode_after(077, "private"), 0600u);
  EXPECT_EQ(mode_after(022, "shared"), 0644u);
  EXPECT_EQ(mode_after(std::nullopt, "unsaid"), 0600u);
  EXPECT_EQ(call(owner_.get(), "POST", "/v1/jobs", R"({"name": "x", "umask": 512})").status, 400);
}

// SetNotifyCmdLine in the daemon running as root: the owner's program runs as the owner (uid,
// gid, the owner's groups: never root's group 0), and what it writes belongs to the owner.
TEST_F(DaemonSecurityTest, ANotifyCommandRunsAsTheJobsOwnerNeverAsRoot) {
  start_daemon();
  const auto marker = out_of(*owner_) / "notified";
  const std::string script =
      "id -u > \"$0\" && id -G >> \"$0\" && test \"$(id -u)\" = " + std::to_string(owner_->uid()) +
      " && test \"$(id -g)\" = " + std::to_string(owner_->gid());
  const auto id =
      download(owner_.get(), nginx_->url("f.bin"), out_of(*owner_) / "f.bin", std::nullopt,
               json{{"notify_cmd", {"/bin/sh", "-c", script, marker.string()}}});
  const auto job = wait_job(
      socket(), id, [](const json& j) { return !j["notify_cmd_status"].is_null(); },
      std::chrono::seconds(60), owner_->identity());
  EXPECT_EQ(job["notify_cmd_status"], 0) << job.dump();
  struct stat st {};
  ASSERT_EQ(::stat(marker.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, owner_->uid());
  std::ifstream written(marker);
  std::string uid_line, groups_line;
  std::getline(written, uid_line);
  std::getline(written, groups_line);
  EXPECT_EQ(uid_line, std::to_string(owner_->uid()));
  EXPECT_EQ((" " + groups_line + " ").find(" 0 "), std::string::npos) << groups_line;
  // Another user cannot see the job, let alone give it a command.
  EXPECT_EQ(
      call(intruder_.get(), "PATCH", "/v1/jobs/" + id, json{{"notify_cmd", {"/bin/true"}}}.dump())
          .status,
      404);
}

// notify_command_timeout_ms: the owner's program that outlives it is killed (SIGKILL: status
// 137), whatever uid it runs as.
TEST_F(DaemonSecurityTest, ANotifyCommandThatOutlivesItsTimeoutIsKilled) {
  start_daemon({"--notify-command-timeout-ms", "300"});
  const auto id = download(owner_.get(), nginx_->url("f.bin"), out_of(*owner_) / "f.bin",
                           std::nullopt, json{{"notify_cmd", {"/bin/sleep", "600"}}});
  const auto job = wait_job(
      socket(), id, [](const json& j) { return !j["notify_cmd_status"].is_null(); },
      std::chrono::seconds(60), owner_->identity());
  EXPECT_EQ(job["notify_cmd_status"], 128 + 9) << job.dump();
}

// Finding 9: FOREGROUND skips the background queue, not the limit: one user runs at most
// max_active_jobs foreground jobs at once.
TEST_F(DaemonSecurityTest, ForegroundJobsOfOneUserShareTheActiveLimit) {
  start_daemon({"--max-active-jobs", "2"});
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    // Slow (64 KiB/s for 1 MiB): all four would still run when the scheduler is checked.
    ids.push_back(download(owner_.get(), nginx_->url("f.bin"),
                           out_of(*owner_) / ("fg" + std::to_string(i)), std::nullopt,
                           json{{"priority", "foreground"}, {"max_bytes_per_second", 65536}}));
  }
  const auto running = [&] {
    int count = 0;
    for (const auto& id : ids) {
      const auto state = call(owner_.get(), "GET", "/v1/jobs/" + id).json().value("state", "");
      if (state != "QUEUED" && state != "SUSPENDED") ++count;
    }
    return count;
  };
  // Bounded: 40 looks over about 2 s, each seeing at most two of them started.
  int most = 0;
  for (int look = 0; look < 40; ++look) {
    most = std::max(most, running());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(most, 2);
  // Another user's foreground job is not held back by the owner's.
  const auto other = download(intruder_.get(), nginx_->url("f.bin"), out_of(*intruder_) / "fg",
                              std::nullopt, json{{"priority", "foreground"}});
  EXPECT_EQ(wait_done(intruder_.get(), other)["state"], "TRANSFERRED");
  for (const auto& id : ids) call(owner_.get(), "POST", "/v1/jobs/" + id + "/cancel");
}

// Finding 5: one user cannot take every connection: a limit per user, and slots that only
// root (and the daemon's own user) may use; idle event streams end.
TEST_F(DaemonSecurityTest, OneUserCannotTakeEveryConnection) {
  start_daemon(
      {"--max-connections", "20", "--max-connections-per-user", "10", "--event-idle-seconds", "1"});
  std::vector<HttpConnection> held;
  const auto hold = [&](const TestUser& user) {
    auto connection = HttpConnection::open(socket(), user.identity());
    EXPECT_TRUE(connection) << connection.error();
    held.push_back(std::move(*connection));
  };
  // The intruder's own limit: 10 connections, the 11th is turned away.
  for (int i = 0; i < 10; ++i) hold(*intruder_);
  auto refused = http_request(socket(), "GET", "/v1/status", {}, intruder_->identity());
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("max_connections_per_user"), std::string::npos) << refused->body;
  // Other users may fill the rest but the last two (20 / 8), kept for root.
  for (int i = 0; i < 8; ++i) hold(*owner_);
  refused = http_request(socket(), "GET", "/v1/status", {}, owner_->identity());
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_EQ(refused->status, 503);
  // Root gets in (a refused connection may take a moment to leave the count: bounded retries).
  int root_status = 0;
  for (int attempt = 0; attempt < 50 && root_status != 200; ++attempt) {
    auto root = http_request(socket(), "GET", "/v1/status");
    ASSERT_TRUE(root) << root.error();
    root_status = root->status;
    if (root_status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(root_status, 200);
  held.clear();

  // An event stream that delivers nothing is closed after event_idle_seconds. (The connections
  // just closed may take a moment to leave the daemon's count: bounded retries.)
  std::optional<HttpConnection> stream;
  int stream_status = 0;
  for (int attempt = 0; attempt < 50 && stream_status != 200; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto opened = HttpConnection::open(socket(), intruder_->identity());
    ASSERT_TRUE(opened) << opened.error();
    ASSERT_TRUE(opened->send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    stream_status = opened->read_head().value_or(HttpResponse{}).status;
    stream = std::move(*opened);
  }
  ASSERT_EQ(stream_status, 200);
  EXPECT_TRUE(stream->wait_closed(std::chrono::seconds(10)));
}

// Finding 11: the root daemon fetches from this machine only for root and its own user.
TEST_F(DaemonSecurityTest, LoopbackOriginsOnlyForRootByDefault) {
  auto options = daemon_options(dir_.path());
  const auto flag = std::find(options.args.begin(), options.args.end(), "--allow-loopback-origins");
  ASSERT_NE(flag, options.args.end());
  options.args.erase(flag, flag + 2);  // the default: admin
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  daemon_ = std::move(*daemon);

  const auto port = std::to_string(nginx_->port());
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto id =
        download(owner_.get(), "http://" + host + ":" + port + "/f.bin",
                 out_of(*owner_) / ("via-" + host), std::nullopt, json{{"no_progress_timeout", 0}});
    const auto done = wait_done(owner_.get(), id);
    EXPECT_EQ(done["state"], "ERROR") << host << ": " << done.dump();
    EXPECT_EQ(done["error"].value("kind", ""), "invalid_argument") << done.dump();
    EXPECT_NE(done["error"].value("message", "").find("allow_loopback_origins"), std::string::npos)
        << done.dump();
  }
  const auto root_job = download(nullptr, nginx_->url("f.bin"), dir_.path() / "root-f.bin");
  EXPECT_EQ(wait_done(nullptr, root_job)["state"], "TRANSFERRED");
}

}  // namespace
}  // namespace swarmcopy::test
