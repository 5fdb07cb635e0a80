// The real Prometheus server scrapes the collector; its query API shows loadgen's exact counts,
// and promtool finds nothing to warning in /metrics.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <regex>

#include "loopback.hpp"
#include "metric_names.hpp"
#include "stack.hpp"

using namespace actorscope::testing;

namespace {

const std::string kPrometheus = ACTORSCOPE_PROMETHEUS_BIN;
const std::string kPromtool = ACTORSCOPE_PROMTOOL_BIN;
const std::string kNode = "loadgen-e2e";

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// The value of a one-element instant vector, from Prometheus' /api/v1/query answer.
std::optional<double> query(uint16_t port, const std::string& promql) {
  HttpResponse r = http_get(port, "/api/v1/query?query=" + url_encode(promql));
  if (r.status != 200) return std::nullopt;
  static const std::regex value(R"re("value":\[[-+0-9.eE]+,"([^"]+)"\])re");
  std::smatch m;
  if (!std::regex_search(r.body, m, value)) return std::nullopt;
  return std::stod(m[1].str());
}

std::string selector(const char* metric) { return std::string("sum(") + metric + "{node=\"" + kNode + "\"})"; }

}  // namespace

TEST(PrometheusEndToEnd, ScrapedValuesEqualLoadgensCounts) {
  ASSERT_TRUE(executable(kPrometheus)) << "prometheus is not installed (Debian package prometheus; "
                                          "scripts/install-deps.sh installs it)";
  ASSERT_TRUE(executable(kPromtool)) << "promtool is not installed (Debian package prometheus)";
  TempDir dir;
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"});
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, small_workload(collector.address(), kNode));
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  ASSERT_EQ(wait_for_model(collector, kNode, *counts), "") << collector.process().output();

  // promtool warnings the exposition exactly as a scrape sees it.
  auto text = collector.scrape_text();
  ASSERT_TRUE(text);
  write_file(dir.file("metrics.txt"), *text);
  ChildProcess warning("/bin/sh", {"-c", "exec \"$0\" check metrics < \"$1\"", kPromtool, dir.file("metrics.txt")});
  EXPECT_EQ(warning.wait_exit(30s), 0) << warning.output();
  EXPECT_TRUE(warning.stdout_lines().empty() && warning.stderr_lines().empty()) << warning.output();

  uint16_t port = free_tcp_port();
  write_file(dir.file("prometheus.yml"),
             "global:\n"
             "  scrape_interval: 1s\n"
             "  evaluation_interval: 1s\n"
             "scrape_configs:\n"
             "  - job_name: actorscope\n"
             "    static_configs:\n"
             "      - targets: ['127.0.0.1:" + std::to_string(collector.metrics_port()) + "']\n");
  ChildProcess prometheus(kPrometheus, {"--config.file=" + dir.file("prometheus.yml"),
                                        "--storage.tsdb.path=" + dir.file("data"),
                                        "--web.listen-address=127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(eventually([&] { return http_get(port, "/-/ready").status == 200 || !prometheus.running(); }, 30s) &&
              prometheus.running())
      << prometheus.output();

  struct Expect {
    const char* metric;
    const char* key;
  };
  for (Expect e : {Expect{metric::kActors, "actors_alive"}, Expect{metric::kRestarts, "restarts"},
                   Expect{metric::kProcessed, "messages_processed"}}) {
    std::optional<double> got;
    bool equal = eventually([&] {
      got = query(port, selector(e.metric));
      return got == (*counts)[e.key];
    }, 30s, 250ms);
    EXPECT_TRUE(equal) << selector(e.metric) << " = " << (got ? std::to_string(*got) : "no value") << ", loadgen "
                       << e.key << "=" << (*counts)[e.key] << "\n"
                       << prometheus.output();
  }
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}
