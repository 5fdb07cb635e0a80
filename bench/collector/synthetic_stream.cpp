// Builds the synthetic stream with the real codec, cut into agent-sized batches.
#include "synthetic_stream.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::bench {

namespace {

class BatchWriter {
 public:
  BatchWriter(SyntheticStream& s, size_t cut) : s_(s), cut_(cut) {}
  ~BatchWriter() { finish(); }
  template <class R>
  void add(const R& r) {
    proto::Writer w(buf_);
    proto::encode(w, r);
    ++s_.records;
    if (buf_.size() >= cut_) finish();
  }
  void finish() {
    if (!buf_.empty()) s_.batches.push_back(std::move(buf_));
    buf_.clear();
  }

 private:
  SyntheticStream& s_;
  size_t cut_;
  std::vector<uint8_t> buf_;
};

}  // namespace

SyntheticStream make_stream(const StreamShape& shape) {
  SyntheticStream s;
  s.hello.node = "bench@localhost";
  s.hello.incarnation = 1;
  s.hello.pid = 1;
  s.hello.program = "bench";
  BatchWriter w(s, shape.batch_bytes);
  std::mt19937_64 rng(42);

  // Strings: types, supervisor names, child ids, telemetry names.
  proto::StringId next = 1;
  std::vector<proto::StringId> types, sup_names;
  for (uint64_t t = 0; t < shape.types; ++t) {
    w.add(proto::StringDef{next, "type_" + std::to_string(t)});
    types.push_back(next++);
  }
  for (uint64_t i = 0; i < shape.supervisors; ++i) {
    w.add(proto::StringDef{next, "sup_" + std::to_string(i)});
    sup_names.push_back(next++);
  }
  proto::StringId child = next++;
  w.add(proto::StringDef{child, "worker"});
  proto::StringId event = next++;
  w.add(proto::StringDef{event, "bench.repo.query.stop"});
  proto::StringId duration = next++;
  w.add(proto::StringDef{duration, "duration"});

  w.add(proto::SnapshotBegin{1, shape.actors});
  // Supervisors (ids 1..S; 1 is the root), then workers.
  for (uint64_t i = 0; i < shape.supervisors; ++i) {
    proto::ActorSpawned sp;
    sp.actor = i + 1;
    sp.parent = i == 0 ? 0 : 1;
    sp.name = sup_names[i];
    sp.type = types[0];
    sp.kind = proto::ActorKind::Supervisor;
    sp.strategy = proto::Strategy::OneForOne;
    sp.intensity = 3;
    sp.period_ms = 5000;
    w.add(sp);
  }
  uint64_t next_id = shape.supervisors + 1;
  std::vector<uint64_t> live;
  for (uint64_t i = shape.supervisors; i < shape.actors; ++i) {
    proto::ActorSpawned sp;
    sp.actor = next_id++;
    sp.parent = 1 + (i % shape.supervisors);
    sp.type = types[1 + i % (shape.types - 1)];
    sp.child_id = child;
    w.add(sp);
    live.push_back(sp.actor);
  }
  w.add(proto::SnapshotEnd{1});

  std::vector<proto::ActorStats> cells(live.size());
  for (size_t i = 0; i < live.size(); ++i) cells[i].actor = live[i];
  uint64_t restarts_left = shape.restarts, telemetry_left = shape.telemetry;
  uint64_t restarts_per_round = shape.restarts / std::max<uint64_t>(shape.stats_rounds, 1);
  uint64_t telemetry_per_round = shape.telemetry / std::max<uint64_t>(shape.stats_rounds, 1);
  std::vector<size_t> order(cells.size());
  std::iota(order.begin(), order.end(), size_t{0});
  for (uint64_t round = 0; round < shape.stats_rounds; ++round) {
    if (shape.shuffled_stats) std::shuffle(order.begin(), order.end(), rng);
    for (size_t at : order) {
      proto::ActorStats& c = cells[at];
      uint64_t n = 1 + rng() % 20;
      c.enqueued += n;
      c.dequeued += n - (rng() % 2);
      if (c.dequeued > c.enqueued) c.dequeued = c.enqueued;
      c.mailbox = c.enqueued - c.dequeued;
      c.busy_ns += n * 20'000;
      c.hist[proto::histogram_bucket(20'000)] += n;
      w.add(c);
    }
    for (uint64_t r = 0; r < restarts_per_round && restarts_left > 0; ++r, --restarts_left) {
      size_t victim = rng() % cells.size();
      uint64_t old_id = cells[victim].actor;
      uint64_t parent = 1 + (old_id % shape.supervisors);
      w.add(proto::ActorExited{0, old_id, proto::ExitReason::Error, 0, {}});
      proto::ActorSpawned sp;
      sp.actor = next_id++;
      sp.parent = parent;
      sp.type = types[1 + old_id % (shape.types - 1)];
      sp.child_id = child;
      proto::ChildRestarted cr;
      cr.supervisor = parent;
      cr.child_id = child;
      cr.old_actor = old_id;
      cr.new_actor = sp.actor;
      w.add(cr);
      w.add(sp);
      cells[victim] = proto::ActorStats{};
      cells[victim].actor = sp.actor;
    }
    for (uint64_t t = 0; t < telemetry_per_round && telemetry_left > 0; ++t, --telemetry_left) {
      proto::Telemetry tel;
      tel.event = event;
      tel.actor = cells[rng() % cells.size()].actor;
      tel.n_measurements = 1;
      tel.measurements[0] = {duration, static_cast<double>(rng() % 1'000'000)};
      w.add(tel);
    }
  }
  w.finish();
  return s;
}

}  // namespace actorscope::bench
