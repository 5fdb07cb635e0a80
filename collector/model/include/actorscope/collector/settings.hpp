// Bounds and thresholds of the collector's model: every one is a named setting with a default.
#pragma once

#include <cstddef>
#include <cstdint>

namespace actorscope::collector {

inline constexpr uint64_t kNsPerSecond = 1'000'000'000;

struct ModelSettings {
  size_t event_log_capacity = 100'000;       // events kept (oldest dropped first), at least 2 ...
  double event_log_lifecycle_share = 0.5;    // ... this share for lifecycle events (crashes, exits,
                                             // restarts, escalations, node and warning events), the
                                             // rest for telemetry: each pushes out only its own kind
  double event_log_incident_share = 0.5;     // of the lifecycle share, this for incidents (crashes,
                                             // escalations, node losses, warnings raised and
                                             // cleared): a storm of routine exits or restarts
                                             // pushes out only routine events, never a crash
  size_t event_log_incidents_kept_per_node = 64;  // a node's newest incidents outlive the shared
                                             // incident share: a crash storm on one node cannot
                                             // push another node's last crashes out (0: off)
  // Message flow (sampled, from agents that report it):
  size_t max_flow_pairs_per_node = 4096;     // (sender type, receiver type) pairs; more fold into
                                             // (other, other), counted
  size_t max_flow_receivers_per_node = 16'384;  // actors whose top senders are kept; more are
                                             // counted in their type pair only
  size_t flow_senders_per_actor = 8;         // top senders (and message types) kept per receiving
                                             // actor: Space-Saving counters, bounded error
  uint64_t flow_rate_window_ns = 10 * kNsPerSecond;  // rates are exponentially decayed over this
  size_t series_points = 3600;               // points per node time series
  uint64_t series_step_ns = kNsPerSecond;    // one point per second
  size_t journal_capacity = 1u << 20;        // change-journal entries for viewers
  size_t restart_history = 64;               // restart times kept per supervisor
  size_t gone_supervisors_per_node = 16'384; // supervisors gone whose successor can be found by
                                             // their id (oldest forgotten first): a viewer follows
                                             // a child whose supervisor a storm replaced
  size_t max_children_per_supervisor = 256;  // per-child restart counts kept; more children count as "other"
  size_t max_gone_nodes = 64;                // disconnected nodes remembered, oldest forgotten first
  uint64_t gone_node_ttl_ns = 3600 * kNsPerSecond;  // a gone node is forgotten after this
  uint32_t max_string_id = 1u << 22;         // agent string ids at or above this are refused
  size_t max_strings_per_node = 1u << 21;    // string definitions kept per node (ids past it stay undefined)
  size_t max_text_bytes = 256;               // names, types, reasons, node/host/program: longer ones are cut
  size_t max_telemetry_events_per_node = 1000;  // distinct telemetry event names per node; more count as "other"
  size_t max_types_per_node = 2000;          // distinct actor types per node; more count as "other"
  size_t max_warnings = 10'000;                 // active warnings kept (more are counted, not kept)
  size_t max_measurements_per_event = 32;    // distinct measurement keys kept per telemetry event
  // Fine telemetry buckets (32 per doubling: percentiles within 1.6 %) kept per measurement
  // and per node, 16 B each. A measurement that would pass either keeps only its log2
  // buckets from then on, and its percentiles are shown as rough (too_many_telemetry_buckets).
  size_t max_telemetry_buckets_per_measurement = 1024;  // 32 doublings of range
  size_t max_telemetry_buckets_per_node = 65'536;       // 1 MiB per node
  // A parent link is checked for a cycle by walking up the parent's chain, one index look-up
  // per level. Each spawn record earns its node parent_walk_steps_per_spawn levels, held up to
  // parent_walk_credit: a link whose check would walk further than the node holds is refused
  // (the actor stays a root, parent_chain_too_deep). A peer's deep chains so cost at most
  // that many look-ups per spawn, never depth × spawns; trees up to 256 deep never run short.
  uint64_t parent_walk_steps_per_spawn = 256;
  uint64_t parent_walk_credit = 100'000;
  // When a supervisor goes, its next incarnation is looked for among its parent's children
  // (its counts move there), one row per child looked at, at most 4096. Each spawn and exit
  // earns its node successor_scan_steps_per_record rows, held up to successor_scan_credit; a
  // look-up past what the node holds stops there (successor_scan_cut). Supervisors with up to
  // 256 siblings never run short.
  uint64_t successor_scan_steps_per_record = 256;
  uint64_t successor_scan_credit = 16'384;
  size_t max_links_per_actor = 64;           // link and monitor ends kept per actor (more are counted)
  size_t max_strings = 1u << 20;             // distinct names, types and reason texts kept ...
  size_t max_string_bytes = 64u << 20;       // ... and their bytes; new ones past either read "other"

  // Warnings, evaluated once per series step.
  unsigned mailbox_growth_samples = 5;       // grew in each of this many consecutive samples ...
  uint64_t mailbox_growth_min = 100;         // ... and by more than this many messages
  uint64_t stuck_after_ns = 5 * kNsPerSecond;       // mailbox > 0 and no dequeue for this long
  uint64_t mailbox_large = 10'000;                  // a mailbox this deep (cleared below half of it)
  uint64_t mailbox_wait_ns = 30 * kNsPerSecond;     // time to drain at the current rate (cleared below half)
  double restart_storm_ratio = 0.8;          // restart budget used at or above this
  // An actor's msg/s (and its mailbox's fill rate) is a moving average of its stats samples
  // over about this long; 0: each sample's own rate, since the sample before.
  uint64_t actor_rate_smoothing_ns = 1 * kNsPerSecond;
  // The agent sends no sample while an actor is idle, so with no sample for this long its
  // rates read 0 (checked each step).
  uint64_t actor_rate_window_ns = 2 * kNsPerSecond;
  // The same on a node whose rates are reductions (a BEAM node): its processes are sampled
  // by scans, every 2 s and up to 8 s apart on a quiet node, not at every flush.
  uint64_t reductions_rate_window_ns = 10 * kNsPerSecond;
  uint64_t warning_hold_ns = 10 * kNsPerSecond; // event-like warnings (slow handler, drops) clear after this
};

}  // namespace actorscope::collector
