#include "swarmcopy/api/credentials.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarmcopy::api {
namespace {

TEST(Credentials, SecretHeadersAreMasked) {
  EXPECT_EQ(mask_header("Authorization: Bearer abc"), "Authorization: ***");
  EXPECT_EQ(mask_header("cookie:a=b"), "cookie: ***");
  EXPECT_EQ(mask_header("Proxy-Authorization : x"), "Proxy-Authorization: ***");
  EXPECT_EQ(mask_header("Accept: */*"), "Accept: */*");
  EXPECT_EQ(mask_header("no colon"), "no colon");
}

TEST(Credentials, EveryHeaderButAFewHarmlessOnesMakesContentPrivate) {
  EXPECT_TRUE(header_may_carry_credentials("X-JFrog-Art-Api: key"));
  EXPECT_TRUE(header_may_carry_credentials("PRIVATE-TOKEN: t"));
  EXPECT_TRUE(header_may_carry_credentials("Authorization: Basic x"));
  EXPECT_FALSE(header_may_carry_credentials("User-Agent: apt"));
  EXPECT_FALSE(header_may_carry_credentials("accept-language : de"));
  EXPECT_FALSE(header_may_carry_credentials("Cache-Control: no-cache"));
}

TEST(Credentials, UrlUserinfoAndSecretQueryParametersCount) {
  EXPECT_TRUE(url_has_credentials("https://u:p@host/f"));
  EXPECT_TRUE(url_has_credentials("https://TOKEN@host/f"));
  EXPECT_TRUE(url_has_credentials("https://host/f?X-Amz-Signature=1"));
  EXPECT_TRUE(url_has_credentials("https://host/f?a=1&access_token=2"));
  EXPECT_TRUE(url_has_credentials("https://host/f?apikey=2#frag"));
  EXPECT_FALSE(url_has_credentials("https://host/f?version=2&arch=amd64"));
  EXPECT_FALSE(url_has_credentials("https://host/a@b/f"));      // '@' in the path, not userinfo
  EXPECT_FALSE(url_has_credentials("https://host/f#token=x"));  // a fragment is never sent
  const std::vector<std::string> none;
  const std::vector<std::string> harmless{"User-Agent: x"};
  const std::vector<std::string> bearer{"Authorization: Bearer t"};
  EXPECT_FALSE(sends_credentials("http://host/f", none));
  EXPECT_FALSE(sends_credentials("http://host/f", harmless));
  EXPECT_TRUE(sends_credentials("http://host/f", bearer));
  EXPECT_TRUE(sends_credentials("http://u:p@host/f", harmless));
}

TEST(Credentials, MaskedUrlsKeepEverythingButTheSecrets) {
  EXPECT_EQ(mask_url("http://alice:hunter2@host:8080/p?X-Amz-Signature=abc&part=1#x"),
            "http://***@host:8080/p?X-Amz-Signature=***&part=1#x");
  EXPECT_EQ(mask_url("https://ghp_token@github.com/o/r"), "https://***@github.com/o/r");
  EXPECT_EQ(mask_url("https://host/f?a=1&token"), "https://host/f?a=1&token");
  EXPECT_EQ(mask_url("https://host/a@b"), "https://host/a@b");
  EXPECT_EQ(mask_url("/var/tmp/file"), "/var/tmp/file");
  EXPECT_EQ(mask_url(mask_url("http://u:p@h/f?sig=1")), mask_url("http://u:p@h/f?sig=1"));
}

// Error objects carry a file's URL, masked on the way out: what comes back is masked already,
// and masking it again changes nothing, however odd the text (the ipc_codec fuzzer's input).
TEST(Credentials, MaskingIsIdempotentForAnyText) {
  for (const std::string url : {"http<@/127.0.0.1:1/x", "@", "a@b@c?token=1&sig", "?=&", "http://",
                                "x://@?access_token=&&"}) {
    EXPECT_EQ(mask_url(mask_url(url)), mask_url(url)) << url;
  }
}

}  // namespace
}  // namespace swarmcopy::api
