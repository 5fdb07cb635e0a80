// The viewer's connection to a collector: handshake, subscription, a replica kept up to date
// by a background thread, requests, and reconnection with backoff.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/tls/tls.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// Where a viewer looks for its collector when told nothing else.
inline constexpr const char* kDefaultCollectorAddress = "tcp:127.0.0.1:7411";

enum class ClientState : uint8_t { Connecting, Connected, Rejected, Stopped };

// One collector of a fleet view: its address and the label its nodes carry ("LABEL/node").
struct CollectorEntry {
  std::string address;
  std::string label;
};

// "LABEL=ADDR" or "ADDR" (the label is then ADDR without its "tcp:"/"unix:"). False with a
// one-line error for a malformed address or label.
bool parse_collector_entry(const std::string& text, CollectorEntry& out, std::string& error);
// A --collectors FILE: one collector per line as above, '#' comments and blank lines skipped.
// False with a one-line error naming FILE:LINE.
bool read_collectors_file(const std::string& path, std::vector<CollectorEntry>& out, std::string& error);

struct ClientOptions {
  std::string address = kDefaultCollectorAddress;  // tcp:HOST:PORT or unix:PATH
  std::string node;                 // subscribe to one node; empty: all
  std::string token;                // the collector's token, when it has one
  uint8_t delta_hz = 10;
  uint32_t backoff_min_ms = 250;    // reconnect delay, doubled up to the max
  uint32_t backoff_max_ms = 5000;
  uint32_t max_frame = proto::kHardMaxFrame;
  size_t max_held_bytes = 64u << 20;  // frames held while paused
  // false: a frame of nothing but heartbeats is applied without waking the renderer (update_fd),
  // which shows it with its next frame due (the GUI: an idle window wakes for what changed).
  bool wake_on_ticks = true;
  ReplicaSettings replica;
  std::shared_ptr<const tls::Context> tls;  // set: TLS to the collector (see client_tls)
  // Two or more: a fleet view. One connection per collector (address is then unused), all
  // their nodes in the one replica, each node named "LABEL/name" and numbered apart; a
  // collector that cannot be reached (or is lost) is a node row of its own, marked gone,
  // while the others go on. Labels must differ.
  std::vector<CollectorEntry> fleet;
};

// One collector's state in a fleet view (or the only one's).
struct CollectorStatus {
  std::string label;
  std::string address;
  ClientState state = ClientState::Connecting;
  bool synced = false;       // its snapshot arrived on the current connection
  std::string error;         // why it cannot be reached now; empty when connected
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

// Opens a connected socket to tcp:HOST:PORT or unix:PATH; -1 with `error` set on failure.
int connect_address(const std::string& address, std::string& error);

// How far an export of the collector's flight recorder got (Client::start_export).
struct ExportStatus {
  enum class State : uint8_t { None, Running, Done, Failed } state = State::None;
  std::string path;
  uint64_t bytes = 0;           // written so far
  uint64_t begins_wall_ns = 0;  // the history the file holds (wall clock)
  uint64_t ends_wall_ns = 0;
  std::string error;            // Failed: why, one line
};

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

  // A fleet: Connected while any collector is, Rejected when all are, else Connecting.
  ClientState state() const;
  // One line for the status bar: "connected to tcp:127.0.0.1:7411", "rejected: bad token".
  std::string status() const;
  // Why the last attempt to connect failed ("cannot connect to ADDR: Connection refused"),
  // without the note that it retries; empty once connected.
  std::string connect_error() const;
  uint64_t reconnects() const { return reconnects_.load(); }
  // Every collector's state: one entry, or one per collector of a fleet.
  std::vector<CollectorStatus> collectors() const;
  // Whether each collector has either sent its snapshot or failed to be reached: what a
  // one-frame viewer (--batch) waits for before it draws a fleet.
  bool settled() const;
  // Bumped whenever a payload was applied: a renderer may wake on it.
  uint64_t updates() const { return updates_.load(); }
  // Readable whenever updates() moved since the last consume_update_signal(): a renderer
  // polls it beside its own input, so data arriving wakes it at once (-1 when unavailable).
  int update_fd() const { return updated_[0]; }
  void consume_update_signal();

  // Requests (answers land in the replica); each returns its request id.
  uint64_t request_detail(NodeId node, uint64_t actor);
  // The flow among a supervisor's child subtrees; lands in replica().subtree_flow(). Older
  // collectors do not answer.
  uint64_t request_subtree_flow(NodeId node, uint64_t supervisor, uint32_t max_children = 24);
  uint64_t request_events(const pv::EventsRequest& q);
  uint64_t request_series(NodeId node, pv::Metric metric, uint32_t seconds);
  uint64_t request_kill(NodeId node, uint64_t actor, const std::string& token);
  // Kills an actor with the token of ClientOptions; the answer (a CommandResult with this
  // request id) lands in replica().command(). Refused unless commands_allowed() and the
  // actor's agent accepts commands.
  uint64_t kill(NodeId node, uint64_t actor) { return request_kill(node, actor, options_.token); }
  // True when the collector's Welcome granted commands (it runs with --allow-commands).
  bool commands_allowed() const;
  // Subscribes again, to another node (empty: all).
  void resubscribe(const std::string& node);
  // Asks the collector for the whole picture as it was at `wall_ns` (Unix ns; 0: live again),
  // rebuilt from its flight recorder: the replica then holds that instant and stands still
  // (replica().instant() says which, or why not). Asked again after a reconnect.
  uint64_t show_instant(uint64_t wall_ns);
  uint64_t shown_instant() const { return instant_wall_ns_.load(); }  // what was asked; 0: live
  // Counts of what happened when (crashes, restarts, ...), for a timeline; lands in
  // replica().timeline().
  uint64_t request_timeline(uint64_t from_wall_ns, uint64_t to_wall_ns);

  // Pulls the collector's flight recorder into `path` as a record file (collector/README.md),
  // part by part on the client's thread: written to `path`.part as parts arrive, renamed to
  // `path` once complete. One at a time; false with a one-line error when one is running or
  // the file cannot be created. export_status() tells how far it got.
  bool start_export(const std::string& path, std::string& error);
  ExportStatus export_status() const;

  // While paused the replica stands still: frames are held (up to max_held_bytes) and
  // applied on resume; past the bound they are discarded and a fresh snapshot is asked for.
  void set_paused(bool paused);
  bool paused() const { return paused_.load(); }

 private:
  struct FleetSource;  // per collector of a fleet: its node ids and what it last sent
  class FleetSink;     // translates one collector's payload into the shared replica
  Client(ClientOptions options, Client* parent, size_t index);
  std::mutex& replica_mutex() const { return parent_ ? parent_->mutex_ : mutex_; }
  enum class PayloadPart : uint8_t { All, Replies, Stream };
  bool apply_payload(const uint8_t* payload, size_t len, std::string& error, PayloadPart part = PayloadPart::All);
  uint64_t next_request() { return parent_ ? parent_->next_request_++ : next_request_++; }
  // Fleet, under mutex_: a member's connection ended, or its snapshot began.
  void member_down(size_t index, const std::string& why);
  void report_down(const std::string& why);  // a member: tells its parent, under its lock
  size_t clock_member() const;               // whose ticks the fleet's replica takes
  Client* member_of(NodeId node, NodeId& local);

  void run();
  bool session(int fd);
  struct ExportTap;
  void on_export_part(const pv::ExportPart& m);
  void on_export_failed(const pv::RequestFailed& m);
  void end_export(ExportStatus::State state, const std::string& error);
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
  std::atomic<uint64_t> instant_wall_ns_{0};
  std::atomic<uint64_t> instant_request_{0};
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
  std::atomic<bool> synced_{false};  // a snapshot arrived on the current connection
  // Fleet: the parent owns one member Client per collector; members apply into its replica.
  Client* parent_ = nullptr;
  size_t index_ = 0;
  std::vector<std::unique_ptr<Client>> members_;
  std::vector<FleetSource> sources_;  // guarded by mutex_
  uint64_t fleet_event_seq_ = 0;      // guarded by mutex_: events renumbered in arrival order
  mutable std::mutex export_mutex_;   // guards export_, export_file_
  ExportStatus export_;
  std::FILE* export_file_ = nullptr;
  std::atomic<uint64_t> export_request_{0};  // the part asked for last; 0: no export running
};

}  // namespace actorscope::view
