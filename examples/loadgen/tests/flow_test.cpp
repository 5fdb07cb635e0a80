// Known traffic through the real agent, collector and a viewer: A sends to B at 1000/s and
// C to B at 100/s. The flow map's estimates are within the sampling's stated error of what
// loadgen counted, and B's top sender is A.
#include <gtest/gtest.h>

#include <cmath>
#include <signal.h>

#include <optional>

#include "eventually.hpp"
#include "stack.hpp"
#include "wire_client.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::testing {
namespace {

namespace wire = proto::viewer;

constexpr double kSampleEvery = 32;  // the agent's default (ACTORSCOPE_FLOW_SAMPLE)

// The stated error of an estimate from sampling 1 in N (docs/OPERATIONS.md): n messages give about
// n / N samples, so the estimate n' has a standard error of about sqrt(n N). Four of them,
// plus one sample's worth for the rounding at either end.
double allowed_error(double n) { return 4 * std::sqrt(n * kSampleEvery) + kSampleEvery; }

std::optional<wire::FlowRow> edge(view::Client& c, const std::string& node_name, const std::string& from, const std::string& to) {
  auto lock = c.lock();
  const view::Replica& r = c.replica();
  for (const auto& [id, row] : r.nodes())
    if (row.name == node_name) {
      auto it = r.flow().find({id, from, to});
      if (it != r.flow().end()) return it->second;
    }
  return std::nullopt;
}

TEST(KnownTraffic, FlowEstimatesAreWithinTheSamplingErrorAndTheTopSenderIsTheBusiest) {
  // A rate window of 2 s: 8 s into a steady flow the decayed rate reads 98 % of it.
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, {"--flow-rate-window-ms", "2000"});
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, {"--collector", collector.address(), "--node", "known", "--actors", "0",
                                           "--messages", "0", "--duration", "12", "--traffic", "A>B:1000", "--traffic",
                                           "C>B:100", "--wait-connected", "30", "--stay", "0"});
  view::ClientOptions o;
  o.address = collector.address();
  view::Client viewer(o);
  viewer.start();

  // While it runs: the rates, A's about ten times C's.
  std::string last;
  bool rates = eventually([&] {
    auto ab = edge(viewer, "known", "A", "B"), cb = edge(viewer, "known", "C", "B");
    if (!ab || !cb) return false;
    double a = static_cast<double>(ab->rate_x100) / 100, c = static_cast<double>(cb->rate_x100) / 100;
    last = "A>B ~" + std::to_string(a) + "/s, C>B ~" + std::to_string(c) + "/s";
    EXPECT_EQ(ab->sample_every, kSampleEvery);
    return std::abs(a - 1000) < 0.25 * 1000 && std::abs(c - 100) < 0.5 * 100;
  }, 60s, 50ms);
  EXPECT_TRUE(rates) << last;

  // B's detail: its senders, busiest first.
  wire::NodeId node = 0;
  uint64_t b = 0;
  ASSERT_TRUE(eventually([&] {
    auto lock = viewer.lock();
    for (const auto& [id, row] : viewer.replica().nodes())
      if (row.name == "known") node = id;
    for (const view::Actor& a : viewer.replica().actors())
      if (a.row.node == node && a.row.name == "B") b = a.row.actor;
    return b != 0;
  }));
  const uint64_t request = viewer.request_detail(node, b);
  std::optional<wire::DetailReply> detail;
  ASSERT_TRUE(eventually([&] {
    auto lock = viewer.lock();
    const auto& d = viewer.replica().detail();
    if (d && d->actor == b && d->has_flow && d->senders.size() >= 2) detail = d;
    return detail.has_value();
  })) << "request " << request;
  EXPECT_EQ(detail->senders[0].name, "A") << "the top sender of B";
  EXPECT_EQ(detail->senders[0].type, "A");
  EXPECT_EQ(detail->senders[1].name, "C");
  EXPECT_GT(detail->senders[0].rate_x100, 3 * detail->senders[1].rate_x100);
  ASSERT_FALSE(detail->message_types.empty());
  EXPECT_EQ(detail->message_types[0].type, "request");

  // At the end: the estimated counts against loadgen's exact ones, in the viewer and in /metrics.
  auto counts = loadgen.counts(60s);
  ASSERT_TRUE(counts) << loadgen.process().output();
  const double sent_ab = (*counts)["sent_A>B"], sent_cb = (*counts)["sent_C>B"];
  ASSERT_GT(sent_ab, 5000) << loadgen.process().output();
  ASSERT_GT(sent_cb, 500);
  bool totals = eventually([&] {
    auto ab = edge(viewer, "known", "A", "B"), cb = edge(viewer, "known", "C", "B");
    if (!ab || !cb) return false;
    last = "A>B ~" + std::to_string(ab->messages) + " of " + std::to_string(sent_ab) + ", C>B ~" +
           std::to_string(cb->messages) + " of " + std::to_string(sent_cb);
    return std::abs(static_cast<double>(ab->messages) - sent_ab) <= allowed_error(sent_ab) &&
           std::abs(static_cast<double>(cb->messages) - sent_cb) <= allowed_error(sent_cb);
  }, 30s, 50ms);
  EXPECT_TRUE(totals) << last;
  auto m = collector.scrape();
  ASSERT_TRUE(m);
  auto prom = m->sum("actorscope_messages_sent_total", {{"node", "known"}, {"from_type", "A"}, {"to_type", "B"}});
  ASSERT_TRUE(prom);
  EXPECT_LE(std::abs(*prom - sent_ab), allowed_error(sent_ab)) << *prom << " of " << sent_ab;
  std::printf("known traffic: %s (sampled 1 in %.0f)\n", last.c_str(), kSampleEvery);
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}

// An agent from before message flow (its hello offers no flow; it sends only the records it
// knew) and a current one, on the same current collector: the older one is welcomed without
// flow, its actors and counters are all there, its detail says it reports no flow, and the
// current one's flow is untouched. (The reverse, a current agent and a collector that does
// not take flow, is agent.FlowTest.ACollectorThatDoesNotTakeFlowReceivesNoneAndCountsStayExact.)
TEST(KnownTraffic, AnAgentFromBeforeFlowAndACurrentOneShareACurrentCollector) {
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"});
  collector::testing::Client old(collector.address());
  ASSERT_TRUE(old.connected());
  proto::Hello hello;
  hello.role = proto::Role::Agent;
  hello.node = "old";
  hello.incarnation = 1;
  hello.program = "before-flow";
  hello.capabilities = 0;
  ASSERT_TRUE(old.send_hello(hello));
  proto::FrameHeader h;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(old.read_frame(h, payload));
  ASSERT_EQ(h.type, proto::FrameType::Welcome);
  proto::Welcome welcome;
  proto::Reader r(payload.data(), payload.size());
  std::string error;
  ASSERT_TRUE(proto::decode(r, welcome, error)) << error;
  EXPECT_EQ(welcome.capabilities & proto::kCapFlow, 0u) << "flow is not granted to an agent that did not offer it";
  std::vector<uint8_t> batch;
  proto::Writer w(batch);
  proto::encode(w, proto::StringDef{1, "queue"});
  proto::encode(w, proto::StringDef{2, "orders"});
  proto::ActorSpawned spawn;
  spawn.actor = 7;
  spawn.name = 2;
  spawn.type = 1;
  proto::encode(w, spawn);
  proto::ActorStats stats;
  stats.actor = 7;
  stats.enqueued = 1500;
  stats.dequeued = 1200;
  stats.mailbox = 300;
  proto::encode(w, stats);
  ASSERT_TRUE(old.send_frame(proto::FrameType::Batch, batch));

  Loadgen current(ACTORSCOPE_LOADGEN_BIN, {"--collector", collector.address(), "--node", "current", "--actors", "0",
                                           "--messages", "0", "--duration", "30", "--traffic", "A>B:500",
                                           "--wait-connected", "30", "--stay", "0"});
  view::ClientOptions o;
  o.address = collector.address();
  view::Client viewer(o);
  viewer.start();
  wire::NodeId old_node = 0;
  ASSERT_TRUE(eventually([&] {
    auto lock = viewer.lock();
    for (const auto& [id, row] : viewer.replica().nodes())
      if (row.name == "old") old_node = id;
    const view::Actor* a = old_node ? viewer.replica().actor({old_node, 7}) : nullptr;
    return a && a->stats.mailbox == 300 && a->stats.dequeued == 1200 && a->row.name == "orders";
  })) << "the older agent's actor and counters";
  ASSERT_TRUE(eventually([&] { return edge(viewer, "current", "A", "B").has_value(); }, 60s, 50ms))
      << current.process().output();
  EXPECT_FALSE(edge(viewer, "old", "", "queue").has_value());
  {
    auto lock = viewer.lock();
    for (const auto& [key, row] : viewer.replica().flow()) EXPECT_NE(std::get<0>(key), old_node) << "no flow for the older agent";
  }
  viewer.request_detail(old_node, 7);
  std::optional<wire::DetailReply> detail;
  ASSERT_TRUE(eventually([&] {
    auto lock = viewer.lock();
    const auto& d = viewer.replica().detail();
    if (d && d->node == old_node && d->actor == 7) detail = d;
    return detail.has_value();
  }));
  EXPECT_TRUE(detail->found);
  EXPECT_FALSE(detail->has_flow) << "its detail says no flow is reported, not 'none lately'";
  auto m = collector.scrape();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sum("actorscope_collector_model_anomalies_total", {{"kind", "flow_not_offered"}}).value_or(0), 0);
  EXPECT_FALSE(m->sum("actorscope_messages_sent_total", {{"node", "old"}}).has_value());
  EXPECT_TRUE(m->sum("actorscope_messages_sent_total", {{"node", "current"}}).has_value());
  current.process().signal(SIGTERM);
  EXPECT_EQ(current.process().wait_exit(30s), 0) << current.process().output();
}

}  // namespace
}  // namespace actorscope::testing
