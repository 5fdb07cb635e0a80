// Per-thread state of application threads: a record ring and a dirty-cell buffer.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "actorscope/agent.h"
#include "ring.hpp"

namespace actorscope::agent {

inline constexpr uint32_t kDirtyEntries = 2048;  // per thread; overflow triggers a rescan

struct ThreadState {
  explicit ThreadState(uint32_t ring_bytes) : ring(ring_bytes), dirty(kDirtyEntries) {}
  uint64_t cost() const { return ring.capacity() + uint64_t(dirty.capacity()) * sizeof(void*) + sizeof(*this); }

  Ring ring;
  PointerRing<actorscope_actor> dirty;
  std::atomic<bool> orphaned{false};  // its thread exited: drain, then free
};

// The calling thread's state, registered on first use; nullptr when the memory budget
// has no room for another ring (the caller counts a drop).
ThreadState* this_thread_state();

// Flusher: every registered state. A state seen orphaned before its last drain is freed
// with free_orphans (its thread can no longer write to it).
std::vector<ThreadState*> registered_threads();
void free_orphans(const std::vector<ThreadState*>& dead);
uint64_t ring_bytes_used();

}  // namespace actorscope::agent
