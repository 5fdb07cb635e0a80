// State shared between the application's threads (hooks) and the flusher thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::agent {

using proto::DropKind;

struct Shared {
  std::atomic<bool> enabled{false};  // the one branch every cold hook takes
  std::atomic<uint64_t> drops[proto::kDropKindCount] = {};
  std::atomic<bool> rescan{false};    // a dirty buffer overflowed: walk every live cell
  std::atomic<uint64_t> rescans{0};
  std::atomic<uint64_t> live_actors{0};
  std::atomic<uint32_t> ring_bytes{65536};  // size of rings registered from now on
  std::atomic<uint32_t> flow_edges{256};    // edges per flow table of threads registered from now on
  std::atomic<uint64_t> budget_limit{16u << 20};
  std::atomic<uint64_t> budget_used{0};   // rings, dirty buffers, strings
  std::atomic<uint64_t> flushes{0}, connects{0}, connected{0}, bytes_sent{0};

  // Early wake-up of the flusher (a ring half full); notified at most once per flush.
  std::atomic<bool> wake_requested{false};
  std::mutex wake_mu;
  std::condition_variable wake_cv;
};

// Never destroyed: the flusher and late hooks may run while the process exits.
Shared& shared();

inline void count_drop(DropKind k, uint64_t n = 1) {
  shared().drops[static_cast<size_t>(k)].fetch_add(n, std::memory_order_relaxed);
}

// Takes bytes from the fixed memory budget; false (nothing taken) when it would overflow.
bool budget_take(uint64_t bytes);
void budget_give(uint64_t bytes);

void request_wake();

}  // namespace actorscope::agent
