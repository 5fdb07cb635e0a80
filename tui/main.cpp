// actorscope-top: the terminal observer (ncurses), a thin renderer of the view library.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <thread>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>

#include "app.hpp"
#include "panels.hpp"
#include "glyphs.hpp"
#include "export_command.hpp"
#include "options.hpp"
#include "actorscope/view/client.hpp"
#include "actorscope/view/instant.hpp"
#include "actorscope/collector/collector.hpp"
#include "actorscope/collector/log.hpp"

using namespace actorscope;

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  signal(SIGPIPE, SIG_IGN);  // a collector gone mid-write is a status line, not a crash (TLS writes too)
  tui::Options o;
  if (auto code = tui::parse_options(argc, argv, o)) return *code;
  std::string token, token_error;
  if (!view::read_token(o.token_file, token, token_error)) {
    std::fprintf(stderr, "actorscope-top: %s\n", token_error.c_str());
    return 1;
  }
  std::unique_ptr<collector::Collector> embedded;  // outlives the client that connects to it
  std::string address = o.collector;
  std::string log_file;
  std::string listen = o.listen;
  if (!o.open.empty()) {
    // A recording: a collector inside replays it as fast as it can, on a socket of its own.
    const char* tmp = std::getenv("TMPDIR");
    listen = "unix:" + std::string(tmp && *tmp ? tmp : "/tmp") + "/actorscope-top." + std::to_string(::getpid()) + ".sock";
  }
  if (!listen.empty()) {
    std::string error;
    collector::CollectorSettings cs = collector::Collector::inside_viewer(listen, token, "actorscope-top (embedded collector)");
    cs.replay = o.open;
    embedded = std::make_unique<collector::Collector>(cs);
    if (!o.batch) {
      // The terminal belongs to the viewer: the collector's log lines go to a file.
      const char* tmp = std::getenv("TMPDIR");
      log_file = std::string(tmp && *tmp ? tmp : "/tmp") + "/actorscope-top." + std::to_string(::getpid()) + ".log";
      if (!collector::log_to_file(log_file, error)) {
        std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
        return 1;
      }
    }
    if (!embedded->start_in_background(error)) {
      std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
      return 1;
    }
    address = embedded->bound_addresses().front();
  }
  // The end of the recording is its "now": --at -5m and t count back from there.
  uint64_t recording_end_wall_ns = 0;
  std::string replay_note;
  if (!o.open.empty()) {
    std::optional<collector::ReplayResult> done;
    while (!(done = embedded->replay_result())) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!done->ok) {
      std::fprintf(stderr, "actorscope-top: cannot open %s: %s\n", o.open.c_str(), done->error.c_str());
      return 1;
    }
    if (!done->lost.empty()) replay_note = "the recording was cut short: " + done->lost;
    std::lock_guard<std::mutex> lock(embedded->model_mutex());
    const collector::History& h = embedded->history();
    recording_end_wall_ns = h.to_wall(h.stats().ends_at);
  }
  view::ClientOptions co;
  if (o.tls) {
    std::string error;
    if (!view::client_tls(o.tls_ca, o.tls_cert, o.tls_key, co.tls, error)) {
      std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
      return 1;
    }
  }
  co.address = address;
  if (o.listen.empty()) {
    // Collectors from --collectors FILE, then each --collector: two or more make a fleet.
    std::vector<view::CollectorEntry> fleet;
    std::string error;
    if (!o.collectors_file.empty() && !view::read_collectors_file(o.collectors_file, fleet, error)) {
      std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
      return 2;
    }
    for (const std::string& text : o.collectors) {
      view::CollectorEntry e;
      if (!view::parse_collector_entry(text, e, error)) {
        std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
        return 2;
      }
      fleet.push_back(e);
    }
    if (fleet.size() == 1) co.address = fleet.front().address;
    if (fleet.size() >= 2) co.fleet = fleet;
  }
  co.node = o.node;
  co.token = token;
  view::Client client(co);
  tui::UiState ui;
  ui.clock_end_wall_ns = recording_end_wall_ns;
  ui.replay_name = o.open;
  if (!replay_note.empty()) ui.message = replay_note;
  if (!o.at.empty()) {
    uint64_t wall = 0;
    std::string error;
    const uint64_t now = recording_end_wall_ns ? recording_end_wall_ns : tui::wall_clock_ns();
    if (!view::parse_instant(o.at, now, wall, error)) {
      std::fprintf(stderr, "actorscope-top: --at: %s\n", error.c_str());
      return 2;
    }
    if (wall != 0) ui.instant_request = client.show_instant(wall);  // asked first, with the subscription
  }
  client.start();
  ui.pinned_node = o.node;
  ui.export_dir = o.export_dir;
  if (!o.listen.empty() && !o.batch) ui.message = "collector inside, agents connect to " + address + " (log: " + log_file + ")";
  ui.glyphs = tui::locale_is_utf8() ? tui::kUnicodeGlyphs : tui::kAsciiGlyphs;
  if (o.batch && !co.fleet.empty()) {
    // One frame of a fleet waits until each collector has answered or failed, so that the
    // frame shows every node that can be seen (run_batch then waits for the frame's data).
    for (int waited = 0; waited < o.wait_ms && !client.settled(); waited += 20)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int rc = !o.export_history.empty() ? tui::run_export_history(client, o)
           : o.batch                   ? tui::run_batch(client, ui, o)
                                       : tui::run_interactive(client, ui, o.mouse);
  client.stop();
  if (embedded) embedded->stop();
  return rc;
}
