#include "verified_copy.h"

#include <unistd.h>

#include <cerrno>

namespace swarmcopy::peer {

void VerifiedCopy::attach(util::UniqueFd fd, std::shared_ptr<PieceCopies> copies) {
  std::lock_guard lock(mutex_);
  fd_ = std::move(fd);
  copies_ = std::move(copies);
}

void VerifiedCopy::detach() {
  std::lock_guard lock(mutex_);
  fd_ = util::UniqueFd();
  copies_.reset();
}

void VerifiedCopy::write(std::uint32_t piece, std::span<const char> bytes, std::int64_t offset) {
  std::lock_guard lock(mutex_);
  if (!fd_.valid() || !copies_) return;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::pwrite(fd_.get(), bytes.data() + done, bytes.size() - done,
                            static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // not marked: the engine copies the piece itself, and reports errors
    done += static_cast<std::size_t>(n);
  }
  copies_->mark(piece);
}

}  // namespace swarmcopy::peer
