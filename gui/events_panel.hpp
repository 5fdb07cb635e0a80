// Events: restarts, crashes, telemetry and node events, newest first, filtered by the
// events view-model (kinds, text, node, supervisor).
#pragma once

#include <string>

#include "app_state.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/exit_chain.hpp"

namespace actorscope::gui {

class EventsPanel {
 public:
  void draw(AppState& app);
  // Opens the chain of the newest exit, crash, restart or escalation of the actor named `name`
  // (--why); false when the replica holds none.
  bool explain_newest(const view::Replica& r, const std::string& name);
  // The chain's window, a top-level window of its own: drawn after the main window has ended.
  void draw_chain(AppState& app);

 private:
  view::EventsList list_;
  // "Why?": the chain of the event asked for, kept as made while the past is shown at its steps.
  view::ExitChain chain_;
  std::string chain_title_;
  bool chain_open_ = false;
  view::EventsQuery query_{view::kInterestingEvents, {}, 0};
  std::string exported_;  // what the last CSV export wrote, or why it could not
  char filter_[128] = {};
};

}  // namespace actorscope::gui
