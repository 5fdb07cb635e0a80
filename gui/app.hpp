// The whole window: title bar with the node selector, the panel tabs, actor windows and
// the timeline and the status bar. Keyboard: Ctrl+1..7 switch panels, Ctrl+F filters actors,
// [ and ] step 10 s through the past, Esc closes a window.
#pragma once

#include "actor_window.hpp"
#include "actors_panel.hpp"
#include "app_state.hpp"
#include "events_panel.hpp"
#include "flow_panel.hpp"
#include "overview_panel.hpp"
#include "timeline.hpp"
#include "tree_panel.hpp"

namespace actorscope::gui {

class App {
 public:
  App(Feed& feed, Panel first) : state_(feed) { state_.switch_to = first; }
  // Draws one frame; the caller holds the feed for the whole frame.
  void draw();
  AppState& state() { return state_; }
  TreePanel& tree() { return tree_; }
  FlowPanel& flow() { return flow_; }
  EventsPanel& events() { return events_; }
  Panel current() const { return current_; }
  // Something on screen moves by itself (the tree's restart flashes, the past played forward):
  // keep drawing.
  bool animating() const { return (current_ == Panel::Tree && tree_.animating()) || state_.playback.playing(); }

 private:
  void draw_banner();
  void draw_title_bar();
  void draw_status_bar();
  void handle_keys();

  AppState state_;
  Panel current_ = Panel::Overview;
  OverviewPanel overview_;
  TreePanel tree_;
  ActorsPanel actors_;
  EventsPanel events_;
  FlowPanel flow_;
  Timeline timeline_;
  ActorWindows windows_;
};

}  // namespace actorscope::gui
