// PieceLedger: the one record of where each piece of a swarm file stands and where it came from.
// SwarmTransfer feeds it what happens (an origin request, a hash check, libtorrent's report, a
// copy into the temporary file, a checkpoint) and reads progress, per-source counts and what to
// do next from it; nothing else keeps piece state. A piece's source is counted once, at the
// moment it is first verified in this run, so the counts can never exceed the file.
//
// Two stages per piece, because they move independently: its bytes on their way into the cache
// item (the swarm's data), and its copy in the job's temporary file. An earlier run's pieces are
// in the temporary file (if it kept them) but maybe not in the cache item (an unclean reboot
// loses unsynced cache data), so the item still needs them while the file does not.
//
// Plain value type; no I/O, no clock of its own (times are passed in).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "range_set.h"

namespace swarmcopy::engine::swarm {

// Where a piece's bytes stand on their way into the cache item.
enum class PieceFetch : std::uint8_t {
  kMissing,    // nobody brings it: a peer may, or the plan may ask the origin
  kRequested,  // in an origin request
  kChecking,   // origin bytes being checked: by us on the pool, then by libtorrent (add_piece)
  kWriting,    // origin bytes being checked and written by us (direct mode)
  kVerified,   // checked, in the cache item
};

// Where its copy in the job's temporary file stands.
enum class PieceCopy : std::uint8_t {
  kAbsent,
  kCopying,  // being copied (or, for an earlier run's piece, being checked there: adopt)
  kCopied,   // in the file, not synced yet
  kDurable,  // in the file and synced: committed progress (FileRecord::verified)
};

enum class PieceSource : std::uint8_t {
  kNone,        // not verified in this run yet
  kOrigin,      // our own origin bytes, checked
  kPeers,       // libtorrent verified it without our bytes
  kEarlierRun,  // made durable by an earlier run: counted then, never again
};

struct PieceEntry {
  PieceFetch fetch = PieceFetch::kMissing;
  PieceCopy copy = PieceCopy::kAbsent;
  PieceSource source = PieceSource::kNone;
  bool write_pending = false;    // a direct write of ours is on the pool
  bool origin_rejected = false;  // the origin's bytes for it failed their check at least once
  std::chrono::steady_clock::time_point handed_over{};  // kChecking since
};

class PieceLedger {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `durable_before`: the byte ranges an earlier run made durable in the temporary file
  // (FileRecord::verified). Their whole pieces are that run's: kCopying until adopted() says
  // whether the file still holds them.
  PieceLedger(std::uint64_t size, std::uint32_t piece_size, const RangeSet& durable_before);

  std::uint32_t pieces() const { return static_cast<std::uint32_t>(entries_.size()); }
  std::uint64_t size() const { return size_; }
  std::uint32_t piece_size() const { return piece_size_; }
  std::uint64_t offset_of(std::uint32_t piece) const;
  std::uint32_t size_of(std::uint32_t piece) const;
  ByteRange range_of(std::uint32_t piece) const;
  const PieceEntry& operator[](std::uint32_t piece) const { return entries_.at(piece); }
  bool has_earlier_run() const;
  // Per piece: an earlier run's (what adopt() checks in the temporary file).
  std::vector<bool> earlier_run_pieces() const;

  // --- Fetching (origin pipeline and libtorrent's verdicts)
  bool missing(std::uint32_t piece) const {
    return entries_.at(piece).fetch == PieceFetch::kMissing;
  }
  void request(std::uint32_t piece);    // kMissing -> kRequested
  void unrequest(std::uint32_t piece);  // kRequested -> kMissing: the request ended without it
  // kRequested -> kChecking; again once our own check passed and libtorrent has the bytes.
  void hand_to_swarm(std::uint32_t piece, TimePoint now);
  void start_write(std::uint32_t piece);  // kRequested -> kWriting
  // libtorrent reports nothing when it drops handed-over bytes: pieces checking since before
  // `deadline` are missing again.
  void expire_checks(TimePoint deadline);
  // A hash check of our origin bytes failed (ours, or libtorrent's): missing again. False when
  // the piece was not ours to check (a peer's bad data, which libtorrent blames).
  bool check_failed(std::uint32_t piece);
  // The origin's bytes for the piece failed our check: from now on a peer that has it is
  // preferred (OriginPlanner), even when the download stalls.
  void origin_rejected(std::uint32_t piece) { entries_.at(piece).origin_rejected = true; }
  // libtorrent verified the piece (an alert, or its have-bits). A piece we handed over or are
  // writing came from the origin; any other from a peer. False when it was verified already.
  bool swarm_verified(std::uint32_t piece);
  // Our direct write finished: `matches` its hash, and then it is in the cache item and in the
  // temporary file. False when its bytes were bad (missing again, unless libtorrent verified it
  // meanwhile).
  bool direct_written(std::uint32_t piece, bool matches);
  // libtorrent says the item is complete before every alert arrived: the rest are verified.
  void all_verified();
  // Bytes of our own origin data not verified yet (handed to libtorrent or being written).
  std::uint64_t unchecked_bytes() const;
  bool writes_pending() const;
  bool complete() const { return verified_pieces_ == entries_.size(); }
  std::vector<bool> verified_pieces() const;
  // Some piece that `available` (a peer's bitfield) has and we have not verified.
  bool lacks_any_of(const std::vector<bool>& available) const;

  // --- The temporary file
  // Verified pieces not in the file yet, now kCopying (empty when there are none).
  std::vector<bool> take_copy_batch();
  // The batch is in the file (`ok`), or is to be copied again.
  void copied(const std::vector<bool>& batch, bool ok);
  // Which earlier-run pieces the file still holds (the rest will be copied when verified).
  void adopted(const std::vector<bool>& kept);
  // Bytes in the file (copied or durable): what the next checkpoint makes durable.
  RangeSet in_file() const;
  // A checkpoint synced the file when it held `snapshot`.
  void made_durable(const RangeSet& snapshot);

  // --- Figures for this run
  std::uint64_t verified_bytes() const { return verified_bytes_; }
  std::uint64_t bytes_from(PieceSource source) const;
  // The pieces first verified in this run (kOrigin or kPeers) since the last call, in the order
  // they were verified: the FileRecord counts each of them once (count_received).
  std::vector<std::uint32_t> take_newly_verified();

 private:
  void verify(std::uint32_t piece, PieceSource source);

  std::uint64_t size_;
  std::uint32_t piece_size_;
  std::vector<PieceEntry> entries_;
  std::uint32_t verified_pieces_ = 0;
  std::uint64_t verified_bytes_ = 0;
  std::uint64_t from_origin_ = 0;
  std::uint64_t from_peers_ = 0;
  std::vector<std::uint32_t> newly_verified_;
};

}  // namespace swarmcopy::engine::swarm
