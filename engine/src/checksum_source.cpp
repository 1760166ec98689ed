#include "swarmcopy/engine/checksum_source.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>

#include "checksum_list.h"
#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine {
namespace {

// However the server trickles, the caller gets an answer within this.
constexpr std::chrono::minutes kDeadline{2};

}  // namespace

api::Result<std::vector<std::string>> sha256s_from_checksums(
    const std::string& checksums_url, const std::vector<std::string>& file_names) {
  boost::asio::io_context io;
  // Kept busy, so that each wait below waits rather than returns at once between events.
  auto busy = boost::asio::make_work_guard(io);
  origin::HttpClient http(io, origin::HttpClient::Options{});
  origin::RangeRequest request;
  request.url = checksums_url;
  request.whole_body = true;
  std::string body;
  std::optional<api::Error> failure;
  bool done = false;
  http.fetch(
      request,
      [&](std::uint64_t, std::span<const char> bytes) -> api::Result<void> {
        if (body.size() + bytes.size() > kMaxChecksumListBytes) {
          return api::fail(
              api::ErrorContext::kRemoteFile, api::ErrorKind::kLimitExceeded,
              "checksum list larger than " + std::to_string(kMaxChecksumListBytes >> 20) + " MiB",
              0, checksums_url, origin::protocol_of(checksums_url));
        }
        body.append(bytes.data(), bytes.size());
        return {};
      },
      [&](std::expected<void, origin::FetchError> result) {
        if (!result) {
          failure = std::move(result.error().error);
          failure->message = "cannot fetch the checksum list: " + failure->message;
        }
        done = true;
      });
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(200));
  }
  if (!done) {
    return api::fail(api::ErrorContext::kRemoteFile, api::ErrorKind::kTransport,
                     "the checksum list did not arrive within 2 minutes", 0, checksums_url,
                     origin::protocol_of(checksums_url));
  }
  if (failure) return std::unexpected(std::move(*failure));
  std::vector<std::string> hashes;
  for (const auto& name : file_names) {
    auto hash = sha256_from_checksum_list(body, name, checksums_url);
    if (!hash) return std::unexpected(hash.error());
    hashes.push_back(std::move(*hash));
  }
  return hashes;
}

}  // namespace swarmcopy::engine
