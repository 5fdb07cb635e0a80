// The demo's supervision tree, as OTP child specs.
#include "messages.hpp"
#include "service.hpp"

namespace demo {

namespace {
using namespace actorscope::caf;

child_spec spec(std::string id, std::string type, start_function start) {
  child_spec s;
  s.id = std::move(id);
  s.actor_type = std::move(type);
  s.start = std::move(start);
  return s;
}
}  // namespace

caf::actor start_app(caf::actor_system& sys, const options& opt) {
  supervisor_flags pool_flags{strategy::one_for_all, 3, std::chrono::seconds(5)};
  std::vector<child_spec> parsers;
  for (uint32_t i = 1; i <= opt.parsers; ++i) {
    std::string name = "parser" + std::to_string(i);
    parsers.push_back(spec(name, "parser", worker(parser, name)));
  }

  auto store_spec = spec("store", "store", worker<caf::detached>(store, uint32_t{12000}));
  store_spec.shutdown = std::chrono::milliseconds(2000);
  supervisor_flags ingest_flags{strategy::rest_for_one, 3, std::chrono::seconds(5)};
  std::vector<child_spec> pipeline = {
      spec("ingest", "ingest", worker(ingest, opt.parsers, uint32_t{10})),
      supervisor_spec("parser_pool", pool_flags, std::move(parsers)),
      spec("aggregator", "aggregator", worker(aggregator)),
      store_spec,
  };

  child_spec session_template = spec("session", "session", worker_with_args(session));
  session_template.restart_type = restart::transient;
  session_template.shutdown = std::chrono::milliseconds(1000);
  supervisor_flags session_flags{strategy::simple_one_for_one, 10, std::chrono::seconds(5)};
  auto sessions = supervisor_spec("sessions", session_flags, {session_template});
  // The traffic finds the session supervisor by name: wrap its start to publish it (weakly:
  // the supervisor's exit drops the name).
  sessions.start = [inner = sessions.start](caf::actor_system& s, const actor_info& info, const caf::message& args) {
    auto a = inner(s, info, args);
    if (a) {
      auto key = caf::atom_from_string("sessions");
      s.registry().put(key, caf::actor_cast<caf::strong_actor_ptr>(a));
      a->attach_functor([&s, key, me = a.address()] {
        if (caf::actor_cast<caf::actor_addr>(s.registry().get(key)) == me) s.registry().erase(key);
      });
    }
    return a;
  };

  supervisor_flags app_flags{strategy::one_for_one, 3, std::chrono::seconds(5)};
  return spawn_supervisor(sys, "app_sup", app_flags,
                          {supervisor_spec("ingest_sup", ingest_flags, std::move(pipeline)), sessions,
                           spec("traffic", "traffic", worker(traffic, opt))});
}

}  // namespace demo
