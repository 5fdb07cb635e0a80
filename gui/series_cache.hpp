// The collector's kept history (one point per second, an hour by default) for each metric,
// fetched one request at a time and refreshed in turn.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "feed.hpp"

namespace actorscope::gui {

struct SeriesSettings {
  uint32_t seconds = 3600;          // how far back the charts reach
  uint32_t refresh_ms = 1000;       // a metric is asked again after this long
  uint32_t reply_timeout_ms = 5000;  // a lost reply does not stall the others
};

class SeriesCache {
 public:
  explicit SeriesCache(SeriesSettings s = {}) : settings_(s) {}
  // Takes a reply that arrived and sends the next request, at most one in flight.
  void update(Feed& feed, pv::NodeId node);
  const std::vector<double>& points(pv::Metric m) const { return points_[static_cast<size_t>(m)]; }
  float step_s(pv::Metric m) const { return step_s_[static_cast<size_t>(m)]; }
  // The wall clock of the last point (Unix ns; 0: the collector did not say).
  uint64_t end_wall_ns(pv::Metric m) const { return end_wall_ns_[static_cast<size_t>(m)]; }
  const SeriesSettings& settings() const { return settings_; }

 private:
  using Clock = std::chrono::steady_clock;
  SeriesSettings settings_;
  pv::NodeId node_ = ~0u;
  uint64_t in_flight_ = 0;
  size_t in_flight_metric_ = 0;
  Clock::time_point sent_{};
  std::array<Clock::time_point, pv::kMetricCount> fetched_{};
  std::array<std::vector<double>, pv::kMetricCount> points_{};
  std::array<float, pv::kMetricCount> step_s_{1, 1, 1, 1, 1};
  std::array<uint64_t, pv::kMetricCount> end_wall_ns_{};
};

}  // namespace actorscope::gui
