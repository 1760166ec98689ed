#include "swarmcopy/cache/partial_item.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "swarmcopy/util/file_io.h"

namespace swarmcopy::cache {
namespace {

api::Error write_error(std::string message, const PartialItem& item, int err) {
  message += std::string(": ") + std::strerror(err);
  return api::Error{api::ErrorContext::kCache,
                    err == ENOSPC ? api::ErrorKind::kDiskFull : api::ErrorKind::kLocalIo,
                    err,
                    std::move(message),
                    item.path().string(),
                    api::Protocol::kLocal};
}

}  // namespace

api::Result<void> PartialItem::write(std::span<const char> bytes, std::uint64_t offset) const {
  if (offset > size() || bytes.size() > size() - offset) {
    return std::unexpected(api::Error{
        api::ErrorContext::kCache, api::ErrorKind::kInvalidArgument, 0,
        "a write past the end of the cached item (" + std::to_string(bytes.size()) + " bytes at " +
            std::to_string(offset) + " of " + std::to_string(size()) + ")",
        path().string(), api::Protocol::kLocal});
  }
  if (!file_) return std::unexpected(write_error("cannot write to the cache", *this, EBADF));
  if (const int err = util::pwrite_fully(file_.get(), bytes, offset); err != 0) {
    return std::unexpected(write_error("cannot write to the cache", *this, err));
  }
  return {};
}

api::Result<util::UniqueFd> PartialItem::share() const {
  util::UniqueFd copy(::fcntl(file_.get(), F_DUPFD_CLOEXEC, 0));
  if (!copy) return std::unexpected(write_error("cannot share the cached item", *this, errno));
  return copy;
}

Pin PartialItem::into_pin() && {
  file_.reset();
  return std::move(pin_);
}

}  // namespace swarmcopy::cache
