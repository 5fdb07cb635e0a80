// Fidelity: actorscope-demo runs a fixed workload against the real collector; the
// collector's live tree (actors per type), restarts per supervisor and messages processed
// per type equal the demo's own registry and counters.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "child_process.hpp"
#include "test_support.hpp"

using namespace actorscope::caf::testing;

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

// ---- the collector's /metrics -----------------------------------------------------------
std::string http_get(uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[65536];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) body.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto at = body.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : body.substr(at + 4);
}

// Sums `metric`'s samples of node `node`, grouped by label `by`.
std::map<std::string, uint64_t> sum_by(const std::string& text, const std::string& metric, const std::string& node,
                                       const std::string& by) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string line;
  std::regex label_re(R"re((\w+)="([^"]*)")re");
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto brace = line.find('{');
    if (brace == std::string::npos || line.compare(0, brace, metric) != 0) continue;
    auto close = line.find('}', brace);
    std::string labels = line.substr(brace + 1, close - brace - 1);
    std::map<std::string, std::string> l;
    for (std::sregex_iterator it(labels.begin(), labels.end(), label_re), end; it != end; ++it) l[(*it)[1]] = (*it)[2];
    if (l["node"] != node) continue;
    out[l[by]] += static_cast<uint64_t>(std::stod(line.substr(close + 2)));
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
  child_process collector(g_collector, {"--listen", "tcp:127.0.0.1:0", "--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(collector.started());
  std::smatch m;
  std::regex listen_re(R"(actorscope-collector: listening on (tcp:127\.0\.0\.1:\d+))");
  std::regex metrics_re(R"(actorscope-collector: metrics on http://[^:]+:(\d+)/metrics)");
  long li = collector.wait_for_line([&](const std::string& l) { return std::regex_search(l, listen_re); });
  long mi = collector.wait_for_line([&](const std::string& l) { return std::regex_search(l, metrics_re); });
  ASSERT_GE(li, 0);
  ASSERT_GE(mi, 0);
  auto lines = collector.lines();
  std::regex_search(lines[static_cast<size_t>(li)], m, listen_re);
  std::string address = m[1];
  std::regex_search(lines[static_cast<size_t>(mi)], m, metrics_re);
  auto metrics_port = static_cast<uint16_t>(std::stoi(m[1]));

  const std::string node = "caf-fidelity";
  child_process demo(g_demo,
                     {"--seed", "7", "--duration", "3", "--rate", "300", "--sessions", "10", "--crash-rate", "2",
                      "--storm-every", "1.5", "--hold", "--quiet"},
                     {{"ACTORSCOPE_COLLECTOR", address}, {"ACTORSCOPE_NODE", node}, {"ACTORSCOPE_FLUSH_MS", "50"}});
  ASSERT_TRUE(demo.started());
  long held = demo.wait_for_line([](const std::string& l) { return l.rfind("demo: holding", 0) == 0; }, 0,
                                 std::chrono::seconds(60));
  ASSERT_GE(held, 0) << "the demo never reached --hold";
  ASSERT_GE(demo.wait_for_line([](const std::string& l) { return l == "demo: end"; }, static_cast<size_t>(held)), 0);
  registry live = read_registry(demo.lines(), "holding");
  ASSERT_FALSE(live.alive.empty());
  uint64_t total_restarts = 0;
  for (const auto& [k, v] : live.restarts) total_restarts += v;
  EXPECT_GT(total_restarts, 0u) << "the workload should have crashed something";

  // The live tree and the restarts, while the demo holds still.
  std::map<std::string, uint64_t> alive, restarts;
  bool matched = wait_until([&] {
    std::string text = http_get(metrics_port, "/metrics");
    alive = sum_by(text, "actorscope_actors", node, "actor_type");
    restarts = sum_by(text, "actorscope_supervisor_restarts_total", node, "supervisor");
    return same(live.alive, alive) && same(live.restarts, restarts);
  });
  EXPECT_TRUE(matched) << "alive: demo " << show(live.alive) << "/ collector " << show(alive)
                       << "\nrestarts: demo " << show(live.restarts) << "/ collector " << show(restarts);

  // Messages processed, once every actor has exited and the agent has flushed.
  demo.terminate();
  EXPECT_EQ(demo.wait(), 0);
  registry final_counts = read_registry(demo.lines(), "final");
  ASSERT_FALSE(final_counts.processed.empty());
  std::map<std::string, uint64_t> processed;
  matched = wait_until([&] {
    processed = sum_by(http_get(metrics_port, "/metrics"), "actorscope_messages_processed_total", node, "actor_type");
    return same(final_counts.processed, processed);
  });
  EXPECT_TRUE(matched) << "processed: demo " << show(final_counts.processed) << "/ collector " << show(processed);
  collector.terminate();
  EXPECT_EQ(collector.wait(), 0);
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
