// actorscope-gui: opens the window, runs frames until closed, or takes one screenshot and exits.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "app.hpp"
#include "client_feed.hpp"
#include "data_waker.hpp"
#include "frame_pacer.hpp"
#include "drawn_text.hpp"
#include "options.hpp"
#include "probe.hpp"
#include "screenshot.hpp"
#include "style.hpp"
#include "synthetic_feed.hpp"
#include "window.hpp"
#include "actorscope/collector/collector.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/instant.hpp"
#include "imgui.h"

using namespace actorscope::gui;

namespace {

// $XDG_CONFIG_HOME/actorscope/imgui.ini (or ~/.config/...); empty when neither is known.
std::string settings_path() {
  std::filesystem::path dir;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    dir = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    dir = std::filesystem::path(h) / ".config";
  else
    return {};
  dir /= "actorscope";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? std::string() : (dir / "imgui.ini").string();
}

Panel panel_by_name(const std::string& name) {
  if (name == "tree") return Panel::Tree;
  if (name == "actors" || name == "actor") return Panel::Actors;
  if (name == "events") return Panel::Events;
  if (name == "telemetry") return Panel::Telemetry;
  if (name == "warnings") return Panel::Warnings;
  if (name == "flow") return Panel::Flow;
  return Panel::Overview;
}

// --snap-dir: SIGUSR1 asks for the next frame; the pipe wakes the waiting loop (a signal
// handler may write to a pipe, not call GLFW).
volatile sig_atomic_t g_snap_asked = 0;
int g_snap_pipe[2] = {-1, -1};
void on_snap_signal(int) {
  g_snap_asked = 1;
  const char c = 1;
  if (g_snap_pipe[1] >= 0) (void)!::write(g_snap_pipe[1], &c, 1);
}

// Writes DIR/N.png (the frame) and then DIR/N.txt: when the .txt is there, both are whole.
bool write_snap(const std::string& dir, int n, double wall_s, int w, int h, const std::vector<uint8_t>& rgba,
                std::string& error) {
  const std::string base = dir + "/" + std::to_string(n);
  if (!write_png(base + ".png", w, h, rgba, error)) return false;
  char when[48];
  std::snprintf(when, sizeof when, "%.6f", wall_s);
  {
    std::ofstream out(base + ".txt.tmp");
    out << "frame-wall-s|" << when << "\n" << probe::text() << "--- drawn text\n" << drawn_text::last_frame() << "\n";
    if (!out) {
      error = "cannot write " + base + ".txt (does the folder exist and is it writable?)";
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(base + ".txt.tmp", base + ".txt", ec);
  return !ec;
}

// The actor most worth a look: the deepest mailbox (for `--panel actor`).
std::optional<actorscope::view::ActorKey> busiest(const actorscope::view::Replica& r) {
  const actorscope::view::Actor* best = nullptr;
  for (const auto& a : r.actors())
    if (!best || a.stats.mailbox > best->stats.mailbox) best = &a;
  if (!best) return std::nullopt;
  return best->key();
}

// The actor named `name` (as the viewers name it) on `node` (0: any node).
std::optional<actorscope::view::ActorKey> named(const actorscope::view::Replica& r, actorscope::view::NodeId node, const std::string& name) {
  for (const auto& a : r.actors())
    if ((node == 0 || a.row.node == node) && actorscope::view::display_name(a.row) == name) return a.key();
  return std::nullopt;
}

// CPU time of the whole process (a software renderer's threads included), in seconds.
double process_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

uint64_t wall_clock_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (int rc = parse_options(argc, argv, opts); rc != 0) return rc == 1 ? 0 : 2;
  signal(SIGPIPE, SIG_IGN);  // a collector gone mid-write is a status line, not a crash (TLS writes too)

  std::unique_ptr<actorscope::collector::Collector> embedded;  // outlives the feed that connects to it
  std::unique_ptr<Feed> feed;
  uint64_t clock_end_wall_ns = 0;  // --open: the recording's end
  uint64_t at_wall_ns = 0;         // --at: the past instant shown first
  if (opts.synthetic) {
    actorscope::view::SyntheticSettings s;
    s.actors = opts.synthetic;
    feed = std::make_unique<SyntheticFeed>(s);
  } else {
    std::string token, token_error;
    if (!actorscope::view::read_token(opts.token_file, token, token_error)) {
      std::fprintf(stderr, "actorscope-gui: %s\n", token_error.c_str());
      return 1;
    }
    actorscope::view::ClientOptions co;
    co.wake_on_ticks = false;  // the frame pacer shows heartbeats with its next idle frame
    if (opts.tls) {
      std::string error;
      if (!actorscope::view::client_tls(opts.tls_ca, opts.tls_cert, opts.tls_key, co.tls, error)) {
        std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
        return 1;
      }
    }
    if (!opts.collector.empty()) co.address = opts.collector;
    {
      // Collectors from --collectors FILE, then each --collector: two or more make a fleet.
      std::vector<actorscope::view::CollectorEntry> fleet;
      std::string error;
      if (!opts.collectors_file.empty() && !actorscope::view::read_collectors_file(opts.collectors_file, fleet, error)) {
        std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
        return 2;
      }
      for (const std::string& text : opts.collectors) {
        actorscope::view::CollectorEntry e;
        if (!actorscope::view::parse_collector_entry(text, e, error)) {
          std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
          return 2;
        }
        fleet.push_back(e);
      }
      if (fleet.size() == 1) co.address = fleet.front().address;
      if (fleet.size() >= 2) co.fleet = fleet;
    }
    co.node = opts.node;
    co.token = token;
    if (!opts.listen.empty() || !opts.open.empty()) {
      // A collector inside the GUI: agents connect to --listen, the GUI to the same address;
      // or it replays a recording (--open) as fast as it can, on a socket of its own.
      namespace col = actorscope::collector;
      const char* tmp = std::getenv("TMPDIR");
      const std::string base = std::string(tmp && *tmp ? tmp : "/tmp") + "/actorscope-gui." + std::to_string(::getpid());
      const std::string log_file = base + ".log";
      const std::string listen = opts.open.empty() ? opts.listen : "unix:" + base + ".sock";
      std::string error;
      col::CollectorSettings cs = col::Collector::inside_viewer(listen, token, "actorscope-gui (embedded collector)");
      cs.replay = opts.open;
      embedded = std::make_unique<col::Collector>(cs);
      if (!col::log_to_file(log_file, error) || !embedded->start_in_background(error)) {
        std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
        return 1;
      }
      co.address = embedded->bound_addresses().front();
      if (opts.open.empty())
        std::fprintf(stderr, "actorscope-gui: collector inside, agents connect to %s (log: %s)\n", co.address.c_str(),
                     log_file.c_str());
    }
    if (!opts.open.empty()) {
      // The end of the recording is its "now": --at -5m and [ ] count back from there.
      std::optional<actorscope::collector::ReplayResult> done;
      while (!(done = embedded->replay_result())) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!done->ok) {
        std::fprintf(stderr, "actorscope-gui: cannot open %s: %s\n", opts.open.c_str(), done->error.c_str());
        return 1;
      }
      if (!done->lost.empty())
        std::fprintf(stderr, "actorscope-gui: the recording was cut short: %s\n", done->lost.c_str());
      std::lock_guard<std::mutex> lock(embedded->model_mutex());
      const actorscope::collector::History& h = embedded->history();
      clock_end_wall_ns = h.to_wall(h.stats().ends_at);
    }
    if (!opts.at.empty()) {
      std::string error;
      const uint64_t now = clock_end_wall_ns ? clock_end_wall_ns : wall_clock_ns();
      if (!actorscope::view::parse_instant(opts.at, now, at_wall_ns, error)) {
        std::fprintf(stderr, "actorscope-gui: --at: %s\n", error.c_str());
        return 2;
      }
    }
    feed = std::make_unique<ClientFeed>(co, at_wall_ns);  // the instant is asked with the subscription
  }

  const bool shot = !opts.screenshot.empty();
  WindowSettings ws;
  ws.width = opts.width;
  ws.height = opts.height;
  ws.vsync = !shot;
  ws.ignore_mouse = shot;
  ws.ini_path = shot ? std::string() : settings_path();
  Window window;
  std::string error;
  if (!window.open(ws, error)) {
    std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
    return 1;
  }
  style::apply(opts.scale);

  App app(*feed, panel_by_name(opts.panel));
  app.state().clock_end_wall_ns = clock_end_wall_ns;
  app.state().replay_name = opts.open;
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  Clock::time_point data_at{};
  int frames_with_data = 0;
  bool node_applied = opts.node.empty();
  bool why_opened = false;  // --why: the chain was found and opened
  bool flow_within_opened = false;  // --flow-within: the supervisor was found and its flow asked for
  const bool record_text = shot && !opts.drawn_text.empty();
  // Outside screenshots the loop waits: for input, for the collector's data (the waker ends
  // the wait when it arrives), for an animation's next frame, or for the clock.
  if (!opts.status_file.empty() || !opts.snap_dir.empty()) probe::enable();
  const bool snaps = !opts.snap_dir.empty();
  if (snaps) {
    if (::pipe2(g_snap_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
      std::fprintf(stderr, "actorscope-gui: --snap-dir: cannot make a pipe\n");
      return 1;
    }
    signal(SIGUSR1, on_snap_signal);
  }
  int snap_count = 0;
  FramePacer pacer;
  std::optional<DataMark> shown_mark;
  uint64_t shown_replies = 0;
  DataWaker waker(shot ? -1 : feed->update_fd(), [&] { feed->consume_update_signal(); }, [] { Window::wake(); });
  DataWaker snap_waker(snaps ? g_snap_pipe[0] : -1, [] { char b[64]; while (::read(g_snap_pipe[0], b, sizeof b) > 0) {} },
                       [] { Window::wake(); });
  const bool feed_signals = feed->update_fd() >= 0;
  uint64_t frames = 0;
  double frame_count_at = -1;
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  while (!window.should_close()) {
    if (shot) {
      window.poll_events();
    } else {
      double wait = window.input_pending() || g_snap_asked ? 0 : pacer.wait_s(seconds());
      if (!feed_signals) wait = std::min(wait, 0.05);  // a generated system ticks by the clock
      if (!opts.status_file.empty()) wait = std::min(wait, 1.0);
      window.wait_events(wait);
    }
    feed->poll();
    if (!opts.status_file.empty() && seconds() - frame_count_at >= 1.0) {
      frame_count_at = seconds();
      size_t actors = 0;
      {
        auto hold = feed->hold();
        actors = feed->replica().has_snapshot() ? feed->replica().actor_count() : 0;
      }
      // written whole, then renamed: a reader never sees half a file
      const std::string tmp = opts.status_file + ".tmp";
      std::ofstream(tmp) << "frames|" << frames << "\nactors|" << actors << "\n" << probe::text();
      std::error_code ec;
      std::filesystem::rename(tmp, opts.status_file, ec);
    }
    if (!shot) {
      if (window.take_input() || window.input_pending()) pacer.on_input(seconds());
      {
        auto hold = feed->hold();
        DataMark m = data_mark(feed->replica(), feed->connected(), feed->status());
        if (m != shown_mark) {
          shown_mark = std::move(m);
          pacer.on_data();
        }
        if (const uint64_t rm = replies_mark(feed->replica()); rm != shown_replies) {
          shown_replies = rm;
          pacer.on_reply(seconds());
        }
      }
      if (!g_snap_asked && pacer.wait_s(seconds()) > 0) continue;
    }
    const bool snap = g_snap_asked;
    g_snap_asked = 0;
    ++frames;
    const double frame_cpu_at = process_cpu_s();
    window.begin_frame();
    if (record_text || snap) drawn_text::begin_frame();
    {
      auto hold = feed->hold();
      const auto& r = feed->replica();
      if (!node_applied && r.has_snapshot()) {  // --node: show that node once it is known
        app.state().node = r.find_node(opts.node);
        node_applied = true;
      }
      // A shot waits for the collector's snapshot with at least one actor in it; past the
      // timeout an empty but answered snapshot is shown as it is.
      const bool waited_enough = Clock::now() - started > std::chrono::seconds(opts.snapshot_timeout_s);
      // With --at, the shot is of that instant: its whole snapshot, or the collector's refusal.
      const bool instant_answered = !at_wall_ns || r.past_ready() || !actorscope::view::instant_refusal(r).empty();
      // --why: the chain open, else past the timeout the shot shows what there is.
      const bool why_ready = opts.why.empty() || why_opened || waited_enough;
      // --flow-within: the collector's answer for that supervisor (else, past the timeout, what there is).
      const bool flow_ready = opts.flow_within.empty() || waited_enough ||
                              (flow_within_opened && r.subtree_flow() && r.subtree_flow()->supervisor == app.flow().subtree_shown());
      if (shot && data_at == Clock::time_point{} && r.has_snapshot() && instant_answered && why_ready && flow_ready &&
          (r.actor_count() > 0 || waited_enough)) {
        data_at = Clock::now();
        if (opts.tree_zoom == "fit") app.tree().fit_next_frame();
        else if (!opts.tree_zoom.empty()) app.tree().set_zoom(std::strtof(opts.tree_zoom.c_str(), nullptr));
        if (opts.panel == "flow") app.flow().select_busiest();  // its history in the shot
        if (opts.panel == "actor")
          if (auto k = busiest(r)) app.state().open_actor(*k);
      }
      // --why: the chain, once an event of that actor has come (a shot waits for it as for data).
      if (!opts.why.empty() && !why_opened && r.has_snapshot() && app.events().explain_newest(r, opts.why)) {
        why_opened = true;
        app.state().switch_to = actorscope::gui::Panel::Events;
      }
      // --flow-within: Flow by subtree within that supervisor, once it is known.
      if (!opts.flow_within.empty() && !flow_within_opened && r.has_snapshot())
        if (auto k = named(r, app.state().node, opts.flow_within)) {
          const uint64_t root = actorscope::view::subtree_flow_root(r, k->node, k->actor);
          if (root != 0) {
            flow_within_opened = true;
            app.flow().show_subtree(actorscope::view::ActorKey{k->node, root});
            app.state().switch_to = actorscope::gui::Panel::Flow;
          }
        }
      // The tree's shot follows the deepest mailbox, which may change while it settles.
      if (shot && data_at != Clock::time_point{} && opts.panel == "tree" && opts.tree_zoom != "fit")
        if (auto k = busiest(r); k && app.state().selected != k) app.state().jump_to(*k);
      app.draw();
    }
    if (record_text || snap) drawn_text::end_frame();
    window.render();
    if (snap) {
      timespec now{};
      clock_gettime(CLOCK_REALTIME, &now);  // the frame's time, before the PNG is encoded
      int w = 0, h = 0;
      auto rgba = window.read_back_buffer(w, h);
      if (!write_snap(opts.snap_dir, ++snap_count, now.tv_sec + now.tv_nsec * 1e-9, w, h, rgba, error))
        std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
    }
    if (shot) {
      const auto now = Clock::now();
      if (data_at == Clock::time_point{}) {
        if (now - started > std::chrono::seconds(opts.snapshot_timeout_s)) {
          std::fprintf(stderr, "actorscope-gui: no snapshot from the collector within %ds (%s)\n",
                       opts.snapshot_timeout_s, feed->status().c_str());
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting on the network, not drawing
      } else if (++frames_with_data >= opts.frames && now - data_at >= std::chrono::milliseconds(opts.settle_ms)) {
        int w = 0, h = 0;
        auto rgba = window.read_back_buffer(w, h);
        if (!write_png(opts.screenshot, w, h, rgba, error) || (record_text && !drawn_text::write(opts.drawn_text, error))) {
          std::fprintf(stderr, "actorscope-gui: %s\n", error.c_str());
          return 1;
        }
        return 0;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(15));
      }
    }
    window.present();
    const double cpu_now = process_cpu_s();
    pacer.drew(seconds(), app.animating(), cpu_now - frame_cpu_at, cpu_now);
  }
  return 0;
}
