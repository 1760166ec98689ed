#include "download_caps.h"

#include <fmt/format.h>

namespace swarmcopy::engine {

bool in_business_hours(const DownloadCaps& caps, int hour) {
  const int begin = caps.business_begin_hour;
  const int end = caps.business_end_hour;
  if (begin == end) return false;
  return begin < end ? (hour >= begin && hour < end) : (hour >= begin || hour < end);
}

EffectiveCap effective_cap(const DownloadCaps& caps, bool foreground, int hour,
                           std::uint64_t measured) {
  const std::string cls = foreground ? "foreground" : "background";
  std::string key = cls + "_download_limit";
  DownloadLimit limit = foreground ? caps.foreground : caps.background;
  if (caps.business_begin_hour != caps.business_end_hour) {
    const bool business = in_business_hours(caps, hour);
    const auto& variant =
        business ? (foreground ? caps.foreground_business : caps.background_business)
                 : (foreground ? caps.foreground_off_hours : caps.background_off_hours);
    if (variant) {
      limit = *variant;
      key += business ? "_business_hours" : "_off_hours";
    }
  }
  if (limit.bytes_per_second > 0) {
    return {limit.bytes_per_second, fmt::format("{} = {} bytes/s", key, limit.bytes_per_second)};
  }
  if (limit.percent > 0) {
    if (measured == 0) {
      return {0, fmt::format("{} = {}%, of a throughput not measured yet: no cap until it is", key,
                             limit.percent)};
    }
    const auto rate = std::max<std::uint64_t>(measured / 100 * limit.percent, 1);
    return {rate, fmt::format("{} = {}% of the {} bytes/s measured: {} bytes/s", key, limit.percent,
                              measured, rate)};
  }
  return {};
}

}  // namespace swarmcopy::engine
