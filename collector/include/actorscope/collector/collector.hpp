// A whole collector as one object: the model and its lock, the server with its viewer
// sessions, the Prometheus exporter, the recorder and a replay. Used by the daemon and by
// the viewers' --listen, so both run the same thing.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/history.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/collector/server.hpp"
#include "actorscope/serve/serve.hpp"

namespace actorscope::collector {

struct CollectorSettings {
  ServerSettings server;               // listeners, token, bounds, --record
  ModelSettings model;
  HistorySettings history;             // the flight recorder (max_age_ns 0: off)
  ExporterSettings exporter;
  serve::ServeOptions serve;           // viewer sessions (token and allow_commands follow server)
  std::string metrics = "none";        // HOST:PORT of /metrics, or "none"
  std::string replay;                  // a recording to replay into the model, or empty
  double replay_speed = 0;             // 0: as fast as possible; 1: real time
};

class Collector {
 public:
  // Settings for a collector inside a viewer (--listen): agents connect to `listen`, the
  // viewer to the same address; its own viewer reads at memory speed.
  static CollectorSettings inside_viewer(const std::string& listen, const std::string& token, const std::string& name);

  explicit Collector(CollectorSettings settings);
  ~Collector();  // stops and joins
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Binds the listeners and /metrics and opens the replay. False with a one-line error.
  bool start(std::string& error);
  // Runs the loop on the calling thread until stop().
  void run();
  // start() and run() on a thread of its own.
  bool start_in_background(std::string& error);
  // Thread-safe; run() returns soon after (the background thread is joined).
  void stop();

  // Actual addresses (real ports when 0 was asked).
  std::vector<std::string> bound_addresses() const;
  // http://HOST:PORT/metrics, or empty without an exporter.
  std::string metrics_url() const;

  const CollectorSettings& settings() const;
  // The replay's outcome once it has ended (settings().replay); nullopt while it runs or
  // when there is none. Thread-safe.
  std::optional<ReplayResult> replay_result() const;
  Model& model();
  History& history();
  std::mutex& model_mutex();
  Server& server();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace actorscope::collector
