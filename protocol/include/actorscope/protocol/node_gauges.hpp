// Node gauges: figures of a whole node (its VM or runtime), reported by fixed id in NodeGauges
// records. The ids, names and meanings are the protocol's (SPEC.md, "Node gauges"): a peer
// chooses values, never metric names, so what it sends cannot add series of its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::proto {

enum class GaugeKind : uint8_t {
  Gauge = 0,    // a level: the last value is the truth
  Counter = 1,  // cumulative since the source (re)started; a rate is taken between samples
};

// Ids are wire values: append only, never renumber.
enum class NodeGauge : uint16_t {
  BeamProcesses = 0,
  BeamProcessLimit = 1,
  BeamRunQueueLength = 2,
  BeamSchedulersOnline = 3,
  BeamSchedulerUtilization = 4,
  BeamMemoryAllocated = 5,
  BeamMemoryProcesses = 6,
  BeamMemorySystem = 7,
  BeamMemoryAtom = 8,
  BeamMemoryBinary = 9,
  BeamMemoryCode = 10,
  BeamMemoryEts = 11,
  BeamAtoms = 12,
  BeamAtomLimit = 13,
  BeamPorts = 14,
  BeamPortLimit = 15,
  BeamEtsTables = 16,
  BeamEtsTableLimit = 17,
  BeamReductions = 18,
  BeamGcRuns = 19,
  BeamGcReclaimed = 20,
  BeamAttachReductions = 21,
  BeamAttachMemory = 22,
  BeamAttachScanDuration = 23,
  BeamAttachScanProcesses = 24,
};
inline constexpr size_t kNodeGaugeCount = 25;

struct NodeGaugeInfo {
  NodeGauge id;
  const char* metric;  // the Prometheus name after "actorscope_": base units, _total on counters
  GaugeKind kind;
  const char* help;
};

inline constexpr std::array<NodeGaugeInfo, kNodeGaugeCount> kNodeGauges = {{
    {NodeGauge::BeamProcesses, "beam_processes", GaugeKind::Gauge, "Processes alive on the BEAM node"},
    {NodeGauge::BeamProcessLimit, "beam_process_limit", GaugeKind::Gauge, "Most processes the BEAM node allows (+P)"},
    {NodeGauge::BeamRunQueueLength, "beam_run_queue_length", GaugeKind::Gauge,
     "Processes and ports ready to run, over all run queues of the BEAM node"},
    {NodeGauge::BeamSchedulersOnline, "beam_schedulers_online", GaugeKind::Gauge, "Schedulers online on the BEAM node"},
    {NodeGauge::BeamSchedulerUtilization, "beam_scheduler_utilization_ratio", GaugeKind::Gauge,
     "Share of wall time the BEAM node's normal schedulers were busy since the previous sample (0 to 1)"},
    {NodeGauge::BeamMemoryAllocated, "beam_memory_allocated_bytes", GaugeKind::Gauge,
     "Memory the BEAM node has allocated (erlang:memory(total): processes + system)"},
    {NodeGauge::BeamMemoryProcesses, "beam_memory_processes_bytes", GaugeKind::Gauge, "Memory of the BEAM node's processes"},
    {NodeGauge::BeamMemorySystem, "beam_memory_system_bytes", GaugeKind::Gauge,
     "Memory of the BEAM node not owned by processes (includes atoms, binaries, code and ETS)"},
    {NodeGauge::BeamMemoryAtom, "beam_memory_atom_bytes", GaugeKind::Gauge, "Memory of the BEAM node's atoms"},
    {NodeGauge::BeamMemoryBinary, "beam_memory_binary_bytes", GaugeKind::Gauge, "Memory of the BEAM node's binaries"},
    {NodeGauge::BeamMemoryCode, "beam_memory_code_bytes", GaugeKind::Gauge, "Memory of the BEAM node's loaded code"},
    {NodeGauge::BeamMemoryEts, "beam_memory_ets_bytes", GaugeKind::Gauge, "Memory of the BEAM node's ETS tables"},
    {NodeGauge::BeamAtoms, "beam_atoms", GaugeKind::Gauge, "Atoms in the BEAM node's atom table"},
    {NodeGauge::BeamAtomLimit, "beam_atom_limit", GaugeKind::Gauge, "Size of the BEAM node's atom table (+t)"},
    {NodeGauge::BeamPorts, "beam_ports", GaugeKind::Gauge, "Ports open on the BEAM node"},
    {NodeGauge::BeamPortLimit, "beam_port_limit", GaugeKind::Gauge, "Most ports the BEAM node allows (+Q)"},
    {NodeGauge::BeamEtsTables, "beam_ets_tables", GaugeKind::Gauge, "ETS tables on the BEAM node"},
    {NodeGauge::BeamEtsTableLimit, "beam_ets_table_limit", GaugeKind::Gauge, "Most ETS tables the BEAM node allows"},
    {NodeGauge::BeamReductions, "beam_reductions_total", GaugeKind::Counter, "Reductions (units of work) done on the BEAM node"},
    {NodeGauge::BeamGcRuns, "beam_gc_runs_total", GaugeKind::Counter, "Garbage collections on the BEAM node"},
    {NodeGauge::BeamGcReclaimed, "beam_gc_reclaimed_bytes_total", GaugeKind::Counter,
     "Memory reclaimed by garbage collection on the BEAM node"},
    {NodeGauge::BeamAttachReductions, "beam_attach_reductions_total", GaugeKind::Counter,
     "Reductions actorscope-beam caused on the BEAM node (its relay's work: scans, walks, statistics)"},
    {NodeGauge::BeamAttachMemory, "beam_attach_memory_bytes", GaugeKind::Gauge,
     "Memory of actorscope-beam's relay process on the BEAM node"},
    {NodeGauge::BeamAttachScanDuration, "beam_attach_scan_duration_seconds", GaugeKind::Gauge,
     "Wall time of actorscope-beam's last full process scan of the BEAM node"},
    {NodeGauge::BeamAttachScanProcesses, "beam_attach_scan_processes", GaugeKind::Gauge,
     "Processes seen by actorscope-beam's last full process scan of the BEAM node"},
}};

// The table is indexed by id: adding a gauge touches the enum, the count and one row.
inline constexpr bool node_gauge_table_in_order() {
  for (size_t i = 0; i < kNodeGauges.size(); ++i)
    if (static_cast<size_t>(kNodeGauges[i].id) != i) return false;
  return true;
}
static_assert(node_gauge_table_in_order(), "kNodeGauges must list every NodeGauge in id order");
static_assert(kNodeGaugeCount <= kMaxNodeGauges, "one NodeGauges record can carry every gauge");

inline const NodeGaugeInfo* node_gauge_info(uint32_t id) {
  return id < kNodeGaugeCount ? &kNodeGauges[id] : nullptr;
}

}  // namespace actorscope::proto
