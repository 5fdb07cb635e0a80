// The supervisor actor: OTP's supervisor semantics on CAF's monitors and trapped exits. Stopping children is asynchronous in CAF, so every group operation is a
// stop sequence (one child at a time, reverse start order) followed by a continuation.
#include "actorscope/caf/supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <list>
#include <memory>
#include <unordered_map>

#include <caf/all.hpp>

#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/exit_reasons.hpp"
#include "actorscope/caf/spawn.hpp"
#include "actorscope/caf/totals.hpp"

namespace actorscope::caf {

namespace {

using shutdown_timeout_atom = ::caf::atom_constant<::caf::atom("sdtimeout")>;
using clock = std::chrono::steady_clock;

actorscope_strategy to_agent(strategy s) {
  switch (s) {
    case strategy::one_for_one: return ACTORSCOPE_ONE_FOR_ONE;
    case strategy::one_for_all: return ACTORSCOPE_ONE_FOR_ALL;
    case strategy::rest_for_one: return ACTORSCOPE_REST_FOR_ONE;
    case strategy::simple_one_for_one: return ACTORSCOPE_SIMPLE_ONE_FOR_ONE;
  }
  return ACTORSCOPE_STRATEGY_NONE;
}

actorscope_restart to_agent(restart r) {
  switch (r) {
    case restart::permanent: return ACTORSCOPE_PERMANENT;
    case restart::transient: return ACTORSCOPE_TRANSIENT;
    case restart::temporary: return ACTORSCOPE_TEMPORARY;
  }
  return ACTORSCOPE_PERMANENT;
}

struct child {
  uint64_t key = 0;  // stable within the supervisor, unlike the actor
  child_spec spec;
  ::caf::message args;  // start_child's arguments (dynamic children)
  ::caf::actor actor;   // invalid while not running
  uint64_t last_id = 0;
  ::caf::error last_reason;
  bool stopping = false;  // we asked it to stop: its exit is not a failure
  bool removing = false;  // terminate_child: forget it once it has stopped
  ::caf::response_promise removed;
};

class supervisor : public std::enable_shared_from_this<supervisor> {
 public:
  supervisor(::caf::event_based_actor* self, std::string name, supervisor_flags flags, std::vector<child_spec> specs)
      : self_(self), name_(std::move(name)), flags_(flags), specs_(std::move(specs)) {}

  ::caf::behavior start() {
    detail::count_supervisor(name_);
    auto me = shared_from_this();
    self_->set_exit_handler([me](::caf::scheduled_actor*, ::caf::exit_msg& m) { me->on_exit(m); });
    self_->set_down_handler([me](::caf::scheduled_actor*, ::caf::down_msg& m) { me->on_down(m); });
    self_->set_default_handler(::caf::drop);
    // A supervisor that dies without stopping its children (killed, or an exception) takes
    // the ones still running with it, as OTP's links would.
    self_->attach_functor([me](const ::caf::error& reason) { me->abandon_children(reason); });
    if (dynamic()) {
      if (specs_.size() != 1) {
        self_->quit(exit_with_text(::caf::exit_reason::user_shutdown, "simple_one_for_one needs exactly one child spec"));
        return {};
      }
    } else {
      for (const auto& spec : specs_) {
        child& c = add_child(spec, {});
        if (!start_instance(c)) {
          terminate(exit_with_text(::caf::exit_reason::user_shutdown, "failed_to_start_child " + spec.id));
          break;
        }
      }
    }
    return {
        [me](which_children_atom) { return me->which_children(); },
        [me](start_child_atom, ::caf::message& args) -> ::caf::result<::caf::actor> { return me->start_child(args); },
        [me](terminate_child_atom, const ::caf::actor& who) -> ::caf::result<bool> { return me->terminate_child(who); },
        [me](shutdown_timeout_atom, uint64_t actor_id) { me->on_shutdown_timeout(actor_id); },
    };
  }

 private:
  bool dynamic() const { return flags_.kind == strategy::simple_one_for_one; }

  child& add_child(const child_spec& spec, ::caf::message args) {
    child c;
    c.key = ++next_key_;
    c.spec = spec;
    c.args = std::move(args);
    children_.push_back(std::move(c));
    return children_.back();
  }

  child* find_key(uint64_t key) {
    for (auto& c : children_)
      if (c.key == key) return &c;
    return nullptr;
  }

  void remove_child(uint64_t key) {
    children_.remove_if([key](const child& c) { return c.key == key; });
  }

  bool start_instance(child& c) {
    actor_info info;
    info.name = c.spec.id;
    info.type = c.spec.actor_type.empty() ? c.spec.id : c.spec.actor_type;
    info.child_id = c.spec.id;
    info.parent = self_->id();
    info.kind = c.spec.kind == child_kind::supervisor ? ACTORSCOPE_SUPERVISOR : ACTORSCOPE_WORKER;
    info.restart = to_agent(c.spec.restart_type);
    ::caf::actor a;
    try {
      if (c.spec.start) a = c.spec.start(self_->system(), info, c.args);
    } catch (const std::exception& e) {
      c.last_reason = exit_with_text(::caf::exit_reason::unhandled_exception, e.what());
      return false;
    }
    if (!a) {
      c.last_reason = exit_with_text(::caf::exit_reason::unhandled_exception, "start function returned no actor");
      return false;
    }
    c.actor = a;
    by_actor_[a.id()] = c.key;
    // A monitor, not a link: CAF makes an exit with reason kill fatal for every linked
    // actor, trap or not, so a killed child would take its supervisor (and the whole tree)
    // down. Children still die with a supervisor that dies: see start().
    self_->monitor(a);
    detail::report_exit_first(a);  // its exit stamped and reported before this monitor fires
    actorscope_link(self_->id(), a.id(), ACTORSCOPE_MONITOR);
    return true;
  }

  // ---- requests ------------------------------------------------------------------------
  std::vector<child_info> which_children() const {
    std::vector<child_info> out;
    out.reserve(children_.size());
    for (const auto& c : children_) {
      child_info ci;
      ci.id = c.spec.id;
      ci.actor = c.actor;
      ci.restarting = !c.actor && in_sequence_ && !terminating_;
      ci.kind = c.spec.kind;
      ci.restart_type = c.spec.restart_type;
      ci.actor_type = c.spec.actor_type.empty() ? c.spec.id : c.spec.actor_type;
      out.push_back(std::move(ci));
    }
    return out;
  }

  ::caf::result<::caf::actor> start_child(const ::caf::message& args) {
    if (!dynamic()) return ::caf::make_error(::caf::sec::invalid_argument, "start_child needs a simple_one_for_one supervisor");
    if (terminating_) return ::caf::make_error(::caf::sec::runtime_error, "supervisor is shutting down");
    child& c = add_child(specs_.front(), args);
    if (!start_instance(c)) {
      auto err = c.last_reason;
      remove_child(c.key);
      return err;
    }
    return c.actor;
  }

  ::caf::result<bool> terminate_child(const ::caf::actor& who) {
    if (!who) return false;
    auto it = by_actor_.find(who.id());
    if (it == by_actor_.end()) return false;
    child* c = find_key(it->second);
    c->removing = true;
    c->removed = self_->make_response_promise();
    stop_one(*c);
    return c->removed;
  }

  // ---- exits ---------------------------------------------------------------------------
  void on_exit(::caf::exit_msg& m) {
    // Children are monitored, not linked: an exit message comes from the parent (or
    // another linked actor). OTP ignores a normal one and terminates on any other.
    if (m.reason) terminate(m.reason);
  }

  void abandon_children(const ::caf::error& reason) {
    auto how = reason == ::caf::exit_reason::kill ? ::caf::exit_reason::kill : ::caf::exit_reason::user_shutdown;
    for (auto& c : children_)
      if (c.actor) ::caf::anon_send_exit(c.actor, how);
    children_.clear();
    by_actor_.clear();
  }

  void on_down(::caf::down_msg& m) {
    uint64_t id = m.source.id();
    auto it = by_actor_.find(id);
    if (it == by_actor_.end()) return;
    child* c = find_key(it->second);
    by_actor_.erase(it);
    c->actor = nullptr;
    c->last_id = id;
    c->last_reason = m.reason;
    bool requested = c->stopping;
    c->stopping = false;
    if (c->removing) {
      c->removed.deliver(true);
      remove_child(c->key);
    } else if (!requested && !terminating_) {
      if (!in_sequence_)
        handle_failure(*c);
      else if (std::find(order_.begin() + static_cast<std::ptrdiff_t>(next_), order_.end(), id) == order_.end())
        pending_.push_back(c->key);  // not part of the group being stopped: after it
    }
    if (in_sequence_ && id == waiting_for_) step();
    process_pending();
  }

  void handle_failure(child& c) {
    bool clean = is_clean_exit(c.last_reason);
    if (c.spec.restart_type == restart::temporary || (c.spec.restart_type == restart::transient && clean)) {
      // Temporary children are forgotten; a static transient child stays, not running.
      if (c.spec.restart_type == restart::temporary || dynamic()) remove_child(c.key);
      return;
    }
    if (!within_intensity()) {
      actorscope_supervisor_escalated(cell_of(self_));  // its exit, reported next, is an escalation
      terminate(exit_with_text(::caf::exit_reason::user_shutdown, "reached_max_restart_intensity"));
      return;
    }
    switch (flags_.kind) {
      case strategy::one_for_one:
      case strategy::simple_one_for_one: restart_one(c); break;
      case strategy::one_for_all: restart_group(children_.begin()); break;
      case strategy::rest_for_one: {
        auto it = std::find_if(children_.begin(), children_.end(), [&](const child& x) { return x.key == c.key; });
        restart_group(it);
        break;
      }
    }
  }

  // OTP's add_restart: one more restart is allowed while at most `intensity` fall in `period`.
  bool within_intensity() {
    auto now = clock::now();
    restart_times_.push_back(now);
    while (!restart_times_.empty() && restart_times_.front() + flags_.period < now) restart_times_.pop_front();
    return restart_times_.size() <= flags_.intensity;
  }

  void restart_one(child& c) {
    if (start_instance(c)) {
      report_restart(c, c.actor.id());
    } else {
      report_restart(c, 0);
      pending_.push_back(c.key);  // a failed restart is one more failure (bounded by intensity)
    }
  }

  // Stops the children from `first` to the end (reverse start order), then restarts them
  // in start order; temporary ones are dropped instead.
  void restart_group(std::list<child>::iterator first) {
    std::vector<uint64_t> keys;
    std::vector<uint64_t> stop;
    for (auto it = first; it != children_.end(); ++it) {
      keys.push_back(it->key);
      if (it->actor) stop.push_back(it->actor.id());
    }
    std::reverse(stop.begin(), stop.end());
    run_sequence(std::move(stop), [this, keys] {
      for (uint64_t key : keys) {
        child* c = find_key(key);
        if (!c || c->actor) continue;
        if (c->spec.restart_type == restart::temporary) {
          remove_child(key);
          continue;
        }
        restart_one(*c);
      }
    });
  }

  void report_restart(child& c, uint64_t new_id) {
    std::string text = reason_text(c.last_reason);
    actorscope_child_restarted(cell_of(self_), c.spec.id.c_str(), c.last_id, new_id, reason_class(c.last_reason),
                               text.empty() ? nullptr : text.c_str());
    detail::count_restart(name_);
  }

  void process_pending() {
    while (!in_sequence_ && !terminating_ && !pending_.empty()) {
      uint64_t key = pending_.front();
      pending_.pop_front();
      child* c = find_key(key);
      if (c && !c->actor && !c->removing) handle_failure(*c);
    }
  }

  // ---- shutdown ------------------------------------------------------------------------
  void terminate(const ::caf::error& reason) {
    if (terminating_) return;
    terminating_ = true;
    terminate_reason_ = reason;
    pending_.clear();
    if (in_sequence_)
      then_ = [this] { stop_all_then_quit(); };  // after the child being stopped now
    else
      stop_all_then_quit();
  }

  void stop_all_then_quit() {
    std::vector<uint64_t> stop;
    for (auto it = children_.rbegin(); it != children_.rend(); ++it)
      if (it->actor) stop.push_back(it->actor.id());
    run_sequence(std::move(stop), [this] { self_->quit(terminate_reason_); });
  }

  void run_sequence(std::vector<uint64_t> order, std::function<void()> then) {
    in_sequence_ = true;
    order_ = std::move(order);
    next_ = 0;
    then_ = std::move(then);
    step();
  }

  void step() {
    while (next_ < order_.size()) {
      uint64_t id = order_[next_++];
      auto it = by_actor_.find(id);
      if (it == by_actor_.end()) continue;  // already gone
      waiting_for_ = id;
      stop_one(*find_key(it->second));
      return;
    }
    waiting_for_ = 0;
    in_sequence_ = false;
    auto then = std::move(then_);
    then_ = nullptr;
    if (then) then();
  }

  void stop_one(child& c) {
    if (c.stopping) return;
    c.stopping = true;
    if (c.spec.shutdown == brutal_kill) {
      self_->send_exit(c.actor, ::caf::exit_reason::kill);
      return;
    }
    self_->send_exit(c.actor, ::caf::exit_reason::user_shutdown);
    if (c.spec.shutdown != infinity)
      self_->delayed_send(self_, c.spec.shutdown, shutdown_timeout_atom::value, c.actor.id());
  }

  void on_shutdown_timeout(uint64_t actor_id) {
    auto it = by_actor_.find(actor_id);
    if (it == by_actor_.end()) return;
    child* c = find_key(it->second);
    if (c && c->stopping) self_->send_exit(c->actor, ::caf::exit_reason::kill);
  }

  ::caf::event_based_actor* self_;
  std::string name_;
  supervisor_flags flags_;
  std::vector<child_spec> specs_;
  std::list<child> children_;                      // start order
  std::unordered_map<uint64_t, uint64_t> by_actor_;  // running actor id -> child key
  uint64_t next_key_ = 0;
  std::deque<clock::time_point> restart_times_;
  std::deque<uint64_t> pending_;  // failures seen while a group was being stopped
  bool terminating_ = false;
  ::caf::error terminate_reason_;
  // The stop sequence in progress.
  bool in_sequence_ = false;
  std::vector<uint64_t> order_;
  size_t next_ = 0;
  uint64_t waiting_for_ = 0;
  std::function<void()> then_;
};

}  // namespace

::caf::actor spawn_supervisor(::caf::actor_system& sys, std::string name, supervisor_flags flags,
                              std::vector<child_spec> children, actor_info info) {
  if (info.name.empty()) info.name = name;
  if (info.type.empty() || info.type == "actor") info.type = "supervisor";
  info.kind = ACTORSCOPE_SUPERVISOR;
  info.strategy = to_agent(flags.kind);
  info.intensity = flags.intensity;
  info.period_ms = static_cast<uint32_t>(flags.period.count());
  detail::init_function init = [name = std::move(name), flags,
                                children = std::move(children)](::caf::event_based_actor* self) mutable {
    auto core = std::make_shared<supervisor>(self, std::move(name), flags, std::move(children));
    return core->start();
  };
  return detail::spawn_instrumented(sys, std::move(info), std::move(init), false, false, false);
}

child_spec supervisor_spec(std::string id, supervisor_flags flags, std::vector<child_spec> children, restart r) {
  child_spec s;
  s.id = id;
  s.restart_type = r;
  s.shutdown = infinity;
  s.kind = child_kind::supervisor;
  s.actor_type = "supervisor";
  s.start = [id, flags, children](::caf::actor_system& sys, const actor_info& info, const ::caf::message&) {
    return spawn_supervisor(sys, id, flags, children, info);
  };
  return s;
}

}  // namespace actorscope::caf
