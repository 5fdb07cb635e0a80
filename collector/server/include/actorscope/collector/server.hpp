// The collector's network side: one epoll loop thread serving agents and viewers.
//
// Agents: Hello -> Welcome, then Batch frames applied to the Model. Viewers: Hello ->
// Welcome, then every frame goes to the Session made by the registered viewer factory.
// Any protocol error closes that one connection with one log line; nothing else is
// affected.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/protocol/messages.hpp"

namespace actorscope::collector {

struct ServerSettings {
  std::vector<std::string> listen = {"tcp:127.0.0.1:7411"};  // tcp:HOST:PORT or unix:PATH
  bool allow_remote = false;            // refuse non-loopback TCP addresses unless set
  std::string token;                    // empty: no token required
  uint32_t max_frame = proto::kDefaultMaxFrame;  // largest payload accepted
  size_t max_output_bytes = 8u << 20;   // per-connection output queue; over it: dropped
  uint32_t handshake_timeout_ms = 5000; // Hello must arrive within this
  uint32_t tick_ms = 100;               // Session::on_tick and Model::tick period
  size_t max_connections = 1024;        // more are refused (counted); a connection still in
                                        // its handshake is evicted first to make room
  size_t max_pending_connections = 128; // connections before their Hello; past it the oldest is closed
  size_t max_connections_per_peer = 256;// per peer address (TCP host; a unix socket is one peer)
  uint32_t idle_timeout_ms = 60'000;    // an agent that sends nothing (not even a heartbeat) for this long is closed
  uint32_t frame_timeout_ms = 10'000;   // a frame begun must be complete within this
  size_t max_input_bytes = 256u << 20;  // incomplete frames held for all connections together
  uint32_t peer_slice_us = 2'000;       // the loop turns to other peers after this much work on one
  uint32_t takeover_silence_ms = 5'000; // a node's live connection is replaced only once silent this long
  uint32_t log_interval_ms = 10'000;    // a refusal is logged once per peer and reason per interval
  std::string record_path;              // when set, every ingest frame is appended here
  std::string name = "actorscope-collector";
  bool allow_commands = false;          // --allow-commands: route viewers' commands to agents
  uint32_t command_timeout_ms = 5000;   // a command the agent has not answered by then fails
  size_t max_pending_commands = 256;    // commands awaiting an agent's answer; more are refused
  // TLS on the TCP listeners (unix sockets stay plain: the file's permissions guard them).
  std::string tls_cert_file;            // PEM certificate chain; with tls_key_file: TLS only
  std::string tls_key_file;             // PEM private key
  std::string tls_client_ca_file;       // set: mutual TLS, clients need a certificate signed by it
  std::string tls_min_version = "1.3";  // oldest TLS version accepted: 1.3 or 1.2
  bool tls() const { return !tls_cert_file.empty() || !tls_key_file.empty(); }
};

// The outcome of a command routed to an agent, as the agent (or the collector) tells it.
struct CommandOutcome {
  bool ok = false;
  std::string message;  // one line: what was done, or why it was refused
};
using CommandDone = std::function<void(const CommandOutcome&)>;

// Decode errors, by reason, as counted and exported.
enum class ErrorReason : uint8_t {
  BadMagic = 0,
  BadVersion = 1,
  BadToken = 2,
  BadRole = 3,
  MalformedHello = 4,
  FrameError = 5,       // unknown type, oversized length prefix, sequence gap
  MalformedRecord = 6,
  UnexpectedFrame = 7,  // e.g. Batch before Hello, View from an agent
  HandshakeTimeout = 8,
  TlsHandshake = 9,     // the TLS handshake failed, or plaintext on a TLS port (and the reverse)
};
inline constexpr size_t kErrorReasonCount = 10;
std::string_view name(ErrorReason r);

// What the collector refused to keep itself within its bounds, as counted and exported.
enum class Refusal : uint8_t {
  TooManyConnections = 0,   // over max_connections (an Overloaded reject is sent first)
  TooManyFromPeer = 1,      // over max_connections_per_peer
  PendingEvicted = 2,       // a connection still in its handshake closed to make room
  OutOfDescriptors = 3,     // accept failed for lack of file descriptors
  IdleTimeout = 4,          // an agent silent past idle_timeout_ms
  FrameTimeout = 5,         // a frame not completed within frame_timeout_ms
  InputBudget = 6,          // incomplete frames over max_input_bytes
  TakeoverRefused = 7,      // a Hello for a node whose live connection is not silent
  CommandNotGranted = 8,    // a kill from a viewer without the commands capability
  SliceExceeded = 9,        // a peer's input waited for the next turn (its slice was spent)
  PastBusy = 10,            // a viewer's past instant, over max_rebuilds or max_past_views (counted by the viewers' side)
  ExportBusy = 11,          // a viewer's export of the history, over max_exports (likewise)
};
inline constexpr size_t kRefusalCount = 12;
std::string_view name(Refusal r);

struct ServerCounters {
  uint64_t agents_connected = 0;        // current
  uint64_t viewers_connected = 0;       // current
  uint64_t pending_connected = 0;       // current, before their Hello
  uint64_t agents_total = 0;
  uint64_t viewers_total = 0;
  uint64_t accepted_total = 0;
  uint64_t frames_total = 0;
  uint64_t bytes_in_total = 0;
  uint64_t records_total = 0;
  uint64_t handshake_failures = 0;
  uint64_t slow_peers_dropped = 0;
  uint64_t refused_connections = 0;     // over max_connections
  uint64_t record_write_errors = 0;
  uint64_t commands_sent = 0;           // routed to an agent
  uint64_t commands_refused = 0;        // refused by the collector before reaching an agent
  uint64_t commands_timed_out = 0;      // no answer within command_timeout_ms
  std::array<uint64_t, kErrorReasonCount> errors{};
  std::array<uint64_t, kRefusalCount> refusals{};
  uint64_t viewers_dropped = 0;         // filled by the viewer service (fell behind)
  uint64_t input_buffered_bytes = 0;    // current, incomplete frames of all connections
  uint64_t loop_turn_max_ns = 0;        // longest loop turn in the last tick period
  uint64_t loop_turn_max_ever_ns = 0;   // longest loop turn since start
  uint64_t log_lines_suppressed = 0;    // refusal log lines folded by the once-per-interval rule
};

// A viewer's connection as its Session sees it. Lives on the loop thread.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual uint64_t id() const = 0;
  virtual const std::string& peer() const = 0;   // "tcp:127.0.0.1:53211" / "unix"
  virtual const proto::Hello& hello() const = 0;
  // Queues one frame (header added here). False when the output queue would exceed its
  // bound: the server then closes the connection (counted as a slow peer).
  virtual bool send_frame(proto::FrameType type, const uint8_t* payload, size_t len) = 0;
  bool send_frame(proto::FrameType type, const std::vector<uint8_t>& payload) {
    return send_frame(type, payload.data(), payload.size());
  }
  virtual size_t queued_bytes() const = 0;
  // Sends a command to the agent connection of `node` and calls `done` once, on the loop
  // thread, with the agent's answer, or a refusal (collector without allow_commands, node
  // not connected, agent without kCapCommands, too many pending), or a timeout. Never
  // called after this connection closed. May call `done` before returning.
  virtual void send_command(NodeKey node, uint64_t actor, proto::CommandKind kind, CommandDone done) {
    (void)node, (void)actor, (void)kind;
    done({false, "refused: this connection cannot route commands"});
  }
  // Closes after flushing what is queued; logs `reason`.
  virtual void close(const std::string& reason) = 0;
};

// The viewer conversation on one connection. All calls on the loop thread, which owns
// the Model: a session may read it directly (never keep pointers across calls).
class Session {
 public:
  virtual ~Session() = default;
  // A frame after the handshake (normally FrameType::View). payload holds len bytes.
  virtual void on_frame(const proto::FrameHeader& header, const uint8_t* payload, size_t len) = 0;
  // Called every ServerSettings::tick_ms with the collector clock.
  virtual void on_tick(uint64_t now_ns) { (void)now_ns; }
  // The connection is closing; the Connection must not be used afterwards.
  virtual void on_close() {}
};

// Makes the Session of a viewer whose Hello was accepted (Welcome already queued).
// Returning nullptr rejects the viewer (the connection closes).
using ViewerFactory = std::function<std::unique_ptr<Session>(Connection& conn, const Model& model)>;

class Server {
 public:
  // The model is guarded by model_mutex: the loop holds it while mutating the model;
  // other threads (the exporter) lock it to read.
  Server(Model& model, std::mutex& model_mutex, ServerSettings settings);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Without a factory, viewer Hellos are rejected ("this collector does not serve viewers").
  // Set before start().
  void set_viewer_factory(ViewerFactory factory);
  // Same as ServerSettings::allow_commands (the viewer service sets it). Before start().
  void set_allow_commands(bool allow);

  // Replays `replayer` (opened) on the loop thread once run() starts, a few entries per
  // turn, so that viewers and /metrics see it progress. With options.live_clock the loop
  // keeps ticking the model; without, the replay's recorded clock drives it until the
  // replay ends. `done` runs on the loop thread at the end. Set before run().
  void replay_on_loop(std::unique_ptr<Replayer> replayer, std::function<void(const ReplayResult&)> done = {});

  // Binds every listener. False with a one-line error (address in use, non-loopback
  // without allow_remote, bad address syntax, unusable TLS certificate or key).
  bool start(std::string& error);
  // Actual addresses, with real ports when 0 was asked ("tcp:127.0.0.1:7411", "unix:/p").
  std::vector<std::string> bound_addresses() const;
  // Runs the loop on the calling thread until stop().
  void run();
  // Thread-safe; run() returns soon after.
  void stop();

  // Thread-safe snapshot of the counters.
  ServerCounters counters() const;
  // Thread-safe: the loop wakes up and runs its turn hook soon.
  void wake();
  // Runs on the loop thread at every turn, between two peers' slices (e.g. publishing a
  // /metrics snapshot). Set before run().
  void set_turn_hook(std::function<void()> hook);
  // The wall-clock time (ns since the epoch) this server started: what viewers are told
  // history begins at.
  uint64_t started_wall_ns() const;
  // The collector clock used for the model (CLOCK_MONOTONIC ns).
  static uint64_t clock_ns();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace actorscope::collector
