// A model's inputs as the live collector gives them, fed in order, and a model's whole state
// as text (two models in the same state describe themselves the same way). No test framework:
// shared by the tests and the model's fuzz target.
#pragma once

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"

namespace actorscope::collector::testing {

// One input as the live collector gives it to the model.
struct Input {
  enum Kind { Hello, Batch, Disconnect, Tick } kind = Tick;
  uint64_t at = 0;
  uint64_t conn = 0;
  int node = 0;  // index into the generator's nodes
  proto::Hello hello;
  std::vector<uint8_t> payload;
};

inline ModelSettings small_settings() {
  ModelSettings s;
  s.event_log_capacity = 300;  // small enough that the log wraps within a run
  s.series_points = 50;
  s.journal_capacity = 4096;
  s.mailbox_large = 4000;
  s.mailbox_growth_samples = 3;
  s.mailbox_growth_min = 10;
  return s;
}

// Feeds the inputs stamped <= until (all when until is ~0) as the live collector does.
inline void feed(Model& m, const std::vector<Input>& inputs, std::map<int, NodeKey>& keys, uint64_t until = ~0ull) {
  for (const Input& in : inputs) {
    if (in.at > until) break;
    switch (in.kind) {
      case Input::Hello:
        m.set_now(in.at);
        keys[in.node] = m.on_hello(in.conn, in.hello);
        m.commit();
        break;
      case Input::Batch:
        m.set_now(in.at);
        m.apply_batch(keys[in.node], in.payload.data(), in.payload.size());
        break;
      case Input::Disconnect:
        m.set_now(in.at);
        m.on_disconnect(keys[in.node], in.conn);
        m.commit();
        break;
      case Input::Tick:
        m.tick(in.at);
        break;
    }
  }
}

// Everything a viewer or the exporter can read from a model, as text: two models in the
// same state describe themselves the same way.
inline std::string describe(const Model& m) {
  std::ostringstream o;
  o.precision(17);
  o << "now " << m.now() << "\n";
  for (NodeKey k : m.node_keys()) {
    const Node& n = *m.node(k);
    o << "node " << k << " " << n.name << " inc " << n.incarnation << " state " << int(n.state) << " conn " << n.connection
      << " at " << n.connected_at_ns << "/" << n.gone_at_ns << " live " << n.live_actors << " restarts " << n.restarts
      << " crashes " << n.crashes << " esc " << n.escalations << " tel " << n.telemetry_events << " reconnects "
      << n.reconnects << " app_restarts " << n.app_restarts << " snapshots " << n.snapshots << "\n";
    m.for_each_actor(k, [&](const Actor& a) {
      o << " actor " << a.id << " parent " << a.parent << " " << m.text(a.name) << " " << m.text(a.type) << " "
        << m.text(a.child_id) << " kind " << int(a.kind) << " flags " << int(a.flags) << " mb " << a.mailbox << " enq "
        << a.enqueued << " deq " << a.dequeued << " busy " << a.busy_ns << " rate " << a.messages_per_s << " fill "
        << a.fill_per_s << " streak " << int(a.growth_streak) << " base " << a.growth_base << " sample "
        << a.last_sample_ns << " progress " << a.last_progress_ns << " restarts " << m.child_restarts(k, a) << "\n";
      for (const ActorLink& l : m.links(k, a.id)) o << "  link " << l.other << " " << int(l.kind) << " " << l.count << "\n";
    });
    m.for_each_child(k, 0, [&](const Actor& a) { o << " root " << a.id << "\n"; });
    for (const Supervisor* s : m.supervisors_of(k)) {
      o << " sup " << s->actor << " " << m.text(s->label) << " restarts " << s->total_restarts() << " esc " << s->escalations
        << " budget " << m.restart_budget_used(k, s->actor) << "\n";
      for (const ChildRecord& c : s->per_child)
        o << "  child " << m.text(c.child_id) << " " << c.restarts << " " << c.current << " " << c.last_crash_actor << " "
          << c.last_crash_seq << "\n";
    }
    for (const TypeAggregate& t : m.types(k))
      o << " type " << m.text(t.type) << " live " << t.live_total() << " spawns " << t.spawns.value() << " exits "
        << t.exits.value() << " enq " << t.enqueued() << " mb " << t.mailbox_sum << "/" << t.mailbox_max << "\n";
    for (const TelemetryStats& t : m.telemetry(k)) {
      o << " telemetry " << m.text(t.event) << " " << t.count << "\n";
      for (const MeasurementStats& ms : t.measurements)
        o << "  " << m.text(ms.key) << " " << ms.count << " " << ms.sum << " " << ms.min << " " << ms.max << "\n";
    }
    for (const SeriesPoint& p : m.series(k, 1000))
      o << " point " << p.at_ns << " " << p.seconds << " " << p.live_actors << " " << p.messages_per_s << " "
        << p.restarts_per_s << " " << p.crashes_per_s << " " << p.mailbox_total << " " << p.mailbox_max << "\n";
  }
  for (const Event* e : m.events_since(0, 1'000'000))
    o << "event " << e->seq << " " << e->at_ns << " " << int(e->kind) << " node " << e->node << " actor " << e->actor << " "
      << e->new_actor << " " << m.text(e->name) << " " << e->detail << "\n";
  for (const Warning& w : m.warnings())
    o << "warning " << int(w.kind) << " " << w.node << " " << w.actor << " " << w.text << " " << w.since_ns << " "
      << w.seen_ns << "\n";
  ModelStats s = m.stats();
  o << "stats " << s.nodes << " " << s.live_actors << " " << s.supervisors << " " << s.records_applied << " "
    << s.events_logged << " " << s.events_dropped << " " << s.warnings_active << " " << s.strings << " " << s.links << "\n";
  return o.str();
}

}  // namespace actorscope::collector::testing
