// The registry of instrumented actors by id, and the kill handler that uses it.
#include "actorscope/caf/commands.hpp"

#include <mutex>
#include <unordered_map>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actorscope/agent.h"
#include "actor_probe.hpp"

namespace actorscope::caf::detail {

namespace {
struct Entry {
  ::caf::actor_addr addr;
  actorscope_actor* cell = nullptr;
  std::weak_ptr<actor_probe> probe;
};
struct Registry {
  std::mutex mutex;
  std::unordered_map<uint64_t, Entry> actors;
};
Registry& registry() {
  static auto* r = new Registry;  // never destroyed: exits may be reported during shutdown
  return *r;
}
}  // namespace

void register_actor(uint64_t id, const ::caf::actor_addr& addr, actorscope_actor* cell,
                    std::weak_ptr<actor_probe> probe) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.actors[id] = Entry{addr, cell, std::move(probe)};
}

std::shared_ptr<actor_probe> registered_probe(uint64_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.actors.find(id);
  return it == r.actors.end() ? nullptr : it->second.probe.lock();
}

void unregister_actor(uint64_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.actors.erase(id);
}

actorscope_actor* registered_cell(uint64_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.actors.find(id);
  return it == r.actors.end() ? nullptr : it->second.cell;
}

int kill_actor(uint64_t id, int command, void*) {
  if (command != ACTORSCOPE_COMMAND_KILL) return -1;
  ::caf::actor_addr addr;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.actors.find(id);
    if (it == r.actors.end()) return ACTORSCOPE_COMMAND_NO_ACTOR;
    addr = it->second.addr;
  }
  auto alive = ::caf::actor_cast<::caf::strong_actor_ptr>(addr);
  if (!alive) return ACTORSCOPE_COMMAND_NO_ACTOR;  // exited, its report not yet in
  // Asynchronous, as the agent's thread wants: the actor exits on its own thread, and its
  // exit report (reason killed) and its supervisor's restart follow as for any kill.
  ::caf::anon_send_exit(alive, ::caf::exit_reason::kill);
  return ACTORSCOPE_COMMAND_DONE;
}

}  // namespace actorscope::caf::detail

namespace actorscope::caf {

void enable_kill_commands() { actorscope_set_command_handler(detail::kill_actor, nullptr); }

}  // namespace actorscope::caf
