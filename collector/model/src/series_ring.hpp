// A node's time series: a ring of at most `capacity` points, kept in blocks that are
// allocated as points arrive and shared with copies of the model (keyframes) until written.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "actorscope/collector/model_types.hpp"

namespace actorscope::collector {

class SeriesRing {
 public:
  // Points per block: a keyframe copies a node's series as at most capacity / kBlock pointers,
  // and a write after it copies one block (12 KB), not the hour (173 KB at the default).
  static constexpr size_t kBlock = 256;

  explicit SeriesRing(size_t capacity = 1) : cap_(std::max<size_t>(capacity, 1)) {}

  // A copy shares every block; whichever side writes a shared block next copies it first.
  // Blocks are never written once shared, so copies may be read on other threads. The source
  // learns that its blocks are shared; one whose blocks all are (a keyframe) is only read.
  SeriesRing(const SeriesRing& o)
      : blocks_(o.blocks_), shared_(o.blocks_.size(), 1), cap_(o.cap_), next_(o.next_), count_(o.count_) {
    for (uint8_t& s : o.shared_)
      if (!s) s = 1;
  }
  SeriesRing& operator=(const SeriesRing& o) {
    if (this != &o) *this = SeriesRing(o);
    return *this;
  }
  SeriesRing(SeriesRing&&) noexcept = default;
  SeriesRing& operator=(SeriesRing&&) noexcept = default;

  size_t capacity() const { return cap_; }
  size_t size() const { return count_; }

  // The i-th oldest point, i < size().
  const SeriesPoint& operator[](size_t i) const {
    size_t at = (next_ + cap_ - count_ + i) % cap_;
    return blocks_[at / kBlock][at % kBlock];
  }

  // Adds the newest point; when full, it takes the oldest one's place.
  void push(const SeriesPoint& p) {
    size_t b = next_ / kBlock;
    if (b == blocks_.size()) {
      blocks_.push_back(std::make_shared<SeriesPoint[]>(block_points(b)));
      shared_.push_back(0);
    } else if (shared_[b]) {
      auto own = std::make_shared<SeriesPoint[]>(block_points(b));
      std::copy_n(blocks_[b].get(), block_points(b), own.get());
      blocks_[b] = std::move(own);
      shared_[b] = 0;
    }
    blocks_[b][next_ % kBlock] = p;
    next_ = (next_ + 1) % cap_;
    count_ = std::min(count_ + 1, cap_);
  }

  void clear() {
    next_ = count_ = 0;
  }

  size_t memory_bytes() const {
    size_t bytes = blocks_.capacity() * sizeof(blocks_[0]) + shared_.capacity();
    for (size_t b = 0; b < blocks_.size(); ++b) bytes += block_points(b) * sizeof(SeriesPoint);
    return bytes;
  }

 private:
  size_t block_points(size_t b) const { return std::min(kBlock, cap_ - b * kBlock); }

  std::vector<std::shared_ptr<SeriesPoint[]>> blocks_;
  mutable std::vector<uint8_t> shared_;  // per block: another ring may hold it
  size_t cap_;
  size_t next_ = 0;   // where the next point goes
  size_t count_ = 0;  // points held, at most cap_
};

}  // namespace actorscope::collector
