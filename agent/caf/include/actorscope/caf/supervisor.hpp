// Erlang/OTP-style supervisors for CAF: an event-based actor that traps exits, monitors its
// children, restarts them by strategy within an intensity/period budget, escalates when
// the budget is exceeded, and reports every restart to actorscope.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "actorscope/caf/child_spec.hpp"

namespace actorscope::caf {

// Requests a supervisor understands (atoms are at most 10 characters in CAF 0.17).
using which_children_atom = ::caf::atom_constant<::caf::atom("whichchild")>;  // -> std::vector<child_info>
using start_child_atom = ::caf::atom_constant<::caf::atom("startchild")>;     // (message args) -> actor
using terminate_child_atom = ::caf::atom_constant<::caf::atom("termchild")>;  // (actor) -> bool

// One row of which_children, as OTP's {Id, Child | restarting | undefined, Type, Modules}.
struct child_info {
  std::string id;
  ::caf::actor actor;        // invalid: not running (undefined) or being restarted
  bool restarting = false;
  child_kind kind = child_kind::worker;
  restart restart_type = restart::permanent;
  std::string actor_type;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_info& x) {
  return f(::caf::meta::type_name("child_info"), x.id, x.actor, x.restarting, x.kind, x.restart_type, x.actor_type);
}

// Spawns a supervisor named `name`. For simple_one_for_one, `children` holds exactly one
// spec, the template of the children start_child adds. The supervisor starts its children
// in order before it handles any request; if one cannot start, it stops the others and
// exits. `info` places it in actorscope's tree (parent, child id) when not a root.
::caf::actor spawn_supervisor(::caf::actor_system& sys, std::string name, supervisor_flags flags,
                              std::vector<child_spec> children, actor_info info = {});

// A child spec for a supervisor under another supervisor (shutdown: infinity, as OTP).
child_spec supervisor_spec(std::string id, supervisor_flags flags, std::vector<child_spec> children,
                           restart r = restart::permanent);

}  // namespace actorscope::caf
