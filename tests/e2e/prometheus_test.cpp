// The real Prometheus server scrapes the collector (over HTTP, and over HTTPS with a bearer
// token); its query API shows loadgen's exact counts, and promtool finds nothing to warn
// about in /metrics.
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
const std::string kOpenssl = ACTORSCOPE_OPENSSL_BIN;
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

// What an operator sets up across hosts: /metrics over HTTPS only, with a bearer token, and
// Prometheus configured with the CA and the token file. A job without the token is refused.
TEST(PrometheusEndToEnd, ScrapesOverHttpsWithABearerToken) {
  ASSERT_TRUE(executable(kPrometheus)) << "prometheus is not installed (Debian package prometheus)";
  ASSERT_TRUE(executable(kOpenssl)) << "openssl is not installed (Debian package openssl)";
  TempDir dir;
  ChildProcess req(kOpenssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                              "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem")});
  ASSERT_EQ(req.wait_exit(30s), 0) << req.output();
  write_file(dir.file("metrics-token"), "e2e metrics token\n");

  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0,
                      {"--metrics-tls-cert", dir.file("cert.pem"), "--metrics-tls-key", dir.file("key.pem"),
                       "--metrics-token-file", dir.file("metrics-token")});
  ASSERT_NE(collector.process().output().find("metrics on https://127.0.0.1:"), std::string::npos)
      << collector.process().output();
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, small_workload(collector.address(), kNode));
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();

  std::string target = "['127.0.0.1:" + std::to_string(collector.metrics_port()) + "']";
  uint16_t port = free_tcp_port();
  write_file(dir.file("prometheus.yml"),
             "global:\n"
             "  scrape_interval: 1s\n"
             "  evaluation_interval: 1s\n"
             "scrape_configs:\n"
             "  - job_name: actorscope-https\n"
             "    scheme: https\n"
             "    tls_config:\n"
             "      ca_file: " + dir.file("cert.pem") + "\n"
             "    authorization:\n"
             "      credentials_file: " + dir.file("metrics-token") + "\n"
             "    static_configs:\n"
             "      - targets: " + target + "\n"
             "  - job_name: without-token\n"
             "    scheme: https\n"
             "    tls_config:\n"
             "      ca_file: " + dir.file("cert.pem") + "\n"
             "    static_configs:\n"
             "      - targets: " + target + "\n");
  ChildProcess prometheus(kPrometheus, {"--config.file=" + dir.file("prometheus.yml"),
                                        "--storage.tsdb.path=" + dir.file("data"),
                                        "--web.listen-address=127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(eventually([&] { return http_get(port, "/-/ready").status == 200 || !prometheus.running(); }, 30s) &&
              prometheus.running())
      << prometheus.output();

  std::optional<double> got;
  bool equal = eventually([&] {
    got = query(port, selector(metric::kActors));
    return got == (*counts)["actors_alive"];
  }, 30s, 250ms);
  EXPECT_TRUE(equal) << selector(metric::kActors) << " = " << (got ? std::to_string(*got) : "no value")
                     << ", loadgen actors_alive=" << (*counts)["actors_alive"] << "\n"
                     << prometheus.output() << collector.process().output();
  EXPECT_EQ(query(port, "up{job=\"actorscope-https\"}"), 1.0);
  // The job without the token was refused (401), and the collector counted it.
  EXPECT_TRUE(eventually([&] { return query(port, "up{job=\"without-token\"}") == 0.0; }, 30s, 250ms));
  std::optional<double> refused;
  EXPECT_TRUE(eventually([&] {
    refused = query(port, "actorscope_collector_http_refused_total{job=\"actorscope-https\",reason=\"unauthorized\"}");
    return refused && *refused > 0;
  }, 30s, 250ms)) << (refused ? std::to_string(*refused) : "no value");
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}
