// Spawn functions: start a function-based CAF actor that reports itself to the agent.
#pragma once

#include <functional>
#include <tuple>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/spawn_options.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/actor_info.hpp"

namespace actorscope::caf {

namespace detail {
using init_function = std::function<::caf::behavior(::caf::event_based_actor*)>;
// Spawns a plain caf::event_based_actor running `init`, registered with the agent on this
// thread before it can run (so a parent is always registered before its children).
::caf::actor spawn_instrumented(::caf::actor_system& sys, actor_info info, init_function init, bool detached,
                                bool lazy, bool hidden);
}  // namespace detail

// Spawns fun(self, xs...) -> behavior as an instrumented event-based actor: a plain
// caf::event_based_actor whose behaviour the adapter wraps (see README.md).
template <::caf::spawn_options Os = ::caf::no_spawn_options, class F, class... Ts>
::caf::actor spawn(::caf::actor_system& sys, actor_info info, F fun, Ts&&... xs) {
  static_assert(::caf::is_unbound(Os), "top-level spawns cannot have monitor or link flag");
  detail::init_function init = [fun = std::move(fun), args = std::make_tuple(std::forward<Ts>(xs)...)](
                                   ::caf::event_based_actor* self) mutable -> ::caf::behavior {
    return std::apply([&](auto&... a) -> ::caf::behavior { return fun(self, a...); }, args);
  };
  return detail::spawn_instrumented(sys, std::move(info), std::move(init), ::caf::has_detach_flag(Os),
                                    ::caf::has_lazy_init_flag(Os), ::caf::has_hide_flag(Os));
}

// Spawns an instrumented actor whose parent in actorscope's tree is `parent`.
template <::caf::spawn_options Os = ::caf::no_spawn_options, class F, class... Ts>
::caf::actor spawn_child(::caf::local_actor* parent, actor_info info, F fun, Ts&&... xs) {
  info.parent = parent->id();
  return spawn<Os>(parent->system(), std::move(info), std::move(fun), std::forward<Ts>(xs)...);
}

// The agent's stats cell of an instrumented actor, for the agent's other hooks (telemetry,
// restart records); nullptr when the actor is not instrumented, the agent is off or the
// actor has exited. A look-up under a lock: keep it off the per-message path.
actorscope_actor* cell_of(const ::caf::local_actor* self);

}  // namespace actorscope::caf
