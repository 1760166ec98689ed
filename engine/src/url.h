// URL rules for job files: only absolute http:// and https:// URLs with a host. Checked when a
// file is added, so a bad URL is refused at once instead of failing later in a transfer.
#pragma once

#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

// The protocol of a valid URL, or a kInvalidArgument error saying what is wrong.
api::Result<api::Protocol> check_url(std::string_view url);

}  // namespace swarmcopy::engine
