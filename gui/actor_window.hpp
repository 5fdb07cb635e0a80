// Actor windows (double-click an actor): counters, mailbox and processing-time charts,
// parent chain, links, recent events, and a kill button when the collector allows it.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "app_state.hpp"
#include "actorscope/view/actor_history.hpp"
#include "actorscope/view/child.hpp"

namespace actorscope::gui {

struct ActorWindowSettings {
  uint32_t detail_refresh_ms = 2000;  // links and events are asked again after this long
};

class ActorWindows {
 public:
  // Draws every open window; closes those the user closed.
  void draw(AppState& app);

 private:
  // A window is opened on an actor and follows that child across its incarnations: it keeps
  // its place and its identity (the key it was opened on) while the actor it shows changes.
  struct State {
    view::ChildFollower follow;
    bool following = false;
    view::ActorKey shown{};             // the incarnation shown now
    view::ActorHistory history;         // mailbox and processing time per message, per tick (300 kept)
    std::optional<pv::DetailReply> reply;
    uint64_t pending = 0;
    std::chrono::steady_clock::time_point asked{};
    char token[128] = {};
    std::string kill_result;
    uint64_t kill_request = 0;
  };
  bool draw_one(AppState& app, view::ActorKey window, State& s);
  ActorWindowSettings settings_;
  std::vector<view::ActorKey> front_;  // open windows, the one in front last (Esc closes it)
  std::optional<view::ActorKey> focused_;
  std::unordered_map<view::ActorKey, State, view::ActorKeyHash> states_;
};

}  // namespace actorscope::gui
