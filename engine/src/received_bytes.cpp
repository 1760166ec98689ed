#include "received_bytes.h"

namespace swarmcopy::engine {

void count_received(FileRecord& file, ByteRange range, ByteSource source) {
  if (range.begin >= range.end) return;
  const std::uint64_t again = file.received.overlap(range);
  const std::uint64_t fresh = range.size() - again;
  switch (source) {
    case ByteSource::kOrigin:
      file.from_origin += fresh;
      break;
    case ByteSource::kPeers:
      file.from_peers += fresh;
      break;
    case ByteSource::kCache:
      file.from_cache += fresh;
      break;
  }
  if (source != ByteSource::kCache) file.refetched += again;
  file.received.add(range);
}

void count_discarded(FileRecord& file, std::uint64_t bytes) { file.refetched += bytes; }

void restart_counts(FileRecord& file) {
  file.refetched += file.from_origin + file.from_peers + file.from_cache;
  file.from_origin = file.from_peers = file.from_cache = 0;
  file.received.clear();
}

}  // namespace swarmcopy::engine
