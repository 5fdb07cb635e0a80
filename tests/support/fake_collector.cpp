// The fake collector: one agent connection at a time, frames decoded as they arrive.
#include "fake_collector.hpp"

#include <algorithm>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace actorscope::testing {

namespace {
std::string make_temp_dir() {
  std::string tmpl = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/actorscope-agent-XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  return buf.data();
}
}  // namespace

FakeCollector::FakeCollector(Transport t, std::string unix_path) {
  if (t == Transport::Unix) {
    if (unix_path.empty()) dir_ = make_temp_dir();
    std::string path = unix_path.empty() ? dir_ + "/collector.sock" : unix_path;
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    unlink(path.c_str());
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("bind unix");
    address_ = "unix:" + path;
  } else {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("bind tcp");
    socklen_t len = sizeof sa;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    address_ = "tcp:127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
  }
  listen(listen_fd_, 8);
  thread_ = std::thread([this] { serve(); });
}

FakeCollector::~FakeCollector() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void FakeCollector::send_command(const proto::Command& c) {
  std::lock_guard<std::mutex> lock(mu_);
  to_send_.push_back(c);
}

void FakeCollector::drop_connection() {
  int fd = conn_fd_.load();
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

bool FakeCollector::wait_for(const std::function<bool(const Seen&)>& pred, std::chrono::seconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(seen_); });
}

Seen FakeCollector::seen() {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

void FakeCollector::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    conn_fd_ = fd;
    handle(fd);
    conn_fd_ = -1;
    close(fd);
  }
}

namespace {

// Decodes the records of one Batch into `seen`, resolving string ids of this connection.
struct BatchHandler {
  Seen& seen;
  std::map<uint32_t, std::string>& strings;
  bool in_snapshot = false;

  std::string s(uint32_t id) const {
    auto it = strings.find(id);
    return it == strings.end() ? std::string() : it->second;
  }
  bool known(uint32_t id) {
    if (id == 0 || strings.count(id)) return true;
    seen.errors.push_back("string id " + std::to_string(id) + " used before its definition");
    return false;
  }
  void on(const proto::StringDef& m) {
    strings[m.id] = std::string(m.text);
    seen.string_defs.emplace_back(m.text);
  }
  void on(const proto::ActorSpawned& m) {
    known(m.name), known(m.type), known(m.child_id);
    seen.actors[m.actor] = SeenActor{m, s(m.name), s(m.type), s(m.child_id)};
    if (in_snapshot) seen.last_snapshot_actors.insert(m.actor);
  }
  void on(const proto::ActorExited& m) {
    known(m.reason_text);
    bool inline_text = !m.reason_inline.empty();
    SeenExit e{m, inline_text ? std::string(m.reason_inline) : s(m.reason_text), inline_text};
    e.exited.reason_inline = {};
    e.arrival = ++seen.lifecycle;
    seen.exits[m.actor] = e;
  }
  void on(const proto::ChildRestarted& m) {
    known(m.child_id), known(m.reason_text);
    bool inline_text = !m.reason_inline.empty();
    SeenRestart r{m, s(m.child_id), inline_text ? std::string(m.reason_inline) : s(m.reason_text), inline_text};
    r.restart.reason_inline = {};
    r.arrival = ++seen.lifecycle;
    seen.restarts.push_back(r);
  }
  void on(const proto::Link& m) { seen.links.push_back(m); }
  void on(const proto::ActorStats& m) { seen.stats[m.actor] = m; }
  void on(const proto::Telemetry& m) {
    known(m.event);
    SeenTelemetry t;
    t.actor = m.actor;
    t.event = s(m.event);
    for (uint8_t i = 0; i < m.n_measurements; ++i) t.measurements[s(m.measurements[i].key)] = m.measurements[i].value;
    for (uint8_t i = 0; i < m.n_metadata; ++i) t.metadata[s(m.metadata[i].key)] = std::string(m.metadata[i].value);
    seen.telemetry.push_back(std::move(t));
  }
  void on(const proto::Dropped& m) { seen.dropped = m; }
  void on(const proto::SnapshotBegin& m) {
    in_snapshot = true;
    ++seen.snapshots_begun;
    seen.last_snapshot_announced = m.actors;
    seen.last_snapshot_actors.clear();
  }
  void on(const proto::SnapshotEnd&) {
    in_snapshot = false;
    ++seen.snapshots_ended;
  }
  void on(const proto::Heartbeat&) { ++seen.heartbeats; }
  void on(const proto::TypeTotals& m) { seen.totals[s(m.type)] = m; }
  void on(const proto::FlowEdges& m) {
    seen.flow_sample_every = m.sample_every;
    seen.flow_unrecorded += m.unrecorded;
    ++seen.flow_records;
    for (uint16_t i = 0; i < m.n; ++i) {
      const proto::FlowEdge& e = m.edges[i];
      known(e.type);
      seen.flow[{e.from, e.to, s(e.type)}] += e.count;
    }
  }
  void on(const proto::Handling& m) {
    std::vector<SeenHandling> now;
    for (uint8_t i = 0; i < m.n; ++i) {
      known(m.now[i].type);
      now.push_back(SeenHandling{m.now[i].actor, s(m.now[i].type), m.now[i].busy_ns});
    }
    seen.handling.push_back(std::move(now));
  }
};

}  // namespace

void FakeCollector::handle(int fd) {
  proto::FrameDecoder in;
  std::map<uint32_t, std::string> strings;
  BatchHandler handler{seen_, strings};
  uint32_t seq_out = 0;
  bool greeted = false;
  uint8_t buf[65536];
  while (!stop_) {
    if (greeted) {
      std::vector<proto::Command> cmds;
      {
        std::lock_guard<std::mutex> lock(mu_);
        cmds.swap(to_send_);
      }
      for (const proto::Command& c : cmds) {
        std::vector<uint8_t> out;
        size_t at = proto::begin_frame(out, proto::FrameType::Command, seq_out++);
        proto::Writer w(out);
        proto::encode(w, c);
        proto::finish_frame(out, at);
        send(fd, out.data(), out.size(), MSG_NOSIGNAL);
      }
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    const size_t pace = read_bytes_.load();
    if (pace != 0) std::this_thread::sleep_for(std::chrono::milliseconds(read_every_ms_.load()));  // the pace itself
    ssize_t n = recv(fd, buf, pace != 0 ? std::min(pace, sizeof buf) : sizeof buf, 0);
    if (n <= 0) return;
    in.feed(buf, static_cast<size_t>(n));
    proto::FrameHeader h;
    const uint8_t* payload = nullptr;
    while (in.next(h, payload)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!greeted) {
        proto::Reader r(payload, h.length);
        proto::Hello hello;
        std::string err;
        if (h.type != proto::FrameType::Hello || !proto::decode(r, hello, err)) {
          seen_.errors.push_back("bad hello: " + err);
          return;
        }
        seen_.hellos.push_back(hello);
        ++seen_.connections;
        std::vector<uint8_t> out;
        proto::Writer w(out);
        size_t at;
        if (!reject_.empty()) {
          at = proto::begin_frame(out, proto::FrameType::Reject, seq_out++);
          proto::encode(w, proto::Reject{proto::RejectCode::BadToken, reject_});
        } else {
          at = proto::begin_frame(out, proto::FrameType::Welcome, seq_out++);
          proto::Welcome welcome;
          welcome.collector = "fake";
          welcome.capabilities = hello.capabilities & grants_;
          proto::encode(w, welcome);
        }
        proto::finish_frame(out, at);
        send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        cv_.notify_all();
        if (!reject_.empty()) return;
        greeted = true;
        continue;
      }
      if (h.type == proto::FrameType::Goodbye) {
        ++seen_.goodbyes;
      } else if (h.type == proto::FrameType::Batch) {
        proto::DecodeResult res = proto::decode_records(payload, h.length, handler);
        if (!res.ok) seen_.errors.push_back(std::string("bad batch: ") + res.error);
      } else if (h.type == proto::FrameType::CommandResult) {
        proto::Reader r(payload, h.length);
        proto::CommandResult cr;
        std::string err;
        if (proto::decode(r, cr, err))
          seen_.command_results.push_back(cr);
        else
          seen_.errors.push_back("bad command result: " + err);
      } else {
        seen_.errors.push_back("unexpected frame type " + std::to_string(int(h.type)));
      }
      cv_.notify_all();
    }
    if (in.failed()) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.errors.push_back("bad frame: " + in.error());
      cv_.notify_all();
      return;
    }
  }
}

}  // namespace actorscope::testing
