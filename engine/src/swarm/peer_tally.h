// PeerTally: every peer a transfer has seen (by peer id), and what it gave and took over all its
// connections: libtorrent's counters are per connection and start again at a reconnect, so the
// tally banks a connection's bytes when it ends. Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "swarmcopy/api/file_status.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::engine::swarm {

class PeerTally {
 public:
  // A tick's view of the connected peers. True when a peer id appeared for the first time.
  bool update(const std::vector<peer::PeerStats>& connected);

  std::size_t seen() const { return peers_.size(); }
  std::uint32_t connected() const;
  // Per peer, as the job reports it (api::FileStatus::peers).
  std::vector<api::PeerTraffic> traffic() const;
  // Every peer ever connected that is not a seed: the downloaders that share the origin's
  // pieces among them (origin_planner.h, PeerView::participants).
  std::vector<std::string> downloaders() const;

 private:
  struct Record {
    std::string address;
    bool seed = false;
    bool connected = false;
    std::uint64_t down_closed = 0, up_closed = 0;  // from connections that ended
    std::uint64_t down_live = 0, up_live = 0;      // the current connection
  };
  std::map<std::string, Record> peers_;
};

}  // namespace swarmcopy::engine::swarm
