// libFuzzer target: hostile agent traffic into the live model and its flight recorder. Any
// input must leave the model standing (no crash, no sanitizer report), and the past must not
// lie: the state the flight recorder rebuilds at an instant equals that of a second model fed
// the same inputs only up to it, and at the newest instant the live model's.
//
// The input is read as a program: connects, disconnects, ticks and batches on three nodes.
// A batch is either raw bytes or records written by the real encoder from the input's
// values, with actor ids from a small range (so that they collide: spawns of a live id,
// exits of unknown ones, parents that form cycles, restarts of anything), strings defined,
// redefined or never defined, any text, and counters of any size.
//
// Built with the rest when clang++ is present (target actorscope-fuzz-model); `make test` runs
// it bounded (model.fuzz_model_bounded), `make bench` for MODEL_FUZZ_S seconds. By hand:
//   build/collector/model/actorscope-fuzz-model -len_control=0 -max_len=4096 -seed=1 CORPUS_DIR
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/protocol/codec.hpp"
#include "model_text.hpp"

namespace {

using namespace actorscope;
using namespace actorscope::collector;
using testing::Input;

constexpr int kNodes = 3;
constexpr size_t kMaxInputs = 48;
constexpr size_t kMaxRecords = 24;

class Program {
 public:
  explicit Program(FuzzedDataProvider& in) : in_(in) {}

  std::vector<Input> read() {
    std::vector<Input> out;
    uint64_t at = 1'000'000'000;
    while (in_.remaining_bytes() > 0 && out.size() < kMaxInputs) {
      // Time moves on by nothing, a few ms, a second or more (series steps, expiry).
      switch (in_.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: break;
        case 1: at += in_.ConsumeIntegralInRange<uint64_t>(1, 50) * 1'000'000; break;
        case 2: at += 1'000'000'000; break;
        default: at += in_.ConsumeIntegralInRange<uint64_t>(2, 120) * 1'000'000'000; break;
      }
      Input x;
      x.at = at;
      x.node = in_.ConsumeIntegralInRange<int>(0, kNodes - 1);
      Node& n = nodes_[x.node];
      const int op = in_.ConsumeIntegralInRange<int>(0, 9);
      if (op == 0 || n.conn == 0) {
        if (in_.ConsumeBool()) ++n.incarnation;
        n.conn = ++conns_;
        x.kind = Input::Hello;
        x.conn = n.conn;
        x.hello.node = "node-" + std::to_string(x.node);
        x.hello.incarnation = n.incarnation;
        x.hello.pid = 42;
        x.hello.host = "host";
        x.hello.program = "app";
        x.hello.capabilities = in_.ConsumeBool() ? proto::kCapFlow : 0;
        x.hello.anchor_wall_ns = 1'700'000'000'000'000'000ull;
      } else if (op == 1) {
        x.kind = Input::Disconnect;
        x.conn = in_.ConsumeBool() ? n.conn : n.conn - 1;  // sometimes a connection taken over
      } else if (op == 2) {
        x.kind = Input::Tick;
      } else if (op == 3) {
        x.kind = Input::Batch;
        x.conn = n.conn;
        x.payload = in_.ConsumeBytes<uint8_t>(in_.ConsumeIntegralInRange<size_t>(0, 256));
      } else {
        x.kind = Input::Batch;
        x.conn = n.conn;
        x.payload = records();
      }
      out.push_back(std::move(x));
    }
    return out;
  }

 private:
  struct Node {
    uint64_t conn = 0;
    uint64_t incarnation = 1;
  };

  uint64_t id() {
    switch (in_.ConsumeIntegralInRange<int>(0, 15)) {
      case 0: return 0;
      case 1: return in_.ConsumeIntegral<uint64_t>();
      default: return in_.ConsumeIntegralInRange<uint64_t>(1, 24);
    }
  }
  uint64_t count() {
    switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: return 0;
      case 1: return in_.ConsumeIntegral<uint64_t>();
      case 2: return ~0ull - in_.ConsumeIntegralInRange<uint64_t>(0, 3);
      default: return in_.ConsumeIntegralInRange<uint64_t>(0, 5000);
    }
  }
  double value() {
    switch (in_.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: return in_.ConsumeFloatingPoint<double>();
      case 1: return -1.0 * in_.ConsumeIntegralInRange<int>(0, 1000);
      default: return in_.ConsumeIntegralInRange<int>(0, 100000) / 7.0;
    }
  }
  proto::StringId sid() { return in_.ConsumeIntegralInRange<proto::StringId>(0, 12); }
  template <class E>
  E pick(int last) {
    return static_cast<E>(in_.ConsumeIntegralInRange<int>(0, last));
  }
  std::string text() {
    static const char* const kWords[] = {"parser", "store", "sup", "db.query", "duration", "a.b.c", "w", ""};
    if (in_.ConsumeBool()) return kWords[in_.ConsumeIntegralInRange<int>(0, 7)];
    return in_.ConsumeRandomLengthString(300);  // any bytes, valid UTF-8 or not, long or empty
  }

  std::vector<uint8_t> records() {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    const size_t n = in_.ConsumeIntegralInRange<size_t>(1, kMaxRecords);
    for (size_t i = 0; i < n && in_.remaining_bytes() > 0; ++i) {
      switch (in_.ConsumeIntegralInRange<int>(0, 17)) {
        case 0: {
          std::string t = text();
          proto::encode(w, proto::StringDef{sid(), t});
          break;
        }
        case 1:
        case 2: {
          proto::ActorSpawned s;
          s.t_ns = count();
          s.actor = id();
          s.parent = in_.ConsumeBool() ? 0 : id();
          s.name = sid();
          s.type = sid();
          s.child_id = sid();
          s.kind = pick<proto::ActorKind>(1);
          s.restart = pick<proto::RestartType>(2);
          s.strategy = pick<proto::Strategy>(4);
          s.intensity = in_.ConsumeIntegralInRange<uint32_t>(0, 5);
          s.period_ms = in_.ConsumeIntegralInRange<uint32_t>(0, 10000);
          proto::encode(w, s);
          break;
        }
        case 3: {
          proto::ActorExited e;
          e.t_ns = count();
          e.actor = id();
          e.reason = pick<proto::ExitReason>(5);
          e.reason_text = sid();
          const std::string reason = in_.ConsumeBool() ? text() : "";
          e.reason_inline = reason;
          proto::encode(w, e);
          break;
        }
        case 4: {
          proto::ChildRestarted r;
          r.t_ns = count();
          r.supervisor = id();
          r.child_id = sid();
          r.old_actor = id();
          r.new_actor = id();
          r.reason = pick<proto::ExitReason>(5);
          r.reason_text = sid();
          const std::string reason = in_.ConsumeBool() ? text() : "";
          r.reason_inline = reason;
          proto::encode(w, r);
          break;
        }
        case 5: {
          proto::Link l;
          l.t_ns = count();
          l.a = id();
          l.b = id();
          l.op = pick<proto::LinkOp>(3);
          proto::encode(w, l);
          break;
        }
        case 6:
        case 7:
        case 8: {
          proto::ActorStats s;
          s.actor = id();
          s.mailbox = count();
          s.enqueued = count();
          s.dequeued = count();
          s.busy_ns = count();
          s.restarts = count();
          for (uint64_t& h : s.hist) h = in_.ConsumeBool() ? 0 : count();
          proto::encode(w, s);
          break;
        }
        case 9: {
          proto::Telemetry t;
          t.t_ns = count();
          t.actor = in_.ConsumeBool() ? 0 : id();
          t.event = sid();
          t.n_measurements = in_.ConsumeIntegralInRange<uint8_t>(0, proto::kMaxTelemetryFields);
          for (size_t k = 0; k < t.n_measurements; ++k) t.measurements[k] = {sid(), value()};
          t.n_metadata = in_.ConsumeIntegralInRange<uint8_t>(0, 2);
          std::string values[2];  // the record points into these until it is written
          for (size_t k = 0; k < t.n_metadata; ++k) {
            values[k] = text();
            t.metadata[k] = {sid(), values[k]};
          }
          proto::encode(w, t);
          break;
        }
        case 10: {
          proto::Dropped d;
          for (uint64_t& c : d.counts) c = count();
          proto::encode(w, d);
          break;
        }
        case 11: {
          proto::SnapshotBegin b;
          b.snapshot = in_.ConsumeIntegralInRange<uint64_t>(0, 3);
          b.actors = count();
          proto::encode(w, b);
          break;
        }
        case 12:
          proto::encode(w, proto::SnapshotEnd{in_.ConsumeIntegralInRange<uint64_t>(0, 3)});
          break;
        case 13: {
          proto::Heartbeat h;
          h.t_ns = count();
          h.live_actors = count();
          h.agent_bytes = count();
          h.ring_bytes_used = count();
          h.flushes = count();
          proto::encode(w, h);
          break;
        }
        case 14: {
          proto::SupervisorEscalated e;
          e.t_ns = count();
          e.supervisor = id();
          proto::encode(w, e);
          break;
        }
        case 15: {
          switch (in_.ConsumeIntegralInRange<int>(0, 2)) {
            case 0: {
              proto::TypeTotals t;
              t.type = sid();
              t.spawned = count();
              t.exited = count();
              t.enqueued = count();
              t.dequeued = count();
              t.busy_ns = count();
              for (uint64_t& h : t.hist) h = count();
              t.has_exited_by_reason = in_.ConsumeBool();
              if (t.has_exited_by_reason)
                for (uint64_t& e : t.exited_by_reason) e = count();
              proto::encode(w, t);
              break;
            }
            case 1:
              proto::encode(w, proto::SupervisorTotals{sid(), count(), count()});
              break;
            default:
              proto::encode(w, proto::TelemetryTotals{sid(), count()});
              break;
          }
          break;
        }
        case 16: {
          proto::FlowEdges f;
          f.sample_every = in_.ConsumeIntegralInRange<uint32_t>(0, 64);
          f.unrecorded = count();
          f.n = in_.ConsumeIntegralInRange<uint16_t>(0, 6);
          for (size_t k = 0; k < f.n; ++k) f.edges[k] = {id(), id(), sid(), count(), sid(), sid()};
          proto::encode(w, f);
          break;
        }
        default: {
          if (in_.ConsumeBool()) {
            proto::Handling h;
            h.t_ns = count();
            h.n = in_.ConsumeIntegralInRange<uint8_t>(0, 4);
            for (size_t k = 0; k < h.n; ++k) h.now[k] = {id(), sid(), count()};
            proto::encode(w, h);
          } else {
            proto::NodeGauges g;
            g.t_ns = count();
            g.n = in_.ConsumeIntegralInRange<uint8_t>(0, 4);
            for (size_t k = 0; k < g.n; ++k) g.values[k] = {in_.ConsumeIntegralInRange<uint32_t>(0, 40), value()};
            proto::encode(w, g);
          }
          break;
        }
      }
    }
    return buf;
  }

  FuzzedDataProvider& in_;
  Node nodes_[kNodes];
  uint64_t conns_ = 0;
};

// The first line where two descriptions differ, then a stop: the past shown is not the past.
void expect_same(const std::string& want, const std::string& got, const char* what, uint64_t at) {
  if (want == got) return;
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ea = !std::getline(a, la), eb = !std::getline(b, lb);
    if (ea || eb || la != lb) {
      std::fprintf(stderr, "%s at %llu differs at line %d:\n  fed:     %s\n  rebuilt: %s\n", what,
                   static_cast<unsigned long long>(at), line, ea ? "(end)" : la.c_str(), eb ? "(end)" : lb.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint64_t middle_pick = in.ConsumeIntegral<uint8_t>();
  const std::vector<Input> inputs = Program(in).read();
  if (inputs.empty()) return 0;

  // A keyframe after every few hundred bytes of stream: instants fall in many segments.
  HistorySettings hs;
  hs.min_segment_bytes = 256;
  hs.stream_per_keyframe = 0;
  hs.max_bytes = 1ull << 40;
  hs.max_age_ns = 1ull << 60;
  History history(hs);
  Model live(testing::small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  testing::feed(live, inputs, keys);

  const uint64_t last = inputs.back().at;
  std::unique_ptr<Model> now = history.at(last);
  if (!now) {
    std::fprintf(stderr, "the newest instant %llu was not rebuilt\n", static_cast<unsigned long long>(last));
    std::abort();
  }
  expect_same(testing::describe(live), testing::describe(*now), "the newest instant", last);

  const uint64_t t = inputs[middle_pick % inputs.size()].at;
  Model reference(testing::small_settings());
  std::map<int, NodeKey> ref_keys;
  testing::feed(reference, inputs, ref_keys, t);
  std::unique_ptr<Model> past = history.at(t);
  if (!past) {
    std::fprintf(stderr, "the instant %llu was not rebuilt\n", static_cast<unsigned long long>(t));
    std::abort();
  }
  expect_same(testing::describe(reference), testing::describe(*past), "a past instant", t);
  return 0;
}
