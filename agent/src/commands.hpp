// Commands from the collector (kill an actor), carried out through the runtime's handler.
#pragma once

#include <string>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::agent {

// Carries out one command: refuses it unless `allowed` and a handler is registered,
// otherwise calls the handler. Logs one line on stderr either way.
proto::CommandResult run_command(const proto::Command& c, bool allowed);

}  // namespace actorscope::agent
