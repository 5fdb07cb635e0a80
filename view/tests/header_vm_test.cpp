// The header's VM line: node gauges travel in NodeRow (through the viewer codec) and become
// labelled figures, with limits coloured near exhaustion and sums over several nodes.
#include <gtest/gtest.h>

#include "actorscope/protocol/node_gauges.hpp"
#include "actorscope/view/header.hpp"
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
