// The real pieces under test, started as processes: a collector and actorscope-loadgen runs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "metrics_text.hpp"

namespace actorscope::testing {

// actorscope-collector listening on `listen` (e.g. "tcp:127.0.0.1:0", "unix:/tmp/x.sock") with
// /metrics on 127.0.0.1:metrics_port (0: any). Throws, with the collector's output, when
// it does not announce its addresses within 30 s.
class Collector {
 public:
  // max_open_files > 0: the collector's descriptor limit (RLIMIT_NOFILE).
  Collector(const std::string& binary, const std::vector<std::string>& listen, uint16_t metrics_port = 0,
            const std::vector<std::string>& extra_args = {}, unsigned long max_open_files = 0);
  // The address it announced for the i-th --listen (real port when 0 was asked).
  const std::string& address(size_t i = 0) const { return addresses_.at(i); }
  uint16_t tcp_port(size_t i = 0) const;
  uint16_t metrics_port() const { return metrics_port_; }
  // GET /metrics; nullopt when the collector does not answer 200.
  std::optional<MetricsText> scrape() const;
  std::optional<std::string> scrape_text() const;
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::vector<std::string> addresses_;
  uint16_t metrics_port_ = 0;
};

// What the collector's /metrics says about one node.
struct ObservedCounts {
  double actors = -1, supervisors = -1, workers = -1, restarts = -1, processed = -1;
};
ObservedCounts observe(const MetricsText& m, const std::string& node);

// The counts a loadgen run printed, by key (actors_alive, restarts, messages_processed, ...).
using Counts = std::map<std::string, double>;

// actorscope-loadgen started with `args` (and `env` entries, e.g. "ACTORSCOPE_DISABLE=1").
class Loadgen {
 public:
  Loadgen(const std::string& binary, const std::vector<std::string>& args, const std::vector<std::string>& env = {});
  // Waits for its counts line ("loadgen: ..."); nullopt when it did not come in time.
  std::optional<Counts> counts(std::chrono::milliseconds timeout = 60s);
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
};

// Describes which of loadgen's counts the collector does not show, "" when all match.
std::string mismatch(const ObservedCounts& seen, const Counts& expected);

// Polls the collector's /metrics until its model of `node` shows loadgen's counts: returns ""
// when it did, else the last difference seen.
std::string wait_for_model(const Collector& c, const std::string& node, const Counts& expected,
                           std::chrono::milliseconds timeout = 30s);

// loadgen's flags for a small, exact workload reporting to `collector` as `node`, staying
// connected afterwards (until SIGTERM). Supervisors never give up (no escalation), so that
// every restart stays in a live supervisor's count, the state a reconnect resends.
std::vector<std::string> small_workload(const std::string& collector, const std::string& node);

}  // namespace actorscope::testing
