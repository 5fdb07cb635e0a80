// What the screen cannot show yet: a snapshot still arriving. One line, the same in both viewers.
#pragma once

#include <string>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// Empty when the replica is whole; otherwise what is missing, e.g. "loading: 340k of 1.0M
// actors received, what is shown is partial" while the collector's snapshot arrives,
// "waiting for the collector's snapshot" before the first one, or "node X is syncing: ..."
// while a node's own snapshot is still arriving at the collector (after it (re)connected).
std::string partial_note(const Replica& replica);

}  // namespace actorscope::view
