// The whole path a user runs, live: an Erlang node started here, the real actorscope-beam,
// the real actorscope-collector, its /metrics and actorscope-top's batch output; and after
// SIGKILL of actorscope-beam, nothing of it left on the node.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "eventually.hpp"
#include "nodes.hpp"
#include "stack.hpp"

namespace {

using actorscope::testing::ChildProcess;
using actorscope::testing::Collector;
using actorscope::testing::eventually;
using actorscope::testing::MetricsText;
using namespace std::chrono_literals;
namespace beamtest = actorscope::beam::testing;

// What actorscope-top --batch prints for one node's tree (three levels open).
std::string top_tree(const std::string& collector, const std::string& node) {
  ChildProcess top(ACTORSCOPE_TOP_BIN, {"--collector", collector, "--batch", "--view", "tree", "--node", node,
                                        "--expand", "3", "--size", "160x60"});
  if (top.wait_exit(30s) != 0) return "actorscope-top failed:\n" + top.output();
  std::string out;
  for (const auto& l : top.stdout_lines()) out += l + "\n";
  return out;
}

bool has_line(const std::string& text, const std::string& start, const std::vector<std::string>& parts) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(start, 0) != 0) continue;
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

long node_process_count(beamtest::Node& node) {
  return std::strtol(("0" + node.eval("erlang:system_info(process_count).")).c_str(), nullptr, 10);
}

}  // namespace

TEST(BeamLive, NodeToCollectorToMetricsAndViewer) {
  beamtest::Scratch scratch;
  auto node = beamtest::Node::erlang(scratch, {});
  const std::string name = node->name();
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"unix:" + scratch.dir + "/collector.sock"});
  const std::string address = collector.address();
  beamtest::Child beam = beamtest::start_beam(scratch, {name}, address);

  // /metrics holds the node's actorscope_beam_* series, labelled with its name.
  const std::map<std::string, std::string> of_node{{"node", name}};
  std::optional<MetricsText> m;
  ASSERT_TRUE(eventually([&] {
    m = collector.scrape();
    return m && m->sum("actorscope_beam_processes", of_node) && m->sum("actorscope_beam_attach_reductions_total", of_node);
  }, 60s)) << beam.output() << collector.process().output();
  for (const char* series : {"actorscope_beam_process_limit", "actorscope_beam_memory_allocated_bytes",
                             "actorscope_beam_atoms", "actorscope_beam_reductions_total", "actorscope_beam_schedulers_online"})
    EXPECT_TRUE(m->sum(series, of_node).has_value()) << series;
  EXPECT_EQ(m->sum("actorscope_beam_process_limit", of_node), std::strtod(node->eval("erlang:system_info(process_limit).").c_str(), nullptr));

  // The process count it exports, and the actors the collector holds for the node, equal the
  // node's own count within the scan's drift.
  long count = 0;
  double exported = -1, actors = -1;
  EXPECT_TRUE(eventually([&] {
    m = collector.scrape();
    count = node_process_count(*node);
    if (!m || count <= 0) return false;
    exported = m->sum("actorscope_beam_processes", of_node).value_or(-1);
    actors = m->sum("actorscope_actors", of_node).value_or(-1);
    long drift = std::max(20L, count / 50);
    return std::labs(static_cast<long>(exported) - count) <= drift && std::labs(static_cast<long>(actors) - count) <= drift;
  }, 60s)) << "node " << count << ", exported " << exported << ", actors " << actors;

  // A viewer shows the kernel application's tree under the node, and the VM header line.
  std::string tree;
  EXPECT_TRUE(eventually([&] {
    tree = top_tree(address, name);
    return has_line(tree, "BEAM", {"procs ", "attach red/s"}) && tree.find("kernel_sup") != std::string::npos &&
           tree.find("code_server") != std::string::npos && has_line(tree, "├─▾ kernel", {"application"});
  }, 60s, 500ms)) << tree;

  // A process's rate is its reductions per second and says so: a busy process's detail reads
  // "reductions N   red/s R" with R above 0 (the BEAM counts no messages processed).
  ASSERT_EQ(node->eval("register(actorscope_busy, spawn(fun Loop() -> lists:sum(lists:seq(1, 5000)), "
                       "receive after 2 -> ok end, Loop() end)), ok."),
            "ok");
  std::string detail;
  EXPECT_TRUE(eventually([&] {
    ChildProcess top(ACTORSCOPE_TOP_BIN, {"--collector", address, "--batch", "--view", "detail", "--node", name,
                                          "--actor", "actorscope_busy", "--size", "160x40"});
    if (top.wait_exit(30s) != 0) return false;
    detail.clear();
    for (const auto& l : top.stdout_lines()) detail += l + "\n";
    // the counters' line: "mailbox 0   reductions 159M   red/s 2.7M", and no messages figure
    const size_t line = detail.find("\nmailbox ");
    const size_t end = detail.find('\n', line + 1);
    if (line == std::string::npos || end == std::string::npos) return false;
    const std::string counters = detail.substr(line + 1, end - line - 1);
    const size_t at = counters.find("   red/s ");
    return at != std::string::npos && counters.find("reductions ") != std::string::npos &&
           counters.substr(at + 9) != "0" && counters.find("msg") == std::string::npos &&
           detail.find("msg/s -") != std::string::npos;
  }, 60s, 500ms)) << detail;

  // SIGKILL: the relay, its logger filter, the scheduler_wall_time flag and the hidden
  // connection all go; the collector stops exporting the node's VM series.
  beam.signal(SIGKILL);
  EXPECT_GE(beam.wait_exit(10000), 0);
  std::string audit;
  EXPECT_TRUE(eventually([&] {
    audit = node->eval("actorscope_test_ctl:audit().");
    return audit == "relays=0 filters=0 traced=0 hidden=0 swt=0";
  }, 30s, 200ms)) << audit;
  EXPECT_TRUE(eventually([&] {
    m = collector.scrape();
    return m && !m->sum("actorscope_beam_processes", of_node).has_value();
  }, 30s)) << "the node's VM series are still exported";
}
