// The codec's parsers with a field path for their messages, so that an object nested in a
// request or an answer is named where it sits ("files[2].sha256: ..."). Private to ipc/.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_spec.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/proxy_settings.h"

// Reads one field into `var` or returns its error from the enclosing function: the codec has
// dozens of these steps and the spelt-out form hides what is read.
#define SWARMCOPY_READ(var, expr) \
  auto var = (expr);              \
  if (!var) return std::unexpected(std::move(var.error()))

namespace swarmcopy::ipc {

api::Result<api::Error> error_from_json_at(const nlohmann::json& value, const std::string& where);
api::Result<api::FileSpec> file_spec_from_json_at(const nlohmann::json& value,
                                                  const std::string& where);
api::Result<api::FileStatus> file_status_from_json_at(const nlohmann::json& value,
                                                      const std::string& where);
// A proxy setting: {"usage": "system" | "none" | "override", "url": "...", "bypass": [...]}.
// The Job object's form has the URL masked (api::mask_proxy_url); a PATCH body's is as given.
// Reading checks the shape and the usage's name; the engine checks the rest.
nlohmann::json proxy_to_json(const api::ProxySettings& proxy, bool mask);
api::Result<api::ProxySettings> proxy_from_json_at(const nlohmann::json& value,
                                                   const std::string& where);

}  // namespace swarmcopy::ipc
