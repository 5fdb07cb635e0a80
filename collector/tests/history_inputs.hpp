// Random, plausible input streams for the model's time axis, and the comparison of two
// models' states as text (model_text.hpp). Shared by the history and export tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "model_text.hpp"
#include "stream.hpp"

namespace actorscope::collector::testing {

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
