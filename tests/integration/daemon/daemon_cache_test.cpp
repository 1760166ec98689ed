// The daemon's content cache end to end: the real swarmcopyd (system mode, as root) on a socket
// in a temp dir, a real nginx as the origin. What a job verified is listed by /v1/cache and by
// `swarmcopy cache` (the built binary) going through the daemon that holds the state
// directory; clear empties it, so the next download asks the origin again; another local user
// may look but not prune or clear.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"
#include "test_user.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 2 << 20;

class DaemonCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "a system-mode daemon and a second local user need root";
    // Another user must reach the socket inside the test dir.
    fs::permissions(dir_.path(), fs::perms(0755));
    fs::create_directories(dir_.path() / "www");
    fs::create_directories(dir_.path() / "out");
    auto sha = write_test_file(dir_.path() / "www" / "f.bin", kSize, 11);
    ASSERT_TRUE(sha) << sha.error();
    sha_ = *sha;
    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
    auto daemon = DaemonProcess::start(daemon_options(dir_.path()));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
    daemon_.reset();  // before a test user goes: nothing of theirs may be running
  }

  fs::path socket() const { return dir_.path() / "d.sock"; }
  fs::path state_dir() const { return dir_.path() / "state"; }
  std::string key() const { return "sha256-" + sha_; }

  HttpResponse call(std::string_view method, const std::string& target, std::string_view body = {},
                    std::optional<Identity> as = {}) {
    auto response = http_request(socket(), method, target, body, as);
    EXPECT_TRUE(response) << method << " " << target << ": " << response.error();
    return response.value_or(HttpResponse{});
  }

  // f.bin to out/NAME through the daemon, verified against its SHA-256 (only verified files
  // are cached), over HTTP only; the job as it was when TRANSFERRED.
  json download(const std::string& name) {
    const auto created = call("POST", "/v1/jobs", json{{"name", name}}.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = created.json().value("id", "");
    const json files = {{"files",
                         {{{"url", nginx_->url("f.bin")},
                           {"path", (dir_.path() / "out" / name).string()},
                           {"sha256", sha_},
                           {"mode", "http-only"}}}}};
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump()).status, 200);
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
    auto job = wait_job(socket(), id, in_state("TRANSFERRED"), 60s);
    EXPECT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/complete").status, 200);
    return job;
  }

  // What nginx logged for f.bin, once it reaches `expected` or after 10 s. nginx logs a request
  // when it has sent the answer, which may be a moment after the job saw the last byte; the
  // daemon keeps its connections open, so waiting for nginx to be idle is no option.
  std::uint64_t origin_bytes_sent(std::uint64_t expected) {
    std::uint64_t sent = 0;
    wait_until(
        [&] {
          sent = nginx_->body_bytes_sent("/f.bin");
          return sent >= expected;
        },
        10s, 20ms);
    return sent;
  }

  // The built `swarmcopy` with `env` added to ours; bounded.
  ChildResult cli(std::vector<std::string> args,
                  std::vector<std::pair<std::string, std::string>> env = {}) {
    args.insert(args.begin(), SWARMCOPY_CLI_PATH);
    auto child = ChildProcess::spawn(args, {.cwd = dir_.path(), .env = env});
    if (!child) return ChildResult{-1, false, "", "spawn failed: " + child.error()};
    return (*child)->wait(60s);
  }

  static json json_of(const ChildResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out, nullptr, false);
  }

  TestDir dir_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonCacheTest, ClearedContentIsFetchedFromTheOriginAgain) {
  const auto first = download("a");
  EXPECT_EQ(first["from_origin"], kSize);
  // The file and the engine's probe of its identity (a byte or so).
  const auto per_download = origin_bytes_sent(kSize);
  EXPECT_GE(per_download, kSize);
  EXPECT_LT(per_download, kSize + 4096);

  const auto list = call("GET", "/v1/cache");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto items = list.json()["items"];
  ASSERT_EQ(items.size(), 1u) << list.body;
  EXPECT_EQ(items[0]["key"], key());
  EXPECT_EQ(items[0]["bytes"], kSize);
  EXPECT_EQ(items[0]["verified"], true);
  EXPECT_EQ(items[0]["partial"], false);
  EXPECT_TRUE(items[0]["added"].is_string()) << list.body;
  EXPECT_TRUE(items[0]["last_used"].is_string()) << list.body;

  const auto stats = call("GET", "/v1/cache/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.json()["items"], 1);
  EXPECT_EQ(stats.json()["bytes"], kSize);
  EXPECT_EQ(fs::path(stats.json().value("dir", "")), state_dir() / "cache");

  // Within the limits (3 days, a tenth of the disk), prune keeps it.
  const auto pruned = call("POST", "/v1/cache/prune");
  ASSERT_EQ(pruned.status, 200) << pruned.body;
  EXPECT_EQ(pruned.json()["freed_bytes"], 0);
  EXPECT_EQ(pruned.json()["stats"]["items"], 1);

  // The control: while cached, the same content does not touch the origin.
  const auto second = download("b");
  EXPECT_EQ(second["from_cache"], kSize);
  EXPECT_EQ(second["from_origin"], 0);
  EXPECT_EQ(nginx_->body_bytes_sent("/f.bin"), per_download);

  const auto cleared = call("POST", "/v1/cache/clear", "{}");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["freed_bytes"], kSize);
  EXPECT_EQ(cleared.json()["stats"]["items"], 0);
  EXPECT_EQ(cleared.json()["stats"]["bytes"], 0);
  EXPECT_TRUE(call("GET", "/v1/cache").json()["items"].empty());

  const auto third = download("c");
  EXPECT_EQ(third["from_cache"], 0);
  EXPECT_EQ(third["from_origin"], kSize);
  EXPECT_EQ(origin_bytes_sent(2 * per_download), 2 * per_download);
  EXPECT_EQ(sha256_file(dir_.path() / "out" / "c").value_or(""), sha_);
}

TEST_F(DaemonCacheTest, ClearKeepsWhatASeedingSwarmHolds) {
  // Metadata beside the file: the daemon joins the file's swarm and, once done, keeps seeding
  // it from the cache for an hour, holding a pin on the item.
  const auto published = cli({"publish", (dir_.path() / "www" / "f.bin").string()});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  daemon_.reset();
  auto daemon = DaemonProcess::start(
      daemon_options(dir_.path(), {"--local-discovery", "false", "--peer-listen", "127.0.0.1:0",
                                   "--seed-time-seconds", "3600"}));
  ASSERT_TRUE(daemon) << daemon.error();
  daemon_ = std::move(*daemon);

  const auto created = call("POST", "/v1/jobs", R"({"name": "seeded"})");
  const std::string id = created.json().value("id", "");
  const json files = {
      {"files", {{{"url", nginx_->url("f.bin")}, {"path", (dir_.path() / "out" / "s").string()}}}}};
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump()).status, 200);
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  const auto job = wait_job(socket(), id, in_state("TRANSFERRED"), 60s);
  ASSERT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/complete").status, 200);

  const auto before = call("GET", "/v1/cache").json()["items"];
  std::vector<std::string> pinned;
  for (const auto& item : before) {
    if (item.value("pins", 0) > 0) pinned.push_back(item["key"]);
  }
  ASSERT_FALSE(pinned.empty()) << "no item pinned by the seeding swarm: " << before.dump();

  const auto cleared = call("POST", "/v1/cache/clear");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["stats"]["pinned_items"], pinned.size());
  std::vector<std::string> left;
  const auto after = call("GET", "/v1/cache").json();  // kept alive: the loop walks into it
  for (const auto& item : after["items"]) left.push_back(item["key"]);
  EXPECT_EQ(left, pinned) << "clear removed an item in use, or kept one that was not: "
                          << cleared.body << " before: " << before.dump();
}

TEST_F(DaemonCacheTest, ABadCallIsRefusedAndChangesNothing) {
  download("a");
  const auto with_body = call("POST", "/v1/cache/clear", R"({"all": true})");
  EXPECT_EQ(with_body.status, 400) << with_body.body;
  EXPECT_EQ(with_body.error_kind(), "invalid_argument");
  EXPECT_EQ(call("GET", "/v1/cache/clear").status, 405);
  EXPECT_EQ(call("GET", "/v1/cache?all=1").status, 400);
  EXPECT_EQ(call("GET", "/v1/cache/stats").json()["items"], 1);
}

TEST_F(DaemonCacheTest, CacheCommandGoesThroughTheDaemonThatHoldsTheStateDirectory) {
  download("a");
  // No --socket: the state directory is locked, and the daemon at $SWARMCOPY_SOCKET says it
  // is its cache.
  const std::vector<std::pair<std::string, std::string>> env = {
      {"SWARMCOPY_SOCKET", socket().string()}};
  const auto home = state_dir().string();

  const auto list = json_of(cli({"cache", "list", "--json", "--home", home}, env));
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0]["key"], key());
  EXPECT_EQ(list[0]["bytes"], kSize);
  EXPECT_EQ(list[0]["verified"], true);
  EXPECT_GT(list[0]["last_used"].get<std::int64_t>(), 0);

  const auto stats = json_of(cli({"cache", "stats", "--json", "--home", home}, env));
  EXPECT_EQ(stats["items"], 1);
  EXPECT_EQ(stats["bytes"], kSize);
  EXPECT_EQ(stats["pinned_items"], 0);
  const auto text = cli({"cache", "stats", "--home", home}, env);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("1 items, 2.0 MiB of ", 0), 0u) << text.out;

  // --socket names the daemon directly (no --home, no variable).
  const auto by_socket = json_of(cli({"cache", "list", "--json", "--socket", socket().string()}));
  ASSERT_EQ(by_socket.size(), 1u);
  EXPECT_EQ(by_socket[0]["key"], key());

  const auto cleared = json_of(cli({"cache", "clear", "--json", "--home", home}, env));
  EXPECT_EQ(cleared["freed_bytes"], kSize);
  EXPECT_EQ(cleared["items"], 0);
  EXPECT_TRUE(json_of(cli({"cache", "list", "--json", "--daemon"}, env)).empty());
  EXPECT_EQ(call("GET", "/v1/cache/stats").json()["items"], 0);
}

TEST_F(DaemonCacheTest, CacheCommandSaysSoWhenNoDaemonCanHelp) {
  // A directory another process holds, while the daemon that answers uses its own.
  TestDir other;
  auto engine = engine::open_local(other.path());
  ASSERT_TRUE(engine) << engine.error().describe();
  const auto held = cli({"cache", "stats", "--home", other.path().string()},
                        {{"SWARMCOPY_SOCKET", socket().string()}});
  EXPECT_EQ(held.exit_code, 2) << held.err;
  EXPECT_NE(held.err.find("in use"), std::string::npos) << held.err;
  EXPECT_NE(held.err.find((state_dir() / "cache").string()), std::string::npos) << held.err;
  EXPECT_EQ(held.err.find('\n'), held.err.size() - 1) << held.err;  // one line
  EXPECT_TRUE(held.out.empty()) << held.out;

  // A socket nobody listens on.
  const auto gone = dir_.path() / "nobody.sock";
  const auto refused = cli({"cache", "list", "--socket", gone.string()});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find(gone.string()), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find('\n'), refused.err.size() - 1) << refused.err;

  // --home and --daemon contradict each other: a usage error, not a guess.
  EXPECT_EQ(cli({"cache", "list", "--daemon", "--home", other.path().string()}).exit_code, 1);
}

// Another user sees the totals but not root's items (a key names content: issue 19), and may
// neither prune nor clear.
TEST_F(DaemonCacheTest, AnotherUserMayLookButNotPruneOrClear) {
  auto user = TestUser::create();
  ASSERT_TRUE(user) << user.error();
  download("a");

  const auto list = call("GET", "/v1/cache", {}, (*user)->identity());
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["items"].size(), 0u);
  EXPECT_EQ(call("GET", "/v1/cache").json()["items"].size(), 1u);
  EXPECT_EQ(call("GET", "/v1/cache/stats", {}, (*user)->identity()).json()["items"], 1);

  for (const std::string target : {"/v1/cache/prune", "/v1/cache/clear"}) {
    const auto refused = call("POST", target, {}, (*user)->identity());
    EXPECT_EQ(refused.status, 403) << target << ": " << refused.body;
    EXPECT_EQ(refused.error_kind(), "invalid_state") << refused.body;
  }
  EXPECT_EQ(call("GET", "/v1/cache/stats").json()["items"], 1);  // still there

  // Root, the administrator, may.
  const auto cleared = call("POST", "/v1/cache/clear");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["freed_bytes"], kSize);
}

}  // namespace
}  // namespace swarmcopy::test
