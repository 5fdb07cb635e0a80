// Message flow in the model: sampled sends become rates by type pair and per receiving
// actor. The expected rates are the ones this test sends (sampled sends × sampling rate).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

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

// A decayed rate starts from zero when its receiver appears: a store restarted 3 s ago that is
// sent as much as the old one must read the same rate, not the fraction of it its 3 s make of
// the 10 s window (about a quarter); and so must a type pair in the first seconds of its node.
TEST(ModelFlow, AYoungReceiverReadsItsRateNotAFractionOfIt) {
  FlowRun r;
  r.s.spawn(1, 0, "ingest", "ingest").spawn(2, 0, "store", "old-store");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  const uint64_t young = 3;
  // 640 messages a second (20 sampled at 1 in 32) from the ingest to each store it knows.
  for (int sec = 0; sec < 60; ++sec) {
    if (sec == 57) {
      proto::ActorSpawned spawned;
      spawned.actor = young;
      spawned.type = r.s.str("store");
      spawned.name = r.s.str("new-store");
      spawned.t_ns = 57 * kSecond;  // the agent's clock: 57 s after it connected
      r.s.add(spawned);
    }
    if (sec >= 57)
      r.s.add(r.edges({{1, 2, 0, 20}, {1, young, 0, 20}}));
    else
      r.s.add(r.edges({{1, 2, 0, 20}}));
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
    if (sec == 2) {
      // The node's first three seconds, read as their last batch arrives: the pair's rate.
      ASSERT_EQ(r.m.flow_pairs(r.n).size(), 1u);
      EXPECT_TRUE(near(r.m.flow_rate(r.m.flow_pairs(r.n)[0]), 640, 0.1)) << r.m.flow_rate(r.m.flow_pairs(r.n)[0]);
    }
    if (sec < 59) r.second();  // read as the last batch arrives
  }
  auto old_senders = r.m.top_senders(r.n, 2, 4), young_senders = r.m.top_senders(r.n, young, 4);
  ASSERT_EQ(old_senders.size(), 1u);
  ASSERT_EQ(young_senders.size(), 1u);
  EXPECT_TRUE(near(old_senders[0].rate, 640, 0.1)) << old_senders[0].rate;
  EXPECT_TRUE(near(young_senders[0].rate, 640, 0.1)) << young_senders[0].rate << ": the young store reads a fraction";
  auto mix = r.m.message_mix(r.n, young, 4);
  ASSERT_EQ(mix.size(), 1u);
  EXPECT_TRUE(near(mix[0].rate, 640, 0.1)) << mix[0].rate;
}

// Receivers are kept in blocks that a copy of the model shares: the copy's top senders stay
// as they were while the model counts on, receivers leave (the index closes their gaps) and
// others take their places. Receiver k hears only from sender 10 000 + k (k messages a second),
// so each list has one known entry.
TEST(ModelFlow, ACopyKeepsItsTopSendersWhileReceiversComeAndGo) {
  FlowRun r;
  constexpr uint64_t kReceivers = 700;  // three blocks of slots; the index grows four times
  proto::StringId msg = r.s.str("m");
  for (uint64_t k = 1; k <= kReceivers; ++k) r.s.spawn(k, 0, "rx").spawn(10'000 + k, 0, "tx");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  auto send = [&](uint64_t from_k, uint64_t to_k, uint32_t times) {
    for (uint64_t k = from_k; k <= to_k; ++k)
      r.s.add(r.edges({{10'000 + k, k, msg, static_cast<uint32_t>(k % 7 + 1) * times}}, 1));
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  };
  auto only_sender = [&](const Model& m, uint64_t k) -> double {
    auto top = m.top_senders(r.n, k, 10);
    if (top.size() != 1 || top[0].from != 10'000 + k) return -1;
    return top[0].rate;
  };
  send(1, kReceivers, 1);
  r.second();
  std::vector<double> before(kReceivers + 1);
  for (uint64_t k = 1; k <= kReceivers; ++k) ASSERT_GT(before[k] = only_sender(r.m, k), 0) << "receiver " << k;
  auto copy = r.m.clone();
  // The model goes on: every third receiver leaves, the rest hear ten times as much, and new
  // receivers (ids past the first ones) take the freed slots.
  for (uint64_t k = 3; k <= kReceivers; k += 3) r.s.exit(k, proto::ExitReason::Normal);
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  r.second();  // the step forgets the receivers that left
  for (uint64_t k = 1; k <= kReceivers; ++k)
    ASSERT_EQ(only_sender(r.m, k) > 0, k % 3 != 0) << "receiver " << k << ", after the others left";
  for (uint64_t k = 1; k <= kReceivers; ++k) {
    if (k % 3 != 0) send(k, k, 10);
  }
  for (uint64_t k = kReceivers + 1; k <= kReceivers + 200; ++k) r.s.spawn(k, 0, "rx").spawn(10'000 + k, 0, "tx");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  send(kReceivers + 1, kReceivers + 200, 1);
  for (uint64_t k = 1; k <= kReceivers + 200; ++k) {
    if (k <= kReceivers && k % 3 == 0) {
      EXPECT_TRUE(r.m.top_senders(r.n, k, 10).empty()) << "receiver " << k << " left";
      continue;
    }
    const double now = only_sender(r.m, k);
    ASSERT_GT(now, 0) << "receiver " << k << " is still found by its id";
    if (k <= kReceivers) {
      EXPECT_GT(now, 5 * before[k]) << "receiver " << k;
    }
  }
  // The copy is the model as it was at the copy, receiver by receiver.
  for (uint64_t k = 1; k <= kReceivers; ++k) EXPECT_DOUBLE_EQ(only_sender(*copy, k), before[k]) << "receiver " << k;
  for (uint64_t k = kReceivers + 1; k <= kReceivers + 200; ++k) EXPECT_TRUE(copy->top_senders(r.n, k, 10).empty());
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

// The flow among a supervisor's child subtrees, against a reference that places every sampled
// send by walking this test's own tree: random trees and sends, then the groups' edges and
// internal rates must equal the sends' messages over the rate window.
struct SubtreeCase {
  std::map<uint64_t, uint64_t> parent;  // every live actor -> its parent (0: a root)
  uint64_t sup = 0;
};

// The reference: where an actor's sends and receipts count, by this test's tree.
// "self", "outside", "unplaced", or the child of `sup` above it.
std::string reference_place(const SubtreeCase& c, uint64_t actor) {
  if (actor == 0) return "outside";
  if (actor == c.sup) return "self";
  if (!c.parent.count(actor)) return "unplaced";
  for (uint64_t at = actor;;) {
    auto it = c.parent.find(at);
    if (it == c.parent.end()) return "unplaced";
    if (it->second == c.sup) return "child " + std::to_string(at);
    if (it->second == 0) return "outside";
    at = it->second;
  }
}

std::string model_place(const FlowGroup& g) {
  switch (g.role) {
    case FlowGroupRole::Child: return "child " + std::to_string(g.actor);
    case FlowGroupRole::Supervisor: return "self";
    case FlowGroupRole::Outside: return "outside";
    case FlowGroupRole::Unplaced: return "unplaced";
    case FlowGroupRole::OtherChildren: return "folded";
  }
  return "?";
}

TEST(ModelFlow, SubtreeFlowEqualsTheSendsPlacedByWalkingTheTree) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    FlowRun r;
    SubtreeCase c;
    // A root supervisor, the supervisor looked at under it, and random actors under either,
    // or under another root.
    r.s.spawn(1, 0, "root_sup", "root", proto::ActorKind::Supervisor);
    r.s.spawn(2, 1, "pipeline_sup", "pipeline", proto::ActorKind::Supervisor);
    r.s.spawn(3, 0, "other_root", "other");
    c.parent = {{1, 0}, {2, 1}, {3, 0}};
    c.sup = 2;
    std::vector<uint64_t> ids = {1, 2, 3};
    for (uint64_t id = 10; id < 70; ++id) {
      // Parents drawn mostly from inside the supervisor's subtree.
      uint64_t parent = rng() % 4 == 0 ? ids[rng() % ids.size()] : (rng() % 3 == 0 ? 2 : ids[rng() % ids.size()]);
      r.s.spawn(id, parent, "t" + std::to_string(id % 5), "a" + std::to_string(id), proto::ActorKind::Worker, "c" + std::to_string(id));
      c.parent[id] = parent;
      ids.push_back(id);
    }
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
    // Sends: each receiver from at most 8 senders (the per-receiver counters hold them all),
    // senders among the live actors, 0 (not an actor) and ids never seen (gone).
    std::map<std::pair<std::string, std::string>, double> want_edges;
    std::map<std::string, double> want_internal;
    const uint32_t every = 1 + rng() % 40;
    std::vector<proto::FlowEdge> sends;
    for (uint64_t to : ids) {
      size_t senders = rng() % 9;
      std::set<uint64_t> from_set;
      for (size_t k = 0; k < senders; ++k) {
        uint32_t pick = rng() % 10;
        from_set.insert(pick == 0 ? 0 : pick == 1 ? 9000 + rng() % 3 : ids[rng() % ids.size()]);
      }
      for (uint64_t from : from_set) {
        if (from == to) continue;
        uint64_t count = 1 + rng() % 50;
        sends.push_back({from, to, 0, count, 0, 0});
        std::string pf = reference_place(c, from), pt = reference_place(c, to);
        bool in_f = pf != "outside" && pf != "unplaced", in_t = pt != "outside" && pt != "unplaced";
        if (!in_f && !in_t) continue;
        // The default 10 s window, no decay yet; per second of the receivers' life so far:
        // they were spawned when the node connected, a second ago.
        double rate = static_cast<double>(count) * every / 10.0 / (1 - std::exp(-1.0 / 10.0));
        if (pf == pt)
          want_internal[pf] += rate;
        else
          want_edges[{pf, pt}] += rate;
      }
    }
    for (size_t i = 0; i < sends.size(); i += proto::kMaxFlowEdges) {
      proto::FlowEdges rec;
      rec.sample_every = every;
      for (size_t j = i; j < std::min(sends.size(), i + proto::kMaxFlowEdges); ++j) rec.edges[rec.n++] = sends[j];
      r.s.add(rec);
    }
    ASSERT_TRUE(r.s.apply(r.m, r.n).ok);

    ASSERT_GE(want_edges.size(), 5u) << "the case has edges to compare";
    SubtreeFlow f = r.m.subtree_flow(r.n, c.sup, 1000);
    ASSERT_TRUE(f.found);
    EXPECT_EQ(f.sample_every, every);
    size_t children = 0;
    for (const auto& [id, parent] : c.parent) children += parent == c.sup;
    EXPECT_EQ(f.children, children);
    std::map<std::pair<std::string, std::string>, double> got_edges;
    for (const FlowGroupEdge& e : f.edges) {
      ASSERT_NE(e.from, e.to);
      got_edges[{model_place(f.groups[e.from]), model_place(f.groups[e.to])}] += e.rate;
      EXPECT_EQ(e.error, 0) << "every sender was kept";
    }
    ASSERT_EQ(got_edges.size(), want_edges.size());
    for (const auto& [ends, rate] : want_edges) {
      ASSERT_TRUE(got_edges.count(ends)) << ends.first << " -> " << ends.second;
      EXPECT_NEAR(got_edges[ends], rate, 1e-9 * rate) << ends.first << " -> " << ends.second;
    }
    std::set<std::string> places;
    for (const FlowGroup& g : f.groups) {
      EXPECT_TRUE(places.insert(model_place(g)).second) << "one group per place: " << model_place(g);
      EXPECT_NEAR(g.internal_rate, want_internal[model_place(g)], 1e-9 * (1 + g.internal_rate)) << model_place(g);
      if (g.role == FlowGroupRole::Child) {
        EXPECT_EQ(r.m.text(g.name), "a" + std::to_string(g.actor));
        EXPECT_EQ(c.parent.at(g.actor), c.sup);
      }
    }

    // Folded: the two busiest children stay, the rest are one group, and nothing is lost.
    SubtreeFlow two = r.m.subtree_flow(r.n, c.sup, 2);
    std::map<uint64_t, double> traffic;  // by child, from the unfolded result
    for (const FlowGroup& g : f.groups)
      if (g.role == FlowGroupRole::Child) traffic[g.actor] += g.internal_rate;
    for (const FlowGroupEdge& e : f.edges)
      for (uint32_t end : {e.from, e.to})
        if (f.groups[end].role == FlowGroupRole::Child) traffic[f.groups[end].actor] += e.rate;
    std::vector<std::pair<double, uint64_t>> busiest;
    for (const auto& [id, t] : traffic) busiest.push_back({-t, id});
    std::sort(busiest.begin(), busiest.end());
    std::set<uint64_t> kept;
    uint32_t folded = 0;
    for (const FlowGroup& g : two.groups) {
      if (g.role == FlowGroupRole::Child) kept.insert(g.actor);
      if (g.role == FlowGroupRole::OtherChildren) folded = g.children;
    }
    ASSERT_EQ(kept.size(), std::min<size_t>(2, busiest.size()));
    for (size_t i = 0; i < kept.size(); ++i) EXPECT_TRUE(kept.count(busiest[i].second));
    EXPECT_EQ(folded, busiest.size() - kept.size());
    auto total = [](const SubtreeFlow& x) {
      double t = 0;
      for (const FlowGroup& g : x.groups) t += g.internal_rate;
      for (const FlowGroupEdge& e : x.edges) t += e.rate;
      return t;
    };
    EXPECT_NEAR(total(two), total(f), 1e-9 * total(f));
  }
}

// A sender that has exited since its sends were counted is still placed where they came
// from: the child subtree it was in (a session under a pool that churns its workers); a
// sender the collector never saw in the tree is unplaced.
TEST(ModelFlow, SubtreeFlowPlacesAGoneSenderWhereItsSendsCameFrom) {
  FlowRun r;
  r.s.spawn(1, 0, "sup", "sup", proto::ActorKind::Supervisor)
      .spawn(2, 1, "pool", "pool", proto::ActorKind::Supervisor)
      .spawn(3, 2, "session", "session-1")
      .spawn(4, 1, "store", "store");
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  r.s.add(r.edges({{3, 4, 0, 10}, {77, 4, 0, 5}}));
  r.s.exit(3, proto::ExitReason::Normal);
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  SubtreeFlow f = r.m.subtree_flow(r.n, 1, 10);
  ASSERT_TRUE(f.found);
  std::map<std::string, double> into_store;
  for (const FlowGroupEdge& e : f.edges)
    if (f.groups[e.to].actor == 4) {
      const FlowGroup& g = f.groups[e.from];
      into_store[g.role == FlowGroupRole::Child ? std::string(r.m.text(g.name)) : g.role == FlowGroupRole::Unplaced ? "unplaced" : "?"] += e.rate;
    }
  ASSERT_EQ(into_store.size(), 2u);
  EXPECT_GT(into_store["pool"], 0) << "the gone session's sends came from the pool's subtree";
  EXPECT_GT(into_store["unplaced"], 0) << "actor 77 was never in the tree";
  EXPECT_NEAR(into_store["pool"], 2 * into_store["unplaced"], 1e-9 * into_store["pool"]);
}

TEST(ModelFlow, SubtreeFlowOfAnUnknownActorIsNotFound) {
  FlowRun r;
  r.s.spawn(1, 0, "sup", "sup", proto::ActorKind::Supervisor);
  ASSERT_TRUE(r.s.apply(r.m, r.n).ok);
  EXPECT_FALSE(r.m.subtree_flow(r.n, 99, 10).found);
  SubtreeFlow f = r.m.subtree_flow(r.n, 1, 10);
  EXPECT_TRUE(f.found);
  EXPECT_TRUE(f.groups.empty()) << "no flow reported";
}

}  // namespace
}  // namespace actorscope::collector
