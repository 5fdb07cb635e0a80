// Time sources of the agent: TSC ticks (calibrated against CLOCK_MONOTONIC) and the anchor.
#pragma once

#include <cstdint>

namespace actorscope::agent {

uint64_t mono_ns();  // CLOCK_MONOTONIC
uint64_t wall_ns();  // CLOCK_REALTIME, Unix ns

// Measures ticks per ns once per process (a few ms) and fills actorscope__bucket_ticks.
void calibrate_ticks();
uint64_t ticks_to_ns(uint64_t ticks);

// The process-wide time origin: records carry ns since anchor_mono_ns().
void set_anchor_once();
uint64_t anchor_mono_ns();
uint64_t anchor_wall_ns();
uint64_t since_anchor_ns();

}  // namespace actorscope::agent
