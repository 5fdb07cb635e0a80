// Per-thread state of application threads: a record ring, a dirty-cell buffer, flow tables
// and the running slot.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "actorscope/agent.h"
#include "flow.hpp"
#include "ring.hpp"

namespace actorscope::agent {

inline constexpr uint32_t kDirtyEntries = 2048;  // per thread; overflow triggers a rescan

struct ThreadState {
  ThreadState(uint32_t ring_bytes, uint32_t flow_edges) : ring(ring_bytes), dirty(kDirtyEntries), flow(flow_edges) {}
  uint64_t cost() const {
    return ring.capacity() + uint64_t(dirty.capacity()) * sizeof(void*) + flow.bytes() + sizeof(*this);
  }

  Ring ring;
  PointerRing<actorscope_actor> dirty;
  FlowTables flow;               // sampled sends made on this thread
  actorscope_running running{};  // what this thread is handling now (actorscope_handling)
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
