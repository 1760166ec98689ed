#include "swarmcopy/apt/hash_set.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace swarmcopy::apt {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string to_hex(const unsigned char* data, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

}  // namespace

struct HashSet::Contexts {
  std::array<MdCtx, 4> ctx;  // md5, sha1, sha256, sha512
};

HashSet::HashSet() : contexts_(std::make_unique<Contexts>()) {
  const std::array<const EVP_MD*, 4> mds = {EVP_md5(), EVP_sha1(), EVP_sha256(), EVP_sha512()};
  for (std::size_t i = 0; i < mds.size(); ++i) {
    contexts_->ctx[i].reset(EVP_MD_CTX_new());
    if (!contexts_->ctx[i] || EVP_DigestInit_ex(contexts_->ctx[i].get(), mds[i], nullptr) != 1) {
      throw std::runtime_error("EVP_DigestInit_ex failed");  // out of memory
    }
  }
}

HashSet::~HashSet() = default;

void HashSet::update(std::string_view bytes) {
  for (auto& ctx : contexts_->ctx) EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  size_ += bytes.size();
}

FileHashes HashSet::finish() {
  std::array<std::string, 4> hex;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(contexts_->ctx[i].get(), digest, &length);
    hex[i] = to_hex(digest, length);
  }
  return FileHashes{size_, hex[0], hex[1], hex[2], hex[3]};
}

std::expected<FileHashes, std::string> hash_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::unexpected(std::string(std::strerror(errno)) + ": " + path.string());
  HashSet hashes;
  std::vector<char> buffer(1 << 16);
  while (true) {
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return std::unexpected(std::string(std::strerror(err)) + ": " + path.string());
    }
    if (n == 0) break;
    hashes.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return hashes.finish();
}

}  // namespace swarmcopy::apt
