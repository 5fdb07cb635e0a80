// Header totals over the replica's nodes.
#include "actorscope/view/header.hpp"

namespace actorscope::view {

HeaderModel header(const Replica& replica, NodeId node) {
  HeaderModel h;
  for (const auto& [id, n] : replica.nodes()) {
    if (node != 0 && id != node) continue;
    ++h.nodes;
    if (n.connected) ++h.nodes_connected;
  }
  h.gone = node != 0 && h.nodes == 1 && h.nodes_connected == 0;
  TotalsPoint t = replica.totals(node);
  h.actors = t.actors;
  h.msgs_per_s = t.msgs_per_s;
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
