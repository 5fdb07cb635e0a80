// What changed between two moments: a mark of the tree at one instant (live or past), and
// the tree shown now, compared child by child — spawned, exited, restarted (the same child,
// by its path of child ids, under a new actor id), and mailbox deltas.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct MarkedActor {
  ActorKey key;
  std::string path;        // node name + the path of child ids (else names) from the root
  std::string name;        // display name
  std::string type;
  uint64_t mailbox = 0;
  uint64_t child_restarts = 0;  // restarts of this child, all incarnations
};

// The tree at one instant, kept by a viewer to compare another instant with.
struct TreeMark {
  bool set = false;
  uint64_t wall_ns = 0;    // the instant marked (the replica's past instant, else its last tick)
  bool past = false;       // it was a past instant
  NodeId node = 0;         // the node it covers (0: all)
  std::vector<MarkedActor> actors;  // sorted by path, then actor id
};
TreeMark mark_tree(const Replica& replica, NodeId node = 0);

enum class DiffKind : uint8_t { Spawned, Exited, Restarted, Mailbox };
std::string_view name(DiffKind k);  // "spawned", "exited", "restarted", "mailbox"

struct DiffRow {
  DiffKind kind = DiffKind::Mailbox;
  std::string path;
  std::string name;
  std::string type;
  ActorKey before{}, after{};      // Exited: only before; Spawned: only after
  uint64_t mailbox_before = 0, mailbox_after = 0;
  uint64_t restarts = 0;           // Restarted: restarts of the child counted between the two (0: not known;
                                   // a new incarnation is at least one)
  int64_t mailbox_delta() const { return static_cast<int64_t>(mailbox_after) - static_cast<int64_t>(mailbox_before); }
};

struct TreeDiff {
  uint64_t from_wall_ns = 0, to_wall_ns = 0;
  size_t spawned = 0, exited = 0, restarted = 0, mailbox_changed = 0;
  // Restarted, exited and spawned first (by path), then mailbox deltas, largest change first.
  std::vector<DiffRow> rows;
};
// The mark compared with `now` (a mark of the instant shown now).
TreeDiff diff_trees(const TreeMark& before, const TreeMark& now);
// "10:42:10.000 -> 10:42:40.000: 3 spawned, 2 exited, 4 restarted, 12 mailboxes changed".
std::string diff_summary(const TreeDiff& d);
// One row: "restarted  demo/app_sup/ingest_sup/store  (2 restarts)  mailbox 30k -> 0".
std::string diff_row_text(const DiffRow& r);

}  // namespace actorscope::view
