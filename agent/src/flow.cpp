// Sampled message flow: the sampled path of actorscope_enqueue_from, message type names,
// and the threads' running slots.
#include "flow.hpp"

#include "actorscope/agent.h"
#include "shared.hpp"
#include "strings.hpp"
#include "thread_state.hpp"

extern "C" {
uint64_t actorscope__flow_threshold = 0;
}

namespace actorscope::agent {
namespace {
std::atomic<uint64_t> g_unrecorded_elsewhere{0};
constexpr uint32_t kMaxProbes = 16;

uint32_t round_up_pow2(uint32_t n) {
  uint32_t p = 1;
  while (p < n && p < (1u << 20)) p <<= 1;
  return p;
}
}  // namespace

FlowTables::FlowTables(uint32_t capacity) {
  if (capacity == 0) return;
  uint32_t n = round_up_pow2(capacity);
  mask_ = n - 1;
  tables_[0].slots.resize(n);
  tables_[1].slots.resize(n);
}

void FlowTables::add(uint64_t from, uint64_t to, uint32_t type, uint16_t from_type, uint16_t to_type) {
  if (mask_ == 0) return;
  uint32_t i;
  for (;;) {
    i = active_.load(std::memory_order_seq_cst);
    writing_.store(i + 1, std::memory_order_seq_cst);
    if (active_.load(std::memory_order_seq_cst) == i) break;
  }
  Table& t = tables_[i];
  uint64_t h = (from * 0x9E3779B97F4A7C15ull) ^ (to * 0xC2B2AE3D27D4EB4Full) ^ (uint64_t{type} * 0x165667B19E3779F9ull);
  h ^= h >> 29;
  bool counted = false;
  // At most three quarters full, so probes stay short; past that new edges are unrecorded.
  for (uint32_t k = 0; k < kMaxProbes; ++k) {
    FlowEdgeCount& e = t.slots[(h + k) & mask_];
    if (e.to == to && e.from == from && e.type == type) {
      ++e.count;
      counted = true;
      break;
    }
    if (e.to == 0) {
      if (t.used >= (mask_ + 1) / 4 * 3) break;
      e = FlowEdgeCount{from, to, type, 1, from_type, to_type};
      ++t.used;
      counted = true;
      break;
    }
  }
  if (!counted) ++t.unrecorded;
  writing_.store(0, std::memory_order_release);
}

void set_flow_sampling(uint32_t sample_every) {
  uint64_t threshold = sample_every == 0 ? 0 : sample_every == 1 ? UINT64_MAX : UINT64_MAX / sample_every;
  __atomic_store_n(&actorscope__flow_threshold, threshold, __ATOMIC_RELAXED);
}

uint64_t take_flow_unrecorded_elsewhere() { return g_unrecorded_elsewhere.exchange(0, std::memory_order_relaxed); }

}  // namespace actorscope::agent

extern "C" void actorscope__flow_sample(const actorscope_actor* to, const actorscope_actor* from,
                                        actorscope_msg_type type) {
  actorscope__flow_sample_from(to, from ? __atomic_load_n(&from->id, __ATOMIC_RELAXED) : 0,
                               from ? __atomic_load_n(&from->type, __ATOMIC_RELAXED) : uint16_t{0}, type);
}

extern "C" void actorscope__flow_sample_from(const actorscope_actor* to, uint64_t from_id, uint16_t from_type,
                                             actorscope_msg_type type) {
  using namespace actorscope::agent;
  ThreadState* st = shared().enabled.load(std::memory_order_relaxed) ? this_thread_state() : nullptr;
  if (!st) {
    g_unrecorded_elsewhere.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  st->flow.add(from_id, __atomic_load_n(&to->id, __ATOMIC_RELAXED), type, from_type,
               __atomic_load_n(&to->type, __ATOMIC_RELAXED));
}

extern "C" actorscope_msg_type actorscope_message_type(const char* name) {
  using namespace actorscope::agent;
  if (!name || !shared().enabled.load(std::memory_order_relaxed)) return 0;
  return strings().intern(name);
}

extern "C" actorscope_running* actorscope_running_slot(void) {
  using namespace actorscope::agent;
  ThreadState* st = shared().enabled.load(std::memory_order_relaxed) ? this_thread_state() : nullptr;
  return st ? &st->running : nullptr;
}
