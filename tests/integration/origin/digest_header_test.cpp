// The origin's own statement of a file's SHA-256, read by HttpClient from a real nginx that sends
// it (add_header): RFC 9530's Repr-Digest and the legacy Digest, on the probe's 206 (the header
// describes the whole file, not the one byte sent) and on ranges; a digest that changes between
// requests is a content change, as a changed ETag is.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>

#include "nginx/nginx_server.h"
#include "swarmcopy/origin/http_client.h"
#include "wait/wait_until.h"

namespace swarmcopy::engine::origin {
namespace {

using namespace std::chrono_literals;

struct Digest {
  std::string hex;
  std::string base64;
};

Digest digest_of(const std::string& body) {
  unsigned char hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), hash);
  Digest digest;
  static constexpr char kHex[] = "0123456789abcdef";
  for (const unsigned char byte : hash) {
    digest.hex += kHex[byte >> 4];
    digest.hex += kHex[byte & 0xf];
  }
  std::string encoded(4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), hash, SHA256_DIGEST_LENGTH);
  encoded.resize(static_cast<std::size_t>(length));
  digest.base64 = encoded;
  return digest;
}

class DigestHeaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "127.0.0.1", 1);
    body_ = std::string(300 * 1024, '\0');
    for (std::size_t i = 0; i < body_.size(); ++i) body_[i] = static_cast<char>(i * 131 + 7);
    good_ = digest_of(body_);
    other_ = digest_of(body_ + "x");
    test::NginxOptions options;
    options.server_config =
        "location /repr/ { add_header Repr-Digest 'sha-512=:AAAA:, sha-256=:" + good_.base64 +
        ":'; }\n"
        "location /legacy/ { add_header Digest 'MD5=AAAAAAAAAAAAAAAAAAAAAA==, "
        "SHA-256=" +
        good_.base64 +
        "'; }\n"
        "location /other/ { add_header Repr-Digest 'sha-256=:" +
        other_.base64 + ":'; }\n";
    auto server = test::NginxServer::start(options);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
    for (const char* dir : {"repr", "legacy", "other", "none"}) {
      std::filesystem::create_directories(server_->docroot() / dir);
      std::ofstream(server_->docroot() / dir / "f.bin", std::ios::binary) << body_;
    }
    client_ = std::make_unique<HttpClient>(io_, HttpClient::Options{});
  }

  std::expected<RemoteIdentity, FetchError> probe(const std::string& path) {
    std::optional<std::expected<RemoteIdentity, FetchError>> result;
    client_->probe(server_->url(path), {}, [&](auto outcome) { result = std::move(outcome); });
    EXPECT_TRUE(test::run_until(
        io_, [&] { return result.has_value(); }, 10s));
    if (!result) return std::unexpected(FetchError{});
    return *result;
  }

  std::expected<void, FetchError> fetch(const std::string& path, const RemoteIdentity& expected) {
    RangeRequest request;
    request.url = server_->url(path);
    request.begin = 1000;
    request.end = 5000;
    request.expected = expected;
    std::optional<std::expected<void, FetchError>> result;
    client_->fetch(
        request, [](std::uint64_t, std::span<const char>) -> api::Result<void> { return {}; },
        [&](std::expected<void, FetchError> outcome) { result = std::move(outcome); });
    EXPECT_TRUE(test::run_until(
        io_, [&] { return result.has_value(); }, 10s));
    if (!result) return std::unexpected(FetchError{});
    return *result;
  }

  std::string body_;
  Digest good_;
  Digest other_;
  std::unique_ptr<test::NginxServer> server_;
  boost::asio::io_context io_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(DigestHeaderTest, TheProbeReadsTheWholeFilesSha256FromReprDigestOrDigest) {
  auto repr = probe("/repr/f.bin");
  ASSERT_TRUE(repr) << repr.error().error.describe();
  EXPECT_TRUE(repr->accepts_ranges);
  EXPECT_EQ(repr->sha256, good_.hex);
  auto legacy = probe("/legacy/f.bin");
  ASSERT_TRUE(legacy) << legacy.error().error.describe();
  EXPECT_EQ(legacy->sha256, good_.hex);
  auto none = probe("/none/f.bin");
  ASSERT_TRUE(none) << none.error().error.describe();
  EXPECT_EQ(none->sha256, std::nullopt);
}

TEST_F(DigestHeaderTest, ADigestThatChangesBetweenRequestsIsAContentChange) {
  auto identity = probe("/repr/f.bin");
  ASSERT_TRUE(identity);
  // The other paths are other files to nginx (their own ETag and Last-Modified, from their
  // mtimes): only the size and the digest are compared here.
  identity->etag.clear();
  identity->last_modified.clear();
  // The same file under a digest that says other bytes: as a changed ETag would.
  auto changed = fetch("/other/f.bin", *identity);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().error.kind, api::ErrorKind::kContentChanged)
      << changed.error().error.describe();
  EXPECT_NE(changed.error().error.message.find("SHA-256"), std::string::npos)
      << changed.error().error.message;
  // Where the origin states nothing, nothing contradicts.
  EXPECT_TRUE(fetch("/none/f.bin", *identity));
  EXPECT_TRUE(fetch("/repr/f.bin", *identity));
}

}  // namespace
}  // namespace swarmcopy::engine::origin
