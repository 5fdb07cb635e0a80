// The adapter's own counts (actors per type, restarts per supervisor, messages processed),
// kept so that an app and its tests can compare what actorscope shows with the truth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

namespace detail {
void count_spawn(const std::string& type);
void count_exit(const std::string& type, uint64_t processed);
void count_restart(const std::string& supervisor);
void count_supervisor(const std::string& supervisor);  // makes it appear with 0 restarts
}  // namespace detail

}  // namespace actorscope::caf
