// Known traffic through the real agent, collector and a viewer: A sends to B at 1000/s and
// C to B at 100/s. The flow map's estimates are within the sampling's stated error of what
// loadgen counted, and B's top sender is A.
#include <gtest/gtest.h>

#include <cmath>
#include <signal.h>

#include <optional>

#include "eventually.hpp"
#include "stack.hpp"
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

}  // namespace
}  // namespace actorscope::testing
