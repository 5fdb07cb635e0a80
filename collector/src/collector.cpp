// The Collector: the model, server, sessions, exporter, recorder and replay put together.
#include "actorscope/collector/collector.hpp"

#include <prometheus/exposer.h>

#include <thread>

#include "actorscope/collector/log.hpp"
#include "actorscope/collector/record.hpp"

namespace actorscope::collector {

namespace {

bool metrics_host_is_loopback(const std::string& hostport) {
  return hostport.rfind("127.", 0) == 0 || hostport.rfind("localhost:", 0) == 0 || hostport.rfind("[::1]:", 0) == 0;
}

}  // namespace

struct Collector::Impl {
  explicit Impl(CollectorSettings s) : settings(std::move(s)), model(settings.model) {}

  CollectorSettings settings;
  Model model;
  std::mutex model_mutex;
  std::unique_ptr<Server> server;
  std::shared_ptr<serve::ServeCounters> serve_counters;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<MetricsCollectable> collectable;
  std::string metrics_url;
  std::thread loop;
  bool started = false;
};

CollectorSettings Collector::inside_viewer(const std::string& listen, const std::string& token, const std::string& name) {
  CollectorSettings s;
  s.server.listen = {listen};
  s.server.token = token;
  s.server.name = name;
  s.server.max_output_bytes = 64u << 20;
  return s;
}

Collector::Collector(CollectorSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {
  Impl& c = *impl_;
  c.settings.serve.token = c.settings.server.token;
  c.settings.serve.allow_commands = c.settings.server.allow_commands || c.settings.serve.allow_commands;
  c.settings.serve.connection_bound_bytes = c.settings.server.max_output_bytes;
  c.server = std::make_unique<Server>(c.model, c.model_mutex, c.settings.server);
  c.serve_counters = serve::install(*c.server, c.model, c.settings.serve);
}

Collector::~Collector() { stop(); }

bool Collector::start(std::string& error) {
  Impl& c = *impl_;
  if (c.settings.metrics != "none" && !c.settings.metrics.empty()) {
    if (!c.settings.server.allow_remote && !metrics_host_is_loopback(c.settings.metrics)) {
      error = "refusing to serve metrics on non-loopback address " + c.settings.metrics + " (pass --allow-remote)";
      return false;
    }
    try {
      c.exposer = std::make_unique<prometheus::Exposer>(c.settings.metrics, 2);
    } catch (const std::exception& e) {
      error = "cannot serve metrics on " + c.settings.metrics + ": " + e.what();
      return false;
    }
    Server* server = c.server.get();
    c.collectable = std::make_shared<MetricsCollectable>(c.model, c.model_mutex, c.settings.exporter,
                                                         [server] { return server->counters(); });
    c.exposer->RegisterCollectable(c.collectable);
    std::string host = c.settings.metrics.substr(0, c.settings.metrics.rfind(':'));
    auto ports = c.exposer->GetListeningPorts();
    c.metrics_url = "http://" + host + ":" + std::to_string(ports.empty() ? 0 : ports[0]) + "/metrics";
  }

  if (!c.settings.replay.empty()) {
    // The replay runs on the loop, after the listeners open: viewers and /metrics see it
    // progress. At a real-time speed the entries arrive as if live (the collector's own
    // clock); at full speed the recorded clock drives the model until the end.
    ReplayOptions ro;
    ro.speed = c.settings.replay_speed;
    ro.model_mutex = &c.model_mutex;
    ro.live_clock = c.settings.replay_speed > 0;
    auto replayer = std::make_unique<Replayer>(c.model, ro);
    if (!replayer->open(c.settings.replay, error)) {
      error = "replay failed: " + error;
      return false;
    }
    std::string path = c.settings.replay;
    c.server->replay_on_loop(std::move(replayer), [path](const ReplayResult& r) {
      if (!r.ok) {
        log_line(LogLevel::Error, "replay stopped: " + r.error + " (what came before stays loaded)");
        return;
      }
      log_line(LogLevel::Info, "replayed " + std::to_string(r.records) + " records in " + std::to_string(r.batches) +
                                   " batches from " + std::to_string(r.connections) + " connections of " + path);
    });
  }
  if (!c.server->start(error)) return false;
  c.started = true;
  return true;
}

void Collector::run() { impl_->server->run(); }

bool Collector::start_in_background(std::string& error) {
  if (!start(error)) return false;
  impl_->loop = std::thread([this] { impl_->server->run(); });
  return true;
}

void Collector::stop() {
  Impl& c = *impl_;
  if (c.server) c.server->stop();
  if (c.loop.joinable()) c.loop.join();
}

std::vector<std::string> Collector::bound_addresses() const { return impl_->server->bound_addresses(); }
std::string Collector::metrics_url() const { return impl_->metrics_url; }
const CollectorSettings& Collector::settings() const { return impl_->settings; }
Model& Collector::model() { return impl_->model; }
std::mutex& Collector::model_mutex() { return impl_->model_mutex; }
Server& Collector::server() { return *impl_->server; }

}  // namespace actorscope::collector
