// The adapter's own counts, behind one mutex: only spawns, exits and restarts touch them.
#include "actorscope/caf/totals.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

namespace actorscope::caf {

namespace {
struct state {
  std::mutex mu;
  std::map<std::string, type_totals> types;
  std::map<std::string, uint64_t> restarts;
  uint64_t processed = 0;
  bool keep_live = false;
  std::unordered_map<uint64_t, live_actor> live;  // by id, while keep_live
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

void keep_live_actors(bool on) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.keep_live = on;
  if (!on) s.live.clear();
}

std::vector<live_actor> live_actors() {
  auto& s = the_state();
  std::vector<live_actor> out;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    out.reserve(s.live.size());
    for (const auto& [id, a] : s.live) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const live_actor& a, const live_actor& b) { return a.id < b.id; });
  return out;
}

namespace detail {
void count_spawn(uint64_t id, const actor_info& info) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  auto& tt = s.types[info.type];
  tt.type = info.type;
  ++tt.alive;
  ++tt.spawned;
  if (s.keep_live) s.live[id] = live_actor{id, info.parent, info.type, info.name, info.child_id};
}
void count_exit(uint64_t id, const actor_info& info, uint64_t processed) {
  auto& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.live.erase(id);
  auto& tt = s.types[info.type];
  tt.type = info.type;
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
