// The collector dies (SIGKILL) and comes back on the same address: the agent reconnects by itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "stack.hpp"

using namespace actorscope::testing;

TEST(CollectorRestart, AgentReconnectsAndTheModelMatchesAgain) {
  auto collector = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{"tcp:127.0.0.1:0"});
  std::string address = collector->address();
  const std::string node = "loadgen-restart";
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, small_workload(address, node));
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  ASSERT_EQ(wait_for_model(*collector, node, *counts), "") << collector->process().output();

  collector->process().signal(SIGKILL);
  ASSERT_EQ(collector->process().wait_exit(30s), 128 + SIGKILL);
  collector.reset();

  collector = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{address});
  EXPECT_EQ(wait_for_model(*collector, node, *counts), "")
      << loadgen.process().output() << collector->process().output();
  EXPECT_TRUE(loadgen.process().running()) << loadgen.process().output();
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}
