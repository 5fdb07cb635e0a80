// Connection to the collector: the same handshake and Batch frames as the in-process agent.
#include "collector_link.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace actorscope::beam {
namespace {

uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
uint64_t wall_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int connect_fd(const std::string& address, std::string& error) {
  std::string host, path;
  int port = 0;
  if (!parse_collector_address(address, host, port, path, error)) return -1;
  if (!path.empty()) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), std::min(path.size(), sizeof sa.sun_path - 1));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
    error = "cannot connect to collector " + address + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    error = "cannot resolve collector host '" + host + "': " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  error = "cannot connect to collector " + address;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    timeval tv{2, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(s, ai->ai_addr, ai->ai_addrlen) == 0) {
      int one = 1;
      setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd = s;
    } else {
      error = "cannot connect to collector " + address + ": " + std::strerror(errno) + " (is actorscope-collector running?)";
      ::close(s);
    }
  }
  freeaddrinfo(res);
  return fd;
}

}  // namespace

bool parse_collector_address(const std::string& text, std::string& host, int& port, std::string& path,
                             std::string& error) {
  if (text.rfind("unix:", 0) == 0 && text.size() > 5) {
    path = text.substr(5);
    return true;
  }
  if (text.rfind("tcp:", 0) == 0) {
    std::string rest = text.substr(4);
    auto colon = rest.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      host = rest.substr(0, colon);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      char* end = nullptr;
      long p = std::strtol(rest.c_str() + colon + 1, &end, 10);
      if (end && *end == 0 && p > 0 && p < 65536) {
        port = static_cast<int>(p);
        return true;
      }
    }
  }
  error = "collector address '" + text + "': expected tcp:HOST:PORT or unix:PATH";
  return false;
}

bool CollectorLink::connect(const NodeIdentity& id, std::string& error) {
  close(false);
  int fd = connect_fd(address_, error);
  if (fd < 0) return false;
  fd_ = fd;
  seq_ = 0;
  strings_.clear();
  next_string_ = 1;
  batch_.clear();
  pending_flush_ = false;

  proto::Hello h;
  h.role = proto::Role::Agent;
  // A process's work is its reductions: they travel as dequeued, and the viewers say red/s.
  h.capabilities = proto::kCapReductions;
  h.token = token_;
  h.node = id.node;
  h.incarnation = id.incarnation;
  h.pid = id.os_pid;
  h.host = id.host;
  h.program = id.program;
  anchor_mono_ns_ = mono_ns();
  h.anchor_mono_ns = anchor_mono_ns_;
  h.anchor_wall_ns = wall_ns();
  h.max_frame = proto::kDefaultMaxFrame;
  std::vector<uint8_t> out;
  size_t at = proto::begin_frame(out, proto::FrameType::Hello, seq_++);
  proto::Writer w(out);
  proto::encode(w, h);
  proto::finish_frame(out, at);
  if (!send_all(out.data(), out.size(), error)) return false;

  // Welcome or Reject, within the collector's own handshake deadline.
  proto::FrameDecoder dec(proto::kDefaultMaxFrame);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    proto::FrameHeader fh;
    const uint8_t* payload = nullptr;
    if (dec.next(fh, payload)) {
      proto::Reader r(payload, fh.length);
      std::string why;
      if (fh.type == proto::FrameType::Welcome) {
        proto::Welcome wm;
        if (!proto::decode(r, wm, why)) break;
        max_frame_ = std::max<uint32_t>(4096, std::min(wm.max_frame, proto::kHardMaxFrame));
        return true;
      }
      if (fh.type == proto::FrameType::Reject) {
        proto::Reject rj;
        proto::decode(r, rj, why);
        error = "collector " + address_ + " refused us: " + rj.message +
                (rj.code == proto::RejectCode::BadToken ? " (set ACTORSCOPE_TOKEN_FILE)" : "");
        close(false);
        return false;
      }
      break;
    }
    if (dec.failed()) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) != 1) {
      error = "collector " + address_ + " did not answer the handshake";
      close(false);
      return false;
    }
    uint8_t buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    dec.feed(buf, static_cast<size_t>(n));
  }
  error = "collector " + address_ + " closed the connection during the handshake";
  close(false);
  return false;
}

void CollectorLink::close(bool goodbye) {
  if (fd_ < 0) return;
  if (goodbye) {
    std::string ignored;
    flush(ignored);
    if (fd_ >= 0) {
      std::vector<uint8_t> out;
      size_t at = proto::begin_frame(out, proto::FrameType::Goodbye, seq_++);
      proto::finish_frame(out, at);
      send_all(out.data(), out.size(), ignored);
    }
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool CollectorLink::alive(std::string& error) {
  if (fd_ < 0) return false;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) != 1) return true;
    uint8_t buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;  // nothing is expected from the collector: discarded
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    error = "collector " + address_ + " closed the connection";
    close(false);
    return false;
  }
}

proto::StringId CollectorLink::str(std::string_view s) {
  if (s.empty()) return 0;
  if (s.size() > proto::kMaxStringLen) s = s.substr(0, proto::kMaxStringLen);
  auto it = strings_.find(std::string(s));
  if (it != strings_.end()) return it->second;
  proto::StringId id = next_string_++;
  strings_.emplace(std::string(s), id);
  proto::Writer w(batch_);
  proto::encode(w, proto::StringDef{id, s});
  return id;
}

uint64_t CollectorLink::t_ns() const { return mono_ns() - anchor_mono_ns_; }

bool CollectorLink::flush(std::string& error) {
  pending_flush_ = false;
  if (fd_ < 0) {
    batch_.clear();
    error = "not connected to the collector";
    return false;
  }
  // Frames end on record boundaries: walk the records (tag, varint length, body).
  size_t limit = max_frame_ - 64;
  size_t pos = 0;
  std::vector<uint8_t> out;
  while (pos < batch_.size()) {
    size_t start = pos, end = pos;
    while (end < batch_.size()) {
      proto::Reader r(batch_.data() + end + 1, batch_.size() - end - 1);
      uint64_t len = r.varint();
      size_t rec = 1 + static_cast<size_t>(r.pos() - (batch_.data() + end + 1)) + static_cast<size_t>(len);
      if (end > start && end - start + rec > limit) break;
      end += rec;
    }
    out.clear();
    size_t at = proto::begin_frame(out, proto::FrameType::Batch, seq_++);
    out.insert(out.end(), batch_.begin() + static_cast<long>(start), batch_.begin() + static_cast<long>(end));
    proto::finish_frame(out, at);
    if (!send_all(out.data(), out.size(), error)) {
      batch_.clear();
      return false;
    }
    pos = end;
  }
  batch_.clear();
  return true;
}

bool CollectorLink::send_all(const uint8_t* p, size_t n, std::string& error) {
  while (n > 0) {
    ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error = "lost the connection to collector " + address_ + ": " + std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
    bytes_sent_ += static_cast<uint64_t>(w);
  }
  return true;
}

}  // namespace actorscope::beam
