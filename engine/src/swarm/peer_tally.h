// PeerTally: every peer a transfer has seen (by peer id), and what it gave and took over all its
// connections: libtorrent's counters are per connection and start again at a reconnect, so the
// tally banks a connection's bytes when it ends. Plain value type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "swarmcopy/api/file_explanation.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::engine::swarm {

class PeerTally {
 public:
  // A tick's view of the connected peers. True when a peer id appeared for the first time.
  // `lacks`: whether this machine lacks any of a peer's pieces (what makes a peer useful).
  bool update(const std::vector<peer::PeerStats>& connected,
              const std::function<bool(const std::vector<bool>&)>& lacks = {});
  // Peers banned in the swarm ("IP:PORT", peer::SwarmStats::banned).
  void banned(const std::vector<std::string>& addresses);
  // A provisional swarm's peer whose root the origin's bytes contradicted (peer id).
  void distrusted(const std::string& peer_id);
  // How a peer is named in messages: its address when it was seen, else its printable id.
  std::string name_of(const std::string& peer_id) const;

  std::size_t seen() const { return peers_.size(); }
  std::uint32_t connected() const;
  // Per peer, as the job reports it (api::FileStatus::peers).
  std::vector<api::PeerTraffic> traffic() const;
  // Every peer ever connected that is not a seed: the downloaders that share the origin's
  // pieces among them (origin_planner.h, PeerView::participants).
  std::vector<std::string> downloaders() const;
  // Per peer: how it was found and why it gave bytes or did not (api::FileExplanation::peers).
  std::vector<api::PeerExplanation> explain(std::uint32_t* omitted) const;

 private:
  struct Record {
    std::string address;
    std::string found_by;  // as first seen
    bool seed = false;
    bool connected = false;
    bool had_what_we_lacked = false;  // at some tick it had a piece we did not
    bool choked_us_then = false;      // ... and kept us choked at that tick
    bool banned = false;
    bool distrusted = false;
    std::uint64_t down_closed = 0, up_closed = 0;  // from connections that ended
    std::uint64_t down_live = 0, up_live = 0;      // the current connection
  };
  std::map<std::string, Record> peers_;
};

}  // namespace swarmcopy::engine::swarm
