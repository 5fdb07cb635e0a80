// Message flow in the model: sampled sends become rates by type pair and per receiving
// actor. The expected rates are the ones this test sends (sampled sends × sampling rate).
#include <gtest/gtest.h>

#include <cmath>

#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;
constexpr uint64_t kSecond = 1'000'000'000;

struct FlowRun {
  Model m;
  NodeKey n;
  Stream s;
  uint64_t now = kSecond;
  explicit FlowRun(ModelSettings settings = {}) : m(settings), n(m.on_hello(1, testing::hello("orders@host"))) {
    m.set_now(now);
  }
  proto::FlowEdges edges(std::initializer_list<proto::FlowEdge> list, uint32_t every = 32) {
    proto::FlowEdges r;
    r.sample_every = every;
    for (const auto& e : list) r.edges[r.n++] = e;
    return r;
  }
  void second() {
    now += kSecond;
    m.set_now(now);
    m.tick(now);
  }
};

bool near(double got, double want, double rel) { return std::fabs(got - want) <= rel * want; }

TEST(ModelFlow, RatesByTypePairAndTopSendersFollowWhatWasSent) {
  FlowRun r;
  r.s.spawn(1, 0, "ingest", "ingest-1").spawn(2, 0, "parser", "parser-1").spawn(3, 0, "clock", "clock");
  proto::StringId record = r.s.str("record"), tick = r.s.str("tick");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  // For 60 s: ingest sends the parser 31 sampled records a second (992 messages at 1 in 32),
  // the clock 3 ticks (96), and 1 sampled send a second comes from outside any actor (32).
  for (int sec = 0; sec < 60; ++sec) {
    r.s.add(r.edges({{1, 2, record, 31}, {3, 2, tick, 3}, {0, 2, record, 1}}));
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
    r.second();
  }
  std::map<std::pair<std::string, std::string>, const FlowPair*> pairs;
  for (const FlowPair& p : r.m.flow_pairs(r.n)) pairs[{std::string(r.m.text(p.from_type)), std::string(r.m.text(p.to_type))}] = &p;
  ASSERT_EQ(pairs.size(), 3u);
  const FlowPair* ingest = pairs.at({"ingest", "parser"});
  EXPECT_EQ(ingest->messages, 60u * 992);
  EXPECT_EQ(ingest->samples, 60u * 31);
  // Decayed over 10 s and read a second after the last batch (sent once a second here, so the
  // rate reads between its peak and e^-0.1 of it): within 10 % of the steady rate.
  EXPECT_TRUE(near(r.m.flow_rate(*ingest), 992, 0.1)) << r.m.flow_rate(*ingest);
  EXPECT_TRUE(near(r.m.flow_rate(*pairs.at({"clock", "parser"})), 96, 0.1));
  EXPECT_EQ(pairs.at({"", "parser"})->messages, 60u * 32) << "sends from outside any actor";
  // Each step's messages are kept per pair.
  ASSERT_GE(ingest->history_count, 59u);
  EXPECT_EQ(ingest->history[(ingest->history_next + kFlowHistory - 1) % kFlowHistory], 992u);

  auto senders = r.m.top_senders(r.n, 2, 10);
  ASSERT_EQ(senders.size(), 3u);
  EXPECT_EQ(senders[0].from, 1u) << "the top sender of the parser is the ingest";
  EXPECT_EQ(r.m.text(senders[0].type), "ingest");
  EXPECT_EQ(senders[1].from, 3u);
  EXPECT_EQ(senders[2].from, 0u);
  EXPECT_GT(senders[0].rate, 8 * senders[1].rate);
  auto mix = r.m.message_mix(r.n, 2, 10);
  ASSERT_EQ(mix.size(), 2u);
  EXPECT_EQ(r.m.text(mix[0].type), "record");
  EXPECT_TRUE(near(mix[0].rate, 992 + 32, 0.1)) << mix[0].rate;
  EXPECT_EQ(r.m.text(mix[1].type), "tick");
  FlowStats st = r.m.flow_stats(r.n);
  EXPECT_EQ(st.sample_every, 32u);
  EXPECT_EQ(st.samples, 60u * 35);

  // The ingest stops: its rate decays, its total stays.
  for (int sec = 0; sec < 30; ++sec) r.second();
  EXPECT_LT(r.m.flow_rate(*ingest), 992 * 0.06);
  EXPECT_EQ(ingest->messages, 60u * 992);
}

TEST(ModelFlow, TopSendersStayBoundedAndTheHeavyHitterLeads) {
  ModelSettings settings;
  settings.flow_senders_per_actor = 4;
  FlowRun r(settings);
  r.s.spawn(1, 0, "store", "store");
  for (uint64_t id = 10; id < 110; ++id) r.s.spawn(id, 0, "writer");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  // 100 writers send 1 sampled write each a second; writer 10 sends 100.
  for (int sec = 0; sec < 20; ++sec) {
    proto::FlowEdges e;
    e.sample_every = 1;
    for (uint64_t id = 10; id < 110; ++id) e.edges[e.n++] = {id, 1, 0, id == 10 ? 100u : 1u};
    r.s.add(e);
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
    r.second();
  }
  auto senders = r.m.top_senders(r.n, 1, 10);
  ASSERT_EQ(senders.size(), 4u) << "Space-Saving keeps at most flow_senders_per_actor";
  EXPECT_EQ(senders[0].from, 10u);
  // A counter never reads below its sender's true rate, and overstates it by at most its error.
  double truth = r.m.flow_rate(r.m.flow_pairs(r.n)[0]) * 100 / 199;
  EXPECT_GE(senders[0].rate, truth * 0.999);
  EXPECT_LE(senders[0].rate - senders[0].error, truth * 1.001);
}

TEST(ModelFlow, TypePairsPastTheCapFoldIntoOtherAndAreCounted) {
  ModelSettings settings;
  settings.max_flow_pairs_per_node = 2;
  FlowRun r(settings);
  r.s.spawn(1, 0, "a").spawn(2, 0, "b").spawn(3, 0, "c");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  r.s.add(r.edges({{1, 2, 0, 5}, {2, 3, 0, 6}, {3, 1, 0, 7}, {1, 3, 0, 8}}));
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  auto pairs = r.m.flow_pairs(r.n);
  ASSERT_EQ(pairs.size(), 3u) << "two pairs and (other, other)";
  EXPECT_EQ(pairs[2].from_type, StringPool::kOverflow);
  EXPECT_EQ(pairs[2].samples, 15u);
  EXPECT_EQ(r.m.flow_stats(r.n).pairs_over_cap, 15u);
  EXPECT_EQ(r.m.stats().anomalies[static_cast<size_t>(Anomaly::TooManyFlowPairs)], 2u) << "counted as a refusal";
}

// Flow is behind a capability: an agent that did not offer it in its hello (an older agent,
// or one that claims otherwise) has its flow records dropped and counted; its other records
// are taken as ever.
TEST(ModelFlow, FlowFromAnAgentThatDidNotOfferItIsDroppedAndCounted) {
  Model m;
  proto::Hello old = testing::hello("old@host");
  old.capabilities = 0;
  NodeKey n = m.on_hello(1, old);
  Stream s;
  s.spawn(1, 0, "a").spawn(2, 0, "b");
  proto::FlowEdges e;
  e.sample_every = 32;
  e.edges[e.n++] = {1, 2, 0, 5};
  s.add(e);
  proto::Handling h;
  h.now[h.n++] = {2, 0, 1000};
  s.add(h);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.actor(n, 2)->id, 2u) << "its actors are taken";
  EXPECT_TRUE(m.flow_pairs(n).empty());
  EXPECT_EQ(m.flow_stats(n).sample_every, 0u) << "the node reads as one that reports no flow";
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::FlowNotOffered)], 2u);
}

// A worker restarted between the sample and the flush is gone from the model: its edge keeps
// the type the agent sampled; with none, it reads unknown.
TEST(ModelFlow, AnEdgeToAnActorGoneByTheFlushKeepsItsSampledType) {
  FlowRun r;
  r.s.spawn(5, 0, "worker").exit(5, proto::ExitReason::Error, "boom");
  r.s.add(r.edges({{0, 5, 0, 4, 0, r.s.str("worker")}, {0, 6, 0, 1, 0, 0}}));
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  std::map<std::string, uint64_t> to;
  for (const FlowPair& p : r.m.flow_pairs(r.n)) to[std::string(r.m.text(p.to_type))] += p.samples;
  EXPECT_EQ(to["worker"], 4u);
  EXPECT_EQ(to["unknown"], 1u);
}

TEST(ModelFlow, HandlingIsWhatTheLastRecordSaidWhileTheNodeIsConnected) {
  FlowRun r;
  r.s.spawn(1, 0, "store", "store");
  proto::Handling h;
  h.t_ns = 1;
  h.n = 1;
  h.now[0] = {1, r.s.str("write_batch"), 2'500'000'000};
  r.s.add(h);
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  const HandlingNow* now = r.m.handling(r.n, 1);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(r.m.text(now->type), "write_batch");
  EXPECT_EQ(now->busy_ns, 2'500'000'000u);
  r.s.add(proto::Handling{});
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  EXPECT_EQ(r.m.handling(r.n, 1), nullptr);
}

}  // namespace
}  // namespace actorscope::collector
