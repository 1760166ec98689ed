// TempFile: the open file descriptor of a job file's temporary file, beside its destination.
// Positional writes from the engine thread; sync (fdatasync) from the blocking pool — both on
// one fd is safe. Shared (shared_ptr) so an in-flight sync keeps it open after the transfer
// that wrote it has ended.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine {

class TempFile {
 public:
  // Opens (creating if missing, never following a symlink, never waiting on a FIFO) the regular
  // file at `path`, with permissions `mode` when given (else as the process's umask makes them).
  static api::Result<std::shared_ptr<TempFile>> open(const std::string& path,
                                                     std::optional<std::uint32_t> mode);
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Writes all of `bytes` at `offset` (ENOSPC → kDiskFull, other errors → kLocalIo).
  api::Result<void> write_at(std::uint64_t offset, std::span<const char> bytes);
  // Reserves `size` bytes on disk so that a full disk shows now, not mid-transfer.
  api::Result<void> reserve(std::uint64_t size);
  api::Result<void> truncate(std::uint64_t size);
  api::Result<void> sync();
  api::Result<std::uint64_t> size() const;
  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

 private:
  TempFile(std::string path, util::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  api::Error io_error(const char* what, int err) const;

  std::string path_;
  util::UniqueFd fd_;
};

}  // namespace swarmcopy::engine
