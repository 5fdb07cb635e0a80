// Maps CAF exit reasons (caf::error) to actorscope's reason classes and texts.
#pragma once

#include <string>

#include <caf/error.hpp>

#include "actorscope/agent.h"

namespace actorscope::caf {

// normal -> normal, user_shutdown -> shutdown, kill -> killed, unknown -> unknown,
// unhandled_exception and any other error -> error.
actorscope_reason reason_class(const ::caf::error& reason);

// Human-readable text: the context string when the error carries one (an exception's
// what(), "reached_max_restart_intensity"), else CAF's rendering; "" for normal.
std::string reason_text(const ::caf::error& reason);

// Clean exits in OTP's sense (normal, shutdown): a transient child is not restarted.
bool is_clean_exit(const ::caf::error& reason);

// An exit_reason error with a text in its context, e.g. (user_shutdown, "reached_max_restart_intensity").
::caf::error exit_with_text(::caf::exit_reason code, std::string text);

}  // namespace actorscope::caf
