// A bounded single-producer single-consumer byte ring of length-prefixed records.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace actorscope::agent {

class Ring {
 public:
  // capacity is rounded down to a power of two (at least 1024).
  explicit Ring(uint32_t capacity);
  uint32_t capacity() const { return cap_; }
  uint64_t used() const {
    return head_.load(std::memory_order_relaxed) - tail_.load(std::memory_order_relaxed);
  }

  // Producer: a record of n payload bytes, written piecewise, then committed.
  class Record {
   public:
    void put(const void* p, size_t n) {
      ring_->copy_in(at_, p, n);
      at_ += n;
    }
    template <class T>
    void put_value(const T& v) { put(&v, sizeof v); }
    void commit() { ring_->head_.store(at_, std::memory_order_release); }

   private:
    friend class Ring;
    Ring* ring_ = nullptr;
    uint64_t at_ = 0;
  };
  // False when the record does not fit (the caller counts the drop).
  bool begin(uint32_t n, Record& r);
  bool half_full() const { return used() * 2 >= cap_; }

  // Consumer: the next record's payload into out; false when empty.
  bool pop(std::vector<uint8_t>& out);

 private:
  void copy_in(uint64_t at, const void* p, size_t n);
  void copy_out(uint64_t at, void* p, size_t n) const;

  uint32_t cap_;
  std::unique_ptr<uint8_t[]> buf_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

// A bounded SPSC buffer of cells whose counters changed since the last flush.
template <class T>
class PointerRing {
 public:
  explicit PointerRing(uint32_t capacity_pow2) : cap_(capacity_pow2), buf_(new T*[capacity_pow2]) {}
  bool push(T* p) {
    uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_.load(std::memory_order_acquire) >= cap_) return false;
    buf_[h & (cap_ - 1)] = p;
    head_.store(h + 1, std::memory_order_release);
    return true;
  }
  template <class F>
  void drain(F&& f) {
    uint64_t t = tail_.load(std::memory_order_relaxed), h = head_.load(std::memory_order_acquire);
    for (; t != h; ++t) f(buf_[t & (cap_ - 1)]);
    tail_.store(t, std::memory_order_release);
  }
  uint32_t capacity() const { return cap_; }

 private:
  uint32_t cap_;
  std::unique_ptr<T*[]> buf_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace actorscope::agent
