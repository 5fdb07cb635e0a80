// actorscope-top: the terminal observer (ncurses), a thin renderer of the view library.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <thread>
#include <cstdlib>
#include <cstdio>
#include <memory>

#include "app.hpp"
#include "glyphs.hpp"
#include "options.hpp"
#include "actorscope/view/client.hpp"
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
  if (!o.listen.empty()) {
    std::string error;
    embedded = std::make_unique<collector::Collector>(
        collector::Collector::inside_viewer(o.listen, token, "actorscope-top (embedded collector)"));
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
  client.start();
  tui::UiState ui;
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
  int rc = o.batch ? tui::run_batch(client, ui, o) : tui::run_interactive(client, ui, o.mouse);
  client.stop();
  if (embedded) embedded->stop();
  return rc;
}
