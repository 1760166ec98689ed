// UploadMonth: how many bytes this machine uploaded to peers in the current calendar month, for
// the monthly upload cap (Delivery Optimization's DOMonthlyUploadDataCap). A new month starts
// the count again. Plain value; the engine keeps it in its job store across restarts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace swarmcopy::engine {

struct UploadMonth {
  std::uint32_t month = 0;  // year * 100 + month (1-12), local time; 0: none yet
  std::uint64_t bytes = 0;

  // Counts `sent` bytes uploaded during `now_month`.
  void count(std::uint64_t sent, std::uint32_t now_month) {
    if (now_month != month) {
      month = now_month;
      bytes = 0;
    }
    bytes += sent;
  }
  // What `cap` still allows this month (bytes); nullopt: no cap (0).
  std::optional<std::uint64_t> left(std::uint64_t cap) const {
    if (cap == 0) return std::nullopt;
    return cap - std::min(cap, bytes);
  }
};

}  // namespace swarmcopy::engine
