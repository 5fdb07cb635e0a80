// Node gauges (a BEAM node's VM): the model keeps the last reading and the counters' rates,
// the exporter writes them under the protocol's fixed names, a viewer row carries them.
#include <gtest/gtest.h>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/protocol/node_gauges.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::NodeGauge;
using testing::Stream;

proto::NodeGauges reading(uint64_t t_ns, std::initializer_list<std::pair<NodeGauge, double>> values) {
  proto::NodeGauges g;
  g.t_ns = t_ns;
  for (const auto& [id, v] : values) g.values[g.n++] = {static_cast<uint32_t>(id), v};
  return g;
}

const GaugeReading& gauge(const Model& m, NodeKey n, NodeGauge g) { return m.node(n)->gauges[static_cast<size_t>(g)]; }

TEST(NodeGauges, LevelsAreTheLastReadingCountersGetARate) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("shop@web1"));
  Stream s;
  s.add(reading(1'000'000'000, {{NodeGauge::BeamProcesses, 120}, {NodeGauge::BeamReductions, 5'000}}));
  s.add(reading(3'000'000'000, {{NodeGauge::BeamProcesses, 130}, {NodeGauge::BeamReductions, 25'000}}));
  s.apply(m, n);
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamProcesses).value, 130);
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamProcesses).per_s, 0) << "a level has no rate";
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamReductions).value, 25'000);
  EXPECT_DOUBLE_EQ(gauge(m, n, NodeGauge::BeamReductions).per_s, 10'000) << "20 000 reductions in 2 s";
  EXPECT_FALSE(gauge(m, n, NodeGauge::BeamAtoms).set);
}

TEST(NodeGauges, ACounterThatWentBackOrANewConnectionGivesNoRate) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("shop@web1"));
  Stream s;
  s.add(reading(1'000'000'000, {{NodeGauge::BeamAttachReductions, 9'000}}));
  s.add(reading(2'000'000'000, {{NodeGauge::BeamAttachReductions, 100}}));  // the relay restarted
  s.apply(m, n);
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamAttachReductions).per_s, 0);
  m.on_disconnect(n, 1);
  m.on_hello(2, testing::hello("shop@web1"));
  Stream s2;
  s2.add(reading(5'000'000'000, {{NodeGauge::BeamAttachReductions, 900}}));
  s2.apply(m, n);
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamAttachReductions).per_s, 0) << "no rate across connections";
  EXPECT_EQ(gauge(m, n, NodeGauge::BeamAttachReductions).value, 900);
}

TEST(NodeGauges, UnknownIdsAndImpossibleValuesAreIgnored) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("shop@web1"));
  Stream s;
  proto::NodeGauges g = reading(1, {{NodeGauge::BeamProcesses, -5}, {NodeGauge::BeamAtoms, std::nan("")}});
  g.values[g.n++] = {9999, 1};  // from a newer peer
  s.add(g);
  s.apply(m, n);
  EXPECT_FALSE(gauge(m, n, NodeGauge::BeamProcesses).set);
  EXPECT_FALSE(gauge(m, n, NodeGauge::BeamAtoms).set);
}

TEST(NodeGauges, ExportedUnderFixedNamesOnlyWhileConnected) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("shop@web1"));
  NodeKey cpp = m.on_hello(2, testing::hello("orders@h1"));
  Stream s;
  s.add(reading(1'000'000'000, {{NodeGauge::BeamProcesses, 120},
                                {NodeGauge::BeamMemoryEts, 4096},
                                {NodeGauge::BeamReductions, 5'000},
                                {NodeGauge::BeamAttachReductions, 77}}));
  s.apply(m, n);
  Stream s2;
  s2.spawn(1, 0, "parser");
  s2.apply(m, cpp);
  ExporterSettings st;
  std::string text = to_text(render_model(m, st));
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("actorscope_beam_processes{node=\"shop@web1\"} 120\n")) << text;
  EXPECT_TRUE(has("actorscope_beam_memory_ets_bytes{node=\"shop@web1\"} 4096\n"));
  EXPECT_TRUE(has("# TYPE actorscope_beam_reductions_total counter\n"));
  EXPECT_TRUE(has("actorscope_beam_reductions_total{node=\"shop@web1\"} 5000\n"));
  EXPECT_TRUE(has("actorscope_beam_attach_reductions_total{node=\"shop@web1\"} 77\n"));
  EXPECT_FALSE(has("actorscope_beam_processes{node=\"orders@h1\"")) << "a node without gauges has no series";
  EXPECT_FALSE(has("actorscope_beam_atoms")) << "a gauge nobody reported has no family";
  m.on_disconnect(n, 1);
  text = to_text(render_model(m, st));
  EXPECT_EQ(text.find("actorscope_beam_"), std::string::npos) << "a gone node's readings are not exported\n" << text;
}

}  // namespace
}  // namespace actorscope::collector
