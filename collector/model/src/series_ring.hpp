// A node's time series: a ring of at most `capacity` points, kept in blocks that are
// allocated as points arrive and shared with copies of the model (keyframes) until written.
#pragma once

#include <algorithm>
#include <cstddef>

#include "actorscope/collector/model_types.hpp"
#include "shared_blocks.hpp"

namespace actorscope::collector {

class SeriesRing {
 public:
  // Points per block: a keyframe copies a node's series as at most capacity / kBlock pointers,
  // and a write after it copies one block (12 KB), not the hour (173 KB at the default).
  static constexpr size_t kBlock = 256;

  explicit SeriesRing(size_t capacity = 1) : cap_(std::max<size_t>(capacity, 1)) {}

  size_t capacity() const { return cap_; }
  size_t size() const { return count_; }

  // The i-th oldest point, i < size().
  const SeriesPoint& operator[](size_t i) const { return points_[(next_ + cap_ - count_ + i) % cap_]; }

  // Adds the newest point; when full, it takes the oldest one's place.
  void push(const SeriesPoint& p) {
    if (next_ >= points_.size()) points_.grow(next_ + 1, SeriesPoint{});
    points_.at_for_write(next_) = p;
    next_ = (next_ + 1) % cap_;
    count_ = std::min(count_ + 1, cap_);
  }

  void clear() { next_ = count_ = 0; }

  size_t memory_bytes() const { return points_.memory_bytes(); }

 private:
  SharedBlocks<SeriesPoint, kBlock> points_;
  size_t cap_;
  size_t next_ = 0;   // where the next point goes
  size_t count_ = 0;  // points held, at most cap_
};

}  // namespace actorscope::collector
