// The loop: read a key or wait a little, run the bound action, and redraw when a key,
// new data, a resize or the clock asks for it.
#include "App.hpp"

#include <curses.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "CursesCanvas.hpp"
#include "Keys.hpp"
#include "KillCommand.hpp"
#include "Panels.hpp"

namespace actorscope::tui {

namespace {
constexpr int kMaxRedrawsPerSecond = 10;  // data arrives at <= 10 Hz; keys redraw at once
}

int run_interactive(view::Client& client, UiState& ui) {
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
  timeout(1000 / kMaxRedrawsPerSecond);
  bool color = std::getenv("NO_COLOR") == nullptr || std::getenv("NO_COLOR")[0] == '\0';
  CursesCanvas canvas(color);
  ActionContext ctx{ui, client};
  uint64_t drawn_updates = ~0ull;
  bool dirty = true;
  auto last_draw = std::chrono::steady_clock::now();
  for (;;) {
    int key = getch();
    if (key == KEY_RESIZE) dirty = true;
    else if (key != ERR) {
      unsigned r = handle_key(key, ctx);
      if (r & kQuit) break;
      if (r & kRedraw) dirty = true;
    }
    auto now = std::chrono::steady_clock::now();
    if (client.updates() != drawn_updates || now - last_draw > std::chrono::seconds(1)) dirty = true;
    if (!dirty) continue;
    ui.status = client.status();
    erase();
    {
      auto lock = client.lock();
      drawn_updates = client.updates();
      show_kill_result(ui, client.replica());
      draw_frame(canvas, client.replica(), ui);
    }
    refresh();
    dirty = false;
    last_draw = now;
  }
  endwin();
  return 0;
}

int run_batch(view::Client& client, UiState& ui, const Options& o) {
  // Wait for a snapshot and one delta after it, so that rates are filled in.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.wait_ms);
  uint64_t first_version = 0;
  for (;;) {
    {
      auto lock = client.lock();
      const auto& r = client.replica();
      if (r.has_snapshot()) {
        if (first_version == 0) first_version = r.version();
        else if (r.version() > first_version + 1) break;
      }
    }
    if (client.state() == view::ClientState::Rejected || std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "actorscope-top: %s\n", client.status().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int w = o.width, h = o.height;
  if (w == 0 && std::getenv("COLUMNS")) w = std::atoi(std::getenv("COLUMNS"));
  if (h == 0 && std::getenv("LINES")) h = std::atoi(std::getenv("LINES"));
  if (w < 40) w = 120;
  if (h < 10) h = 40;
  TextCanvas canvas(w, h);
  ui.view = o.view;
  ui.status = client.status();
  {
    auto lock = client.lock();
    draw_frame(canvas, client.replica(), ui);
  }
  std::fputs(canvas.str().c_str(), stdout);
  return 0;
}

}  // namespace actorscope::tui
