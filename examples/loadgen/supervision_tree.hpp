// The synthetic actors and their supervisors: spawning, crashes, and OTP restart semantics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "options.hpp"
#include "actorscope/agent.h"

namespace loadgen {

inline constexpr uint32_t kNoActor = UINT32_MAX;

// One place in the tree. It outlives its incarnations: a restart gives the place a new
// actor (new id, new stats cell) with the same child id.
struct Actor {
  actorscope_actor* cell = nullptr;  // current incarnation's stats cell (NULL: agent off)
  uint64_t id = 0;                   // current incarnation's id; 0 while dead
  uint32_t parent = kNoActor;
  uint32_t home = 0;                 // thread that runs it and supervises below it
  uint32_t supervisor = kNoActor;    // index in SupervisionTree::supervisors_ when it is one
  uint32_t label = 0;                // worker number or supervisor number, for its name
  uint32_t pending = 0;              // messages in its mailbox, carried across restarts
  actorscope_kind kind = ACTORSCOPE_WORKER;
  actorscope_restart restart = ACTORSCOPE_PERMANENT;
  bool alive = false;
  bool slow = false;                 // the slow consumer
};

struct SupervisorState {
  uint32_t actor = kNoActor;
  uint32_t level = 0;
  actorscope_strategy strategy = ACTORSCOPE_ONE_FOR_ONE;
  std::vector<uint32_t> children;     // in start order
  std::deque<uint64_t> recent_restarts;  // workload-clock ms of restarts inside the period
};

struct TreeCounts {
  uint64_t supervisors = 0, workers = 0;
};

class SupervisionTree {
 public:
  // post_restart asks the thread `home` to restart the top-level child `actor` (used when
  // the top supervisor restarts children that other threads run).
  SupervisionTree(const Options& o, std::function<void(uint32_t home, uint32_t actor)> post_restart);

  // Spawns the whole tree (and the slow consumer, if asked), in start order.
  void build();
  const std::vector<uint32_t>& workers() const { return workers_; }
  uint32_t slow_consumer() const { return slow_; }
  const Actor& actor(uint32_t a) const { return actors_[a]; }

  // A message of `type` was put into a's mailbox (sender's thread, not an actor: the flow
  // map shows it coming from outside any actor).
  void enqueue(uint32_t a, actorscope_msg_type type = 0);
  // The home thread takes a message out of a's mailbox: returns the cell to account the
  // processing on, and whether the actor is alive (a message to a dead, not restarted,
  // actor is a dead letter).
  actorscope_actor* dequeue(uint32_t a, bool& alive);
  // The worker crashed while processing the message sent at workload-clock `now_ms`
  // (its home thread). Applies its supervisor's strategy, escalating as needed.
  void crash(uint32_t a, uint64_t now_ms, const std::string& why);
  // The top supervisor restarts one of its children run by this thread.
  void restart_top_child(uint32_t a);
  // The live actor with this agent id exits with reason killed and its supervisor applies
  // its strategy (killed is abnormal: permanent and transient children are restarted).
  // Only while no actor thread runs. False when no live actor has this id.
  bool kill(uint64_t id, uint64_t now_ms);

  TreeCounts alive() const;
  uint64_t restarts() const { return restarts_.load(); }
  uint64_t escalations() const { return escalations_.load(); }

 private:
  uint32_t add_actor(uint32_t parent, actorscope_kind kind, uint32_t home);
  uint32_t add_supervisor(uint32_t parent, uint32_t level, uint32_t home);
  void spawn(uint32_t a);             // a new incarnation of a (and, for a supervisor, its children)
  void terminate(uint32_t a, actorscope_reason reason, const char* text);  // a and all below it
  void child_failed(uint32_t sup, uint32_t child, actorscope_reason reason, const char* text, uint64_t now_ms);
  void restart_child(uint32_t sup, uint32_t child, actorscope_reason reason, const char* text);
  std::mutex& stripe(uint32_t a) { return stripes_[a % stripes_.size()]; }
  std::string name_of(const Actor& x) const;

  const Options& o_;
  std::function<void(uint32_t, uint32_t)> post_restart_;
  std::vector<Actor> actors_;
  std::vector<SupervisorState> supervisors_;
  std::vector<uint32_t> workers_;
  uint32_t top_ = kNoActor;
  uint32_t slow_ = kNoActor;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<uint64_t> restarts_{0};
  std::atomic<uint64_t> escalations_{0};
  std::mutex top_mutex_;  // the top supervisor's state, shared by all threads
  std::array<std::mutex, 1024> stripes_;  // guard each actor's cell and mailbox count
};

}  // namespace loadgen
