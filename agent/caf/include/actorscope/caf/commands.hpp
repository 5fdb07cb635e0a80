// Kill commands for CAF: the collector names an actor id, the adapter finds the instrumented
// actor and sends it exit_reason::kill (its supervisor then applies its strategy).
#pragma once

#include <cstdint>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "actorscope/agent.h"

namespace actorscope::caf {

// Registers the agent's command handler for the instrumented actors of this process. The
// agent still refuses commands unless started with allow_commands (or
// ACTORSCOPE_ALLOW_COMMANDS=1). Call before or after actorscope_start.
void enable_kill_commands();

namespace detail {
struct actor_probe;
// Instrumented actors by CAF actor id, as weak addresses (the registry keeps nobody alive),
// with their cells: for kill commands, cell_of, and the sender of a sampled message.
void register_actor(uint64_t id, const ::caf::actor_addr& addr, actorscope_actor* cell,
                    std::weak_ptr<actor_probe> probe = {});
void unregister_actor(uint64_t id);
// The cell of a live instrumented actor; nullptr when none (or the agent is off).
actorscope_actor* registered_cell(uint64_t id);
// Puts the exit report of the instrumented actor `a` before everything attached to it so far
// (CAF runs the latest attached first): a supervisor calls it once it monitors a child, so
// that the child's exit is stamped before its supervisor hears of it, and the supervisor's
// restart or escalation that answers it never reaches the collector ahead of it. No effect
// on an actor that is not instrumented.
void report_exit_first(const ::caf::actor& a);
// The handler itself: ACTORSCOPE_COMMAND_DONE or ACTORSCOPE_COMMAND_NO_ACTOR.
int kill_actor(uint64_t id, int command, void* user);
}  // namespace detail

}  // namespace actorscope::caf
