#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

// Each of these is read where it is used, when it is used (a file's start, the swarm's 5 s
// upload check, the origin planner's decision, the bandwidth governor's next second), so a new
// value needs no restart. The others
// shape what was built at start (the listen socket, the store, the discovery, the group).
void copy_running_policy(const EngineOptions& from, EngineOptions& to) {
  to.peer.upload_bytes_per_second = from.peer.upload_bytes_per_second;
  to.peer.monthly_upload_cap = from.peer.monthly_upload_cap;
  to.peer.min_ram_to_upload = from.peer.min_ram_to_upload;
  to.peer.min_free_disk_to_upload = from.peer.min_free_disk_to_upload;
  to.peer.vpn_interfaces = from.peer.vpn_interfaces;
  to.background_http_delay = from.background_http_delay;
  to.foreground_http_delay = from.foreground_http_delay;
  to.min_peer_file_size = from.min_peer_file_size;
  to.download_caps = from.download_caps;
}

}  // namespace swarmcopy::engine
