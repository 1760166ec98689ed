#include "swarmcopy/apt/http_date.h"

#include <gtest/gtest.h>

namespace swarmcopy::apt {
namespace {

TEST(HttpDateTest, FormatsAndParsesRfc1123) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date(format_http_date(1700000000)), 1700000000);
}

TEST(HttpDateTest, AcceptsTheOlderFormsAndRefusesJunk) {
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(parse_http_date(""));
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 36 Nov 1994 08:49:37 GMT"));
}

}  // namespace
}  // namespace swarmcopy::apt
