#include "swarmcopy/api/error.h"

#include <gtest/gtest.h>

namespace swarmcopy::api {
namespace {

TEST(Error, DescribeHasTheCliShape) {
  const Error error{ErrorContext::kRemoteFile,    ErrorKind::kHttpStatus, 404, "not found",
                    "http://127.0.0.1:8080/file", Protocol::kHttp};
  EXPECT_EQ(error.describe(), "not found (http 404): http://127.0.0.1:8080/file");
}

TEST(Error, DescribeNamesTheKindWhenThereIsNoCode) {
  const Error error{ErrorContext::kCaller, ErrorKind::kJobIsFinal, 0, "job is final", "",
                    Protocol::kNone};
  EXPECT_EQ(error.describe(), "job is final (engine job_is_final)");
}

TEST(Error, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ErrorKind::kInternal); ++i) {
    const auto kind = static_cast<ErrorKind>(i);
    ErrorKind parsed{};
    ASSERT_TRUE(parse(to_string(kind), parsed)) << to_string(kind);
    EXPECT_EQ(parsed, kind);
  }
  for (int i = 0; i <= static_cast<int>(ErrorContext::kCaller); ++i) {
    const auto context = static_cast<ErrorContext>(i);
    ErrorContext parsed{};
    ASSERT_TRUE(parse(to_string(context), parsed)) << to_string(context);
    EXPECT_EQ(parsed, context);
  }
  for (int i = 0; i <= static_cast<int>(Protocol::kLocal); ++i) {
    const auto protocol = static_cast<Protocol>(i);
    Protocol parsed{};
    ASSERT_TRUE(parse(to_string(protocol), parsed));
    EXPECT_EQ(parsed, protocol);
  }
  ErrorKind unused{};
  EXPECT_FALSE(parse("no_such_kind", unused));
}

TEST(Error, FailBuildsAnUnexpected) {
  Result<int> result = fail(ErrorContext::kCaller, ErrorKind::kNoFiles, "job has no files");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kNoFiles);
  EXPECT_EQ(result.error().message, "job has no files");
}

}  // namespace
}  // namespace swarmcopy::api
