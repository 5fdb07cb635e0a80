// Supervision as in OTP: one_for_one, one_for_all, rest_for_one, simple_one_for_one; restart
// types; intensity within a period, escalation to the parent when exceeded.
#include "supervision_tree.hpp"

#include <algorithm>

namespace loadgen {
namespace {

bool abnormal(actorscope_reason r) {
  return r != ACTORSCOPE_EXIT_NORMAL && r != ACTORSCOPE_EXIT_SHUTDOWN && r != ACTORSCOPE_EXIT_SHUTDOWN_TERM;
}

}  // namespace

SupervisionTree::SupervisionTree(const Options& o, std::function<void(uint32_t, uint32_t)> post_restart)
    : o_(o), post_restart_(std::move(post_restart)) {}

uint32_t SupervisionTree::add_actor(uint32_t parent, actorscope_kind kind, uint32_t home) {
  Actor x;
  x.parent = parent;
  x.kind = kind;
  x.home = home;
  actors_.push_back(x);
  uint32_t a = static_cast<uint32_t>(actors_.size() - 1);
  if (parent != kNoActor) supervisors_[actors_[parent].supervisor].children.push_back(a);
  return a;
}

uint32_t SupervisionTree::add_supervisor(uint32_t parent, uint32_t level, uint32_t home) {
  uint32_t a = add_actor(parent, ACTORSCOPE_SUPERVISOR, home);
  SupervisorState s;
  s.actor = a;
  s.level = level;
  s.strategy = o_.strategies[level % o_.strategies.size()];
  supervisors_.push_back(std::move(s));
  actors_[a].supervisor = static_cast<uint32_t>(supervisors_.size() - 1);
  actors_[a].label = actors_[a].supervisor;
  return a;
}

void SupervisionTree::build() {
  size_t sups = 0, level_size = 1;
  for (uint32_t l = 0; l < o_.depth; ++l, level_size *= o_.fanout) sups += level_size;
  actors_.reserve(sups + o_.actors + 1);  // indices stay stable: nothing is added after build
  supervisors_.reserve(sups);
  top_ = add_supervisor(kNoActor, 0, 0);
  std::vector<uint32_t> level{top_};
  for (uint32_t l = 1; l < o_.depth; ++l) {
    std::vector<uint32_t> next;
    for (uint32_t parent : level)
      for (uint32_t k = 0; k < o_.fanout; ++k) {
        // Each top-level subtree lives on one thread, so that its supervision is sequential.
        uint32_t home = l == 1 ? k % o_.threads : actors_[parent].home;
        next.push_back(add_supervisor(parent, l, home));
      }
    level = std::move(next);
  }
  workers_.reserve(o_.actors);
  for (uint32_t i = 0; i < o_.actors; ++i) {
    uint32_t leaf = level[i % level.size()];
    uint32_t home = o_.depth == 1 ? i % o_.threads : actors_[leaf].home;
    uint32_t w = add_actor(leaf, ACTORSCOPE_WORKER, home);
    actors_[w].restart = o_.worker_restart;
    actors_[w].label = i;
    workers_.push_back(w);
  }
  if (o_.slow_consumer) {
    slow_ = add_actor(kNoActor, ACTORSCOPE_WORKER, o_.threads);  // a root of its own, on its own thread
    actors_[slow_].slow = true;
  }
  spawn(top_);
  if (slow_ != kNoActor) spawn(slow_);
}

std::string SupervisionTree::name_of(const Actor& x) const {
  if (x.slow) return "slow-consumer";
  if (x.kind == ACTORSCOPE_WORKER) return "worker-" + std::to_string(x.label);
  if (x.label == 0) return "top";
  return "sup-" + std::to_string(supervisors_[x.supervisor].level) + "." + std::to_string(x.label);
}

void SupervisionTree::spawn(uint32_t a) {
  Actor& x = actors_[a];
  std::string name = name_of(x);
  actorscope_spawn_info info{};
  info.id = next_id_.fetch_add(1);
  info.parent_id = x.parent == kNoActor ? 0 : actors_[x.parent].id;
  // Idle scale workers stay anonymous, as most processes are: a million unique names would
  // only fill the agent's bounded string table.
  bool anonymous = o_.scale && x.kind == ACTORSCOPE_WORKER;
  info.name = anonymous ? nullptr : name.c_str();
  info.type = x.slow ? "slow-consumer" : x.kind == ACTORSCOPE_SUPERVISOR ? "sup" : "worker";
  info.child_id = x.parent == kNoActor || anonymous ? nullptr : name.c_str();
  info.kind = x.kind;
  info.restart = x.restart;
  if (x.kind == ACTORSCOPE_SUPERVISOR) {
    info.strategy = supervisors_[x.supervisor].strategy;
    info.intensity = o_.intensity;
    info.period_ms = o_.period_ms;
  }
  actorscope_actor* cell = actorscope_spawn(&info);
  {
    std::lock_guard<std::mutex> lock(stripe(a));
    x.cell = cell;
    x.id = info.id;
    x.alive = true;
    // Messages still waiting for this place belong to the new incarnation's mailbox.
    for (uint32_t i = 0; i < x.pending; ++i) actorscope_enqueue(cell);
  }
  if (x.kind == ACTORSCOPE_SUPERVISOR) {
    SupervisorState& s = supervisors_[x.supervisor];
    s.recent_restarts.clear();
    for (uint32_t c : s.children) spawn(c);
  }
}

void SupervisionTree::terminate(uint32_t a, actorscope_reason reason, const char* text) {
  Actor& x = actors_[a];
  if (x.kind == ACTORSCOPE_SUPERVISOR) {
    const auto& children = supervisors_[x.supervisor].children;
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      if (actors_[*it].alive) terminate(*it, ACTORSCOPE_EXIT_SHUTDOWN, "shutdown");
  }
  std::lock_guard<std::mutex> lock(stripe(a));
  actorscope_exit(x.cell, reason, text);
  x.cell = nullptr;
  x.alive = false;
}

void SupervisionTree::enqueue(uint32_t a, actorscope_msg_type type) {
  Actor& x = actors_[a];
  std::lock_guard<std::mutex> lock(stripe(a));
  ++x.pending;
  actorscope_enqueue_from(x.cell, nullptr, type);  // NULL while dead: nothing to account
}

actorscope_actor* SupervisionTree::dequeue(uint32_t a, bool& alive) {
  Actor& x = actors_[a];
  actorscope_actor* cell;
  {
    std::lock_guard<std::mutex> lock(stripe(a));
    --x.pending;
    alive = x.alive;
    cell = x.cell;
  }
  actorscope_dequeue(cell);
  return cell;
}

void SupervisionTree::crash(uint32_t a, uint64_t now_ms, const std::string& why) {
  terminate(a, ACTORSCOPE_EXIT_ERROR, why.c_str());
  child_failed(actors_[a].parent, a, ACTORSCOPE_EXIT_ERROR, why.c_str(), now_ms);
}

void SupervisionTree::child_failed(uint32_t sup, uint32_t child, actorscope_reason reason, const char* text,
                                   uint64_t now_ms) {
  std::unique_lock<std::mutex> top_lock(top_mutex_, std::defer_lock);
  if (sup == top_) top_lock.lock();
  SupervisorState& s = supervisors_[actors_[sup].supervisor];
  const Actor& c = actors_[child];
  bool restart = c.restart == ACTORSCOPE_PERMANENT || (c.restart == ACTORSCOPE_TRANSIENT && abnormal(reason));
  if (!restart) return;  // temporary (or transient after a clean exit): it stays dead

  // Intensity: one more restart than allowed within the period and the supervisor gives up.
  while (!s.recent_restarts.empty() && s.recent_restarts.front() + o_.period_ms < now_ms) s.recent_restarts.pop_front();
  s.recent_restarts.push_back(now_ms);
  if (s.recent_restarts.size() > o_.intensity) {
    escalations_.fetch_add(1);
    actorscope_supervisor_escalated(actors_[sup].cell);
    if (sup == top_) {
      // The top supervisor has no parent to escalate to; it is counted and carries on.
      s.recent_restarts.clear();
    } else {
      terminate(sup, ACTORSCOPE_EXIT_SHUTDOWN, "reached maximum restart intensity");
      child_failed(actors_[sup].parent, sup, ACTORSCOPE_EXIT_SHUTDOWN, "reached maximum restart intensity", now_ms);
      return;
    }
  }

  std::vector<uint32_t> also;  // siblings restarted with the failed child, in start order
  if (s.strategy == ACTORSCOPE_ONE_FOR_ALL || s.strategy == ACTORSCOPE_REST_FOR_ONE) {
    auto at = std::find(s.children.begin(), s.children.end(), child);
    auto from = s.strategy == ACTORSCOPE_ONE_FOR_ALL ? s.children.begin() : at + 1;
    for (auto it = from; it != s.children.end(); ++it)
      if (*it != child) also.push_back(*it);
  }
  if (sup == top_) {
    // Top-level children run on different threads: each one's thread restarts it.
    restart_child(sup, child, reason, text);
    for (uint32_t sib : also) post_restart_(actors_[sib].home, sib);
    return;
  }
  for (auto it = also.rbegin(); it != also.rend(); ++it)
    if (actors_[*it].alive) terminate(*it, ACTORSCOPE_EXIT_SHUTDOWN, "shutdown");
  for (uint32_t c2 : s.children) {
    if (c2 == child) restart_child(sup, child, reason, text);
    else if (std::find(also.begin(), also.end(), c2) != also.end() && actors_[c2].restart != ACTORSCOPE_TEMPORARY)
      restart_child(sup, c2, ACTORSCOPE_EXIT_SHUTDOWN, "restarted with a sibling");
  }
}

void SupervisionTree::restart_child(uint32_t sup, uint32_t child, actorscope_reason reason, const char* text) {
  uint64_t old_id = actors_[child].id;
  spawn(child);
  actorscope_child_restarted(actors_[sup].cell, name_of(actors_[child]).c_str(), old_id, actors_[child].id, reason,
                             text);
  restarts_.fetch_add(1);
}

void SupervisionTree::restart_top_child(uint32_t a) {
  if (actors_[a].restart == ACTORSCOPE_TEMPORARY) {
    if (actors_[a].alive) terminate(a, ACTORSCOPE_EXIT_SHUTDOWN, "shutdown");
    return;
  }
  if (actors_[a].alive) terminate(a, ACTORSCOPE_EXIT_SHUTDOWN, "shutdown");
  restart_child(top_, a, ACTORSCOPE_EXIT_SHUTDOWN, "restarted with a sibling");
}

bool SupervisionTree::kill(uint64_t id, uint64_t now_ms) {
  for (uint32_t a = 0; a < actors_.size(); ++a) {
    if (!actors_[a].alive || actors_[a].id != id) continue;
    terminate(a, ACTORSCOPE_EXIT_KILLED, "killed");
    if (actors_[a].parent != kNoActor) child_failed(actors_[a].parent, a, ACTORSCOPE_EXIT_KILLED, "killed", now_ms);
    return true;
  }
  return false;
}

TreeCounts SupervisionTree::alive() const {
  TreeCounts n;
  for (const Actor& x : actors_)
    if (x.alive) ++(x.kind == ACTORSCOPE_SUPERVISOR ? n.supervisors : n.workers);
  return n;
}

}  // namespace loadgen
