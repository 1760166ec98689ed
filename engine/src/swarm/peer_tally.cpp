#include "peer_tally.h"

#include <algorithm>

namespace swarmcopy::engine::swarm {

bool PeerTally::update(const std::vector<peer::PeerStats>& connected,
                       const std::function<bool(const std::vector<bool>&)>& lacks) {
  bool new_peer = false;
  for (auto& [id, record] : peers_) record.connected = false;
  for (const auto& peer : connected) {
    auto [it, added] = peers_.try_emplace(peer.peer_id);
    new_peer = new_peer || added;
    auto& record = it->second;
    // A counter that went down belongs to a new connection: bank the old one's.
    if (peer.bytes_down < record.down_live || peer.bytes_up < record.up_live) {
      record.down_closed += record.down_live;
      record.up_closed += record.up_live;
    }
    record.address = peer.address;
    if (added) record.found_by = peer.found_by;
    // What the verdict needs is known once both are: the bitfield scan (per peer, per tick)
    // runs only while it can still change something.
    const bool could_learn =
        !record.had_what_we_lacked || (peer.choked_us && !record.choked_us_then);
    if (lacks && could_learn && !peer.have.empty() && lacks(peer.have)) {
      record.had_what_we_lacked = true;
      record.choked_us_then = record.choked_us_then || peer.choked_us;
    }
    record.seed = peer.seed;
    record.connected = true;
    record.down_live = peer.bytes_down;
    record.up_live = peer.bytes_up;
  }
  for (auto& [id, record] : peers_) {
    if (record.connected) continue;
    record.down_closed += record.down_live;
    record.up_closed += record.up_live;
    record.down_live = record.up_live = 0;
  }
  return new_peer;
}

void PeerTally::banned(const std::vector<std::string>& addresses) {
  for (auto& [id, record] : peers_) {
    if (std::find(addresses.begin(), addresses.end(), record.address) != addresses.end()) {
      record.banned = true;
    }
  }
}

std::vector<api::PeerExplanation> PeerTally::explain(std::uint32_t* omitted) const {
  std::vector<api::PeerExplanation> peers;
  *omitted = 0;
  for (const auto& [id, record] : peers_) {
    if (peers.size() >= api::FileExplanation::kMaxPeers) {
      ++*omitted;
      continue;
    }
    api::PeerExplanation peer;
    peer.addr = record.address;
    peer.found_by = record.found_by;
    peer.bytes_down = record.down_closed + record.down_live;
    peer.bytes_up = record.up_closed + record.up_live;
    if (record.distrusted) {
      peer.verdict = "distrusted: it announced a piece root that the origin's bytes contradict";
    } else if (record.banned) {
      peer.verdict = "banned: it sent data that failed the hash check";
    } else if (peer.bytes_down > 0) {
      peer.verdict = "used";
    } else if (record.had_what_we_lacked && record.choked_us_then) {
      peer.verdict = "kept this machine choked while it had pieces this machine lacked";
    } else if (record.had_what_we_lacked) {
      peer.verdict = "its pieces came from elsewhere first (the origin or faster peers)";
    } else {
      peer.verdict = "had no piece this machine lacked";
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

void PeerTally::distrusted(const std::string& peer_id) {
  if (auto it = peers_.find(peer_id); it != peers_.end()) it->second.distrusted = true;
}

std::string PeerTally::name_of(const std::string& peer_id) const {
  if (auto it = peers_.find(peer_id); it != peers_.end() && !it->second.address.empty()) {
    return it->second.address;
  }
  std::string printable;
  for (const char c : peer_id) printable += (c >= 0x21 && c <= 0x7e) ? c : '?';
  return "with id " + printable;
}

std::uint32_t PeerTally::connected() const {
  std::uint32_t count = 0;
  for (const auto& [id, record] : peers_) count += record.connected ? 1 : 0;
  return count;
}

std::vector<api::PeerTraffic> PeerTally::traffic() const {
  std::vector<api::PeerTraffic> traffic;
  for (const auto& [id, record] : peers_) {
    traffic.push_back(api::PeerTraffic{record.address, record.down_closed + record.down_live,
                                       record.up_closed + record.up_live});
  }
  return traffic;
}

std::vector<std::string> PeerTally::downloaders() const {
  std::vector<std::string> ids;
  for (const auto& [id, record] : peers_) {
    if (!record.seed) ids.push_back(id);
  }
  return ids;
}

}  // namespace swarmcopy::engine::swarm
