// Prometheus export: a Collectable that renders the model's aggregates at scrape time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
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
  size_t max_series = 10'000;  // label sets per metric family, shared fairly among nodes; a
                               // node's series past its share fold into its own "other"
  size_t mailbox_top = 10;     // actorscope_mailbox_top_messages: the deepest N mailboxes of
                               // all nodes, labelled by actor name (0: none)
  uint32_t scrape_wait_ms = 250;  // a scrape waits this long for a fresh snapshot, then
                                  // answers with the previous one
  // The /metrics endpoint (collector/http): one epoll thread; a slow client holds a
  // descriptor and a few KB until a deadline, never a thread.
  size_t http_max_connections = 128;        // open HTTP connections; at the bound the oldest of
                                            // the address holding the most is closed
  size_t http_max_connections_per_address = 32;  // from one client address; at it, its oldest is closed
  size_t http_max_header_bytes = 8192;      // request line and headers; more: 431
  uint32_t http_request_timeout_ms = 2000;  // a request's head must be complete within this
  uint32_t http_idle_timeout_ms = 30000;    // keep-alive between requests; time to read a response
  std::string metrics_token;                // non-empty: "Authorization: Bearer <token>" required
  std::string metrics_basic_auth_file;      // set: users (user:password or user:sha256:HEX lines)
                                            // whose "Authorization: Basic" is accepted
  std::string tls_cert_file;                // both set: /metrics over HTTPS only (PEM files)
  std::string tls_key_file;
};

// Renders per-node, per-type aggregates (never a per-actor walk), plus the collector's own
// health. Thread-safe: Collect() runs on the HTTP thread.
//
// With publish_from_loop(), scrapes never touch the model: Collect() asks the thread that
// owns the model for a snapshot (wants_snapshot() turns true and `wake` is called), that
// thread calls publish() between two peers' turns, and the scrape takes the snapshot —
// or, when the loop does not publish within scrape_wait_ms, the previous one. Without it,
// Collect() renders under the model mutex (tests, benchmarks).
class MetricsCollectable : public prometheus::Collectable {
 public:
  // server_counters may be empty (replay-only or tests).
  MetricsCollectable(const Model& model, std::mutex& model_mutex, ExporterSettings settings = {},
                     std::function<ServerCounters()> server_counters = {});
  std::vector<prometheus::MetricFamily> Collect() const override;

  // See the class comment. Call before the first scrape.
  void publish_from_loop(std::function<void()> wake);
  bool wants_snapshot() const;
  // On the thread that owns the model (no lock taken on it).
  void publish();

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

  struct Rendered {
    std::vector<prometheus::MetricFamily> families;
    uint64_t folded = 0;
    uint64_t render_ns = 0;
  };
  std::shared_ptr<const Rendered> latest() const;
  mutable std::mutex snapshot_mutex_;
  mutable std::condition_variable published_cv_;
  std::shared_ptr<const Rendered> snapshot_;  // guarded by snapshot_mutex_
  uint64_t published_ = 0;                    // the last request the snapshot answers
  bool published_mode_ = false;
  std::function<void()> wake_;
  mutable std::atomic<uint64_t> asked_{0};
  mutable std::atomic<bool> wanted_{false};
  mutable std::atomic<uint64_t> stale_scrapes_{0};
};

// The families of one scrape of the model alone (no locking, no server health): for
// tests and benchmarks. `folded` receives the number of label sets folded into "other".
std::vector<prometheus::MetricFamily> render_model(const Model& model, const ExporterSettings& settings,
                                                   uint64_t* folded = nullptr);
// Prometheus text exposition format of some families.
std::string to_text(const std::vector<prometheus::MetricFamily>& families);

}  // namespace actorscope::collector
