// The test harness reads /metrics text and loadgen's counts line correctly, and captures child output.
#include <gtest/gtest.h>

#include "child_process.hpp"
#include "metrics_text.hpp"

using namespace actorscope::testing;

TEST(MetricsText, SumsOverLabelFilters) {
  MetricsText m(
      "# HELP actorscope_actors Live actors.\n"
      "# TYPE actorscope_actors gauge\n"
      "actorscope_actors{node=\"a\",kind=\"worker\",actor_type=\"w\"} 10\n"
      "actorscope_actors{node=\"a\",kind=\"supervisor\",actor_type=\"sup\"} 3\n"
      "actorscope_actors{node=\"b\",kind=\"worker\",actor_type=\"say \\\"hi\\\"\"} 7\n"
      "actorscope_up 1\n");
  EXPECT_EQ(m.sum("actorscope_actors"), 20);
  EXPECT_EQ(m.sum("actorscope_actors", {{"node", "a"}}), 13);
  EXPECT_EQ(m.sum("actorscope_actors", {{"node", "a"}, {"kind", "worker"}}), 10);
  EXPECT_EQ(m.sum("actorscope_actors", {{"actor_type", "say \"hi\""}}), 7);
  EXPECT_FALSE(m.sum("actorscope_actors", {{"node", "c"}}).has_value());
  EXPECT_EQ(m.sum("actorscope_up"), 1);
}

TEST(CountsLine, ParsesEveryKey) {
  auto c = parse_counts_line("loadgen: actors_alive=1022 restarts=17 messages_processed=100000");
  EXPECT_EQ(c.at("actors_alive"), 1022);
  EXPECT_EQ(c.at("restarts"), 17);
  EXPECT_EQ(c.at("messages_processed"), 100000);
  EXPECT_EQ(c.count("loadgen:"), 0u);
}

TEST(ChildProcess, CapturesLinesAndExitCode) {
  ChildProcess p("/bin/sh", {"-c", "echo one; echo two >&2; echo three; exit 3"});
  auto line = p.wait_for_line("^th(re)e$", 30s);
  ASSERT_TRUE(line) << p.output();
  EXPECT_EQ((*line)[1], "re");
  EXPECT_TRUE(p.wait_for_line("two", 30s, true)) << p.output();
  EXPECT_EQ(p.wait_exit(30s), 3);
  EXPECT_FALSE(p.wait_for_line("never printed", 1s));
}
