#include "swarmcopy/api/job_id.h"

#include <gtest/gtest.h>

#include <set>

namespace swarmcopy::api {
namespace {

TEST(JobId, GeneratedIdsAreVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = JobId::generate();
    const auto text = id.to_string();
    ASSERT_EQ(text.size(), 36u);
    EXPECT_EQ(text[14], '4');
    EXPECT_TRUE(text[19] == '8' || text[19] == '9' || text[19] == 'a' || text[19] == 'b');
    EXPECT_TRUE(seen.insert(text).second);
  }
}

TEST(JobId, RoundTripsThroughText) {
  const auto id = JobId::generate();
  const auto parsed = JobId::parse(id.to_string());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
}

TEST(JobId, ParsesBracedAndUpperCase) {
  const auto parsed = JobId::parse("{6F9619FF-8B86-D011-B42D-00C04FC964FF}");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->to_string(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
}

TEST(JobId, RejectsMalformedText) {
  EXPECT_FALSE(JobId::parse(""));
  EXPECT_FALSE(JobId::parse("6f9619ff-8b86-d011-b42d-00c04fc964f"));
  EXPECT_FALSE(JobId::parse("6f9619ff-8b86-d011-b42d-00c04fc964fg"));
  EXPECT_FALSE(JobId::parse("6f9619ff8b86-d011-b42d-00c04fc964ff0"));
  EXPECT_FALSE(JobId::parse("{6f9619ff-8b86-d011-b42d-00c04fc964ff"));
}

TEST(JobId, DefaultIsNil) {
  EXPECT_TRUE(JobId().is_nil());
  EXPECT_FALSE(JobId::generate().is_nil());
}

}  // namespace
}  // namespace swarmcopy::api
