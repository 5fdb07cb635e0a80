// What the agent is told about a CAF actor when it is spawned: identity, place in the tree.
#pragma once

#include <cstdint>
#include <string>

#include "actorscope/agent.h"

namespace actorscope::caf {

struct actor_info {
  std::string name;                                   // label shown in viewers; empty: none
  std::string type = "actor";                         // actor type, e.g. "parser"
  std::string child_id;                               // id in the parent supervisor's child spec
  uint64_t parent = 0;                                // CAF actor id of the parent; 0: a root
  actorscope_kind kind = ACTORSCOPE_WORKER;           // worker or supervisor
  actorscope_restart restart = ACTORSCOPE_PERMANENT;  // restart type in the parent's spec
  actorscope_strategy strategy = ACTORSCOPE_STRATEGY_NONE;  // supervisors only
  uint32_t intensity = 0;                             // supervisors only
  uint32_t period_ms = 0;                             // supervisors only
  bool reported = true;  // false: not registered with the agent; its hooks take the same
                         // no-op path as with the agent disabled (ACTORSCOPE_DISABLE=1)
};

}  // namespace actorscope::caf
