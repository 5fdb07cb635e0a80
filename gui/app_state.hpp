// What the panels share: the feed, the node shown, the selected actor, and the actions
// that move between panels (select, open a window, jump to the tree).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "feed.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/child.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/playback.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::gui {

enum class Panel : uint8_t { Overview, Tree, Actors, Events, Telemetry, Warnings, Flow };
inline constexpr int kPanelCount = 7;
const char* panel_title(Panel p);

struct AppSettings {
  size_t max_actor_windows = 8;  // actor windows open at once; the oldest closes first
  view::DisplayThresholds thresholds;  // when values ask for attention (shared with the TUI)
};

struct AppState {
  explicit AppState(Feed& f) : feed(f) {}
  Feed& feed;
  AppSettings settings;
  pv::NodeId node = 0;                       // 0: every node
  std::optional<view::ActorKey> selected;      // highlighted in every panel
  std::optional<view::ActorKey> reveal;        // the tree scrolls to it on its next frame
  std::vector<view::ActorKey> actor_windows;   // open actor windows, oldest first
  std::optional<Panel> switch_to;              // a panel asked for by an action
  double time = 0;                             // seconds since start, for animations
  std::optional<std::string> filter;           // asked for the Actors filter ("Filter by this")
  std::optional<view::ActorKey> confirm_kill;  // its window asks to confirm a kill
  view::ChildFollower selected_child;          // the selection follows a restarted child
  view::FlowHistory flow_history;              // every edge's rate since this viewer connected (fed each frame)
  uint64_t clock_end_wall_ns = 0;              // --open: the recording's end, "now" for the past
  std::string replay_name;                     // --open: the recording shown (the REPLAY banner)
  std::string instant_note;                    // what the last instant asked for was ("asking for ...")
  uint64_t instant_request = 0;                // its request id (0: none asked)
  view::Playback playback;                     // the past played forward (Play, + -)

  // "Now" for the instants a user picks: the wall clock, or the end of a recording.
  uint64_t now_wall_ns() const;
  // Asks the collector for the whole picture at `wall_ns` (0: live again); by hand, it stops
  // playing.
  void show_instant(uint64_t wall_ns, bool by_hand = true);

  // Moves the selection to the new incarnation of a child that was restarted.
  void follow_selection() {
    if (!selected) return;
    if (!(selected_child.key() == *selected)) selected_child.reset(replica(), *selected);
    const view::ActorKey now = selected_child.update(replica());
    if (!(now == *selected) && replica().actor(now)) selected = now;
  }

  const view::Replica& replica() const { return feed.replica(); }
  void select(view::ActorKey k) { selected = k; }
  // Opens (or raises) the actor's window.
  void open_actor(view::ActorKey k);
  // Selects the actor and shows it in the supervision tree.
  void jump_to(view::ActorKey k) {
    selected = k;
    reveal = k;
    switch_to = Panel::Tree;
  }
};

}  // namespace actorscope::gui
