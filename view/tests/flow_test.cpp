// The flow map view-model: edges by rate, types layered from the sources, receivers coloured
// by their backlog. Rows are built here as the collector sends them.
#include <gtest/gtest.h>

#include <map>

#include "actorscope/view/flow.hpp"
#include "actorscope/view/synthetic.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

void feed(view::Replica& r, const std::vector<pv::FlowRow>& rows) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 1, 0});
  pv::NodeRow n;
  n.node = 1;
  n.name = "shop@demo";
  n.connected = true;
  pv::encode(w, n);
  for (const auto& row : rows) pv::encode(w, row);
  pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

pv::FlowRow row(const std::string& from, const std::string& to, uint64_t rate, uint64_t to_max = 0) {
  pv::FlowRow f;
  f.node = 1;
  f.from_type = from;
  f.to_type = to;
  f.rate_x100 = rate * 100;
  f.messages = rate * 60;
  f.sample_every = 32;
  f.to_mailbox_max = to_max;
  return f;
}

}  // namespace

TEST(FlowMap, ThePipelineReadsFromItsSourceToItsSinkAndTheBacklogIsColoured) {
  view::Replica r;
  // The demo's pipeline, fed from outside any actor, with the store answering the parser (a
  // cycle must not push the parser past the store).
  feed(r, {row("", "ingest", 100), row("ingest", "parser", 990), row("parser", "aggregator", 980),
           row("aggregator", "store", 50, 18'000), row("store", "parser", 5)});
  view::FlowMap m = view::flow_map(r, 0, view::DisplayThresholds{});
  ASSERT_EQ(m.edges.size(), 5u);
  EXPECT_EQ(m.edges[0].from, "ingest");
  EXPECT_EQ(m.edges[0].to, "parser");
  EXPECT_DOUBLE_EQ(m.edges[0].rate, 990);
  EXPECT_EQ(m.edges[4].from, "store");
  EXPECT_EQ(m.sample_every, 32u);
  std::map<std::string, int> layer;
  for (const auto& t : m.types) layer[t.name] = t.layer;
  EXPECT_EQ(layer.at("(outside)"), 0);
  EXPECT_EQ(layer.at("ingest"), 1);
  EXPECT_EQ(layer.at("parser"), 2);
  EXPECT_EQ(layer.at("aggregator"), 3);
  EXPECT_EQ(layer.at("store"), 4);
  EXPECT_EQ(m.layers, 5);
  // 18 000 waiting at the store: critical by the mailbox thresholds, on its edge and its type.
  const view::FlowEdgeView* into_store = nullptr;
  for (const auto& e : m.edges)
    if (e.to == "store") into_store = &e;
  ASSERT_NE(into_store, nullptr);
  EXPECT_EQ(into_store->pressure, view::Severity::critical);
  for (const auto& t : m.types) {
    if (t.name == "store") {
      EXPECT_EQ(t.pressure, view::Severity::critical);
    } else {
      EXPECT_EQ(t.pressure, view::Severity::normal) << t.name;
    }
  }
}

TEST(FlowMap, ACycleWithNoWayInStillGetsLayers) {
  view::Replica r;
  feed(r, {row("a", "b", 10), row("b", "c", 10), row("c", "a", 10)});
  view::FlowMap m = view::flow_map(r, 0, view::DisplayThresholds{});
  ASSERT_EQ(m.types.size(), 3u);
  EXPECT_EQ(m.types[0].name, "a");
  EXPECT_EQ(m.types[0].layer, 0);
  EXPECT_EQ(m.types[1].layer, 1);
  EXPECT_EQ(m.types[2].layer, 2);
}

// The generated system (viewers' --synthetic) shows a believable pipeline: each stage passes
// on less than it gets, and the audit writer that cannot keep up is the critical receiver.
TEST(FlowMap, TheSyntheticShopsPipelineFallsFromTheListenerToTheAuditLog) {
  view::SyntheticSystem sys(view::SyntheticSettings{200, 1, 4096, 100, 7});
  for (int i = 0; i < 30; ++i) sys.tick();
  view::FlowMap m = view::flow_map(sys.replica(), 0, view::DisplayThresholds{});
  ASSERT_FALSE(m.edges.empty());
  std::map<std::pair<std::string, std::string>, const view::FlowEdgeView*> by;
  for (const auto& e : m.edges) by[{e.from, e.to}] = &e;
  const std::vector<std::pair<std::string, std::string>> chain = {
      {"(outside)", "tcp_listener"}, {"tcp_listener", "http_session"}, {"http_session", "job_queue"},
      {"job_queue", "job_scheduler"}, {"job_scheduler", "job_runner"}, {"job_runner", "audit_writer"}};
  for (size_t i = 0; i < chain.size(); ++i) {
    ASSERT_TRUE(by.count(chain[i])) << chain[i].first << " -> " << chain[i].second;
    if (i) {
      EXPECT_LT(by[chain[i]]->rate, by[chain[i - 1]]->rate) << chain[i].first << " -> " << chain[i].second;
    }
  }
  EXPECT_EQ(by[chain.back()]->pressure, view::Severity::critical);
  EXPECT_EQ(m.edges.front().to, "tcp_listener");  // what comes in is the busiest edge
  EXPECT_EQ(m.sample_every, 32u);
}
