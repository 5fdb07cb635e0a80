// Prometheus export: a Collectable that renders the model's aggregates at scrape time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "actorscope/collector/model.hpp"
#include "actorscope/collector/server.hpp"

namespace actorscope::collector {

struct ExporterSettings {
  size_t max_series = 10'000;  // label sets per metric family; more fold into "other"
};

// Renders per-node, per-type aggregates (never a per-actor walk) under the model mutex,
// plus the collector's own health. Thread-safe: Collect() runs on the HTTP thread.
class MetricsCollectable : public prometheus::Collectable {
 public:
  // server_counters may be empty (replay-only or tests).
  MetricsCollectable(const Model& model, std::mutex& model_mutex, ExporterSettings settings = {},
                     std::function<ServerCounters()> server_counters = {});
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Label sets the last scrape folded into "other" (a gauge: the same label set folded
  // at every scrape counts once per scrape, not once per scrape summed).
  uint64_t series_folded() const { return folded_.load(std::memory_order_relaxed); }
  double last_scrape_seconds() const;

 private:
  const Model& model_;
  std::mutex& mutex_;
  ExporterSettings settings_;
  std::function<ServerCounters()> server_counters_;
  mutable std::atomic<uint64_t> folded_{0};
  mutable std::atomic<uint64_t> last_scrape_ns_{0};
};

// The families of one scrape of the model alone (no locking, no server health): for
// tests and benchmarks. `folded` receives the number of label sets folded into "other".
std::vector<prometheus::MetricFamily> render_model(const Model& model, const ExporterSettings& settings,
                                                   uint64_t* folded = nullptr);
// Prometheus text exposition format of some families.
std::string to_text(const std::vector<prometheus::MetricFamily>& families);

}  // namespace actorscope::collector
