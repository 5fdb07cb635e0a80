// The demo service's messages (CAF 0.17 atoms, at most 10 characters) and where actors live.
#pragma once

#include <caf/all.hpp>

namespace demo {

using request_atom = caf::atom_constant<caf::atom("request")>;  // (uint64 id, bool malformed)
using batch_atom = caf::atom_constant<caf::atom("batch")>;      // (std::vector<uint64_t> records)
using parsed_atom = caf::atom_constant<caf::atom("parsed")>;    // (uint64 records, uint64 checksum)
using store_atom = caf::atom_constant<caf::atom("store")>;      // (uint64 records)
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using storm_atom = caf::atom_constant<caf::atom("storm")>;      // (uint32 crashes left)
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using quiesce_atom = caf::atom_constant<caf::atom("quiesce")>;  // the traffic pauses (sessions end)
using resume_atom = caf::atom_constant<caf::atom("resume")>;    // ... and goes on
using end_atom = caf::atom_constant<caf::atom("end")>;

// A record with this bit set is malformed: the parser that gets it crashes.
inline constexpr uint64_t kMalformed = uint64_t{1} << 63;

// Workers find each other by name in CAF's registry, so a restarted actor is found again.
inline caf::actor lookup(caf::actor_system& sys, const char* name) {
  return caf::actor_cast<caf::actor>(sys.registry().get(caf::atom_from_string(name)));
}
// The registry holds a strong reference: the name is dropped at exit, else the actor (and
// a detached actor's thread) would outlive its end.
inline void publish(caf::event_based_actor* self, const char* name) {
  auto key = caf::atom_from_string(name);
  auto& reg = self->system().registry();
  reg.put(key, caf::actor_cast<caf::strong_actor_ptr>(self));
  self->attach_functor([&reg, key, me = self->address()] {
    if (caf::actor_cast<caf::actor_addr>(reg.get(key)) == me) reg.erase(key);
  });
}

}  // namespace demo
