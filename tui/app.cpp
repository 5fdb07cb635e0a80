// The loop: wait for a key or for data, run the bound action, and redraw when a key, new
// data, a resize or the clock asks for it.
#include "app.hpp"

#include "actorscope/view/instant.hpp"

#include <curses.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "curses_canvas.hpp"
#include "keys.hpp"
#include "export_command.hpp"
#include "kill_command.hpp"
#include "mouse.hpp"
#include "panels.hpp"
#include "actorscope/view/detail.hpp"

namespace actorscope::tui {

namespace {
// Redraw at least this often with no data (ages, rates and budgets move with time alone);
// data and keys redraw at once.
constexpr auto kClockRedraw = std::chrono::seconds(1);
// The flow by supervisor subtree is asked of the collector again this often while it shows.
constexpr uint64_t kSubtreeFlowRefreshNs = 1'000'000'000;


// A curses mouse event as the viewer knows it; nullopt for presses it does not use.
std::optional<MouseEvent> read_mouse() {
  MEVENT ev;
  if (getmouse(&ev) != OK) return std::nullopt;
  if (ev.bstate & BUTTON4_PRESSED) return MouseEvent{MouseEvent::Kind::WheelUp, ev.x, ev.y};
#ifdef BUTTON5_PRESSED
  if (ev.bstate & BUTTON5_PRESSED) return MouseEvent{MouseEvent::Kind::WheelDown, ev.x, ev.y};
#endif
  if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return MouseEvent{MouseEvent::Kind::Click, ev.x, ev.y};
  return std::nullopt;
}

// Bytes for the terminal itself (OSC 52), after curses has drawn the frame.
void write_terminal(std::string& out) {
  for (size_t done = 0; done < out.size();) {
    ssize_t n = ::write(STDOUT_FILENO, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.clear();
}

}  // namespace

int run_interactive(view::Client& client, UiState& ui, bool mouse) {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    std::fprintf(stderr, "actorscope-top: not a terminal; use --batch to print one frame\n");
    return 2;
  }
  if (!initscr()) {
    std::fprintf(stderr, "actorscope-top: cannot initialise the terminal (TERM=%s)\n", std::getenv("TERM") ? std::getenv("TERM") : "");
    return 1;
  }
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  nodelay(stdscr, TRUE);  // the wait is the poll below, on the keyboard and the client at once
  if (mouse) {
    // Presses, not clicks: a click is acted on at once, however short (no wait for a release).
    mouseinterval(0);
    mmask_t wheel = BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
    wheel |= BUTTON5_PRESSED;
#endif
    mousemask(BUTTON1_PRESSED | wheel, nullptr);
  }
  bool color = std::getenv("NO_COLOR") == nullptr || std::getenv("NO_COLOR")[0] == '\0';
  CursesCanvas canvas(color);
  ActionContext ctx{ui, client};
  uint64_t drawn_updates = ~0ull;
  bool dirty = true;
  auto last_draw = std::chrono::steady_clock::now();
  for (;;) {
    // Every key curses already holds, not only one: poll() cannot see its buffer.
    bool quit = false;
    for (int key = getch(); key != ERR; key = getch()) {
      if (key == KEY_RESIZE) {
        dirty = true;
        continue;
      }
      unsigned r = kNothing;
      if (key == KEY_MOUSE) {
        if (auto m = read_mouse()) r = handle_mouse(*m, ctx);
      } else {
        r = handle_key(key, ctx);
      }
      if (r & kQuit) {
        quit = true;
        break;
      }
      if (r & kRedraw) dirty = true;
    }
    if (quit) break;
    if (ui.playback.playing() || ui.play_pending) {  // the past played forward: the next instant once the last has come
      const uint64_t steady = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                        std::chrono::steady_clock::now().time_since_epoch()).count());
      if (advance_playback(ctx, steady) & kRedraw) dirty = true;
    }
    auto now = std::chrono::steady_clock::now();
    if (ui.view == ViewId::Flow && ui.flow_subtree) {  // the flow by subtree: asked again every second
      const uint64_t steady = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
      if (ui.flow_subtree_asked_ns == 0 || steady - ui.flow_subtree_asked_ns >= kSubtreeFlowRefreshNs) {
        client.request_subtree_flow(ui.flow_subtree->node, ui.flow_subtree->actor);
        ui.flow_subtree_asked_ns = steady;
      }
    }
    if (client.updates() != drawn_updates || now - last_draw >= kClockRedraw) dirty = true;
    if (dirty) {
      ui.status = client.status();
      erase();
      {
        auto lock = client.lock();
        drawn_updates = client.updates();
        show_kill_result(ui, client.replica());
        show_history_export(ui, client);
        draw_frame(canvas, client.replica(), ui);
        if (ui.detail_moved && ui.detail) client.replica().watch(*ui.detail);
      }
      if (ui.detail_moved && ui.detail) {  // Detail followed its child to a new incarnation
        ui.detail_moved = false;
        client.request_detail(ui.detail->node, ui.detail->actor);
      }
      refresh();
      if (!ui.terminal_out.empty()) write_terminal(ui.terminal_out);
      dirty = false;
      last_draw = now;
    }
    // Sleep until a key, data from the collector, or the clock (values that age with time).
    auto until_clock = std::chrono::duration_cast<std::chrono::milliseconds>(
        kClockRedraw - (std::chrono::steady_clock::now() - last_draw));
    pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {client.update_fd(), POLLIN, 0}};
    int n = client.update_fd() >= 0 ? 2 : 1;
    int wait_ms = std::max<int>(0, static_cast<int>(until_clock.count()));
    if (ui.playback.playing() || ui.play_pending) wait_ms = std::min(wait_ms, 50);  // the next step of the past is due soon
    ::poll(pf, n, wait_ms);
    if (n == 2 && (pf[1].revents & POLLIN)) client.consume_update_signal();
  }
  endwin();
  return 0;
}

int run_batch(view::Client& client, UiState& ui, const Options& o) {
  // Wait for a snapshot and one delta after it, so that rates are filled in.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.wait_ms);
  // A past instant (--at): its whole snapshot, or the collector's refusal. No deltas follow
  // a past instant.
  uint64_t first_version = 0;
  for (;;) {
    {
      auto lock = client.lock();
      const auto& r = client.replica();
      if (ui.instant_request != 0) {
        if (r.instant().request == ui.instant_request && !r.instant().message.empty()) {  // refused
          const std::string reach = view::history_reach(r, ui.clock_end_wall_ns ? ui.clock_end_wall_ns : wall_clock_ns());
          std::fprintf(stderr, "actorscope-top: --at: %s%s\n", r.instant().message.c_str(), reach.empty() ? "" : ("; " + reach).c_str());
          return 1;
        }
        if (r.past_ready()) break;
      } else if (r.has_snapshot()) {
        if (first_version == 0) first_version = r.version();
        else if (r.version() > first_version + 1) break;
      }
    }
    // One frame now, like top -b: a collector that cannot be reached is said at once.
    if (std::string error = client.connect_error(); !error.empty()) {
      std::fprintf(stderr, "actorscope-top: %s (is the collector running? --collector ADDR)\n", error.c_str());
      return 1;
    }
    if (client.state() == view::ClientState::Rejected) {
      std::fprintf(stderr, "actorscope-top: %s\n", client.status().c_str());
      return 1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      if (ui.instant_request != 0 && client.state() == view::ClientState::Connected) {
        std::fprintf(stderr, "actorscope-top: --at: no past instant within %d ms (a collector older than the flight recorder does not answer)\n", o.wait_ms);
        return 1;
      }
      std::fprintf(stderr, "actorscope-top: no snapshot within %d ms: %s\n", o.wait_ms, client.status().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int w = o.width, h = o.height;
  if (w == 0 && std::getenv("COLUMNS")) w = std::atoi(std::getenv("COLUMNS"));
  if (h == 0 && std::getenv("LINES")) h = std::atoi(std::getenv("LINES"));
  if (w < 40) w = 120;
  if (h < 10) h = 40;
  ui.view = o.view;
  ui.tree = view::TreeModel(o.tree);
  if (o.view == ViewId::Detail) {
    std::optional<view::ActorKey> key;
    {
      auto lock = client.lock();
      resolve_pinned_node(ui, client.replica());
      key = view::find_actor(client.replica(), o.actor, ui.node);
    }
    if (!key) {
      std::fprintf(stderr, "actorscope-top: no live actor '%s' (give a name, child id or id from the tree)\n", o.actor.c_str());
      return 1;
    }
    ui.detail = key;
    // Links and recent events come with the collector's reply; wait for it a while.
    client.request_detail(key->node, key->actor);
    for (;;) {
      {
        auto lock = client.lock();
        const auto& reply = client.replica().detail();
        if (reply && reply->node == key->node && reply->actor == key->actor) break;
      }
      if (std::chrono::steady_clock::now() > deadline) break;  // shown without the reply's links
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (o.view == ViewId::Flow && !o.actor.empty()) {
    // The flow within the actor's supervisor subtree, as the collector answers it.
    std::optional<view::ActorKey> sup;
    {
      auto lock = client.lock();
      resolve_pinned_node(ui, client.replica());
      if (auto key = view::find_actor(client.replica(), o.actor, ui.node))
        if (uint64_t root = view::subtree_flow_root(client.replica(), key->node, key->actor)) sup = view::ActorKey{key->node, root};
    }
    if (!sup) {
      std::fprintf(stderr, "actorscope-top: no live actor '%s' with a supervisor (give a name, child id or id from the tree)\n",
                   o.actor.c_str());
      return 1;
    }
    // Asked again when the supervisor was restarted meanwhile (the answer: not a live actor),
    // at its new id.
    ui.flow_subtree = sup;
    client.request_subtree_flow(sup->node, sup->actor);
    for (;;) {
      std::optional<view::ActorKey> again;
      {
        auto lock = client.lock();
        const view::Replica& r = client.replica();
        const auto& reply = r.subtree_flow();
        if (reply && reply->node == sup->node && reply->supervisor == sup->actor) {
          if (reply->found) break;
          if (auto key = view::find_actor(r, o.actor, ui.node))
            if (uint64_t root = view::subtree_flow_root(r, key->node, key->actor); root != 0 && root != sup->actor)
              again = view::ActorKey{key->node, root};
        }
      }
      if (std::chrono::steady_clock::now() > deadline) break;  // shown as asked, not answered
      if (again) {
        sup = again;
        ui.flow_subtree = sup;
        client.request_subtree_flow(sup->node, sup->actor);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  TextCanvas canvas(w, h);
  ui.status = client.status();
  {
    auto lock = client.lock();
    draw_frame(canvas, client.replica(), ui);
  }
  std::fputs(canvas.str().c_str(), stdout);
  return 0;
}

}  // namespace actorscope::tui
