// The message traffic: one sender, threads running the actors, crashes and telemetry.
#pragma once

#include <cstdint>

#include "options.hpp"

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

// SIGINT/SIGTERM: the sender stops at its next message, what was sent is settled, and
// run_workload returns the counts so far; a --stay ends too. Safe from any thread.
void request_stop();
bool stop_requested();

// Kills the live actor with this agent id once run_workload() has returned (the calling
// thread then plays its supervisors); the command handler registered with the agent.
// Returns ACTORSCOPE_COMMAND_DONE, ACTORSCOPE_COMMAND_NO_ACTOR, or ACTORSCOPE_COMMAND_BUSY
// while the workload runs.
int kill_actor(uint64_t id, int command, void* user);

}  // namespace loadgen
