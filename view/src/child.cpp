// Following a child across its incarnations by its path of child ids.
#include "actorscope/view/child.hpp"

#include "actorscope/view/display.hpp"
#include "actorscope/view/tree.hpp"

namespace actorscope::view {

std::optional<ActorKey> find_by_path(const Replica& replica, NodeId node, const std::vector<std::string>& steps) {
  uint64_t parent = 0;
  for (size_t depth = 0; depth < steps.size(); ++depth) {
    const auto* kids = replica.children(ActorKey{node, parent});
    if (!kids) return std::nullopt;
    uint64_t found = 0;
    for (uint64_t id : *kids) {
      const Actor* a = replica.actor(ActorKey{node, id});
      // A root's parent is 0; an orphan (whose parent is not live) is not at this path.
      if (a && a->row.parent == parent && path_step(*a) == steps[depth] && (found == 0 || id > found)) found = id;
    }
    if (found == 0) return std::nullopt;
    parent = found;
  }
  if (steps.empty()) return std::nullopt;
  return ActorKey{node, parent};
}

const Actor* find_by_chain(const Replica& replica, NodeId node, const std::vector<pv::ChainEntry>& chain) {
  // The nearest entry, from the top down, that this replica has by id; below it, by name.
  size_t known = chain.size();
  const Actor* at = nullptr;
  while (known > 0 && !at) at = replica.actor(ActorKey{node, chain[--known].actor});
  if (!at) return nullptr;
  while (known > 0) {
    const std::string& name = chain[--known].name;
    const auto* kids = replica.children(at->key());
    if (!kids) return nullptr;
    const Actor* next = nullptr;
    for (uint64_t id : *kids) {
      const Actor* a = replica.actor(ActorKey{node, id});
      if (a && a->row.parent == at->row.actor && (a->row.name == name || (a->row.name.empty() && a->row.child_id == name)) &&
          (!next || id > next->row.actor))
        next = a;
    }
    if (!next) return nullptr;
    at = next;
  }
  return at;
}

void ChildFollower::remember(const Replica& replica, const Actor& a) {
  key_ = a.key();
  name_ = display_name(a);
  restart_ = a.row.restart;
  has_parent_ = a.row.parent != 0;
  steps_.clear();
  const Actor* p = &a;
  for (size_t depth = 0; p && depth < pv::kMaxChain; ++depth) {
    steps_.insert(steps_.begin(), path_step(*p));
    p = p->row.parent ? replica.actor(ActorKey{a.row.node, p->row.parent}) : nullptr;
  }
  if (p) steps_.clear();  // deeper than a detail's chain: not followed by path
}

void ChildFollower::reset(const Replica& replica, ActorKey key) {
  *this = ChildFollower{};
  first_ = key_ = key;
  if (const Actor* a = replica.actor(key)) {
    remember(replica, *a);
    seen_live_ = true;
  } else {
    state_ = ChildState::gone;
  }
  version_ = replica.version();
}

// Opened on an actor that had already gone (from an event): the collector's reply names its
// supervisor and child id, so it is followed by path from there, like one seen live.
void ChildFollower::seed(const Replica& replica, const pv::DetailReply& reply) {
  if (seen_live_ || seeded_ || reply.node != first_.node || reply.actor != first_.actor || !reply.has_child) return;
  // The supervisor the reply names may not be in this replica yet (a paused or lagging
  // viewer): looked for again at the next frame, until it is.
  const Actor* sup = replica.actor(ActorKey{first_.node, reply.child.supervisor});
  // In a storm the supervisor it names may have been replaced again by the time this replica
  // hears of it: its place is found from the chain's names instead.
  if (!sup) sup = find_by_chain(replica, first_.node, reply.chain);
  if (!sup || reply.child.child_id.empty()) return;
  ChildFollower above;
  above.remember(replica, *sup);
  if (above.steps_.empty()) return;
  seeded_ = true;
  steps_ = above.steps_;
  steps_.push_back(reply.child.child_id);
  has_parent_ = true;
  if (!reply.name.empty()) name_ = reply.name;
  version_ = ~0ull;  // look again at the next update
}

ActorKey ChildFollower::update(const Replica& replica) {
  if (replica.version() == version_) return key_;
  version_ = replica.version();
  const pv::NodeRow* node = replica.node(key_.node);
  if (const Actor* a = replica.actor(key_)) {
    remember(replica, *a);
    state_ = moves_ == 0 ? ChildState::live : ChildState::restarted;
    return key_;
  }
  if (!node || !node->connected) {
    state_ = ChildState::node_down;
    return key_;
  }
  if (steps_.empty()) {  // never seen live (opened on an actor that had gone): nothing to follow
    state_ = ChildState::gone;
    return key_;
  }
  if (auto now = find_by_path(replica, key_.node, steps_)) {
    previous_ = key_;
    ++moves_;
    if (const Actor* a = replica.actor(*now)) remember(replica, *a);
    state_ = ChildState::restarted;
    return key_;
  }
  // No incarnation is live. Its last exit says whether a supervisor restarts it.
  clean_exit_ = false;
  const auto& events = replica.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->node == key_.node && it->actor == key_.actor &&
        (it->kind == pv::EventKind::Exited || it->kind == pv::EventKind::Crashed)) {
      clean_exit_ = it->kind == pv::EventKind::Exited;
      break;
    }
  // The nearest supervisor above it that lives.
  supervisor_name_.clear();
  for (size_t up = steps_.size() - 1; up > 0; --up) {
    std::vector<std::string> above(steps_.begin(), steps_.begin() + static_cast<std::ptrdiff_t>(up));
    if (auto s = find_by_path(replica, key_.node, above)) {
      supervisor_name_ = display_name(*replica.actor(*s));
      break;
    }
  }
  const bool will_restart = restart_ == proto::RestartType::Permanent ||
                            (restart_ == proto::RestartType::Transient && !clean_exit_);
  state_ = has_parent_ && will_restart && !supervisor_name_.empty() ? ChildState::restarting : ChildState::gone;
  return key_;
}

std::string ChildFollower::note() const {
  auto id = [](ActorKey k) { return "<" + std::to_string(k.actor) + ">"; };
  switch (state_) {
    case ChildState::live: return {};
    case ChildState::restarted:
      return "restarted: now " + id(key_) + " (was " + id(previous_.actor ? previous_ : first_) + ")";
    case ChildState::restarting:
      return "exited: waiting for " + supervisor_name_ + " to restart it";
    case ChildState::node_down: return "its node is not connected";
    case ChildState::gone:
      // Opened after it had gone, with nothing yet from the collector: not known to be final.
      if (steps_.empty() && !seen_live_) return "exited before this viewer saw it";
      if (!has_parent_ || steps_.empty()) return "gone for good: no supervisor restarts it";
      if (restart_ == proto::RestartType::Temporary) return "gone for good: a temporary child is never restarted";
      if (restart_ == proto::RestartType::Transient && clean_exit_)
        return "gone for good: a transient child that exited cleanly is not restarted";
      return "gone for good: no supervisor above it lives";
  }
  return {};
}

std::string ChildFollower::path() const {
  std::string out;
  for (const auto& s : steps_) out += (out.empty() ? "" : "/") + s;
  return out;
}

}  // namespace actorscope::view
