// Round-robin over the metrics: the replica keeps only the latest series reply, so the
// cache asks for one metric at a time and copies each reply out when it arrives.
#include "series_cache.hpp"

namespace actorscope::gui {

void SeriesCache::update(Feed& feed, pv::NodeId node) {
  const auto now = Clock::now();
  if (node != node_) {
    node_ = node;
    in_flight_ = 0;
    fetched_ = {};
    for (auto& p : points_) p.clear();
  }
  if (in_flight_) {
    const auto& reply = feed.replica().series();
    if (reply && reply->request == in_flight_) {
      points_[in_flight_metric_] = reply->points;
      step_s_[in_flight_metric_] = reply->step_ms / 1000.0f;
      end_wall_ns_[in_flight_metric_] = reply->end_wall_ns;
      fetched_[in_flight_metric_] = now;
      in_flight_ = 0;
    } else if (now - sent_ < std::chrono::milliseconds(settings_.reply_timeout_ms)) {
      return;
    } else {
      in_flight_ = 0;  // lost or refused: try the next one
    }
  }
  if (!feed.connected()) return;
  for (size_t m = 0; m < pv::kMetricCount; ++m) {
    if (now - fetched_[m] < std::chrono::milliseconds(settings_.refresh_ms)) continue;
    in_flight_ = feed.request_series(node, static_cast<pv::Metric>(m), settings_.seconds);
    in_flight_metric_ = m;
    sent_ = now;
    fetched_[m] = now;  // even when the reply never comes, wait refresh_ms before asking again
    if (in_flight_ && feed.replica().series() && feed.replica().series()->request == in_flight_) {
      // answered synchronously (a generated feed)
      points_[m] = feed.replica().series()->points;
      step_s_[m] = feed.replica().series()->step_ms / 1000.0f;
      end_wall_ns_[m] = feed.replica().series()->end_wall_ns;
      in_flight_ = 0;
      continue;
    }
    return;
  }
}

}  // namespace actorscope::gui
