// An array of T in fixed blocks that grows without moving what it holds, and whose copies
// share the blocks until one side writes (a keyframe of the flight recorder is such a copy).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace actorscope::collector {

template <class T, size_t kBlock>
class SharedBlocks {
 public:
  SharedBlocks() = default;
  // A copy shares every block; whichever side writes a shared block next copies it first.
  // Blocks are never written once shared, so copies may be read on other threads. The source
  // learns that its blocks are shared; one whose blocks all are (a keyframe) is only read.
  SharedBlocks(const SharedBlocks& o) : blocks_(o.blocks_), shared_(o.blocks_.size(), 1), size_(o.size_) {
    for (uint8_t& s : o.shared_)
      if (!s) s = 1;
  }
  SharedBlocks& operator=(const SharedBlocks& o) {
    if (this != &o) *this = SharedBlocks(o);
    return *this;
  }
  SharedBlocks(SharedBlocks&&) noexcept = default;
  SharedBlocks& operator=(SharedBlocks&&) noexcept = default;

  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }
  // Element i (< size()) to write: its block copied first if another array shares it.
  T& at_for_write(size_t i) {
    const size_t b = i / kBlock;
    if (shared_[b]) {
      auto own = std::make_shared<T[]>(kBlock);
      std::copy_n(blocks_[b].get(), kBlock, own.get());
      blocks_[b] = std::move(own);
      shared_[b] = 0;
    }
    return blocks_[b][i % kBlock];
  }
  // At least n elements; the new ones (and the rest of their blocks) are `fill`. Nothing moves:
  // growing a large array costs its new blocks, not a copy of the old ones into fresh memory.
  void grow(size_t n, const T& fill) {
    while (blocks_.size() * kBlock < n) {
      auto block = std::make_shared<T[]>(kBlock);
      std::fill_n(block.get(), kBlock, fill);
      blocks_.push_back(std::move(block));
      shared_.push_back(0);
    }
    size_ = std::max(size_, n);
  }
  void clear() {
    blocks_ = {};
    shared_ = {};
    size_ = 0;
  }
  size_t memory_bytes() const { return blocks_.size() * kBlock * sizeof(T) + blocks_.capacity() * sizeof(blocks_[0]) + shared_.capacity(); }

 private:
  std::vector<std::shared_ptr<T[]>> blocks_;
  mutable std::vector<uint8_t> shared_;  // per block: another array may hold it
  size_t size_ = 0;
};

}  // namespace actorscope::collector
