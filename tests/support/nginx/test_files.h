// Test data: files of a given size with deterministic pseudo-random content (the same seed and
// size always give the same bytes, incompressible, so no layer can cheat by compressing), and
// their SHA-256 (OpenSSL EVP). Any thread.
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
