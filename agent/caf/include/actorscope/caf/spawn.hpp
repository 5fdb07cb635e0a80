// Spawn functions: start a function-based CAF actor that reports itself to the agent.
#pragma once

#include <tuple>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>
#include <caf/spawn_options.hpp>

#include "actorscope/caf/actor_info.hpp"
#include "actorscope/caf/instrumented_actor.hpp"

namespace actorscope::caf {

// Spawns fun(self, xs...) -> behavior as an instrumented event-based actor. fun may take
// caf::event_based_actor* or actorscope::caf::instrumented_actor* as its first argument.
template <::caf::spawn_options Os = ::caf::no_spawn_options, class F, class... Ts>
::caf::actor spawn(::caf::actor_system& sys, actor_info info, F fun, Ts&&... xs) {
  instrumented_actor::init_function init = [fun = std::move(fun),
                                            args = std::make_tuple(std::forward<Ts>(xs)...)](
                                               instrumented_actor* self) mutable -> ::caf::behavior {
    return std::apply([&](auto&... a) -> ::caf::behavior { return fun(self, a...); }, args);
  };
  return sys.spawn<instrumented_actor, Os>(std::move(info), std::move(init));
}

// Spawns an instrumented actor whose parent in actorscope's tree is `parent`.
template <::caf::spawn_options Os = ::caf::no_spawn_options, class F, class... Ts>
::caf::actor spawn_child(::caf::local_actor* parent, actor_info info, F fun, Ts&&... xs) {
  info.parent = parent->id();
  return spawn<Os>(parent->system(), std::move(info), std::move(fun), std::forward<Ts>(xs)...);
}

}  // namespace actorscope::caf
