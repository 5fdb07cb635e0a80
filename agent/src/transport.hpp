// Sockets to the collector: non-blocking connect with a timeout, sends with a deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "settings.hpp"
#include "transport_tls.hpp"

namespace actorscope::agent {

// A connected, non-blocking socket, or -1 with a one-line reason.
int connect_to(const Address& a, int timeout_ms, std::string& error);
// Sends everything before deadline_ns (mono_ns); false on error or timeout.
bool send_all(int fd, const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error);
// Reads what is available, waiting at most wait_ms. Returns bytes read, 0 on orderly
// close, -1 on error; -2 when nothing arrived in time.
long receive(int fd, uint8_t* buf, size_t cap, int wait_ms);
void close_socket(int fd);

// The connection to the collector: a socket, and TLS over it when the settings ask.
class Channel {
 public:
  enum class Open { Ok, Unreachable, TlsFailed };
  // Connects to s.collector and, with TLS, shakes hands before deadline_ns. message: why not.
  Open open(const Settings& s, int connect_timeout_ms, uint64_t deadline_ns, std::string& message);
  bool is_open() const { return fd_ >= 0; }
  bool send_all(const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error);
  // As receive(): bytes, 0 on close, -1 on error (error() says why), -2 when nothing came.
  long receive(uint8_t* buf, size_t cap, int wait_ms);
  const std::string& error() const { return error_; }
  void close();

 private:
  int fd_ = -1;
  std::unique_ptr<TlsStream> tls_;
  std::string error_;
};

}  // namespace actorscope::agent
