#include "swarmcopy/registry/byte_range.h"

#include <gtest/gtest.h>

namespace swarmcopy::registry {
namespace {

using Kind = RangeAnswer::Kind;
constexpr std::string_view kEtag = "\"sha256:abc\"";

RangeAnswer answer(std::optional<std::string_view> range, std::uint64_t size = 1000,
                   std::optional<std::string_view> if_range = std::nullopt) {
  return answer_range(range, if_range, kEtag, size);
}

void expect_part(const RangeAnswer& got, std::uint64_t first, std::uint64_t last) {
  EXPECT_EQ(got.kind, Kind::kPart);
  EXPECT_EQ(got.first, first);
  EXPECT_EQ(got.last, last);
}

TEST(ByteRangeTest, OneRangeIsAPart) {
  expect_part(answer("bytes=0-99"), 0, 99);
  expect_part(answer("bytes=100-"), 100, 999);  // how a runtime resumes a layer
  expect_part(answer("bytes=-10"), 990, 999);
  expect_part(answer("bytes=990-5000"), 990, 999);  // the end is clipped to the blob
  expect_part(answer("bytes=-5000"), 0, 999);
  expect_part(answer("Bytes = 5-5 "), 5, 5);
  expect_part(answer("bytes=999-999"), 999, 999);
}

TEST(ByteRangeTest, NoByteInTheRangeIsUnsatisfiable) {
  EXPECT_EQ(answer("bytes=1000-").kind, Kind::kUnsatisfiable);
  EXPECT_EQ(answer("bytes=1000-2000").kind, Kind::kUnsatisfiable);
  EXPECT_EQ(answer("bytes=-0").kind, Kind::kUnsatisfiable);
  EXPECT_EQ(answer("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(answer("bytes=-1", 0).kind, Kind::kUnsatisfiable);
}

TEST(ByteRangeTest, WhatMayBeIgnoredGetsTheWholeBlob) {
  for (const char* ignored :
       {"", "bytes", "bytes=", "bytes=-", "bytes=5", "bytes=a-b", "bytes=5-4", "bytes=0-1,5-6",
        "items=0-1", "bytes=+1-2", "bytes=1--2", "bytes=0x1-2", "bytes=1-2-3",
        "bytes=99999999999999999999-", "bytes=- 5", "bytes=1 -2"}) {
    EXPECT_EQ(answer(std::string_view(ignored)).kind, Kind::kWhole) << ignored;
  }
  EXPECT_EQ(answer(std::nullopt).kind, Kind::kWhole);
}

TEST(ByteRangeTest, AnIfRangeForAnotherCopyGetsTheWholeBlob) {
  expect_part(answer("bytes=10-", 1000, kEtag), 10, 999);
  EXPECT_EQ(answer("bytes=10-", 1000, "\"sha256:other\"").kind, Kind::kWhole);
  EXPECT_EQ(answer("bytes=10-", 1000, "Wed, 21 Oct 2015 07:28:00 GMT").kind, Kind::kWhole);
}

}  // namespace
}  // namespace swarmcopy::registry
