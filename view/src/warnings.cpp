// Ordering of the warnings: severity, then node, then actor.
#include "actorscope/view/warnings.hpp"

#include <algorithm>

namespace actorscope::view {

std::vector<const pv::Warning*> warnings(const Replica& replica, NodeId node) {
  std::vector<const pv::Warning*> out;
  for (const auto& l : replica.warnings())
    if (node == 0 || l.node == node) out.push_back(&l);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    if (a->node != b->node) return a->node < b->node;
    return a->actor < b->actor;
  });
  return out;
}

}  // namespace actorscope::view
