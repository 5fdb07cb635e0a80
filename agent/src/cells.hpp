// Stats cells: slab-allocated, never unmapped, reused only after a quarantine.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "actorscope/agent.h"

namespace actorscope::agent {

// Values of actorscope_actor::lifecycle.
enum Lifecycle : uint8_t {
  kFree = 0,               // in the free list or quarantine
  kSpawnPending = 1,       // on the lifecycle list, spawn not yet reported
  kLive = 2,               // spawn reported
  kExitBeforeReport = 3,   // exited before its spawn was reported: both go out together
  kExitPending = 4,        // exited after its spawn was reported: pushed again
  kDead = 5,               // exit reported; quarantined
  kExitingUnreported = 6,  // transient: exit() writing the cell (from kSpawnPending)
  kExitingReported = 7,    // transient: exit() writing the cell (from kLive)
};

inline constexpr size_t kCellsPerSlab = 4096;

inline uint8_t load_state(const actorscope_actor* a) {
  return __atomic_load_n(&a->lifecycle, __ATOMIC_ACQUIRE);
}
// Live from the collector's point of view: its spawn has been reported, its exit not yet.
inline bool reported_live(uint8_t s) { return s == kLive || s == kExitPending || s == kExitingReported; }

class CellStore {
 public:
  // A zeroed cell, or nullptr when memory is exhausted.
  actorscope_actor* allocate();
  // Exit reported during flush `flush`: reusable once two more flushes have passed.
  void quarantine(actorscope_actor* a, uint64_t flush);
  void release_quarantined(uint64_t current_flush);
  // Calls f for every cell ever handed out (the caller checks the state).
  void for_each(const std::function<void(actorscope_actor*)>& f);
  uint64_t bytes() const;

 private:
  static void reset(actorscope_actor* a);
  struct Quarantined {
    actorscope_actor* cell;
    uint64_t flush;
  };
  mutable std::mutex mu_;
  std::vector<actorscope_actor*> slabs_;
  size_t used_in_last_ = kCellsPerSlab;
  actorscope_actor* free_ = nullptr;           // intrusive through `next`
  std::vector<Quarantined> quarantine_;         // flusher only
};

CellStore& cells();

// The lifecycle list: an intrusive lock-free MPSC stack through `next`.
void lifecycle_push(actorscope_actor* a);
actorscope_actor* lifecycle_take_all();  // oldest first

}  // namespace actorscope::agent
