// MirrorOptions: the registry mirror's upstreams and limits. Plain value type.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "swarmcopy/registry/upstream.h"
#include "swarmcopy/util/extra_ca.h"

namespace swarmcopy::registry {

struct MirrorOptions {
  std::vector<Upstream> upstreams;  // at least one
  // Certificate authorities trusted for https upstreams beside the system's; null: none.
  std::shared_ptr<const util::ExtraCa> extra_ca;
  // A client's request: its header at most this; a body is refused (pulls carry none).
  std::size_t max_header_bytes = 16 * 1024;
  // An upstream's answer that passes through (manifests, tag lists, errors) is held whole in
  // memory: larger ones are refused with 502. Blobs never take this path.
  std::uint64_t max_passthrough_bytes = 16 << 20;
  std::size_t max_upstream_header_bytes = 64 * 1024;
  // Reading a client's request, and each write to it; a silent client is dropped.
  std::chrono::seconds io_timeout{30};
  // One upstream exchange, from connect to the last byte of its answer.
  std::chrono::seconds upstream_timeout{60};
  int max_connections = 64;  // beyond: closed at once
  int max_blob_fetches = 8;  // blobs fetched at once; more wait for a thread
};

}  // namespace swarmcopy::registry
