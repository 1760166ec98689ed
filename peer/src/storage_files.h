// StorageFiles: the data files the engine opened for its torrents, by the hash libtorrent names a
// torrent's storage with (info_hashes().get_best()). The disk layer (FileDisk) reads and writes a
// torrent's data through the descriptor offered here instead of opening its save path: the
// engine's cache hands out one open file per item being filled (cache::PartialItem), the one way
// bytes enter a cache item. A torrent offered nothing (seeding a complete item, tests of this
// folder) is opened by path, as libtorrent's own back-ends do.
//
// An entry lives as long as someone holds what offer() returned (the session's swarm, the disk
// layer's storage), so a swarm that libtorrent takes down and adds again (Session::reload) finds
// its file again. Thread-safe.
#pragma once

#include <libtorrent/sha1_hash.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::peer {

class StorageFiles {
 public:
  std::shared_ptr<const util::UniqueFd> offer(const lt::sha1_hash& best, util::UniqueFd file);
  // Null when nothing was offered for `best` (or nobody holds it any more).
  std::shared_ptr<const util::UniqueFd> find(const lt::sha1_hash& best) const;

 private:
  mutable std::mutex mutex_;
  std::map<lt::sha1_hash, std::weak_ptr<const util::UniqueFd>> files_;
};

}  // namespace swarmcopy::peer
