// The command line of actorscope-loadgen: every knob of the synthetic workload, with its default.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/agent.h"
#include "known_traffic.hpp"

namespace loadgen {

struct Options {
  uint32_t actors = 1000;          // workers under the supervision tree
  uint32_t depth = 3;              // levels of supervisors (1: only the top supervisor)
  uint32_t fanout = 4;             // child supervisors per supervisor
  std::vector<actorscope_strategy> strategies = {ACTORSCOPE_ONE_FOR_ONE, ACTORSCOPE_ONE_FOR_ALL,
                                                 ACTORSCOPE_REST_FOR_ONE, ACTORSCOPE_SIMPLE_ONE_FOR_ONE};
  actorscope_restart worker_restart = ACTORSCOPE_PERMANENT;
  uint32_t intensity = 3;          // max restarts per supervisor ...
  uint32_t period_ms = 5000;       // ... within this period (real time)
  bool workload_clock = false;     // judge intensity on message number / rate: repeatable runs
  double rate = 0;                 // total messages per second; 0: as fast as possible
  double duration_s = 0;           // stop sending after this long (when messages is unset)
  int64_t messages = -1;           // stop after exactly this many messages; -1: unset
  double crash_rate = 0.001;       // probability that a processed message crashes its worker
  bool slow_consumer = false;      // one actor fed faster than it processes
  uint32_t slow_every = 100;       // every Nth message goes to the slow consumer
  uint32_t slow_us = 1000;         // its processing time per message
  double telemetry_rate = 0.01;    // probability that a processed message emits telemetry
  uint32_t threads = 2;            // threads running the actors
  uint64_t seed = 1;
  bool stay = false;               // keep the actors alive after the workload ...
  double stay_s = 0;               // ... for this long (0: until SIGINT/SIGTERM)
  double wait_connected_s = 0;     // before the workload, wait this long for the agent's connection (0: no wait)
  bool scale = false;              // spawn the actors idle, as fast as possible, no traffic
  uint32_t queue_limit = 65536;    // messages waiting per thread before the sender waits
  std::vector<TrafficEdge> traffic;  // known traffic between named actors, beside the workload
  // agent settings; empty: the agent reads its environment (ACTORSCOPE_*)
  std::string collector;
  std::string node;
  std::string token_file;
  uint32_t flush_ms = 0;
};

// Parses argv. Returns 0 to run, 1 after printing --help (exit 0), 2 after a bad flag
// (one-line error and usage already printed to stderr).
int parse_options(int argc, char** argv, Options& out);

const char* strategy_name(actorscope_strategy s);

}  // namespace loadgen
