// The header view-model: totals across the shown nodes, with the history behind sparklines.
#pragma once

#include <cstdint>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct HeaderModel {
  uint64_t nodes = 0;
  uint64_t nodes_connected = 0;
  bool gone = false;             // one node shown, and it is gone: the totals are its last state
  uint64_t actors = 0;           // all nodes: connected ones only
  double msgs_per_s = 0;
  double restarts_per_min = 0;
  uint64_t mailbox_total = 0;
  uint64_t drops = 0;
  uint64_t warnings = 0;
  uint64_t viewers_dropped = 0;
  uint64_t tick_wall_ns = 0;
  std::vector<double> msgs_history;      // oldest first, one per tick
  std::vector<double> restarts_history;  // restarts per minute
};

HeaderModel header(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
