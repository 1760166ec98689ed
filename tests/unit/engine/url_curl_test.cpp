#include <gtest/gtest.h>

#include <string>

#include "url.h"

namespace swarmcopy::engine {
namespace {

// Found by tests/fuzz (engine_url): check_url took URLs that libcurl, which the transfer hands
// them to, refuses (curl_url_set: CURLUE_BAD_HOSTNAME, CURLUE_BAD_PORT_NUMBER,
// CURLUE_BAD_IPV6), so such a job failed in its transfer instead of at add_file, as url.h
// promises. Each one below is accepted by check_url today and refused by curl.
TEST(CheckUrl, RefusesWhatLibcurlCannotParse) {
  for (const std::string url : {
           "HTTP://10.0.0.1:\310\305/t.bin.torrent",  // the fuzzer's first (bytes as port)
           "http://10.0.0.1:80x/f",                   // a port that is not a number
           "http://example.test:99999/f",             // a port over 65535
           "http://$/f",                              // characters no host name has
           "https://de`ease/f",
           "https://a@b@c/f",  // two '@': the host is not clear
           "http://[::1/f",    // an unclosed IPv6 literal
       }) {
    EXPECT_FALSE(check_url(url)) << url;
  }
}

}  // namespace
}  // namespace swarmcopy::engine
