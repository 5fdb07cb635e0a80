// Maps CAF exit reasons to actorscope's reason classes and texts.
#include "actorscope/caf/exit_reasons.hpp"

#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace actorscope::caf {

namespace {
bool is_exit_category(const ::caf::error& e) {
  return e.category() == ::caf::atom("exit");
}
}  // namespace

actorscope_reason reason_class(const ::caf::error& reason) {
  if (!reason) return ACTORSCOPE_EXIT_NORMAL;
  if (!is_exit_category(reason)) return ACTORSCOPE_EXIT_ERROR;
  switch (static_cast<::caf::exit_reason>(reason.code())) {
    case ::caf::exit_reason::normal: return ACTORSCOPE_EXIT_NORMAL;
    case ::caf::exit_reason::user_shutdown: return ACTORSCOPE_EXIT_SHUTDOWN;
    case ::caf::exit_reason::kill: return ACTORSCOPE_EXIT_KILLED;
    case ::caf::exit_reason::unknown: return ACTORSCOPE_EXIT_UNKNOWN;
    default: return ACTORSCOPE_EXIT_ERROR;
  }
}

std::string reason_text(const ::caf::error& reason) {
  if (reason_class(reason) == ACTORSCOPE_EXIT_NORMAL) return {};
  const auto& ctx = reason.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0)) return ctx.get_as<std::string>(0);
  if (is_exit_category(reason)) return ::caf::to_string(static_cast<::caf::exit_reason>(reason.code()));
  return ::caf::to_string(reason);
}

bool is_clean_exit(const ::caf::error& reason) {
  auto c = reason_class(reason);
  return c == ACTORSCOPE_EXIT_NORMAL || c == ACTORSCOPE_EXIT_SHUTDOWN || c == ACTORSCOPE_EXIT_SHUTDOWN_TERM;
}

::caf::error exit_with_text(::caf::exit_reason code, std::string text) {
  return ::caf::error(static_cast<uint8_t>(code), ::caf::atom("exit"), ::caf::make_message(std::move(text)));
}

}  // namespace actorscope::caf
