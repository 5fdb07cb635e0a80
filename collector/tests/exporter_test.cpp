// Exporter tests: names and values in the text format, the series cap, and promtool's warning.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <algorithm>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/history.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::ActorKind;
using proto::ExitReason;
using testing::Stream;

// A model with two nodes, supervisors, workers, exits, restarts, telemetry and drops.
void populate(Model& m) {
  NodeKey n = m.on_hello(1, testing::hello("orders@h1"));
  Stream s;
  s.spawn(1, 0, "root_sup", "root", ActorKind::Supervisor, "", 3, 5000);
  s.spawn(2, 1, "parser", "", ActorKind::Worker, "parser_1").spawn(3, 1, "parser", "", ActorKind::Worker, "parser_2");
  std::array<uint64_t, proto::kHistogramBuckets> h{};
  h[0] = 10;
  h[4] = 2;
  s.stats(2, 4, 16, 12, 3'000'000, h).stats(3, 9, 10, 1);
  s.spawn(4, 1, "parser").exit(4, ExitReason::Error, "bad input").restart(1, "parser_3", 4, 5);
  proto::Telemetry t;
  t.event = s.str("orders.repo.query.stop");
  t.n_measurements = 1;
  t.measurements[0] = {s.str("duration"), 0.25};
  s.add(t).add(t);
  s.add(proto::Dropped{{1, 0, 2, 0, 0, 0}});
  s.apply(m, n);
  NodeKey n2 = m.on_hello(2, testing::hello("billing@h2"));
  Stream s2;
  s2.spawn(1, 0, "ledger").stats(1, 0, 5, 5);
  s2.apply(m, n2);
  m.on_disconnect(n2, 2);
}

std::string render(const Model& m, size_t max_series = 10'000, uint64_t* folded = nullptr) {
  ExporterSettings st;
  st.max_series = max_series;
  return to_text(render_model(m, st, folded));
}

TEST(Exporter, RendersNamedSeriesWithValues) {
  Model m;
  populate(m);
  std::string text = render(m);
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("actorscope_actors{node=\"orders@h1\",actor_type=\"parser\",kind=\"worker\"} 2\n")) << text;
  EXPECT_TRUE(has("actorscope_actors{node=\"orders@h1\",actor_type=\"root_sup\",kind=\"supervisor\"} 1\n"));
  EXPECT_TRUE(has("actorscope_actor_spawns_total{node=\"orders@h1\",actor_type=\"parser\"} 3\n"));
  EXPECT_TRUE(has("actorscope_actor_exits_total{node=\"orders@h1\",actor_type=\"parser\",reason=\"error\"} 1\n"));
  EXPECT_TRUE(has("actorscope_supervisor_restarts_total{node=\"orders@h1\",supervisor=\"root\"} 1\n"));
  EXPECT_TRUE(has("actorscope_mailbox_messages{node=\"orders@h1\",actor_type=\"parser\"} 13\n"));
  EXPECT_TRUE(has("actorscope_mailbox_max_messages{node=\"orders@h1\",actor_type=\"parser\"} 9\n"));
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"orders@h1\",actor_type=\"parser\"} 13\n"));
  // Processed = processing scopes that ended (the histogram: 10 + 2), not the 13 dequeued.
  EXPECT_TRUE(has("actorscope_messages_processed_total{node=\"orders@h1\",actor_type=\"parser\"} 12\n"));
  EXPECT_TRUE(has("actorscope_processing_seconds_bucket{node=\"orders@h1\",actor_type=\"parser\",le=\"1e-05\"} 10\n"));
  EXPECT_TRUE(has("actorscope_processing_seconds_bucket{node=\"orders@h1\",actor_type=\"parser\",le=\"+Inf\"} 12\n"));
  EXPECT_TRUE(has("actorscope_processing_seconds_count{node=\"orders@h1\",actor_type=\"parser\"} 12\n"));
  EXPECT_TRUE(has("actorscope_processing_seconds_sum{node=\"orders@h1\",actor_type=\"parser\"} 0.003\n"));
  EXPECT_TRUE(has("actorscope_telemetry_events_total{node=\"orders@h1\",event=\"orders.repo.query.stop\"} 2\n"));
  EXPECT_TRUE(has("actorscope_agent_dropped_total{node=\"orders@h1\",kind=\"telemetry\"} 2\n"));
  // Event-log drops by the kind pushed out: a lost crash is not a lost telemetry event.
  EXPECT_TRUE(has("actorscope_collector_event_log_dropped_total{kind=\"crash\"} 0\n")) << text;
  EXPECT_TRUE(has("actorscope_collector_event_log_dropped_total{kind=\"telemetry\"} 0\n"));
  EXPECT_TRUE(has("actorscope_node_connected{node=\"billing@h2\"} 0\n"));
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"billing@h2\",actor_type=\"ledger\"} 5\n"))
      << "a gone node keeps its counters";
  EXPECT_FALSE(has("actorscope_actors{node=\"billing@h2\"")) << "a gone node has no live gauges";
  EXPECT_FALSE(has("actor_id")) << "never a per-actor label";
}

// The flight recorder's compression as it runs: the zstd level in use, and the times the
// ingest waited for the compressor because its backlog was full (a slow level, no backlog).
TEST(Exporter, TheFlightRecordersCompressionIsExported) {
  HistorySettings hs;
  hs.chunk_bytes = 4 << 10;
  hs.stream_level = 19;
  hs.stream_fastest_level = 19;
  hs.compress_backlog_chunks = 0;
  History history(hs);
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("orders@h1"));
  m.set_history(&history);
  Stream s;
  for (uint64_t id = 1; id <= 3000; ++id) s.spawn(id, 0, "worker");
  ASSERT_TRUE(s.apply(m, n).ok);
  for (uint64_t round = 1; round <= 5; ++round) {
    for (uint64_t id = 1; id <= 3000; ++id) s.stats(id, round, 10 * round, 9 * round);
    ASSERT_TRUE(s.apply(m, n).ok);
  }
  const std::string text = render(m);
  const HistoryStats st = history.stats();
  ASSERT_GT(st.compressor_stalls, 0u);
  EXPECT_NE(text.find("actorscope_collector_history_compressor_stalls_total " + std::to_string(st.compressor_stalls) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("actorscope_collector_history_stream_level 19\n"), std::string::npos) << text;
}

// The deepest mailboxes as a bounded top-N: at most N series however many actors have a
// backlog, and they follow the deepest as the backlogs move.
TEST(Exporter, TopMailboxesStayWithinNAndFollowTheDeepest) {
  Model m;
  NodeKey a = m.on_hello(1, testing::hello("orders@h1"));
  NodeKey b = m.on_hello(2, testing::hello("billing@h2"));
  Stream s, s2;
  for (uint64_t id = 1; id <= 200; ++id) s.spawn(id, 0, "worker", "w" + std::to_string(id)).stats(id, id * 10, id * 10, 0);
  s2.spawn(1, 0, "ledger").stats(1, 1005, 1005, 0);  // unnamed: its type and id name it
  ASSERT_TRUE(s.apply(m, a).ok);
  ASSERT_TRUE(s2.apply(m, b).ok);
  ExporterSettings st;
  st.mailbox_top = 5;
  auto top = [&] {
    std::vector<std::string> lines;
    std::istringstream in(to_text(render_model(m, st)));
    for (std::string line; std::getline(in, line);)
      if (line.rfind("actorscope_mailbox_top_messages{", 0) == 0) lines.push_back(line);
    return lines;
  };
  auto lines = top();
  ASSERT_EQ(lines.size(), 5u);
  auto has = [&](const std::string& want) { return std::find(lines.begin(), lines.end(), want) != lines.end(); };
  EXPECT_TRUE(has("actorscope_mailbox_top_messages{node=\"orders@h1\",actor_type=\"worker\",actor=\"w200\",rank=\"1\"} 2000"));
  EXPECT_TRUE(has("actorscope_mailbox_top_messages{node=\"orders@h1\",actor_type=\"worker\",actor=\"w197\",rank=\"4\"} 1970"));
  // The ledger (1005) is not in the top five.
  EXPECT_TRUE(has("actorscope_mailbox_top_messages{node=\"orders@h1\",actor_type=\"worker\",actor=\"w196\",rank=\"5\"} 1960"));
  // The workers drain, the ledger's backlog grows: it leads.
  for (uint64_t id = 1; id <= 200; ++id) s.stats(id, 0, id * 10, id * 10);
  s2.stats(1, 50'000, 50'000, 0);
  ASSERT_TRUE(s.apply(m, a).ok);
  ASSERT_TRUE(s2.apply(m, b).ok);
  m.tick(2'000'000'000);
  lines = top();
  ASSERT_EQ(lines.size(), 1u) << "only one mailbox is not empty";
  EXPECT_EQ(lines[0], "actorscope_mailbox_top_messages{node=\"billing@h2\",actor_type=\"ledger\",actor=\"ledger#1\",rank=\"1\"} 50000");
  st.mailbox_top = 0;
  EXPECT_TRUE(top().empty()) << "off with --metrics-mailbox-top 0";
}

TEST(Exporter, MessagesSentBetweenTypesAreTheFlowEstimates) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("orders@h1"));
  Stream s;
  s.spawn(1, 0, "ingest").spawn(2, 0, "parser");
  proto::FlowEdges e;
  e.sample_every = 32;
  e.unrecorded = 2;
  e.n = 2;
  e.edges[0] = {1, 2, s.str("record"), 10};
  e.edges[1] = {0, 2, 0, 1};
  s.add(e);
  ASSERT_TRUE(s.apply(m, n).ok);
  std::string text = render(m);
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("actorscope_messages_sent_total{node=\"orders@h1\",from_type=\"ingest\",to_type=\"parser\"} 320\n")) << text;
  EXPECT_TRUE(has("actorscope_messages_sent_total{node=\"orders@h1\",from_type=\"outside\",to_type=\"parser\"} 32\n"));
  EXPECT_TRUE(has("actorscope_flow_sampled_sends_total{node=\"orders@h1\"} 11\n"));
  EXPECT_TRUE(has("actorscope_flow_unrecorded_sends_total{node=\"orders@h1\"} 2\n"));
}

// The two gauges the alerts read before things go wrong: the restart budget in use and the
// warnings in force, by kind.
TEST(Exporter, RestartBudgetInUseAndWarningsInForce) {
  Model m;
  m.set_now(60'000'000'000);  // the collector clock when the records arrive
  populate(m);
  std::string text = render(m);
  const std::string budget = "actorscope_supervisor_restart_budget_used_ratio{node=\"orders@h1\",supervisor=\"root\"} ";
  size_t at = text.find(budget);
  ASSERT_NE(at, std::string::npos) << text;
  // root_sup allows 3 restarts in 5 s and restarted parser_3 once (an error): a third used.
  EXPECT_NEAR(std::strtod(text.c_str() + at + budget.size(), nullptr), 1.0 / 3.0, 1e-9);
  for (const char* kind : {"mailbox_growing", "slow_handler", "stuck_actor", "restart_storm", "agent_drops"})
    EXPECT_NE(text.find(std::string("actorscope_warnings{node=\"orders@h1\",kind=\"") + kind + "\"} "), std::string::npos)
        << kind << "\n" << text;
  EXPECT_EQ(text.find("actorscope_warnings{node=\"billing@h2\""), std::string::npos) << "a gone node has no live gauges";
  EXPECT_EQ(text.find("restart_budget_used_ratio{node=\"billing@h2\""), std::string::npos);

  // Drops reported by the agent raise agent_drops at the next evaluation: the gauge says 1.
  m.tick(m.now() + 1'000'000'000);
  text = render(m);
  EXPECT_NE(text.find("actorscope_warnings{node=\"orders@h1\",kind=\"agent_drops\"} 1\n"), std::string::npos) << text;
}

TEST(Exporter, SeriesPastTheCapFoldIntoOther) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("many"));
  Stream s;
  for (uint64_t id = 1; id <= 20; ++id) s.spawn(id, 0, "type" + std::to_string(id)).stats(id, 0, 1, 1);
  s.apply(m, n);
  uint64_t folded = 0;
  std::string text = render(m, 5, &folded);
  EXPECT_GE(folded, 16u * 7) << "16 types past the cap in each of the seven per-type families";
  EXPECT_NE(text.find("actorscope_messages_dequeued_total{node=\"many\",actor_type=\"other\"} 16\n"), std::string::npos)
      << "the fold keeps the node's name: " << text;
}

TEST(Exporter, EachNodeGetsAFairShareOfTheSeriesCap) {
  Model m;
  NodeKey big = m.on_hello(1, testing::hello("big"));
  Stream s;
  for (uint64_t id = 1; id <= 100; ++id) s.spawn(id, 0, "type" + std::to_string(id)).stats(id, 0, 1, 1);
  s.apply(m, big);
  NodeKey small = m.on_hello(2, testing::hello("small"));
  Stream s2;
  for (uint64_t id = 1; id <= 3; ++id) s2.spawn(id, 0, "kind" + std::to_string(id)).stats(id, 0, 1, 1);
  s2.apply(m, small);
  std::string text = render(m, 20);
  for (int i = 1; i <= 3; ++i)
    EXPECT_NE(text.find("actorscope_messages_dequeued_total{node=\"small\",actor_type=\"kind" + std::to_string(i) + "\"} 1\n"),
              std::string::npos)
        << "a node that came later keeps its own series: " << text;
  EXPECT_NE(text.find("actorscope_messages_dequeued_total{node=\"big\",actor_type=\"other\"}"), std::string::npos);
  EXPECT_EQ(text.find("node=\"other\""), std::string::npos);
}

TEST(Exporter, PeerTextCannotClaimTheCollectorsLabelValues) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("other"));
  Stream s;
  s.spawn(1, 0, "other").stats(1, 0, 1, 1);
  s.spawn(2, 0, "unknown").stats(2, 0, 1, 1);
  s.spawn(3, 0, "").stats(3, 0, 1, 1);
  s.spawn(4, 0, "~x").stats(4, 0, 1, 1);
  s.apply(m, n);
  std::string text = render(m);
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"~other\",actor_type=\"~other\"} 1\n")) << text;
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"~other\",actor_type=\"~unknown\"} 1\n"));
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"~other\",actor_type=\"none\"} 1\n"));
  EXPECT_TRUE(has("actorscope_messages_dequeued_total{node=\"~other\",actor_type=\"~~x\"} 1\n"));
}

TEST(Exporter, InvalidUtf8FromAPeerIsRepairedAndCounted) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("bad\xff" "node"));
  Stream s;
  s.spawn(1, 0, "ty\xc3pe").stats(1, 0, 1, 1);
  s.apply(m, n);
  std::string text = render(m);
  EXPECT_NE(text.find("node=\"bad\xef\xbf\xbdnode\""), std::string::npos) << text;
  EXPECT_NE(text.find("actor_type=\"ty\xef\xbf\xbdpe\""), std::string::npos) << text;
  EXPECT_GE(m.stats().text_invalid_bytes, 2u);
}

TEST(Exporter, PromtoolFindsNothingToComplainAbout) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  Model m;
  populate(m);
  auto path = std::filesystem::temp_directory_path() / ("actorscope-metrics-" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out(path);
    out << render(m);
  }
  std::string cmd = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) output += buf;
  int rc = ::pclose(p);
  std::filesystem::remove(path);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output, "") << output;
}

}  // namespace
}  // namespace actorscope::collector
