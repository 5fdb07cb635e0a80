// The adapter's own counts, behind one mutex: only spawns, exits and restarts touch them.
#include "actorscope/caf/totals.hpp"

#include <map>
#include <mutex>

namespace actorscope::caf {

namespace {
struct state {
  std::mutex mu;
  std::map<std::string, type_totals> types;
  std::map<std::string, uint64_t> restarts;
  uint64_t processed = 0;
};
state& the_state() {
  // Never destroyed: CAF actors may still exit (and count) while the process runs its
  // static destructors.
  static state* s = new state();
  return *s;
}
}  // namespace

totals current_totals() {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  totals t;
  for (const auto& [name, tt] : s.types) {
    t.types.push_back(tt);
    t.alive += tt.alive;
    t.spawned += tt.spawned;
  }
  for (const auto& [name, n] : s.restarts) {
    t.supervisors.push_back({name, n});
    t.restarts += n;
  }
  t.messages_processed = s.processed;
  return t;
}

namespace detail {
void count_spawn(const std::string& type) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  auto& tt = s.types[type];
  tt.type = type;
  ++tt.alive;
  ++tt.spawned;
}
void count_exit(const std::string& type, uint64_t processed) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  auto& tt = s.types[type];
  tt.type = type;
  if (tt.alive > 0) --tt.alive;
  ++tt.exited;
  tt.processed += processed;
  s.processed += processed;
}
void count_restart(const std::string& supervisor) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.restarts[supervisor];
}
void count_supervisor(const std::string& supervisor) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.restarts.try_emplace(supervisor, 0);
}
}  // namespace detail

}  // namespace actorscope::caf
