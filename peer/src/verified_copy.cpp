#include "verified_copy.h"

#include "swarmcopy/util/file_io.h"

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
  // Not marked when it fails: the engine copies the piece itself, and reports what fails.
  if (util::pwrite_fully(fd_.get(), bytes, static_cast<std::uint64_t>(offset)) == 0) {
    copies_->mark(piece);
  }
}

}  // namespace swarmcopy::peer
