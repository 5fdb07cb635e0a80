// Parsing and binding of listening addresses (TCP loopback by default, Unix sockets).
#include "address.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace actorscope::collector {

bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error) {
  out = ListenAddress{};
  if (text.rfind("unix:", 0) == 0) {
    out.unix_socket = true;
    out.path = text.substr(5);
    if (out.path.empty() || out.path.size() >= sizeof(sockaddr_un::sun_path)) {
      error = "bad address '" + text + "': unix socket path empty or too long";
      return false;
    }
    return true;
  }
  if (text.rfind("tcp:", 0) != 0) {
    error = "bad address '" + text + "': expected tcp:HOST:PORT or unix:PATH";
    return false;
  }
  std::string rest = text.substr(4);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    error = "bad address '" + text + "': expected tcp:HOST:PORT";
    return false;
  }
  out.host = rest.substr(0, colon);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  std::string port = rest.substr(colon + 1);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    error = "bad address '" + text + "': port must be 0..65535";
    return false;
  }
  out.port = static_cast<int>(p);
  return true;
}

static bool is_loopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

int open_listener(const ListenAddress& a, bool allow_remote, std::string& bound, std::string& error) {
  if (a.unix_socket) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::string("socket: ") + std::strerror(errno);
      return -1;
    }
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, a.path.c_str(), a.path.size() + 1);
    // A stale socket file from an earlier run would make bind fail: remove it only when it
    // is a socket and nobody answers on it. Anything else at that path is never touched.
    struct stat st {};
    if (::lstat(a.path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
      ::close(fd);
      error = "cannot listen on unix:" + a.path + ": the path exists and is not a socket (choose another path)";
      return -1;
    }
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0) {
      if (::connect(probe, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0 && errno == ECONNREFUSED) ::unlink(a.path.c_str());
      ::close(probe);
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0 || ::listen(fd, 128) != 0) {
      error = "cannot listen on unix:" + a.path + ": " + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    bound = "unix:" + a.path;
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(a.port);
  int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) {
    error = "cannot resolve '" + a.host + "': " + ::gai_strerror(rc);
    return -1;
  }
  if (!allow_remote && !is_loopback(res->ai_addr)) {
    ::freeaddrinfo(res);
    error = "refusing to listen on non-loopback address " + a.host + " (pass --allow-remote, and set --token-file)";
    return -1;
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
    error = "cannot listen on tcp:" + a.host + ":" + port + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(res);
    return -1;
  }
  ::freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  char host[INET6_ADDRSTRLEN] = {};
  int real_port = 0;
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    real_port = ntohs(in->sin_port);
    bound = std::string("tcp:") + host + ":" + std::to_string(real_port);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    real_port = ntohs(in6->sin6_port);
    bound = std::string("tcp:[") + host + "]:" + std::to_string(real_port);
  }
  return fd;
}

}  // namespace actorscope::collector
