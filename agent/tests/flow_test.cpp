// Sampled message flow through the real agent: what a collector that takes flow receives,
// against the sends the test made (the truth), and nothing for a collector that does not.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "actorscope/agent.h"
#include "actorscope/agent.hpp"
#include "fake_collector.hpp"

using actorscope::testing::FakeCollector;
using actorscope::testing::Seen;
namespace proto = actorscope::proto;

namespace {

actorscope_config fast_config(const std::string& address) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.collector = address.c_str();
  c.node = "flow@test";
  c.flush_ms = 20;
  c.backoff_min_ms = 20;
  c.backoff_max_ms = 200;
  return c;
}

actorscope_actor* spawn(const char* type) {
  actorscope_spawn_info i{};
  i.type = type;
  return actorscope_spawn(&i);
}

class FlowTest : public ::testing::Test {
 protected:
  void TearDown() override { actorscope_stop(); }
};

uint64_t sampled_sends(const Seen& s, uint64_t to) {
  uint64_t n = 0;
  for (const auto& [edge, count] : s.flow)
    if (std::get<1>(edge) == to) n += count;
  return n;
}

}  // namespace

TEST_F(FlowTest, EachSendersEstimateIsWithinTheSamplingErrorOfWhatItSent) {
  FakeCollector fc;
  fc.grant(proto::kCapCommands | proto::kCapFlow);
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  ASSERT_TRUE(fc.seen().hellos[0].capabilities & proto::kCapFlow) << "the agent offers flow";
  actorscope_actor* a = spawn("ingest");
  actorscope_actor* b = spawn("parser");
  actorscope_actor* cc = spawn("clock");
  uint64_t ida = actorscope_actor_id(a), idb = actorscope_actor_id(b), idc = actorscope_actor_id(cc);
  actorscope_msg_type record = actorscope_message_type("record");
  actorscope_msg_type tick = actorscope_message_type("tick");
  ASSERT_NE(record, 0u);
  ASSERT_NE(tick, record);
  // The truth: A sends 10 records for each tick C sends (a fixed pattern, which must not
  // line up with the sampling), and 3 200 records come from outside any actor.
  constexpr uint64_t kRounds = 8000;
  for (uint64_t r = 0; r < kRounds; ++r) {
    for (int i = 0; i < 10; ++i) actorscope_enqueue_from(b, a, record);
    actorscope_enqueue_from(b, cc, tick);
  }
  for (int i = 0; i < 3200; ++i) actorscope_enqueue_from(b, nullptr, record);
  const uint64_t total = kRounds * 11 + 3200;
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.stats.count(idb) && s.stats.at(idb).enqueued == total; }))
      << "exact counts stay exact";
  // Every sample reaches the collector: wait until two more flushes brought nothing new.
  uint64_t last = 0;
  int still = 0;
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) {
    uint64_t n = sampled_sends(s, idb);
    still = n == last && n > 0 ? still + 1 : 0;
    last = n;
    return still >= 20;
  }));
  Seen s = fc.seen();
  ASSERT_EQ(s.flow_sample_every, 32u);
  EXPECT_EQ(s.flow_unrecorded, 0u);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
  auto estimate = [&](uint64_t from, const std::string& type) {
    auto it = s.flow.find({from, idb, type});
    return it == s.flow.end() ? 0.0 : double(it->second) * s.flow_sample_every;
  };
  // k samples estimate their sends within about 1/sqrt(k); allow four times that.
  auto within = [](double est, double truth) {
    double k = truth / 32;
    return std::fabs(est - truth) <= 4 * truth / std::sqrt(k);
  };
  double from_a = estimate(ida, "record"), from_c = estimate(idc, "tick"), outside = estimate(0, "record");
  EXPECT_TRUE(within(from_a, kRounds * 10.0)) << from_a << " for " << kRounds * 10;
  EXPECT_TRUE(within(from_c, kRounds)) << from_c << " for " << kRounds;
  EXPECT_TRUE(within(outside, 3200)) << outside << " for 3200";
  EXPECT_GT(from_a, from_c) << "the top sender of the parser is the ingest";
  EXPECT_EQ(s.flow.size(), 3u) << "no edge that was not sent";
  for (const auto& [edge, count] : s.flow) EXPECT_EQ(std::get<1>(edge), idb);
}

TEST_F(FlowTest, ACollectorThatDoesNotTakeFlowReceivesNoneAndCountsStayExact) {
  FakeCollector fc;  // grants commands only, as a collector from before message flow
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_actor* a = spawn("ingest");
  actorscope_actor* b = spawn("parser");
  uint64_t idb = actorscope_actor_id(b);
  actorscope_msg_type record = actorscope_message_type("record");
  for (int i = 0; i < 10000; ++i) actorscope_enqueue_from(b, a, record);
  {
    actorscope::HandlingScope busy(actorscope::Actor(b), record);
  }
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.stats.count(idb) && s.stats.at(idb).enqueued == 10000; }));
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.heartbeats >= 1; }));
  Seen s = fc.seen();
  EXPECT_EQ(s.flow_records, 0);
  EXPECT_TRUE(s.handling.empty());
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
}

TEST_F(FlowTest, AnActorInsideAHandlerIsReportedWithItsMessageTypeUntilItLeaves) {
  FakeCollector fc;
  fc.grant(proto::kCapFlow);
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  actorscope_actor* store = spawn("store");
  uint64_t id = actorscope_actor_id(store);
  actorscope_msg_type write = actorscope_message_type("write_batch");
  std::atomic<bool> release{false};
  std::thread worker([&] {
    actorscope::HandlingScope busy(actorscope::Actor(store), write);
    while (!release.load()) std::this_thread::yield();
  });
  // Seen busy, then busy for longer at a later flush: the time is the handler's so far.
  uint64_t first_busy = 0;
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) {
    for (const auto& h : s.handling)
      for (const auto& x : h)
        if (x.actor == id && x.type == "write_batch") {
          if (first_busy == 0) first_busy = x.busy_ns + 1;
          else if (x.busy_ns + 1 > first_busy) return true;
        }
    return false;
  }));
  release.store(true);
  worker.join();
  // Once the handler returned, a Handling without it follows.
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return !s.handling.empty() && s.handling.back().empty(); }));
  EXPECT_TRUE(fc.seen().errors.empty());
}
