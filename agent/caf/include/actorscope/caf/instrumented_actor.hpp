// An event-based CAF actor that reports itself to the actorscope agent from outside CAF's
// runtime: spawn and exit, messages in (enqueue), messages processed and time spent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/mailbox_element.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/actor_info.hpp"

namespace actorscope::caf {

namespace detail {
// The instrumented actor this thread is running (set for the length of a run), so that a
// send knows its sender's cell without a lookup; and the thread's running slot.
struct running_actor {
  const ::caf::actor_control_block* ctrl = nullptr;
  actorscope_actor* cell = nullptr;
  actorscope_running* slot = nullptr;
};
inline thread_local running_actor running_here;

// True while a collector that takes message flow is connected: only then are senders and
// message types worth finding.
inline bool flow_sampled() noexcept {
  return __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) != 0;
}

// The message type of a message, by name: its first element's atom text when that is an
// atom ("ping"), else its elements' type names ("uint64_t", "std::string,my::order").
// Interned once per distinct type: a small per-thread cache keeps the handles.
actorscope_msg_type message_type_of(const ::caf::type_erased_tuple& content);
}  // namespace detail

class instrumented_actor : public ::caf::event_based_actor {
 public:
  using init_function = std::function<::caf::behavior(instrumented_actor*)>;

  // Registers the actor with the agent (on the spawning thread, so a parent is always
  // registered before its children) and attaches the exit report.
  instrumented_actor(::caf::actor_config& cfg, actor_info info, init_function init);

  const char* name() const override { return info_.type.c_str(); }

  // Messages in: CAF routes every message, from any sender, through this virtual.
  // The sender is known when it is the instrumented actor running on this thread (a send
  // from a handler, the common case); otherwise the message counts as from outside.
  using ::caf::event_based_actor::enqueue;
  void enqueue(::caf::mailbox_element_ptr what, ::caf::execution_unit* host) override {
    if (actorscope_actor* cell = cell_.load(std::memory_order_relaxed)) {
      if (__builtin_expect(detail::flow_sampled(), 0))
        enqueue_with_flow(cell, *what);
      else
        actorscope_enqueue(cell);
    }
    ::caf::event_based_actor::enqueue(std::move(what), host);
  }

  // A run of the actor on a scheduler thread: the clock is read once here, then once per
  // message, the end of one message being the start of the next.
  resume_result resume(::caf::execution_unit* eu, size_t max_throughput) override {
    actorscope_actor* cell = cell_.load(std::memory_order_relaxed);
    last_tick_ = actorscope_process_begin(cell);
    if (!cell || __builtin_expect(!detail::flow_sampled(), 1)) return ::caf::event_based_actor::resume(eu, max_throughput);
    // Nothing may touch the actor after the base returns: once its mailbox is unblocked,
    // another scheduler thread may already be running it. The thread's own slot is fine.
    detail::running_actor outer = detail::running_here;
    detail::running_here = {ctrl(), cell, outer.slot ? outer.slot : actorscope_running_slot()};
    auto result = ::caf::event_based_actor::resume(eu, max_throughput);
    detail::running_here = {outer.ctrl, outer.cell, detail::running_here.slot};
    return result;
  }

  // Messages processed: runs on the actor's own thread, for every message it takes out of
  // its mailbox, whichever behaviour is current (become() does not escape it).
  using ::caf::event_based_actor::consume;
  ::caf::invoke_message_result consume(::caf::mailbox_element& x) override {
    uint64_t begin = last_tick_;
    // What the thread is handling, while flow is sampled (set up by resume).
    actorscope_running* slot = detail::running_here.ctrl == ctrl() ? detail::running_here.slot : nullptr;
    if (slot) actorscope_handling(slot, detail::running_here.cell, detail::message_type_of(x.content()), begin);
    auto result = ::caf::event_based_actor::consume(x);
    if (slot) actorscope_handling(slot, nullptr, 0, 0);
    // A skipped message stays in the mailbox and comes back later: count it then. Load
    // the cell after the handler: it may have ended the actor, and the exit report has
    // released the cell.
    actorscope_actor* cell = cell_.load(std::memory_order_relaxed);
    if (result != ::caf::invoke_message_result::skipped && cell) {
      actorscope_dequeue(cell);
      last_tick_ = actorscope_process_end(cell, begin);
      ++processed_;
    }
    return result;
  }

  const actor_info& info() const noexcept { return info_; }
  // The agent's stats cell; nullptr when the agent is off or the actor has exited.
  actorscope_actor* cell() const noexcept { return cell_.load(std::memory_order_relaxed); }
  // Messages this actor has processed so far (its own thread only).
  uint64_t processed() const noexcept { return processed_; }

 protected:
  ::caf::behavior make_behavior() override;

 private:
  void report_exit(const ::caf::error& reason);
  void enqueue_with_flow(actorscope_actor* cell, const ::caf::mailbox_element& x);

  actor_info info_;
  init_function init_;
  std::atomic<actorscope_actor*> cell_{nullptr};
  uint64_t processed_ = 0;
  uint64_t last_tick_ = 0;  // the actor's own thread only
  bool counted_exit_ = false;
};

}  // namespace actorscope::caf
