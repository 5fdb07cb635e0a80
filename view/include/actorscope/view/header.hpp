// The header view-model: totals across the shown nodes, with the history behind sparklines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/view/display.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// One figure of the VM line (nodes that report node gauges: BEAM nodes), ready to draw.
struct HeaderFigure {
  std::string label;  // "procs"
  std::string value;  // "1.2k/262k"
  Severity severity = Severity::normal;  // a count near its limit asks for attention
};

struct HeaderModel {
  uint64_t nodes = 0;
  uint64_t nodes_connected = 0;
  bool gone = false;             // one node shown, and it is gone: the totals are its last state
  uint64_t actors = 0;           // all nodes: connected ones only
  double msgs_per_s = 0;
  bool msgs_known = true;  // false when every node shown is a BEAM node: it counts no messages processed
  double restarts_per_min = 0;
  uint64_t mailbox_total = 0;
  uint64_t drops = 0;
  uint64_t warnings = 0;
  uint64_t viewers_dropped = 0;
  uint64_t tick_wall_ns = 0;
  std::vector<double> msgs_history;      // oldest first, one per tick
  std::vector<double> restarts_history;  // restarts per minute
  // The VM line: "BEAM" for one node, "BEAM (3 nodes)" for the sums over several; empty when
  // no shown node reports VM figures (C++ agents), and then there is no VM line.
  std::string vm_title;
  std::vector<HeaderFigure> vm;
};

// A count at or above these shares of its limit (processes, atoms, ports, ETS tables) is
// shown as a warning, resp. critical: the BEAM stops (atoms) or refuses (the others) at 100 %.
inline constexpr double kLimitWarnShare = 0.8;
inline constexpr double kLimitCriticalShare = 0.95;

HeaderModel header(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
