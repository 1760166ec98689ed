// The disk a lab run fills, and whether the file system it runs on has room for it. Every peer
// holds the file once per round (its destination) and once in its cache (swarmcopy's modes), and
// the origin once: 32 peers of 256 MiB are 16 GiB, and a run that fills the disk leaves a machine
// where nothing can be started any more. So the run refuses up front, with figures.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "run_settings.h"

namespace swarmcopy::lab {

// Bytes a run with `settings` writes at most (content, destinations, caches; the .deb or the
// image a few KiB more than SIZE, well within the margin).
std::uint64_t disk_needed(const RunSettings& settings);

// Nothing when the file system of `dir` has room for `needed` bytes and a margin (5 % of it,
// at least 256 MiB: the logs, and room for everything else on the machine); else why not.
std::expected<void, std::string> check_disk_room(const std::filesystem::path& dir,
                                                 std::uint64_t needed);

}  // namespace swarmcopy::lab
