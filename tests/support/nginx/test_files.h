// Test data: files of a given size with pseudo-random content (incompressible, so no layer can
// cheat by compressing), and their SHA-256 (OpenSSL EVP). Any thread.
//
// Within one process the same seed and size always give the same bytes (two origins of one
// test serve the same content). Two processes never do: the bytes are salted with the process
// id and its start time, because tests run side by side and two of them holding the same
// content would swarm with each other (a test counting its origin's bytes then fails).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace swarmcopy::test {

// Writes `size` bytes to `path` (replacing it) and returns their SHA-256, lower-case hex.
std::expected<std::string, std::string> write_test_file(const std::filesystem::path& path,
                                                        std::uint64_t size, std::uint64_t seed = 1);

// The SHA-256 of a file's contents, lower-case hex.
std::expected<std::string, std::string> sha256_file(const std::filesystem::path& path);

// The SHA-256 of `data`, lower-case hex.
std::string sha256_hex(std::string_view data);

}  // namespace swarmcopy::test
