#include "content.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <vector>

#include "stop_signal.h"
#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::lab {

std::uint32_t piece_size_for(std::uint64_t size) {
  std::uint32_t piece = 256u << 10;
  while (size / piece > 1024 && piece < (16u << 20)) piece <<= 1;
  return piece;
}

api::Result<bool> write_content(const std::filesystem::path& path, std::uint64_t size,
                                std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::uint64_t> block((1u << 20) / sizeof(std::uint64_t));
  std::uint64_t state = seed;
  for (std::uint64_t left = size; left > 0 && out;) {
    if (stop_requested()) return false;
    for (auto& word : block) {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      word = z ^ (z >> 31);
    }
    const std::uint64_t chunk = std::min<std::uint64_t>(left, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(chunk));
    left -= chunk;
  }
  out.close();
  if (!out) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot write " + path.string());
  }
  return true;
}

api::Result<std::string> sha256_of(const std::filesystem::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot open " + path.string(), errno);
  }
  return util::sha256_of_fd(fd.get(), path.string());
}

}  // namespace swarmcopy::lab
