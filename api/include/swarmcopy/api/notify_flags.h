// NotifyFlags: which events reach a job's Callback (BG_NOTIFY_*). Bit values match the seed.
#pragma once

#include <cstdint>

namespace swarmcopy::api {

enum class NotifyFlags : std::uint32_t {
  kNone = 0,
  kJobTransferred = 0x1,
  kJobError = 0x2,
  kDisable = 0x4,  // no notifications at all, whatever else is set
  kJobModification = 0x8,
  kFileTransferred = 0x10,
};

constexpr NotifyFlags operator|(NotifyFlags a, NotifyFlags b) {
  return static_cast<NotifyFlags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr NotifyFlags operator&(NotifyFlags a, NotifyFlags b) {
  return static_cast<NotifyFlags>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr bool has(NotifyFlags flags, NotifyFlags bit) {
  return (static_cast<std::uint32_t>(flags) & static_cast<std::uint32_t>(bit)) != 0;
}
// True when `event` should be delivered under `flags`.
constexpr bool wants(NotifyFlags flags, NotifyFlags event) {
  return !has(flags, NotifyFlags::kDisable) && has(flags, event);
}

constexpr NotifyFlags kDefaultNotifyFlags = NotifyFlags::kJobTransferred | NotifyFlags::kJobError;
constexpr std::uint32_t kAllNotifyBits = 0x1f;

}  // namespace swarmcopy::api
