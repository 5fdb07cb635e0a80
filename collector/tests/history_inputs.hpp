// Random, plausible input streams for the model's time axis, fed as the live collector
// feeds them, and a model's whole state as text (two models in the same state describe
// themselves the same way). Shared by the history and export tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

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

// Random, plausible agent traffic on three nodes: connects, reconnects and restarts of the
// app, spawns under supervisors, stats with growing mailboxes, crashes, restarts, links,
// telemetry, exits, disconnects, and ticks, with times that sometimes repeat.
inline std::vector<Input> random_inputs(uint32_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t k) { return k ? rng() % k : 0; };
  struct NodeState {
    std::string name;
    uint64_t incarnation = 1;
    uint64_t conn = 0;
    Stream stream;
    std::vector<uint64_t> live;  // actors spawned and not exited
    std::vector<uint64_t> sups;
    uint64_t next_id = 1;
    std::map<uint64_t, uint64_t> mailbox;
  };
  std::vector<NodeState> nodes(3);
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].name = "node-" + std::to_string(i);
  uint64_t conn_ids = 0, at = 1'000'000'000;
  std::vector<Input> out;
  for (size_t i = 0; i < n; ++i) {
    if (pick(4) != 0) at += pick(400) * 1'000'000;  // a quarter of the inputs share their time
    int k = static_cast<int>(pick(nodes.size()));
    NodeState& ns = nodes[static_cast<size_t>(k)];
    Input in;
    in.at = at;
    in.node = k;
    uint64_t roll = pick(100);
    if (ns.conn == 0 || roll < 2) {  // (re)connect; sometimes a new process
      if (ns.conn != 0 && pick(2) == 0) {
        ++ns.incarnation;
        ns.live.clear();
        ns.sups.clear();
        ns.mailbox.clear();
      }
      ns.conn = ++conn_ids;
      ns.stream.reset_strings();
      in.kind = Input::Hello;
      in.conn = ns.conn;
      in.hello = testing::hello(ns.name, ns.incarnation);
      in.hello.anchor_wall_ns = 1'700'000'000'000'000'000ull;
      out.push_back(std::move(in));
      // its snapshot: what is live now
      Input snap;
      snap.kind = Input::Batch;
      snap.at = at;
      snap.node = k;
      snap.conn = ns.conn;
      ns.stream.add(proto::SnapshotBegin{1, ns.live.size()});
      for (uint64_t a : ns.live) {
        bool sup = std::find(ns.sups.begin(), ns.sups.end(), a) != ns.sups.end();
        ns.stream.spawn(a, sup || ns.sups.empty() ? 0 : ns.sups[0], sup ? "sup" : "worker", "a" + std::to_string(a),
                        sup ? proto::ActorKind::Supervisor : proto::ActorKind::Worker, "c" + std::to_string(a % 7), sup ? 3 : 0,
                        sup ? 5000 : 0);
      }
      ns.stream.add(proto::SnapshotEnd{1});
      snap.payload = ns.stream.take();
      out.push_back(std::move(snap));
      continue;
    }
    if (roll < 4) {
      in.kind = Input::Disconnect;
      in.conn = ns.conn;
      ns.conn = 0;
      out.push_back(std::move(in));
      continue;
    }
    if (roll < 30) {
      in.kind = Input::Tick;
      out.push_back(std::move(in));
      continue;
    }
    in.kind = Input::Batch;
    in.conn = ns.conn;
    size_t records = 1 + pick(12);
    for (size_t r = 0; r < records; ++r) {
      uint64_t what = pick(100);
      if (ns.live.size() < 3 || what < 20) {
        uint64_t id = ns.next_id++;
        bool sup = ns.sups.size() < 3 && pick(3) == 0;
        uint64_t parent = ns.sups.empty() ? 0 : ns.sups[pick(ns.sups.size())];
        ns.stream.spawn(id, parent, sup ? "sup" : (pick(2) ? "parser" : "store"), "a" + std::to_string(id),
                        sup ? proto::ActorKind::Supervisor : proto::ActorKind::Worker, "c" + std::to_string(id % 7), sup ? 3 : 0,
                        sup ? 5000 : 0);
        ns.live.push_back(id);
        if (sup) ns.sups.push_back(id);
      } else if (what < 60) {
        uint64_t id = ns.live[pick(ns.live.size())];
        uint64_t& mb = ns.mailbox[id];
        mb = pick(3) == 0 ? mb / 2 : mb + pick(5000);
        ns.stream.stats(id, mb, 1000 + mb * 3, 1000 + mb * 2, pick(1'000'000));
      } else if (what < 72 && !ns.sups.empty()) {  // a crash and its restart
        uint64_t sup = ns.sups[pick(ns.sups.size())];
        uint64_t victim = ns.live[pick(ns.live.size())];
        if (victim == sup) continue;
        uint64_t again = ns.next_id++;
        ns.stream.exit_inline(victim, proto::ExitReason::Error, "fault " + std::to_string(pick(9)));
        ns.stream.restart(sup, "c" + std::to_string(victim % 7), victim, again, proto::ExitReason::Error, "fault");
        ns.stream.spawn(again, sup, "parser", "a" + std::to_string(victim), proto::ActorKind::Worker, "c" + std::to_string(victim % 7));
        ns.live.erase(std::find(ns.live.begin(), ns.live.end(), victim));
        ns.live.push_back(again);
      } else if (what < 80) {
        ns.stream.link(ns.live[pick(ns.live.size())], ns.live[pick(ns.live.size())]);
      } else if (what < 90) {
        proto::Telemetry t;
        t.event = ns.stream.str("db.query");
        t.actor = ns.live[pick(ns.live.size())];
        t.n_measurements = 1;
        t.measurements[0].key = ns.stream.str("duration");
        t.measurements[0].value = static_cast<double>(pick(1000));
        ns.stream.add(t);
      } else {
        uint64_t id = ns.live[pick(ns.live.size())];
        if (std::find(ns.sups.begin(), ns.sups.end(), id) != ns.sups.end()) continue;
        ns.stream.exit_inline(id, pick(2) ? proto::ExitReason::Normal : proto::ExitReason::Killed, "bye");
        ns.live.erase(std::find(ns.live.begin(), ns.live.end(), id));
      }
    }
    in.payload = ns.stream.take();
    if (!in.payload.empty()) out.push_back(std::move(in));
  }
  return out;
}

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

// Reports the first line where two descriptions differ (the whole texts are long).
inline ::testing::AssertionResult same_state(const std::string& want, const std::string& got) {
  if (want == got) return ::testing::AssertionSuccess();
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ea = !std::getline(a, la), eb = !std::getline(b, lb);
    if (ea || eb || la != lb)
      return ::testing::AssertionFailure() << "line " << line << ":\n  fed to T: " << (ea ? "(end)" : la)
                                           << "\n  rebuilt:  " << (eb ? "(end)" : lb);
  }
}

}  // namespace actorscope::collector::testing
