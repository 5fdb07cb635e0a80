// The CAF demo's message flow through the real adapter, collector and a viewer: its pipeline
// reads ingest → parser → aggregator → store, in that direction (by type, and within the
// ingest supervisor's subtree), and the slow store shows who sends to it. The demo calls no
// flow API: the adapter takes the sender from CAF.
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "child_process.hpp"
#include "eventually.hpp"
#include "stack.hpp"
#include "actorscope/view/client.hpp"
#include "actorscope/view/flow.hpp"

namespace actorscope::testing {
namespace {

namespace wire = proto::viewer;

TEST(DemoFlow, ThePipelineReadsIngestParserAggregatorStoreAndTheStoreShowsItsSenders) {
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"});
  ChildProcess demo(ACTORSCOPE_DEMO_BIN, {"--duration", "0", "--quiet", "--storm-every", "0", "--crash-rate", "0"},
                    {"ACTORSCOPE_COLLECTOR=" + collector.address(), "ACTORSCOPE_NODE=flowdemo"});
  view::ClientOptions o;
  o.address = collector.address();
  view::Client viewer(o);
  viewer.start();

  // The pipeline's edges, each flowing, and the types in layers in the pipeline's order.
  std::map<std::string, int> layer;
  std::string summary;
  bool pipeline = eventually([&] {
    auto lock = viewer.lock();
    const view::FlowMap m = view::flow_map(viewer.replica(), 0, view::DisplayThresholds{});
    auto flowing = [&](const std::string& from, const std::string& to) {
      for (const view::FlowEdgeView& e : m.edges)
        if (e.from == from && e.to == to) return e.rate > 0;
      return false;
    };
    if (!flowing("ingest", "parser") || !flowing("parser", "aggregator") || !flowing("aggregator", "store")) return false;
    layer.clear();
    for (const view::FlowTypeView& t : m.types) layer[t.name] = t.layer;
    summary = view::flow_summary(m);
    return true;
  }, 60s, 50ms);
  ASSERT_TRUE(pipeline) << demo.output();
  EXPECT_LT(layer.at("ingest"), layer.at("parser")) << summary;
  EXPECT_LT(layer.at("parser"), layer.at("aggregator")) << summary;
  EXPECT_LT(layer.at("aggregator"), layer.at("store")) << summary;
  // The summary line names the layers in order (types of one layer joined by " | ").
  EXPECT_LT(summary.find("ingest"), summary.find("parser")) << summary;
  EXPECT_LT(summary.find("parser"), summary.find("aggregator")) << summary;
  EXPECT_LT(summary.find("aggregator"), summary.find("store")) << summary;
  EXPECT_NE(summary.find("store"), std::string::npos) << summary;
  // No edge runs backwards along the pipeline.
  {
    auto lock = viewer.lock();
    const view::FlowMap m = view::flow_map(viewer.replica(), 0, view::DisplayThresholds{});
    for (const view::FlowEdgeView& e : m.edges)
      for (auto [later, earlier] : {std::pair{"store", "aggregator"}, {"aggregator", "parser"}, {"parser", "ingest"}})
        EXPECT_FALSE(e.from == later && e.to == earlier) << e.from << " -> " << e.to;
  }

  // The store's detail: its sender is the aggregator, and what it is sent is named.
  wire::NodeId node = 0;
  uint64_t store = 0;
  ASSERT_TRUE(eventually([&] {
    auto lock = viewer.lock();
    for (const view::Actor& a : viewer.replica().actors())
      if (a.row.type == "store") node = a.row.node, store = a.row.actor;
    return store != 0;
  }));
  std::optional<wire::DetailReply> detail;
  bool senders = eventually([&] {
    {
      auto lock = viewer.lock();
      const auto& d = viewer.replica().detail();
      if (d && d->actor == store && d->has_flow && !d->senders.empty()) detail = d;
    }
    if (!detail) viewer.request_detail(node, store);  // again: its samples may not have come yet
    return detail.has_value();
  }, 60s, 200ms);
  ASSERT_TRUE(senders);
  EXPECT_EQ(detail->senders[0].type, "aggregator");
  ASSERT_FALSE(detail->message_types.empty());
  EXPECT_EQ(detail->message_types[0].type, "store");

  // By supervisor subtree: within ingest_sup the pipeline runs between its children, the
  // parsers' pool standing for all its workers, in the same direction; nothing flows back.
  uint64_t ingest_sup = 0;
  {
    auto lock = viewer.lock();
    for (const view::Actor& a : viewer.replica().actors())
      if (a.row.node == node && a.is_supervisor() && view::display_name(a.row) == "ingest_sup") ingest_sup = a.row.actor;
  }
  ASSERT_NE(ingest_sup, 0u);
  view::SubtreeFlowView within;
  bool subtree = eventually([&] {
    {
      auto lock = viewer.lock();
      within = view::subtree_flow_view(viewer.replica(), node, ingest_sup, view::DisplayThresholds{});
    }
    auto flowing = [&](const std::string& from, const std::string& to) {
      for (const view::FlowEdgeView& e : within.map.edges)
        if (e.from == from && e.to == to) return e.rate > 0;
      return false;
    };
    if (within.state == view::SubtreeFlowView::State::Shown && flowing("ingest", "parser_pool") &&
        flowing("parser_pool", "aggregator") && flowing("aggregator", "store"))
      return true;
    viewer.request_subtree_flow(node, ingest_sup);
    return false;
  }, 60s, 200ms);
  ASSERT_TRUE(subtree) << within.title;
  EXPECT_NE(within.title.find("flow within ingest_sup"), std::string::npos) << within.title;
  for (const view::FlowEdgeView& e : within.map.edges)
    for (auto [later, earlier] : {std::pair{"store", "aggregator"}, {"aggregator", "parser_pool"}, {"parser_pool", "ingest"}})
      EXPECT_FALSE(e.from == later && e.to == earlier) << e.from << " -> " << e.to;
  bool pool_is_a_supervisor = false;
  for (const view::FlowTypeView& t : within.map.types)
    if (t.name == "parser_pool") pool_is_a_supervisor = t.supervisor && t.actor != 0;
  EXPECT_TRUE(pool_is_a_supervisor) << "the pool's group leads to its own subtree";
  demo.signal(SIGTERM);
  EXPECT_EQ(demo.wait_exit(30s), 0) << demo.output();
}

}  // namespace
}  // namespace actorscope::testing
