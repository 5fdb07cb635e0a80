// Header totals over the replica's nodes.
#include "actorscope/view/header.hpp"

#include "actorscope/view/display.hpp"

#include <array>
#include <cstdio>

#include "actorscope/protocol/node_gauges.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

namespace {

using proto::NodeGauge;

// A node's gauges by id: value and rate, `has` when the node reported it.
struct Gauges {
  std::array<double, proto::kNodeGaugeCount> value{}, per_s{};
  std::array<bool, proto::kNodeGaugeCount> has{};
  bool any = false;
  void add(const pv::NodeGaugeRow& g) {
    if (g.gauge >= proto::kNodeGaugeCount) return;
    value[g.gauge] += g.value;
    per_s[g.gauge] += g.per_s;
    has[g.gauge] = any = true;
  }
  bool got(NodeGauge g) const { return has[static_cast<size_t>(g)]; }
  double v(NodeGauge g) const { return value[static_cast<size_t>(g)]; }
  double rate(NodeGauge g) const { return per_s[static_cast<size_t>(g)]; }
};

uint64_t whole(double v) { return v > 0 ? static_cast<uint64_t>(v + 0.5) : 0; }

Severity limit_severity(double used, double limit) {
  if (limit <= 0) return Severity::normal;
  if (used >= limit * kLimitCriticalShare) return Severity::critical;
  if (used >= limit * kLimitWarnShare) return Severity::warn;
  return Severity::normal;
}

// The VM line of one node (`one`), or the sums over several (limits and utilisation do not
// add up, so they are left out then).
void vm_figures(const Gauges& g, bool one, std::vector<HeaderFigure>& out) {
  auto count_of_limit = [&](const char* label, NodeGauge count, NodeGauge limit) {
    if (!g.got(count)) return;
    bool with_limit = one && g.got(limit);
    std::string value = format_count(whole(g.v(count)));
    if (with_limit) value += "/" + format_count(whole(g.v(limit)));
    out.push_back({label, value, with_limit ? limit_severity(g.v(count), g.v(limit)) : Severity::normal});
  };
  count_of_limit("procs", NodeGauge::BeamProcesses, NodeGauge::BeamProcessLimit);
  if (g.got(NodeGauge::BeamRunQueueLength)) out.push_back({"runq", format_count(whole(g.v(NodeGauge::BeamRunQueueLength))), Severity::normal});
  if (one && g.got(NodeGauge::BeamSchedulerUtilization)) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", g.v(NodeGauge::BeamSchedulerUtilization) * 100.0);
    out.push_back({"sched", pct, Severity::normal});
  }
  if (g.got(NodeGauge::BeamMemoryAllocated)) out.push_back({"mem", format_bytes(whole(g.v(NodeGauge::BeamMemoryAllocated))), Severity::normal});
  if (g.got(NodeGauge::BeamReductions)) out.push_back({"red/s", format_rate(g.rate(NodeGauge::BeamReductions), ""), Severity::normal});
  if (g.got(NodeGauge::BeamGcRuns)) out.push_back({"gc/s", format_rate(g.rate(NodeGauge::BeamGcRuns), ""), Severity::normal});
  count_of_limit("atoms", NodeGauge::BeamAtoms, NodeGauge::BeamAtomLimit);
  count_of_limit("ports", NodeGauge::BeamPorts, NodeGauge::BeamPortLimit);
  count_of_limit("ets", NodeGauge::BeamEtsTables, NodeGauge::BeamEtsTableLimit);
  // What watching costs the node: the reductions actorscope-beam caused there per second.
  if (g.got(NodeGauge::BeamAttachReductions))
    out.push_back({"attach red/s", format_rate(g.rate(NodeGauge::BeamAttachReductions), ""), Severity::normal});
}

}  // namespace

HeaderModel header(const Replica& replica, NodeId node) {
  HeaderModel h;
  Gauges vm;
  size_t vm_nodes = 0;
  for (const auto& [id, n] : replica.nodes()) {
    if (node != 0 && id != node) continue;
    ++h.nodes;
    if (n.connected) ++h.nodes_connected;
    if (n.connected && !n.gauges.empty()) {
      ++vm_nodes;
      for (const auto& g : n.gauges) vm.add(g);
    }
  }
  if (vm.any) {
    h.vm_title = vm_nodes == 1 ? "BEAM" : "BEAM (" + std::to_string(vm_nodes) + " nodes)";
    vm_figures(vm, vm_nodes == 1, h.vm);
  }
  h.gone = node != 0 && h.nodes == 1 && h.nodes_connected == 0;
  TotalsPoint t = replica.totals(node);
  h.actors = t.actors;
  h.msgs_per_s = t.msgs_per_s;
  h.msgs_known = h.nodes == 0 || rate_column(replica, node) != RateColumn::reductions;
  h.restarts_per_min = t.restarts_per_min;
  h.mailbox_total = t.mailbox_total;
  h.drops = t.drops;
  for (const auto& l : replica.warnings())
    if (node == 0 || l.node == node) ++h.warnings;
  h.viewers_dropped = replica.last_tick().viewers_dropped;
  h.tick_wall_ns = replica.last_tick().wall_ns;
  const auto& history = node != 0 && replica.nodes().size() > 1 ? replica.history(node) : replica.history();
  for (const auto& p : history) {
    h.msgs_history.push_back(p.msgs_per_s);
    h.restarts_history.push_back(p.restarts_per_min);
  }
  return h;
}

}  // namespace actorscope::view
