#include "swarmcopy/engine/publish.h"

#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::engine {

api::Result<PublishedFile> publish_file(const std::filesystem::path& file,
                                        std::uint32_t piece_size) {
  auto meta = peer::publish(file, piece_size);
  if (!meta) return std::unexpected(meta.error());
  return PublishedFile{file.string() + ".torrent", meta->size,
                       meta->piece_size,           meta->pieces,
                       meta->info_hash_v2,         meta->info_hash_v1};
}

}  // namespace swarmcopy::engine
