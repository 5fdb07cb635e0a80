// Sampled message flow: per-thread edge tables the flusher takes at each flush.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace actorscope::agent {

struct FlowEdgeCount {
  uint64_t from = 0;  // 0: an empty slot has to = 0
  uint64_t to = 0;
  uint32_t type = 0;  // interned message type name
  uint32_t count = 0;
  uint16_t from_type = 0, to_type = 0;  // the actors' type indexes when sampled
};

// Two tables per thread: its own thread counts into the active one; the flusher flips them
// and reads the other once the thread is out of it. Announcing the table before writing
// and flipping before looking (both sequentially consistent, Dekker's way) means the two
// never share a table; a thread caught in the old table leaves it for the next flush.
class FlowTables {
 public:
  // capacity: edges per table, rounded up to a power of two; 0: flow is off.
  explicit FlowTables(uint32_t capacity);
  // The owning thread: counts one sampled send.
  void add(uint64_t from, uint64_t to, uint32_t type, uint16_t from_type, uint16_t to_type);
  // The flusher: calls f(edge) for every edge counted in the table it takes, then empties
  // it; adds to `unrecorded` the sends a full table could not count.
  template <class F>
  void take(F&& f, uint64_t& unrecorded) {
    if (pending_ >= 0) {  // a table its thread was still in at the last flush
      if (writing_.load(std::memory_order_seq_cst) == static_cast<uint32_t>(pending_) + 1) return;
      drain(tables_[pending_], f, unrecorded);
      pending_ = -1;
    }
    uint32_t old = active_.load(std::memory_order_relaxed);
    active_.store(old ^ 1, std::memory_order_seq_cst);
    if (writing_.load(std::memory_order_seq_cst) == old + 1) {
      pending_ = static_cast<int>(old);
      return;
    }
    drain(tables_[old], f, unrecorded);
  }
  uint64_t bytes() const { return uint64_t(tables_[0].slots.capacity() + tables_[1].slots.capacity()) * sizeof(FlowEdgeCount); }

 private:
  struct Table {
    std::vector<FlowEdgeCount> slots;
    uint32_t used = 0;
    uint32_t unrecorded = 0;
  };
  template <class F>
  static void drain(Table& t, F& f, uint64_t& unrecorded) {
    if (t.used != 0)
      for (FlowEdgeCount& e : t.slots)
        if (e.to != 0) {
          f(e);
          e = FlowEdgeCount{};
        }
    unrecorded += t.unrecorded;
    t.used = 0;
    t.unrecorded = 0;
  }

  Table tables_[2];
  uint32_t mask_ = 0;
  std::atomic<uint32_t> active_{0};
  std::atomic<uint32_t> writing_{0};  // 0, or 1 + the table its thread is writing
  int pending_ = -1;                  // the flusher's: a table flipped away from, not drained yet
};

// Turns sampling on (1 in every `sample_every` sends) or off (0) for every thread.
void set_flow_sampling(uint32_t sample_every);
// Sampled sends no table could count (a thread without a ring); reset by the reader.
uint64_t take_flow_unrecorded_elsewhere();

}  // namespace actorscope::agent
