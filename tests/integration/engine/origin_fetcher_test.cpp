// OriginFetcher against the fault-injecting origin: the one identity rule applied to a probe,
// range requests built from what the file's record learned, and cancellation by the caller's
// keys (none of a cancelled request's callbacks runs).
#include "origin_fetcher.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "fault_server/fault_server.h"
#include "wait/wait_until.h"

namespace swarmcopy::engine {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kLastModified = "Wed, 21 Oct 2015 07:28:00 GMT";

class OriginFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "127.0.0.1", 1);  // the origin is on loopback
    body_.resize(300 * 1024);
    for (std::size_t i = 0; i < body_.size(); ++i) body_[i] = static_cast<char>(i * 7 + i / 251);
    server_.set_content(body_, "\"e1\"", std::string(kLastModified));
    file_.url = server_.url("/file");
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    return test::run_until(io_, done, limit);
  }

  using ProbeResult = std::expected<origin::RemoteIdentity, origin::FetchError>;
  ProbeResult probe(OriginFetcher& fetcher, bool compare_size) {
    std::optional<ProbeResult> result;
    fetcher.probe(file_, compare_size, [&](ProbeResult outcome) { result = std::move(outcome); });
    EXPECT_TRUE(run_until([&] { return result.has_value(); })) << "probe did not finish";
    EXPECT_FALSE(fetcher.probing());
    if (!result) return std::unexpected(origin::FetchError{});
    return *result;
  }

  boost::asio::io_context io_;
  origin::HttpClient http_{io_, origin::HttpClient::Options{}};
  test::FaultServer server_;
  std::string body_;
  FileRecord file_;
};

TEST_F(OriginFetcherTest, AProbeOfUnchangedContentGivesItsIdentity) {
  OriginFetcher fetcher(http_, file_.url, {});
  const auto first = probe(fetcher, true);
  ASSERT_TRUE(first) << first.error().error.message;
  EXPECT_EQ(first->size, body_.size());
  EXPECT_EQ(first->etag, "\"e1\"");
  EXPECT_TRUE(first->accepts_ranges);
  // What the file learned, asked again: the same answer.
  file_.size = first->size;
  file_.etag = first->etag;
  file_.last_modified = first->last_modified;
  EXPECT_TRUE(probe(fetcher, true));
}

TEST_F(OriginFetcherTest, AProbeThatContradictsTheRecordIsAPermanentContentChange) {
  file_.etag = "\"e0\"";
  file_.size = body_.size();
  OriginFetcher fetcher(http_, file_.url, {});
  const auto changed = probe(fetcher, true);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().error.kind, api::ErrorKind::kContentChanged);
  EXPECT_FALSE(changed.error().transient);
  EXPECT_NE(changed.error().error.message.find("ETag"), std::string::npos)
      << changed.error().error.message;

  // A size that differs counts only when the caller compares sizes (the swarm compares its
  // metadata's instead).
  file_.etag.clear();
  file_.size = body_.size() + 1;
  const auto sized = probe(fetcher, true);
  ASSERT_FALSE(sized);
  EXPECT_EQ(sized.error().error.kind, api::ErrorKind::kContentChanged);
  EXPECT_TRUE(probe(fetcher, false));
}

TEST_F(OriginFetcherTest, ARangeIsCheckedAgainstTheIdentityTheRecordHolds) {
  OriginFetcher fetcher(http_, file_.url, {});
  file_.size = body_.size();
  file_.etag = "\"e1\"";
  file_.accepts_ranges = true;
  std::string got;
  std::optional<std::expected<void, origin::FetchError>> done;
  auto on_data = [&](std::uint64_t, std::span<const char> bytes) -> api::Result<void> {
    got.append(bytes.data(), bytes.size());
    return {};
  };
  fetcher.fetch(1, ByteRange{1000, 5000}, false, file_, on_data, [&](auto r) { done = r; });
  ASSERT_TRUE(run_until([&] { return done.has_value(); }));
  ASSERT_TRUE(*done);
  EXPECT_EQ(got, body_.substr(1000, 4000));
  EXPECT_EQ(fetcher.requests(), 0u);

  // The origin now serves other content under the same URL: the range is refused unread.
  server_.set_content(body_ + "x", "\"e2\"", std::string(kLastModified));
  got.clear();
  done.reset();
  fetcher.fetch(2, ByteRange{0, 100}, false, file_, on_data, [&](auto r) { done = r; });
  ASSERT_TRUE(run_until([&] { return done.has_value(); }));
  ASSERT_FALSE(*done);
  EXPECT_EQ(done->error().error.kind, api::ErrorKind::kContentChanged);
  EXPECT_TRUE(got.empty());
}

TEST_F(OriginFetcherTest, CancelledRequestsAndProbesNeverCallBack) {
  OriginFetcher fetcher(http_, file_.url, {});
  int calls = 0;
  auto on_data = [&](std::uint64_t, std::span<const char>) -> api::Result<void> {
    ++calls;
    return {};
  };
  fetcher.fetch(7, ByteRange{0, 200000}, false, file_, on_data, [&](auto) { ++calls; });
  fetcher.fetch(8, ByteRange{0, 200000}, false, file_, on_data, [&](auto) { ++calls; });
  EXPECT_EQ(fetcher.requests(), 2u);
  fetcher.cancel(7);
  EXPECT_EQ(fetcher.requests(), 1u);
  fetcher.probe(file_, true, [&](auto) { ++calls; });
  EXPECT_TRUE(fetcher.probing());
  fetcher.cancel_all();
  EXPECT_EQ(fetcher.requests(), 0u);
  EXPECT_FALSE(fetcher.probing());
  io_.restart();
  io_.run_for(500ms);  // whatever was on its way
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace swarmcopy::engine
