// Shared pieces of the CAF adapter tests: a journal of starts and stops, a probe worker
// that crashes or stops on request, which_children.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actorscope/caf/exit_reasons.hpp"
#include "eventually.hpp"
#include "actorscope/caf/supervisor.hpp"

namespace actorscope::caf::testing {

using crash_atom = ::caf::atom_constant<::caf::atom("crash")>;
using finish_atom = ::caf::atom_constant<::caf::atom("finish")>;

// What happened, in order: "a:start", "a:stop:shutdown", ...
class journal {
 public:
  void add(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  // The lines that start with `prefix`-free tags, e.g. stops() -> {"c", "b", "a"}.
  std::vector<std::string> with_suffix(const std::string& suffix) const {
    std::vector<std::string> out;
    for (const auto& l : lines())
      if (l.size() > suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(l.substr(0, l.size() - suffix.size()));
    return out;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

inline const char* class_name(actorscope_reason r) {
  switch (r) {
    case ACTORSCOPE_EXIT_NORMAL: return "normal";
    case ACTORSCOPE_EXIT_SHUTDOWN: return "shutdown";
    case ACTORSCOPE_EXIT_SHUTDOWN_TERM: return "shutdown_term";
    case ACTORSCOPE_EXIT_KILLED: return "killed";
    case ACTORSCOPE_EXIT_ERROR: return "error";
    default: return "unknown";
  }
}

// A worker that logs "<tag>:start" and "<tag>:stop:<reason class>"; crashes on crash_atom,
// exits normally on finish_atom. With `stubborn`, it traps exits and ignores them.
inline ::caf::behavior probe(::caf::event_based_actor* self, journal* j, std::string tag, bool stubborn) {
  self->attach_functor([j, tag](const ::caf::error& reason) { j->add(tag + ":stop:" + class_name(reason_class(reason))); });
  if (stubborn) self->set_exit_handler([](::caf::exit_msg&) {});
  return {
      [](crash_atom) { throw std::runtime_error("boom"); },
      [self](finish_atom) { self->quit(); },
      [](int x) { return x + 1; },
  };
}

inline child_spec probe_spec(journal& j, std::string id, restart r = restart::permanent, bool stubborn = false) {
  child_spec s = worker_spec(id, r, probe, &j, id, stubborn);
  s.actor_type = "probe";
  // Logged by the start function, which the supervisor calls in its own order (the
  // behaviours themselves start on other threads, in no particular order).
  s.start = [start = s.start, j = &j, id](::caf::actor_system& sys, const actor_info& info, const ::caf::message& args) {
    j->add(id + ":start");
    return start(sys, info, args);
  };
  return s;
}

// Polls a condition until it holds (the shared harness's).
using ::actorscope::testing::eventually;

inline std::vector<child_info> which(::caf::actor_system& sys, const ::caf::actor& sup) {
  std::vector<child_info> out;
  ::caf::scoped_actor self{sys};
  self->request(sup, std::chrono::seconds(30), which_children_atom::value)
      .receive([&](std::vector<child_info>& v) { out = std::move(v); }, [](::caf::error&) {});
  return out;
}

inline ::caf::actor child_actor(::caf::actor_system& sys, const ::caf::actor& sup, const std::string& id) {
  for (auto& c : which(sys, sup))
    if (c.id == id) return c.actor;
  return {};
}

}  // namespace actorscope::caf::testing
