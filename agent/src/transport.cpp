// POSIX sockets; SIGPIPE is avoided with MSG_NOSIGNAL, the app's signal setup is untouched.
#include "transport.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "clock.hpp"

namespace actorscope::agent {
namespace {

int wait_connected(int fd, int timeout_ms, std::string& error) {
  pollfd p{fd, POLLOUT, 0};
  int r;
  do {
    r = poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r == 0) {
    error = "connect timed out";
    return -1;
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err) {
    error = std::strerror(err);
    return -1;
  }
  return 0;
}

int try_connect(int family, const sockaddr* sa, socklen_t len, int timeout_ms, std::string& error) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (connect(fd, sa, len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      error = std::strerror(errno);
      close(fd);
      return -1;
    }
    if (wait_connected(fd, timeout_ms, error) != 0) {
      close(fd);
      return -1;
    }
  }
  if (family != AF_UNIX) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

}  // namespace

int connect_to(const Address& a, int timeout_ms, std::string& error) {
  if (a.kind == Address::Kind::Unix) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, a.path.data(), a.path.size());
    return try_connect(AF_UNIX, reinterpret_cast<sockaddr*>(&sa), sizeof sa, timeout_ms, error);
  }
  if (a.kind != Address::Kind::Tcp) {
    error = "no collector address";
    return -1;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(a.port);
  int gai = getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) {
    error = std::string("cannot resolve ") + a.host + ": " + gai_strerror(gai);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next)
    fd = try_connect(ai->ai_family, ai->ai_addr, ai->ai_addrlen, timeout_ms, error);
  freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      error = std::strerror(errno);
      return false;
    }
    uint64_t now = mono_ns();
    if (now >= deadline_ns) {
      error = "send timed out (collector not reading)";
      return false;
    }
    pollfd pf{fd, POLLOUT, 0};
    int wait_ms = static_cast<int>((deadline_ns - now) / 1'000'000) + 1;
    if (poll(&pf, 1, wait_ms) < 0 && errno != EINTR) {
      error = std::strerror(errno);
      return false;
    }
  }
  return true;
}

long receive(int fd, uint8_t* buf, size_t cap, int wait_ms) {
  pollfd pf{fd, POLLIN, 0};
  int r = poll(&pf, 1, wait_ms);
  if (r == 0 || (r < 0 && errno == EINTR)) return -2;
  if (r < 0) return -1;
  ssize_t n = recv(fd, buf, cap, 0);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -2 : -1;
  return static_cast<long>(n);
}

void close_socket(int fd) {
  if (fd >= 0) close(fd);
}

Channel::Open Channel::open(const Settings& s, int connect_timeout_ms, uint64_t deadline_ns, std::string& message) {
  close();
  int fd = connect_to(s.collector, connect_timeout_ms, message);
  if (fd < 0) return Open::Unreachable;
  if (s.tls.enabled) {
    std::string why;
    tls_ = TlsStream::connect(fd, s.tls, s.collector.kind == Address::Kind::Tcp ? s.collector.host : std::string(), deadline_ns, why);
    if (!tls_) {
      message = "TLS handshake with the collector at " + s.collector.text + " failed: " + why;
      // What OpenSSL says when the answer is not TLS at all: the usual cause is a collector
      // without TLS, which answered our ClientHello with a plaintext Reject.
      if (why.find("wrong version number") != std::string::npos || why.find("packet length too long") != std::string::npos)
        message += " (the collector does not speak TLS on this port: start it with --tls-cert and --tls-key, or unset ACTORSCOPE_TLS_CA)";
      close_socket(fd);
      return Open::TlsFailed;
    }
  }
  fd_ = fd;
  error_.clear();
  return Open::Ok;
}

bool Channel::send_all(const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error) {
  if (tls_) return tls_->send_all(p, n, deadline_ns, error);
  return agent::send_all(fd_, p, n, deadline_ns, error);
}

long Channel::receive(uint8_t* buf, size_t cap, int wait_ms) {
  if (tls_) return tls_->receive(buf, cap, wait_ms, error_);
  long n = agent::receive(fd_, buf, cap, wait_ms);
  if (n == -1) error_ = std::strerror(errno);
  return n;
}

void Channel::close() {
  if (tls_) tls_->close_notify();
  tls_.reset();
  close_socket(fd_);
  fd_ = -1;
}

}  // namespace actorscope::agent
