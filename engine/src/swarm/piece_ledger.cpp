#include "piece_ledger.h"

#include <algorithm>
#include <utility>

namespace swarmcopy::engine::swarm {

PieceLedger::PieceLedger(std::uint64_t size, std::uint32_t piece_size,
                         const RangeSet& durable_before)
    : size_(size), piece_size_(piece_size) {
  const auto count = piece_size == 0 ? 0 : (size + piece_size - 1) / piece_size;
  entries_.resize(static_cast<std::size_t>(count));
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    if (!durable_before.contains(range_of(piece))) continue;
    entries_[piece].copy = PieceCopy::kCopying;
    entries_[piece].source = PieceSource::kEarlierRun;
  }
}

std::uint64_t PieceLedger::offset_of(std::uint32_t piece) const {
  return static_cast<std::uint64_t>(piece) * piece_size_;
}

std::uint32_t PieceLedger::size_of(std::uint32_t piece) const {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(piece_size_, size_ - offset_of(piece)));
}

ByteRange PieceLedger::range_of(std::uint32_t piece) const {
  return ByteRange{offset_of(piece), offset_of(piece) + size_of(piece)};
}

bool PieceLedger::has_earlier_run() const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const PieceEntry& e) { return e.source == PieceSource::kEarlierRun; });
}

std::vector<bool> PieceLedger::earlier_run_pieces() const {
  std::vector<bool> earlier(pieces());
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    earlier[piece] = entries_[piece].source == PieceSource::kEarlierRun;
  }
  return earlier;
}

void PieceLedger::request(std::uint32_t piece) {
  auto& entry = entries_.at(piece);
  if (entry.fetch == PieceFetch::kMissing) entry.fetch = PieceFetch::kRequested;
}

void PieceLedger::unrequest(std::uint32_t piece) {
  auto& entry = entries_.at(piece);
  if (entry.fetch == PieceFetch::kRequested) entry.fetch = PieceFetch::kMissing;
}

void PieceLedger::hand_to_swarm(std::uint32_t piece, TimePoint now) {
  auto& entry = entries_.at(piece);
  if (entry.fetch != PieceFetch::kRequested && entry.fetch != PieceFetch::kChecking) return;
  entry.fetch = PieceFetch::kChecking;
  entry.handed_over = now;
}

void PieceLedger::start_write(std::uint32_t piece) {
  auto& entry = entries_.at(piece);
  if (entry.fetch != PieceFetch::kRequested) return;
  entry.fetch = PieceFetch::kWriting;
  entry.write_pending = true;
}

void PieceLedger::expire_checks(TimePoint deadline) {
  for (auto& entry : entries_) {
    if (entry.fetch == PieceFetch::kChecking && entry.handed_over < deadline) {
      entry.fetch = PieceFetch::kMissing;
    }
  }
}

bool PieceLedger::check_failed(std::uint32_t piece) {
  auto& entry = entries_.at(piece);
  if (entry.fetch != PieceFetch::kChecking) return false;
  entry.fetch = PieceFetch::kMissing;
  return true;
}

void PieceLedger::verify(std::uint32_t piece, PieceSource source) {
  auto& entry = entries_.at(piece);
  entry.fetch = PieceFetch::kVerified;
  ++verified_pieces_;
  verified_bytes_ += size_of(piece);
  if (entry.source != PieceSource::kNone) return;  // an earlier run's: counted then
  entry.source = source;
  (source == PieceSource::kOrigin ? from_origin_ : from_peers_) += size_of(piece);
  newly_verified_.push_back(piece);
}

std::vector<std::uint32_t> PieceLedger::take_newly_verified() {
  return std::exchange(newly_verified_, {});
}

bool PieceLedger::swarm_verified(std::uint32_t piece) {
  if (piece >= pieces()) return false;
  const auto fetch = entries_[piece].fetch;
  if (fetch == PieceFetch::kVerified) return false;
  const bool ours = fetch == PieceFetch::kChecking || fetch == PieceFetch::kWriting;
  verify(piece, ours ? PieceSource::kOrigin : PieceSource::kPeers);
  return true;
}

bool PieceLedger::direct_written(std::uint32_t piece, bool matches) {
  auto& entry = entries_.at(piece);
  entry.write_pending = false;
  if (!matches) {
    if (entry.fetch == PieceFetch::kWriting) entry.fetch = PieceFetch::kMissing;
    return false;
  }
  // Written into the temporary file too (ProgressiveCopy::write_piece).
  if (entry.copy == PieceCopy::kAbsent) entry.copy = PieceCopy::kCopied;
  if (entry.fetch != PieceFetch::kVerified) verify(piece, PieceSource::kOrigin);
  return true;
}

void PieceLedger::all_verified() {
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) swarm_verified(piece);
}

std::uint64_t PieceLedger::unchecked_bytes() const {
  std::uint64_t bytes = 0;
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    const auto fetch = entries_[piece].fetch;
    if (fetch == PieceFetch::kChecking || fetch == PieceFetch::kWriting) bytes += size_of(piece);
  }
  return bytes;
}

bool PieceLedger::writes_pending() const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const PieceEntry& e) { return e.write_pending; });
}

std::vector<bool> PieceLedger::verified_pieces() const {
  std::vector<bool> verified(pieces());
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    verified[piece] = entries_[piece].fetch == PieceFetch::kVerified;
  }
  return verified;
}

bool PieceLedger::lacks_any_of(const std::vector<bool>& available) const {
  for (std::uint32_t piece = 0; piece < pieces() && piece < available.size(); ++piece) {
    if (available[piece] && entries_[piece].fetch != PieceFetch::kVerified) return true;
  }
  return false;
}

std::vector<bool> PieceLedger::take_copy_batch() {
  std::vector<bool> batch;
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    auto& entry = entries_[piece];
    if (entry.fetch != PieceFetch::kVerified || entry.copy != PieceCopy::kAbsent) continue;
    if (batch.empty()) batch.assign(pieces(), false);
    batch[piece] = true;
    entry.copy = PieceCopy::kCopying;
  }
  return batch;
}

void PieceLedger::copied(const std::vector<bool>& batch, bool ok) {
  for (std::uint32_t piece = 0; piece < pieces() && piece < batch.size(); ++piece) {
    auto& entry = entries_[piece];
    if (!batch[piece] || entry.copy != PieceCopy::kCopying) continue;
    entry.copy = ok ? PieceCopy::kCopied : PieceCopy::kAbsent;
  }
}

void PieceLedger::adopted(const std::vector<bool>& kept) {
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    auto& entry = entries_[piece];
    if (entry.source != PieceSource::kEarlierRun || entry.copy != PieceCopy::kCopying) continue;
    entry.copy = piece < kept.size() && kept[piece] ? PieceCopy::kCopied : PieceCopy::kAbsent;
  }
}

RangeSet PieceLedger::in_file() const {
  RangeSet ranges;
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    const auto copy = entries_[piece].copy;
    if (copy == PieceCopy::kCopied || copy == PieceCopy::kDurable) ranges.add(range_of(piece));
  }
  return ranges;
}

void PieceLedger::made_durable(const RangeSet& snapshot) {
  for (std::uint32_t piece = 0; piece < pieces(); ++piece) {
    auto& entry = entries_[piece];
    if (entry.copy == PieceCopy::kCopied && snapshot.contains(range_of(piece))) {
      entry.copy = PieceCopy::kDurable;
    }
  }
}

std::uint64_t PieceLedger::bytes_from(PieceSource source) const {
  switch (source) {
    case PieceSource::kOrigin:
      return from_origin_;
    case PieceSource::kPeers:
      return from_peers_;
    default:
      return 0;
  }
}

}  // namespace swarmcopy::engine::swarm
