// Commands in flight: sent to an agent on a viewer's behalf, awaiting the agent's answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "actorscope/collector/server.hpp"

namespace actorscope::collector {

class CommandRouter {
 public:
  explicit CommandRouter(size_t max_pending) : max_pending_(max_pending) {}

  bool full() const { return pending_.size() >= max_pending_; }
  size_t pending() const { return pending_.size(); }
  // Records a command sent to connection `agent` for connection `viewer`; returns the
  // request id to put in the Command.
  uint64_t add(uint64_t viewer, uint64_t agent, uint64_t deadline_ns, CommandDone done);
  // The answer to `request` from `agent`: its callback, or an empty one when the request
  // is unknown, already answered, or was sent to another agent.
  CommandDone take(uint64_t request, uint64_t agent);
  // A connection closes: a viewer's commands are forgotten (its session is going); an
  // agent's are returned, to fail now rather than at their deadline.
  std::vector<CommandDone> end_of(uint64_t conn);
  // Commands past their deadline.
  std::vector<CommandDone> expire(uint64_t now_ns);
  void clear() { pending_.clear(); }

 private:
  struct Pending {
    uint64_t viewer = 0;  // connection ids
    uint64_t agent = 0;
    uint64_t deadline_ns = 0;
    CommandDone done;
  };
  size_t max_pending_;
  std::unordered_map<uint64_t, Pending> pending_;
  uint64_t next_request_ = 1;
};

}  // namespace actorscope::collector
