// Loopback networking for tests: free ports, temporary directories, raw sockets, HTTP GET.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actorscope::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
uint16_t free_tcp_port();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text);

// A connected stream socket (TCP on 127.0.0.1, or Unix), closed at destruction.
class RawConnection {
 public:
  static std::optional<RawConnection> tcp(uint16_t port);
  static std::optional<RawConnection> unix_socket(const std::string& path);
  RawConnection(RawConnection&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  ~RawConnection();
  // Writes all bytes; false when the peer has closed the connection.
  bool send(const std::vector<uint8_t>& bytes);
  // Half-closes: the peer reads end-of-stream, this side can still read.
  void shutdown_write();
  // True once the peer closed the connection (reads and discards whatever it sent
  // before), waiting up to `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);
  // Appends what arrives to `into`; false at end of stream, on error or at the deadline.
  bool read_some(char* buf, size_t size, std::chrono::steady_clock::time_point deadline, std::string& into);

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct HttpResponse {
  int status = 0;  // 0: no answer (refused, timeout, malformed)
  std::string body;
};

// HTTP/1.0 GET http://127.0.0.1:port/target (HTTP/1.1 chunked answers are decoded too).
HttpResponse http_get(uint16_t port, const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Percent-encodes a query parameter value.
std::string url_encode(const std::string& s);

}  // namespace actorscope::testing
