// The viewer's connection loop: connect, hello, subscribe, apply frames, send requests, retry.
#include "actorscope/view/client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/token.hpp"

namespace actorscope::view {

namespace {
uint64_t clock_ns(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd pf{fd, POLLOUT, 0};
        ::poll(&pf, 1, 1000);
        continue;
      }
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}
}  // namespace

bool read_token(const std::string& token_file, std::string& token, std::string& error) {
  token.clear();
  std::string file = token_file;
  if (file.empty())
    if (const char* f = std::getenv("ACTORSCOPE_TOKEN_FILE"); f && *f) file = f;
  // The one token reader every program shares: the same file, or the same text in the
  // environment, means the same token.
  if (!file.empty()) return proto::read_token_file(file, token, error);
  const char* t = std::getenv("ACTORSCOPE_TOKEN");
  if (!t || !*t) return true;
  if (!proto::parse_token(t, token, error)) {
    error = "ACTORSCOPE_TOKEN: " + error;
    return false;
  }
  return true;
}

int connect_address(const std::string& address, std::string& error) {
  if (address.rfind("unix:", 0) == 0) {
    std::string path = address.substr(5);
    sockaddr_un sa{};
    if (path.empty() || path.size() >= sizeof sa.sun_path) {
      error = "bad unix socket path in '" + address + "'";
      return -1;
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      error = "cannot connect to " + address + ": " + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    return fd;
  }
  if (address.rfind("tcp:", 0) == 0) {
    std::string rest = address.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
      error = "bad address '" + address + "': expected tcp:HOST:PORT";
      return -1;
    }
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      error = "cannot resolve " + address + ": " + gai_strerror(rc);
      return -1;
    }
    int fd = -1;
    std::string why = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0) {
      error = "cannot connect to " + address + ": " + why;
      return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
  error = "bad address '" + address + "': expected tcp:HOST:PORT or unix:PATH";
  return -1;
}

Client::Client(ClientOptions options) : options_(std::move(options)), replica_(options_.replica) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  if (::pipe2(updated_, O_CLOEXEC | O_NONBLOCK) != 0) updated_[0] = updated_[1] = -1;
  status_ = "connecting to " + options_.address;
}

Client::~Client() {
  stop();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
  for (int fd : updated_)
    if (fd >= 0) ::close(fd);
}

void Client::signal_update() {
  ++updates_;
  if (updated_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(updated_[1], &b, 1);  // a full pipe already says "updated"
  }
}

void Client::consume_update_signal() {
  if (updated_[0] < 0) return;
  uint8_t drain[64];
  while (::read(updated_[0], drain, sizeof drain) > 0) {
  }
}

void Client::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Client::stop() {
  stopping_ = true;
  if (wake_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(wake_[1], &b, 1);
  }
  if (thread_.joinable()) thread_.join();
  state_ = ClientState::Stopped;
}

std::string Client::status() const {
  std::lock_guard<std::mutex> g(out_mutex_);
  return status_;
}

std::string Client::connect_error() const {
  std::lock_guard<std::mutex> g(out_mutex_);
  return connect_error_;
}

void Client::set_status(std::string s) {
  std::lock_guard<std::mutex> g(out_mutex_);
  status_ = std::move(s);
}

void Client::queue(std::vector<uint8_t> messages) {
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    pending_.push_back(std::move(messages));
  }
  if (wake_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(wake_[1], &b, 1);
  }
}

uint64_t Client::request_detail(NodeId node, uint64_t actor) {
  uint64_t id = next_request_++;
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::DetailRequest{id, node, actor});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_events(const pv::EventsRequest& q) {
  pv::EventsRequest r = q;
  r.request = next_request_++;
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, r);
  queue(std::move(m));
  return r.request;
}

uint64_t Client::request_series(NodeId node, pv::Metric metric, uint32_t seconds) {
  uint64_t id = next_request_++;
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::SeriesRequest{id, node, metric, seconds});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_kill(NodeId node, uint64_t actor, const std::string& token) {
  uint64_t id = next_request_++;
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::KillRequest{id, node, actor, token});
  queue(std::move(m));
  return id;
}

void Client::resubscribe(const std::string& node) {
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    options_.node = node;  // used again at the next reconnect
  }
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::Subscribe{node, options_.delta_hz});
  queue(std::move(m));
}

void Client::set_paused(bool paused) {
  bool resnapshot = false;
  {
    std::lock_guard<std::mutex> g(mutex_);
    paused_ = paused;
    if (!paused) {
      if (held_overflow_) {
        resnapshot = true;
      } else {
        for (auto& f : held_) replica_.apply(f.data(), f.size());
      }
      held_.clear();
      held_bytes_ = 0;
      held_overflow_ = false;
    }
  }
  if (resnapshot) {
    std::string node;
    {
      std::lock_guard<std::mutex> g(out_mutex_);
      node = options_.node;
    }
    resubscribe(node);
  }
  signal_update();
}

void Client::run() {
  uint32_t backoff = options_.backoff_min_ms;
  while (!stopping_) {
    std::string error;
    state_ = ClientState::Connecting;
    int fd = connect_address(options_.address, error);
    if (fd >= 0) {
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        connect_error_.clear();
      }
      bool handshook = session(fd);
      ::close(fd);
      if (handshook) backoff = options_.backoff_min_ms;
      if (stopping_) break;
      ++reconnects_;
    } else {
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        connect_error_ = error;
      }
      set_status(error + " (retrying)");
    }
    // Wait for the backoff, or for stop().
    pollfd pf{wake_[0], POLLIN, 0};
    ::poll(&pf, 1, static_cast<int>(backoff));
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
  state_ = ClientState::Stopped;
}

// One connection's life. Returns true when the handshake succeeded.
bool Client::session(int fd) {
  commands_allowed_ = false;  // until this connection's Welcome says otherwise
  uint32_t seq_out = 0;
  std::vector<uint8_t> out;
  proto::Hello hello;
  hello.role = proto::Role::Viewer;
  hello.token = options_.token;
  hello.node = "viewer";
  hello.pid = static_cast<uint64_t>(::getpid());
  hello.program = "actorscope-viewer";
  hello.anchor_mono_ns = clock_ns(CLOCK_MONOTONIC);
  hello.anchor_wall_ns = clock_ns(CLOCK_REALTIME);
  hello.max_frame = options_.max_frame;
  hello.capabilities = proto::kCapCommands;
  {
    size_t at = proto::begin_frame(out, proto::FrameType::Hello, seq_out++);
    proto::Writer w(out);
    proto::encode(w, hello);
    proto::finish_frame(out, at);
  }
  {
    std::string node;
    {
      std::lock_guard<std::mutex> g(out_mutex_);
      node = options_.node;
    }
    size_t at = proto::begin_frame(out, proto::FrameType::View, seq_out++);
    proto::Writer w(out);
    pv::encode(w, pv::Subscribe{node, options_.delta_hz});
    proto::finish_frame(out, at);
  }
  // Requests made before this connection are stale: drop them.
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    pending_.clear();
  }
  if (!write_all(fd, out.data(), out.size())) {
    set_status("connection to " + options_.address + " lost while saying hello (retrying)");
    return false;
  }
  proto::FrameDecoder decoder(options_.max_frame);
  bool welcomed = false;
  std::vector<uint8_t> buf(256 * 1024);
  while (!stopping_) {
    pollfd pf[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    int rc = ::poll(pf, 2, 1000);
    if (rc < 0 && errno != EINTR) break;
    if (pf[1].revents & POLLIN) {
      uint8_t drain[64];
      while (::read(wake_[0], drain, sizeof drain) > 0) {
      }
      std::vector<std::vector<uint8_t>> msgs;
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        msgs.swap(pending_);
      }
      if (!msgs.empty() && welcomed) {
        out.clear();
        size_t at = proto::begin_frame(out, proto::FrameType::View, seq_out++);
        for (auto& m : msgs) out.insert(out.end(), m.begin(), m.end());
        proto::finish_frame(out, at);
        if (!write_all(fd, out.data(), out.size())) break;
      }
    }
    if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      set_status("collector at " + options_.address + " closed the connection (reconnecting)");
      return welcomed;
    }
    decoder.feed(buf.data(), static_cast<size_t>(n));
    proto::FrameHeader h;
    const uint8_t* payload = nullptr;
    bool applied = false;
    std::unique_lock<std::mutex> replica_lock(mutex_, std::defer_lock);
    while (decoder.next(h, payload)) {
      if (h.type == proto::FrameType::Welcome) {
        proto::Reader r(payload, h.length);
        proto::Welcome wm;
        std::string err;
        if (!proto::decode(r, wm, err)) {
          set_status("bad welcome from " + options_.address + ": " + err);
          return false;
        }
        welcomed = true;
        commands_allowed_ = (wm.capabilities & proto::kCapCommands) != 0;
        state_ = ClientState::Connected;
        set_status("connected to " + options_.address + " (" + wm.collector + ")");
      } else if (h.type == proto::FrameType::Reject) {
        proto::Reader r(payload, h.length);
        proto::Reject rj;
        std::string err;
        proto::decode(r, rj, err);
        state_ = ClientState::Rejected;
        set_status("rejected by " + options_.address + ": " + rj.message);
        return false;
      } else if (h.type == proto::FrameType::View) {
        if (!replica_lock.owns_lock()) replica_lock.lock();
        if (paused_) {
          if (!held_overflow_ && held_bytes_ + h.length <= options_.max_held_bytes) {
            held_.emplace_back(payload, payload + h.length);
            held_bytes_ += h.length;
          } else {
            held_overflow_ = true;
            held_.clear();
            held_bytes_ = 0;
          }
          continue;
        }
        if (!replica_.apply(payload, h.length)) {
          set_status("bad view frame from " + options_.address + ": " + replica_.error());
          return welcomed;
        }
        applied = true;
      } else if (h.type == proto::FrameType::Goodbye) {
        set_status("collector at " + options_.address + " said goodbye (reconnecting)");
        return welcomed;
      }
    }
    if (replica_lock.owns_lock()) replica_lock.unlock();
    if (applied) signal_update();
    if (decoder.failed()) {
      set_status("protocol error from " + options_.address + ": " + decoder.error());
      return welcomed;
    }
  }
  return welcomed;
}

}  // namespace actorscope::view
