#include "explanation_codec.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

namespace swarmcopy::engine {
namespace {

std::string field(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return text;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

template <class T>
bool number(const std::string& text, T& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

std::string encode_explanation(const api::FileExplanation& e) {
  std::ostringstream out;
  out << "pieces\t" << e.piece_size << '\t' << e.pieces_total << '\t' << e.pieces_from_origin
      << '\t' << e.pieces_from_peers << '\t' << e.pieces_from_earlier_run << '\n';
  out << "omitted\t" << e.notes_omitted << '\t' << e.peers_omitted << '\t'
      << e.origin_requests_omitted << '\n';
  for (const auto& note : e.notes) out << "note\t" << field(note) << '\n';
  for (const auto& peer : e.peers) {
    out << "peer\t" << field(peer.addr) << '\t' << field(peer.found_by) << '\t' << peer.bytes_down
        << '\t' << peer.bytes_up << '\t' << field(peer.verdict) << '\n';
  }
  for (const auto& request : e.origin_requests) {
    out << "origin\t" << request.first_byte << '\t' << request.end_byte << '\t' << request.requests
        << '\t' << field(request.why) << '\n';
  }
  return out.str();
}

std::optional<api::FileExplanation> decode_explanation(const std::string& text) {
  api::FileExplanation e;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto f = split_tabs(line);
    if (f[0] == "pieces" && f.size() == 6) {
      if (!number(f[1], e.piece_size) || !number(f[2], e.pieces_total) ||
          !number(f[3], e.pieces_from_origin) || !number(f[4], e.pieces_from_peers) ||
          !number(f[5], e.pieces_from_earlier_run)) {
        return std::nullopt;
      }
    } else if (f[0] == "omitted" && f.size() == 4) {
      if (!number(f[1], e.notes_omitted) || !number(f[2], e.peers_omitted) ||
          !number(f[3], e.origin_requests_omitted)) {
        return std::nullopt;
      }
    } else if (f[0] == "note" && f.size() == 2) {
      e.notes.push_back(f[1]);
    } else if (f[0] == "peer" && f.size() == 6) {
      api::PeerExplanation peer{f[1], f[2], 0, 0, f[5]};
      if (!number(f[3], peer.bytes_down) || !number(f[4], peer.bytes_up)) return std::nullopt;
      e.peers.push_back(std::move(peer));
    } else if (f[0] == "origin" && f.size() == 5) {
      api::OriginRequestExplanation request{0, 0, f[4], 0};
      if (!number(f[1], request.first_byte) || !number(f[2], request.end_byte) ||
          !number(f[3], request.requests)) {
        return std::nullopt;
      }
      e.origin_requests.push_back(std::move(request));
    } else {
      return std::nullopt;
    }
  }
  return e;
}

}  // namespace swarmcopy::engine
