#include "content_range.h"

#include <gtest/gtest.h>

#include <string>

namespace swarmcopy::engine::origin {
namespace {

TEST(ContentRangeParse, ReadsTheThreeForms) {
  EXPECT_EQ(ContentRange::parse("bytes 0-99/1000"), (ContentRange{0, 99, 1000}));
  EXPECT_EQ(ContentRange::parse("Bytes 5-9/*"), (ContentRange{5, 9, std::nullopt}));
  EXPECT_EQ(ContentRange::parse("bytes */0"), (ContentRange{std::nullopt, std::nullopt, 0}));
  EXPECT_FALSE(ContentRange::parse("bytes */*"));
  EXPECT_FALSE(ContentRange::parse("bytes 9-5/10"));
  EXPECT_FALSE(ContentRange::parse("bytes 0-10/10"));
  EXPECT_FALSE(ContentRange::parse("items 0-9/10"));
}

// Found by tests/fuzz (origin_content_range): the unit was compared as (c | 0x20), so a NUL
// passed for the space after "bytes".
TEST(ContentRangeParse, RefusesANulInPlaceOfTheSpace) {
  EXPECT_FALSE(ContentRange::parse(std::string("Bytes") + '\0' + "11-485151/*"));
  EXPECT_FALSE(ContentRange::parse(std::string("bytes") + '\0' + "0-99/1000"));
}

}  // namespace
}  // namespace swarmcopy::engine::origin
