#include "swarmcopy/util/pem_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace swarmcopy::util {

std::expected<std::string, std::string> read_pem_file(const std::filesystem::path& file) {
  constexpr std::size_t kMaxBytes = 64 * 1024;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(file.string() + ": " + std::strerror(errno));
  std::string text;
  text.resize(kMaxBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxBytes) return std::unexpected(file.string() + ": larger than 64 KiB");
  if (text.find("-----BEGIN ") == std::string::npos) {
    return std::unexpected(file.string() + ": not PEM (no \"-----BEGIN \" line)");
  }
  return text;
}

}  // namespace swarmcopy::util
