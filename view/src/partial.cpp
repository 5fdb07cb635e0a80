// The partial-data note: a snapshot in flight is said to be one, with how much has come.
#include "actorscope/view/partial.hpp"

#include <algorithm>

#include "actorscope/view/format.hpp"

namespace actorscope::view {

std::string partial_note(const Replica& replica) {
  if (replica.in_snapshot()) {
    const uint64_t have = replica.actor_count(), want = replica.snapshot_actors();
    return "loading: " + format_count(std::min(have, want)) + " of " + format_count(want) +
           " actors received, what is shown is partial";
  }
  if (replica.snapshots() == 0) return "waiting for the collector's snapshot";
  // A node whose own snapshot is still arriving at the collector: the first one named,
  // with how many others are in the same state.
  const pv::NodeRow* first = nullptr;
  size_t syncing = 0;
  for (const auto& [id, n] : replica.nodes())
    if (n.syncing && n.connected && syncing++ == 0) first = &n;
  if (!first) return {};
  std::string note = "node " + first->name + " is syncing: " + format_count(std::min(first->sync_described, first->sync_actors)) +
                     " of " + format_count(first->sync_actors) + " actors at the collector";
  if (syncing > 1) note += " (and " + std::to_string(syncing - 1) + (syncing == 2 ? " more node)" : " more nodes)");
  return note + ", what is shown is partial";
}

}  // namespace actorscope::view
