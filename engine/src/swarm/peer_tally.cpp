#include "peer_tally.h"

namespace swarmcopy::engine::swarm {

bool PeerTally::update(const std::vector<peer::PeerStats>& connected) {
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
