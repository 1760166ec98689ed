// HashSet: the hashes apt's http method reports for a file (MD5, SHA-1, SHA-256, SHA-512),
// computed together while the bytes stream by (OpenSSL EVP), and FileHashes, their lower-case
// hex values with the size. apt checks the ones its index lists; reporting all of them, as its
// own methods do, lets it check whichever it expects. Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace swarmcopy::apt {

struct FileHashes {
  std::uint64_t size = 0;
  std::string md5;
  std::string sha1;
  std::string sha256;
  std::string sha512;
};

class HashSet {
 public:
  HashSet();
  ~HashSet();
  HashSet(const HashSet&) = delete;
  HashSet& operator=(const HashSet&) = delete;

  void update(std::string_view bytes);
  // The hashes of everything updated so far; call once.
  FileHashes finish();

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
  std::uint64_t size_ = 0;
};

// Reads a whole file (for one the daemon wrote). The error is errno's sentence with the path.
std::expected<FileHashes, std::string> hash_file(const std::filesystem::path& path);

}  // namespace swarmcopy::apt
