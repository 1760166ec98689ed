// Hostile and broken clients: garbage bytes, half-closed connections, huge bodies, slow
// clients, subscribers that never read, a thousand concurrent connections, a per-user request
// rate, and a bounded deterministic fuzz run of mutated requests through the real socket. Each
// gets a clear 4xx (or, for bytes that are no request at all, a closed connection) and the
// daemon keeps serving everybody else.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>

#include <map>
#include <random>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "response_validator.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

class DaemonRobustnessTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--max-request-bytes", "65536", "--io-timeout-seconds", "2",
                                     "--event-queue-limit", "16"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto daemon = DaemonProcess::start(daemon_options(dir_.path(), args));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
  }

  std::filesystem::path socket() const { return dir_.path() / "d.sock"; }

  void expect_alive() {
    ASSERT_TRUE(daemon_->running()) << daemon_->log_text();
    auto status = http_request(socket(), "GET", "/v1/status");
    ASSERT_TRUE(status) << status.error();
    EXPECT_EQ(status->status, 200);
  }

  // Sends `bytes`, closes the sending side, and returns the statuses of every answer before
  // the daemon closed the connection (which it must, within the deadline).
  std::vector<int> send_raw(std::string_view bytes, bool half_close = true) {
    auto connection = HttpConnection::open(socket());
    EXPECT_TRUE(connection) << connection.error();
    if (!connection) return {};
    connection->send(bytes);
    if (half_close) connection->shutdown_write();
    const auto received = connection->read_until_closed(std::chrono::seconds(10));
    std::vector<int> statuses;
    const auto problem = validate_responses(received, statuses);
    EXPECT_EQ(problem, "") << "for " << json(std::string(bytes.substr(0, 100))).dump();
    return statuses;
  }

  TestDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonRobustnessTest, GarbageGetsA4xxAndTheDaemonKeepsServing) {
  start();
  std::mt19937 random(7);
  std::string binary(2048, '\0');
  for (char& c : binary) c = static_cast<char>(random());
  const std::vector<std::string> garbage = {
      binary,
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello
      "GET\r\n\r\n",
      "GET /v1/status HTTP/9.9\r\n\r\n",
      "GET /v1/status HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "GET /v1/status HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "GET /v1/status HTTP/1.1\r\nno colon here\r\n\r\n",
      "POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /v1/status HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
      "GET v1/status HTTP/1.1\r\n\r\n",
      "GET /v1/status HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n",
  };
  for (const auto& bytes : garbage) {
    const auto statuses = send_raw(bytes);
    ASSERT_FALSE(statuses.empty()) << "no answer to " << json(bytes.substr(0, 60)).dump();
    EXPECT_GE(statuses.back(), 400) << json(bytes.substr(0, 60)).dump();
    EXPECT_LT(statuses.back(), 500) << json(bytes.substr(0, 60)).dump();
  }
  expect_alive();
}

TEST_F(DaemonRobustnessTest, HalfClosedConnectionsAreAnsweredOrClosed) {
  start();
  // A whole request, then the client closes its sending side: it still gets its answer.
  EXPECT_EQ(send_raw("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"), std::vector<int>{200});
  // A body cut short by the half-close: 400.
  EXPECT_EQ(send_raw("POST /v1/jobs HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"na"),
            std::vector<int>{400});
  // A header cut short: 400.
  EXPECT_EQ(send_raw("GET /v1/status HTTP/1.1\r\nHo"), std::vector<int>{400});
  // Nothing at all: just closed.
  EXPECT_TRUE(send_raw("").empty());
  // A client that vanishes mid-request (full close, not half).
  for (int i = 0; i < 20; ++i) {
    auto connection = HttpConnection::open(socket());
    ASSERT_TRUE(connection);
    connection->send("POST /v1/jobs HTTP/1.1\r\nContent-Length: 50\r\n\r\n{");
  }
  expect_alive();
}

TEST_F(DaemonRobustnessTest, HugeBodiesAre413) {
  start();
  // Declared over the limit: refused from the header, before any body is read.
  EXPECT_EQ(send_raw("POST /v1/jobs HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n"),
            std::vector<int>{413});
  // Declared and sent: the daemon answers 413 and reads the rest away, so the client can
  // finish writing and read the answer.
  {
    auto connection = HttpConnection::open(socket());
    ASSERT_TRUE(connection);
    const std::string body(4 << 20, 'x');
    ASSERT_TRUE(connection->send(
        "POST /v1/jobs HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
    connection->send(body, std::chrono::seconds(10));
    auto response = connection->read_response();
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->error_kind(), "invalid_argument");
  }
  // Chunked, growing past the limit.
  std::string chunked = "POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 40; ++i) chunked += "1000\r\n" + std::string(0x1000, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  EXPECT_EQ(send_raw(chunked), std::vector<int>{413});
  // Under the limit but deeply nested: parsed without harm, refused as not an object.
  const std::string nested = std::string(30000, '[') + std::string(30000, ']');
  auto response = http_request(socket(), "POST", "/v1/jobs", nested);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  response = http_request(socket(), "POST", "/v1/jobs", std::string(60000, '{'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  expect_alive();
}

TEST_F(DaemonRobustnessTest, SlowClientIsCutOffAndBlocksNobody) {
  start();  // io timeout 2 s
  auto slow = HttpConnection::open(socket());
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->send("GET /v1/sta"));
  auto idle = HttpConnection::open(socket());  // connects, says nothing
  ASSERT_TRUE(idle);
  const auto start_time = SteadyClock::now();
  for (int i = 0; i < 20; ++i) {
    auto response = http_request(socket(), "GET", "/v1/status");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_LT(SteadyClock::now() - start_time, std::chrono::seconds(2));
  EXPECT_TRUE(slow->wait_closed(std::chrono::seconds(6)));
  EXPECT_TRUE(idle->wait_closed(std::chrono::seconds(6)));
  EXPECT_GE(SteadyClock::now() - start_time, std::chrono::milliseconds(1500));
  expect_alive();
}

TEST_F(DaemonRobustnessTest, SubscriberThatDoesNotReadIsDroppedAndOthersKeepReceiving) {
  start();  // event queue limit 16
  const auto id = create_job(socket(), "chatty");
  ASSERT_FALSE(id.empty());
  auto deaf = HttpConnection::open(socket());
  ASSERT_TRUE(deaf);
  ASSERT_TRUE(deaf->send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto listener = HttpConnection::open(socket());
  ASSERT_TRUE(listener);
  ASSERT_TRUE(listener->send("GET /v1/events?job=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(listener->read_head().value_or(HttpResponse{}).status, 200);

  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  bool dropped = false;
  int patches = 0;
  int heard = 0;
  while (!dropped && SteadyClock::now() < deadline) {
    const char* priority = patches % 2 ? "low" : "high";
    auto response =
        http_request(socket(), "PATCH", "/v1/jobs/" + id, json{{"priority", priority}}.dump());
    ASSERT_TRUE(response) << response.error();
    ASSERT_EQ(response->status, 200);
    ++patches;
    // The listener reads as events come (catching up now and then); the deaf one never reads.
    const auto wait =
        patches % 50 == 0 ? std::chrono::milliseconds(2000) : std::chrono::milliseconds(0);
    while (heard < patches && listener->read_line(wait)) ++heard;
    pollfd p{deaf->fd(), POLLRDHUP, 0};
    dropped = ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP)) != 0;
  }
  EXPECT_TRUE(dropped) << "after " << patches << " events the deaf subscriber is still there";
  while (heard < patches && listener->read_line(std::chrono::seconds(5))) ++heard;
  EXPECT_EQ(heard, patches);  // the reading subscriber lost nothing
  std::cout << patches << " events dropped the deaf subscriber\n";
  expect_alive();
}

TEST_F(DaemonRobustnessTest, ThousandConcurrentClientsAreAllServed) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_cur, 2100u) << "the hard RLIMIT_NOFILE is too low for this test";
  start();
  const auto id = create_job(socket(), "shared");
  constexpr int kClients = 1000;
  std::vector<HttpConnection> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    auto connection = HttpConnection::open(socket());
    ASSERT_TRUE(connection) << "client " << i << ": " << connection.error();
    clients.push_back(std::move(*connection));
  }
  // Every connection is open at once; now each sends one request.
  for (int i = 0; i < kClients; ++i) {
    const std::string target = i % 3 == 0   ? "/v1/status"
                               : i % 3 == 1 ? "/v1/jobs"
                                            : "/v1/jobs/" + id;
    ASSERT_TRUE(clients[i].send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n")) << i;
  }
  int ok = 0;
  for (int i = 0; i < kClients; ++i) {
    auto response = clients[i].read_response(std::chrono::seconds(30));
    ASSERT_TRUE(response) << "client " << i << ": " << response.error();
    if (response->status == 200) ++ok;
  }
  EXPECT_EQ(ok, kClients);
  clients.clear();
  expect_alive();
}

TEST_F(DaemonRobustnessTest, RequestRateIsLimitedPerUserWith429) {
  start({"--requests-per-second", "5", "--request-burst", "5"});
  int ok = 0;
  int limited = 0;
  HttpResponse refusal;
  for (int i = 0; i < 20; ++i) {
    auto response = http_request(socket(), "GET", "/v1/status");
    ASSERT_TRUE(response);
    if (response->status == 200) ++ok;
    if (response->status == 429) ++limited, refusal = *response;
  }
  // The burst (less the readiness probe's token), plus what refilled meanwhile.
  EXPECT_GE(ok, 4);
  EXPECT_LE(ok, 8);
  EXPECT_EQ(ok + limited, 20);
  EXPECT_EQ(refusal.error_kind(), "limit_exceeded");
  EXPECT_EQ(refusal.header("retry-after"), "1");
  // Tokens come back.
  int status = 0;
  wait_until(
      [&] {
        status = http_request(socket(), "GET", "/v1/status").value_or(HttpResponse{}).status;
        return status == 200;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  EXPECT_EQ(status, 200);
}

// Mutations of valid requests (flip, insert, delete, duplicate, truncate) with a fixed seed,
// through the real socket: no crash, and every answer well formed or the connection closed.
TEST_F(DaemonRobustnessTest, FuzzedRequestsNeverCrashTheDaemon) {
  start({"--max-jobs-per-user", "100000"});
  const auto id = create_job(socket(), "fuzz target");
  ASSERT_FALSE(id.empty());
  const auto out = (dir_.path() / "fuzz-out").string();
  std::filesystem::create_directories(out);
  const auto post = [](const std::string& target, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: swarmcopy\r\nContent-Type: application/json\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::vector<std::string> templates = {
      "GET /v1/status HTTP/1.1\r\nHost: swarmcopy\r\n\r\n",
      "GET /v1/jobs?all=1 HTTP/1.1\r\nHost: swarmcopy\r\nConnection: keep-alive\r\n\r\n",
      "GET /v1/jobs/" + id + " HTTP/1.1\r\nHost: swarmcopy\r\n\r\n",
      post("/v1/jobs", R"({"name": "fuzzed", "type": "DOWNLOAD"})"),
      post("/v1/jobs/" + id + "/files", R"({"files": [{"url": "http://127.0.0.1:9/f", "path": ")" +
                                            out + R"(/f", "sha256": null}]})"),
      post("/v1/jobs/" + id + "/suspend", "{}"),
      post("/v1/jobs/" + id + "/resume", ""),
      "PATCH /v1/jobs/" + id + " HTTP/1.1\r\nContent-Length: 63\r\n\r\n" +
          R"({"priority": "low", "notify_flags": 3, "http_headers": ["A: b"]})",
      "POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"name\": "
      "\"chunk\"\r\n1\r\n}\r\n0\r\n\r\n",
      "GET /v1/events?job=" + id + "&all=1 HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  std::mt19937 random(20261126);
  const auto pick = [&random](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  constexpr int kRequests = 5000;
  int answered = 0;
  std::map<int, int> histogram;
  for (int round = 0; round < kRequests; ++round) {
    std::string bytes = templates[pick(templates.size())];
    const int mutations = 1 + static_cast<int>(pick(4));
    for (int m = 0; m < mutations && !bytes.empty(); ++m) {
      const auto at = pick(bytes.size());
      switch (pick(5)) {
        case 0:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << pick(8)));
          break;
        case 1:
          bytes.insert(at, 1, static_cast<char>(random()));
          break;
        case 2:
          bytes.erase(at, 1 + pick(4));
          break;
        case 3:
          bytes.insert(at, bytes.substr(at, 1 + pick(16)));
          break;
        default:
          bytes.resize(at);
          break;
      }
    }
    auto connection = HttpConnection::open(socket());
    ASSERT_TRUE(connection) << "round " << round << ": " << connection.error();
    connection->send(bytes);
    connection->shutdown_write();
    const auto received = connection->read_until_closed(std::chrono::seconds(10));
    std::vector<int> statuses;
    const auto problem = validate_responses(received, statuses);
    ASSERT_EQ(problem, "") << "round " << round << " sent " << json(bytes).dump();
    if (!statuses.empty()) ++answered;
    for (const int status : statuses) ++histogram[status];
    ASSERT_TRUE(daemon_->running()) << "round " << round << " sent " << json(bytes).dump();
  }
  EXPECT_GT(answered, kRequests / 2);
  for (const auto& [status, count] : histogram) std::cout << status << ": " << count << "\n";
  expect_alive();
}

}  // namespace
}  // namespace swarmcopy::test
