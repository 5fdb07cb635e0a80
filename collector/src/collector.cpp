// The Collector: the model, server, sessions, exporter, recorder and replay put together.
#include "actorscope/collector/collector.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "actorscope/collector/log.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/http/metrics_server.hpp"
#include "actorscope/tls/tls.hpp"

namespace actorscope::collector {

namespace {

// Where /metrics is served: "HOST:PORT" checked and resolved before anything binds, so that
// a bad port, a name that does not resolve and a non-loopback address each get a message of
// their own.
struct MetricsAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string host;  // numeric, as bound (IPv6 in brackets), for the URL
};

bool is_loopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET)
    return (ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6) return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
  return false;
}

bool resolve_metrics_address(const std::string& text, bool allow_remote, MetricsAddress& out, std::string& error) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    error = "bad metrics address '" + text + "': expected HOST:PORT (e.g. 127.0.0.1:9464), or none";
    return false;
  }
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    error = "bad metrics address '" + text + "': the port must be a number from 0 to 65535";
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) {
    error = "cannot resolve metrics host '" + host + "': " + ::gai_strerror(rc);
    return false;
  }
  // The address actually bound is checked, not the spelling: "127.evil.example" resolves
  // wherever its owner likes.
  const addrinfo* use = res;
  if (!allow_remote && !is_loopback(use->ai_addr)) {
    ::freeaddrinfo(res);
    error = "refusing to serve metrics on non-loopback address " + text + " (pass --allow-remote)";
    return false;
  }
  char numeric[INET6_ADDRSTRLEN] = {};
  if (use->ai_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(use->ai_addr)->sin_addr, numeric, sizeof numeric);
  else
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(use->ai_addr)->sin6_addr, numeric, sizeof numeric);
  std::memcpy(&out.addr, use->ai_addr, use->ai_addrlen);
  out.len = static_cast<socklen_t>(use->ai_addrlen);
  out.host = use->ai_family == AF_INET6 ? "[" + std::string(numeric) + "]" : std::string(numeric);
  ::freeaddrinfo(res);
  return true;
}

}  // namespace

struct Collector::Impl {
  explicit Impl(CollectorSettings s) : settings(std::move(s)), model(settings.model), history(settings.history) {
    if (settings.history.max_age_ns != 0) model.set_history(&history);
  }

  CollectorSettings settings;
  Model model;
  History history;
  std::mutex model_mutex;
  std::unique_ptr<Server> server;
  std::shared_ptr<serve::ServeCounters> serve_counters;
  std::shared_ptr<MetricsCollectable> collectable;
  std::unique_ptr<http::MetricsServer> metrics;
  std::string metrics_url;
  std::thread loop;
  bool started = false;
  mutable std::mutex replay_mutex;
  std::optional<ReplayResult> replay_result;
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

Collector::~Collector() {
  stop();
  if (impl_->metrics) impl_->metrics->stop();  // prompt: its loop wakes on an eventfd
}

bool Collector::start(std::string& error) {
  Impl& c = *impl_;
  if (c.settings.metrics != "none" && !c.settings.metrics.empty()) {
    MetricsAddress where;
    if (!resolve_metrics_address(c.settings.metrics, c.settings.server.allow_remote, where, error)) return false;
    const ExporterSettings& ex = c.settings.exporter;
    http::MetricsServerSettings hs;
    hs.max_connections = ex.http_max_connections;
    hs.max_connections_per_address = ex.http_max_connections_per_address;
    hs.max_header_bytes = ex.http_max_header_bytes;
    hs.header_timeout_ms = ex.http_request_timeout_ms;
    hs.idle_timeout_ms = ex.http_idle_timeout_ms;
    hs.log_interval_ms = c.settings.server.log_interval_ms;
    hs.token = ex.metrics_token;
    if (!ex.metrics_basic_auth_file.empty() && !http::read_basic_auth_file(ex.metrics_basic_auth_file, hs.basic_auth, error))
      return false;
    if (!ex.tls_cert_file.empty() || !ex.tls_key_file.empty()) {
      if (ex.tls_cert_file.empty() || ex.tls_key_file.empty()) {
        error = "metrics over HTTPS needs both --metrics-tls-cert and --metrics-tls-key";
        return false;
      }
      std::shared_ptr<tls::Context> ctx = tls::Context::server(ex.tls_cert_file, ex.tls_key_file, error);
      if (!ctx) return false;
      hs.tls = std::move(ctx);
    }
    Server* server = c.server.get();
    std::shared_ptr<serve::ServeCounters> viewers = c.serve_counters;
    c.collectable = std::make_shared<MetricsCollectable>(c.model, c.model_mutex, c.settings.exporter, [server, viewers] {
      ServerCounters counters = server->counters();
      if (viewers) {
        counters.viewers_dropped = viewers->viewers_dropped.load();
        counters.refusals[static_cast<size_t>(Refusal::PastBusy)] = viewers->rebuilds_refused.load();
        counters.refusals[static_cast<size_t>(Refusal::ExportBusy)] = viewers->exports_refused.load();
      }
      return counters;
    });
    // Scrapes take a snapshot the loop publishes between two peers' turns: they never
    // wait on the model's lock, and ingest never waits on a scrape.
    MetricsCollectable* collectable = c.collectable.get();
    c.collectable->publish_from_loop([server] { server->wake(); });
    c.server->set_turn_hook([collectable] {
      if (collectable->wants_snapshot()) collectable->publish();
    });
    bool https = hs.tls != nullptr;
    c.metrics = std::make_unique<http::MetricsServer>(std::move(hs), c.collectable);
    if (!c.metrics->start(reinterpret_cast<const sockaddr*>(&where.addr), where.len, error)) {
      error = "cannot serve metrics on " + c.settings.metrics + ": " + error;
      c.metrics.reset();
      return false;
    }
    c.metrics_url = std::string(https ? "https://" : "http://") + where.host + ":" + std::to_string(c.metrics->port()) +
                    "/metrics";
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
    Impl* impl = &c;
    c.server->replay_on_loop(std::move(replayer), [path, impl](const ReplayResult& r) {
      {
        std::lock_guard<std::mutex> lock(impl->replay_mutex);
        impl->replay_result = r;
      }
      if (!r.ok) {
        log_line(LogLevel::Error, "replay stopped: " + r.error + " (what came before stays loaded)");
        return;
      }
      log_line(LogLevel::Info, "replayed " + std::to_string(r.records) + " records in " + std::to_string(r.batches) +
                                   " batches from " + std::to_string(r.connections) + " connections of " + path);
      if (!r.lost.empty())
        log_line(LogLevel::Warn, "replay of " + path + " stopped at its last good block: " + r.lost + "; " +
                                        std::to_string(r.lost_bytes) + " bytes after it were not read");
    });
  }
  if (!c.server->start(error)) return false;
  c.serve_counters->collector_started_wall_ns = c.server->started_wall_ns();
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
History& Collector::history() { return impl_->history; }
std::optional<ReplayResult> Collector::replay_result() const {
  std::lock_guard<std::mutex> lock(impl_->replay_mutex);
  return impl_->replay_result;
}
std::mutex& Collector::model_mutex() { return impl_->model_mutex; }
Server& Collector::server() { return *impl_->server; }

}  // namespace actorscope::collector
