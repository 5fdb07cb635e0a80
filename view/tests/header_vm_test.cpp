// The header's VM line: node gauges travel in NodeRow (through the viewer codec) and become
// labelled figures, with limits coloured near exhaustion and sums over several nodes.
#include <gtest/gtest.h>

#include "actorscope/protocol/node_gauges.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/export.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/header.hpp"
#include "actorscope/view/tree_box.hpp"
#include "actorscope/view/replica.hpp"

using namespace actorscope;
namespace pv = proto::viewer;
using proto::NodeGauge;

namespace {

pv::NodeRow beam_node(pv::NodeId id, double processes, double limit, double reductions_per_s) {
  pv::NodeRow n;
  n.node = id;
  n.name = "shop" + std::to_string(id) + "@web";
  n.connected = true;
  auto put = [&](NodeGauge g, double v, double per_s = 0) { n.gauges.push_back({static_cast<uint32_t>(g), v, per_s}); };
  put(NodeGauge::BeamProcesses, processes);
  put(NodeGauge::BeamProcessLimit, limit);
  put(NodeGauge::BeamSchedulerUtilization, 0.25);
  put(NodeGauge::BeamMemoryAllocated, 64.0 * 1024 * 1024);
  put(NodeGauge::BeamReductions, 1e9, reductions_per_s);
  put(NodeGauge::BeamAttachReductions, 5e6, 2500);
  return n;
}

void feed(view::Replica& r, const std::vector<pv::NodeRow>& nodes) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, nodes.size(), 0});
  for (const auto& n : nodes) pv::encode(w, n);
  pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

std::string figure(const view::HeaderModel& h, const std::string& label, view::Severity* sev = nullptr) {
  for (const auto& f : h.vm)
    if (f.label == label) {
      if (sev) *sev = f.severity;
      return f.value;
    }
  return "(none)";
}

}  // namespace

TEST(HeaderVm, OneNodesFiguresWithItsLimits) {
  view::Replica r;
  pv::NodeRow cpp;
  cpp.node = 9;
  cpp.name = "orders@h1";
  cpp.connected = true;
  feed(r, {beam_node(1, 1200, 262144, 150000), cpp});
  ASSERT_EQ(r.node(1)->gauges.size(), 6u) << "the gauges crossed the viewer codec";
  auto h = view::header(r, 1);
  EXPECT_EQ(h.vm_title, "BEAM");
  view::Severity sev = view::Severity::critical;
  EXPECT_EQ(figure(h, "procs", &sev), "1.2k/262k");
  EXPECT_EQ(sev, view::Severity::normal);
  EXPECT_EQ(figure(h, "sched"), "25%");
  EXPECT_EQ(figure(h, "red/s"), "150k");
  EXPECT_EQ(figure(h, "attach red/s"), "2.5k");
  EXPECT_EQ(figure(h, "mem"), "64MiB") << "formatted by the view's byte rule";
  EXPECT_TRUE(view::header(r, 9).vm_title.empty()) << "a C++ node has no VM line";
}

TEST(HeaderVm, ACountNearItsLimitAsksForAttention) {
  view::Replica r;
  feed(r, {beam_node(1, 250000, 262144, 0)});
  view::Severity sev = view::Severity::normal;
  figure(view::header(r, 1), "procs", &sev);
  EXPECT_EQ(sev, view::Severity::critical);
}

TEST(HeaderVm, SeveralNodesAreSummedWithoutLimits) {
  view::Replica r;
  feed(r, {beam_node(1, 1000, 262144, 100), beam_node(2, 500, 262144, 50)});
  auto h = view::header(r);
  EXPECT_EQ(h.vm_title, "BEAM (2 nodes)");
  EXPECT_EQ(figure(h, "procs"), "1.5k");
  EXPECT_EQ(figure(h, "red/s"), "150");
  EXPECT_EQ(figure(h, "sched"), "(none)") << "utilisations do not add up";
}

// A BEAM node's actor rates are reductions/s (its NodeRow says so, through the codec): every
// place that shows the rate says which unit it is in, and a table showing both kinds of
// node marks each row's unit.
TEST(HeaderVm, ActorRatesOnABeamNodeAreReductions) {
  view::Replica r;
  pv::NodeRow beam = beam_node(1, 1200, 262144, 150000);
  beam.rate_unit = pv::RateUnit::Reductions;
  beam.syncing = false;
  pv::NodeRow beam_syncing = beam_node(3, 10, 262144, 0);
  beam_syncing.rate_unit = pv::RateUnit::Reductions;
  beam_syncing.syncing = true;
  beam_syncing.sync_actors = 10;
  beam_syncing.sync_described = 4;
  pv::NodeRow cpp;
  cpp.node = 9;
  cpp.name = "orders@h1";
  cpp.connected = true;
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 3, 2});
  for (const auto* n : {&beam, &beam_syncing, &cpp}) pv::encode(w, *n);
  for (pv::NodeId node : {1u, 9u}) {
    pv::ActorRow a;
    a.node = node;
    a.actor = 5;
    a.name = "worker";
    a.type = "w";
    pv::encode(w, a);
    pv::ActorStats s;
    s.node = node;
    s.actor = 5;
    s.dequeued = node == 1 ? 90'000 : 700;
    s.processed = node == 1 ? 0 : 600;
    s.busy_ns = node == 1 ? 0 : 6'000'000;
    s.msgs_per_s_x100 = node == 1 ? 450'000 : 12'000;  // 4500 red/s; 120 msg/s
    pv::encode(w, s);
  }
  pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  ASSERT_EQ(r.node(1)->rate_unit, pv::RateUnit::Reductions);
  ASSERT_EQ(r.node(3)->rate_unit, pv::RateUnit::Reductions) << "the unit follows a syncing node's fields";
  EXPECT_TRUE(r.node(3)->syncing);
  EXPECT_EQ(r.node(3)->sync_described, 4u);
  ASSERT_EQ(r.node(9)->rate_unit, pv::RateUnit::Messages);

  EXPECT_EQ(view::rate_column(r, 0), view::RateColumn::mixed);
  EXPECT_EQ(view::rate_column(r, 1), view::RateColumn::reductions);
  EXPECT_EQ(view::rate_column(r, 9), view::RateColumn::messages);
  EXPECT_EQ(view::rate_title(view::RateColumn::mixed), "RATE/S");
  const view::Actor* on_beam = r.actor({1, 5});
  const view::Actor* on_cpp = r.actor({9, 5});
  ASSERT_TRUE(on_beam && on_cpp);
  EXPECT_EQ(view::rate_cell(r, *on_beam, view::RateColumn::mixed), "4.5k r");
  EXPECT_EQ(view::rate_cell(r, *on_cpp, view::RateColumn::mixed), "120 m");
  EXPECT_EQ(view::rate_cell(r, *on_beam, view::RateColumn::reductions), "4.5k");
  EXPECT_EQ(view::format_actor_rate(r, 1, on_beam->msgs_per_s()), "4.5k red/s");
  EXPECT_EQ(view::format_actor_rate(r, 9, on_cpp->msgs_per_s()), "120/s");
  // Busy time exists only where messages are processed: none on the BEAM, not "0ns".
  EXPECT_EQ(view::busy_cell(r, *on_beam), "-");
  EXPECT_EQ(view::busy_cell(r, *on_cpp), view::format_duration_ns(6'000'000));
  EXPECT_NE(view::busy_cell(r, *on_cpp), "-");

  EXPECT_FALSE(view::header(r, 1).msgs_known) << "a BEAM node counts no messages processed";
  EXPECT_TRUE(view::header(r, 0).msgs_known);
  EXPECT_TRUE(view::header(r, 9).msgs_known);

  auto d = view::detail(r, {1, 5});
  EXPECT_EQ(d.rate_unit, "red/s");
  EXPECT_EQ(d.work_label, "reductions");
  EXPECT_EQ(d.work, 90'000u);
  EXPECT_EQ(d.avg_processing_ns, 0u) << "no processing time is known on the BEAM";
  auto dc = view::detail(r, {9, 5});
  EXPECT_EQ(dc.rate_unit, "msg/s");
  EXPECT_EQ(dc.work, 600u) << "processed: the scopes that ended, not the dequeues";
  EXPECT_EQ(dc.avg_processing_ns, 10'000u);

  const std::string row = view::actors_csv_row(r, *on_beam);
  EXPECT_NE(row.find(",4500.00,reductions,"), std::string::npos) << row;
  EXPECT_NE(view::actors_csv_row(r, *on_cpp).find(",120.00,messages,"), std::string::npos);
}
