// Registration of per-thread rings, their orphaning at thread exit, and mark_dirty.
#include "thread_state.hpp"

#include <algorithm>
#include <mutex>
#include <new>

#include "shared.hpp"

namespace actorscope::agent {
namespace {

std::mutex g_registry_mu;
std::vector<ThreadState*>* g_registry = new std::vector<ThreadState*>();

inline constexpr uint64_t kRetryAfterFlushes = 10;  // a thread refused a ring asks again later

// The fast path of this_thread_state: a plain pointer (constant-initialised, trivially
// destructible, so no guard and no wrapper call; initial-exec, so no __tls_get_addr). The
// slot below owns the registration and clears it at thread exit.
__attribute__((tls_model("initial-exec"))) thread_local ThreadState* t_state = nullptr;

struct ThreadSlot {
  ThreadState* state = nullptr;
  bool refused = false;
  bool exited = false;
  uint64_t refused_at_flush = 0;
  ~ThreadSlot() {
    // A hook from a later thread_local destructor must not touch the freed state.
    ThreadState* st = state;
    state = nullptr;
    t_state = nullptr;
    exited = true;
    if (st) st->orphaned.store(true, std::memory_order_release);
  }
};
thread_local ThreadSlot t_slot;

ThreadState* register_this_thread() {
  uint32_t ring_bytes = shared().ring_bytes.load(std::memory_order_relaxed);
  ThreadState* st = new (std::nothrow) ThreadState(ring_bytes, shared().flow_edges.load(std::memory_order_relaxed));
  if (!st) return nullptr;
  if (!budget_take(st->cost())) {
    delete st;
    return nullptr;
  }
  try {
    std::lock_guard<std::mutex> lock(g_registry_mu);
    g_registry->push_back(st);
  } catch (...) {
    budget_give(st->cost());
    delete st;
    return nullptr;
  }
  return st;
}

}  // namespace

ThreadState* this_thread_state() {
  if (ThreadState* st = t_state) return st;
  ThreadSlot& slot = t_slot;
  if (slot.state) return t_state = slot.state;
  if (slot.exited) return nullptr;
  uint64_t flushes = shared().flushes.load(std::memory_order_relaxed);
  if (slot.refused && flushes < slot.refused_at_flush + kRetryAfterFlushes) return nullptr;
  try {
    slot.state = register_this_thread();
  } catch (...) {
    slot.state = nullptr;  // std::bad_alloc from the ring buffer
  }
  slot.refused = slot.state == nullptr;
  slot.refused_at_flush = flushes;
  t_state = slot.state;
  return slot.state;
}

std::vector<ThreadState*> registered_threads() {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  return *g_registry;
}

void free_orphans(const std::vector<ThreadState*>& dead) {
  if (dead.empty()) return;
  {
    std::lock_guard<std::mutex> lock(g_registry_mu);
    auto& r = *g_registry;
    r.erase(std::remove_if(r.begin(), r.end(),
                           [&](ThreadState* st) { return std::find(dead.begin(), dead.end(), st) != dead.end(); }),
            r.end());
  }
  for (ThreadState* st : dead) {
    budget_give(st->cost());
    delete st;
  }
}

uint64_t ring_bytes_used() {
  uint64_t used = 0;
  std::lock_guard<std::mutex> lock(g_registry_mu);
  for (ThreadState* st : *g_registry) used += st->ring.used();
  return used;
}

}  // namespace actorscope::agent

// Called by the inline hooks at most once per cell side and flush.
extern "C" void actorscope__mark_dirty(actorscope_actor* a, int receiver) {
  using namespace actorscope::agent;
  if (!a) return;
  uint8_t* flag = receiver ? &a->recv_dirty : &a->send_dirty;
  if (__atomic_exchange_n(flag, 1, __ATOMIC_ACQ_REL)) return;  // another thread marked it
  Shared& s = shared();
  ThreadState* st = s.enabled.load(std::memory_order_relaxed) ? this_thread_state() : nullptr;
  if (!st || !st->dirty.push(a)) {
    // No buffer room: the dirty byte stays set and the next flush walks every cell.
    if (!s.rescan.exchange(true, std::memory_order_relaxed)) s.rescans.fetch_add(1, std::memory_order_relaxed);
  }
}
