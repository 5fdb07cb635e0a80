// actorscope/agent.hpp: the C++17 face of the agent, a thin header-only layer over agent.h.
//
//   actorscope::Agent agent;                        // start (config from the environment)
//   auto sup = actorscope::Actor::spawn(actorscope::SpawnInfo("root_sup").supervisor(
//       actorscope::Strategy::OneForOne, 3, 5000));
//   auto w = actorscope::Actor::spawn(actorscope::SpawnInfo("parser").parent(sup).child_id("parser"));
//   w.enqueue();                                    // a sender put a message in w's mailbox
//   w.dequeue();                                    // w took it out ...
//   { actorscope::ProcessingScope busy(w); handle(msg); }  // ... and processed it
//   w.exit(actorscope::ExitReason::Error, "bad input");
//
// Handles are plain values (a pointer to the actor's stats cell); copying one is free and
// every call on an empty handle (agent disabled) does nothing.
#ifndef ACTORSCOPE_AGENT_HPP
#define ACTORSCOPE_AGENT_HPP

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>

#include "actorscope/agent.h"

namespace actorscope {

enum class Kind { Worker = ACTORSCOPE_WORKER, Supervisor = ACTORSCOPE_SUPERVISOR };
enum class Strategy {
  None = ACTORSCOPE_STRATEGY_NONE,
  OneForOne = ACTORSCOPE_ONE_FOR_ONE,
  OneForAll = ACTORSCOPE_ONE_FOR_ALL,
  RestForOne = ACTORSCOPE_REST_FOR_ONE,
  SimpleOneForOne = ACTORSCOPE_SIMPLE_ONE_FOR_ONE,
};
enum class Restart { Permanent = ACTORSCOPE_PERMANENT, Transient = ACTORSCOPE_TRANSIENT, Temporary = ACTORSCOPE_TEMPORARY };
enum class ExitReason {
  Normal = ACTORSCOPE_EXIT_NORMAL,
  Shutdown = ACTORSCOPE_EXIT_SHUTDOWN,
  ShutdownTerm = ACTORSCOPE_EXIT_SHUTDOWN_TERM,  // {shutdown, Term}
  Killed = ACTORSCOPE_EXIT_KILLED,
  Error = ACTORSCOPE_EXIT_ERROR,                 // any crash
  Unknown = ACTORSCOPE_EXIT_UNKNOWN,
};
enum class LinkOp { Link = ACTORSCOPE_LINK, Unlink = ACTORSCOPE_UNLINK, Monitor = ACTORSCOPE_MONITOR, Demonitor = ACTORSCOPE_DEMONITOR };

// Agent settings; empty strings and zeros mean "environment, then default" (see agent.h).
struct Config {
  std::string collector;       // "tcp:HOST:PORT" or "unix:PATH"; empty: $ACTORSCOPE_COLLECTOR
  std::string node;            // empty: $ACTORSCOPE_NODE, else "<program>@<host>"
  std::string token;           // empty: read from token_file
  std::string token_file;      // empty: $ACTORSCOPE_TOKEN_FILE
  uint32_t flush_ms = 0;       // 0: $ACTORSCOPE_FLUSH_MS, else 100
  uint32_t ring_bytes = 0;     // per-thread record ring; 0: 65536
  uint64_t memory_budget = 0;  // rings + strings + buffers, cells excluded; 0: 16 MiB
  uint32_t max_strings = 0;    // interned strings; 0: 65536
  uint32_t backoff_min_ms = 0; // reconnect backoff start; 0: 250
  uint32_t backoff_max_ms = 0; // reconnect backoff cap; 0: 30000
  bool disabled = false;       // kill switch (as is ACTORSCOPE_DISABLE=1)
  bool allow_commands = false; // accept commands (kill) from the collector (as ACTORSCOPE_ALLOW_COMMANDS=1)

  // The C view; valid while this Config lives.
  actorscope_config c_config() const {
    actorscope_config c;
    actorscope_config_init(&c);
    c.collector = collector.empty() ? nullptr : collector.c_str();
    c.node = node.empty() ? nullptr : node.c_str();
    c.token = token.empty() ? nullptr : token.c_str();
    c.token_file = token_file.empty() ? nullptr : token_file.c_str();
    c.flush_ms = flush_ms;
    c.ring_bytes = ring_bytes;
    c.memory_budget = memory_budget;
    c.max_strings = max_strings;
    c.backoff_min_ms = backoff_min_ms;
    c.backoff_max_ms = backoff_max_ms;
    c.disabled = disabled ? 1 : 0;
    c.allow_commands = allow_commands ? 1 : 0;
    return c;
  }
};

// Starts the agent for its lifetime: stop (final flush, Goodbye) on destruction.
// A start that fails (bad address, unreadable token file) leaves the agent disabled and
// the app running; ok() tells which.
class Agent {
 public:
  explicit Agent(const Config& config = Config()) {
    actorscope_config c = config.c_config();
    ok_ = actorscope_start(&c) == 0;
  }
  ~Agent() { actorscope_stop(); }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  bool ok() const { return ok_; }
  static bool enabled() { return actorscope_enabled() != 0; }
  static actorscope_stats stats() {
    actorscope_stats s;
    actorscope_get_stats(&s);
    return s;
  }

 private:
  bool ok_ = false;
};

class Actor;

// What the agent needs to know about a new actor; a builder: SpawnInfo("parser").parent(sup).
class SpawnInfo {
 public:
  explicit SpawnInfo(std::string type = "actor") : type_(std::move(type)) {}
  SpawnInfo& id(uint64_t v) { id_ = v; return *this; }  // 0: the agent assigns one
  SpawnInfo& parent(uint64_t parent_id) { parent_ = parent_id; return *this; }
  inline SpawnInfo& parent(const Actor& a);
  SpawnInfo& name(std::string v) { name_ = std::move(v); return *this; }
  SpawnInfo& child_id(std::string v) { child_id_ = std::move(v); return *this; }
  SpawnInfo& restart(Restart r) { restart_ = r; return *this; }
  // Marks the actor as a supervisor: at most `intensity` restarts within `period_ms`.
  SpawnInfo& supervisor(Strategy s, uint32_t intensity, uint32_t period_ms) {
    kind_ = Kind::Supervisor;
    strategy_ = s;
    intensity_ = intensity;
    period_ms_ = period_ms;
    return *this;
  }

  actorscope_spawn_info c_info() const {
    actorscope_spawn_info i{};
    i.id = id_;
    i.parent_id = parent_;
    i.name = name_.empty() ? nullptr : name_.c_str();
    i.type = type_.c_str();
    i.child_id = child_id_.empty() ? nullptr : child_id_.c_str();
    i.kind = static_cast<actorscope_kind>(kind_);
    i.restart = static_cast<actorscope_restart>(restart_);
    i.strategy = static_cast<actorscope_strategy>(strategy_);
    i.intensity = intensity_;
    i.period_ms = period_ms_;
    return i;
  }

 private:
  uint64_t id_ = 0, parent_ = 0;
  std::string type_, name_, child_id_;
  Kind kind_ = Kind::Worker;
  Restart restart_ = Restart::Permanent;
  Strategy strategy_ = Strategy::None;
  uint32_t intensity_ = 0, period_ms_ = 0;
};

// A handle to one live actor's stats cell. The message hooks are inline and lock-free.
class Actor {
 public:
  Actor() = default;
  explicit Actor(actorscope_actor* cell) : cell_(cell) {}

  // Registers a live actor; an empty handle when the agent is off.
  static Actor spawn(const SpawnInfo& info) {
    actorscope_spawn_info c = info.c_info();
    return Actor(actorscope_spawn(&c));
  }

  explicit operator bool() const { return cell_ != nullptr; }
  actorscope_actor* cell() const { return cell_; }
  uint64_t id() const { return actorscope_actor_id(cell_); }

  // The actor exited; the handle must not be used by the actor afterwards.
  void exit(ExitReason reason, const char* text = nullptr) const {
    actorscope_exit(cell_, static_cast<actorscope_reason>(reason), text);
  }
  void exit(ExitReason reason, const std::string& text) const { exit(reason, text.c_str()); }

  // Message accounting (hot path).
  void enqueue() const { actorscope_enqueue(cell_); }
  // A message of `type` from `from` (an empty handle: not from an actor); the edge is sampled.
  void enqueue_from(const Actor& from, actorscope_msg_type type = 0) const {
    actorscope_enqueue_from(cell_, from.cell_, type);
  }
  void dequeue() const { actorscope_dequeue(cell_); }
  void mailbox_depth(uint64_t depth) const { actorscope_mailbox_depth(cell_, depth); }
  uint64_t process_begin() const { return actorscope_process_begin(cell_); }
  // Returns the end tick, usable as the next message's begin.
  uint64_t process_end(uint64_t begin) const { return actorscope_process_end(cell_, begin); }

  // This actor (a supervisor) restarted a child. new_id 0: the restart failed.
  void child_restarted(const char* child_id, uint64_t old_id, uint64_t new_id, ExitReason reason,
                       const char* text = nullptr) const {
    actorscope_child_restarted(cell_, child_id, old_id, new_id, static_cast<actorscope_reason>(reason), text);
  }
  // This actor (a supervisor) exceeded its restart intensity and gives up: an escalation.
  void escalated() const { actorscope_supervisor_escalated(cell_); }

 private:
  actorscope_actor* cell_ = nullptr;
};

inline SpawnInfo& SpawnInfo::parent(const Actor& a) { return parent(a.id()); }

inline void link(uint64_t a, uint64_t b, LinkOp op = LinkOp::Link) {
  actorscope_link(a, b, static_cast<actorscope_link_op>(op));
}
inline void link(const Actor& a, const Actor& b, LinkOp op = LinkOp::Link) { link(a.id(), b.id(), op); }

// A message type's handle (see actorscope_message_type): look it up once, keep it.
inline actorscope_msg_type message_type(const char* name) { return actorscope_message_type(name); }

// Measures the processing of one message of a named type, and shows it as what the actor
// is handling now while it runs.
class HandlingScope {
 public:
  HandlingScope(const Actor& a, actorscope_msg_type type)
      : actor_(a), slot_(a ? actorscope_running_slot() : nullptr), begin_(a.process_begin()) {
    actorscope_handling(slot_, a.cell(), type, begin_);
  }
  ~HandlingScope() {
    actor_.process_end(begin_);
    actorscope_handling(slot_, nullptr, 0, 0);
  }
  HandlingScope(const HandlingScope&) = delete;
  HandlingScope& operator=(const HandlingScope&) = delete;

 private:
  Actor actor_;
  actorscope_running* slot_;
  uint64_t begin_;
};

// Measures the processing of one message: from construction to destruction.
class ProcessingScope {
 public:
  explicit ProcessingScope(const Actor& a) : actor_(a), begin_(a.process_begin()) {}
  ~ProcessingScope() { actor_.process_end(begin_); }
  ProcessingScope(const ProcessingScope&) = delete;
  ProcessingScope& operator=(const ProcessingScope&) = delete;

 private:
  Actor actor_;
  uint64_t begin_;
};

// Erlang's :telemetry, with C strings for names (event names are usually literals).
namespace telemetry {

using Measurement = actorscope_measurement;  // {"duration", 1.5e6}
using Meta = actorscope_meta;                // {"table", "users"}

// :telemetry.execute(event, measurements, metadata); at most 16 of each.
inline void execute(const char* event, std::initializer_list<Measurement> measurements,
                    std::initializer_list<Meta> metadata = {}, const Actor& actor = Actor()) {
  actorscope_telemetry_execute(event, measurements.begin(), measurements.size(), metadata.begin(), metadata.size(),
                               actor.cell());
}

// :telemetry.span(prefix, meta, fn): "<prefix>.start", then "<prefix>.stop", or
// "<prefix>.exception" (kind, reason) when fn throws; the exception is rethrown.
// Returns what fn returns.
template <class Fn>
decltype(auto) span(const char* prefix, std::initializer_list<Meta> metadata, Fn&& fn, const Actor& actor = Actor()) {
  const Meta* md = metadata.begin();
  size_t n = metadata.size();
  uint64_t token = actorscope_span_start(prefix, md, n, actor.cell());
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&&>>) {
      std::forward<Fn>(fn)();
      actorscope_span_stop(prefix, token, md, n, actor.cell());
    } else {
      decltype(auto) result = std::forward<Fn>(fn)();
      actorscope_span_stop(prefix, token, md, n, actor.cell());
      return result;
    }
  } catch (const std::exception& e) {
    actorscope_span_exception(prefix, token, "error", e.what(), md, n, actor.cell());
    throw;
  } catch (...) {
    actorscope_span_exception(prefix, token, "throw", "non-standard exception", md, n, actor.cell());
    throw;
  }
}

}  // namespace telemetry
}  // namespace actorscope

#endif  // ACTORSCOPE_AGENT_HPP
