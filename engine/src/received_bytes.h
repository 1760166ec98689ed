// count_received / restart_counts: the one place a FileRecord's per-source counts and
// `refetched` change (api::FileStatus states what they mean). Plain functions on the record;
// engine thread, as the record.
//
// Why a set of received ranges and not just the counts: the transfers only know what arrives
// now. Whether a range arrived before (lost to a crash before it was synced, thrown away because
// the origin ignores Range, rejected by a hash check) is known only if the record keeps every
// range that arrived, committed together with the counts. Then each arrival splits exactly into
// bytes new to the file (its source's count) and bytes seen before (refetched), and
// from_origin + from_peers + from_cache == received.total() holds at every commit.
#pragma once

#include <cstdint>

#include "job_record.h"
#include "range_set.h"

namespace swarmcopy::engine {

enum class ByteSource : std::uint8_t { kOrigin, kPeers, kCache };

// `range` of the file arrived from `source`: its bytes not in `file.received` count for the
// source, the rest as refetched (origin and peers only: copying bytes from the local cache that
// the file had received before moves nothing over the network); the range joins
// `file.received`.
void count_received(FileRecord& file, ByteRange range, ByteSource source);

// `bytes` arrived and were thrown away before they counted (an origin piece that failed its
// hash check): the file did not keep them, so they are refetched only, and the copy that is kept
// counts for its own source when it arrives.
void count_discarded(FileRecord& file, std::uint64_t bytes);

// The file's content is not what the counted bytes were (the origin's content or metadata
// changed): none of them is part of the file any more, so they all become refetched, and the
// new content is counted from nothing.
void restart_counts(FileRecord& file);

}  // namespace swarmcopy::engine
