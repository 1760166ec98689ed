// The file a lab run publishes: generated, incompressible content of a given size, its piece
// size, and SHA-256 checks of what the peers ended with.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::lab {

// 256 KiB, doubled until the file has at most 1024 pieces (16 MiB at most): small files still
// have enough pieces to share, large ones are not described by huge metadata.
std::uint32_t piece_size_for(std::uint64_t size);

// The content every run publishes, and the other bytes a liar (liar.h) holds instead.
inline constexpr std::uint64_t kContentSeed = 0x5eed5eed5eedull;
inline constexpr std::uint64_t kLieSeed = 0x11e511e511e5ull;

// `size` pseudo-random bytes (splitmix64 from `seed`: the same for every run) at `path`. False
// when a stop was requested on the way.
api::Result<bool> write_content(const std::filesystem::path& path, std::uint64_t size,
                                std::uint64_t seed = kContentSeed);

api::Result<std::string> sha256_of(const std::filesystem::path& path);

}  // namespace swarmcopy::lab
