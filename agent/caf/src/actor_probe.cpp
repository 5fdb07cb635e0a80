// Instrumented CAF actors: plain event-based actors whose behaviour the adapter wraps.
// Registration happens on the spawning thread; everything per message happens on the
// actor's own thread, inside the wrapper, and costs a handful of instructions; the rest
// (mailbox depth, flow, naming the message type) only for 1 in N messages per thread, or
// when an actor starts a run of messages.
#include "actor_probe.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <typeinfo>

#include <caf/actor_cast.hpp>
#include <caf/actor_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/make_actor.hpp>
#include <caf/make_counted.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>
#include <caf/type_nr.hpp>

#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/exit_reasons.hpp"
#include "actorscope/caf/spawn.hpp"
#include "actorscope/caf/totals.hpp"

namespace actorscope::caf {

namespace {
const char* or_null(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

// Keeps the exception's text in the exit reason, so supervisors and the agent can show
// it (CAF's default handler reduces every exception to "unhandled_exception").
::caf::error exception_to_exit(::caf::scheduled_actor*, std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return exit_with_text(::caf::exit_reason::unhandled_exception, x.what());
  } catch (...) {
    return exit_with_text(::caf::exit_reason::unhandled_exception, "unknown exception");
  }
}

// A readable name of one element's type: CAF's name for its built-in types, else the
// demangled C++ name.
std::string element_type_name(const ::caf::rtti_pair& t) {
  if (t.first != 0) return ::caf::numbered_type_names[t.first - 1];
  if (!t.second) return "?";
  int status = 0;
  char* readable = abi::__cxa_demangle(t.second->name(), nullptr, nullptr, &status);
  std::string name = status == 0 && readable ? readable : t.second->name();
  std::free(readable);
  return name;
}

std::string message_type_name(const ::caf::type_erased_tuple& content) {
  if (content.size() == 0) return "()";
  if (content.matches(0, ::caf::type_nr<::caf::atom_value>::value, nullptr))
    return ::caf::to_string(*static_cast<const ::caf::atom_value*>(content.get(0)));
  std::string name;
  for (size_t i = 0; i < content.size(); ++i) {
    if (i) name += ',';
    name += element_type_name(content.type(i));
  }
  return name;
}

const void* vptr_of(const ::caf::type_erased_tuple& xs) {
  return *reinterpret_cast<const void* const*>(&xs);
}
// A caf::message is itself a tuple that forwards to its data (a response's content is one):
// its dynamic type says nothing of the elements', its data's does.
const void* const g_message_vptr = vptr_of(::caf::message{});

bool flow_sampled() noexcept {
  return __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) != 0;
}

// What a scheduler thread knows across the messages it runs. Zero-initialised and
// trivially destructible, so the thread_local needs no guard.
struct thread_run {
  uint64_t last_actor;  // the actor whose message ended last here with more queued: its
                        // next message, in the same run, starts where that one ended
  actorscope_running* slot;  // this thread's running slot while flow is sampled
  actorscope_msg_type slot_type;
  bool slot_busy;  // the slot names an actor (or may: a new slot); only with a slot
  uint32_t countdown;  // messages until the next sampled one
  uint32_t rng;
};
// Initial-exec: an offset from the thread pointer, not a call to __tls_get_addr (the
// library is built position-independent; the model holds for a static link or a library
// loaded at startup).
__attribute__((tls_model("initial-exec"))) thread_local thread_run t_run;

constexpr uint32_t kMaxCountdown = 1u << 30;

// The next countdown: uniform in [1, 2N - 1], mean N (1 in N sampled), so that no periodic
// pattern of messages (ping, pong, ping, ...) lines up with the sampling.
uint32_t next_countdown(thread_run& t) {
  uint64_t threshold = __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED);
  uint64_t n = threshold == 0 ? 1 : UINT64_MAX / threshold;
  if (n <= 1) return 1;
  if (n > kMaxCountdown / 2) n = kMaxCountdown / 2;
  if (t.rng == 0) t.rng = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&t) >> 4) | 1;
  t.rng ^= t.rng << 13;
  t.rng ^= t.rng >> 17;
  t.rng ^= t.rng << 5;
  return 1 + static_cast<uint32_t>(t.rng % (2 * n - 1));
}

template <class T>
inline T load(const T& x) {
  return __atomic_load_n(&x, __ATOMIC_RELAXED);
}
template <class T>
inline void store(T& x, T v) {
  __atomic_store_n(&x, v, __ATOMIC_RELAXED);
}

// The running slot, written as the agent's reader expects (actorscope_handling). From idle
// to busy and back, x86's ordered stores make three stores (since, type, then the actor)
// and one (the actor) consistent for a reader that loads the actor first; elsewhere, and
// from one busy state to another, the slot's sequence number guards the write.
inline void slot_busy(thread_run& t, const actorscope_actor* cell, actorscope_msg_type type, uint64_t since) {
  actorscope_running* s = t.slot;  // once: the atomic stores below would make it be read again
#if defined(__x86_64__)
  if (!t.slot_busy) {
    store(s->since, since);
    store(s->type, type);
    __atomic_store_n(&s->actor, load(cell->id), __ATOMIC_RELEASE);
  } else
#endif
  {
    actorscope_handling(s, cell, type, since);
  }
  t.slot_type = type;
  t.slot_busy = true;
}

// Only while slot_busy, which implies a slot.
inline void slot_idle(thread_run& t) {
#if defined(__x86_64__)
  __atomic_store_n(&t.slot->actor, uint64_t{0}, __ATOMIC_RELEASE);
#else
  actorscope_handling(t.slot, nullptr, 0, 0);
#endif
  t.slot_busy = false;
}

// A sampled message's sender, by id and interned actor type; {0, 0}: not an instrumented
// actor. A direct-mapped cache per thread in front of the registry (and its lock): ids are
// never reused and an actor's type never changes, so an entry stays true, and a sender
// that has exited since it sent still counts as itself.
struct sender_ref {
  uint64_t id;
  uint16_t type;
};
sender_ref sender_of(uint64_t id) {
  struct entry {  // zero-filled, so the thread_local needs no guard
    uint64_t id;
    uint16_t type;
    bool instrumented;
  };
  __attribute__((tls_model("initial-exec"))) static thread_local entry cache[64];
  entry& e = cache[(id * 0x9E3779B97F4A7C15ull) >> 58];
  if (e.id != id) {
    const actorscope_actor* cell = detail::registered_cell(id);
    e.id = id;
    e.instrumented = cell != nullptr;
    e.type = cell ? __atomic_load_n(&cell->type, __ATOMIC_RELAXED) : uint16_t{0};
  }
  return e.instrumented ? sender_ref{id, e.type} : sender_ref{0, 0};
}

// While flow is sampled: a message that begins a run of the actor on this thread, a
// sampled one, or one of another type than the last. The running slot names the actor and
// the message type; a sampled message counts its edge (its sender, found by id, and its
// type). Once flow is no longer sampled, the thread's slot says it handles nothing.
[[gnu::noinline]] void show_handling(thread_run& t, detail::actor_probe& p, actorscope_actor* cell,
                                     const ::caf::type_erased_tuple& xs, uint64_t begin) {
  if (!flow_sampled()) {
    if (t.slot_busy) slot_idle(t);
    t.slot = nullptr;
    return;
  }
  bool sampled = t.countdown == 0;
  if (sampled || t.countdown > kMaxCountdown) t.countdown = next_countdown(t);
  actorscope_msg_type type = p.type_of(xs);
  if (sampled) {
    sender_ref from{};
    if (auto* e = p.self->current_mailbox_element(); e && e->sender) from = sender_of(e->sender->id());
    actorscope__flow_sample_from(cell, from.id, from.type, type);
  }
  if (!t.slot) {
    t.slot = actorscope_running_slot();
    if (!t.slot) return;
    t.slot_busy = true;  // unknown: written with its sequence number
  }
  slot_busy(t, cell, type, begin);
}
}  // namespace

namespace detail {

// A direct-mapped cache per thread. The key is cheap to read and names the type: the
// dynamic type of the tuple (the C++ types of its elements, for every tuple but a
// message_builder's), CAF's type token (its elements' CAF type numbers), and the atom when
// the first element is one. The value is the interned handle.
actorscope_msg_type message_type_of(const ::caf::type_erased_tuple& content) {
  struct entry {  // no initialisers: zero-filled, so the thread_local needs no guard
    const void* vptr;
    uint64_t atom;
    uint32_t token;
    actorscope_msg_type type;
  };
  static thread_local entry cache[64];
  const void* vptr = *reinterpret_cast<const void* const*>(&content);
  uint32_t token = content.type_token();
  uint64_t atom = 0;
  if (size_t n = content.size(); n > 0 && n <= 5 &&
                                 ((token >> (6 * (n - 1))) & 63) == ::caf::type_nr<::caf::atom_value>::value)
    atom = static_cast<uint64_t>(*static_cast<const ::caf::atom_value*>(content.get(0)));
  uint64_t h = (reinterpret_cast<uintptr_t>(vptr) ^ token ^ atom) * 0x9E3779B97F4A7C15ull;
  entry& e = cache[h >> 58];
  if (e.vptr == vptr && e.token == token && e.atom == atom && e.type != 0) return e.type;
  actorscope_msg_type type = actorscope_message_type(message_type_name(content).c_str());
  if (type != 0) e = entry{vptr, atom, token, type};
  return type;
}

namespace {
// The tuple that names a message's type: a caf::message is itself a tuple that forwards to
// its data (a response's content is one), so its dynamic type says nothing; its data's does.
const ::caf::type_erased_tuple* naming_tuple(const ::caf::type_erased_tuple& outer) {
  if (vptr_of(outer) != g_message_vptr) return &outer;
  const auto& data = static_cast<const ::caf::message&>(outer).cvals();
  return data ? static_cast<const ::caf::type_erased_tuple*>(data.get()) : nullptr;
}

// The remembered type when `outer` is of it (the tuple's dynamic type, and the atom at its
// known place), else 0: a few loads, no virtual call.
inline actorscope_msg_type remembered_type(const actor_probe& p, const ::caf::type_erased_tuple& outer) {
  const ::caf::type_erased_tuple* xs = naming_tuple(outer);
  if (!xs || vptr_of(*xs) != p.memo_vptr) return 0;
  if (p.memo_atom_at >= 0 &&
      *reinterpret_cast<const uint64_t*>(reinterpret_cast<const char*>(xs) + p.memo_atom_at) != p.memo_atom)
    return 0;
  return p.memo_type;
}
}  // namespace

actorscope_msg_type actor_probe::type_of(const ::caf::type_erased_tuple& outer) {
  if (actorscope_msg_type t = remembered_type(*this, outer)) return t;
  const ::caf::type_erased_tuple* xs = naming_tuple(outer);
  if (!xs) xs = &outer;
  actorscope_msg_type type = message_type_of(*xs);
  // Only a tuple whose dynamic type fixes its element types can be remembered by it (not a
  // message_builder's, nor a view or concatenation of other tuples).
  const char* dynamic = typeid(*xs).name();
  if (type != 0 && (std::strstr(dynamic, "tuple_vals") || std::strstr(dynamic, "mailbox_element_vals"))) {
    memo_vptr = vptr_of(*xs);
    memo_atom_at = -1;
    if (xs->size() > 0 && xs->matches(0, ::caf::type_nr<::caf::atom_value>::value, nullptr)) {
      const char* at = static_cast<const char*>(xs->get(0));
      memo_atom_at = static_cast<int32_t>(at - reinterpret_cast<const char*>(xs));
      memo_atom = static_cast<uint64_t>(*reinterpret_cast<const ::caf::atom_value*>(at));
    }
    memo_type = type;
    fast_vptr = memo_atom_at < 0 && xs == &outer ? memo_vptr : nullptr;
  }
  return type;
}

probed_behavior::probed_behavior(std::shared_ptr<actor_probe> probe, ::caf::behavior inner)
    : ::caf::detail::behavior_impl(inner.timeout()), probe_(std::move(probe)), inner_(inner.as_behavior_impl()) {
  // CAF's behaviour from a list of handlers (default_behavior_impl) keeps its cases in
  // [begin_, end_) and leaves invoke to the base class, which tries them in order. A
  // pointer to the protected members, formed in this class, reads them on inner_.
  if (inner_ && std::strstr(typeid(*inner_).name(), "default_behavior_impl")) {
    auto first = &probed_behavior::begin_;
    auto last = &probed_behavior::end_;
    begin_ = (*inner_).*first;
    end_ = (*inner_).*last;
    cases_here_ = true;
  }
}

// As CAF's behavior_impl::invoke: the cases of the message's type token in order, the first
// that does not answer no_match decides.
[[gnu::always_inline]] inline ::caf::match_case::result probed_behavior::invoke_inner(
    ::caf::detail::invoke_result_visitor& f, ::caf::type_erased_tuple& xs) {
  if (!cases_here_) return inner_->invoke(f, xs);
  const uint32_t token = xs.type_token();
  for (auto* c = begin_; c != end_; ++c) {
    if (c->type_token != token) continue;
    ::caf::match_case::result r = c->ptr->invoke(f, xs);
    if (r != ::caf::match_case::no_match) return r;
  }
  return ::caf::match_case::no_match;
}

namespace {
// Messages of a run reach the cell at most this many at a time: what a viewer reads of a busy
// actor lags by fewer messages than this, each shorter than the shortest bucket.
constexpr uint32_t kRunBatch = 16;

// The cell's `enqueued` and `dequeued` once `processed` more messages have left the mailbox
// and `waiting` are still in it. CAF 0.17 has no enqueue hook but a subclass's, so the
// mailbox is read on the actor's own thread, after a message (the queues CAF has fetched;
// what arrived since counts at the next message). Messages CAF took out without the
// behaviour (down, exit and error messages, responses) count as processed once they have left.
inline void count_out(actorscope_actor* cell, uint64_t processed, uint64_t waiting) {
  uint64_t deq = load(cell->dequeued) + processed;
  uint64_t enq = load(cell->enqueued);
  if (deq + waiting > enq) {
    store(cell->enqueued, deq + waiting);
    if (!load(cell->send_dirty)) actorscope__mark_dirty(cell, 0);
  } else {
    deq = enq - waiting;
  }
  store(cell->dequeued, deq);
}

// The run's messages added up on the probe, into the cell (all of the shortest bucket).
inline void add_run(actorscope_actor* cell, detail::actor_probe& p) {
  store(cell->busy_ticks, load(cell->busy_ticks) + p.run_busy);
  store(cell->hist[0], static_cast<uint32_t>(load(cell->hist[0]) + p.run_count));
  if (!load(cell->recv_dirty)) actorscope__mark_dirty(cell, 1);
  p.run_count = 0;
  p.run_busy = 0;
}

inline uint64_t waiting_of(::caf::event_based_actor* self) {
  auto& qs = self->mailbox().queue().queues();
  return std::get<::caf::scheduled_actor::normal_queue_index>(qs).total_task_size() +
         std::get<::caf::scheduled_actor::urgent_queue_index>(qs).total_task_size();
}
}  // namespace

// A message handled outside a batch: the first of a run, or one of a run that was long,
// unhandled, or replaced the behaviour. Whatever the run had added up goes first.
[[gnu::always_inline]] inline ::caf::match_case::result probed_behavior::finish(uint64_t begin, uint64_t end,
                                                                                ::caf::match_case::result result) {
  actor_probe& p = *probe_;
  thread_run& t = t_run;
  actorscope_actor* cell = p.cell;
  // become() from the handler replaced (or covered) this behaviour: wrap the new one.
  auto& stack = p.self->bhvr_stack();
  if (__builtin_expect(stack.empty() || stack.back().as_behavior_impl().get() != this, 0)) p.rewrap_top();
  uint32_t earlier = p.run_count;
  if (__builtin_expect(earlier != 0, 0)) add_run(cell, p);
  if (__builtin_expect(result != ::caf::match_case::match, 0)) {
    // Not handled by the behaviour: CAF's default handler takes it, or skips it (then it
    // comes back). Either way the next message reads the clock afresh.
    if (earlier) count_out(cell, earlier, waiting_of(p.self));
    t.last_actor = 0;
    if (t.slot_busy) slot_idle(t);
    return result;
  }
  uint64_t waiting = waiting_of(p.self);
  count_out(cell, earlier + 1, waiting);
  // Processing time: actorscope_process_end, with the common bucket (the shortest) first.
  uint64_t dt = end - begin;
  uint32_t* bucket = &cell->hist[0];
  if (__builtin_expect(dt > actorscope__bucket_ticks[0], 0)) {
    unsigned b = 1;
    while (b < ACTORSCOPE_HIST_BUCKETS - 1 && dt > actorscope__bucket_ticks[b]) ++b;
    bucket = &cell->hist[b];
  }
  store(cell->busy_ticks, load(cell->busy_ticks) + dt);
  store(*bucket, load(*bucket) + 1);
  if (!load(cell->recv_dirty)) actorscope__mark_dirty(cell, 1);
  if (waiting != 0) {
    t.last_actor = p.id;  // the run goes on with the next message, which starts now
    p.last_end = end;
  } else {
    t.last_actor = 0;
    if (t.slot_busy) slot_idle(t);
  }
  return result;
}

::caf::match_case::result probed_behavior::invoke(::caf::detail::invoke_result_visitor& f,
                                                  ::caf::type_erased_tuple& xs) {
  if (__builtin_expect(t_run.last_actor == probe_->id, 1)) return next_in_run(f, xs);
  return first_of_run(f, xs);
}

// A message of a run: it starts where the last one ended (one clock read). While it is
// short, handled, and leaves the behaviour in place, it is added up on the probe; the batch
// reaches the cell every kRunBatch messages and when the run ends.
[[gnu::noinline]] ::caf::match_case::result probed_behavior::next_in_run(::caf::detail::invoke_result_visitor& f,
                                                                         ::caf::type_erased_tuple& xs) {
  {
    actor_probe& p = *probe_;
    thread_run& t = t_run;
    // While flow is sampled, the slot keeps the actor and the type and takes the start.
    if (t.slot) {
      if (__builtin_expect(--t.countdown != 0 &&
                               (vptr_of(xs) == p.fast_vptr ? p.memo_type : remembered_type(p, xs)) == t.slot_type,
                           1))
        store(t.slot->since, p.last_end);
      else
        show_handling(t, p, p.cell, xs, p.last_end);
    }
  }
  ::caf::match_case::result result = invoke_inner(f, xs);
  uint64_t end = actorscope_now();
  actor_probe& p = *probe_;
  uint64_t dt = end - p.last_end;
  auto& stack = p.self->bhvr_stack();
  if (__builtin_expect(result != ::caf::match_case::match || dt > actorscope__bucket_ticks[0] || stack.empty() ||
                           stack.back().as_behavior_impl().get() != this,
                       0))
    return end_in_run(result, end);
  uint64_t waiting = waiting_of(p.self);
  p.run_busy += dt;
  p.last_end = end;
  uint32_t n = ++p.run_count;
  if (__builtin_expect(waiting != 0 && n < kRunBatch, 1)) return result;
  return publish_run(result, waiting);
}

// The batch into the cell; when the mailbox is empty, the run ends.
[[gnu::noinline]] ::caf::match_case::result probed_behavior::publish_run(::caf::match_case::result result,
                                                                         uint64_t waiting) {
  actor_probe& p = *probe_;
  actorscope_actor* cell = p.cell;
  count_out(cell, p.run_count, waiting);
  add_run(cell, p);
  if (waiting == 0) {
    thread_run& t = t_run;
    t.last_actor = 0;
    if (t.slot_busy) slot_idle(t);
  }
  return result;
}

// A message of a run that was long, unhandled, or replaced the behaviour.
[[gnu::noinline]] ::caf::match_case::result probed_behavior::end_in_run(::caf::match_case::result result,
                                                                        uint64_t end) {
  return finish(probe_->last_end, end, result);
}

// A message that begins a run: the clock is read afresh; while flow is sampled, the slot
// names the actor and the message type.
[[gnu::noinline]] ::caf::match_case::result probed_behavior::first_of_run(::caf::detail::invoke_result_visitor& f,
                                                                          ::caf::type_erased_tuple& xs) {
  actor_probe& p = *probe_;
  actorscope_actor* cell = p.cell;
  if (!cell) return inner_->invoke(f, xs);
  thread_run& t = t_run;
  uint64_t begin = actorscope_now();
  if (t.slot) {
    actorscope_msg_type type;
    if (__builtin_expect(--t.countdown != 0 && (type = remembered_type(p, xs)) != 0, 1))
      slot_busy(t, cell, type, begin);
    else
      show_handling(t, p, cell, xs, begin);
  } else if (flow_sampled()) {
    show_handling(t, p, cell, xs, begin);
  }
  ::caf::match_case::result result = invoke_inner(f, xs);
  return finish(begin, actorscope_now(), result);
}

::caf::match_case::result probed_behavior::invoke_empty(::caf::detail::invoke_result_visitor& f) {
  return inner_->invoke_empty(f);
}

void probed_behavior::handle_timeout() {
  inner_->handle_timeout();
}

::caf::behavior actor_probe::wrap(::caf::behavior b) {
  if (!b || !cell) return b;
  if (auto* w = dynamic_cast<probed_behavior*>(b.as_behavior_impl().get()); w && w->probe() == this) return b;
  return ::caf::behavior{::caf::behavior::impl_ptr{::caf::make_counted<probed_behavior>(shared_from_this(), std::move(b))}};
}

void actor_probe::rewrap_top() {
  if (!self->has_behavior()) return;
  auto& top = self->bhvr_stack().back();
  top = wrap(std::move(top));
}

void actor_probe::report_exit(const ::caf::error& reason) {
  if (counted_exit.exchange(true, std::memory_order_acq_rel)) return;
  detail::unregister_actor(id);
  actorscope_actor* c = cell;
  cell = nullptr;
  // The exit runs on the actor's thread (an exception left its slot set) or, for an actor
  // that never ran, wherever its last reference went.
  thread_run& t = t_run;
  if (t.last_actor == id) t.last_actor = 0;
  if (t.slot_busy && load(t.slot->actor) == id) slot_idle(t);
  if (c && run_count != 0) {
    // A run cut short (killed with messages waiting, or its handler threw): what it added up
    // stays; the messages it left in the mailbox are not processed ones.
    uint64_t deq = load(c->dequeued) + run_count;
    store(c->dequeued, deq);
    if (deq > load(c->enqueued)) store(c->enqueued, deq);
    add_run(c, *this);
  }
  uint64_t processed = c ? load(c->dequeued) : 0;
  std::string text = reason_text(reason);
  actorscope_exit(c, reason_class(reason), text.empty() ? nullptr : text.c_str());
  detail::count_exit(id, info, processed);
}

namespace {
// The hook that reports the probe's actor's exit; CAF runs it at the actor's cleanup.
void attach_exit_hook(::caf::abstract_actor* self, std::shared_ptr<actor_probe> probe) {
  self->attach_functor([probe = std::move(probe)](const ::caf::error& reason) { probe->report_exit(reason); });
}
}  // namespace

void report_exit_first(const ::caf::actor& a) {
  if (!a) return;
  std::shared_ptr<actor_probe> probe = registered_probe(a.id());
  if (!probe) return;
  // CAF runs an actor's attachables latest first, so this one runs before the monitor just
  // added (the one attached at spawn then finds the exit counted). On an actor that has
  // already exited CAF runs it here and now: its exit is then reported by whichever hook
  // comes first.
  attach_exit_hook(::caf::actor_cast<::caf::abstract_actor*>(a), std::move(probe));
}

::caf::actor spawn_instrumented(::caf::actor_system& sys, actor_info info, init_function init, bool detached,
                                bool lazy, bool hidden) {
  // What actor_system::spawn does for a function-based actor, with the registration between
  // the actor's construction and its launch: it has its id, and cannot run yet.
  ::caf::actor_config cfg;
  if (detached) cfg.flags |= ::caf::abstract_actor::is_detached_flag;
  if (hidden) cfg.flags |= ::caf::abstract_actor::is_hidden_flag;
  cfg.host = sys.dummy_execution_unit();
  auto probe = std::make_shared<actor_probe>(std::move(info));
  cfg.init_fun = ::caf::actor_config::init_fun_type{
      [probe, init = std::move(init)](::caf::local_actor* self) mutable -> ::caf::behavior {
        auto fun = std::move(init);
        ::caf::behavior b = fun(static_cast<::caf::event_based_actor*>(self));
        if (!b && probe->self->has_behavior()) probe->rewrap_top();  // it called become() itself
        return probe->wrap(std::move(b));
      }};
  auto handle = ::caf::make_actor<::caf::event_based_actor, ::caf::actor>(sys.next_actor_id(), sys.node(), &sys, cfg);
  auto* self = static_cast<::caf::event_based_actor*>(::caf::actor_cast<::caf::abstract_actor*>(handle));
  probe->self = self;
  probe->id = self->id();
  const actor_info& i = probe->info;
  actorscope_spawn_info si{};
  si.id = probe->id;
  si.parent_id = i.parent;
  si.name = or_null(i.name);
  si.type = or_null(i.type);
  si.child_id = or_null(i.child_id);
  si.kind = i.kind;
  si.restart = i.restart;
  si.strategy = i.strategy;
  si.intensity = i.intensity;
  si.period_ms = i.period_ms;
  probe->cell = i.reported ? actorscope_spawn(&si) : nullptr;
  detail::count_spawn(probe->id, i);
  self->set_exception_handler(exception_to_exit);
  attach_exit_hook(self, probe);
  // So that a kill command, cell_of and a sampled message's receiver find it from now on.
  detail::register_actor(probe->id, self->address(), probe->cell, probe);
  self->launch(cfg.host, lazy, hidden);
  return handle;
}

}  // namespace detail

actorscope_actor* cell_of(const ::caf::local_actor* self) {
  return self ? detail::registered_cell(self->id()) : nullptr;
}

}  // namespace actorscope::caf
