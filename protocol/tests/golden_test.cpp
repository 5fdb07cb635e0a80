// Golden byte vectors: fixed messages must encode to the bytes stored in golden/*.hex.
// A change here is a wire-format change: bump the version (SPEC.md) before updating them
// with ACTORSCOPE_UPDATE_GOLDEN=1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/node_gauges.hpp"
#include "golden.hpp"

namespace actorscope::proto {
namespace {

using testing::check_golden;

std::vector<uint8_t> frame(FrameType type, uint32_t seq, const auto& encode_payload) {
  std::vector<uint8_t> out;
  size_t at = begin_frame(out, type, seq);
  Writer w(out);
  encode_payload(w);
  finish_frame(out, at);
  return out;
}

TEST(Golden, Hello) {
  Hello h;
  h.capabilities = kCapCommands;
  h.role = Role::Agent;
  h.token = "s3cret";
  h.node = "orders@db1";
  h.incarnation = 0x1122334455667788ull;
  h.pid = 4242;
  h.host = "db1";
  h.program = "orders";
  h.anchor_mono_ns = 1'000'000'000;
  h.anchor_wall_ns = 1'795'000'000'000'000'000ull;
  auto bytes = frame(FrameType::Hello, 0, [&](Writer& w) { encode(w, h); });
  check_golden("hello", bytes);
  // And it decodes back.
  Reader r(bytes.data() + kFrameHeaderSize, bytes.size() - kFrameHeaderSize);
  Hello back;
  std::string err;
  ASSERT_TRUE(decode(r, back, err)) << err;
  EXPECT_EQ(back, h);
}

TEST(Golden, WelcomeAndReject) {
  Welcome wl;
  wl.session = 7;
  wl.collector = "actorscope-collector 0.1.0";
  check_golden("welcome", frame(FrameType::Welcome, 0, [&](Writer& w) { encode(w, wl); }));
  Reject rj{RejectCode::BadToken, "bad token"};
  check_golden("reject", frame(FrameType::Reject, 0, [&](Writer& w) { encode(w, rj); }));
}

TEST(Golden, BatchWithEveryRecord) {
  auto bytes = frame(FrameType::Batch, 1, [&](Writer& w) {
    encode(w, SnapshotBegin{1, 2});
    encode(w, StringDef{1, "sup"});
    encode(w, StringDef{2, "parser"});
    encode(w, StringDef{3, "p1"});
    ActorSpawned sup;
    sup.t_ns = 100; sup.actor = 1; sup.type = 1; sup.name = 1; sup.kind = ActorKind::Supervisor;
    sup.strategy = Strategy::OneForOne; sup.intensity = 3; sup.period_ms = 5000;
    encode(w, sup);
    ActorSpawned p;
    p.t_ns = 200; p.actor = 2; p.parent = 1; p.type = 2; p.child_id = 3; p.restart = RestartType::Transient;
    encode(w, p);
    ActorStats st;
    st.actor = 2; st.mailbox = 5; st.enqueued = 300; st.dequeued = 295; st.busy_ns = 1'234'567;
    st.hist[0] = 290; st.hist[4] = 5;
    encode(w, st);
    encode(w, SnapshotEnd{1});
    encode(w, StringDef{4, "badarg"});
    encode(w, ActorExited{300, 2, ExitReason::Error, 4, {}});
    encode(w, ChildRestarted{310, 1, 3, 2, 9, ExitReason::Error, 4, {}});
    encode(w, Link{320, 9, 1, LinkOp::Link});
    encode(w, StringDef{5, "demo.request.stop"});
    encode(w, StringDef{6, "duration"});
    encode(w, StringDef{7, "route"});
    Telemetry t;
    t.t_ns = 330; t.actor = 9; t.event = 5;
    t.n_measurements = 1; t.measurements[0] = {6, 0.25};
    t.n_metadata = 1; t.metadata[0] = {7, "/orders"};
    encode(w, t);
    Dropped d;
    d.counts[2] = 17;
    encode(w, d);
    encode(w, Heartbeat{400, 2, 65536, 128, 4});
    TypeTotals tt;
    tt.type = 2; tt.spawned = 2; tt.exited = 1; tt.enqueued = 300; tt.dequeued = 295; tt.busy_ns = 1'234'567;
    tt.hist[0] = 290; tt.hist[4] = 5;
    encode(w, tt);
  });
  check_golden("batch", bytes);
}

// Reason texts sent inline (an addition to 1.0): the text follows the record's 1.0 fields,
// so a 1.0 decoder reads the same record and skips it.
TEST(Golden, ReasonInline) {
  auto bytes = frame(FrameType::Batch, 3, [&](Writer& w) {
    ActorExited e{300, 2, ExitReason::Error, 0, {}};
    e.reason_inline = "{badmatch,{error,4711}}";
    encode(w, e);
    ChildRestarted c{310, 1, 3, 2, 9, ExitReason::Error, 0, {}};
    c.reason_inline = "{badmatch,{error,4711}}";
    encode(w, c);
  });
  check_golden("reason_inline", bytes);
}

// The snapshot's cumulative totals (additions to 1.0): a TypeTotals with exits per reason,
// a SupervisorTotals and a TelemetryTotals.
TEST(Golden, SnapshotTotals) {
  auto bytes = frame(FrameType::Batch, 2, [&](Writer& w) {
    encode(w, StringDef{1, "parser"});
    encode(w, StringDef{2, "parser_pool"});
    encode(w, StringDef{3, "demo.request.stop"});
    TypeTotals tt;
    tt.type = 1; tt.spawned = 12; tt.exited = 10; tt.enqueued = 300; tt.dequeued = 295; tt.busy_ns = 1'234'567;
    tt.hist[0] = 290;
    tt.has_exited_by_reason = true;
    tt.exited_by_reason[static_cast<size_t>(ExitReason::Shutdown)] = 4;
    tt.exited_by_reason[static_cast<size_t>(ExitReason::Error)] = 6;
    encode(w, tt);
    encode(w, SupervisorTotals{2, 88, 1});
    encode(w, TelemetryTotals{3, 1500});
  });
  check_golden("snapshot_totals", bytes);
}

struct GaugesOnly {
  std::vector<NodeGauges> got;
  void on(const NodeGauges& m) { got.push_back(m); }
  template <class T>
  void on(const T&) {}
};

// Node gauges (an addition to 1.0): a BEAM node's process count and reductions.
TEST(Golden, NodeGauges) {
  NodeGauges ng;
  ng.t_ns = 1'000'000'000;
  ng.n = 2;
  ng.values[0] = {static_cast<uint32_t>(NodeGauge::BeamProcesses), 1234};
  ng.values[1] = {static_cast<uint32_t>(NodeGauge::BeamReductions), 5.5e9};
  auto bytes = frame(FrameType::Batch, 3, [&](Writer& w) { encode(w, ng); });
  check_golden("node_gauges", bytes);
  GaugesOnly back;
  ASSERT_TRUE(decode_records(bytes.data() + kFrameHeaderSize, bytes.size() - kFrameHeaderSize, back).ok);
  ASSERT_EQ(back.got.size(), 1u);
  EXPECT_EQ(back.got[0], ng);
}

// Message flow (an addition behind capability bit 3): B received from A and from outside any
// actor, sampled 1 in 32, and the one actor handling a message when the agent flushed.
struct FlowOnly {
  std::vector<FlowEdges> edges;
  std::vector<Handling> handling;
  void on(const FlowEdges& m) { edges.push_back(m); }
  void on(const Handling& m) { handling.push_back(m); }
  template <class T>
  void on(const T&) {}
};

TEST(Golden, Flow) {
  FlowEdges fe;
  fe.sample_every = 32;
  fe.unrecorded = 1;
  fe.n = 2;
  fe.edges[0] = {1, 2, 5, 31, 7, 8};
  fe.edges[1] = {0, 2, 6, 3, 0, 8};
  Handling h;
  h.t_ns = 2'000'000'000;
  h.n = 1;
  h.now[0] = {2, 5, 1'500'000};
  auto bytes = frame(FrameType::Batch, 4, [&](Writer& w) {
    encode(w, StringDef{5, "record"});
    encode(w, StringDef{6, "tick"});
    encode(w, StringDef{7, "ingest"});
    encode(w, StringDef{8, "parser"});
    encode(w, fe);
    encode(w, h);
  });
  check_golden("flow", bytes);
  FlowOnly back;
  ASSERT_TRUE(decode_records(bytes.data() + kFrameHeaderSize, bytes.size() - kFrameHeaderSize, back).ok);
  ASSERT_EQ(back.edges.size(), 1u);
  EXPECT_EQ(back.edges[0], fe);
  ASSERT_EQ(back.handling.size(), 1u);
  EXPECT_EQ(back.handling[0], h);
  // A decoder that does not take them (an older collector) skips both records.
  GaugesOnly older;
  EXPECT_TRUE(decode_records(bytes.data() + kFrameHeaderSize, bytes.size() - kFrameHeaderSize, older).ok);
}

}  // namespace
}  // namespace actorscope::proto
