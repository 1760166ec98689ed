#include "range_set.h"

#include <algorithm>

namespace swarmcopy::engine {

RangeSet::RangeSet(std::vector<ByteRange> ranges) {
  for (const auto& range : ranges) add(range);
}

void RangeSet::add(ByteRange range) {
  if (range.begin >= range.end) return;
  // Find the first range that ends at or after the new one begins (touching ranges merge).
  auto first =
      std::lower_bound(ranges_.begin(), ranges_.end(), range.begin,
                       [](const ByteRange& r, std::uint64_t value) { return r.end < value; });
  auto last = first;
  while (last != ranges_.end() && last->begin <= range.end) {
    range.begin = std::min(range.begin, last->begin);
    range.end = std::max(range.end, last->end);
    ++last;
  }
  first = ranges_.erase(first, last);
  ranges_.insert(first, range);
}

void RangeSet::add(const RangeSet& other) {
  for (const auto& range : other.ranges_) add(range);
}

bool RangeSet::contains(ByteRange range) const {
  if (range.begin >= range.end) return true;
  auto it =
      std::upper_bound(ranges_.begin(), ranges_.end(), range.begin,
                       [](std::uint64_t value, const ByteRange& r) { return value < r.begin; });
  if (it == ranges_.begin()) return false;
  --it;
  return it->begin <= range.begin && range.end <= it->end;
}

std::uint64_t RangeSet::total() const {
  std::uint64_t sum = 0;
  for (const auto& range : ranges_) sum += range.size();
  return sum;
}

std::uint64_t RangeSet::overlap(ByteRange range) const {
  std::uint64_t sum = 0;
  for (const auto& held : ranges_) {
    if (held.begin >= range.end) break;  // sorted: nothing later overlaps
    const auto begin = std::max(held.begin, range.begin);
    const auto end = std::min(held.end, range.end);
    if (begin < end) sum += end - begin;
  }
  return sum;
}

std::optional<ByteRange> RangeSet::first_gap(std::uint64_t from, std::uint64_t limit) const {
  std::uint64_t cursor = from;
  for (const auto& range : ranges_) {
    if (cursor >= limit) break;
    if (range.end <= cursor) continue;
    if (range.begin > cursor) return ByteRange{cursor, std::min(range.begin, limit)};
    cursor = range.end;
  }
  if (cursor < limit) return ByteRange{cursor, limit};
  return std::nullopt;
}

std::vector<ByteRange> RangeSet::gaps(std::uint64_t limit) const {
  std::vector<ByteRange> result;
  std::uint64_t cursor = 0;
  while (auto gap = first_gap(cursor, limit)) {
    result.push_back(*gap);
    cursor = gap->end;
  }
  return result;
}

}  // namespace swarmcopy::engine
