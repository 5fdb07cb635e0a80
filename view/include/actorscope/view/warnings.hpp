// The Warnings view-model: the collector's warnings, most severe first.
#pragma once

#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

std::vector<const pv::Warning*> warnings(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
