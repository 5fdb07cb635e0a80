// Actor windows (double-click an actor): counters, mailbox and processing-time charts,
// parent chain, links, recent events, and a kill button when the collector allows it.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>

#include "app_state.hpp"

namespace actorscope::gui {

struct ActorWindowSettings {
  size_t samples = 300;           // points kept per chart (one per collector tick)
  uint32_t detail_refresh_ms = 2000;  // links and events are asked again after this long
};

class ActorWindows {
 public:
  // Draws every open window; closes those the user closed.
  void draw(AppState& app);

 private:
  struct State {
    uint64_t seen_version = 0;
    uint64_t last_dequeued = 0, last_busy = 0;
    std::deque<double> mailbox;         // depth at each tick
    std::deque<double> processing_us;   // mean processing time per message during each tick
    std::optional<pv::DetailReply> reply;
    uint64_t pending = 0;
    std::chrono::steady_clock::time_point asked{};
    char token[128] = {};
    std::string kill_result;
    uint64_t kill_request = 0;
  };
  bool draw_one(AppState& app, view::ActorKey key, State& s);
  void sample(const view::Replica& r, view::ActorKey key, State& s);
  ActorWindowSettings settings_;
  std::unordered_map<view::ActorKey, State, view::ActorKeyHash> states_;
};

}  // namespace actorscope::gui
