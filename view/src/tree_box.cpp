// Tree box text: names from display.hpp, numbers from format.hpp.
#include "actorscope/view/tree_box.hpp"

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

std::string format_rate_with_unit(double per_s, std::string_view unit) {
  return per_s > 0 ? format_rate(per_s, unit) : "0" + std::string(unit);
}

std::string tree_box_title(const Replica& r, const TreeRow& row) {
  switch (row.kind) {
    case TreeRowKind::Node: {
      const pv::NodeRow* n = r.node(row.item.node);
      return n ? n->name : "node";
    }
    case TreeRowKind::Group:
      return row.item.type + " \xC3\x97" + std::to_string(row.group_count);
    case TreeRowKind::Actor:
      return display_name(*row.actor);
  }
  return {};
}

std::string format_actor_rate(const Replica& replica, NodeId node, double per_s) {
  return format_rate_with_unit(per_s, rates_in_reductions(replica, node) ? " red/s" : "/s");
}

std::string tree_box_detail(const Replica& replica, const TreeRow& row) {
  if (row.kind == TreeRowKind::Group)
    return "mailboxes " + format_count(row.totals.mailbox) + "  restarts " + format_count(row.totals.restarts);
  if (row.kind == TreeRowKind::Node)
    return format_count(row.totals.actors) + " actors  " + format_actor_rate(replica, row.item.node, row.totals.msgs_per_s());
  const Actor& a = *row.actor;
  if (a.is_supervisor())
    return std::string(proto::name(a.row.strategy)) + "  " +
           format_budget(a.stats.restarts_in_period, a.row.intensity, a.row.period_ms);
  return "mailbox " + format_count(a.stats.mailbox) + "  " + format_actor_rate(replica, a.row.node, a.msgs_per_s());
}

}  // namespace actorscope::view
