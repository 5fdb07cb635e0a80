// The text of a drawn tree's box, the same in every viewer that draws boxes: a title and a
// detail line whose numbers all carry their unit (a bare "0" beside "5.0/s" read as a count).
#pragma once

#include <string>
#include <string_view>

#include "actorscope/view/tree.hpp"

namespace actorscope::view {

// The node's name, "type ×N" for a group, the actor's display name.
std::string tree_box_title(const Replica& replica, const TreeRow& row);
// Workers: "mailbox 12  5.0/s"; supervisors: strategy and restart budget; groups: their
// mailboxes and restarts; nodes: actors and messages per second. On a BEAM node the rates
// are reductions: "mailbox 12  5.0 red/s".
std::string tree_box_detail(const Replica& replica, const TreeRow& row);
// A rate that keeps its unit at zero: "0/s", "5.0/s", "1.2k/s".
std::string format_rate_with_unit(double per_s, std::string_view unit = "/s");
// An actor rate on `node`, with its unit: "5.0/s" (messages), "5.0 red/s" (a BEAM node).
std::string format_actor_rate(const Replica& replica, NodeId node, double per_s);

}  // namespace actorscope::view
