// Message flow from a CAF app with no code change: sends between instrumented actors reach
// a collector that takes flow with their sender and message type; sends from outside an
// actor count as from nobody.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <tuple>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/spawn.hpp"
#include "fake_collector.hpp"

using namespace std::chrono_literals;

namespace {
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;

caf::behavior ponger(caf::event_based_actor*) {
  return {[](ping_atom, uint64_t n) { return caf::make_message(pong_atom::value, n); }};
}

caf::behavior pinger(caf::event_based_actor* self, caf::actor peer) {
  return {
      [self, peer](uint64_t n) { self->send(peer, ping_atom::value, n); },
      [self, peer](pong_atom, uint64_t n) {
        if (n > 0) self->send(peer, ping_atom::value, n - 1);
      },
  };
}
}  // namespace

TEST(CafFlow, SendsCarryTheirSenderAndMessageType) {
  ::setenv("ACTORSCOPE_FLOW_SAMPLE", "1", 1);  // every send sampled: the test counts them
  actorscope::testing::FakeCollector collector(actorscope::testing::FakeCollector::Transport::Tcp);
  collector.grant(actorscope::proto::kCapCommands | actorscope::proto::kCapFlow);
  std::string address = collector.address();
  actorscope_config cfg;
  actorscope_config_init(&cfg);
  cfg.collector = address.c_str();
  cfg.node = "caf-flow-test";
  cfg.flush_ms = 20;
  ASSERT_EQ(actorscope_start(&cfg), 0);
  // Sampling starts once the collector has granted flow.
  for (int i = 0; i < 600 && __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) == 0; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_NE(__atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED), 0u);
  {
    caf::actor_system_config caf_cfg;
    caf::actor_system sys{caf_cfg};
    actorscope::caf::actor_info info;
    info.type = "ponger";
    auto pong = actorscope::caf::spawn(sys, info, ponger);
    info.type = "pinger";
    auto ping = actorscope::caf::spawn(sys, info, pinger, pong);
    caf::anon_send(ping, uint64_t{9});  // from outside any actor: 10 pings, 10 pongs follow
    const auto ping_edge = std::make_tuple(ping.id(), pong.id(), std::string("ping"));
    const auto pong_edge = std::make_tuple(pong.id(), ping.id(), std::string("pong"));
    const auto outside = std::make_tuple(uint64_t{0}, ping.id(), std::string("@u64"));  // CAF's name for uint64_t
    ASSERT_TRUE(collector.wait_for([&](const auto& seen) {
      auto count = [&](const auto& edge) { return seen.flow.count(edge) ? seen.flow.at(edge) : 0; };
      return count(ping_edge) >= 10 && count(pong_edge) >= 10 && count(outside) >= 1;
    }));
    auto flow = collector.seen().flow;
    EXPECT_EQ(flow[ping_edge], 10u);
    EXPECT_EQ(flow[pong_edge], 10u);
    EXPECT_EQ(flow[outside], 1u);
    caf::anon_send_exit(ping, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(pong, caf::exit_reason::user_shutdown);
  }
  actorscope_stop();
}
