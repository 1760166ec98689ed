// RangeSet: a set of byte ranges [begin, end), kept merged and sorted. Used for the verified
// (written and synced) parts of a file. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace swarmcopy::engine {

struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // exclusive
  std::uint64_t size() const { return end - begin; }
  bool operator==(const ByteRange&) const = default;
};

class RangeSet {
 public:
  RangeSet() = default;
  explicit RangeSet(std::vector<ByteRange> ranges);

  void add(ByteRange range);
  void add(const RangeSet& other);
  bool contains(ByteRange range) const;
  std::uint64_t total() const;
  // How many bytes of `range` the set holds.
  std::uint64_t overlap(ByteRange range) const;
  // The first gap at or after `from` below `limit`, or nullopt when [from, limit) is covered.
  std::optional<ByteRange> first_gap(std::uint64_t from, std::uint64_t limit) const;
  // Every gap in [0, limit).
  std::vector<ByteRange> gaps(std::uint64_t limit) const;
  const std::vector<ByteRange>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }
  void clear() { ranges_.clear(); }
  bool operator==(const RangeSet&) const = default;

 private:
  std::vector<ByteRange> ranges_;
};

}  // namespace swarmcopy::engine
