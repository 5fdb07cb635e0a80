// Parsing of actorscope-top's flags.
#include "options.hpp"

#include "actorscope/view/instant.hpp"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

namespace actorscope::tui {

const char* usage() {
  return "usage: actorscope-top [--collector [LABEL=]ADDR ... | --collectors FILE | --listen ADDR |\n"
         "                       --open FILE] [--at TIME] [--node NAME] [--token-file FILE]\n"
         "                      [--tls-ca FILE [--tls-cert FILE --tls-key FILE]]\n"
         "                      [--batch [--view NAME] [--actor NAME|ID] [--expand all|DEPTH]\n"
         "                      [--size COLSxROWS]] [--export-history FILE] [--help]\n"
         "\n"
         "The terminal observer of actorscope: supervision trees, busiest mailboxes, last crashes.\n"
         "\n"
         "  --collector ADDR   the collector to watch: tcp:HOST:PORT or unix:PATH\n"
         "                     (default tcp:127.0.0.1:7411); repeat it to watch a fleet: every\n"
         "                     collector's nodes at once, named LABEL/node (LABEL=ADDR; default\n"
         "                     label: the address), a collector that cannot be reached marked so\n"
         "  --collectors FILE  the fleet's collectors, one [LABEL=]ADDR per line ('#' comments)\n"
         "  --listen ADDR      run a collector inside actorscope-top, listening at ADDR for agents\n"
         "  --open FILE        a recording (actorscope-collector --record FILE): replayed by a\n"
         "                     collector inside, then shown like a live one, its past included\n"
         "  --at TIME          show the whole picture as it was at TIME, from the collector's flight\n"
         "                     recorder (or the recording): HH:MM:SS[.mmm] (today, local time),\n"
         "                     'YYYY-MM-DD HH:MM:SS', -5m (before now; with --open: before the\n"
         "                     recording's end), @UNIXSECONDS; t in the viewer asks for another\n"
         "  --node NAME        show one node only (n cycles through nodes)\n"
         "  --token-file FILE  the collector's token\n"
         "  --tls-ca FILE      TLS to the collector, trusting the CAs in FILE (PEM; 'system': the\n"
         "                     system's trust store); the certificate must name the collector's host\n"
         "  --tls-cert FILE    our certificate, for a collector that requires one (mutual TLS) ...\n"
         "  --tls-key FILE     ... and its private key\n"
         "  --batch            print one frame to stdout and exit, like top -b\n"
         "  --view NAME        the view --batch prints: tree, actors, events, telemetry, warnings,\n"
         "                     flow, detail (with --actor)\n"
         "  --actor NAME|ID    the actor --view detail shows: its id, name or child id; with --view\n"
         "                     flow, the flow within its supervisor's subtree (a supervisor's own)\n"
         "  --expand all|DEPTH how deep the tree opens: actors down to DEPTH levels below the node\n"
         "                     (its roots are level 1; default 2), or all of it, groups included\n"
         "  --size COLSxROWS   the frame size --batch prints (default $COLUMNS x $LINES, else 120x40)\n"
         "  --export-dir DIR   where e (export) writes its CSV files and W its history files\n"
         "                     (default: the current directory)\n"
         "  --export-history FILE  write the collector's flight recorder (its last hour) to FILE as\n"
         "                     a recording, then exit: open it later with --open FILE\n"
         "  --no-mouse         leave the mouse to the terminal (no clicks, no wheel)\n"
         "  --help             this text\n"
         "\n"
         "Keys: arrows or hjkl, PgUp/PgDn, g/G, Enter detail, / search, n next node, space pause,\n"
         "Tab or 1-6 views, <- -> sort column, i invert, e export CSV, c copy row, t the past\n"
         "([ and ] step 10 s), W save the history to a file, ? help, q quit.\n";
}

std::optional<int> parse_options(int argc, char** argv, Options& o) {
  auto bad = [](const std::string& msg) {
    std::fprintf(stderr, "actorscope-top: %s\n%s", msg.c_str(), usage());
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string& out) -> bool {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::fputs(usage(), stdout);
      return 0;
    } else if (a == "--collector") {
      if (!value(o.collector)) return bad("--collector needs an address");
      o.collectors.push_back(o.collector);
    } else if (a == "--collectors") {
      if (!value(o.collectors_file)) return bad("--collectors needs a file");
    } else if (a == "--listen") {
      if (!value(o.listen)) return bad("--listen needs an address");
    } else if (a == "--open") {
      if (!value(o.open) || o.open.empty()) return bad("--open needs a recording file");
    } else if (a == "--at") {
      if (!value(o.at) || o.at.empty()) return bad("--at needs a time (HH:MM:SS, -5m, a date and time)");
    } else if (a == "--node") {
      if (!value(o.node)) return bad("--node needs a name");
    } else if (a == "--token-file") {
      if (!value(o.token_file)) return bad("--token-file needs a file");
    } else if (a == "--tls-ca") {
      if (!value(o.tls_ca)) return bad("--tls-ca needs a file");
      o.tls = true;
      if (o.tls_ca == "system") o.tls_ca.clear();
    } else if (a == "--tls-cert") {
      if (!value(o.tls_cert)) return bad("--tls-cert needs a file");
      o.tls = true;
    } else if (a == "--tls-key") {
      if (!value(o.tls_key)) return bad("--tls-key needs a file");
    } else if (a == "--batch" || a == "-b") {
      o.batch = true;
    } else if (a == "--view") {
      if (!value(v)) return bad("--view needs a name");
      auto view = parse_view(v);
      if (!view || *view == ViewId::Help || *view == ViewId::Chain || *view == ViewId::Diff) return bad("unknown view '" + v + "'");
      o.view = *view;
    } else if (a == "--actor") {
      if (!value(o.actor) || o.actor.empty()) return bad("--actor needs a name or an id");
    } else if (a == "--expand") {
      if (!value(v)) return bad("--expand needs all or a depth");
      unsigned depth = 0;
      if (v == "all") {
        o.tree.open_depth = std::numeric_limits<unsigned>::max();
        o.tree.open_groups = true;
      } else if (std::sscanf(v.c_str(), "%u", &depth) == 1 && std::to_string(depth) == v) {
        o.tree.open_depth = depth;
      } else {
        return bad("--expand needs all or a depth, not '" + v + "'");
      }
    } else if (a == "--export-dir") {
      if (!value(o.export_dir) || o.export_dir.empty()) return bad("--export-dir needs a directory");
    } else if (a == "--export-history") {
      if (!value(o.export_history) || o.export_history.empty()) return bad("--export-history needs a file");
    } else if (a == "--no-mouse") {
      o.mouse = false;
    } else if (a == "--size") {
      if (!value(v) || std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 40 || o.height < 10)
        return bad("--size needs COLSxROWS, at least 40x10");
    } else {
      return bad("unknown flag '" + std::string(a) + "'");
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) return bad("--tls-cert and --tls-key go together");
  if (!o.listen.empty() && (!o.collectors.empty() || !o.collectors_file.empty()))
    return bad("--listen excludes --collector and --collectors");
  if (!o.open.empty() && (!o.listen.empty() || !o.collectors.empty() || !o.collectors_file.empty()))
    return bad("--open replays a recording inside: it excludes --listen, --collector and --collectors");
  if (!o.at.empty()) {
    uint64_t wall = 0;
    std::string error;
    if (!view::parse_instant(o.at, 2'000'000'000ull * 1'000'000'000ull, wall, error)) return bad("--at: " + error);
  }
  if (!o.export_history.empty() && (o.batch || !o.at.empty() || !o.listen.empty()))
    return bad("--export-history writes a file and exits: it excludes --batch, --at and --listen");
  if (o.tls && !o.listen.empty()) return bad("--tls-ca is for --collector; an embedded collector (--listen) is reached in-process");
  if (o.view == ViewId::Detail && o.actor.empty()) return bad("--view detail needs --actor NAME|ID");
  if (!o.actor.empty() && o.view != ViewId::Detail && o.view != ViewId::Flow) return bad("--actor goes with --view detail or flow");
  return std::nullopt;
}

}  // namespace actorscope::tui
