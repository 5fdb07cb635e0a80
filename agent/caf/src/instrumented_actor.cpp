// Registration and exit report of an instrumented CAF actor.
#include "actorscope/caf/instrumented_actor.hpp"

#include <exception>

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
}  // namespace

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
  detail::count_spawn(info_.type);
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
  std::string text = reason_text(reason);
  actorscope_exit(cell, reason_class(reason), text.empty() ? nullptr : text.c_str());
  detail::count_exit(info_.type, processed_);
}

}  // namespace actorscope::caf
