#include "swarmcopy/api/download_mode.h"

#include "name_table.h"

namespace swarmcopy::api {
namespace {

constexpr NameTable<DownloadMode, 4> kModeNames{{
    {DownloadMode::kLan, "lan"},
    {DownloadMode::kGroup, "group"},
    {DownloadMode::kHttpOnly, "http-only"},
    {DownloadMode::kBypass, "bypass"},
}};

}  // namespace

std::string_view to_string(DownloadMode mode) { return name_of(mode, kModeNames); }

std::optional<DownloadMode> parse_download_mode(std::string_view text) {
  return value_of(text, kModeNames);
}

}  // namespace swarmcopy::api
