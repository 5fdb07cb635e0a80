// What the adapter keeps per instrumented CAF actor, and the behaviour wrapper that feeds
// the actor's stats cell from the actor's own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/behavior.hpp>
#include <caf/detail/behavior_impl.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/type_erased_tuple.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/actor_info.hpp"

namespace actorscope::caf::detail {

// The message type of a message, by name: its first element's atom text when that is an
// atom ("ping"), else its elements' type names ("@u64", "@str,my::order"). Interned once
// per distinct type: a small per-thread cache keeps the handles.
actorscope_msg_type message_type_of(const ::caf::type_erased_tuple& content);

// One per instrumented actor, shared by the wrappers of its behaviours and its exit report.
// Everything but `cell` before launch is touched only on the actor's own thread.
struct actor_probe : std::enable_shared_from_this<actor_probe> {
  explicit actor_probe(actor_info i) : info(std::move(i)) {}

  // The behaviour `b`, wrapped so that its messages are accounted (unchanged when the actor
  // is not reported, or when it is wrapped already).
  ::caf::behavior wrap(::caf::behavior b);
  // Wraps the top of the behaviour stack if become() put an unwrapped one there.
  void rewrap_top();
  // The type of a message, remembered for the last tuple type seen (the common case: an
  // actor handling many messages of one type).
  actorscope_msg_type type_of(const ::caf::type_erased_tuple& xs);
  void report_exit(const ::caf::error& reason);

  ::caf::event_based_actor* self = nullptr;
  actorscope_actor* cell = nullptr;  // nullptr: not reported, agent off, or exited
  uint64_t id = 0;
  uint64_t last_end = 0;  // tick at which its last message ended
  // Messages of the current run not yet in the cell, all of the shortest bucket, and their
  // processing time: a run's messages reach the cell together, at most kRunBatch at a time
  // and at the run's end (see probed_behavior::invoke).
  uint32_t run_count = 0;
  uint64_t run_busy = 0;
  // The last message type named, by the dynamic type of its tuple and, when its first
  // element is an atom, the atom at its place in the tuple.
  const void* memo_vptr = nullptr;
  int32_t memo_atom_at = -1;
  uint64_t memo_atom = 0;
  actorscope_msg_type memo_type = 0;
  const void* fast_vptr = nullptr;  // memo_vptr when that alone names the type (no atom, no caf::message around it)
  actor_info info;
  // Set by the first of its exit hooks to run: the one attached at spawn, or the one its
  // supervisor puts first (report_exit_first), which may run on the supervisor's thread.
  std::atomic<bool> counted_exit{false};
};

// The probe of a live instrumented actor, from the registry (nullptr when none).
std::shared_ptr<actor_probe> registered_probe(uint64_t id);

// Delegates to the user's behaviour; around each message it handles: one clock read (two
// when the message begins a run of the actor), the cell's counters from the mailbox's
// queues, and, while flow is sampled, the running slot and 1 in N messages' flow. Within a
// run, short messages are added up on the probe and reach the cell every kRunBatch messages
// and when the run ends.
class probed_behavior final : public ::caf::detail::behavior_impl {
 public:
  probed_behavior(std::shared_ptr<actor_probe> probe, ::caf::behavior inner);

  ::caf::match_case::result invoke(::caf::detail::invoke_result_visitor& f, ::caf::type_erased_tuple& xs) override;
  ::caf::match_case::result invoke_empty(::caf::detail::invoke_result_visitor& f) override;
  void handle_timeout() override;

  const actor_probe* probe() const noexcept { return probe_.get(); }

 private:
  ::caf::match_case::result next_in_run(::caf::detail::invoke_result_visitor& f, ::caf::type_erased_tuple& xs);
  ::caf::match_case::result first_of_run(::caf::detail::invoke_result_visitor& f, ::caf::type_erased_tuple& xs);
  ::caf::match_case::result finish(uint64_t begin, uint64_t end, ::caf::match_case::result result);
  ::caf::match_case::result publish_run(::caf::match_case::result result, uint64_t waiting);
  ::caf::match_case::result end_in_run(::caf::match_case::result result, uint64_t end);
  // The user's behaviour on a message: its cases tried here, as CAF's own invoke tries them,
  // when it is one of CAF's plain behaviours (whose invoke is the base class's), so that
  // wrapping it costs no call of its own; else its invoke.
  ::caf::match_case::result invoke_inner(::caf::detail::invoke_result_visitor& f, ::caf::type_erased_tuple& xs);

  std::shared_ptr<actor_probe> probe_;
  ::caf::behavior::impl_ptr inner_;
  bool cases_here_ = false;  // begin_ and end_ are inner_'s cases
};

}  // namespace actorscope::caf::detail
