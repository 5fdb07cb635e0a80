// Why did this die? The chain of events that led to an exit or a restart, read from the
// events the replica holds: the crash that started it, the siblings its supervisor's strategy
// took down, each supervisor's restart budget up to the escalation, and the restarts that
// followed. Never guessed: where no event explains a step (a link or a monitor, which the
// events do not carry, or the app itself) the chain says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

enum class ChainStepKind : uint8_t {
  Crash,           // the abnormal exit that started it
  Unexplained,     // the first event found has no cause in the events held (see ExitChain::note)
  SiblingStopped,  // a supervisor's strategy (one_for_all, rest_for_one) or its giving up stopped a child
  Escalation,      // a supervisor exceeded its restart intensity and gave up
  SupervisorExit,  // that supervisor's own exit (shutdown), which its parent sees as a failure
  Restart,         // a supervisor restarted a child
};
std::string_view name(ChainStepKind k);  // "crash", "no cause", "stopped", "budget exhausted", "exit", "restart"

// A restart counted by a supervisor's budget: the child whose exit it answered, when.
struct BudgetPoint {
  uint64_t wall_ns = 0;
  std::string child;
};

struct ChainStep {
  ChainStepKind kind = ChainStepKind::Crash;
  uint64_t seq = 0;             // the event's
  uint64_t wall_ns = 0;         // when: a viewer's timeline jumps here
  NodeId node = 0;
  uint64_t actor = 0;
  std::string who;              // the actor's name (or the supervisor's, for an escalation)
  std::string supervisor;       // the supervisor that acted or saw it ("" for a root)
  std::string text;             // reason, or what the supervisor did
  uint32_t depth = 0;           // 0: under the first supervisor; +1 per escalation climbed
  bool selected = false;        // the event the chain was asked for
  // Escalation: the restarts its budget counted inside the period up to it (oldest first),
  // and the budget when the replica knows it (intensity 0: not known).
  std::vector<BudgetPoint> budget;
  uint32_t intensity = 0;
  uint32_t period_ms = 0;
};

struct ExitChain {
  bool found = false;           // the event asked for is in the replica
  bool origin_known = false;    // the first step is a crash that nothing before explains
  std::vector<ChainStep> steps; // in the order they happened
  size_t more = 0;              // steps past the bound, not listed
  std::string note;             // what the chain cannot tell (a link not known, events dropped)
};

inline constexpr size_t kChainMaxSteps = 200;

// The chain that led to the event whose seq is `seq` (an exit, a crash, a restart or an
// escalation), and the restarts that followed it.
ExitChain explain_exit(const Replica& replica, uint64_t seq);
// An escalation event (the collector sends it as a warning: reason shutdown, supervisor its
// parent; an older collector only by its text).
bool is_escalation(const pv::Event& e);
// One line per step, e.g. "10:42:17.310 crash parser3 (under parser_pool): error: malformed record".
std::string chain_step_text(const ChainStep& s);

}  // namespace actorscope::view
