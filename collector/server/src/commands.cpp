// Commands in flight between viewers and agents.
#include "commands.hpp"

namespace actorscope::collector {

uint64_t CommandRouter::add(uint64_t viewer, uint64_t agent, uint64_t deadline_ns, CommandDone done) {
  uint64_t request = next_request_++;
  pending_.emplace(request, Pending{viewer, agent, deadline_ns, std::move(done)});
  return request;
}

CommandDone CommandRouter::take(uint64_t request, uint64_t agent) {
  auto it = pending_.find(request);
  if (it == pending_.end() || it->second.agent != agent) return {};
  CommandDone done = std::move(it->second.done);
  pending_.erase(it);
  return done;
}

std::vector<CommandDone> CommandRouter::end_of(uint64_t conn) {
  std::vector<CommandDone> failed;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.viewer == conn) {
      it = pending_.erase(it);
    } else if (it->second.agent == conn) {
      failed.push_back(std::move(it->second.done));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return failed;
}

std::vector<CommandDone> CommandRouter::expire(uint64_t now_ns) {
  std::vector<CommandDone> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now_ns >= it->second.deadline_ns) {
      expired.push_back(std::move(it->second.done));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace actorscope::collector
