// read_pem_file: a certificate or key an administrator names (swarmcopyd.conf's group_*_file,
// `get --group-cert`), read whole: at most 64 KiB, and PEM ("-----BEGIN "). The error is a
// sentence naming the file. Blocking; any thread.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace swarmcopy::util {

std::expected<std::string, std::string> read_pem_file(const std::filesystem::path& file);

}  // namespace swarmcopy::util
