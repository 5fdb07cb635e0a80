// What the terminal viewer remembers between frames: current view, cursors, queries, modes.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "glyphs.hpp"
#include "actorscope/view/actors_table.hpp"
#include "actorscope/view/child.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/exit_chain.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/tree.hpp"
#include "actorscope/view/tree_diff.hpp"
#include "actorscope/view/playback.hpp"

namespace actorscope::tui {

enum class ViewId : unsigned char { Tree = 0, Actors, Events, Telemetry, Warnings, Flow, Detail, Help, Chain, Diff };
inline constexpr size_t kViewCount = 10;
std::string_view name(ViewId v);
// Parses a --view name ("tree", "actors", ...); nullopt when unknown.
std::optional<ViewId> parse_view(std::string_view s);

// Which item a list's selection is on, whatever row it has moved to (selection.hpp).
struct SelectedItem {
  bool set = false;
  view::ActorKey actor{};  // Actors: the actor ...
  view::ChildFollower child;  // ... followed to its next incarnation when it is restarted
  uint64_t seq = 0;        // Events: the event's sequence number
  std::string text;        // Tree, Telemetry, Warnings: the row's identity as text
};

// Selection and scroll position of one list.
struct ListCursor {
  size_t selected = 0;
  size_t offset = 0;
  SelectedItem item;  // the selection follows this item when rows arrive or move
  // Untouched, or sent back with g/Home: the cursor stays on the first row as rows re-sort,
  // so a list sorted by mailbox keeps showing the deepest one. A key acting on the row
  // (Enter, K, c) still takes the item that was drawn there. Any other move clears it.
  bool at_top = true;
  // Keeps the selection inside [0, n) and visible within `rows` lines.
  void fit(size_t n, size_t rows);
  void move(long delta, size_t n);
};

struct UiState {
  ViewId view = ViewId::Tree;
  ViewId back = ViewId::Tree;  // where Esc returns from Detail, Help, Chain and Diff
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
  view::ExitChain chain;                 // Chain: why the event chosen in Events happened (kept while the
  uint64_t chain_seq = 0;                //   past is shown at its steps), and that event
  view::TreeMark mark;                   // m: the tree at the instant marked ...
  view::TreeDiff diff;                   // ... d: compared with the instant shown then
  std::optional<view::ActorKey> detail;  // the actor shown in Detail
  view::ChildFollower detail_child;      // Detail follows that child across its incarnations ...
  bool detail_moved = false;             // ... and when it moved, its new detail is asked for
  Glyphs glyphs = kAsciiGlyphs;
  std::string message;                   // one line of feedback in the status bar
  bool asking_time = false;              // the t prompt is open: which instant to show
  std::string time_input;
  uint64_t instant_request = 0;          // the last instant asked for (its answer is shown)
  view::Playback playback;               // p: the past played forward (+ - its speed)
  bool play_pending = false;             // p, live: waiting for the collector to say where history begins
  uint64_t clock_end_wall_ns = 0;        // --open: the recording's end, "now" for t and [ ]
  std::string replay_name;               // --open FILE: the REPLAY banner names it
  std::optional<view::ActorKey> kill_asked;  // "kill ...? (y/n)" is on the status line
  uint64_t kill_request = 0;             // a kill sent and not answered yet (its request id)
  bool history_exporting = false;        // W: an export of the collector's history is being pulled
  std::string status;                    // the connection's status
  int body_rows = 10;                    // lines the current panel had at the last draw
  std::string export_dir = ".";          // --export-dir: where the export key writes its files
  std::string terminal_out;              // bytes for the terminal itself (OSC 52), written after the frame
  size_t help_offset = 0;                // first line of the help shown (it scrolls)
  view::FlowHistory flow_history;        // every edge's rate since this viewer connected (fed each frame)
  std::optional<view::Replica::FlowKey> flow_edge;  // Flow: the edge whose history shows under the table
  std::optional<view::ActorKey> flow_subtree;  // Flow by supervisor subtree: the supervisor shown (empty: by type)
  uint64_t flow_subtree_asked_ns = 0;          // steady clock of the last request for it (0: ask at once)
  view::ChildFollower flow_subtree_child;      // ... followed across its restarts (a new id each time)
  // Where the last frame put things, for the mouse: the tabs' row and spans, and the
  // first list row on the screen.
  struct TabSpan {
    int x0 = 0, x1 = 0;  // columns [x0, x1)
    ViewId view = ViewId::Tree;
  };
  int tabs_y = -1;
  std::vector<TabSpan> tabs;
  int list_y = -1;                       // screen row of the list's first row (-1: no list)
};

// With --node, the one node subscribed to is the node shown, under its own name, as soon as
// the replica knows its id (never "all nodes": the others are not there).
void resolve_pinned_node(UiState& ui, const view::Replica& r);

}  // namespace actorscope::tui
