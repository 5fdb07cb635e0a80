// Registration and exit report of an instrumented CAF actor.
#include "actorscope/caf/instrumented_actor.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <string>

#include <caf/atom.hpp>
#include <caf/type_nr.hpp>

#include <caf/exit_reason.hpp>

#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/exit_reasons.hpp"
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

}  // namespace detail

void instrumented_actor::enqueue_with_flow(actorscope_actor* cell, const ::caf::mailbox_element& x) {
  const detail::running_actor& here = detail::running_here;
  const actorscope_actor* from = here.ctrl && x.sender.get() == here.ctrl ? here.cell : nullptr;
  // The type is worked out only for the 1 in N sends that are sampled.
  if (actorscope_enqueue_sampled(cell)) actorscope_flow_sample(cell, from, detail::message_type_of(x.content()));
}

instrumented_actor::instrumented_actor(::caf::actor_config& cfg, actor_info info, init_function init)
    : ::caf::event_based_actor(cfg), info_(std::move(info)), init_(std::move(init)) {
  actorscope_spawn_info si{};
  si.id = id();
  si.parent_id = info_.parent;
  si.name = or_null(info_.name);
  si.type = or_null(info_.type);
  si.child_id = or_null(info_.child_id);
  si.kind = info_.kind;
  si.restart = info_.restart;
  si.strategy = info_.strategy;
  si.intensity = info_.intensity;
  si.period_ms = info_.period_ms;
  cell_.store(info_.reported ? actorscope_spawn(&si) : nullptr, std::memory_order_relaxed);
  detail::count_spawn(id(), info_);
  set_exception_handler(exception_to_exit);
  attach_functor([this](const ::caf::error& reason) { report_exit(reason); });
  // So that a kill command finds it from now on (its control block precedes it: the
  // address is valid during construction).
  detail::register_actor(id(), address());
}

::caf::behavior instrumented_actor::make_behavior() {
  if (!init_) return {};
  auto init = std::move(init_);
  return init(this);
}

void instrumented_actor::report_exit(const ::caf::error& reason) {
  if (counted_exit_) return;
  counted_exit_ = true;
  detail::unregister_actor(id());
  actorscope_actor* cell = cell_.exchange(nullptr, std::memory_order_relaxed);
  // Sends made after this, in the same run, are no longer from this actor's cell.
  if (detail::running_here.cell == cell) detail::running_here.cell = nullptr;
  std::string text = reason_text(reason);
  actorscope_exit(cell, reason_class(reason), text.empty() ? nullptr : text.c_str());
  detail::count_exit(id(), info_, processed_);
}

}  // namespace actorscope::caf
