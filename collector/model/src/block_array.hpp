// An array that grows at its end without moving what it holds: a first block that doubles
// up to kBlock elements, so that a small array stays small, then whole blocks of kBlock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace actorscope::collector {

template <class T, size_t kBlock>
class BlockArray {
 public:
  BlockArray() = default;
  BlockArray(const BlockArray& o) : first_(o.first_), size_(o.size_) {
    rest_.reserve(o.rest_.size());
    for (size_t b = 0; b < o.rest_.size(); ++b) {
      rest_.push_back(std::make_unique<T[]>(kBlock));
      std::copy_n(o.rest_[b].get(), std::min(kBlock, size_ - (b + 1) * kBlock), rest_.back().get());
    }
  }
  BlockArray& operator=(const BlockArray& o) {
    if (this != &o) *this = BlockArray(o);
    return *this;
  }
  BlockArray(BlockArray&& o) noexcept
      : first_(std::move(o.first_)), rest_(std::move(o.rest_)), size_(std::exchange(o.size_, 0)) {}
  BlockArray& operator=(BlockArray&& o) noexcept {
    first_ = std::move(o.first_);
    rest_ = std::move(o.rest_);
    size_ = std::exchange(o.size_, 0);
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return first_.capacity() + rest_.size() * kBlock; }
  T& operator[](size_t i) { return i < kBlock ? first_[i] : rest_[i / kBlock - 1][i % kBlock]; }
  const T& operator[](size_t i) const { return i < kBlock ? first_[i] : rest_[i / kBlock - 1][i % kBlock]; }

  // A new last element, value-initialised; `most`: the most elements the array will hold
  // (the first block is not grown past it).
  T& emplace_back(size_t most = SIZE_MAX) {
    if (size_ < kBlock) {
      if (first_.size() == first_.capacity())
        first_.reserve(std::min({kBlock, std::max(most, size_ + 1), std::max<size_t>(64, 2 * size_)}));
      ++size_;
      return first_.emplace_back();
    }
    if (size_ / kBlock > rest_.size()) rest_.push_back(std::make_unique<T[]>(kBlock));
    T& x = rest_[size_ / kBlock - 1][size_ % kBlock];
    ++size_;
    return x;
  }
  void reserve(size_t n) {
    first_.reserve(std::min(n, kBlock));
    if (n > kBlock) rest_.reserve((n - 1) / kBlock);
  }
  void clear() {
    std::vector<T>().swap(first_);
    rest_.clear();
    size_ = 0;
  }

 private:
  std::vector<T> first_;                  // [0, kBlock)
  std::vector<std::unique_ptr<T[]>> rest_;  // block b: [(b + 1) kBlock, (b + 2) kBlock)
  size_t size_ = 0;
};

}  // namespace actorscope::collector
