// The activity page end to end: the real swarmcopyd (system mode, as root) with http_listen on
// a free loopback port, a real nginx as the origin, a second real local user, and Debian's
// headless Chromium loading the page. Checked: the DOM shows this month's bytes by source and
// the savings ratio; the TCP page names no job (no URL, path, name or owner: TCP carries no
// uid); every request the page made went to the daemon (Chromium's net log); through the socket
// each user sees their own jobs and root every job, HTML-escaped. A screenshot is taken (and
// copied to $SWARMCOPY_ACTIVITY_SCREENSHOT when set: the README's picture).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "test_dir/test_dir.h"
#include "test_user.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 6 << 20;
constexpr const char* kChromium = "/usr/bin/chromium";
// Names no page may show but their owner's (and root's) socket view.
constexpr const char* kOtherJob = "other-users-secret-job";
constexpr const char* kRootLiveJob = "root-live-job";
constexpr const char* kHostileName = "<script>alert(1)</script>";

std::uint16_t free_tcp_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// The status of one GET to 127.0.0.1:port, bounded by 5 s; 0 when it failed.
int tcp_status(std::uint16_t port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(5s);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return static_cast<int>(response.result_int());
  } catch (const std::exception&) {
    return 0;
  }
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Browsed {
  ChildResult result;
  std::string dom;
  // URLs of the requests the page's own frame made (its network isolation key is the page's
  // site); Chromium's own background requests (updates, time) are not the page's.
  std::vector<std::string> page_requests;
};

class DaemonActivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "a system-mode daemon and a second user need root";
    if (!fs::exists(kChromium)) {
      GTEST_SKIP() << kChromium
                   << " is absent: install Debian's chromium (scripts/install-deps.sh)";
    }
    auto other = TestUser::create();
    ASSERT_TRUE(other) << other.error();
    other_ = std::move(*other);
    // The other user must reach the socket and write in its own directory.
    fs::permissions(dir_.path(), fs::perms(0755));
    fs::create_directories(dir_.path() / "www");
    fs::create_directories(dir_.path() / "out");
    fs::create_directories(dir_.path() / "other-out");
    ASSERT_EQ(::chown((dir_.path() / "other-out").c_str(), other_->uid(), other_->gid()), 0);
    auto sha = write_test_file(dir_.path() / "www" / "f.bin", kSize, 21);
    ASSERT_TRUE(sha) << sha.error();
    sha_ = *sha;
    // The live job's own content: not in the cache, so it really transfers from the origin.
    auto live_sha = write_test_file(dir_.path() / "www" / "live.bin", kSize, 22);
    ASSERT_TRUE(live_sha) << live_sha.error();
    live_sha_ = *live_sha;
    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
    port_ = free_tcp_port();
    auto daemon =
        DaemonProcess::start(daemon_options(dir_.path(), {"--http-listen", std::to_string(port_)}));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
    daemon_.reset();  // before the user goes: nothing of theirs may be running
  }

  fs::path socket() const { return dir_.path() / "d.sock"; }

  HttpResponse call(std::string_view method, const std::string& target, std::string_view body = {},
                    std::optional<Identity> as = {}) {
    auto response = http_request(socket(), method, target, body, as);
    EXPECT_TRUE(response) << method << " " << target << ": " << response.error();
    return response.value_or(HttpResponse{});
  }

  // A job of f.bin (or live.bin when `live`) to `path`, http-only; resumed unless `start` is
  // false. Its id.
  std::string add_job(const std::string& name, const fs::path& path, std::uint64_t rate = 0,
                      bool start = true, std::optional<Identity> as = {}, bool live = false) {
    const auto id = create_job(socket(), name, as);
    EXPECT_FALSE(id.empty());
    if (rate > 0) {
      EXPECT_EQ(
          call("PATCH", "/v1/jobs/" + id, json{{"max_bytes_per_second", rate}}.dump(), as).status,
          200);
    }
    const json files = {{"files",
                         {{{"url", nginx_->url(live ? "live.bin" : "f.bin")},
                           {"path", path.string()},
                           {"sha256", live ? live_sha_ : sha_},
                           {"mode", "http-only"}}}}};
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump(), as).status, 200);
    if (start) {
      EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/resume", {}, as).status, 200);
    }
    return id;
  }

  json download(const std::string& name, const std::string& file) {
    const auto id = add_job(name, dir_.path() / "out" / file);
    auto job = wait_job(socket(), id, in_state("TRANSFERRED"), 60s);
    EXPECT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
    return job;
  }

  // Headless Chromium loads `url`: its DOM after load, a screenshot in `tag`.png, and the
  // requests the page made (from its net log). Bounded by 90 s.
  Browsed browse(const std::string& url, const std::string& tag) {
    const auto net_log = dir_.path() / (tag + "-net.json");
    Browsed browsed;
    browsed.result = run_child(
        {kChromium, "--headless", "--no-sandbox", "--disable-gpu",
         // A container's /dev/shm is often too small for Chromium's shared memory.
         "--disable-dev-shm-usage", "--no-first-run",
         "--user-data-dir=" + (dir_.path() / (tag + "-profile")).string(),
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps",
         // Nothing could leave the machine anyway: every name but loopback fails to resolve.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--log-net-log=" + net_log.string(), "--window-size=1100,1000",
         "--screenshot=" + (dir_.path() / (tag + ".png")).string(), "--dump-dom", url},
        dir_.path(), 90s);
    browsed.dom = browsed.result.out;
    const auto log = json::parse(read_file(net_log), nullptr, false);
    if (log.is_discarded()) return browsed;
    const auto& types = log["constants"]["logEventTypes"];
    const int start_job = types.value("URL_REQUEST_START_JOB", -1);
    for (const auto& event : log["events"]) {
      if (event.value("type", -2) != start_job || !event.contains("params")) continue;
      const auto& params = event["params"];
      const std::string key = params.value("network_isolation_key", "");
      // The page's frame: a key of the page's site (http://127.0.0.1 or file://).
      if (key.starts_with("http://127.0.0.1 ") || key.starts_with("file://")) {
        browsed.page_requests.push_back(params.value("url", ""));
      }
    }
    return browsed;
  }

  TestDir dir_;
  std::unique_ptr<TestUser> other_;
  std::string sha_;
  std::string live_sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::uint16_t port_ = 0;
};

TEST_F(DaemonActivityTest, ChromiumSeesTotalsButNoJobAndFetchesOnlyFromTheDaemon) {
  // This month: one file from the origin, the same again from the cache (savings 50%).
  const auto first = download("a", "a.bin");
  ASSERT_EQ(first["from_origin"], kSize) << first.dump();
  ASSERT_EQ(call("POST", "/v1/jobs/" + first["id"].get<std::string>() + "/complete").status, 200);
  const auto second = download(kHostileName, "b.bin");
  ASSERT_EQ(second["from_cache"], kSize) << second.dump();
  // Live: root's slow transfer (about 48 s at 128 KiB/s) and the other user's suspended job.
  const auto live =
      add_job(kRootLiveJob, dir_.path() / "out" / "live.bin", 128 << 10, true, {}, true);
  const auto other_job =
      add_job(kOtherJob, dir_.path() / "other-out" / "secret.bin", 0, false, other_->identity());
  ASSERT_FALSE(other_job.empty());
  wait_job(
      socket(), live, [](const json& job) { return job.value("bytes_transferred", 0) > 0; }, 30s);

  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  const auto page = browse(origin + "/", "tcp");
  ASSERT_EQ(page.result.exit_code, 0) << page.result.err;
  const auto& dom = page.dom;
  EXPECT_NE(dom.find(R"(id="month-origin" data-bytes=")" + std::to_string(kSize) + "\""),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find(R"(id="month-cache" data-bytes=")" + std::to_string(kSize) + "\""),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find(R"(id="month-received" data-bytes=")" + std::to_string(2 * kSize) + "\""),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find(R"(<span id="month-savings" class="big">50.0%</span>)"), std::string::npos)
      << dom;
  EXPECT_NE(dom.find("<svg id=\"chart\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("TRANSFERRING 1"), std::string::npos) << dom;  // counts only
  // No job of anyone: no name, URL, path, id or owner.
  for (const std::string& secret :
       {std::string(kOtherJob), std::string(kRootLiveJob), std::string("alert(1)"),
        std::string("f.bin"), std::string("live.bin"), std::string("secret.bin"),
        dir_.path().string(), other_job, live, first["id"].get<std::string>(),
        std::to_string(other_->uid())}) {
    EXPECT_EQ(dom.find(secret), std::string::npos) << secret << " in\n" << dom;
  }
  // Every request of the page went to the daemon: the page itself, nothing else.
  ASSERT_FALSE(page.page_requests.empty()) << "no request seen in the net log";
  for (const auto& url : page.page_requests) {
    EXPECT_TRUE(url.starts_with(origin + "/")) << "the page fetched " << url;
  }
  // A PNG: its signature's "PNG" and more than a header.
  const auto screenshot = read_file(dir_.path() / "tcp.png");
  EXPECT_GT(screenshot.size(), 1000u);
  EXPECT_EQ(screenshot.substr(1, 3), "PNG");

  // Through the socket: the other user sees their own job only.
  const auto theirs = call("GET", "/activity", {}, other_->identity());
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(theirs.body.find(kOtherJob), std::string::npos) << theirs.body;
  EXPECT_NE(theirs.body.find("secret.bin"), std::string::npos) << theirs.body;
  EXPECT_EQ(theirs.body.find(kRootLiveJob), std::string::npos) << theirs.body;
  EXPECT_EQ(theirs.body.find("alert(1)"), std::string::npos) << theirs.body;
  // Root sees every live job, names escaped.
  const auto roots = call("GET", "/activity");
  ASSERT_EQ(roots.status, 200);
  EXPECT_NE(roots.body.find(kOtherJob), std::string::npos) << roots.body;
  EXPECT_NE(roots.body.find(kRootLiveJob), std::string::npos) << roots.body;
  EXPECT_NE(roots.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos)
      << roots.body;
  EXPECT_EQ(roots.body.find(kHostileName), std::string::npos) << roots.body;
  // The acknowledged job is no longer live.
  EXPECT_EQ(roots.body.find(first["id"].get<std::string>()), std::string::npos) << roots.body;

  // Root's page as Chromium renders it (saved from the socket: Chromium speaks no UNIX
  // sockets): the screenshot of the README, and a page that still fetches nothing.
  const auto saved = dir_.path() / "root-activity.html";
  std::ofstream(saved) << roots.body;
  const auto rendered = browse("file://" + saved.string(), "socket");
  ASSERT_EQ(rendered.result.exit_code, 0) << rendered.result.err;
  EXPECT_NE(rendered.dom.find(kRootLiveJob), std::string::npos) << rendered.dom;
  EXPECT_EQ(rendered.dom.find("<script>"), std::string::npos) << rendered.dom;
  for (const auto& url : rendered.page_requests) {
    EXPECT_EQ(url, "file://" + saved.string()) << "the page fetched " << url;
  }
  if (const char* copy = std::getenv("SWARMCOPY_ACTIVITY_SCREENSHOT"); copy && *copy) {
    fs::copy_file(dir_.path() / "socket.png", copy, fs::copy_options::overwrite_existing);
  }

  // TCP serves the page and nothing else.
  EXPECT_EQ(tcp_status(port_, "/activity"), 200);
  for (const char* path : {"/v1/jobs", "/metrics", "/v1/status"}) {
    EXPECT_EQ(tcp_status(port_, path), 404) << path;
  }
}

}  // namespace
}  // namespace swarmcopy::test
