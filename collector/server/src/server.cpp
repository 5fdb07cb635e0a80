// The collector's event loop: epoll over listeners and connections, dispatch of frames to
// the model (agents) and to sessions (viewers), deadlines and counters. The handshake's
// decisions, output queues and commands in flight live in their own files.
#include "actorscope/collector/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/collector/text.hpp"
#include "actorscope/protocol/codec.hpp"
#include "actorscope/tls/tls.hpp"
#include "address.hpp"
#include "commands.hpp"
#include "connection.hpp"
#include "handshake.hpp"

namespace actorscope::collector {

namespace {
uint64_t wall_clock_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

std::string_view name(ErrorReason r) {
  switch (r) {
    case ErrorReason::BadMagic: return "bad_magic";
    case ErrorReason::BadVersion: return "bad_version";
    case ErrorReason::BadToken: return "bad_token";
    case ErrorReason::BadRole: return "bad_role";
    case ErrorReason::MalformedHello: return "malformed_hello";
    case ErrorReason::FrameError: return "frame_error";
    case ErrorReason::MalformedRecord: return "malformed_record";
    case ErrorReason::UnexpectedFrame: return "unexpected_frame";
    case ErrorReason::HandshakeTimeout: return "handshake_timeout";
    case ErrorReason::TlsHandshake: return "tls_handshake";
  }
  return "unknown";
}

std::string_view name(Refusal r) {
  switch (r) {
    case Refusal::TooManyConnections: return "too_many_connections";
    case Refusal::TooManyFromPeer: return "too_many_from_peer";
    case Refusal::PendingEvicted: return "pending_evicted";
    case Refusal::OutOfDescriptors: return "out_of_descriptors";
    case Refusal::IdleTimeout: return "idle_timeout";
    case Refusal::FrameTimeout: return "frame_timeout";
    case Refusal::InputBudget: return "input_budget";
    case Refusal::TakeoverRefused: return "takeover_refused";
    case Refusal::CommandNotGranted: return "command_not_granted";
    case Refusal::SliceExceeded: return "slice_exceeded";
    case Refusal::PastBusy: return "past_busy";
    case Refusal::ExportBusy: return "export_busy";
  }
  return "unknown";
}

uint64_t Server::clock_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

namespace {

constexpr uint32_t kHelloMaxFrame = 64 * 1024;        // before the handshake, frames stay small
constexpr uint64_t kDrainTimeoutNs = 2'000'000'000;   // time a closing peer gets to read our last words
constexpr uint64_t kListenerTag = 1ull << 63;
constexpr uint64_t kWakeTag = ~0ull;
constexpr size_t kReplayEntriesPerTurn = 64;         // recorded frames applied between two looks at the sockets
constexpr size_t kRecordsPerStep = 256;              // records of a Batch applied between two looks at the clock ...
constexpr size_t kBytesPerStep = 16 * 1024;          // ... or fewer, once they hold this many bytes (a flow
                                                     // record of 256 edges costs as much as 256 small ones)

}  // namespace

struct Server::Impl {
  enum class State { AwaitHello, Agent, Viewer, Draining };

  struct Conn final : Connection {
    Impl& srv;
    int fd;
    uint64_t conn_id;
    std::string peer_name;
    State state = State::AwaitHello;
    proto::FrameDecoder decoder{kHelloMaxFrame};
    OutputQueue out;
    uint64_t deadline_ns = 0;
    proto::Hello hello_msg;
    NodeKey node = 0;
    std::unique_ptr<Session> session;
    bool close_requested = false;
    bool write_shut = false;
    bool want_write = false;
    bool over_bound = false;
    bool peer_gone = false;  // EOF or error seen: nothing more to read or deliver
    std::string peer_key;    // what per-peer limits count by: the TCP host, or the unix listener
    bool pending = true;     // counted in Impl::pending_count (before its Hello)
    bool backlogged = false; // complete frames wait in the decoder for the next turn
    std::vector<uint8_t> batch_rest;  // a Batch frame whose slice ran out: applied first next turn
    size_t batch_applied = 0;         // how far batch_rest has been applied
    uint64_t last_input_ns = 0;
    uint64_t frame_started_ns = 0;  // when the incomplete frame in the decoder began; 0: none
    size_t input_held = 0;          // decoder memory counted in Impl::input_held
    std::unique_ptr<tls::Session> tls;  // on a TLS listener: every byte goes through it
    bool first_bytes_seen = false;      // the first bytes tell plaintext from TLS
    bool tls_read_wants_write = false;  // the last TLS read waits for the socket to be writable

    Conn(Impl& s, int f, uint64_t id, std::string peer) : srv(s), fd(f), conn_id(id), peer_name(std::move(peer)) {}
    uint64_t id() const override { return conn_id; }
    const std::string& peer() const override { return peer_name; }
    const proto::Hello& hello() const override { return hello_msg; }
    size_t queued_bytes() const override { return out.queued_bytes(); }
    bool send_frame(proto::FrameType type, const uint8_t* payload, size_t len) override {
      if (state == State::Draining || close_requested) return false;
      if (out.would_exceed(len, srv.settings.max_output_bytes)) {
        if (!over_bound) {
          over_bound = true;
          ++srv.counters.slow_peers_dropped;
          srv.request_close(*this, LogLevel::Warn, "output queue over " + std::to_string(srv.settings.max_output_bytes) +
                                                       " bytes: dropped as a slow peer");
        }
        return false;
      }
      queue(type, payload, len);
      return true;
    }
    void queue(proto::FrameType type, const uint8_t* payload, size_t len) {
      out.append(type, payload, len);
      srv.dirty_out.push_back(conn_id);
    }
    void close(const std::string& reason) override { srv.request_close(*this, LogLevel::Info, reason); }
    void send_command(NodeKey to, uint64_t actor, proto::CommandKind kind, CommandDone done) override {
      srv.send_command(*this, to, actor, kind, std::move(done));
    }
    std::string who() const {
      if (state == State::Agent) return peer_name + " (agent " + hello_msg.node + ")";
      if (state == State::Viewer) return peer_name + " (viewer)";
      return peer_name;
    }
  };

  Impl(Model& m, std::mutex& mu, ServerSettings s) : model(m), model_mutex(mu), settings(std::move(s)) {}

  Model& model;
  std::mutex& model_mutex;
  ServerSettings settings;
  ViewerFactory factory;
  int ep = -1;
  // Set by start() on the main thread while the /metrics thread and a signal thread may
  // already call wake() or stop(): atomic, so they see -1 or the descriptor, never a torn int,
  // and the eventfd's creation happens before their write to it.
  std::atomic<int> wake{-1};
  struct Listener {
    int fd;
    std::string address;
    std::string unix_path;
    bool tls = false;
  };
  std::shared_ptr<tls::Context> tls_ctx;  // server side, for the TCP listeners; null: plaintext
  std::vector<uint64_t> tls_buffered;     // connections whose TLS session holds bytes the socket no longer signals
  std::vector<Listener> listeners;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns;
  std::vector<uint64_t> dirty_out;
  std::vector<uint64_t> closing;
  uint64_t next_id = 1;
  std::atomic<bool> stopping{false};
  ServerCounters counters;            // loop thread
  mutable std::mutex published_mutex;
  ServerCounters published;           // what counters() returns
  Recorder recorder;
  std::optional<int64_t> recorded_offset;  // the wall clock offset the recording was last told
  uint64_t last_flush_ns = 0;
  std::unique_ptr<Replayer> replayer;
  std::function<void(const ReplayResult&)> replay_done;
  bool replay_drives_clock = false;   // the replay's recorded clock ticks the model meanwhile
  // ... and once it did, the model's clock is the recording's: the flight recorder tells its
  // instants by the recording's wall clock (from its Hellos' anchors), not by this machine's.
  bool clock_from_recording = false;
  // After a full-speed replay the model's clock continues from the last recorded instant at
  // real speed (model time = now + offset), so the replayed world and live agents share one
  // timeline instead of jumping to this machine's clock (which would, say, expire every
  // replayed node at once, or move time backwards).
  int64_t model_clock_offset_ns = 0;
  uint64_t model_now(uint64_t now) const { return static_cast<uint64_t>(static_cast<int64_t>(now) + model_clock_offset_ns); }
  uint64_t replay_due_ns = 0;         // when the replay wants its next turn

  CommandRouter commands{settings.max_pending_commands};

  // Bounds on peers.
  LogLimiter limiter{static_cast<uint64_t>(std::max<uint32_t>(settings.log_interval_ms, 1)) * 1'000'000};
  int reserve_fd = -1;                 // spent to accept-and-close when descriptors run out
  std::deque<uint64_t> pending_order;  // connections in accept order (lazily pruned): oldest pending first
  size_t pending_count = 0;
  std::unordered_map<std::string, size_t> per_peer;
  size_t input_held = 0;               // decoder memory of all connections
  std::deque<uint64_t> backlog;        // connections whose slice ran out with frames left
  std::function<void()> turn_hook;
  uint64_t started_wall_ns = 0;
  uint64_t turn_max_ns = 0;            // since the last tick

  // Connect and disconnect lines are not refusals, but a peer cycling connections would
  // write two per cycle: one line per peer address and kind per interval, with the count of
  // the rest.
  LogLimiter session_lines{static_cast<uint64_t>(std::max<uint32_t>(settings.log_interval_ms, 1)) * 1'000'000};
  void log_session(LogLevel level, const Conn& c, std::string_view what, const std::string& line) {
    if (static_cast<int>(level) > static_cast<int>(log_level())) return;
    session_lines.log(level, clock_ns(), c.peer_key, what, line);
  }

  void refuse(Refusal why, const std::string& peer, uint64_t now, const std::string& line, LogLevel level = LogLevel::Warn) {
    ++counters.refusals[static_cast<size_t>(why)];
    limiter.log(level, now, peer, name(why), line);
  }

  void leave_pending(Conn& c) {
    if (!c.pending) return;
    c.pending = false;
    --pending_count;
  }

  // Closes the oldest connection still in its handshake; false when there is none.
  bool evict_oldest_pending(uint64_t now) {
    while (!pending_order.empty()) {
      uint64_t id = pending_order.front();
      pending_order.pop_front();
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      Conn& c = *it->second;
      if (!c.pending || c.state != State::AwaitHello || c.close_requested) continue;
      refuse(Refusal::PendingEvicted, c.peer_key, now, "closed " + c.who() + ": still in its handshake while others wait (evicted)",
             LogLevel::Info);
      reject_and_close(c, proto::RejectCode::Overloaded, "the collector is busy: too many connections in their handshake");
      return true;
    }
    return false;
  }

  void reject_and_close(Conn& c, proto::RejectCode code, const std::string& text) {
    proto::Reject rej{code, text};
    std::vector<uint8_t> body;
    proto::Writer w(body);
    proto::encode(w, rej);
    c.queue(proto::FrameType::Reject, body.data(), body.size());
    leave_pending(c);
    c.close_requested = true;
    closing.push_back(c.conn_id);
  }

  // Sends an Overloaded reject on a socket that will not become a connection, then closes it.
  static void reject_fd(int fd, const std::string& text) {
    std::vector<uint8_t> frame;
    size_t at = proto::begin_frame(frame, proto::FrameType::Reject, 0);
    proto::Writer w(frame);
    proto::encode(w, proto::Reject{proto::RejectCode::Overloaded, text});
    proto::finish_frame(frame, at);
    [[maybe_unused]] ssize_t n = ::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
  }

  void account_input(Conn& c) {
    size_t held = c.decoder.held_bytes() + c.batch_rest.capacity();
    input_held = input_held - c.input_held + held;
    c.input_held = held;
  }

  void send_command(Conn& viewer, NodeKey node, uint64_t actor, proto::CommandKind kind, CommandDone done) {
    auto refuse = [&](const std::string& why) {
      ++counters.commands_refused;
      done({false, "refused: " + why});
    };
    if (!settings.allow_commands) return refuse("this collector does not accept commands (start it with --allow-commands)");
    uint64_t agent_id = model.connection_of(node);
    auto it = conns.find(agent_id);
    if (agent_id == 0 || it == conns.end() || it->second->state != State::Agent || it->second->close_requested)
      return refuse("node " + std::to_string(node) + " has no connected agent");
    Conn& agent = *it->second;
    if (!(agent.hello_msg.capabilities & proto::kCapCommands))
      return refuse("the agent of " + agent.hello_msg.node +
                    " does not accept commands (start it with allow_commands or ACTORSCOPE_ALLOW_COMMANDS=1)");
    if (commands.full()) return refuse(std::to_string(commands.pending()) + " commands already wait for an answer");
    uint64_t deadline = clock_ns() + static_cast<uint64_t>(settings.command_timeout_ms) * 1'000'000;
    uint64_t request = commands.add(viewer.conn_id, agent.conn_id, deadline, std::move(done));
    std::vector<uint8_t> body;
    proto::Writer w(body);
    proto::encode(w, proto::Command{request, kind, actor});
    agent.queue(proto::FrameType::Command, body.data(), body.size());
    ++counters.commands_sent;
  }

  // The agent's answer: handed to the viewer that asked, if it is still there.
  void on_command_result(Conn& agent, const uint8_t* p, size_t len) {
    proto::Reader r(p, len);
    proto::CommandResult res;
    std::string err;
    if (!proto::decode(r, res, err)) {
      protocol_error(agent, ErrorReason::MalformedRecord, err, proto::RejectCode::Malformed);
      return;
    }
    CommandDone done = commands.take(res.request, agent.conn_id);
    if (!done) {
      log_line(LogLevel::Debug, "late or unknown command result " + std::to_string(res.request) + " from " + agent.who());
      return;
    }
    done({res.ok, res.message});
  }

  void end_commands_of(uint64_t conn_id) {
    for (auto& done : commands.end_of(conn_id)) done({false, "failed: the agent disconnected before answering"});
  }

  void expire_commands(uint64_t now) {
    std::vector<CommandDone> expired = commands.expire(now);
    counters.commands_timed_out += expired.size();
    for (auto& done : expired)
      done({false, "failed: no answer from the agent within " + std::to_string(settings.command_timeout_ms) + " ms"});
  }

  // One turn of the replay: a bounded number of entries, so that the loop stays responsive.
  void replay_turn(uint64_t now) {
    if (!replayer || now < replay_due_ns) return;
    uint64_t wait = 0;
    Replayer::State st = replayer->step(now, kReplayEntriesPerTurn, wait);
    replay_due_ns = st == Replayer::State::Waiting ? now + wait : now;
    if (st == Replayer::State::Done || st == Replayer::State::Failed) {
      std::unique_ptr<Replayer> r = std::move(replayer);
      if (replay_drives_clock) {
        std::lock_guard<std::mutex> lock(model_mutex);
        model_clock_offset_ns = static_cast<int64_t>(model.now()) - static_cast<int64_t>(now);
      }
      replay_drives_clock = false;
      if (replay_done) replay_done(r->result());
    }
  }

  void publish() {
    counters.pending_connected = 0;
    counters.agents_connected = 0;
    counters.viewers_connected = 0;
    for (auto& [id, c] : conns) {
      if (c->close_requested || c->state == State::Draining) continue;
      if (c->state == State::AwaitHello) ++counters.pending_connected;
      if (c->state == State::Agent) ++counters.agents_connected;
      if (c->state == State::Viewer) ++counters.viewers_connected;
    }
    counters.record_write_errors = recorder.write_errors();
    std::lock_guard<std::mutex> lock(published_mutex);
    published = counters;
  }

  void request_close(Conn& c, LogLevel level, const std::string& reason) {
    if (c.close_requested || c.state == State::Draining) return;
    leave_pending(c);
    c.close_requested = true;
    log_session(level, c, "closed", "closed " + c.who() + ": " + reason);
    closing.push_back(c.conn_id);
  }

  void protocol_error(Conn& c, ErrorReason why, const std::string& text, proto::RejectCode code) {
    if (c.close_requested || c.state == State::Draining) return;
    ++counters.errors[static_cast<size_t>(why)];
    if (c.state == State::AwaitHello) {
      ++counters.handshake_failures;
      limiter.log(LogLevel::Warn, clock_ns(), c.peer_key, name(why), "rejected " + c.who() + ": " + text);
      reject_and_close(c, code, text);
      return;
    }
    // One line per peer and reason per interval: a peer reconnecting to send the same bad
    // frame again and again costs one line per interval.
    limiter.log(LogLevel::Warn, clock_ns(), c.peer_key, name(why), "closed " + c.who() + ": " + text);
    c.close_requested = true;
    closing.push_back(c.conn_id);
  }

  // Moves a connection whose close was requested into draining: the role ends now, the
  // socket stays until our last frames are out and the peer hung up (or a deadline).
  void begin_drain(Conn& c, uint64_t now) {
    end_commands_of(c.conn_id);
    if (c.state == State::Agent) {
      std::lock_guard<std::mutex> lock(model_mutex);
      model.set_now(model_now(now));
      model.on_disconnect(c.node, c.conn_id);
      model.commit();
      recorder.disconnect(c.conn_id, now);
    }
    if (c.state == State::Viewer && c.session) c.session->on_close();
    c.state = State::Draining;
    // What it sent and we did not read is dropped now, not when the socket goes.
    c.decoder = proto::FrameDecoder{kHelloMaxFrame};
    c.batch_rest = std::vector<uint8_t>();
    account_input(c);
    c.frame_started_ns = 0;
    c.deadline_ns = now + kDrainTimeoutNs;
    flush(c);
  }

  void destroy(uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Conn& c = *it->second;
    leave_pending(c);
    input_held -= c.input_held;
    if (auto p = per_peer.find(c.peer_key); p != per_peer.end() && --p->second == 0) per_peer.erase(p);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, it->second->fd, nullptr);
    ::close(it->second->fd);
    conns.erase(it);
  }

  void flush(Conn& c) {
    std::string why;
    OutputQueue::Flush f = OutputQueue::Flush::Done;
    if (c.tls && !c.tls->established()) c.out.clear();  // nothing can be said before the handshake
    else if (c.tls) f = c.out.write_to(*c.tls, why);
    else f = c.out.write_to(c.fd);
    if (f == OutputQueue::Flush::PeerGone && c.state != State::Draining)
      request_close(c, LogLevel::Info, "send failed: " + (c.tls ? why : std::string(std::strerror(errno))));
    bool pending = !c.out.empty() || c.tls_read_wants_write;
    if (pending != c.want_write) {
      c.want_write = pending;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | (pending ? EPOLLOUT : 0u);
      ev.data.u64 = c.conn_id;
      ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
    if (c.state == State::Draining && !pending && !c.write_shut) {
      if (c.tls) c.tls->shutdown();
      ::shutdown(c.fd, SHUT_WR);
      c.write_shut = true;
    }
  }

  void after_dispatch(uint64_t now) {
    // Closing can request more closes (a session's on_close may send): loop until quiet.
    while (!closing.empty()) {
      std::vector<uint64_t> ids;
      ids.swap(closing);
      for (uint64_t id : ids) {
        auto it = conns.find(id);
        if (it != conns.end() && it->second->state != State::Draining) begin_drain(*it->second, now);
      }
    }
    std::vector<uint64_t> ids;
    ids.swap(dirty_out);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (uint64_t id : ids) {
      auto it = conns.find(id);
      if (it != conns.end()) flush(*it->second);
    }
  }

  void accept_on(const Listener& l, uint64_t now) {
    for (int accepted = 0; accepted < 256; ++accepted) {  // then other peers get a turn
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
          // Out of descriptors: the pending connection would wake the loop forever. Spend
          // the reserve descriptor to take it and close it, then take the reserve back.
          ::close(reserve_fd);
          reserve_fd = -1;
          int victim = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (victim >= 0) reject_fd(victim, "the collector is out of file descriptors");
          reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          refuse(Refusal::OutOfDescriptors, l.address, now,
                 "refused a connection on " + l.address + ": out of file descriptors (raise the limit, ulimit -n)");
          if (victim < 0) return;
          continue;
        }
        limiter.log(LogLevel::Warn, now, l.address, "accept", "accept on " + l.address + " failed: " + std::strerror(errno));
        return;
      }
      std::string peer, key;
      char host[INET6_ADDRSTRLEN] = {};
      uint64_t id = next_id++;
      if (ss.ss_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        key = std::string("tcp:") + host;
        peer = key + ":" + std::to_string(ntohs(in->sin_port));
      } else if (ss.ss_family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        key = std::string("tcp:[") + host + "]";
        peer = key + ":" + std::to_string(ntohs(in6->sin6_port));
      } else {
        key = l.address;
        peer = l.address + "#" + std::to_string(id);
      }
      auto from_peer = per_peer.find(key);
      if (settings.max_connections_per_peer != 0 && from_peer != per_peer.end() &&
          from_peer->second >= settings.max_connections_per_peer) {
        refuse(Refusal::TooManyFromPeer, key, now,
               "refused a connection from " + key + ": " + std::to_string(from_peer->second) +
                   " connections from it already (--max-connections-per-peer)");
        reject_fd(fd, "too many connections from your address");
        continue;
      }
      // Room for one more: a connection still in its handshake gives way first, so that
      // unauthenticated sockets cannot keep peers with a token out.
      if (settings.max_pending_connections != 0 && pending_count >= settings.max_pending_connections) evict_oldest_pending(now);
      if (conns.size() >= settings.max_connections && conns.size() - closing_count() >= settings.max_connections &&
          !evict_oldest_pending(now)) {
        ++counters.refused_connections;
        refuse(Refusal::TooManyConnections, key, now,
               "refused a connection from " + peer + ": " + std::to_string(conns.size()) + " connections already (--max-connections)");
        reject_fd(fd, "the collector is overloaded: too many connections");
        continue;
      }
      ++per_peer[key];
      auto c = std::make_unique<Conn>(*this, fd, id, peer);
      c->peer_key = key;
      if (l.tls) c->tls = std::make_unique<tls::Session>(*tls_ctx, fd);
      c->deadline_ns = now + static_cast<uint64_t>(settings.handshake_timeout_ms) * 1'000'000;
      c->last_input_ns = now;
      ++pending_count;
      pending_order.push_back(id);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = id;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      ++counters.accepted_total;
      log_line(LogLevel::Debug, "accepted " + peer);
      conns.emplace(id, std::move(c));
    }
  }

  // Connections that are closing still hold a descriptor, but not a place.
  size_t closing_count() const {
    size_t n = 0;
    for (const auto& [id, c] : conns)
      if (c->close_requested || c->state == State::Draining) ++n;
    return n;
  }

  // A Hello naming a node whose agent is connected on another connection replaces that
  // connection only when it has been silent for takeover_silence_ms (SPEC.md, "Takeover"):
  // a live agent sends a heartbeat every second, so a peer cannot kick it off by reusing
  // its name. A refused takeover is rejected before the model sees it: no counter moves.
  bool may_take_over(Conn& c, const proto::Hello& h, uint64_t now) {
    NodeKey key = model.find_node(h.node);
    uint64_t previous = key ? model.connection_of(key) : 0;
    if (previous == 0 || previous == c.conn_id) return true;
    auto it = conns.find(previous);
    if (it == conns.end() || it->second->close_requested || it->second->state != State::Agent) return true;
    uint64_t silence = now - std::min(now, it->second->last_input_ns);
    if (silence >= static_cast<uint64_t>(settings.takeover_silence_ms) * 1'000'000) return true;
    ++counters.handshake_failures;
    refuse(Refusal::TakeoverRefused, c.peer_key, now,
           "rejected " + c.who() + ": node " + h.node + " is connected from " + it->second->peer_name +
               " and not silent (a takeover needs " + std::to_string(settings.takeover_silence_ms) + " ms of silence)");
    reject_and_close(c, proto::RejectCode::NodeInUse,
                     "node " + h.node + " is already connected; a new connection takes over only after " +
                         std::to_string(settings.takeover_silence_ms) + " ms without a frame from the old one");
    return false;
  }

  void on_hello(Conn& c, const uint8_t* p, size_t len, uint64_t now) {
    proto::Hello h;
    HelloVerdict verdict = check_hello(settings, static_cast<bool>(factory), p, len, h);
    if (!verdict.ok) {
      protocol_error(c, verdict.reason, verdict.text, verdict.code);
      return;
    }
    // What the peer named itself goes into logs and the model: valid UTF-8, capped, no
    // control characters (a newline in a node name cannot forge a log line).
    h.node = clean_text(h.node, model.settings().max_text_bytes);
    h.host = clean_text(h.host, model.settings().max_text_bytes);
    h.program = clean_text(h.program, model.settings().max_text_bytes);
    if (h.role == proto::Role::Agent && !may_take_over(c, h, now)) return;
    leave_pending(c);
    c.hello_msg = h;
    c.decoder.set_max_frame(settings.max_frame);
    std::vector<uint8_t> body;
    proto::Writer bw(body);
    proto::encode(bw, make_welcome(settings, h, c.conn_id));
    c.queue(proto::FrameType::Welcome, body.data(), body.size());

    if (h.role == proto::Role::Agent) {
      uint64_t previous = 0;
      {
        std::lock_guard<std::mutex> lock(model_mutex);
        model.set_now(model_now(now));
        previous = model.connection_of(model.find_node(h.node));
        c.node = model.on_hello(c.conn_id, h);
        model.commit();
      }
      recorder.hello(c.conn_id, now, h);
      c.state = State::Agent;
      ++counters.agents_total;
      log_session(LogLevel::Info, c, "connected", "agent " + h.node + " (pid " + std::to_string(h.pid) + ", " + h.program + ") connected from " +
                                   c.peer_name);
      if (previous != 0 && previous != c.conn_id) {
        auto it = conns.find(previous);
        if (it != conns.end()) request_close(*it->second, LogLevel::Info, "replaced by a newer connection of the same node");
      }
      return;
    }
    c.state = State::Viewer;
    ++counters.viewers_total;
    log_session(LogLevel::Info, c, "connected", "viewer connected from " + c.peer_name);
    c.session = factory(c, model);
    if (!c.session) request_close(c, LogLevel::Info, "the viewer service refused the session");
  }

  // Applies a Batch payload from `offset` on, kRecordsPerStep records at a time, until it
  // ends (Done), the slice ends (Paused: `offset` says where to go on), or a record is
  // malformed (Failed: the connection is closing). One frame may hold tens of thousands of
  // spawns: applied whole, it would hold the loop for as long as they take.
  enum class Applied { Done, Paused, Failed };
  Applied apply_batch(Conn& c, const uint8_t* p, size_t len, size_t& offset, uint64_t now, uint64_t slice_end) {
    while (offset < len) {
      proto::DecodeResult res;
      {
        std::lock_guard<std::mutex> lock(model_mutex);
        model.set_now(model_now(now));
        res = model.apply_batch_part(c.node, p, len, offset, kRecordsPerStep, kBytesPerStep);
      }
      counters.records_total += res.records;
      if (!res.ok) {
        protocol_error(c, ErrorReason::MalformedRecord,
                       std::string("malformed record after ") + std::to_string(res.records) + " good ones: " +
                           (res.error ? res.error : "?"),
                       proto::RejectCode::Malformed);
        return Applied::Failed;
      }
      if (offset < len && clock_ns() >= slice_end) return Applied::Paused;
    }
    return Applied::Done;
  }

  // Goes on with the Batch frame a previous slice left unfinished. True when it is done
  // (or the connection is closing); false when this slice ran out too.
  bool resume_batch(Conn& c, uint64_t now, uint64_t slice_end) {
    if (c.batch_rest.empty()) return true;
    Applied a = Applied::Failed;
    if (model.connection_of(c.node) != c.conn_id)
      request_close(c, LogLevel::Info, "replaced by a newer connection of the same node");
    else
      a = apply_batch(c, c.batch_rest.data(), c.batch_rest.size(), c.batch_applied, now, slice_end);
    if (a == Applied::Paused) return false;
    c.batch_rest = std::vector<uint8_t>();
    c.batch_applied = 0;
    account_input(c);
    return true;
  }

  // Handles the complete frames in c's decoder until `slice_end` (collector clock). False
  // when the slice ran out with frames left: the connection then waits in the backlog.
  bool on_frames(Conn& c, uint64_t now, uint64_t slice_end) {
    proto::FrameHeader h;
    const uint8_t* p = nullptr;
    bool any = !c.batch_rest.empty();
    if (!resume_batch(c, now, slice_end)) return false;  // the peer's later frames wait behind it
    while (!c.close_requested && c.state != State::Draining) {
      if (any && clock_ns() >= slice_end && c.decoder.buffered() >= proto::kFrameHeaderSize) {
        c.frame_started_ns = now;
        return false;
      }
      if (!c.decoder.next(h, p)) break;
      any = true;
      ++counters.frames_total;
      switch (c.state) {
        case State::AwaitHello:
          if (h.type != proto::FrameType::Hello) {
            protocol_error(c, ErrorReason::UnexpectedFrame,
                           "expected a Hello frame first, got frame type " + std::to_string(static_cast<unsigned>(h.type)),
                           proto::RejectCode::Malformed);
            return true;
          }
          on_hello(c, p, h.length, now);
          break;
        case State::Agent:
          if (h.type == proto::FrameType::Batch) {
            if (model.connection_of(c.node) != c.conn_id) {
              request_close(c, LogLevel::Info, "replaced by a newer connection of the same node");
              return true;
            }
            recorder.batch(c.conn_id, now, p, h.length);
            size_t applied = 0;
            Applied a = apply_batch(c, p, h.length, applied, now, slice_end);
            if (a == Applied::Failed) return true;
            if (a == Applied::Paused) {
              // The payload lives in the decoder only until its next frame: keep the rest.
              c.batch_rest.assign(p + applied, p + h.length);
              account_input(c);
              c.frame_started_ns = now;
              return false;
            }
          } else if (h.type == proto::FrameType::Goodbye) {
            request_close(c, LogLevel::Info, "said goodbye");
            return true;
          } else if (h.type == proto::FrameType::CommandResult && (c.hello_msg.capabilities & proto::kCapCommands)) {
            on_command_result(c, p, h.length);
          } else {
            protocol_error(c, ErrorReason::UnexpectedFrame,
                           "unexpected frame type " + std::to_string(static_cast<unsigned>(h.type)) + " from an agent",
                           proto::RejectCode::Malformed);
            return true;
          }
          break;
        case State::Viewer:
          if (h.type == proto::FrameType::Goodbye) {
            request_close(c, LogLevel::Info, "said goodbye");
            return true;
          }
          if (c.session) c.session->on_frame(h, p, h.length);
          break;
        case State::Draining:
          return true;
      }
    }
    if (c.decoder.failed() && !c.close_requested && c.state != State::Draining)
      protocol_error(c, ErrorReason::FrameError, c.decoder.error(), proto::RejectCode::Malformed);
    // A frame begun and not complete must finish within frame_timeout_ms.
    if (c.decoder.buffered() == 0) c.frame_started_ns = 0;
    else if (any || c.frame_started_ns == 0) c.frame_started_ns = now;
    c.decoder.release_if_empty();
    account_input(c);
    return true;
  }

  static constexpr ssize_t kTlsFailed = -2;

  // One read from the socket, through TLS when the connection has it: bytes read (> 0), 0 at
  // the peer's end of stream, -1 with errno (EAGAIN: nothing now), or kTlsFailed when the
  // handshake or a record failed (the connection is then closed, with a log line).
  ssize_t read_some(Conn& c, uint8_t* buf, size_t n, uint64_t now) {
    if (!c.tls) return ::recv(c.fd, buf, n, 0);
    if (!c.first_bytes_seen) {
      // Plaintext on a TLS port: the first byte of a TLS connection is a handshake record
      // (0x16). Anything else is answered in plaintext, so the peer can say what went wrong.
      uint8_t first = 0;
      ssize_t got = ::recv(c.fd, &first, 1, MSG_PEEK);
      if (got <= 0) return got;
      if (first != 0x16) {
        c.first_bytes_seen = true;
        c.tls.reset();
        protocol_error(c, ErrorReason::TlsHandshake,
                       "plaintext on a TLS port: this collector requires TLS (agents: set ACTORSCOPE_TLS_CA; "
                       "viewers: --tls-ca FILE)",
                       proto::RejectCode::Malformed);
        return kTlsFailed;
      }
      c.first_bytes_seen = true;
    }
    c.tls_read_wants_write = false;
    tls::Io r = tls::Io::Done;
    size_t got = 0;
    if (!c.tls->established()) {
      r = c.tls->handshake();
      if (r == tls::Io::Done) {
        log_line(LogLevel::Debug, "TLS handshake done with " + c.peer_name);
        r = c.tls->read(reinterpret_cast<char*>(buf), n, got);
      }
    } else {
      r = c.tls->read(reinterpret_cast<char*>(buf), n, got);
    }
    switch (r) {
      case tls::Io::Done:
        return static_cast<ssize_t>(got);
      case tls::Io::WantWrite:
        c.tls_read_wants_write = true;
        flush(c);  // asks epoll for writability
        errno = EAGAIN;
        return -1;
      case tls::Io::WantRead:
        errno = EAGAIN;
        return -1;
      case tls::Io::Closed:
        return 0;
      case tls::Io::Error:
        break;
    }
    std::string why = c.tls->error();
    bool in_handshake = !c.tls->established();
    // No close_notify on a failed session; the socket drains like any closing one, so the
    // alert OpenSSL sent is read by the peer before the close (an unread Hello would
    // otherwise turn the close into a reset that discards it).
    c.tls.reset();
    if (in_handshake) {
      ++counters.errors[static_cast<size_t>(ErrorReason::TlsHandshake)];
      ++counters.handshake_failures;
      limiter.log(LogLevel::Warn, now, c.peer_key, name(ErrorReason::TlsHandshake),
                  "rejected " + c.who() + ": TLS handshake failed: " + why);
      request_close(c, LogLevel::Debug, "TLS handshake failed");
    } else {
      request_close(c, LogLevel::Info, "TLS error: " + why);
    }
    return kTlsFailed;
  }

  // After a turn on c: a TLS session may hold records that the socket no longer announces.
  void note_buffered(Conn& c) {
    if (c.tls && !c.backlogged && !c.close_requested && c.state != State::Draining && c.tls->has_pending())
      tls_buffered.push_back(c.conn_id);
  }

  void serve_tls_buffered(uint64_t now) {
    if (tls_buffered.empty()) return;
    std::vector<uint64_t> ids;
    ids.swap(tls_buffered);
    for (uint64_t id : ids) {
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      Conn& c = *it->second;
      uint64_t start = clock_ns();
      on_readable(c, now, start + slice_ns());
      note_buffered(c);
      after_dispatch(now);
      note_turn(clock_ns() - start);
    }
  }

  void on_readable(Conn& c, uint64_t now, uint64_t slice_end) {
    if (c.backlogged) return;  // its buffered frames come first; the socket keeps the rest
    uint8_t buf[64 * 1024];
    // Bounded work per wake-up so that one busy peer cannot starve the others.
    for (int round = 0; round < 16; ++round) {
      ssize_t n = read_some(c, buf, sizeof buf, now);
      if (n == kTlsFailed) return;
      if (n > 0 && !c.first_bytes_seen) {
        c.first_bytes_seen = true;
        // A TLS ClientHello (record type 0x16, version 0x03 0x0N) where a Hello frame was
        // expected: its length would read as a frame far over any limit. Say what it is.
        if (!c.tls && n >= 3 && buf[0] == 0x16 && buf[1] == 0x03 && buf[2] != 0) {
          protocol_error(c, ErrorReason::TlsHandshake,
                         "a TLS client on a plaintext port (start the collector with --tls-cert and --tls-key, "
                         "or connect without TLS)",
                         proto::RejectCode::Malformed);
          return;
        }
      }
      if (n > 0) {
        counters.bytes_in_total += static_cast<uint64_t>(n);
        if (c.state == State::Draining || c.close_requested) continue;  // discarded
        c.last_input_ns = now;
        c.decoder.feed(buf, static_cast<size_t>(n));
        account_input(c);
        if (input_held > settings.max_input_bytes) {
          refuse(Refusal::InputBudget, c.peer_key, now,
                 "closed " + c.who() + ": incomplete frames of all connections exceed " +
                     std::to_string(settings.max_input_bytes) + " bytes (--max-input-bytes)");
          request_close(c, LogLevel::Debug, "input budget");
          return;
        }
        if (!on_frames(c, now, slice_end)) {
          to_backlog(c, now);
          return;
        }
        if (clock_ns() >= slice_end) return;  // level-triggered: the rest is read next turn
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      // EOF or error.
      c.peer_gone = true;
      if (c.state == State::Draining) return;
      if (!c.close_requested && c.decoder.buffered() > 0) {
        // The stream ended inside a frame: a truncated frame is a protocol error worth a line.
        if (c.state == State::AwaitHello) ++counters.handshake_failures;
        limiter.log(LogLevel::Warn, now, c.peer_key, "truncated",
                    "closed " + c.who() + ": truncated frame: the stream ended " + std::to_string(c.decoder.buffered()) +
                        " bytes into an incomplete frame");
        request_close(c, LogLevel::Debug, "truncated frame");
      } else if (c.state == State::AwaitHello && !c.close_requested) {
        // Nothing buffered: a port scanner or health check, not worth more than debug.
        ++counters.handshake_failures;
        request_close(c, LogLevel::Debug, "hung up before its Hello");
      } else {
        request_close(c, LogLevel::Info, n == 0 ? "disconnected" : std::string("read failed: ") + std::strerror(errno));
      }
      return;
    }
  }

  void to_backlog(Conn& c, uint64_t now) {
    ++counters.refusals[static_cast<size_t>(Refusal::SliceExceeded)];
    (void)now;
    c.backlogged = true;
    backlog.push_back(c.conn_id);
  }

  // One slice for each connection whose frames waited, in turn.
  void serve_backlog(uint64_t now) {
    size_t n = backlog.size();
    for (size_t i = 0; i < n; ++i) {
      uint64_t id = backlog.front();
      backlog.pop_front();
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      Conn& c = *it->second;
      c.backlogged = false;
      if (c.close_requested || c.state == State::Draining) continue;
      uint64_t start = clock_ns();
      if (!on_frames(c, now, start + slice_ns())) to_backlog(c, now);
      else note_buffered(c);
      after_dispatch(now);
      note_turn(clock_ns() - start);
    }
  }

  uint64_t slice_ns() const { return static_cast<uint64_t>(std::max<uint32_t>(settings.peer_slice_us, 1)) * 1000; }
  void note_turn(uint64_t ns) {
    turn_max_ns = std::max(turn_max_ns, ns);
    counters.loop_turn_max_ever_ns = std::max(counters.loop_turn_max_ever_ns, ns);
  }

  void on_tick(uint64_t now) {
    if (!replay_drives_clock) {
      std::lock_guard<std::mutex> lock(model_mutex);
      // The flight recorder's instants are shown as wall-clock times: wall now - model now.
      // Kept steady (an instant a viewer was told maps back to the same model time) unless
      // the wall clock was stepped by more than 100 ms.
      const int64_t offset = static_cast<int64_t>(wall_clock_ns()) - static_cast<int64_t>(model_now(now));
      if (History* h = model.history(); h && !clock_from_recording) {
        if (!h->has_wall_offset() || std::llabs(offset - h->wall_offset()) > 100'000'000) h->set_wall_offset(offset);
      }
      // A recording says the same, so that its instants are the collector's (not taken from an
      // agent's Hello, which arrives late by however long the connection took).
      if (recorder.is_open() && !clock_from_recording && (!recorded_offset || std::llabs(offset - *recorded_offset) > 100'000'000)) {
        recorder.wall_clock(model_now(now), offset);
        recorded_offset = offset;
      }
      model.tick(model_now(now));
    }
    for (auto& [id, c] : conns) {
      if (c->state == State::AwaitHello && !c->close_requested && now >= c->deadline_ns) {
        protocol_error(*c, ErrorReason::HandshakeTimeout,
                       "no Hello within " + std::to_string(settings.handshake_timeout_ms) + " ms",
                       proto::RejectCode::Malformed);
      }
      if (c->close_requested || c->state == State::Draining) continue;
      if (c->frame_started_ns != 0 && !c->backlogged && settings.frame_timeout_ms != 0 &&
          now - std::min(now, c->frame_started_ns) > static_cast<uint64_t>(settings.frame_timeout_ms) * 1'000'000) {
        refuse(Refusal::FrameTimeout, c->peer_key, now,
               "closed " + c->who() + ": a frame begun " + std::to_string(settings.frame_timeout_ms) +
                   " ms ago is still incomplete (" + std::to_string(c->decoder.buffered()) + " bytes held)");
        request_close(*c, LogLevel::Debug, "frame timeout");
        continue;
      }
      if (c->state == State::Agent && settings.idle_timeout_ms != 0 &&
          now - std::min(now, c->last_input_ns) > static_cast<uint64_t>(settings.idle_timeout_ms) * 1'000'000) {
        refuse(Refusal::IdleTimeout, c->peer_key, now,
               "closed " + c->who() + ": nothing received for " + std::to_string(settings.idle_timeout_ms) +
                   " ms (agents send a heartbeat every second)");
        request_close(*c, LogLevel::Debug, "idle");
        continue;
      }
      if (c->state == State::Viewer && c->session && !c->close_requested) c->session->on_tick(now);
    }
    // The accept-order list keeps only what may still be pending: its front is pruned
    // here, so it does not grow with every connection ever accepted.
    while (!pending_order.empty()) {
      auto it = conns.find(pending_order.front());
      if (it != conns.end() && it->second->pending) break;
      pending_order.pop_front();
    }
    counters.loop_turn_max_ns = turn_max_ns;
    turn_max_ns = 0;
    counters.input_buffered_bytes = input_held;
    counters.log_lines_suppressed = limiter.suppressed_total() + session_lines.suppressed_total();
    expire_commands(now);
    if (now >= last_flush_ns + 1'000'000'000ull) {
      recorder.flush();
      last_flush_ns = now;
    }
  }

  void sweep(uint64_t now) {
    std::vector<uint64_t> dead;
    for (auto& [id, c] : conns)
      if (c->state == State::Draining && (now >= c->deadline_ns || c->peer_gone)) dead.push_back(id);
    for (uint64_t id : dead) destroy(id);
  }
};

Server::Server(Model& model, std::mutex& model_mutex, ServerSettings settings)
    : impl_(std::make_unique<Impl>(model, model_mutex, std::move(settings))) {}

Server::~Server() {
  Impl& s = *impl_;
  s.commands.clear();  // their callbacks belong to sessions destroyed below
  for (auto& [id, c] : s.conns) {
    if (c->state == Impl::State::Viewer && c->session) c->session->on_close();
    ::close(c->fd);
  }
  s.conns.clear();
  for (auto& l : s.listeners) {
    ::close(l.fd);
    struct stat st {};
    if (!l.unix_path.empty() && ::lstat(l.unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(l.unix_path.c_str());
  }
  if (int fd = s.wake.exchange(-1); fd >= 0) ::close(fd);
  if (s.ep >= 0) ::close(s.ep);
  if (s.reserve_fd >= 0) ::close(s.reserve_fd);
}

void Server::set_viewer_factory(ViewerFactory factory) { impl_->factory = std::move(factory); }
void Server::set_allow_commands(bool allow) { impl_->settings.allow_commands = allow; }

void Server::replay_on_loop(std::unique_ptr<Replayer> replayer, std::function<void(const ReplayResult&)> done) {
  impl_->replay_drives_clock = replayer != nullptr && !replayer->options().live_clock;
  impl_->clock_from_recording = impl_->clock_from_recording || impl_->replay_drives_clock;
  impl_->replayer = std::move(replayer);
  impl_->replay_done = std::move(done);
  impl_->replay_due_ns = 0;
}

bool Server::start(std::string& error) {
  Impl& s = *impl_;
  if (!s.settings.record_path.empty() && !s.recorder.open(s.settings.record_path, error)) return false;
  s.ep = ::epoll_create1(EPOLL_CLOEXEC);
  int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  s.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    s.started_wall_ns = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  if (s.ep < 0 || wake_fd < 0) {
    error = std::string("epoll/eventfd: ") + std::strerror(errno);
    if (wake_fd >= 0) ::close(wake_fd);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  ::epoll_ctl(s.ep, EPOLL_CTL_ADD, wake_fd, &ev);
  s.wake.store(wake_fd);  // published once ready: other threads' wake() may write to it from now
  if (s.settings.tls()) {
    if (s.settings.tls_cert_file.empty() || s.settings.tls_key_file.empty()) {
      error = "TLS needs both --tls-cert and --tls-key";
      return false;
    }
    std::shared_ptr<tls::Context> ctx =
        tls::Context::server(s.settings.tls_cert_file, s.settings.tls_key_file, error, s.settings.tls_client_ca_file);
    if (!ctx || !ctx->set_min_version(s.settings.tls_min_version, error)) return false;
    s.tls_ctx = std::move(ctx);
  } else if (!s.settings.tls_client_ca_file.empty()) {
    error = "--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS first)";
    return false;
  }
  for (const std::string& text : s.settings.listen) {
    ListenAddress a;
    if (!parse_listen_address(text, a, error)) return false;
    std::string bound;
    int fd = open_listener(a, s.settings.allow_remote, bound, error);
    if (fd < 0) return false;
    s.listeners.push_back({fd, bound, a.unix_socket ? a.path : std::string(), s.tls_ctx && !a.unix_socket});
    epoll_event lev{};
    lev.events = EPOLLIN;
    lev.data.u64 = kListenerTag | (s.listeners.size() - 1);
    ::epoll_ctl(s.ep, EPOLL_CTL_ADD, fd, &lev);
  }
  s.publish();
  return true;
}

std::vector<std::string> Server::bound_addresses() const {
  std::vector<std::string> out;
  for (auto& l : impl_->listeners) out.push_back(l.address);
  return out;
}

void Server::run() {
  Impl& s = *impl_;
  const uint64_t tick_ns = static_cast<uint64_t>(std::max<uint32_t>(s.settings.tick_ms, 1)) * 1'000'000;
  uint64_t next_tick = clock_ns();
  epoll_event events[64];
  while (!s.stopping.load()) {
    uint64_t now = clock_ns();
    uint64_t wake_at = s.replayer ? std::min(next_tick, s.replay_due_ns) : next_tick;
    int timeout_ms = now >= wake_at || !s.backlog.empty() || !s.tls_buffered.empty()
                         ? 0
                         : static_cast<int>((wake_at - now) / 1'000'000 + 1);
    int n = ::epoll_wait(s.ep, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) {
      log_line(LogLevel::Error, std::string("epoll_wait failed: ") + std::strerror(errno));
      break;
    }
    now = clock_ns();
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = ::read(s.wake, &v, sizeof v);
        continue;
      }
      uint64_t start = clock_ns();
      if (tag & kListenerTag) {
        s.accept_on(s.listeners[tag & ~kListenerTag], now);
        s.after_dispatch(now);
        s.note_turn(clock_ns() - start);
        continue;
      }
      auto it = s.conns.find(tag);
      if (it == s.conns.end()) continue;
      Impl::Conn& c = *it->second;
      bool read_waits_for_write = c.tls_read_wants_write;
      if (events[i].events & EPOLLOUT) s.flush(c);
      if ((events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ||
          (read_waits_for_write && (events[i].events & EPOLLOUT))) {
        s.on_readable(c, now, start + s.slice_ns());
        s.note_buffered(c);
      }
      s.after_dispatch(now);
      s.note_turn(clock_ns() - start);
      if (s.stopping.load(std::memory_order_relaxed)) break;
    }
    s.serve_backlog(now);
    s.serve_tls_buffered(now);
    if (s.turn_hook) s.turn_hook();
    s.replay_turn(now);
    if (now >= next_tick) {
      s.on_tick(now);
      s.after_dispatch(now);
      next_tick = now + tick_ns;
      s.publish();
    }
    s.sweep(now);
  }
  s.recorder.flush();
  s.publish();
}

void Server::wake() {
  int fd = impl_->wake.load();
  if (fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(fd, &one, sizeof one);
  }
}

void Server::set_turn_hook(std::function<void()> hook) { impl_->turn_hook = std::move(hook); }
uint64_t Server::started_wall_ns() const { return impl_->started_wall_ns; }

void Server::stop() {
  impl_->stopping.store(true);
  wake();
}

ServerCounters Server::counters() const {
  std::lock_guard<std::mutex> lock(impl_->published_mutex);
  return impl_->published;
}

}  // namespace actorscope::collector
