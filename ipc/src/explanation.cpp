#include "swarmcopy/ipc/explanation.h"

#include <limits>

#include "codec_internal.h"
#include "object_reader.h"

namespace swarmcopy::ipc {
namespace {

api::Result<std::uint32_t> u32(const ObjectReader& reader, std::string_view key) {
  SWARMCOPY_READ(value, reader.unsigned_integer(key, std::numeric_limits<std::uint32_t>::max()));
  return static_cast<std::uint32_t>(*value);
}

// Each element of the array at `key`, read by `read_one`.
template <class T, class ReadOne>
api::Result<std::vector<T>> list(const ObjectReader& reader, std::string_view key,
                                 ReadOne read_one) {
  SWARMCOPY_READ(array, reader.required(key));
  if (!(*array)->is_array()) return field_error(reader.path(key), "expected an array");
  std::vector<T> items;
  for (std::size_t i = 0; i < (*array)->size(); ++i) {
    SWARMCOPY_READ(item, ObjectReader::open((**array)[i], index_path(reader.path(key), i)));
    SWARMCOPY_READ(value, read_one(*item));
    items.push_back(std::move(*value));
  }
  return items;
}

api::Result<api::PeerExplanation> peer_from(const ObjectReader& peer) {
  SWARMCOPY_READ(addr, peer.string("addr"));
  SWARMCOPY_READ(found_by, peer.string("found_by"));
  SWARMCOPY_READ(down, peer.unsigned_integer("bytes_down"));
  SWARMCOPY_READ(up, peer.unsigned_integer("bytes_up"));
  SWARMCOPY_READ(verdict, peer.string("verdict"));
  return api::PeerExplanation{std::move(*addr), std::move(*found_by), *down, *up,
                              std::move(*verdict)};
}

api::Result<api::OriginRequestExplanation> request_from(const ObjectReader& request) {
  SWARMCOPY_READ(first, request.unsigned_integer("first_byte"));
  SWARMCOPY_READ(end, request.unsigned_integer("end_byte"));
  SWARMCOPY_READ(why, request.string("why"));
  SWARMCOPY_READ(requests, u32(request, "requests"));
  return api::OriginRequestExplanation{*first, *end, std::move(*why), *requests};
}

api::Result<api::FileExplanation> file_from(const nlohmann::json& value, const std::string& where) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, where));
  api::FileExplanation e;
  SWARMCOPY_READ(piece_size, u32(*reader, "piece_size"));
  SWARMCOPY_READ(pieces_total, u32(*reader, "pieces_total"));
  SWARMCOPY_READ(from_origin, u32(*reader, "pieces_from_origin"));
  SWARMCOPY_READ(from_peers, u32(*reader, "pieces_from_peers"));
  SWARMCOPY_READ(from_earlier, u32(*reader, "pieces_from_earlier_run"));
  SWARMCOPY_READ(notes, reader->string_array("notes"));
  SWARMCOPY_READ(notes_omitted, u32(*reader, "notes_omitted"));
  SWARMCOPY_READ(peers, list<api::PeerExplanation>(*reader, "peers", peer_from));
  SWARMCOPY_READ(peers_omitted, u32(*reader, "peers_omitted"));
  SWARMCOPY_READ(requests,
                 list<api::OriginRequestExplanation>(*reader, "origin_requests", request_from));
  SWARMCOPY_READ(requests_omitted, u32(*reader, "origin_requests_omitted"));
  e.piece_size = *piece_size;
  e.pieces_total = *pieces_total;
  e.pieces_from_origin = *from_origin;
  e.pieces_from_peers = *from_peers;
  e.pieces_from_earlier_run = *from_earlier;
  e.notes = std::move(*notes);
  e.notes_omitted = *notes_omitted;
  e.peers = std::move(*peers);
  e.peers_omitted = *peers_omitted;
  e.origin_requests = std::move(*requests);
  e.origin_requests_omitted = *requests_omitted;
  return e;
}

}  // namespace

nlohmann::json to_json(const api::FileExplanation& e) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& peer : e.peers) {
    peers.push_back({{"addr", peer.addr},
                     {"found_by", peer.found_by},
                     {"bytes_down", peer.bytes_down},
                     {"bytes_up", peer.bytes_up},
                     {"verdict", peer.verdict}});
  }
  nlohmann::json requests = nlohmann::json::array();
  for (const auto& request : e.origin_requests) {
    requests.push_back({{"first_byte", request.first_byte},
                        {"end_byte", request.end_byte},
                        {"why", request.why},
                        {"requests", request.requests}});
  }
  return {{"piece_size", e.piece_size},
          {"pieces_total", e.pieces_total},
          {"pieces_from_origin", e.pieces_from_origin},
          {"pieces_from_peers", e.pieces_from_peers},
          {"pieces_from_earlier_run", e.pieces_from_earlier_run},
          {"notes", e.notes},
          {"notes_omitted", e.notes_omitted},
          {"peers", peers},
          {"peers_omitted", e.peers_omitted},
          {"origin_requests", requests},
          {"origin_requests_omitted", e.origin_requests_omitted}};
}

nlohmann::json explanations_to_json(const std::vector<api::FileExplanation>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& file : files) list.push_back(to_json(file));
  return {{"files", list}};
}

api::Result<std::vector<api::FileExplanation>> explanations_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  SWARMCOPY_READ(array, reader->required("files"));
  if (!(*array)->is_array()) return field_error(reader->path("files"), "expected an array");
  std::vector<api::FileExplanation> files;
  for (std::size_t i = 0; i < (*array)->size(); ++i) {
    SWARMCOPY_READ(file, file_from((**array)[i], index_path(reader->path("files"), i)));
    files.push_back(std::move(*file));
  }
  return files;
}

}  // namespace swarmcopy::ipc
