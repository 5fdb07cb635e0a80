// The command line of actorscope-gui: where the data comes from, and the screenshot mode.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actorscope::gui {

struct Options {
  std::string collector;          // connect to this collector (tcp:HOST:PORT or unix:PATH)
  std::vector<std::string> collectors;  // every --collector ([LABEL=]ADDR); two or more: a fleet
  std::string collectors_file;    // --collectors FILE: more of them, one per line
  std::string listen;             // or embed a collector listening here for agents
  std::string open;               // or a recording, replayed by a collector inside (REPLAY banner)
  std::string at;                 // start showing this past instant (as a user types it: 10:42:17, -5m)
  std::string flow_within;        // once the data arrives: Flow by subtree, within this supervisor
  std::string why;                // once the data arrives: the chain of this actor's newest exit or restart
  std::string node;               // show one node; empty: all nodes
  std::string token_file;         // file holding the collector's token
  bool tls = false;               // --tls-ca (or --tls-cert) given: TLS to the collector
  std::string tls_ca;             // trusted CAs (PEM); empty with tls: the system's trust store
  std::string tls_cert;           // our certificate and key, for mutual TLS
  std::string tls_key;
  float scale = 1.0f;             // font and spacing scale for HiDPI screens
  std::string screenshot;         // when set: render, write this PNG, exit
  std::string tree_zoom;          // screenshot mode: "fit", or the tree's zoom (0.15..2.5)
  std::string status_file;        // once a second: frames drawn, actors known, panel in front (tests)
  std::string drawn_text;         // screenshot mode: also write the text the shot drew here
  std::string snap_dir;           // on SIGUSR1: the next frame as DIR/N.png, its text as DIR/N.txt
  int frames = 4;                 // frames rendered after the data arrived, before the shot
  std::string panel = "overview";  // panel open at start (and in the shot)
  int width = 1600;               // window size in screen pixels
  int height = 1000;
  int snapshot_timeout_s = 30;    // screenshot mode: longest wait for the first snapshot
  int settle_ms = 1500;           // screenshot mode: time given to replies and charts after it
  uint64_t synthetic = 0;         // > 0: show a generated system of this many actors instead
};

// Parses argv. Returns 0 to run, 1 after printing --help (exit 0), 2 after a bad flag
// (one-line error and usage already printed to stderr).
int parse_options(int argc, char** argv, Options& out);

// The panels a user can open, by their command-line name.
inline constexpr const char* kPanelNames[] = {"overview", "tree", "actors", "events", "telemetry",
                                              "warnings", "flow", "actor"};

}  // namespace actorscope::gui
