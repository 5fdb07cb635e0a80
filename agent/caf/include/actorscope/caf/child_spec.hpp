// Erlang/OTP-style supervision vocabulary for CAF: strategies, restart types, child specs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>

#include "actorscope/caf/actor_info.hpp"
#include "actorscope/caf/spawn.hpp"

namespace actorscope::caf {

enum class strategy { one_for_one, one_for_all, rest_for_one, simple_one_for_one };
enum class restart { permanent, transient, temporary };
enum class child_kind { worker, supervisor };

// Shutdown of a child: a timeout after which it is killed; brutal_kill kills at once;
// infinity waits as long as it takes (what OTP uses for supervisors).
using shutdown_timeout = std::chrono::milliseconds;
inline constexpr shutdown_timeout brutal_kill{0};
inline constexpr shutdown_timeout infinity = shutdown_timeout::max();

// Starts one instance of a child. `info` carries the identity the child must be spawned
// with (parent, child id, restart type); `args` are start_child's extra arguments
// (dynamic supervisors; empty otherwise). Returns an invalid actor when it cannot start.
using start_function =
    std::function<::caf::actor(::caf::actor_system& sys, const actor_info& info, const ::caf::message& args)>;

struct child_spec {
  std::string id;                   // unique within the supervisor; kept across restarts
  start_function start;
  restart restart_type = restart::permanent;
  shutdown_timeout shutdown{5000};  // OTP's default for workers
  child_kind kind = child_kind::worker;
  std::string actor_type;           // shown by actorscope; empty: the id
};

struct supervisor_flags {
  strategy kind = strategy::one_for_one;
  uint32_t intensity = 3;                // at most this many restarts ...
  std::chrono::milliseconds period{5000};  // ... within this period (Elixir's defaults)
};

// A start function spawning fun(self, xs...) as an instrumented event-based actor
// (worker<caf::detached>(...) for one that blocks, e.g. on I/O).
template <::caf::spawn_options Os = ::caf::no_spawn_options, class F, class... Ts>
start_function worker(F fun, Ts... xs) {
  return [fun, xs...](::caf::actor_system& sys, const actor_info& info, const ::caf::message&) {
    return spawn<Os>(sys, info, fun, xs...);
  };
}

// A start function spawning fun(self, args) where args are start_child's extra arguments.
template <class F>
start_function worker_with_args(F fun) {
  return [fun](::caf::actor_system& sys, const actor_info& info, const ::caf::message& args) {
    return spawn(sys, info, fun, args);
  };
}

// A worker child spec.
template <class F, class... Ts>
child_spec worker_spec(std::string id, restart r, F fun, Ts... xs) {
  child_spec s;
  s.id = std::move(id);
  s.start = worker(std::move(fun), std::move(xs)...);
  s.restart_type = r;
  return s;
}

}  // namespace actorscope::caf
