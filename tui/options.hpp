// Command-line options of actorscope-top.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ui_state.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::tui {

struct Options {
  std::string collector = view::kDefaultCollectorAddress;
  std::vector<std::string> collectors;  // every --collector, in order (two or more: a fleet)
  std::string collectors_file;          // --collectors FILE: more of them, one per line
  std::string listen;       // when set: embed a collector listening here
  std::string node;         // show one node
  std::string token_file;   // else $ACTORSCOPE_TOKEN_FILE, else $ACTORSCOPE_TOKEN (view::read_token)
  bool tls = false;         // --tls-ca (or --tls-cert) given: TLS to the collector
  std::string tls_ca;       // trusted CAs (PEM); empty with tls: the system's trust store
  std::string tls_cert;     // our certificate and key, for mutual TLS
  std::string tls_key;
  bool batch = false;
  ViewId view = ViewId::Tree;
  int width = 0, height = 0;  // --batch frame size; 0: $COLUMNS/$LINES, else 120x40
  int wait_ms = 10000;        // --batch: how long to wait for the first snapshot
  view::TreeSettings tree;    // --expand: how deep the tree opens
  std::string actor;          // --actor: the actor --view detail shows (name or id)
  std::string export_dir = ".";  // --export-dir: where the export key writes CSV files
  bool mouse = true;          // --no-mouse: leave the mouse to the terminal
  std::string at;             // --at TIME: show this past instant (the collector's flight recorder)
  std::string open;           // --open FILE: a recording, replayed by a collector inside
  std::string export_history; // --export-history FILE: the collector's flight recorder, written out
};

const char* usage();
// Parses argv. Returns an exit code (0 for --help, 2 for a bad flag) when the program must
// stop, after printing usage or a one-line error; nullopt to go on.
std::optional<int> parse_options(int argc, char** argv, Options& o);

}  // namespace actorscope::tui
