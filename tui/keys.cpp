// Key bindings and the actions they run.
#include "keys.hpp"

#include <curses.h>
#include <time.h>

#include <algorithm>
#include <limits>

#include "export_command.hpp"
#include "kill_command.hpp"
#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/instant.hpp"
#include "actorscope/view/telemetry.hpp"
#include "actorscope/view/warnings.hpp"

namespace actorscope::tui {

namespace {

constexpr int kEsc = 27;
constexpr int kTab = '\t';

ListCursor& cursor(ActionContext& ctx) { return ctx.ui.cursor[static_cast<size_t>(ctx.ui.view)]; }

// Moves the selection from the item it is on (not from a row number that new rows may have
// shifted), then remembers the item it lands on. Help scrolls instead.
unsigned move_to(ActionContext& ctx, long delta, bool absolute) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Help) {
    long at = absolute ? delta : static_cast<long>(ui.help_offset) + delta;
    ui.help_offset = static_cast<size_t>(std::max(0L, at));  // the help panel stops it at the end
    return kRedraw;
  }
  auto lock = ctx.client.lock();
  const view::Replica& r = ctx.client.replica();
  size_t n = follow_selection(ui, ui.view, r);
  if (absolute) cursor(ctx).selected = 0;
  cursor(ctx).move(delta, n);
  cursor(ctx).at_top = absolute && delta == 0;  // g/Home: back to following the top
  remember_selection(ui, ui.view, r);
  return kRedraw;
}
unsigned up(ActionContext& ctx) { return move_to(ctx, -1, false); }
unsigned down(ActionContext& ctx) { return move_to(ctx, 1, false); }
unsigned page_up(ActionContext& ctx) { return move_to(ctx, -ctx.ui.body_rows, false); }
unsigned page_down(ActionContext& ctx) { return move_to(ctx, ctx.ui.body_rows, false); }
unsigned top(ActionContext& ctx) { return move_to(ctx, 0, true); }
unsigned bottom(ActionContext& ctx) { return move_to(ctx, std::numeric_limits<long>::max() / 2, true); }

unsigned show(ActionContext& ctx, ViewId v) {
  if (v == ViewId::Help && ctx.ui.view != ViewId::Help) ctx.ui.help_offset = 0;
  auto overlay = [](ViewId x) { return x == ViewId::Help || x == ViewId::Detail || x == ViewId::Chain || x == ViewId::Diff; };
  if (overlay(v)) ctx.ui.back = overlay(ctx.ui.view) ? ctx.ui.back : ctx.ui.view;
  ctx.ui.view = v;
  ctx.ui.message.clear();
  return kRedraw;
}
unsigned view1(ActionContext& ctx) { return show(ctx, ViewId::Tree); }
unsigned view2(ActionContext& ctx) { return show(ctx, ViewId::Actors); }
unsigned view3(ActionContext& ctx) { return show(ctx, ViewId::Events); }
unsigned view4(ActionContext& ctx) { return show(ctx, ViewId::Telemetry); }
unsigned view5(ActionContext& ctx) { return show(ctx, ViewId::Warnings); }
unsigned view6(ActionContext& ctx) { return show(ctx, ViewId::Flow); }
unsigned next_view(ActionContext& ctx) {
  size_t v = static_cast<size_t>(ctx.ui.view);
  return show(ctx, v >= static_cast<size_t>(ViewId::Flow) ? ViewId::Tree : static_cast<ViewId>(v + 1));
}
unsigned help(ActionContext& ctx) { return ctx.ui.view == ViewId::Help ? show(ctx, ctx.ui.back) : show(ctx, ViewId::Help); }
unsigned back(ActionContext& ctx) {
  if (ctx.ui.view == ViewId::Flow) {  // closes an edge's history; by subtree: back to by type
    ctx.ui.flow_edge.reset();
    if (ctx.ui.flow_subtree) {
      ctx.ui.flow_subtree.reset();
      ctx.ui.cursor[static_cast<size_t>(ViewId::Flow)] = ListCursor{};
    }
  }
  if (ctx.ui.view == ViewId::Chain) {
    ctx.ui.view = ViewId::Events;
  } else if (ctx.ui.view == ViewId::Detail || ctx.ui.view == ViewId::Help || ctx.ui.view == ViewId::Diff) {
    ctx.ui.view = ctx.ui.back;
    auto lock = ctx.client.lock();
    ctx.client.replica().watch(std::nullopt);
  }
  ctx.ui.message.clear();
  return kRedraw;
}
unsigned quit(ActionContext&) { return kQuit; }

void open_detail(ActionContext& ctx, view::ActorKey key) {
  {
    auto lock = ctx.client.lock();
    ctx.client.replica().watch(key);
    ctx.ui.detail_child.reset(ctx.client.replica(), key);  // Detail follows this child from now
  }
  ctx.ui.detail = key;
  ctx.client.request_detail(key.node, key.actor);
  show(ctx, ViewId::Detail);
}

unsigned jump_to_step(ActionContext& ctx);

// Flow by supervisor subtree: shows the flow among the child subtrees of `supervisor`, asked
// of the collector at once and every second while it shows, and followed when it restarts.
unsigned show_subtree(ActionContext& ctx, view::ActorKey supervisor) {
  {
    auto lock = ctx.client.lock();
    ctx.ui.flow_subtree_child.reset(ctx.client.replica(), supervisor);
  }
  ctx.ui.flow_subtree = supervisor;
  ctx.ui.flow_subtree_asked_ns = 0;
  ctx.ui.flow_edge.reset();
  ctx.ui.cursor[static_cast<size_t>(ViewId::Flow)] = ListCursor{};
  return show(ctx, ViewId::Flow);
}

// Enter on a row of the flow by subtree: the receiving group leads (the sending one when the
// receiver is no one actor): into it when it is a child supervisor, else its actor's detail.
unsigned enter_subtree_row(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  std::optional<view::ActorKey> into, detail;
  {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    follow_selection(ui, ViewId::Flow, r);
    const view::ActorKey sup = *ui.flow_subtree;
    const view::SubtreeFlowView v = view::subtree_flow_view(r, sup.node, sup.actor, ui.thresholds);
    const size_t sel = ui.cursor[static_cast<size_t>(ViewId::Flow)].selected;
    if (sel >= v.map.edges.size()) return kNothing;
    auto group = [&](const std::string& name) -> const view::FlowTypeView* {
      for (const view::FlowTypeView& t : v.map.types)
        if (t.name == name) return &t;
      return nullptr;
    };
    const view::FlowTypeView* to = group(v.map.edges[sel].to);
    const view::FlowTypeView* from = group(v.map.edges[sel].from);
    const view::FlowTypeView* g = to && to->actor != 0 ? to : from && from->actor != 0 ? from : nullptr;
    if (g && g->supervisor && g->actor != sup.actor)
      into = view::ActorKey{sup.node, g->actor};
    else if (g)
      detail = view::ActorKey{sup.node, g->actor};
  }
  if (into) return show_subtree(ctx, *into);
  if (detail) {
    open_detail(ctx, *detail);
    return kRedraw;
  }
  ui.message = "neither end of this row is one actor (the rest of the node, or several children)";
  return kRedraw;
}

unsigned enter(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Chain) return jump_to_step(ctx);
  if (ui.view == ViewId::Flow && ui.flow_subtree) return enter_subtree_row(ctx);
  std::optional<view::ActorKey> key;
  {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    // The row the selection is on now: the item chosen, wherever new rows have moved it.
    follow_selection(ui, ui.view, r);
    size_t sel = cursor(ctx).selected;
    if (ui.view == ViewId::Tree) {
      if (sel < ui.tree.rows().size()) {
        const auto& row = ui.tree.rows()[sel];
        if (row.kind == view::TreeRowKind::Actor)
          key = row.actor->key();
        else
          ui.tree.toggle(sel);
      }
    } else if (ui.view == ViewId::Actors) {
      auto w = ui.actors.window(sel, 1);
      if (!w.empty()) key = w[0]->key();
    } else if (ui.view == ViewId::Events) {
      // Enter on a restart cascade opens or folds it; on an event, the actor's detail.
      if (sel < ui.events.size() && !ui.events.toggle(sel))
        key = view::ActorKey{ui.events.rows()[sel]->node, ui.events.rows()[sel]->actor};
    } else if (ui.view == ViewId::Flow) {
      // Enter on an edge shows its rate history under the table; again on it, hides it.
      auto edges = view::flow_map(r, ui.node, ui.thresholds).edges;
      if (sel < edges.size()) {
        if (ui.flow_edge == edges[sel].key)
          ui.flow_edge.reset();
        else
          ui.flow_edge = edges[sel].key;
      }
    } else if (ui.view == ViewId::Warnings) {
      auto w = view::warnings(r, ui.node);
      if (sel < w.size() && w[sel]->actor) key = view::ActorKey{w[sel]->node, w[sel]->actor};
    }
  }
  if (key) open_detail(ctx, *key);
  return kRedraw;
}

// Tree: collapse / expand. Actors: choose the sort column.
unsigned left(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Actors) {
    size_t c = static_cast<size_t>(ui.actors_query.sort);
    ui.actors_query.sort = static_cast<view::ActorColumn>((c + view::kActorColumnCount - 1) % view::kActorColumnCount);
    ui.message = "sorted by " + std::string(view::name(ui.actors_query.sort));
  } else if (ui.view == ViewId::Tree) {
    auto lock = ctx.client.lock();
    follow_selection(ui, ViewId::Tree, ctx.client.replica());
    size_t sel = cursor(ctx).selected;
    if (sel < ui.tree.rows().size() && ui.tree.rows()[sel].expanded) ui.tree.toggle(sel);
  }
  return kRedraw;
}
unsigned right(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Actors) {
    size_t c = static_cast<size_t>(ui.actors_query.sort);
    ui.actors_query.sort = static_cast<view::ActorColumn>((c + 1) % view::kActorColumnCount);
    ui.message = "sorted by " + std::string(view::name(ui.actors_query.sort));
  } else if (ui.view == ViewId::Tree) {
    auto lock = ctx.client.lock();
    follow_selection(ui, ViewId::Tree, ctx.client.replica());
    size_t sel = cursor(ctx).selected;
    if (sel < ui.tree.rows().size() && !ui.tree.rows()[sel].expanded) ui.tree.toggle(sel);
  }
  return kRedraw;
}
unsigned invert(ActionContext& ctx) {
  ctx.ui.actors_query.inverted = !ctx.ui.actors_query.inverted;
  return kRedraw;
}
// Shows or hides one kind of event in Events, and goes there.
unsigned toggle_kind(ActionContext& ctx, proto::viewer::EventKind kind, const char* what) {
  ctx.ui.events_query.kinds ^= proto::viewer::kind_bit(kind);
  bool on = ctx.ui.events_query.kinds & proto::viewer::kind_bit(kind);
  ctx.ui.message = std::string("events: ") + what + (on ? " shown" : " hidden");
  if (ctx.ui.view != ViewId::Events) show(ctx, ViewId::Events);
  return kRedraw;
}
unsigned toggle_telemetry(ActionContext& ctx) { return toggle_kind(ctx, proto::viewer::EventKind::Telemetry, "telemetry"); }
// The warnings' history: each raised and cleared warning is an event (a cleared one says how
// long it was raised and its peak).
unsigned toggle_warnings(ActionContext& ctx) {
  return toggle_kind(ctx, proto::viewer::EventKind::Warning, "warnings raised and cleared");
}
unsigned pause(ActionContext& ctx) {
  ctx.ui.paused = !ctx.ui.paused;
  ctx.client.set_paused(ctx.ui.paused);
  return kRedraw;
}
unsigned next_node(ActionContext& ctx) {
  if (!ctx.ui.pinned_node.empty()) {
    ctx.ui.message = "only node " + ctx.ui.pinned_node + " is subscribed (started with --node)";
    return kRedraw;
  }
  auto lock = ctx.client.lock();
  const auto& nodes = ctx.client.replica().nodes();
  view::NodeId next = 0;
  auto it = ctx.ui.node == 0 ? nodes.begin() : nodes.upper_bound(ctx.ui.node);
  if (it != nodes.end()) next = it->first;
  ctx.ui.node = next;
  ctx.ui.message = next ? "node " + it->second.name : "all nodes";
  for (auto& c : ctx.ui.cursor) c = ListCursor{};
  return kRedraw;
}
// The past: the collector rebuilds the whole picture at an instant (0: live again); every
// panel then shows that instant, under a PAST banner.
// "Now" for the instants a user types: the wall clock, or the end of a recording (--open).
uint64_t now_of(const UiState& ui) { return ui.clock_end_wall_ns ? ui.clock_end_wall_ns : wall_clock_ns(); }
void show_instant(ActionContext& ctx, uint64_t wall_ns) {
  ctx.ui.playback.pause();  // a jump by hand stops playing
  ctx.ui.instant_request = ctx.client.show_instant(wall_ns);
  ctx.ui.message = wall_ns ? "asking for " + view::format_instant(wall_ns, now_of(ctx.ui)) + " ..." : "live again";
}
// Chain: the past at the selected step (the chain stays as it was made).
unsigned jump_to_step(ActionContext& ctx) {
  const size_t sel = ctx.ui.cursor[static_cast<size_t>(ViewId::Chain)].selected;
  if (sel >= ctx.ui.chain.steps.size()) return kNothing;
  show_instant(ctx, ctx.ui.chain.steps[sel].wall_ns);
  return kRedraw;
}
// Events: why did the selected exit, crash or restart happen? The chain that led to it.
unsigned why(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view != ViewId::Events) {
    ui.message = "x explains an event: select an exit, a crash or a restart in Events (3) first";
    return kRedraw;
  }
  {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    follow_selection(ui, ViewId::Events, r);
    const size_t sel = ui.cursor[static_cast<size_t>(ViewId::Events)].selected;
    if (sel >= ui.events.size() || ui.events.rows()[sel]->not_sent > 0) return kNothing;
    ui.chain_seq = ui.events.rows()[sel]->seq;
    ui.chain = view::explain_exit(r, ui.chain_seq);
  }
  ui.cursor[static_cast<size_t>(ViewId::Chain)] = ListCursor{};
  // The cursor starts on the event asked for.
  for (size_t i = 0; i < ui.chain.steps.size(); ++i)
    if (ui.chain.steps[i].selected) {
      ui.cursor[static_cast<size_t>(ViewId::Chain)].selected = i;
      ui.cursor[static_cast<size_t>(ViewId::Chain)].at_top = false;
    }
  show(ctx, ViewId::Chain);
  if (!ui.chain.found || ui.chain.steps.empty()) ui.message = ui.chain.note;
  return kRedraw;
}
// What changed? m marks the tree at the instant shown (live or past); d compares the instant
// shown then with it.
unsigned mark(ActionContext& ctx) {
  {
    auto lock = ctx.client.lock();
    ctx.ui.mark = view::mark_tree(ctx.client.replica(), ctx.ui.node);
  }
  ctx.ui.message = "marked " + view::format_instant(ctx.ui.mark.wall_ns, now_of(ctx.ui)) + " (" +
                   std::to_string(ctx.ui.mark.actors.size()) + " actors): go to another instant, then d shows what changed";
  return kRedraw;
}
unsigned diff(ActionContext& ctx) {
  if (!ctx.ui.mark.set) {
    ctx.ui.message = "d compares with a marked instant: press m first (then t, [ or ] to another instant)";
    return kRedraw;
  }
  {
    auto lock = ctx.client.lock();
    ctx.ui.diff = view::diff_trees(ctx.ui.mark, view::mark_tree(ctx.client.replica(), ctx.ui.mark.node));
  }
  ctx.ui.cursor[static_cast<size_t>(ViewId::Diff)] = ListCursor{};
  return show(ctx, ViewId::Diff);
}
uint64_t steady_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}
// Plays the past forward from the instant shown (from where history begins when live).
unsigned play(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.playback.playing()) {
    ui.playback.pause();
    ui.message = "paused at " + view::format_instant(ui.playback.position(), now_of(ui));
    return kRedraw;
  }
  bool started, told;
  {
    auto lock = ctx.client.lock();
    started = ui.playback.play(ctx.client.replica(), now_of(ui), steady_ns());
    told = ctx.client.replica().timeline().has_value();
  }
  if (started) return kRedraw;
  if (told) {
    ui.message = "nothing to play: the collector keeps no history";
  } else {  // live, and the collector has not said where its history begins yet: ask, then play
    ctx.client.request_timeline(0, 0);
    ui.play_pending = true;
    ui.message = "asking the collector where its history begins ...";
  }
  return kRedraw;
}
unsigned faster(ActionContext& ctx) {
  ctx.ui.playback.change_speed(+1);
  ctx.ui.message = ctx.ui.playback.playing() ? "" : "speed " + ctx.ui.playback.speed_text() + " (p plays)";
  return kRedraw;
}
unsigned slower(ActionContext& ctx) {
  ctx.ui.playback.change_speed(-1);
  ctx.ui.message = ctx.ui.playback.playing() ? "" : "speed " + ctx.ui.playback.speed_text() + " (p plays)";
  return kRedraw;
}
unsigned ask_time(ActionContext& ctx) {
  ctx.ui.asking_time = true;
  ctx.ui.time_input.clear();
  return kRedraw;
}
unsigned step_back(ActionContext& ctx) {
  uint64_t to;
  {
    auto lock = ctx.client.lock();
    to = view::step_instant(ctx.client.replica(), now_of(ctx.ui), -10);
  }
  show_instant(ctx, to);
  return kRedraw;
}
unsigned step_forward(ActionContext& ctx) {
  uint64_t to;
  {
    auto lock = ctx.client.lock();
    if (!ctx.client.replica().showing_past() && ctx.client.shown_instant() == 0) return kNothing;  // live: nothing later
    to = view::step_instant(ctx.client.replica(), now_of(ctx.ui), 10);
  }
  show_instant(ctx, to);
  return kRedraw;
}
unsigned time_key(int key, ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (key == kEsc) {
    ui.asking_time = false;
  } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
    ui.asking_time = false;
    uint64_t wall = 0;
    std::string error;
    if (!view::parse_instant(ui.time_input.empty() ? "now" : ui.time_input, now_of(ui), wall, error))
      ui.message = error;
    else
      show_instant(ctx, wall);
  } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
    if (!ui.time_input.empty()) ui.time_input.pop_back();
  } else if (key >= 32 && key < 127 && ui.time_input.size() < 40) {
    ui.time_input += static_cast<char>(key);
  }
  return kRedraw;
}

unsigned search(ActionContext& ctx) {
  ctx.ui.searching = true;
  ctx.ui.search_input.clear();
  return kRedraw;
}
unsigned search_next(ActionContext& ctx);

// Flow: the selected edge's receiving type leads to its actors, in Actors filtered on it.
unsigned actors_of_type(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view != ViewId::Flow) return 0;
  std::string type;
  {
    auto lock = ctx.client.lock();
    const auto edges = view::flow_map(ctx.client.replica(), ui.node, ui.thresholds).edges;
    const size_t sel = ui.cursor[static_cast<size_t>(ViewId::Flow)].selected;
    if (sel >= edges.size()) return 0;
    type = std::get<2>(edges[sel].key);
  }
  ui.search = ui.actors_query.filter = type;
  show(ctx, ViewId::Actors);  // (clears the message: it is set after)
  cursor(ctx) = ListCursor{};
  ui.message = "Actors filtered on '" + type + "' (the receiving type): / then Enter on an empty search clears it";
  return kRedraw;
}

// s: the flow by supervisor subtree of the selected actor (its own subtree when it is a
// supervisor, else its supervisor's); in Flow, back and forth between by type and by subtree
// (from the node's root supervisor).
unsigned flow_by_subtree(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Flow && ui.flow_subtree) {
    ui.flow_subtree.reset();
    ui.cursor[static_cast<size_t>(ViewId::Flow)] = ListCursor{};
    return kRedraw;
  }
  // From Flow by type (no actor chosen there): the node's root supervisor, to go down from.
  std::optional<view::ActorKey> from = ui.view == ViewId::Flow ? std::nullopt : selected_actor(ctx);
  std::optional<view::ActorKey> root;
  {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    if (from && r.actor(*from)) {
      if (uint64_t s = view::subtree_flow_root(r, from->node, from->actor)) {
        root = view::ActorKey{from->node, s};
      } else {  // a worker of no supervisor: not the flow within another's subtree
        ui.message = view::actor_name(r, *from) + " has no supervisor: 6 (by type) and its Detail show who sends to it";
        return kRedraw;
      }
    }
    if (!root)  // nothing chosen: the first root supervisor of the node shown
      for (const view::Actor& a : r.actors())
        if (a.is_supervisor() && a.row.parent == 0 && (ui.node == 0 || a.row.node == ui.node))
          if (!root || std::pair(a.row.node, a.row.actor) < std::pair(root->node, root->actor)) root = a.key();
  }
  if (!root) {
    ui.message = "no supervisor to show the flow within: select one (or one of its workers) in Tree or Actors, then s";
    return kRedraw;
  }
  return show_subtree(ctx, *root);
}

// u: the flow by subtree, one supervisor up.
unsigned flow_up(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view != ViewId::Flow || !ui.flow_subtree) return kNothing;
  uint64_t parent = 0;
  {
    auto lock = ctx.client.lock();
    if (const view::Actor* a = ctx.client.replica().actor(*ui.flow_subtree)) parent = a->row.parent;
  }
  if (parent == 0) {
    ui.message = "this supervisor is a root: s or Esc shows the flow by type";
    return kRedraw;
  }
  return show_subtree(ctx, view::ActorKey{ui.flow_subtree->node, parent});
}

// Applies a confirmed search: Tree jumps to the next match, Actors and Events filter.
void apply_search(ActionContext& ctx, size_t from) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Actors) {
    ui.actors_query.filter = ui.search;
    cursor(ctx) = ListCursor{};
  } else if (ui.view == ViewId::Events) {
    ui.events_query.filter = ui.search;
    cursor(ctx) = ListCursor{};
  } else {
    if (ui.view != ViewId::Tree) show(ctx, ViewId::Tree);
    auto lock = ctx.client.lock();
    ui.tree.update(ctx.client.replica(), ui.node);
    auto hit = ui.tree.search(ctx.client.replica(), ui.search, from);
    if (hit) {
      ui.cursor[static_cast<size_t>(ViewId::Tree)].selected = *hit;
      ui.cursor[static_cast<size_t>(ViewId::Tree)].at_top = false;
      remember_selection(ui, ViewId::Tree, ctx.client.replica());
    } else
      ui.message = "not found: " + ui.search;
  }
}
unsigned search_next(ActionContext& ctx) {
  if (ctx.ui.search.empty()) return kNothing;
  apply_search(ctx, ctx.ui.cursor[static_cast<size_t>(ViewId::Tree)].selected + 1);
  return kRedraw;
}

unsigned search_key(int key, ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (key == kEsc) {
    ui.searching = false;
  } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
    ui.searching = false;
    ui.search = ui.search_input;
    ui.message.clear();
    apply_search(ctx, ui.cursor[static_cast<size_t>(ViewId::Tree)].selected);
  } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
    if (!ui.search_input.empty()) ui.search_input.pop_back();
  } else if (key >= 32 && key < 127 && ui.search_input.size() < 200) {
    ui.search_input += static_cast<char>(key);
  }
  return kRedraw;
}

}  // namespace

unsigned move_selection(ActionContext& ctx, long delta) { return move_to(ctx, delta, false); }

unsigned advance_playback(ActionContext& ctx, uint64_t steady) {
  UiState& ui = ctx.ui;
  std::optional<uint64_t> at;
  {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    if (ui.play_pending && r.timeline()) {
      ui.play_pending = false;
      if (!ui.playback.play(r, now_of(ui), steady)) {
        ui.message = "nothing to play: the collector keeps no history";
        return kRedraw;
      }
      ui.message.clear();
    }
    if (!ui.playback.playing()) return kNothing;
    at = ui.playback.tick(r, ui.instant_request, now_of(ui), steady);
  }
  if (!at) return kNothing;
  ui.instant_request = ctx.client.show_instant(*at);
  return kRedraw;
}
unsigned show_view(ActionContext& ctx, ViewId v) { return show(ctx, v); }

const std::vector<KeyBinding>& key_bindings() {
  static const std::vector<KeyBinding> table = {
      {{KEY_UP, 'k'}, up, "Up, k", "move up"},
      {{KEY_DOWN, 'j'}, down, "Down, j", "move down"},
      {{KEY_PPAGE, 2 /* ^B */}, page_up, "PgUp, ^B", "page up"},
      {{KEY_NPAGE, 6 /* ^F */}, page_down, "PgDn, ^F", "page down"},
      {{'g', KEY_HOME}, top, "g, Home", "first row, and stay there as rows re-sort"},
      {{'G', KEY_END}, bottom, "G, End", "last row"},
      {{'\n', '\r', KEY_ENTER}, enter, "Enter", "detail (tree: expand; events: cascade; flow: history)"},
      {{KEY_LEFT, 'h'}, left, "Left, h", "tree: collapse; actors: previous sort column"},
      {{KEY_RIGHT, 'l'}, right, "Right, l", "tree: expand; actors: next sort column"},
      {{'i'}, invert, "i", "invert the sort order"},
      {{'/'}, search, "/", "search (tree: jump; actors, events: filter)"},
      {{'N'}, search_next, "N", "next search match"},
      {{'n'}, next_node, "n", "next node (then all nodes)"},
      {{'t'}, ask_time, "t", "show the past: an instant (10:42:17, -5m, a date, now)"},
      {{'['}, step_back, "[", "the past: 10 s earlier"},
      {{']'}, step_forward, "]", "the past: 10 s later (past the newest: live)"},
      {{'x'}, why, "x", "events: why? the chain that led to this exit/restart"},
      {{'p'}, play, "p", "the past: play forward from the instant shown / pause"},
      {{'+', '='}, faster, "+", "the past: play faster (up to 64x)"},
      {{'-'}, slower, "-", "the past: play slower (down to 0.25x)"},
      {{'m'}, mark, "m", "mark the instant shown (live or past) to compare with"},
      {{'d'}, diff, "d", "what changed since the mark (spawns, exits, restarts)"},
      {{'T'}, toggle_telemetry, "T", "events: show / hide telemetry events"},
      {{'w'}, toggle_warnings, "w", "events: show / hide warnings raised and cleared"},
      {{'K'}, ask_kill, "K", "kill the selected actor (asks y/n)"},
      {{'e'}, export_csv, "e", "export Actors or Events as CSV (file named below)"},
      {{'c'}, copy_row, "c", "copy the selected row as CSV (OSC 52 clipboard)"},
      {{'W'}, export_history, "W", "save the history (flight recorder) to a file"},
      {{'a'}, actors_of_type, "a", "flow: the receiving type's actors, in Actors"},
      {{'s'}, flow_by_subtree, "s", "flow by subtree: the selected actor's supervisor's"},
      {{'u'}, flow_up, "u", "flow by subtree: up to the supervisor's supervisor"},
      {{' '}, pause, "Space", "pause / resume updates"},
      {{kTab}, next_view, "Tab", "next view"},
      {{'1'}, view1, "1", "Tree"},
      {{'2'}, view2, "2", "Actors"},
      {{'3'}, view3, "3", "Events"},
      {{'4'}, view4, "4", "Telemetry"},
      {{'5'}, view5, "5", "Warnings"},
      {{'6'}, view6, "6", "Flow: messages between actor types (sampled)"},
      {{'?', KEY_F(1)}, help, "?", "this help"},
      {{kEsc, KEY_BACKSPACE}, back, "Esc", "back: Detail, Help, Chain, Diff, flow history/subtree"},
      {{'q', 'Q'}, quit, "q", "quit"},
  };
  return table;
}

unsigned handle_key(int key, ActionContext& ctx) {
  if (ctx.ui.searching) return search_key(key, ctx);
  if (ctx.ui.asking_time) return time_key(key, ctx);
  if (ctx.ui.kill_asked) return answer_kill(key, ctx);
  for (const auto& b : key_bindings())
    for (int code : b.codes)
      if (code == key) {
        ctx.ui.message.clear();
        return b.action(ctx);
      }
  return kNothing;
}

}  // namespace actorscope::tui
