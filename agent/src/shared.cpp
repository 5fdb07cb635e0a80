// The shared state singleton and the memory budget.
#include "shared.hpp"

namespace actorscope::agent {

Shared& shared() {
  static Shared* s = new Shared();
  return *s;
}

bool budget_take(uint64_t bytes) {
  Shared& s = shared();
  uint64_t used = s.budget_used.load(std::memory_order_relaxed);
  do {
    if (used + bytes > s.budget_limit.load(std::memory_order_relaxed)) return false;
  } while (!s.budget_used.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void budget_give(uint64_t bytes) { shared().budget_used.fetch_sub(bytes, std::memory_order_relaxed); }

void request_wake() {
  Shared& s = shared();
  if (s.wake_requested.load(std::memory_order_relaxed)) return;
  if (s.wake_requested.exchange(true, std::memory_order_acq_rel)) return;
  s.wake_cv.notify_one();
}

}  // namespace actorscope::agent
