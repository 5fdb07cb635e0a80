// The per-process seed of SeededHash.
#include "actorscope/collector/seeded_hash.hpp"

#include <chrono>
#include <random>

namespace actorscope::collector {

namespace {
uint64_t draw_seed() {
  uint64_t s = 0;
  try {
    std::random_device rd;
    s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {
  }
  // Without a random source, the clock still differs from one run to the next.
  return s ^ static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}
}  // namespace

const uint64_t g_hash_seed = draw_seed();

}  // namespace actorscope::collector
