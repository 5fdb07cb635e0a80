// The stand-in collector: one connection at a time, records applied to a small map.
#include "sink.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::beam::testing {

std::string pid_of(uint64_t actor) {
  uint64_t v = actor - 1;
  return "<0." + std::to_string(v & 0xffffffffu) + "." + std::to_string(v >> 32) + ">";
}

Sink::Sink() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(listen_fd_, 4) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw std::runtime_error("sink: cannot listen");
  port_ = ntohs(sa.sin_port);
  thread_ = std::thread([this] { run(); });
}

Sink::~Sink() {
  stop_ = true;
  thread_.join();
  for (auto& t : connections_) t.join();
  ::close(listen_fd_);
}

SinkState Sink::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = nodes_.find(first_);
  return it == nodes_.end() ? SinkState{} : it->second;
}

std::map<std::string, SinkState> Sink::nodes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_;
}

bool Sink::wait_nodes(const std::function<bool(const std::map<std::string, SinkState>&)>& pred, int timeout_ms,
                      std::map<std::string, SinkState>* out) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto s = nodes();
    bool ok = pred(s);
    if (out) *out = std::move(s);
    if (ok) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool Sink::wait(const std::function<bool(const SinkState&)>& pred, int timeout_ms, SinkState* out) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    SinkState s = state();
    bool ok = pred(s);
    if (out) *out = std::move(s);
    if (ok) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Sink::run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    connections_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

namespace {
// SnapshotBegin/End bracket a full description: what it leaves out is gone.
struct Apply {
  SinkState& s;
  std::unordered_map<proto::StringId, std::string>& strings;
  bool& in_snapshot;
  std::set<uint64_t>& seen;
  std::string text(proto::StringId id) const {
    auto it = strings.find(id);
    return it == strings.end() ? std::string() : it->second;
  }
  void on(const proto::StringDef& r) { strings[r.id] = std::string(r.text); }
  void on(const proto::ActorSpawned& r) {
    SinkActor& a = s.actors[r.actor];
    a.parent = r.parent;
    a.name = text(r.name);
    a.type = text(r.type);
    a.child_id = text(r.child_id);
    a.kind = r.kind;
    a.restart = r.restart;
    a.strategy = r.strategy;
    a.intensity = r.intensity;
    a.period_ms = r.period_ms;
    if (in_snapshot) seen.insert(r.actor);
  }
  void on(const proto::ActorExited& r) { s.actors.erase(r.actor); }
  void on(const proto::ChildRestarted& r) {
    s.restarts.push_back(SinkRestart{r.supervisor, text(r.child_id), r.old_actor, r.new_actor, r.reason, text(r.reason_text)});
  }
  void on(const proto::Link& r) {
    if (r.op == proto::LinkOp::Link) s.links.insert({r.a, r.b});
    if (r.op == proto::LinkOp::Monitor) s.monitors.insert({r.a, r.b});
  }
  void on(const proto::ActorStats& r) {
    auto it = s.actors.find(r.actor);
    if (it != s.actors.end()) it->second.mailbox = r.mailbox;
  }
  void on(const proto::Telemetry& r) {
    auto& m = s.telemetry[text(r.event)];
    for (size_t i = 0; i < r.n_measurements; ++i) m[text(r.measurements[i].key)] = r.measurements[i].value;
  }
  void on(const proto::NodeGauges& r) {
    ++s.gauge_records;
    for (size_t i = 0; i < r.n; ++i) s.gauges[r.values[i].gauge] = r.values[i].value;
  }
  void on(const proto::Dropped&) {}
  void on(const proto::SnapshotBegin&) {
    in_snapshot = true;
    seen.clear();
  }
  void on(const proto::SnapshotEnd&) {
    in_snapshot = false;
    for (auto it = s.actors.begin(); it != s.actors.end();) it = seen.count(it->first) ? std::next(it) : s.actors.erase(it);
    ++s.snapshots;
  }
  void on(const proto::Heartbeat&) { ++s.heartbeats; }
  void on(const proto::TypeTotals&) {}
};
}  // namespace

void Sink::serve(int fd) {
  proto::FrameDecoder dec(proto::kHardMaxFrame);
  std::unordered_map<proto::StringId, std::string> strings;
  std::set<uint64_t> seen;
  bool in_snapshot = false;
  uint32_t seq = 0;
  SinkState* state = nullptr;  // this connection's node, once its Hello came
  struct Disconnect {
    Sink& sink;
    SinkState*& state;
    ~Disconnect() {
      std::lock_guard<std::mutex> lock(sink.mutex_);
      if (state) state->connected = false;
    }
  } disconnect{*this, state};
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    uint8_t buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    dec.feed(buf, static_cast<size_t>(n));
    proto::FrameHeader h;
    const uint8_t* payload = nullptr;
    while (dec.next(h, payload)) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (h.type == proto::FrameType::Hello) {
        proto::Reader r(payload, h.length);
        proto::Hello hello;
        std::string why;
        if (!proto::decode(r, hello, why)) return;
        state = &nodes_[hello.node];  // std::map: stays valid as nodes are added
        if (first_.empty()) first_ = hello.node;
        state->node = hello.node;
        ++state->hellos;
        state->connected = true;
        std::vector<uint8_t> out;
        size_t at = proto::begin_frame(out, proto::FrameType::Welcome, seq++);
        proto::Writer w(out);
        proto::encode(w, proto::Welcome{});
        proto::finish_frame(out, at);
        if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return;
      } else if (h.type == proto::FrameType::Batch) {
        if (!state) return;
        Apply apply{*state, strings, in_snapshot, seen};
        auto res = proto::decode_records(payload, h.length, apply);
        if (!res.ok) return;
      } else if (h.type == proto::FrameType::Goodbye) {
        return;
      }
    }
    if (dec.failed()) return;
  }
}

}  // namespace actorscope::beam::testing
