// FileExplanation: why a file's bytes came from where they came ("explain this byte"): per peer
// seen, how it was found and why it gave or did not give bytes; per origin request, its byte
// range and why it was made; the decisions that shaped the transfer. Kept with the job after it
// completes, bounded in size (the limits below), so an administrator can ask afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swarmcopy::api {

struct PeerExplanation {
  std::string addr;      // "IP:PORT" as the peer was first seen
  std::string found_by;  // "lsd", "tracker", "listed" (--peer) or "incoming" (it dialled us)
  std::uint64_t bytes_down = 0;
  std::uint64_t bytes_up = 0;
  // "used" when it gave bytes; otherwise why not: "had no piece this machine lacked",
  // "kept this machine choked", "its pieces came from elsewhere first", ...
  std::string verdict;
  bool operator==(const PeerExplanation&) const = default;
};

// One request to the origin: bytes [first_byte, end_byte), and why it was made ("owned piece",
// "take-over: no piece verified for 2 s", "no metadata: the whole file over HTTP", ...).
// Consecutive requests with the same reason and adjoining ranges are kept as one.
struct OriginRequestExplanation {
  std::uint64_t first_byte = 0;
  std::uint64_t end_byte = 0;
  std::string why;
  std::uint32_t requests = 1;  // how many requests this entry stands for
  bool operator==(const OriginRequestExplanation&) const = default;
};

struct FileExplanation {
  static constexpr std::size_t kMaxNotes = 32;
  static constexpr std::size_t kMaxPeers = 64;
  static constexpr std::size_t kMaxOriginRequests = 128;
  static constexpr std::size_t kMaxTextBytes = 200;  // per note, verdict or reason

  // Pieces by source (0 when the file went over plain HTTP and has no pieces).
  std::uint32_t piece_size = 0;
  std::uint32_t pieces_total = 0;
  std::uint32_t pieces_from_origin = 0;
  std::uint32_t pieces_from_peers = 0;
  std::uint32_t pieces_from_earlier_run = 0;
  // Decisions, in the order they were taken: the mode, policy rules that applied, delays, the
  // metadata's source, a refuted claim, a fall-back to HTTP.
  std::vector<std::string> notes;
  std::uint32_t notes_omitted = 0;
  std::vector<PeerExplanation> peers;
  std::uint32_t peers_omitted = 0;
  std::vector<OriginRequestExplanation> origin_requests;
  std::uint32_t origin_requests_omitted = 0;
  bool operator==(const FileExplanation&) const = default;

  // Adds a note unless it is the last one already (bounded).
  void note(std::string text);
  // Adds an origin request, merged into the last entry when it continues it for the same reason.
  void origin_request(std::uint64_t first_byte, std::uint64_t end_byte, std::string why);
};

}  // namespace swarmcopy::api
