// The registered command handler, and the one place that calls it and logs the outcome.
#include "commands.hpp"

#include <cstdio>
#include <mutex>

#include "actorscope/agent.h"

namespace actorscope::agent {
namespace {

// Held while the handler runs, so that replacing it waits for a call in progress.
std::mutex& handler_mutex() {
  static auto* m = new std::mutex;  // never destroyed: the agent thread may outlive statics
  return *m;
}
actorscope_command_handler g_handler = nullptr;
void* g_user = nullptr;

}  // namespace

proto::CommandResult run_command(const proto::Command& c, bool allowed) {
  proto::CommandResult r;
  r.request = c.request;
  std::string what = "kill actor " + std::to_string(c.actor);
  if (!allowed) {
    r.message = "refused: this agent does not accept commands (set allow_commands or ACTORSCOPE_ALLOW_COMMANDS=1)";
  } else {
    std::lock_guard<std::mutex> lock(handler_mutex());
    if (!g_handler) {
      r.message = "refused: the runtime registered no command handler";
    } else {
      int rc = g_handler(c.actor, ACTORSCOPE_COMMAND_KILL, g_user);
      if (rc == ACTORSCOPE_COMMAND_DONE) {
        r.ok = true;
        r.message = "done: sent kill to actor " + std::to_string(c.actor);
      } else if (rc == ACTORSCOPE_COMMAND_NO_ACTOR) {
        r.message = "refused: no live actor " + std::to_string(c.actor);
      } else if (rc == ACTORSCOPE_COMMAND_BUSY) {
        r.message = "refused: the runtime cannot carry it out now";
      } else {
        r.message = "refused: the runtime refused (code " + std::to_string(rc) + ")";
      }
    }
  }
  std::fprintf(stderr, "actorscope: command %s from collector: %s\n", what.c_str(),
               r.ok ? "done" : r.message.c_str());
  return r;
}

}  // namespace actorscope::agent

extern "C" void actorscope_set_command_handler(actorscope_command_handler handler, void* user) {
  std::lock_guard<std::mutex> lock(actorscope::agent::handler_mutex());
  actorscope::agent::g_handler = handler;
  actorscope::agent::g_user = user;
}
