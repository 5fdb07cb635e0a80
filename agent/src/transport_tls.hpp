// TLS to the collector for the agent (an optional build feature: ACTORSCOPE_AGENT_TLS), on
// the flusher's socket; every call has a deadline, so the flusher never waits unbounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

struct ssl_st;
struct ssl_ctx_st;

namespace actorscope::agent {

struct TlsSettings {
  std::string ca_file;    // trusted CAs (PEM); empty: the system's trust store
  std::string cert_file;  // the agent's certificate, for mutual TLS (with key_file)
  std::string key_file;
  bool enabled = false;
};

// Whether this agent was built with TLS (OpenSSL).
bool tls_built_in();

class TlsStream {
 public:
  // Shakes hands over the connected non-blocking socket `fd` (not owned) before
  // `deadline_ns` (mono_ns), checking that the collector's certificate names `host` (a DNS
  // name or an IP address; empty: a unix socket, not checked). nullptr with a one-line error.
  static std::unique_ptr<TlsStream> connect(int fd, const TlsSettings& t, const std::string& host, uint64_t deadline_ns,
                                            std::string& error);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Sends everything before deadline_ns; false with a reason on error or timeout.
  bool send_all(const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error);
  // As transport.hpp's receive(): bytes read, 0 on close, -1 on error (`error` set), -2 when
  // nothing arrived within wait_ms.
  long receive(uint8_t* buf, size_t cap, int wait_ms, std::string& error);
  // Sends close_notify, best effort.
  void close_notify();

 private:
  TlsStream(ssl_ctx_st* ctx, ssl_st* ssl, int fd) : ctx_(ctx), ssl_(ssl), fd_(fd) {}
  ssl_ctx_st* ctx_;
  ssl_st* ssl_;
  int fd_;
};

}  // namespace actorscope::agent
