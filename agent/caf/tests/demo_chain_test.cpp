// Why did the store restart? The CAF demo's storm through the real adapter, collector and a
// viewer: parser_pool (one_for_all, 3 restarts in 5 s) gives up at its fourth crash and
// ingest_sup (rest_for_one) restarts it with the aggregator and the store. The chain asked for
// at the store's restart reads: a parser's crash, parser_pool's budget exhausted, the parsers
// it stopped, its exit, then ingest_sup restarting parser_pool — each step named by the
// supervisor that acted.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "child_process.hpp"
#include "eventually.hpp"
#include "stack.hpp"
#include "actorscope/view/client.hpp"
#include "actorscope/view/exit_chain.hpp"

namespace actorscope::testing {
namespace {

namespace wire = proto::viewer;
using K = view::ChainStepKind;

std::string all_steps(const view::ExitChain& c) {
  std::string out;
  for (const auto& s : c.steps) out += view::chain_step_text(s) + "\n";
  return out + c.note;
}

TEST(DemoChain, TheStoresRestartLeadsBackThroughParserPoolsEscalationToAParsersCrash) {
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"});
  ChildProcess demo(ACTORSCOPE_DEMO_BIN, {"--duration", "0", "--quiet", "--storm-every", "3", "--crash-rate", "0",
                                          "--sessions", "2", "--seed", "7"},
                    {"ACTORSCOPE_COLLECTOR=" + collector.address(), "ACTORSCOPE_NODE=chaindemo"});
  view::ClientOptions o;
  o.address = collector.address();
  view::Client viewer(o);
  viewer.start();

  // The store's restart by ingest_sup that follows an escalation of parser_pool.
  std::optional<view::ExitChain> chain;
  bool seen = eventually([&] {
    auto lock = viewer.lock();
    const auto& events = viewer.replica().events();
    bool escalated = false;
    for (const wire::Event& e : events) {
      if (view::is_escalation(e) && e.name == "parser_pool") escalated = true;
      if (escalated && e.kind == wire::EventKind::Restarted && e.name == "store") {
        view::ExitChain c = view::explain_exit(viewer.replica(), e.seq);
        // Wait until the restarts that answer it have all come (the store's is the last).
        if (c.origin_known) {
          chain = std::move(c);
          return true;
        }
      }
    }
    return false;
  }, 90s, 100ms);
  ASSERT_TRUE(seen) << demo.output();
  const view::ExitChain& c = *chain;
  // On failure: the events the chain was read from, around it.
  std::string around;
  {
    auto lock = viewer.lock();
    for (const wire::Event& e : viewer.replica().events())
      if (e.seq + 40 >= c.steps.front().seq && e.seq <= c.steps.back().seq + 5 && e.name != "session")
        around += std::to_string(e.seq) + " " + std::to_string(e.wall_ns % 100'000'000'000ull / 1'000'000) + "ms " +
                  std::string(wire::name(e.kind)) + " " + e.name + " <" + std::to_string(e.actor) + "> sup <" +
                  std::to_string(e.supervisor) + "> " + std::string(proto::name(e.reason)) + " " + e.text + "\n";
  }
  SCOPED_TRACE(around);
  std::printf("the chain:\n%s\n", all_steps(c).c_str());  // what a user reads, in the test's log
  auto first = [&](auto pred) {
    auto it = std::find_if(c.steps.begin(), c.steps.end(), pred);
    return it == c.steps.end() ? c.steps.size() : static_cast<size_t>(it - c.steps.begin());
  };
  const size_t crash = first([](const view::ChainStep& s) { return s.kind == K::Crash; });
  const size_t exhausted = first([](const view::ChainStep& s) { return s.kind == K::Escalation; });
  const size_t stopped = first([](const view::ChainStep& s) { return s.kind == K::SiblingStopped && s.supervisor == "parser_pool"; });
  const size_t pool_exit = first([](const view::ChainStep& s) { return s.kind == K::SupervisorExit; });
  const size_t parent_restart = first([](const view::ChainStep& s) {
    return s.kind == K::Restart && s.who == "parser_pool" && s.supervisor == "ingest_sup";
  });
  ASSERT_EQ(crash, 0u) << all_steps(c);
  EXPECT_EQ(c.steps[crash].supervisor, "parser_pool") << all_steps(c);
  EXPECT_EQ(c.steps[crash].who.rfind("parser", 0), 0u) << all_steps(c);
  ASSERT_LT(exhausted, c.steps.size()) << all_steps(c);
  EXPECT_EQ(c.steps[exhausted].who, "parser_pool");
  EXPECT_EQ(c.steps[exhausted].supervisor, "ingest_sup");
  EXPECT_EQ(c.steps[exhausted].intensity, 3u);
  EXPECT_EQ(c.steps[exhausted].period_ms, 5000u);
  EXPECT_EQ(c.steps[exhausted].budget.size(), 4u) << all_steps(c);  // three restarts allowed, the fourth failure
  ASSERT_LT(stopped, c.steps.size()) << all_steps(c);
  ASSERT_LT(pool_exit, c.steps.size()) << all_steps(c);
  EXPECT_EQ(c.steps[pool_exit].who, "parser_pool");
  ASSERT_LT(parent_restart, c.steps.size()) << all_steps(c);
  // In order: crash -> budget exhausted -> the siblings stopped -> the pool's exit -> its parent's restart.
  EXPECT_LT(crash, exhausted);
  EXPECT_LT(exhausted, stopped);
  EXPECT_LT(stopped, pool_exit);
  EXPECT_LT(pool_exit, parent_restart);
  // rest_for_one: the store and the aggregator, started after the pool, are stopped by ingest_sup and restarted.
  for (const char* later : {"aggregator", "store"}) {
    EXPECT_LT(first([&](const view::ChainStep& s) { return s.kind == K::SiblingStopped && s.who == later && s.supervisor == "ingest_sup"; }),
              c.steps.size()) << later << "\n" << all_steps(c);
    EXPECT_LT(first([&](const view::ChainStep& s) { return s.kind == K::Restart && s.who == later && s.supervisor == "ingest_sup"; }),
              c.steps.size()) << later << "\n" << all_steps(c);
  }
  EXPECT_TRUE(c.steps.back().selected || std::any_of(c.steps.begin(), c.steps.end(), [](const auto& s) { return s.selected; }));
  demo.signal(SIGTERM);
  EXPECT_EQ(demo.wait_exit(30s), 0) << demo.output();
}

}  // namespace
}  // namespace actorscope::testing
