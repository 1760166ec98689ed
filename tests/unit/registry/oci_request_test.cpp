// The mirror's reading of request targets: what the OCI distribution spec allows is routed,
// anything else (a bad name, tag, digest, an escape, a dot segment, an unknown query) is refused
// before an upstream or the engine sees it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "swarmcopy/registry/oci_request.h"

namespace swarmcopy::registry {
namespace {

const std::string kDigest =
    "sha256:2b2d3b23aa0c27cf8e4cfccd52935a3f888c79bbaf7cd8f449a0e1a791f97750";

TEST(OciRequest, RoutesThePullEndpoints) {
  auto ping = parse_oci_target("/v2/");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->kind, OciRequest::Kind::kPing);

  auto manifest = parse_oci_target("/v2/library/debian/manifests/bookworm-slim");
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest->kind, OciRequest::Kind::kManifest);
  EXPECT_EQ(manifest->name, "library/debian");
  EXPECT_EQ(manifest->reference, "bookworm-slim");

  auto by_digest = parse_oci_target("/v2/a/manifests/" + kDigest);
  ASSERT_TRUE(by_digest);
  EXPECT_EQ(by_digest->reference, kDigest);

  auto blob = parse_oci_target("/v2/team/app/blobs/" + kDigest + "?ns=docker.io");
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->kind, OciRequest::Kind::kBlob);
  EXPECT_EQ(blob->name, "team/app");
  EXPECT_EQ(blob->digest, kDigest);
  EXPECT_EQ(blob->ns, "docker.io");
  EXPECT_EQ(blob->upstream_query, "");  // ns is ours, never the upstream's

  auto tags = parse_oci_target("/v2/a/tags/list?n=10&last=v1&ns=ghcr.io");
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->kind, OciRequest::Kind::kTags);
  EXPECT_EQ(tags->upstream_query, "?n=10&last=v1");

  auto referrers = parse_oci_target("/v2/a/referrers/" + kDigest);
  ASSERT_TRUE(referrers);
  EXPECT_EQ(referrers->kind, OciRequest::Kind::kReferrers);
}

TEST(OciRequest, ANameMayHoldTheWordsOfTheApi) {
  auto request = parse_oci_target("/v2/blobs/manifests/blobs/" + kDigest);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->kind, OciRequest::Kind::kBlob);
  EXPECT_EQ(request->name, "blobs/manifests");
}

TEST(OciRequest, UploadsArePushesTheMirrorRefuses) {
  for (const auto* target : {"/v2/a/blobs/uploads/", "/v2/a/b/blobs/uploads/0f1e-22"}) {
    auto request = parse_oci_target(target);
    ASSERT_TRUE(request) << target;
    EXPECT_EQ(request->kind, OciRequest::Kind::kPush) << target;
  }
}

TEST(OciRequest, RefusesWhatTheGrammarDoesNot) {
  for (const std::string& target :
       std::vector<std::string>{"/",
                                "/v1/",
                                "/v2/../etc/passwd/manifests/x",
                                "/v2/a/../b/manifests/x",
                                "/v2/A/manifests/x",
                                "/v2/a//b/manifests/x",
                                "/v2/a./manifests/x",
                                "/v2/a._b/manifests/x",
                                "/v2/a___b/manifests/x",
                                "/v2/a/manifests/-x",
                                "/v2/a/manifests/" + std::string(129, 'x'),
                                "/v2/a/manifests/x%2f",
                                "/v2/a/blobs/sha256:abc",
                                "/v2/a/blobs/sha256:" + std::string(64, 'A'),
                                "/v2/a/blobs/SHA256:" + std::string(64, 'a'),
                                "/v2/a/blobs/latest",
                                "/v2/a/tags/list?n=abc",
                                "/v2/a/tags/list?x=1",
                                "/v2/a/manifests/x?n=1",
                                "/v2/a/manifests/x?ns=",
                                "/v2/a/manifests/x?ns=a/b",
                                "/v2/a/manifests/x?ns=a&ns=b",
                                "/v2/a/manifests/x?ns",
                                "/v2/a/tags/list?n=1&artifactType=a",
                                "/v2/" + std::string(256, 'a') + "/manifests/x",
                                "/v2/a/manifests/x\r\n",
                                "/v2/a/unknown/x"}) {
    EXPECT_FALSE(parse_oci_target(target)) << target;
  }
  EXPECT_TRUE(parse_oci_target("/v2"));
}

TEST(OciRequest, NameComponentsFollowTheSpec) {
  for (const auto* good : {"a", "a0", "a-b", "a--b", "a_b", "a__b", "a.b", "a/b/c", "0"}) {
    EXPECT_TRUE(is_repository_name(good)) << good;
  }
  for (const auto* bad : {"", "-a", "a-", "a..b", "a___b", "a/", "/a", "a b", "a:b", "a-.b"}) {
    EXPECT_FALSE(is_repository_name(bad)) << bad;
  }
}

TEST(OciRequest, DigestsFollowTheSpec) {
  EXPECT_TRUE(is_sha256_digest(kDigest));
  EXPECT_TRUE(is_digest("sha512:" + std::string(128, 'f')));
  EXPECT_TRUE(is_digest("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
  EXPECT_FALSE(is_digest("sha512:" + std::string(64, 'f')));
  EXPECT_FALSE(is_digest("sha256" + std::string(64, 'f')));
  EXPECT_FALSE(is_digest(":abc"));
  EXPECT_FALSE(is_digest("a+:abc"));
  EXPECT_FALSE(is_sha256_digest("sha512:" + std::string(128, 'f')));
}

}  // namespace
}  // namespace swarmcopy::registry
