#include "local_address.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine::origin {
namespace {

TEST(LocalAddress, LoopbackUnspecifiedAndMappedFormsAreLocal) {
  for (const char* address : {"127.0.0.1", "127.1.2.3", "0.0.0.0", "0.1.2.3", "::1",
                              "::", "::ffff:127.0.0.1", "::ffff:0.0.0.0", "garbage", ""}) {
    EXPECT_TRUE(is_local_address(address)) << address;
  }
}

TEST(LocalAddress, OtherHostsAreNot) {
  // Documentation ranges (RFC 5737, RFC 3849): never an address of this machine.
  for (const char* address : {"192.0.2.1", "198.51.100.7", "2001:db8::1", "::ffff:203.0.113.9"}) {
    EXPECT_FALSE(is_local_address(address)) << address;
  }
}

}  // namespace
}  // namespace swarmcopy::engine::origin
