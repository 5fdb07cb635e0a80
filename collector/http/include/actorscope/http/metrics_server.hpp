// The collector's /metrics endpoint: one thread, one epoll loop, non-blocking sockets.
// A slow or silent client costs a descriptor and a few KB until its deadline, never a
// thread; optional bearer token and TLS.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "actorscope/http/basic_auth.hpp"
#include "actorscope/tls/tls.hpp"

namespace actorscope::http {

struct MetricsServerSettings {
  size_t max_connections = 128;       // open HTTP connections; at the bound the oldest of the
                                      // address holding the most is closed (counted: evicted)
  size_t max_connections_per_address = 32;  // from one client address; at it that address's oldest
                                      // is closed (counted: too_many_from_address); 0: no limit
  size_t max_header_bytes = 8192;     // request line and headers; more: 431
  uint32_t header_timeout_ms = 2000;  // a request's head must be complete within this from its
                                      // first byte (a new connection: from its accept)
  uint32_t idle_timeout_ms = 30000;   // keep-alive: a connection between requests closes after
                                      // this; also the time a client has to read a response
  uint32_t log_interval_ms = 10000;   // a refusal is logged once per client address and reason per interval
  std::string token;                  // non-empty: "Authorization: Bearer <token>" is required
  std::vector<BasicAuthUser> basic_auth;  // non-empty: "Authorization: Basic ..." of one of them
                                      // is required (with a token too: either one will do)
  std::shared_ptr<const tls::Context> tls;  // server context: HTTPS only; null: plain HTTP
  bool gzip = true;                   // compress when the client sends Accept-Encoding: gzip
};

// Every way a request or connection is refused; each is counted and logged (throttled).
enum class HttpRefusal : size_t {
  BadRequest,        // 400: not an HTTP/1.x request head, or a request with a body
  HeaderTooLarge,    // 431: head over max_header_bytes
  HeaderTimeout,     // closed: the head did not complete within header_timeout_ms
  NotFound,          // 404: a path other than /metrics
  MethodNotAllowed,  // 405: a method other than GET and HEAD
  Unauthorized,      // 401: token required, missing or wrong
  Evicted,           // closed to make room at max_connections
  OutOfDescriptors,  // accepted and closed at once: the process is out of file descriptors
  TlsHandshake,      // the TLS handshake failed (plain HTTP to an HTTPS port, wrong version, ...)
  WriteTimeout,      // the client did not read its response within idle_timeout_ms
  TooManyFromAddress,  // over max_connections_per_address from one client address
  Count
};
std::string_view name(HttpRefusal r);

struct MetricsServerCounters {
  uint64_t connections = 0;        // open now
  uint64_t connections_total = 0;  // accepted
  uint64_t responses_ok = 0;       // 200s
  std::array<uint64_t, static_cast<size_t>(HttpRefusal::Count)> refused{};
};

class MetricsServer {
 public:
  // `collectable` renders the body (prometheus-cpp's text format); the server's own families
  // are added to it.
  MetricsServer(MetricsServerSettings settings, std::shared_ptr<prometheus::Collectable> collectable);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and listens on `addr`, then runs the loop on a thread of its own. False with a
  // one-line reason (e.g. "Address already in use").
  bool start(const sockaddr* addr, socklen_t len, std::string& error);
  uint16_t port() const { return port_; }
  // Thread-safe; returns once the loop's thread has ended and every connection is closed.
  void stop();

  MetricsServerCounters counters() const;
  // The server's own families (connections, refusals by reason), as the page shows them.
  void append_families(std::vector<prometheus::MetricFamily>& out) const;

 private:
  struct Loop;
  MetricsServerSettings settings_;
  std::shared_ptr<prometheus::Collectable> collectable_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  uint16_t port_ = 0;

  std::atomic<uint64_t> connections_{0}, connections_total_{0}, responses_ok_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(HttpRefusal::Count)> refused_{};
};

}  // namespace actorscope::http
