// Fidelity: actorscope-demo runs a fixed workload against the real collector; the
// collector's live tree (actors per type), restarts per supervisor and messages processed
// per type equal the demo's own registry and counters.
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "child_process.hpp"
#include "stack.hpp"

using actorscope::testing::ChildProcess;
using actorscope::testing::eventually;
using namespace std::chrono_literals;

namespace {

std::string g_collector;  // path of actorscope-collector
std::string g_demo;       // path of actorscope-demo

// ---- the demo's registry ----------------------------------------------------------------
struct registry {
  std::map<std::string, uint64_t> alive;      // by actor type
  std::map<std::string, uint64_t> processed;  // by actor type
  std::map<std::string, uint64_t> restarts;   // by supervisor
};

// Reads the block that starts with "demo: <title> " and ends with "demo: end".
registry read_registry(const std::vector<std::string>& lines, const std::string& title) {
  registry r;
  bool in = false;
  std::regex type_re(R"(demo: type=(\S+) alive=(\d+) spawned=\d+ exited=\d+ processed=(\d+))");
  std::regex sup_re(R"(demo: supervisor=(\S+) restarts=(\d+))");
  for (const auto& l : lines) {
    if (l.rfind("demo: " + title + " ", 0) == 0) in = true;
    if (!in) continue;
    if (l == "demo: end") break;
    std::smatch m;
    if (std::regex_match(l, m, type_re)) {
      r.alive[m[1]] = std::stoull(m[2]);
      r.processed[m[1]] = std::stoull(m[3]);
    } else if (std::regex_match(l, m, sup_re)) {
      r.restarts[m[1]] = std::stoull(m[2]);
    }
  }
  return r;
}

// Sums `metric`'s samples of node `node`, grouped by label `by`.
std::map<std::string, uint64_t> sum_by(const std::optional<actorscope::testing::MetricsText>& text,
                                       const std::string& metric, const std::string& node, const std::string& by) {
  std::map<std::string, uint64_t> out;
  if (!text) return out;
  for (const auto& sample : text->samples()) {
    if (sample.name != metric) continue;
    auto n = sample.labels.find("node");
    auto key = sample.labels.find(by);
    if (n == sample.labels.end() || n->second != node || key == sample.labels.end()) continue;
    out[key->second] += static_cast<uint64_t>(sample.value);
  }
  return out;
}

// Equal, where a missing key counts as zero.
bool same(const std::map<std::string, uint64_t>& want, const std::map<std::string, uint64_t>& got) {
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if ((it == got.end() ? 0 : it->second) != v) return false;
  }
  for (const auto& [k, v] : got)
    if (v != 0 && want.count(k) == 0) return false;
  return true;
}

std::string show(const std::map<std::string, uint64_t>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += k + "=" + std::to_string(v) + " ";
  return s;
}

}  // namespace

TEST(DemoFidelity, CollectorMatchesTheDemosOwnCounts) {
  ASSERT_FALSE(g_collector.empty()) << "usage: --collector PATH --demo PATH";
  actorscope::testing::Collector collector(g_collector, {"tcp:127.0.0.1:0"});

  const std::string node = "caf-fidelity";
  ChildProcess demo(g_demo,
                    {"--seed", "7", "--duration", "3", "--rate", "300", "--sessions", "10", "--crash-rate", "2",
                     "--storm-every", "1.5", "--hold", "--quiet"},
                    {"ACTORSCOPE_COLLECTOR=" + collector.address(), "ACTORSCOPE_NODE=" + node, "ACTORSCOPE_FLUSH_MS=50"});
  ASSERT_TRUE(demo.wait_for_line("^demo: holding", 60s)) << "the demo never reached --hold\n" << demo.output();
  ASSERT_TRUE(demo.wait_for_line("^demo: end$", 60s)) << demo.output();
  registry live = read_registry(demo.stdout_lines(), "holding");
  ASSERT_FALSE(live.alive.empty());
  uint64_t total_restarts = 0;
  for (const auto& [k, v] : live.restarts) total_restarts += v;
  EXPECT_GT(total_restarts, 0u) << "the workload should have crashed something";

  // The live tree and the restarts, while the demo holds still.
  std::map<std::string, uint64_t> alive, restarts;
  bool matched = eventually([&] {
    auto text = collector.scrape();
    alive = sum_by(text, "actorscope_actors", node, "actor_type");
    restarts = sum_by(text, "actorscope_supervisor_restarts_total", node, "supervisor");
    return same(live.alive, alive) && same(live.restarts, restarts);
  });
  EXPECT_TRUE(matched) << "alive: demo " << show(live.alive) << "/ collector " << show(alive)
                       << "\nrestarts: demo " << show(live.restarts) << "/ collector " << show(restarts);

  // Messages processed, once every actor has exited and the agent has flushed.
  demo.signal(SIGTERM);
  EXPECT_EQ(demo.wait_exit(60s), 0) << demo.output();
  registry final_counts = read_registry(demo.stdout_lines(), "final");
  ASSERT_FALSE(final_counts.processed.empty());
  std::map<std::string, uint64_t> processed;
  matched = eventually([&] {
    processed = sum_by(collector.scrape(), "actorscope_messages_processed_total", node, "actor_type");
    return same(final_counts.processed, processed);
  });
  EXPECT_TRUE(matched) << "processed: demo " << show(final_counts.processed) << "/ collector " << show(processed);
  collector.process().signal(SIGTERM);
  EXPECT_EQ(collector.process().wait_exit(30s), 0);
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--collector") g_collector = argv[++i];
    else if (a == "--demo") g_demo = argv[++i];
  }
  return RUN_ALL_TESTS();
}
