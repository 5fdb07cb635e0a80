// A realistic synthetic agent stream (spawns, stats, restarts, telemetry), encoded as batches.
#pragma once

#include <cstdint>
#include <vector>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::bench {

struct SyntheticStream {
  proto::Hello hello;
  std::vector<std::vector<uint8_t>> batches;  // Batch payloads, in order
  uint64_t records = 0;
};

struct StreamShape {
  uint64_t actors = 100'000;    // live actors after the spawn phase
  uint64_t stats_rounds = 10;   // each live actor reports stats this many times
  uint64_t supervisors = 1000;  // workers are spread under these
  uint64_t types = 50;
  uint64_t restarts = 10'000;   // crash + restart + respawn triples
  uint64_t telemetry = 50'000;
  size_t batch_bytes = 64 * 1024;  // payload size at which a batch is cut, like an agent flush
  // Stats records of a round in a random order instead of spawn order: an agent whose
  // cells are flushed as they turn dirty, across threads, is closer to this.
  bool shuffled_stats = false;
};

SyntheticStream make_stream(const StreamShape& shape);

}  // namespace actorscope::bench
