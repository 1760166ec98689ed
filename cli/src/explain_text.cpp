#include "explain_text.h"

#include <fmt/format.h>

#include <limits>

#include "format_units.h"
#include "printable.h"
#include "swarmcopy/api/credentials.h"
#include "swarmcopy/ipc/explanation.h"

namespace swarmcopy::cli {
namespace {

std::string byte_range(const api::OriginRequestExplanation& request) {
  if (request.end_byte == std::numeric_limits<std::uint64_t>::max()) {
    return fmt::format("bytes {}-(end)", request.first_byte);
  }
  return fmt::format("bytes {}-{}", request.first_byte,
                     request.end_byte > 0 ? request.end_byte - 1 : 0);
}

void file_text(std::string& out, const api::FileStatus& status, const api::FileExplanation& e) {
  out += fmt::format("{}\n  -> {}\n", printable(api::mask_url(status.url)),
                     printable(status.local_path));
  out += fmt::format("  bytes: {} from the origin, {} from peers, {} from the cache, {} again\n",
                     format_bytes(status.from_origin), format_bytes(status.from_peers),
                     format_bytes(status.from_cache), format_bytes(status.refetched));
  if (e.pieces_total > 0) {
    out += fmt::format(
        "  pieces: {} of {}: {} from the origin, {} from peers, {} kept from an earlier run\n",
        e.pieces_total, format_bytes(e.piece_size), e.pieces_from_origin, e.pieces_from_peers,
        e.pieces_from_earlier_run);
  }
  if (!e.notes.empty()) out += "  decisions:\n";
  for (const auto& note : e.notes) out += fmt::format("    - {}\n", printable(note));
  if (e.notes_omitted > 0) out += fmt::format("    ({} more not kept)\n", e.notes_omitted);
  out += fmt::format("  peers seen: {}\n", e.peers.size() + e.peers_omitted);
  for (const auto& peer : e.peers) {
    out += fmt::format("    {} (found by {}): {} received, {} sent: {}\n", printable(peer.addr),
                       peer.found_by, format_bytes(peer.bytes_down), format_bytes(peer.bytes_up),
                       printable(peer.verdict));
  }
  if (e.peers_omitted > 0) out += fmt::format("    ({} more not kept)\n", e.peers_omitted);
  out += fmt::format("  origin requests: {}\n", e.origin_requests.size());
  for (const auto& request : e.origin_requests) {
    out += fmt::format(
        "    {}{}: {}\n", byte_range(request),
        request.requests > 1 ? fmt::format(" ({} requests)", request.requests) : std::string(),
        printable(request.why));
  }
  if (e.origin_requests_omitted > 0) {
    out += fmt::format("    ({} more not kept)\n", e.origin_requests_omitted);
  }
}

}  // namespace

std::string explanation_text(const api::JobInfo& info,
                             const std::vector<api::FileExplanation>& files) {
  std::string out = fmt::format("job {} ({})\n", info.id.to_string(), api::to_string(info.state));
  for (std::size_t i = 0; i < info.files.size() && i < files.size(); ++i) {
    file_text(out, info.files[i], files[i]);
  }
  return out;
}

nlohmann::json explanation_json(const api::JobInfo& info,
                                const std::vector<api::FileExplanation>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < info.files.size() && i < files.size(); ++i) {
    const auto& status = info.files[i];
    auto file = ipc::to_json(files[i]);
    file["url"] = api::mask_url(status.url);
    file["path"] = status.local_path;
    file["from_origin"] = status.from_origin;
    file["from_peers"] = status.from_peers;
    file["from_cache"] = status.from_cache;
    file["refetched"] = status.refetched;
    list.push_back(std::move(file));
  }
  return {{"id", info.id.to_string()}, {"state", api::to_string(info.state)}, {"files", list}};
}

}  // namespace swarmcopy::cli
