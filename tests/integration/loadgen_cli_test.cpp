// actorscope-loadgen on its own (agent switched off): flags, exact counts, supervision semantics.
#include <gtest/gtest.h>

#include "stack.hpp"

using namespace actorscope::testing;

namespace {

const std::string kLoadgen = ACTORSCOPE_LOADGEN_BIN;
const std::vector<std::string> kAgentOff = {"ACTORSCOPE_DISABLE=1"};

// Runs loadgen to its end with the agent off; its counts, after checking it exited 0.
Counts run(std::vector<std::string> args) {
  Loadgen l(kLoadgen, args, kAgentOff);
  auto c = l.counts(60s);
  EXPECT_TRUE(c) << l.process().output();
  EXPECT_EQ(l.process().wait_exit(30s), 0) << l.process().output();
  return c.value_or(Counts{});
}

}  // namespace

TEST(LoadgenFlags, HelpPrintsUsageAndExitsZero) {
  ChildProcess p(kLoadgen, {"--help"});
  EXPECT_EQ(p.wait_exit(30s), 0);
  EXPECT_TRUE(p.wait_for_line("^usage: actorscope-loadgen", 5s)) << p.output();
  EXPECT_TRUE(p.stderr_lines().empty()) << p.output();
}

TEST(LoadgenFlags, UnknownFlagPrintsOneLineAndUsageAndExitsTwo) {
  ChildProcess p(kLoadgen, {"--actors", "10", "--no-such-flag"});
  EXPECT_EQ(p.wait_exit(30s), 2);
  auto err = p.stderr_lines();
  ASSERT_GE(err.size(), 2u) << p.output();
  EXPECT_EQ(err[0], "actorscope-loadgen: unknown flag --no-such-flag");
  EXPECT_EQ(err[1].rfind("usage: actorscope-loadgen", 0), 0u) << p.output();
  EXPECT_TRUE(p.stdout_lines().empty()) << p.output();
}

TEST(LoadgenFlags, BadValueIsRefusedWithExitTwo) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--crash-rate", "1.5"}, {"--depth", "0"}, {"--strategies", "one_for_none"}, {"--actors"},
           {"--traffic", "A>A:10"}, {"--traffic", "A-B:10"}, {"--traffic", "A>B:0"}, {"--traffic", "A>B:fast"}}) {
    ChildProcess p(kLoadgen, args);
    EXPECT_EQ(p.wait_exit(30s), 2) << args[0];
    auto err = p.stderr_lines();
    ASSERT_FALSE(err.empty()) << args[0];
    EXPECT_NE(err[0].find(args[0]), std::string::npos) << err[0];
  }
}

TEST(LoadgenCounts, SameSeedSameCounts) {
  std::vector<std::string> args = {"--messages", "20000", "--crash-rate", "0.005", "--telemetry-rate", "0.05",
                                   "--threads", "3", "--seed", "42", "--slow-consumer", "--slow-us", "50",
                                   "--workload-clock"};  // restart intensity on message numbers: repeatable
  Counts a = run(args), b = run(args);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["messages_sent"], 20000);
  EXPECT_EQ(a["messages_processed"], 20000);
  EXPECT_GT(a["crashes"], 0);
  EXPECT_GE(a["restarts"], a["crashes"]);
  EXPECT_GT(a["telemetry"], 0);
  // depth 3, fanout 4: 1 + 4 + 16 supervisors; 1000 workers and the slow consumer
  EXPECT_EQ(a["supervisors"], 21);
  EXPECT_EQ(a["workers"], 1001);
  EXPECT_EQ(a["actors_alive"], 1022);
}

TEST(LoadgenSupervision, TemporaryWorkersAreNotRestarted) {
  Counts c = run({"--messages", "5000", "--crash-rate", "0.01", "--strategies", "one_for_one", "--restart",
                  "temporary", "--intensity", "1000"});
  EXPECT_GT(c["crashes"], 0);
  EXPECT_EQ(c["restarts"], 0);
  EXPECT_EQ(c["workers"], 1000 - c["crashes"]);
  EXPECT_EQ(c["messages_processed"] + c["dead_letters"], 5000);
}

TEST(LoadgenSupervision, OneForAllRestartsEverySibling) {
  Counts c = run({"--messages", "5000", "--crash-rate", "0.01", "--depth", "1", "--actors", "10", "--strategies",
                  "one_for_all", "--intensity", "100000", "--threads", "1"});
  EXPECT_GT(c["crashes"], 0);
  EXPECT_EQ(c["restarts"], 10 * c["crashes"]);
  EXPECT_EQ(c["workers"], 10);
  EXPECT_EQ(c["escalations"], 0);
}

TEST(LoadgenSupervision, ExceededIntensityEscalatesToTheParent) {
  // intensity 0: the leaf supervisor gives up at the first crash; the top supervisor
  // restarts it (one restart), and, having no parent, counts its own excess and goes on.
  Counts c = run({"--messages", "5000", "--crash-rate", "0.01", "--depth", "2", "--fanout", "1", "--strategies",
                  "one_for_one", "--intensity", "0"});
  EXPECT_GT(c["crashes"], 0);
  EXPECT_EQ(c["restarts"], c["crashes"]);
  EXPECT_EQ(c["escalations"], 2 * c["crashes"]);
  EXPECT_EQ(c["supervisors"], 2);
  EXPECT_EQ(c["workers"], 1000);
}

TEST(LoadgenScale, SpawnsIdleActors) {
  Counts c = run({"--scale", "--actors", "100000"});
  EXPECT_EQ(c["workers"], 100000);
  EXPECT_EQ(c["messages_sent"], 0);
}
