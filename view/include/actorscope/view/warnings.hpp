// The Warnings view-model: the collector's lints, most severe first.
#pragma once

#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

std::vector<const pv::Lint*> warnings(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
