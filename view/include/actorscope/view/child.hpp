// A supervised child is a thing: the same child across its incarnations, for the windows,
// selections and commands that follow it while its actor id changes at every restart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// Where a child is now.
enum class ChildState : uint8_t {
  live,        // the incarnation last seen is live
  restarted,   // another incarnation is live at the same place (found by its path)
  restarting,  // none is live; a supervisor above it lives and will restart it (or give up)
  gone,        // none is live and none will come: temporary, a transient's clean exit, or no
               // supervisor above it lives any more
  node_down,   // its node is not connected: nothing is known of it now
};

// Follows one child. Its identity is the path of child ids (else names) from its root, the
// same path the tree keys its rows by: a restarted actor keeps it while its id changes, and so
// does the child of a restarted supervisor.
class ChildFollower {
 public:
  ChildFollower() = default;
  ChildFollower(const Replica& replica, ActorKey key) { reset(replica, key); }
  void reset(const Replica& replica, ActorKey key);
  // For an actor that had gone when it was opened: follow it from what the collector's detail
  // reply tells (its supervisor and child id). Does nothing for one seen live.
  void seed(const Replica& replica, const pv::DetailReply& reply);

  // Brings it up to date with the replica (cheap when the replica did not change); returns the
  // actor to show: the live incarnation, else the last one seen.
  ActorKey update(const Replica& replica);

  ActorKey key() const { return key_; }        // the live incarnation, else the last one seen
  ActorKey first() const { return first_; }    // the incarnation it started on
  ChildState state() const { return state_; }
  uint64_t moves() const { return moves_; }    // incarnations it moved to since it started
  const std::string& name() const { return name_; }  // its display name while it was last seen
  // One line for a window or a status bar, e.g. "restarted: now <2301> (was <2294>)",
  // "exited (crashed): waiting for sup-2 to restart it", "gone for good: a temporary child".
  std::string note() const;
  // The path it is known by, "top/pool/parser3" (empty before reset()).
  std::string path() const;

 private:
  void remember(const Replica& replica, const Actor& a);
  uint64_t version_ = ~0ull;
  ActorKey first_{};
  ActorKey key_{};
  ActorKey previous_{};              // the incarnation before the current one (0: none)
  std::vector<std::string> steps_;   // from the root to the child
  std::string name_;
  std::string supervisor_name_;      // the nearest live supervisor above it, while waiting
  proto::RestartType restart_ = proto::RestartType::Permanent;
  bool has_parent_ = false;
  ChildState state_ = ChildState::live;
  uint64_t moves_ = 0;
  bool clean_exit_ = false;          // its last exit event was a clean one (transient: gone)
  bool seen_live_ = false;           // it was live when reset() looked
  bool seeded_ = false;              // seed() found where the reply's child stands
};

// The live actor at a path of child ids on a node; nullopt when there is none.
std::optional<ActorKey> find_by_path(const Replica& replica, NodeId node, const std::vector<std::string>& steps);
// The live actor where a detail reply's parent chain (parent first) leads: the nearest entry
// to the top that is live by id, then down by name; nullptr when the way is not there.
const Actor* find_by_chain(const Replica& replica, NodeId node, const std::vector<pv::ChainEntry>& chain);

}  // namespace actorscope::view
