// The viewer's connection to a collector: handshake, subscription, a replica kept up to date
// by a background thread, requests, and reconnection with backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/tls/tls.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// Where a viewer looks for its collector when told nothing else.
inline constexpr const char* kDefaultCollectorAddress = "tcp:127.0.0.1:7411";

struct ClientOptions {
  std::string address = kDefaultCollectorAddress;  // tcp:HOST:PORT or unix:PATH
  std::string node;                 // subscribe to one node; empty: all
  std::string token;                // the collector's token, when it has one
  uint8_t delta_hz = 10;
  uint32_t backoff_min_ms = 250;    // reconnect delay, doubled up to the max
  uint32_t backoff_max_ms = 5000;
  uint32_t max_frame = proto::kHardMaxFrame;
  size_t max_held_bytes = 64u << 20;  // frames held while paused
  ReplicaSettings replica;
  std::shared_ptr<const tls::Context> tls;  // set: TLS to the collector (see client_tls)
};

// The TLS client context of a viewer's --tls-ca FILE (empty: the system's trust store) and,
// for mutual TLS, --tls-cert/--tls-key; TLS 1.3 only. False with a one-line error naming the
// file that cannot be used.
bool client_tls(const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
                std::shared_ptr<const tls::Context>& out, std::string& error);

// The collector's token, read the same way by every viewer: the file given on the command
// line (--token-file), else the file named by $ACTORSCOPE_TOKEN_FILE, else $ACTORSCOPE_TOKEN,
// else none (empty). Each goes through the token parser every program shares
// (protocol/token.hpp: one line, surrounding spaces and the line end dropped). False, with a
// one-line error naming the file or the variable, when the token cannot be read or parsed.
bool read_token(const std::string& token_file, std::string& token, std::string& error);

enum class ClientState : uint8_t { Connecting, Connected, Rejected, Stopped };

// Opens a connected socket to tcp:HOST:PORT or unix:PATH; -1 with `error` set on failure.
int connect_address(const std::string& address, std::string& error);

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start();  // runs the connection on a background thread
  void stop();

  // The replica is shared with the background thread: read it under this lock.
  std::unique_lock<std::mutex> lock() const { return std::unique_lock<std::mutex>(mutex_); }
  Replica& replica() { return replica_; }
  const Replica& replica() const { return replica_; }

  ClientState state() const { return state_.load(); }
  // One line for the status bar: "connected to tcp:127.0.0.1:7411", "rejected: bad token".
  std::string status() const;
  // Why the last attempt to connect failed ("cannot connect to ADDR: Connection refused"),
  // without the note that it retries; empty once connected.
  std::string connect_error() const;
  uint64_t reconnects() const { return reconnects_.load(); }
  // Bumped whenever a payload was applied: a renderer may wake on it.
  uint64_t updates() const { return updates_.load(); }
  // Readable whenever updates() moved since the last consume_update_signal(): a renderer
  // polls it beside its own input, so data arriving wakes it at once (-1 when unavailable).
  int update_fd() const { return updated_[0]; }
  void consume_update_signal();

  // Requests (answers land in the replica); each returns its request id.
  uint64_t request_detail(NodeId node, uint64_t actor);
  uint64_t request_events(const pv::EventsRequest& q);
  uint64_t request_series(NodeId node, pv::Metric metric, uint32_t seconds);
  uint64_t request_kill(NodeId node, uint64_t actor, const std::string& token);
  // Kills an actor with the token of ClientOptions; the answer (a CommandResult with this
  // request id) lands in replica().command(). Refused unless commands_allowed() and the
  // actor's agent accepts commands.
  uint64_t kill(NodeId node, uint64_t actor) { return request_kill(node, actor, options_.token); }
  // True when the collector's Welcome granted commands (it runs with --allow-commands).
  bool commands_allowed() const { return commands_allowed_.load(); }
  // Subscribes again, to another node (empty: all).
  void resubscribe(const std::string& node);

  // While paused the replica stands still: frames are held (up to max_held_bytes) and
  // applied on resume; past the bound they are discarded and a fresh snapshot is asked for.
  void set_paused(bool paused);
  bool paused() const { return paused_.load(); }

 private:
  void run();
  bool session(int fd);
  // With TLS: the handshake before session(); null when it failed (status says why).
  std::unique_ptr<tls::Session> handshake(int fd);
  void queue(std::vector<uint8_t> messages);
  void set_status(std::string s);
  void signal_update();

  ClientOptions options_;
  mutable std::mutex mutex_;  // guards replica_
  Replica replica_;
  std::atomic<ClientState> state_{ClientState::Connecting};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> updates_{0};
  std::atomic<uint64_t> next_request_{1};
  std::atomic<bool> paused_{false};
  std::atomic<bool> commands_allowed_{false};
  std::vector<std::vector<uint8_t>> held_;  // guarded by mutex_
  size_t held_bytes_ = 0;
  bool held_overflow_ = false;
  mutable std::mutex out_mutex_;  // guards pending_, status_, wake
  std::vector<std::vector<uint8_t>> pending_;  // encoded messages waiting for the socket
  std::string status_;
  std::string connect_error_;
  int wake_[2] = {-1, -1};
  int updated_[2] = {-1, -1};  // written after each applied payload; read by the renderer
  std::thread thread_;
  tls::Session* tls_ = nullptr;  // the current connection's TLS session, on the client's thread
};

}  // namespace actorscope::view
