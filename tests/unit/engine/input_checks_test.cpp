#include "input_checks.h"

#include <gtest/gtest.h>

#include <string>

namespace swarmcopy::engine {
namespace {

TEST(InputChecks, ControlCharactersC0DelAndC1AreFound) {
  EXPECT_FALSE(has_control_character("plain name, with UTF-8: \xc3\xa9t\xc3\xa9"));
  EXPECT_TRUE(has_control_character(std::string("a\0b", 3)));
  EXPECT_TRUE(has_control_character("a\x1b[2Jb"));
  EXPECT_TRUE(has_control_character("tab\there"));
  EXPECT_TRUE(has_control_character("del\x7f"));
  EXPECT_TRUE(
      has_control_character("csi \xc2\x9b"
                            "31m"));
  EXPECT_FALSE(has_control_character("nbsp \xc2\xa0 ok"));
}

TEST(InputChecks, DisplayNames) {
  EXPECT_TRUE(check_display_name("nightly update"));
  EXPECT_FALSE(check_display_name("x\x1b]0;title\x07"));
  EXPECT_FALSE(check_display_name(std::string(1025, 'n')));
  EXPECT_TRUE(check_display_name(std::string(1024, 'n')));
}

TEST(InputChecks, Descriptions) {
  EXPECT_TRUE(check_description(""));
  EXPECT_TRUE(check_description("Nightly package mirror — ünïcode"));
  EXPECT_FALSE(check_description("two\nlines"));
  EXPECT_FALSE(
      check_description("csi \xc2\x9b"
                        "31m"));
  EXPECT_FALSE(check_description(std::string(1025, 'd')));
  EXPECT_TRUE(check_description(std::string(1024, 'd')));
}

TEST(InputChecks, HttpHeaders) {
  EXPECT_TRUE(check_http_header("Authorization: Bearer abc"));
  EXPECT_TRUE(check_http_header("X-Empty:"));
  EXPECT_TRUE(check_http_header("X-Tab:\tvalue"));
  EXPECT_FALSE(check_http_header("no colon"));
  EXPECT_FALSE(check_http_header(": no name"));
  EXPECT_FALSE(check_http_header("Bad Name: x"));
  EXPECT_FALSE(check_http_header("X-Split: a\r\nHost: evil"));
  EXPECT_FALSE(check_http_header(std::string("X-Nul: a\0b", 10)));
  EXPECT_FALSE(check_http_header("X-Bell: \x07"));
  EXPECT_FALSE(
      check_http_header("X-Csi: \xc2\x9b"
                        "31m"));
  EXPECT_TRUE(check_http_header("X-Utf8: \xc3\xa9t\xc3\xa9"));
}

}  // namespace
}  // namespace swarmcopy::engine
