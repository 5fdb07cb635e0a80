// The message traffic: one sender, threads running the actors, crashes and telemetry.
#pragma once

#include <cstdint>

#include "Options.hpp"

namespace loadgen {

struct Counts {
  uint64_t supervisors = 0, workers = 0;
  uint64_t restarts = 0, crashes = 0, escalations = 0;
  uint64_t messages_sent = 0, messages_processed = 0, dead_letters = 0;
  uint64_t telemetry = 0;
  double spawn_seconds = 0, run_seconds = 0;
};

// Builds the tree, runs the traffic to its end and waits until every message has been
// processed. The actors stay alive (nothing is torn down) so that they can be observed.
Counts run_workload(const Options& o);

}  // namespace loadgen
