// What the terminal viewer remembers between frames: current view, cursors, queries, modes.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "glyphs.hpp"
#include "actorscope/view/actors_table.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/tree.hpp"

namespace actorscope::tui {

enum class ViewId : unsigned char { Tree = 0, Actors, Events, Telemetry, Warnings, Detail, Help };
inline constexpr size_t kViewCount = 7;
std::string_view name(ViewId v);
// Parses a --view name ("tree", "actors", ...); nullopt when unknown.
std::optional<ViewId> parse_view(std::string_view s);

// Selection and scroll position of one list.
struct ListCursor {
  size_t selected = 0;
  size_t offset = 0;
  // Keeps the selection inside [0, n) and visible within `rows` lines.
  void fit(size_t n, size_t rows);
  void move(long delta, size_t n);
};

struct UiState {
  ViewId view = ViewId::Tree;
  ViewId back = ViewId::Tree;  // where Esc returns from Detail and Help
  std::array<ListCursor, kViewCount> cursor{};
  view::TreeModel tree;
  view::ActorsTable actors;
  view::ActorsQuery actors_query;
  view::EventsList events;
  view::EventsQuery events_query{view::kInterestingEvents, {}, 0};
  view::NodeId node = 0;                 // 0: every node
  std::string pinned_node;               // --node NAME: the one node subscribed to ("" : all)
  view::DisplayThresholds thresholds;    // when values ask for attention (shared with the GUI)
  bool paused = false;
  bool searching = false;                // the / prompt is open
  std::string search_input;
  std::string search;                    // the last confirmed search
  std::optional<view::ActorKey> detail;  // the actor shown in Detail
  Glyphs glyphs = kAsciiGlyphs;
  std::string message;                   // one line of feedback in the status bar
  std::optional<view::ActorKey> kill_asked;  // "kill ...? (y/n)" is on the status line
  uint64_t kill_request = 0;             // a kill sent and not answered yet (its request id)
  std::string status;                    // the connection's status
  int body_rows = 10;                    // lines the current panel had at the last draw
};

// With --node, the one node subscribed to is the node shown, under its own name, as soon as
// the replica knows its id (never "all nodes": the others are not there).
void resolve_pinned_node(UiState& ui, const view::Replica& r);

}  // namespace actorscope::tui
