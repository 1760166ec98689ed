#include "disk_room.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "units.h"

namespace swarmcopy::lab {

std::uint64_t disk_needed(const RunSettings& settings) {
  const std::uint64_t peers = static_cast<std::uint64_t>(std::max(settings.peers, 0));
  const std::uint64_t rounds = static_cast<std::uint64_t>(std::max(settings.rounds, 1));
  const std::uint64_t caches = settings.mode == "curl" ? 0 : 1;
  // apt: the package's tree beside the .deb while dpkg-deb builds it; oci: the image's layout
  // and the registry's copy of it.
  const std::uint64_t origin = settings.workload == "file" ? 1 : 2;
  return settings.size * (origin + peers * (rounds + caches));
}

std::expected<void, std::string> check_disk_room(const std::filesystem::path& dir,
                                                 std::uint64_t needed) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) {
    return std::unexpected(
        fmt::format("cannot tell the free space in {}: {}", dir.string(), std::strerror(errno)));
  }
  const std::uint64_t available = std::uint64_t{fs.f_bavail} * fs.f_frsize;
  const std::uint64_t margin = std::max<std::uint64_t>(needed / 20, 256ull << 20);
  if (available >= needed && available - needed >= margin) return {};
  return std::unexpected(fmt::format(
      "not enough disk for this run: it writes up to {} in {} (the file for the origin, and for "
      "each peer one copy per round plus its cache's), and {} is free; use a smaller --size or "
      "fewer --peers",
      format_bytes(needed), dir.string(), format_bytes(available)));
}

}  // namespace swarmcopy::lab
