// Parses actorscope-gui's flags into Options; every error is one line plus the usage.
#include "options.hpp"

#include "actorscope/view/instant.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace actorscope::gui {
namespace {

constexpr const char* kUsage =
    "usage: actorscope-gui [--collector ADDR | --listen ADDR | --open FILE] [--at TIME] [--node NAME] [--why NAME]\n"
    "                      [--flow-within NAME]\n"
    "                      [--token-file FILE] [--scale F]\n"
    "                      [--tls-ca FILE [--tls-cert FILE --tls-key FILE]]\n"
    "                      [--screenshot FILE [--frames N] [--panel NAME] [--size WxH]\n"
    "                       [--timeout S] [--settle MS] [--drawn-text FILE] [--tree-zoom Z]] [--synthetic N]\n"
    "                      [--status-file FILE] [--snap-dir DIR] [--help]\n"
    "  --collector ADDR  collector to watch (tcp:HOST:PORT or unix:PATH; default tcp:127.0.0.1:7411);\n"
    "                    repeat it ([LABEL=]ADDR) to watch a fleet: every collector's nodes, named\n"
    "                    LABEL/node, a collector that cannot be reached marked so\n"
    "  --collectors FILE the fleet's collectors, one [LABEL=]ADDR per line ('#' comments)\n"
    "  --listen ADDR     embed a collector: agents connect here, no separate daemon needed\n"
    "  --open FILE       a recording (actorscope-collector --record FILE): replayed by a collector\n"
    "                    inside, then shown like a live one under a REPLAY banner, its past included\n"
    "  --at TIME         start showing the whole picture as it was at TIME, from the collector's\n"
    "                    flight recorder (or the recording): HH:MM:SS[.mmm] (today, local time),\n"
    "                    'YYYY-MM-DD HH:MM:SS', -5m (before now; with --open: before the recording's\n"
    "                    end), @UNIXSECONDS; the timeline under the panels, [ and ] pick another\n"
    "  --node NAME       show one node (default: all nodes)\n"
    "  --why NAME        once the data has arrived, open Events and the chain that led to the newest\n"
    "                    exit, crash or restart of the actor named NAME (as its why? button does)\n"
    "  --flow-within NAME once the data has arrived, open Flow by supervisor subtree: the flow among\n"
    "                    the children of the supervisor named NAME (a worker: its supervisor's)\n"
    "  --token-file FILE the collector's token (default: the file $ACTORSCOPE_TOKEN_FILE names,\n"
    "                    else $ACTORSCOPE_TOKEN, else none)\n"
    "  --tls-ca FILE     TLS to the collector, trusting the CAs in FILE (PEM; 'system': the\n"
    "                    system's trust store); the certificate must name the collector's host\n"
    "  --tls-cert FILE   our certificate, for a collector that requires one (mutual TLS) ...\n"
    "  --tls-key FILE    ... and its private key\n"
    "  --scale F         font and spacing scale for HiDPI screens (default 1.0)\n"
    "  --screenshot FILE render, write FILE as PNG, exit 0 (for CI and documentation)\n"
    "  --frames N        frames rendered once the data arrived, before the shot (default 4)\n"
    "  --panel NAME      open panel: overview tree actors events telemetry warnings flow actor\n"
    "  --size WxH        window size (default 1600x1000)\n"
    "  --timeout S       screenshot mode: longest wait for the collector's snapshot (default 30)\n"
    "  --settle MS       screenshot mode: time for replies and charts after the snapshot (default 1500)\n"
    "  --tree-zoom Z     screenshot mode: the tree at zoom Z (0.15..2.5), or 'fit' (the Fit button)\n"
    "  --drawn-text FILE screenshot mode: also write the text the shot drew, one item per line (tests)\n"
    "  --synthetic N     show a generated actor system of N actors, no collector (demo, benchmarks)\n"
    "  --status-file FILE once a second, write to FILE the frames drawn so far, the actors known,\n"
    "                    the panel in front and where its tabs and rows are (for tests)\n"
    "  --snap-dir DIR    on SIGUSR1, write the next frame to DIR/N.png and its time, the\n"
    "                    --status-file records and the text it drew to DIR/N.txt (N = 1, 2, ...;\n"
    "                    the .txt last): for scripts that drive the window and wait for a view\n"
    "  --help            this text\n"
    "Settings and the window layout are kept in $XDG_CONFIG_HOME/actorscope/imgui.ini.\n";

int bad(const char* fmt, const char* arg) {
  std::fprintf(stderr, "actorscope-gui: ");
  std::fprintf(stderr, fmt, arg);
  std::fprintf(stderr, "\n%s", kUsage);
  return 2;
}

bool parse_int(const char* s, int lo, int hi, int& out) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < lo || v > hi) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

int parse_options(int argc, char** argv, Options& out) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char*& v) {
      if (i + 1 >= argc) return false;
      v = argv[++i];
      return true;
    };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 1;
    } else if (a == "--collector" || a == "--listen" || a == "--node" || a == "--token-file" || a == "--scale" ||
               a == "--screenshot" || a == "--frames" || a == "--panel" || a == "--size" ||
               a == "--timeout" || a == "--settle" || a == "--synthetic" || a == "--drawn-text" || a == "--status-file" || a == "--tree-zoom" || a == "--snap-dir" ||
               a == "--tls-ca" || a == "--tls-cert" || a == "--tls-key" || a == "--collectors" || a == "--open" ||
               a == "--at" || a == "--why" || a == "--flow-within") {
      if (!value(v)) return bad("%s needs a value", argv[i]);
      if (a == "--collector") {
        out.collector = v;
        out.collectors.push_back(v);
      } else if (a == "--collectors") {
        out.collectors_file = v;
      } else if (a == "--open") {
        out.open = v;
      } else if (a == "--at") {
        if (!*v) return bad("%s", "--at needs a time (HH:MM:SS, -5m, a date and time)");
        out.at = v;
      } else if (a == "--why") {
        if (!*v) return bad("%s", "--why needs an actor's name");
        out.why = v;
      } else if (a == "--flow-within") {
        if (!*v) return bad("%s", "--flow-within needs a supervisor's name");
        out.flow_within = v;
      } else if (a == "--listen") {
        out.listen = v;
      } else if (a == "--node") {
        out.node = v;
      } else if (a == "--token-file") {
        out.token_file = v;
      } else if (a == "--tls-ca") {
        out.tls = true;
        out.tls_ca = std::string_view(v) == "system" ? "" : v;
      } else if (a == "--tls-cert") {
        out.tls = true;
        out.tls_cert = v;
      } else if (a == "--tls-key") {
        out.tls_key = v;
      } else if (a == "--screenshot") {
        out.screenshot = v;
      } else if (a == "--tree-zoom") {
        char* end = nullptr;
        const double z = std::strtod(v, &end);
        if (std::string_view(v) != "fit" && (end == v || *end != '\0' || !(z >= 0.15 && z <= 2.5)))
          return bad("--tree-zoom wants 'fit' or a zoom between 0.15 and 2.5, not '%s'", v);
        out.tree_zoom = v;
      } else if (a == "--status-file") {
        out.status_file = v;
      } else if (a == "--snap-dir") {
        out.snap_dir = v;
      } else if (a == "--drawn-text") {
        out.drawn_text = v;
      } else if (a == "--scale") {
        char* end = nullptr;
        double f = std::strtod(v, &end);
        if (end == v || *end != '\0' || !(f >= 0.5 && f <= 4.0))
          return bad("--scale wants a number between 0.5 and 4, not '%s'", v);
        out.scale = static_cast<float>(f);
      } else if (a == "--frames") {
        if (!parse_int(v, 1, 10000, out.frames)) return bad("--frames wants 1..10000, not '%s'", v);
      } else if (a == "--timeout") {
        if (!parse_int(v, 1, 3600, out.snapshot_timeout_s))
          return bad("--timeout wants 1..3600 seconds, not '%s'", v);
      } else if (a == "--settle") {
        if (!parse_int(v, 0, 600000, out.settle_ms)) return bad("--settle wants 0..600000 ms, not '%s'", v);
      } else if (a == "--synthetic") {
        int n = 0;
        if (!parse_int(v, 1, 50'000'000, n)) return bad("--synthetic wants 1..50000000 actors, not '%s'", v);
        out.synthetic = static_cast<uint64_t>(n);
      } else if (a == "--panel") {
        bool known = false;
        for (const char* p : kPanelNames) known = known || std::strcmp(p, v) == 0;
        if (!known) return bad("unknown panel '%s'", v);
        out.panel = v;
      } else if (a == "--size") {
        int w = 0, h = 0;
        char tail = 0;
        if (std::sscanf(v, "%dx%d%c", &w, &h, &tail) != 2 || w < 320 || h < 240 || w > 8192 ||
            h > 8192)
          return bad("--size wants WxH between 320x240 and 8192x8192, not '%s'", v);
        out.width = w;
        out.height = h;
      }
    } else {
      return bad("unknown flag '%s'", argv[i]);
    }
  }
  if (!out.collectors_file.empty() && !out.listen.empty())
    return bad("%s", "--collectors and --listen exclude each other");
  if (out.synthetic && (!out.collector.empty() || !out.listen.empty()))
    return bad("%s", "--synthetic excludes --collector and --listen");
  if (!out.snap_dir.empty() && !out.screenshot.empty())
    return bad("%s", "--snap-dir is for a running window, not --screenshot");
  if (!out.drawn_text.empty() && out.screenshot.empty())
    return bad("%s", "--drawn-text goes with --screenshot");
  if (out.tls_cert.empty() != out.tls_key.empty()) return bad("%s", "--tls-cert and --tls-key go together");
  if (out.tls && !out.listen.empty()) return bad("%s", "--tls-ca is for --collector, not --listen");
  if (!out.collector.empty() && !out.listen.empty())
    return bad("%s", "--collector and --listen exclude each other");
  if (!out.open.empty() && (!out.listen.empty() || !out.collectors.empty() || !out.collectors_file.empty() || out.synthetic))
    return bad("%s", "--open replays a recording inside: it excludes --listen, --collector, --collectors and --synthetic");
  if (!out.at.empty()) {
    if (out.synthetic) return bad("%s", "--at needs a collector's history; a generated system (--synthetic) has none");
    uint64_t wall = 0;
    std::string error;  // checked against a fixed "now" here; read again against the real one
    if (!view::parse_instant(out.at, 2'000'000'000ull * 1'000'000'000ull, wall, error))
      return bad("--at: %s", error.c_str());
  }
  return 0;
}

}  // namespace actorscope::gui
