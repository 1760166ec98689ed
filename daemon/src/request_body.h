// Reading a route's JSON body: shared by the job and the cache endpoints so that every route
// refuses a bad body with the same 400 and the same words. Pure functions: any thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

// The body as JSON, or kInvalidArgument saying where the text went wrong.
api::Result<nlohmann::json> parse_body(const std::string& body);

// Action endpoints take no body, or an empty object.
api::Result<void> expect_no_body(const std::string& body);

}  // namespace swarmcopy::daemon
