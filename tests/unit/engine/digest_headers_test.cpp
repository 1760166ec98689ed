// Reading the origin's SHA-256 from Repr-Digest (RFC 9530) and the legacy Digest (RFC 3230).
#include "digest_headers.h"

#include <gtest/gtest.h>

#include "response_headers.h"

namespace swarmcopy::engine::origin {
namespace {

// SHA-256("hello world"), as base64 and as hex.
constexpr const char* kBase64 = "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=";
constexpr const char* kHex = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

TEST(DigestHeadersTest, ReprDigestGivesTheSha256MemberAsHex) {
  EXPECT_EQ(sha256_from_repr_digest(std::string("sha-256=:") + kBase64 + ":"), kHex);
  // Other algorithms around it are skipped.
  EXPECT_EQ(sha256_from_repr_digest(std::string("sha-512=:AAAA:, sha-256=:") + kBase64 +
                                    ":, unixsum=:AAAA:"),
            kHex);
  EXPECT_EQ(sha256_from_repr_digest("sha-512=:AAAA:"), std::nullopt);
}

TEST(DigestHeadersTest, AnythingMalformedIsNoDigestNotAGuess) {
  const std::string good = kBase64;
  EXPECT_EQ(sha256_from_repr_digest("sha-256=" + good), std::nullopt);  // not ":…:"
  EXPECT_EQ(sha256_from_repr_digest("sha-256=:" + good.substr(1) + ":"), std::nullopt);  // short
  EXPECT_EQ(sha256_from_repr_digest("sha-256=:AAAA:"), std::nullopt);              // other length
  EXPECT_EQ(sha256_from_repr_digest("sha-256=:" + good + ":;p=1"), std::nullopt);  // parameter
  std::string bad = good;
  bad[5] = '*';
  EXPECT_EQ(sha256_from_repr_digest("sha-256=:" + bad + ":"), std::nullopt);  // not base64
  // Two that disagree: no choice is made.
  std::string other = good;
  other[0] = 'A';
  EXPECT_EQ(sha256_from_repr_digest("sha-256=:" + good + ":, sha-256=:" + other + ":"),
            std::nullopt);
  EXPECT_EQ(sha256_from_repr_digest(""), std::nullopt);
}

TEST(DigestHeadersTest, TheLegacyDigestHeaderIsReadCaseInsensitively) {
  EXPECT_EQ(sha256_from_legacy_digest(std::string("SHA-256=") + kBase64), kHex);
  EXPECT_EQ(
      sha256_from_legacy_digest(std::string("md5=AAAAAAAAAAAAAAAAAAAAAA==,sha-256=") + kBase64),
      kHex);
  EXPECT_EQ(sha256_from_legacy_digest("MD5=AAAAAAAAAAAAAAAAAAAAAA=="), std::nullopt);
}

TEST(DigestHeadersTest, ResponseHeadersPreferReprDigestAndForgetEarlierHops) {
  ResponseHeaders headers;
  headers.feed("HTTP/1.1 302 Found\r\n");
  headers.feed(std::string("Repr-Digest: sha-256=:") + kBase64 + ":\r\n");
  headers.feed("\r\n");
  headers.feed("HTTP/1.1 206 Partial Content\r\n");
  EXPECT_EQ(headers.sha256(), std::nullopt) << "a redirect's digest is not the file's";
  headers.feed("Digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n");
  headers.feed(std::string("Repr-Digest: sha-256=:") + kBase64 + ":\r\n");
  headers.feed("\r\n");
  EXPECT_EQ(headers.sha256(), kHex);
}

}  // namespace
}  // namespace swarmcopy::engine::origin
