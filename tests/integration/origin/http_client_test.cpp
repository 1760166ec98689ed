// HttpClient against FaultServer: every guarantee of origin/http_client.h, one failure mode
// at a time. Each test drives the io_context on the test thread until a condition holds or a
// deadline passes; only the stall test waits for a timeout to expire, by design.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fault_server/fault_server.h"
#include "swarmcopy/origin/http_client.h"
#include "wait/wait_until.h"

namespace swarmcopy::engine::origin {
namespace {

using namespace std::chrono_literals;
using test::Fault;
using test::FaultServer;

constexpr std::string_view kLastModified = "Wed, 21 Oct 2015 07:28:00 GMT";

// Deterministic bytes where every offset differs from its neighbours, so a shifted or
// reordered delivery cannot compare equal by accident.
std::string make_body(std::size_t size, std::uint32_t seed = 1) {
  std::string body(size, '\0');
  std::uint32_t state = seed * 2654435761u + 1;
  for (auto& c : body) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return body;
}

std::string describe(const FetchError& error) {
  return std::string(api::to_string(error.error.kind)) + " " + std::to_string(error.error.code) +
         " (" + (error.transient ? "transient" : "permanent") + "): " + error.error.message;
}

// What one fetch delivered.
struct Sink {
  std::string bytes;        // delivered bytes, in delivery order
  std::uint64_t begin = 0;  // offset of bytes[0]
  bool in_order = true;     // every call continued exactly where the previous one ended
  int data_calls = 0;
  int done_calls = 0;
  std::optional<std::expected<void, FetchError>> result;
  bool done() const { return done_calls > 0; }
};

HttpClient::OnData collect(Sink& sink) {
  return [&sink](std::uint64_t offset, std::span<const char> bytes) -> api::Result<void> {
    if (sink.data_calls++ == 0) sink.begin = offset;
    if (offset != sink.begin + sink.bytes.size()) sink.in_order = false;
    sink.bytes.append(bytes.data(), bytes.size());
    return {};
  };
}

HttpClient::OnDone finish(Sink& sink) {
  return [&sink](std::expected<void, FetchError> result) {
    ++sink.done_calls;
    sink.result = std::move(result);
  };
}

class OriginHttpClient : public ::testing::Test {
 protected:
  void SetUp() override {
    // The origin is on loopback: a proxy from the environment must not get in the way.
    ::setenv("no_proxy", "127.0.0.1", 1);
    body_ = make_body(256 * 1024);
    server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  }

  HttpClient& client() {
    if (!client_) client_ = std::make_unique<HttpClient>(io_, options_);
    return *client_;
  }

  // Runs the io_context until `done()` or `limit` passed. False on timeout (or when nothing is
  // left to run and `done()` still does not hold).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    return test::run_until(io_, done, limit);
  }

  // Runs whatever is queued (aborted waits, late completions) until the io_context is idle.
  void drain() {
    io_.restart();
    io_.run_for(2s);  // returns as soon as no work is left
  }

  std::expected<RemoteIdentity, FetchError> probe(const std::string& url) {
    std::optional<std::expected<RemoteIdentity, FetchError>> result;
    client().probe(url, {}, [&](auto outcome) { result = std::move(outcome); });
    EXPECT_TRUE(run_until([&] { return result.has_value(); })) << "probe did not finish";
    if (!result) return std::unexpected(FetchError{});
    return *result;
  }

  RangeRequest range(std::uint64_t begin, std::uint64_t end, std::string path = "/file") {
    RangeRequest request;
    request.url = server_.url(path);
    request.begin = begin;
    request.end = end;
    return request;
  }

  RemoteIdentity identity() const {
    return RemoteIdentity{body_.size(), "\"e1\"", std::string(kLastModified), true, std::nullopt};
  }

  void fetch(const RangeRequest& request, Sink& sink, std::chrono::milliseconds limit = 10s) {
    client().fetch(request, collect(sink), finish(sink));
    ASSERT_TRUE(run_until([&] { return sink.done(); }, limit)) << "fetch did not finish";
  }

  FetchError fetch_error(const RangeRequest& request, Sink& sink) {
    fetch(request, sink);
    if (!sink.result || sink.result->has_value()) {
      ADD_FAILURE() << "the fetch should have failed";
      return FetchError{};
    }
    return sink.result->error();
  }

  boost::asio::io_context io_;
  FaultServer server_;
  HttpClient::Options options_;
  std::unique_ptr<HttpClient> client_;  // after io_: destroyed first
  std::string body_;
};

TEST_F(OriginHttpClient, ProbeLearnsSizeEtagAndRangeSupport) {
  auto result = probe(server_.url("/file"));
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_EQ(*result, identity());
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].range, "bytes=0-0");
  EXPECT_EQ(requests[0].accept_encoding, "identity");
  EXPECT_EQ(requests[0].user_agent, options_.user_agent);
}

TEST_F(OriginHttpClient, ProbeWithoutRangeSupportUsesContentLengthAndSkipsTheBody) {
  body_ = make_body(8 * 1024 * 1024);
  server_.set_content(body_, "\"big\"", std::string(kLastModified));
  server_.set_fault("/file", Fault::ignore_range());
  auto result = probe(server_.url("/file"));
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_FALSE(result->accepts_ranges);
  EXPECT_EQ(result->size, body_.size());
  EXPECT_EQ(result->etag, "\"big\"");
  EXPECT_EQ(client().active_requests(), 0u);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OriginHttpClient, ProbeOfAnEmptyFileReportsSizeZero) {
  server_.set_content("", "\"empty\"", std::string(kLastModified));
  auto result = probe(server_.url("/empty"));
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_EQ(result->size, 0u);  // from "416, Content-Range: bytes */0"
}

TEST_F(OriginHttpClient, RangedFetchDeliversExactBytesAtTheirOffsets) {
  const std::uint64_t size = body_.size();
  const std::pair<std::uint64_t, std::uint64_t> ranges[] = {
      {0, 1}, {0, 1000}, {12345, 67890}, {size - 10, size}, {0, size}};
  for (const auto& [begin, end] : ranges) {
    SCOPED_TRACE(std::to_string(begin) + "-" + std::to_string(end));
    RangeRequest request = range(begin, end);
    request.expected = identity();
    Sink sink;
    fetch(request, sink);
    ASSERT_TRUE(sink.result && *sink.result) << describe(sink.result->error());
    EXPECT_EQ(sink.begin, begin);
    EXPECT_TRUE(sink.in_order);
    EXPECT_EQ(sink.bytes.size(), end - begin);
    EXPECT_TRUE(sink.bytes == body_.substr(begin, end - begin));
    EXPECT_EQ(server_.requests().back().range,
              "bytes=" + std::to_string(begin) + "-" + std::to_string(end - 1));
  }
  EXPECT_EQ(client().active_requests(), 0u);
}

// RequestOptions::proxy: the request goes to the proxy in absolute form (the origin's name is
// never resolved here: .invalid cannot be), the environment's no_proxy notwithstanding.
TEST_F(OriginHttpClient, AProxyCarriesTheRequestInAbsoluteForm) {
  FaultServer proxy;
  proxy.set_content(body_, "\"e1\"", std::string(kLastModified));
  RangeRequest request = range(100, 2000);
  request.url = "http://origin.invalid:8080/file";
  request.expected = identity();
  request.options.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  request.options.no_proxy = "";
  Sink sink;
  fetch(request, sink);
  ASSERT_TRUE(sink.result && *sink.result) << describe(sink.result->error());
  EXPECT_TRUE(sink.bytes == body_.substr(100, 1900));
  const auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "http://origin.invalid:8080/file");
  EXPECT_EQ(seen[0].range, "bytes=100-1999");
  EXPECT_TRUE(server_.requests().empty());
}

// proxy "" (a job's `none`): direct, though the environment names a proxy for every host.
TEST_F(OriginHttpClient, AnEmptyProxyGoesDirectWhateverTheEnvironmentSays) {
  FaultServer proxy;
  const char* old_no_proxy = std::getenv("no_proxy");
  const std::string saved = old_no_proxy ? old_no_proxy : "";
  ::unsetenv("no_proxy");
  ::setenv("http_proxy", ("http://127.0.0.1:" + std::to_string(proxy.port())).c_str(), 1);
  RangeRequest request = range(0, 1000);
  request.options.proxy = "";
  request.options.no_proxy = "*";
  Sink sink;
  fetch(request, sink);
  ::unsetenv("http_proxy");
  if (old_no_proxy) ::setenv("no_proxy", saved.c_str(), 1);
  ASSERT_TRUE(sink.result && *sink.result) << describe(sink.result->error());
  EXPECT_TRUE(sink.bytes == body_.substr(0, 1000));
  EXPECT_EQ(server_.requests().size(), 1u);
  EXPECT_TRUE(proxy.requests().empty());
}

TEST_F(OriginHttpClient, FourParallelRangedFetchesReassembleTheBody) {
  body_ = make_body(16 * 1024 * 1024, 7);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  const std::uint64_t quarter = body_.size() / 4;
  std::string assembled(body_.size(), '\0');
  Sink sinks[4];
  for (int i = 0; i < 4; ++i) {
    RangeRequest request = range(i * quarter, (i + 1) * quarter);
    request.expected = identity();
    Sink& sink = sinks[i];
    client().fetch(
        request,
        [&sink, &assembled](std::uint64_t offset,
                            std::span<const char> bytes) -> api::Result<void> {
          if (sink.data_calls++ == 0) sink.begin = offset;
          if (offset != sink.begin + sink.bytes.size()) sink.in_order = false;
          sink.bytes.append(bytes.size(), 'x');  // only the count matters here
          assembled.replace(offset, bytes.size(), bytes.data(), bytes.size());
          return {};
        },
        finish(sink));
  }
  EXPECT_EQ(client().active_requests(), 4u);
  ASSERT_TRUE(run_until([&] {
    for (const Sink& sink : sinks) {
      if (!sink.done()) return false;
    }
    return true;
  }));
  for (const Sink& sink : sinks) {
    ASSERT_TRUE(*sink.result) << describe(sink.result->error());
    EXPECT_TRUE(sink.in_order);
    EXPECT_EQ(sink.bytes.size(), quarter);
  }
  EXPECT_TRUE(assembled == body_);
  EXPECT_EQ(server_.requests().size(), 4u);
}

TEST_F(OriginHttpClient, SequentialFetchesReuseTheConnection) {
  for (int i = 0; i < 3; ++i) {
    Sink sink;
    fetch(range(i * 1000, (i + 1) * 1000), sink);
    ASSERT_TRUE(*sink.result) << describe(sink.result->error());
  }
  EXPECT_EQ(server_.connections_accepted(), 1u);
}

TEST_F(OriginHttpClient, NotFoundAndGoneArePermanentWithTheirStatus) {
  for (const int status : {404, 410}) {
    SCOPED_TRACE(status);
    server_.push_fault("/file", Fault::http_status(status));
    Sink sink;
    const RangeRequest request = range(0, 100);
    const FetchError error = fetch_error(request, sink);
    EXPECT_FALSE(error.transient);
    EXPECT_EQ(error.error.kind, api::ErrorKind::kHttpStatus);
    EXPECT_EQ(error.error.context, api::ErrorContext::kRemoteFile);
    EXPECT_EQ(error.error.code, status);
    EXPECT_EQ(error.error.file, request.url);
    EXPECT_EQ(error.error.protocol, api::Protocol::kHttp);
    EXPECT_EQ(sink.data_calls, 0) << "an error page is not the file";
  }
}

TEST_F(OriginHttpClient, ServerErrorsAreTransientWithRetryAfter) {
  // An HTTP-date two minutes ahead (IMF-fixdate).
  const std::time_t later = std::time(nullptr) + 120;
  std::tm utc{};
  gmtime_r(&later, &utc);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);

  struct Case {
    int status;
    std::string retry_after;
    std::chrono::seconds min;
    std::chrono::seconds max;
  };
  const Case cases[] = {
      {500, "", 0s, 0s}, {503, "7", 7s, 7s}, {429, date, 110s, 120s}, {408, "", 0s, 0s}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    server_.push_fault("/file", Fault::http_status(c.status, c.retry_after));
    Sink sink;
    const FetchError error = fetch_error(range(0, 100), sink);
    EXPECT_TRUE(error.transient);
    EXPECT_EQ(error.error.kind, api::ErrorKind::kHttpStatus);
    EXPECT_EQ(error.error.code, c.status);
    EXPECT_GE(error.retry_after, c.min);
    EXPECT_LE(error.retry_after, c.max);
  }
}

TEST_F(OriginHttpClient, RangedRequestAnsweredWithOkIsRangeNotSupported) {
  server_.set_fault("/file", Fault::ignore_range());
  Sink sink;
  const FetchError error = fetch_error(range(100, 200), sink);
  EXPECT_FALSE(error.transient) << describe(error);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kRangeNotSupported);
  EXPECT_EQ(error.error.context, api::ErrorContext::kRemoteApplication);
  EXPECT_EQ(sink.data_calls, 0);
}

TEST_F(OriginHttpClient, WholeBodyFetchServesOriginsThatIgnoreRange) {
  server_.set_fault("/file", Fault::ignore_range());
  RangeRequest request;
  request.url = server_.url("/file");
  request.whole_body = true;
  request.expected = identity();
  Sink sink;
  fetch(request, sink);
  ASSERT_TRUE(*sink.result) << describe(sink.result->error());
  EXPECT_EQ(sink.begin, 0u);
  EXPECT_TRUE(sink.bytes == body_);
  EXPECT_EQ(server_.requests().back().range, "");
}

TEST_F(OriginHttpClient, GzipEncodedBodyIsBadContentEncoding) {
  server_.set_fault("/file", Fault::gzip());
  Sink sink;
  const FetchError error = fetch_error(range(0, 1000), sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kBadContentEncoding) << describe(error);
  EXPECT_EQ(sink.data_calls, 0);
}

TEST_F(OriginHttpClient, ShortBodyIsTransientAndKeepsTheDeliveredBytes) {
  server_.push_fault("/file", Fault::short_body(10000));
  Sink sink;
  const FetchError error = fetch_error(range(5000, 105000), sink);
  EXPECT_TRUE(error.transient) << describe(error);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kTransport);
  EXPECT_EQ(sink.begin, 5000u);
  EXPECT_TRUE(sink.in_order);
  EXPECT_EQ(sink.bytes.size(), 10000u);
  EXPECT_TRUE(sink.bytes == body_.substr(5000, sink.bytes.size()));
}

TEST_F(OriginHttpClient, ResetMidBodyIsTransient) {
  body_ = make_body(4 * 1024 * 1024, 3);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  server_.push_fault("/file", Fault::reset_after(256 * 1024));
  Sink sink;
  const FetchError error = fetch_error(range(0, body_.size()), sink);
  EXPECT_TRUE(error.transient) << describe(error);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kTransport);
  EXPECT_EQ(error.error.context, api::ErrorContext::kGeneralTransport);
  EXPECT_LE(sink.bytes.size(), 256u * 1024);
  EXPECT_TRUE(sink.bytes == body_.substr(0, sink.bytes.size()));
}

TEST_F(OriginHttpClient, ChangedEtagIsContentChanged) {
  server_.set_content(make_body(body_.size(), 2), "\"e2\"", std::string(kLastModified));
  RangeRequest request = range(0, 1000);
  request.expected = identity();
  Sink sink;
  const FetchError error = fetch_error(request, sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kContentChanged);
  EXPECT_NE(error.error.message.find("ETag"), std::string::npos) << error.error.message;
  EXPECT_EQ(sink.data_calls, 0);
}

TEST_F(OriginHttpClient, ChangedSizeIsContentChanged) {
  server_.set_content(body_ + "more", "\"e1\"", std::string(kLastModified));
  RangeRequest request = range(0, 1000);
  request.expected = identity();
  Sink sink;
  const FetchError error = fetch_error(request, sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kContentChanged);
  EXPECT_NE(error.error.message.find("size"), std::string::npos) << error.error.message;
  EXPECT_EQ(sink.data_calls, 0);
}

TEST_F(OriginHttpClient, StalledTransferFailsTransientlyAfterTheStallTimeout) {
  options_.stall_timeout = 1s;
  server_.set_fault("/file", Fault::stall_after(1000));
  const auto started = std::chrono::steady_clock::now();
  Sink sink;
  const FetchError error = fetch_error(range(0, body_.size()), sink);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(error.transient) << describe(error);
  EXPECT_EQ(error.error.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 5s) << "curl's own low-speed check alone would take ~6 s here";
  EXPECT_EQ(sink.bytes.size(), 1000u);
  EXPECT_TRUE(sink.bytes == body_.substr(0, 1000));
}

// A shared budget (the engine's download caps): two requests together keep to its rate, each
// paused while it is in debt and resumed after, and a new rate applies to requests in flight.
TEST_F(OriginHttpClient, RequestsSharingABudgetKeepToItsRateAndFollowANewOne) {
  body_ = make_body(4 * 1024 * 1024, 3);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  constexpr std::uint64_t kRate = 1 << 20;
  auto budget = std::make_shared<util::ByteBudget>(kRate);
  const std::uint64_t half = body_.size() / 2;
  Sink sinks[2];
  for (int i = 0; i < 2; ++i) {
    RangeRequest request = range(i * half, (i + 1) * half);
    request.options.budget = budget;
    client().fetch(request, collect(sinks[i]), finish(sinks[i]));
  }
  const auto started = std::chrono::steady_clock::now();
  run_until([] { return false; }, 1500ms);
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  const auto delivered = sinks[0].bytes.size() + sinks[1].bytes.size();
  // The rate for the time run, one burst (a quarter second) and a buffer per request beyond it.
  const auto allowed = static_cast<std::size_t>(elapsed.count() * kRate) + kRate / 4 + 2 * 16384;
  EXPECT_LE(delivered, allowed) << elapsed.count() << " s";
  EXPECT_GT(delivered, 0u);
  EXPECT_EQ(budget->taken(), delivered);
  EXPECT_FALSE(sinks[0].done() || sinks[1].done());

  budget->set_rate(0);  // lifted: the paused requests go on at once
  ASSERT_TRUE(run_until([&] { return sinks[0].done() && sinks[1].done(); }, 30s));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(*sinks[i].result) << describe(sinks[i].result->error());
    EXPECT_TRUE(sinks[i].bytes == body_.substr(i * half, half));
    EXPECT_TRUE(sinks[i].in_order);
  }
}

// A request paused by its budget longer than the stall timeout is not stalled: the pause is ours.
TEST_F(OriginHttpClient, APauseForTheBudgetIsNoStall) {
  options_.stall_timeout = 1s;
  body_ = make_body(96 * 1024, 5);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  // 16 KiB/s and 16 KiB buffers: about a second per buffer, paused most of it.
  auto budget = std::make_shared<util::ByteBudget>(16 * 1024);
  RangeRequest request = range(0, body_.size());
  request.options.budget = budget;
  Sink sink;
  const auto started = std::chrono::steady_clock::now();
  client().fetch(request, collect(sink), finish(sink));
  ASSERT_TRUE(run_until([&] { return sink.done(); }, 30s));
  ASSERT_TRUE(*sink.result) << describe(sink.result->error());
  EXPECT_TRUE(sink.bytes == body_);
  // 80 KiB beyond the first burst, at 16 KiB/s.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 4s);
}

TEST_F(OriginHttpClient, RedirectChainIsFollowed) {
  server_.set_fault("/a", Fault::redirect("/b", 302));
  server_.set_fault("/b", Fault::redirect(server_.url("/c"), 301));
  server_.set_fault("/c", Fault::redirect("/file", 307));
  RangeRequest request = range(1000, 3000, "/a");
  request.expected = identity();
  Sink sink;
  fetch(request, sink);
  ASSERT_TRUE(*sink.result) << describe(sink.result->error());
  EXPECT_TRUE(sink.bytes == body_.substr(1000, 2000));
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].path, "/file");
  EXPECT_EQ(requests[3].range, "bytes=1000-2999");
}

TEST_F(OriginHttpClient, RedirectLoopIsPermanent) {
  options_.max_redirects = 5;
  server_.set_fault("/x", Fault::redirect("/y"));
  server_.set_fault("/y", Fault::redirect("/x"));
  Sink sink;
  const FetchError error = fetch_error(range(0, 100, "/x"), sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.kind, api::ErrorKind::kTransport);
  EXPECT_EQ(error.error.code, CURLE_TOO_MANY_REDIRECTS);
  EXPECT_EQ(server_.requests().size(), 6u);
}

TEST_F(OriginHttpClient, HugeHeaderFailsWithAClearMessage) {
  server_.set_fault("/file", Fault::huge_header(200 * 1024));
  Sink sink;
  const FetchError error = fetch_error(range(0, 100), sink);
  EXPECT_NE(error.error.message.find("header"), std::string::npos) << describe(error);
  EXPECT_EQ(sink.data_calls, 0);
}

TEST_F(OriginHttpClient, OverlongRangeIsNeverDeliveredPastTheEnd) {
  server_.set_fault("/file", Fault::overlong_range(5000));
  Sink sink;
  const FetchError error = fetch_error(range(1000, 2000), sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.context, api::ErrorContext::kRemoteApplication) << describe(error);
  EXPECT_LE(sink.bytes.size(), 1000u);
  EXPECT_TRUE(sink.bytes == body_.substr(1000, sink.bytes.size()));
}

TEST_F(OriginHttpClient, UnsupportedSchemeIsPermanent) {
  RangeRequest request = range(0, 100);
  request.url = "ftp://127.0.0.1:" + std::to_string(server_.port()) + "/file";
  Sink sink;
  const FetchError error = fetch_error(request, sink);
  EXPECT_FALSE(error.transient);
  EXPECT_EQ(error.error.code, CURLE_UNSUPPORTED_PROTOCOL) << describe(error);
  EXPECT_EQ(error.error.protocol, api::Protocol::kNone);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OriginHttpClient, ConnectionRefusedIsTransient) {
  std::uint16_t closed_port = 0;
  {
    boost::asio::io_context scratch;
    boost::asio::ip::tcp::acceptor acceptor(scratch,
                                            {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there now
  RangeRequest request = range(0, 100);
  request.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/file";
  Sink sink;
  const FetchError error = fetch_error(request, sink);
  EXPECT_TRUE(error.transient);
  EXPECT_EQ(error.error.code, CURLE_COULDNT_CONNECT) << describe(error);
  EXPECT_EQ(error.error.context, api::ErrorContext::kGeneralTransport);
  EXPECT_EQ(error.error.file, request.url);
}

TEST_F(OriginHttpClient, CancelFromInsideOnDataStopsEveryCallback) {
  body_ = make_body(4 * 1024 * 1024, 5);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  Sink sink;
  HttpClient::RequestId id = 0;
  id = client().fetch(
      range(0, body_.size()),
      [&](std::uint64_t, std::span<const char>) -> api::Result<void> {
        ++sink.data_calls;
        client().cancel(id);
        return {};
      },
      finish(sink));
  ASSERT_TRUE(run_until([&] { return sink.data_calls > 0; }));
  EXPECT_EQ(client().active_requests(), 0u);
  // A second fetch to completion: by then anything the first could still do has happened.
  Sink after;
  fetch(range(0, 1000), after);
  ASSERT_TRUE(*after.result) << describe(after.result->error());
  EXPECT_EQ(sink.data_calls, 1);
  EXPECT_EQ(sink.done_calls, 0);
}

TEST_F(OriginHttpClient, CancelOfAnotherRequestFromInsideOnData) {
  server_.set_fault("/stalled", Fault::stall_after(1000));
  Sink stalled;
  const auto stalled_id =
      client().fetch(range(0, body_.size(), "/stalled"), collect(stalled), finish(stalled));
  ASSERT_TRUE(run_until([&] { return stalled.data_calls > 0; }));

  Sink active;
  auto inner = collect(active);
  client().fetch(
      range(0, body_.size()),
      [&](std::uint64_t offset, std::span<const char> bytes) {
        client().cancel(stalled_id);
        return inner(offset, bytes);
      },
      finish(active));
  ASSERT_TRUE(run_until([&] { return active.done(); }));
  ASSERT_TRUE(*active.result) << describe(active.result->error());
  EXPECT_TRUE(active.bytes == body_);
  EXPECT_EQ(stalled.done_calls, 0);
  EXPECT_EQ(client().active_requests(), 0u);
}

TEST_F(OriginHttpClient, FetchStartedFromInsideOnDataRuns) {
  Sink outer;
  Sink inner;
  auto collect_outer = collect(outer);
  client().fetch(
      range(0, body_.size()),
      [&](std::uint64_t offset, std::span<const char> bytes) {
        if (outer.data_calls == 0) client().fetch(range(0, 100), collect(inner), finish(inner));
        return collect_outer(offset, bytes);
      },
      finish(outer));
  ASSERT_TRUE(run_until([&] { return outer.done() && inner.done(); }));
  ASSERT_TRUE(*outer.result) << describe(outer.result->error());
  ASSERT_TRUE(*inner.result) << describe(inner.result->error());
  EXPECT_TRUE(inner.bytes == body_.substr(0, 100));
}

TEST_F(OriginHttpClient, OnDataErrorAbortsTheTransfer) {
  body_ = make_body(4 * 1024 * 1024, 9);
  server_.set_content(body_, "\"e1\"", std::string(kLastModified));
  Sink sink;
  client().fetch(
      range(0, body_.size()),
      [&](std::uint64_t, std::span<const char>) -> api::Result<void> {
        ++sink.data_calls;
        return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kDiskFull, "disk full", 28);
      },
      finish(sink));
  ASSERT_TRUE(run_until([&] { return sink.done(); }));
  ASSERT_FALSE(*sink.result);
  EXPECT_FALSE(sink.result->error().transient);
  EXPECT_EQ(sink.result->error().error.kind, api::ErrorKind::kDiskFull);
  EXPECT_EQ(sink.result->error().error.message, "disk full");
  EXPECT_EQ(sink.data_calls, 1);
}

// The tally behind swarmcopy_origin_requests_total and swarmcopy_origin_errors_total: every
// request that ends counts once, a failed one also under its class; a cancelled one not at all.
TEST_F(OriginHttpClient, TallyCountsEachEndedRequestOnceAndEachFailureByClass) {
  EXPECT_EQ(client().tally(), RequestTally{});
  ASSERT_TRUE(probe(server_.url("/file")));
  Sink whole;
  fetch(range(0, 100), whole);
  ASSERT_TRUE(whole.result && whole.result->has_value());

  server_.push_fault("/file", Fault::http_status(404));
  Sink not_found;
  EXPECT_EQ(fetch_error(range(0, 100), not_found).error.code, 404);
  server_.push_fault("/file", Fault::http_status(503));
  Sink unavailable;
  EXPECT_EQ(fetch_error(range(0, 100), unavailable).error.code, 503);
  server_.push_fault("/file", Fault::ignore_range());
  Sink ignored;
  EXPECT_EQ(fetch_error(range(0, 100), ignored).error.kind, api::ErrorKind::kRangeNotSupported);
  RangeRequest nowhere = range(0, 100);
  nowhere.url = "http://127.0.0.1:1/file";  // nothing listens on port 1
  Sink refused_connection;
  EXPECT_EQ(fetch_error(nowhere, refused_connection).error.kind, api::ErrorKind::kTransport);
  Sink empty_range;
  EXPECT_EQ(fetch_error(range(10, 10), empty_range).error.kind, api::ErrorKind::kInvalidArgument);
  Sink disk_full;
  client().fetch(
      range(0, 100),
      [](std::uint64_t, std::span<const char>) -> api::Result<void> {
        return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kDiskFull, "disk full", 28);
      },
      finish(disk_full));
  ASSERT_TRUE(run_until([&] { return disk_full.done(); }));
  Sink cancelled;
  client().cancel(client().fetch(range(0, 100), collect(cancelled), finish(cancelled)));
  drain();

  const std::map<std::string, std::uint64_t> failed = {{"content", 1},  {"http_4xx", 1},
                                                       {"http_5xx", 1}, {"local", 1},
                                                       {"refused", 1},  {"transport", 1}};
  EXPECT_EQ(client().tally(), (RequestTally{8, failed}));
}

TEST_F(OriginHttpClient, CancelOutsideCallbacksAndUnknownIdsAreHarmless) {
  Sink sink;
  const auto id = client().fetch(range(0, 1000), collect(sink), finish(sink));
  client().cancel(id);
  client().cancel(id);
  client().cancel(987654);
  EXPECT_EQ(client().active_requests(), 0u);
  drain();
  EXPECT_EQ(sink.data_calls, 0);
  EXPECT_EQ(sink.done_calls, 0);
}

TEST_F(OriginHttpClient, DestroyingTheClientWithRequestsInFlightCallsNothing) {
  // Mid-body, every one: the server sends part of the answer, then nothing (until it stops).
  server_.set_fault("/stalled", Fault::stall_after(64 * 1024));
  server_.set_fault("/probe", Fault::stall_after(0));
  bool destroyed = false;
  int callbacks_after_destruction = 0;
  const auto count_late = [&] {
    if (destroyed) ++callbacks_after_destruction;
  };
  Sink sinks[4];
  for (int i = 0; i < 4; ++i) {
    client().fetch(
        range(0, body_.size(), "/stalled"),
        [&, i](std::uint64_t offset, std::span<const char> bytes) {
          count_late();
          return collect(sinks[i])(offset, bytes);
        },
        [&](auto) { count_late(); });
  }
  client().probe(server_.url("/probe"), {}, [&](auto) { count_late(); });
  ASSERT_TRUE(run_until([&] {
    for (const Sink& sink : sinks) {
      if (sink.bytes.size() < 64 * 1024) return false;
    }
    return server_.requests_for("/probe").size() == 1;
  }));
  EXPECT_EQ(client().active_requests(), 5u);
  client_.reset();
  destroyed = true;
  drain();
  EXPECT_EQ(callbacks_after_destruction, 0);
}

TEST_F(OriginHttpClient, DestroyingTheClientFromOnDoneIsSafe) {
  server_.set_fault("/stalled", Fault::stall_after(1000));  // still running at destruction
  Sink first;
  Sink second;
  client().fetch(range(0, 100), collect(first), [&](auto result) {
    finish(first)(std::move(result));
    client_.reset();
  });
  client().fetch(range(0, body_.size(), "/stalled"), collect(second), finish(second));
  ASSERT_TRUE(run_until([&] { return first.done(); }));
  drain();
  EXPECT_FALSE(client_);
  EXPECT_EQ(second.done_calls, 0);
}

}  // namespace
}  // namespace swarmcopy::engine::origin
