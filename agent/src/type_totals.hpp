// Per-type totals of exited actors, kept by the flusher for the life of the process.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::agent {

struct TypeTotal {
  uint64_t spawned = 0, exited = 0, enqueued = 0, dequeued = 0, busy_ns = 0;
  std::array<uint64_t, proto::kHistogramBuckets> hist{};
  std::array<uint64_t, proto::kExitReasonCount> exited_by_reason{};
  bool changed = false;
};

// Indexed by the cells' type index; only the flusher thread touches it.
std::vector<TypeTotal>& type_totals();

}  // namespace actorscope::agent
