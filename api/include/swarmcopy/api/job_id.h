// JobId: a job's GUID, random (version 4), stable across restarts; printed and parsed in the
// canonical 8-4-4-4-12 lower-case form. Plain value type: any thread.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::api {

class JobId {
 public:
  JobId() = default;  // the nil GUID
  explicit JobId(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  static JobId generate();
  static std::optional<JobId> parse(std::string_view text);

  std::string to_string() const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  bool is_nil() const;

  auto operator<=>(const JobId&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace swarmcopy::api

template <>
struct std::hash<swarmcopy::api::JobId> {
  std::size_t operator()(const swarmcopy::api::JobId& id) const noexcept;
};
