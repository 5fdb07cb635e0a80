// Starting the collector and reading its model back through /metrics.
#include "stack.hpp"

#include <sstream>
#include <stdexcept>

#include "loopback.hpp"
#include "metric_names.hpp"

namespace actorscope::testing {

Collector::Collector(const std::string& binary, const std::vector<std::string>& listen, uint16_t metrics_port,
                     const std::vector<std::string>& extra_args, unsigned long max_open_files) {
  std::vector<std::string> args;
  for (const auto& l : listen) {
    args.push_back("--listen");
    args.push_back(l);
  }
  args.push_back("--metrics");
  args.push_back("127.0.0.1:" + std::to_string(metrics_port));
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(binary, args, std::vector<std::string>{}, max_open_files);
  // It announces each --listen address in order, then the metrics address.
  auto announced = [&](const std::string& marker) {
    std::vector<std::string> found;
    for (const auto& lines : {process_->stdout_lines(), process_->stderr_lines()})
      for (const auto& l : lines) {
        auto at = l.find(marker);
        if (at != std::string::npos) found.push_back(l.substr(at + marker.size(), l.find(' ', at + marker.size()) - at - marker.size()));
      }
    return found;
  };
  std::string metrics_url;
  bool up = eventually([&] {
    addresses_ = announced("listening on ");
    auto m = announced("metrics on ");
    if (!m.empty()) metrics_url = m[0];
    return (addresses_.size() >= listen.size() && !metrics_url.empty()) || !process_->running();
  }, 30s, 20ms);
  auto colon = metrics_url.rfind(':');
  if (!up || addresses_.size() < listen.size() || colon == std::string::npos)
    throw std::runtime_error("the collector did not announce its addresses\n" + process_->output());
  metrics_port_ = static_cast<uint16_t>(std::stoi(metrics_url.substr(colon + 1)));
}

uint16_t Collector::tcp_port(size_t i) const {
  const std::string& a = address(i);
  return static_cast<uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
}

std::optional<std::string> Collector::scrape_text() const {
  HttpResponse r = http_get(metrics_port_, "/metrics");
  if (r.status != 200) return std::nullopt;
  return r.body;
}

std::optional<MetricsText> Collector::scrape() const {
  auto text = scrape_text();
  if (!text) return std::nullopt;
  return MetricsText(*text);
}

Loadgen::Loadgen(const std::string& binary, const std::vector<std::string>& args, const std::vector<std::string>& env)
    : process_(std::make_unique<ChildProcess>(binary, args, env)) {}

std::optional<Counts> Loadgen::counts(std::chrono::milliseconds timeout) {
  auto line = process_->wait_for_line("^loadgen: ", timeout);
  if (!line) return std::nullopt;
  return parse_counts_line((*line)[0]);
}

ObservedCounts observe(const MetricsText& m, const std::string& node) {
  ObservedCounts c;
  std::map<std::string, std::string> on_node{{metric::kNodeLabel, node}};
  c.actors = m.sum(metric::kActors, on_node).value_or(-1);
  auto with_kind = [&](const char* kind) {
    auto f = on_node;
    f[metric::kKindLabel] = kind;
    return m.sum(metric::kActors, f).value_or(0);
  };
  if (c.actors >= 0) {
    c.supervisors = with_kind(metric::kKindSupervisor);
    c.workers = with_kind(metric::kKindWorker);
  }
  c.restarts = m.sum(metric::kRestarts, on_node).value_or(0);
  c.processed = m.sum(metric::kProcessed, on_node).value_or(-1);
  return c;
}

std::string mismatch(const ObservedCounts& seen, const Counts& expected) {
  std::ostringstream out;
  auto check = [&](const char* what, double got, const char* key) {
    auto it = expected.find(key);
    double want = it == expected.end() ? -1 : it->second;
    if (got != want) out << what << ": /metrics " << got << ", loadgen " << want << "; ";
  };
  check("actors", seen.actors, "actors_alive");
  check("supervisors", seen.supervisors, "supervisors");
  check("workers", seen.workers, "workers");
  check("restarts", seen.restarts, "restarts");
  check("messages processed", seen.processed, "messages_processed");
  return out.str();
}

std::string wait_for_model(const Collector& c, const std::string& node, const Counts& expected,
                           std::chrono::milliseconds timeout) {
  std::string why = "no answer from /metrics";
  eventually([&] {
    auto m = c.scrape();
    why = m ? mismatch(observe(*m, node), expected) : "no answer from /metrics";
    return why.empty();
  }, timeout, 200ms);
  return why;
}

std::vector<std::string> small_workload(const std::string& collector, const std::string& node) {
  return {"--collector", collector, "--node", node, "--actors", "200", "--depth", "3", "--fanout", "3",
          "--messages", "20000", "--crash-rate", "0.002", "--intensity", "100000", "--telemetry-rate", "0.01",
          "--slow-consumer",
          "--slow-us", "100", "--threads", "2", "--seed", "7", "--flush-ms", "50", "--stay", "0"};
}

}  // namespace actorscope::testing
