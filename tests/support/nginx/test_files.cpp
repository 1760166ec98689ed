#include "nginx/test_files.h"

#include <openssl/evp.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <vector>

namespace swarmcopy::test {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Incremental SHA-256 over EVP; errors surface at the end, as one message.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    ok_ = context_ && EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1;
  }
  void update(const void* data, std::size_t size) {
    ok_ = ok_ && EVP_DigestUpdate(context_.get(), data, size) == 1;
  }
  std::expected<std::string, std::string> hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (!ok_ || EVP_DigestFinal_ex(context_.get(), digest.data(), &length) != 1) {
      return std::unexpected("OpenSSL SHA-256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
      text += kHex[digest[i] >> 4];
      text += kHex[digest[i] & 0xf];
    }
    return text;
  }

 private:
  MdCtx context_;
  bool ok_ = false;
};

// splitmix64: fast, and good enough that the data does not compress.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr std::size_t kChunk = 1 << 20;

// This process's salt (see the header): its id and the time it first wrote a file, mixed.
std::uint64_t process_salt() {
  static const std::uint64_t salt = [] {
    std::uint64_t state =
        (static_cast<std::uint64_t>(::getpid()) << 40) ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return next_random(state);
  }();
  return salt;
}

}  // namespace

std::expected<std::string, std::string> write_test_file(const std::filesystem::path& path,
                                                        std::uint64_t size, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return std::unexpected("cannot create " + path.string());
  Sha256 hash;
  std::vector<char> chunk(kChunk);
  std::uint64_t state = seed ^ process_salt();
  for (std::uint64_t left = size; left > 0;) {
    const std::size_t n = left < kChunk ? static_cast<std::size_t>(left) : kChunk;
    for (std::size_t i = 0; i < n; i += 8) {
      const std::uint64_t word = next_random(state);
      for (std::size_t b = 0; b < 8 && i + b < n; ++b) {
        chunk[i + b] = static_cast<char>(word >> (8 * b));
      }
    }
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    hash.update(chunk.data(), n);
    left -= n;
  }
  out.close();
  if (!out) return std::unexpected("cannot write " + path.string());
  return hash.hex();
}

std::expected<std::string, std::string> sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot open " + path.string());
  Sha256 hash;
  std::vector<char> chunk(kChunk);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hash.update(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return std::unexpected("cannot read " + path.string());
  return hash.hex();
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.hex().value_or(std::string());
}

}  // namespace swarmcopy::test
