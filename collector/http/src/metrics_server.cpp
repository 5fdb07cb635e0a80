// /metrics on one epoll thread: each connection is a small state machine (TLS handshake,
// reading a head, writing a response, lingering after a refusal) with a deadline, so that
// clients that send or read slowly hold a descriptor and their buffers, nothing else.
#include "actorscope/http/metrics_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <zlib.h>

#include <prometheus/text_serializer.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "actorscope/collector/log.hpp"
#include "request.hpp"

namespace actorscope::http {

std::string_view name(HttpRefusal r) {
  switch (r) {
    case HttpRefusal::BadRequest: return "bad_request";
    case HttpRefusal::HeaderTooLarge: return "header_too_large";
    case HttpRefusal::HeaderTimeout: return "header_timeout";
    case HttpRefusal::NotFound: return "not_found";
    case HttpRefusal::MethodNotAllowed: return "method_not_allowed";
    case HttpRefusal::Unauthorized: return "unauthorized";
    case HttpRefusal::Evicted: return "evicted";
    case HttpRefusal::OutOfDescriptors: return "out_of_descriptors";
    case HttpRefusal::TlsHandshake: return "tls_handshake";
    case HttpRefusal::WriteTimeout: return "write_timeout";
    case HttpRefusal::TooManyFromAddress: return "too_many_from_address";
    case HttpRefusal::Count: break;
  }
  return "unknown";
}

namespace {

using collector::LogLevel;

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

constexpr uint64_t kMs = 1'000'000;
constexpr uint32_t kLingerMs = 1000;       // after a refusal, input is read and dropped this long at most
constexpr size_t kLingerBytes = 64 * 1024; // ... and this much
constexpr int kAcceptsPerTurn = 64;

std::string peer_text(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  return buf[0] ? buf : "?";
}

bool gzip(const std::string& in, std::string& out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper; level 1: scrapes are frequent, the text repetitive.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

}  // namespace

struct MetricsServer::Loop {
  enum class State { Handshake, Reading, Writing, Lingering };
  struct Conn {
    int fd = -1;
    std::string peer;
    std::unique_ptr<tls::Session> tls;
    State state = State::Reading;
    std::string in;
    std::string out;
    size_t out_off = 0;
    bool close_after = false;
    bool in_request = false;       // bytes of a request head have arrived
    bool fresh = true;             // no request answered yet: its first must come in time
    bool tls_wants_write = false;  // the last TLS call waits for the socket to be writable
    bool tls_wants_read = false;   // ... readable
    uint64_t deadline_ns = 0;
    uint64_t accepted_ns = 0;
    uint32_t events = 0;
    size_t lingered = 0;
  };

  explicit Loop(MetricsServer& s)
      : server(s), limiter(static_cast<uint64_t>(s.settings_.log_interval_ms) * kMs) {}
  ~Loop() {
    for (auto& [fd, c] : conns) ::close(fd);
    for (int fd : {listen_fd, epoll_fd, wake_fd, reserve_fd})
      if (fd >= 0) ::close(fd);
  }

  MetricsServer& server;
  const MetricsServerSettings& settings() const { return server.settings_; }
  int listen_fd = -1, epoll_fd = -1, wake_fd = -1, reserve_fd = -1;
  std::atomic<bool> stopping{false};
  std::unordered_map<int, Conn> conns;
  std::unordered_map<std::string, size_t> per_address;  // open connections by client address
  collector::LogLimiter limiter;
  uint64_t next_sweep_ns = 0;

  void refuse(HttpRefusal r, const std::string& peer, const std::string& detail) {
    server.refused_[static_cast<size_t>(r)].fetch_add(1, std::memory_order_relaxed);
    std::string line = "metrics: " + std::string(name(r)) + " from " + peer + (detail.empty() ? "" : ": " + detail);
    limiter.log(LogLevel::Warn, now_ns(), peer, name(r), line);
  }

  void set_events(Conn& c) {
    uint32_t want = 0;
    if (c.state == State::Writing)
      want = c.tls_wants_read ? EPOLLIN : EPOLLOUT;
    else
      want = c.tls_wants_write ? EPOLLOUT : EPOLLIN;
    want |= EPOLLRDHUP;
    if (want == c.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.fd = c.fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = want;
  }

  void close_conn(int fd) {
    auto it = conns.find(fd);
    if (it == conns.end()) return;
    if (it->second.tls) it->second.tls->shutdown();
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    if (auto p = per_address.find(it->second.peer); p != per_address.end() && --p->second == 0) per_address.erase(p);
    conns.erase(it);
    server.connections_.store(conns.size(), std::memory_order_relaxed);
  }

  // Who gives way at the connection bound: among the connections not in the middle of writing
  // a response (that one is nearly done), the oldest of the address that holds the most. A
  // flood from one address evicts its own connections, not a scraper's from another address.
  int eviction_victim() const {
    std::unordered_map<std::string_view, size_t> held;
    size_t most = 0;
    for (const auto& [fd, c] : conns)
      if (c.state != State::Writing) most = std::max(most, ++held[c.peer]);
    int victim = -1;
    uint64_t oldest = UINT64_MAX;
    for (const auto& [fd, c] : conns)
      if (c.state != State::Writing && held[c.peer] == most && c.accepted_ns < oldest) {
        oldest = c.accepted_ns;
        victim = fd;
      }
    return victim;
  }

  // The oldest connection of `peer` not in the middle of writing a response; -1 when none.
  int oldest_of(const std::string& peer) const {
    int victim = -1;
    uint64_t oldest = UINT64_MAX;
    for (const auto& [fd, c] : conns)
      if (c.state != State::Writing && c.peer == peer && c.accepted_ns < oldest) {
        oldest = c.accepted_ns;
        victim = fd;
      }
    return victim;
  }

  void accept_all() {
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
          // Out of descriptors: give the reserve back, take the pending connection and close
          // it, so that it does not wake this loop forever.
          ::close(reserve_fd);
          int dropped = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (dropped >= 0) ::close(dropped);
          reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          refuse(HttpRefusal::OutOfDescriptors, "?", "the process is out of file descriptors");
          continue;
        }
        return;  // EAGAIN, or an error to retry on the next wake
      }
      std::string peer = peer_text(ss);
      // One address gets at most its own share of the connections, so that it cannot fill the
      // bound with responses it never reads (those cannot be evicted). At its share, its own
      // oldest gives way: a scrape from a flooded address is the newest, and is answered.
      if (auto held = per_address.find(peer);
          settings().max_connections_per_address != 0 && held != per_address.end() &&
          held->second >= settings().max_connections_per_address) {
        int victim = oldest_of(peer);
        std::string bound = std::to_string(settings().max_connections_per_address) +
                            " connections from one address (--http-max-connections-per-address)";
        if (victim < 0) {
          refuse(HttpRefusal::TooManyFromAddress, peer, bound + ", every one answering: new one closed");
          ::close(fd);  // counted first: whoever sees it closed sees it counted
          continue;
        }
        refuse(HttpRefusal::TooManyFromAddress, peer, "its oldest closed to make room: " + bound);
        close_conn(victim);
      }
      if (conns.size() >= settings().max_connections) {
        int victim = eviction_victim();
        if (victim < 0) {
          ::close(fd);
          refuse(HttpRefusal::Evicted, peer, "every connection is answering; new one closed");
          continue;
        }
        refuse(HttpRefusal::Evicted, conns[victim].peer,
               "closed to make room (" + std::to_string(settings().max_connections) + " HTTP connections)");
        close_conn(victim);
      }
      uint64_t now = now_ns();
      Conn& c = conns[fd];
      c.fd = fd;
      c.peer = std::move(peer);
      ++per_address[c.peer];
      c.accepted_ns = now;
      c.deadline_ns = now + settings().header_timeout_ms * kMs;
      if (settings().tls) {
        c.tls = std::make_unique<tls::Session>(*settings().tls, fd);
        c.state = State::Handshake;
      }
      c.events = EPOLLIN | EPOLLRDHUP;
      epoll_event ev{};
      ev.events = c.events;
      ev.data.fd = fd;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
      server.connections_.store(conns.size(), std::memory_order_relaxed);
      server.connections_total_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Reads what the socket has (at most `room` bytes). Returns false when the connection ended.
  enum class ReadOutcome { Some, Blocked, Ended };
  ReadOutcome read_some(Conn& c, char* buf, size_t room, size_t& got) {
    got = 0;
    c.tls_wants_write = false;
    if (c.tls) {
      tls::Io r = c.tls->read(buf, room, got);
      if (r == tls::Io::Done) return ReadOutcome::Some;
      if (r == tls::Io::WantRead) return ReadOutcome::Blocked;
      if (r == tls::Io::WantWrite) {
        c.tls_wants_write = true;
        return ReadOutcome::Blocked;
      }
      return ReadOutcome::Ended;
    }
    ssize_t n = ::recv(c.fd, buf, room, 0);
    if (n > 0) {
      got = static_cast<size_t>(n);
      return ReadOutcome::Some;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return ReadOutcome::Blocked;
    return ReadOutcome::Ended;
  }

  // Returns false when the connection was closed.
  bool on_readable(Conn& c) {
    char buf[4096];
    if (c.state == State::Lingering) {
      while (true) {
        size_t got = 0;
        ReadOutcome r = read_some(c, buf, sizeof buf, got);
        if (r == ReadOutcome::Ended) return false;
        if (r == ReadOutcome::Blocked) return true;
        c.lingered += got;
        if (c.lingered > kLingerBytes) return false;
      }
    }
    while (c.state == State::Reading) {
      // A head never needs more than the cap: read no further than one byte past it.
      size_t room = settings().max_header_bytes + 1 > c.in.size() ? settings().max_header_bytes + 1 - c.in.size() : 0;
      if (room == 0) return process(c);
      size_t got = 0;
      ReadOutcome r = read_some(c, buf, room < sizeof buf ? room : sizeof buf, got);
      if (r == ReadOutcome::Ended) return false;
      if (r == ReadOutcome::Blocked) return true;
      if (!c.in_request) {
        // A request begins: its head must be complete within the deadline from now (a new
        // connection's deadline already runs from its accept).
        c.in_request = true;
        uint64_t d = now_ns() + settings().header_timeout_ms * kMs;
        if (d < c.deadline_ns) c.deadline_ns = d;
      }
      c.in.append(buf, got);
      if (!process(c)) return false;
    }
    return true;
  }

  void respond(Conn& c, int code, const char* reason, std::string_view extra_headers, std::string body, bool head_only,
               bool close, bool gzipped = false) {
    std::string& o = c.out;
    o.clear();
    o += "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
    o += extra_headers;
    if (gzipped) o += "Content-Encoding: gzip\r\n";
    o += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (close) o += "Connection: close\r\n";
    o += "\r\n";
    if (!head_only) o += body;
    c.out_off = 0;
    c.close_after = close;
    c.state = State::Writing;
    c.deadline_ns = now_ns() + settings().idle_timeout_ms * kMs;
  }

  void refuse_with(Conn& c, HttpRefusal r, int code, const char* reason, const std::string& line, bool head_only,
                   bool close, std::string_view extra_headers = {}) {
    refuse(r, c.peer, std::to_string(code) + " " + reason);
    respond(c, code, reason, std::string("Content-Type: text/plain; charset=utf-8\r\n") + std::string(extra_headers),
            line + "\n", head_only, close);
  }

  bool authorized(const RequestHead& h) const {
    const std::string& token = settings().token;
    const auto& users = settings().basic_auth;
    if (token.empty() && users.empty()) return true;
    std::string_view v = h.authorization;
    size_t space = v.find(' ');
    if (space == std::string_view::npos) return false;
    std::string scheme(v.substr(0, space));
    for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    v.remove_prefix(space + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (scheme == "bearer") return !token.empty() && tls::equal_secret(std::string(v), token);
    if (scheme == "basic") return !users.empty() && basic_auth_matches(v, users);
    return false;
  }

  // The 401's challenge: the schemes this endpoint accepts.
  std::string challenge() const {
    std::string out;
    if (!settings().token.empty()) out += "WWW-Authenticate: Bearer realm=\"actorscope\"\r\n";
    if (!settings().basic_auth.empty()) out += "WWW-Authenticate: Basic realm=\"actorscope\", charset=\"UTF-8\"\r\n";
    return out;
  }

  std::string render() {
    std::vector<prometheus::MetricFamily> families;
    if (server.collectable_) families = server.collectable_->Collect();
    server.append_families(families);
    return prometheus::TextSerializer().Serialize(families);
  }

  // Handles a complete head in c.in, if there is one. Returns false when the connection closed.
  bool process(Conn& c) {
    if (c.state != State::Reading || c.in.empty()) return true;
    RequestHead h;
    size_t used = 0;
    switch (parse_request_head(c.in, settings().max_header_bytes, h, used)) {
      case ParseResult::Incomplete:
        return true;
      case ParseResult::TooLarge:
        refuse_with(c, HttpRefusal::HeaderTooLarge, 431, "Request Header Fields Too Large",
                    "request header over " + std::to_string(settings().max_header_bytes) + " bytes", false, true);
        return flush(c);
      case ParseResult::Bad:
        refuse_with(c, HttpRefusal::BadRequest, 400, "Bad Request", "not an HTTP/1.x request", false, true);
        return flush(c);
      case ParseResult::Complete:
        break;
    }
    c.in.erase(0, used);
    c.in_request = false;
    bool head_only = h.method == "HEAD";
    if (h.has_body) {
      refuse_with(c, HttpRefusal::BadRequest, 400, "Bad Request", "this endpoint takes no request body", head_only, true);
    } else if (h.method != "GET" && !head_only) {
      refuse_with(c, HttpRefusal::MethodNotAllowed, 405, "Method Not Allowed", "only GET and HEAD are served", false,
                  !h.keep_alive, "Allow: GET, HEAD\r\n");
    } else if (!authorized(h)) {
      refuse_with(c, HttpRefusal::Unauthorized, 401, "Unauthorized",
                  settings().basic_auth.empty() ? "a bearer token is required" : "credentials are required", head_only,
                  !h.keep_alive, challenge());
    } else if (h.path != "/metrics") {
      refuse_with(c, HttpRefusal::NotFound, 404, "Not Found", "only /metrics is served here", head_only, !h.keep_alive);
    } else {
      std::string body = render();
      std::string packed;
      bool gzipped = settings().gzip && h.accepts_gzip && gzip(body, packed);
      server.responses_ok_.fetch_add(1, std::memory_order_relaxed);
      respond(c, 200, "OK", "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n",
              gzipped ? std::move(packed) : std::move(body), head_only, !h.keep_alive, gzipped);
    }
    return flush(c);
  }

  // Writes what it can of the response; then reads the next request, lingers, or closes.
  bool flush(Conn& c) {
    while (c.out_off < c.out.size()) {
      size_t put = 0;
      c.tls_wants_read = false;
      if (c.tls) {
        tls::Io r = c.tls->write(c.out.data() + c.out_off, c.out.size() - c.out_off, put);
        if (r == tls::Io::WantWrite || r == tls::Io::WantRead) {
          c.tls_wants_read = r == tls::Io::WantRead;
          set_events(c);
          return true;
        }
        if (r != tls::Io::Done) return false;
      } else {
        ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          set_events(c);
          return true;
        }
        if (n <= 0) return false;
        put = static_cast<size_t>(n);
      }
      c.out_off += put;
    }
    c.out.clear();
    c.out.shrink_to_fit();
    c.out_off = 0;
    if (c.close_after) {
      if (c.tls) return false;  // close_notify, then close
      // Let the client read the refusal: stop sending, drop what it still sends for a while,
      // so that closing does not reset the connection under its unread answer.
      ::shutdown(c.fd, SHUT_WR);
      c.state = State::Lingering;
      c.in.clear();
      c.deadline_ns = now_ns() + kLingerMs * kMs;
      set_events(c);
      return true;
    }
    c.state = State::Reading;
    c.fresh = false;
    c.deadline_ns = now_ns() + settings().idle_timeout_ms * kMs;
    set_events(c);
    if (!c.in.empty()) {  // a pipelined request
      c.in_request = true;
      c.deadline_ns = now_ns() + settings().header_timeout_ms * kMs;
      return process(c);
    }
    // TLS may hold records already read from the socket: epoll would not say so.
    if (c.tls) return on_readable(c);
    return true;
  }

  void on_event(int fd, uint32_t events) {
    auto it = conns.find(fd);
    if (it == conns.end()) return;
    Conn& c = it->second;
    bool alive = true;
    if (c.state == State::Handshake) {
      tls::Io r = c.tls->handshake();
      c.tls_wants_write = r == tls::Io::WantWrite;
      if (r == tls::Io::Error || r == tls::Io::Closed) {
        refuse(HttpRefusal::TlsHandshake, c.peer, c.tls->error());
        c.tls.reset();  // no close_notify on a session that never began
        close_conn(fd);
        return;
      }
      if (r == tls::Io::Done) c.state = State::Reading;
      set_events(c);
      if (c.state == State::Handshake) return;
      events |= EPOLLIN;  // records may already be buffered inside the session
    }
    if (c.state == State::Writing) {
      alive = flush(c);
    } else if (events & (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      alive = on_readable(c);
      if (alive) set_events(c);
    }
    if (!alive) close_conn(fd);
  }

  // Closes connections past their deadline; returns the time to the next one (ms, capped).
  int sweep() {
    uint64_t now = now_ns();
    uint64_t next = now + 1000 * kMs;
    std::vector<int> expired;
    for (auto& [fd, c] : conns) {
      if (c.deadline_ns <= now)
        expired.push_back(fd);
      else if (c.deadline_ns < next)
        next = c.deadline_ns;
    }
    for (int fd : expired) {
      Conn& c = conns[fd];
      if (c.state == State::Writing)
        refuse(HttpRefusal::WriteTimeout, c.peer, "response not read within " + std::to_string(settings().idle_timeout_ms) + " ms");
      else if (c.state == State::Handshake || (c.state == State::Reading && (c.in_request || c.fresh)))
        refuse(HttpRefusal::HeaderTimeout, c.peer,
               "request not complete within " + std::to_string(settings().header_timeout_ms) + " ms");
      close_conn(fd);
    }
    uint64_t wait = next > now ? next - now : 0;
    return static_cast<int>(wait / kMs + 1);
  }

  void run() {
    // A client that goes away makes a write raise SIGPIPE (OpenSSL writes without
    // MSG_NOSIGNAL): blocked on this thread, it stays pending instead of ending the process.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    epoll_event events[64];
    int timeout = 1000;
    while (!stopping.load(std::memory_order_acquire)) {
      int n = ::epoll_wait(epoll_fd, events, 64, timeout);
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listen_fd)
          accept_all();
        else if (fd == wake_fd) {
          uint64_t v = 0;
          (void)!::read(wake_fd, &v, sizeof v);
        } else
          on_event(fd, events[i].events);
      }
      if (stopping.load(std::memory_order_acquire)) break;
      uint64_t now = now_ns();
      if (n <= 0 || now >= next_sweep_ns) {
        timeout = sweep();
        next_sweep_ns = now + 10 * kMs;
      } else {
        timeout = 10;
      }
    }
  }
};

MetricsServer::MetricsServer(MetricsServerSettings settings, std::shared_ptr<prometheus::Collectable> collectable)
    : settings_(std::move(settings)), collectable_(std::move(collectable)) {
  if (settings_.max_connections == 0) settings_.max_connections = 1;
}

MetricsServer::~MetricsServer() { stop(); }

bool MetricsServer::start(const sockaddr* addr, socklen_t len, std::string& error) {
  auto loop = std::make_unique<Loop>(*this);
  loop->listen_fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (loop->listen_fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  int one = 1;
  ::setsockopt(loop->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(loop->listen_fd, addr, len) != 0 || ::listen(loop->listen_fd, 512) != 0) {
    int e = errno;
    error = std::strerror(e);
    if (e == EADDRINUSE) error += " (another program listens there: choose another --metrics port)";
    return false;
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(loop->listen_fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  loop->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  loop->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  loop->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (loop->epoll_fd < 0 || loop->wake_fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  for (int fd : {loop->listen_fd, loop->wake_fd}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }
  loop_ = std::move(loop);
  thread_ = std::thread([this] { loop_->run(); });
  return true;
}

void MetricsServer::stop() {
  if (!loop_) return;
  loop_->stopping.store(true, std::memory_order_release);
  uint64_t one = 1;
  (void)!::write(loop_->wake_fd, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  loop_.reset();
  connections_.store(0, std::memory_order_relaxed);
}

MetricsServerCounters MetricsServer::counters() const {
  MetricsServerCounters c;
  c.connections = connections_.load(std::memory_order_relaxed);
  c.connections_total = connections_total_.load(std::memory_order_relaxed);
  c.responses_ok = responses_ok_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < c.refused.size(); ++i) c.refused[i] = refused_[i].load(std::memory_order_relaxed);
  return c;
}

void MetricsServer::append_families(std::vector<prometheus::MetricFamily>& out) const {
  MetricsServerCounters c = counters();
  auto single = [&](const char* n, const char* help, prometheus::MetricType type, double v) {
    prometheus::MetricFamily f;
    f.name = n;
    f.help = help;
    f.type = type;
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) m.counter.value = v;
    else m.gauge.value = v;
    f.metric.push_back(std::move(m));
    out.push_back(std::move(f));
  };
  single("actorscope_collector_http_connections", "Open connections to /metrics", prometheus::MetricType::Gauge,
         static_cast<double>(c.connections));
  single("actorscope_collector_http_connections_total", "Connections accepted by /metrics",
         prometheus::MetricType::Counter, static_cast<double>(c.connections_total));
  single("actorscope_collector_http_scrapes_total", "Requests for /metrics answered 200",
         prometheus::MetricType::Counter, static_cast<double>(c.responses_ok));
  prometheus::MetricFamily f;
  f.name = "actorscope_collector_http_refused_total";
  f.help = "Requests and connections /metrics refused or closed, by reason";
  f.type = prometheus::MetricType::Counter;
  for (size_t i = 0; i < c.refused.size(); ++i) {
    prometheus::ClientMetric m;
    m.label.push_back({"reason", std::string(name(static_cast<HttpRefusal>(i)))});
    m.counter.value = static_cast<double>(c.refused[i]);
    f.metric.push_back(std::move(m));
  }
  out.push_back(std::move(f));
}

}  // namespace actorscope::http
