// The adapter's own counts (actors per type, restarts per supervisor, messages processed),
// kept so that an app and its tests can compare what actorscope shows with the truth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/caf/actor_info.hpp"

namespace actorscope::caf {

struct type_totals {
  std::string type;
  uint64_t alive = 0;
  uint64_t spawned = 0;
  uint64_t exited = 0;
  uint64_t processed = 0;  // messages processed by its actors that have exited
};

struct supervisor_totals {
  std::string name;       // the supervisor's name; its restarted incarnations share it
  uint64_t restarts = 0;  // child-restarted records it emitted
};

struct totals {
  std::vector<type_totals> types;              // sorted by type
  std::vector<supervisor_totals> supervisors;  // sorted by name
  uint64_t alive = 0;
  uint64_t spawned = 0;
  uint64_t restarts = 0;
  // Messages processed by actors that have exited (a live actor's count joins at its exit).
  uint64_t messages_processed = 0;
};

totals current_totals();

// The instrumented actors alive now, as the adapter registered them: the app's own picture
// of its tree, to hold actorscope's against. Kept only after keep_live_actors(true) (it
// copies each actor's names, so it is off by default); empty otherwise.
struct live_actor {
  uint64_t id = 0;
  uint64_t parent = 0;  // 0: a root
  std::string type;
  std::string name;
  std::string child_id;
  friend bool operator==(const live_actor&, const live_actor&) = default;
};
void keep_live_actors(bool on);       // call before the actors to be kept are spawned
std::vector<live_actor> live_actors();  // sorted by id

namespace detail {
void count_spawn(uint64_t id, const actor_info& info);
void count_exit(uint64_t id, const actor_info& info, uint64_t processed);
void count_restart(const std::string& supervisor);
void count_supervisor(const std::string& supervisor);  // makes it appear with 0 restarts
}  // namespace detail

}  // namespace actorscope::caf
