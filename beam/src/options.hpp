// actorscope-beam's command line and environment.
#pragma once

#include <string>
#include <vector>

#include "observer.hpp"

namespace actorscope::beam {

struct Options {
  std::vector<std::string> nodes;  // --node, repeatable
  std::string cookie;
  std::string cookie_origin;
  std::string collector = "tcp:127.0.0.1:7411";
  std::string token;
  unsigned call_timeout_ms = 3000;
  unsigned inner_timeout_ms = 1000;
  unsigned backoff_max_ms = 30000;
  unsigned exit_after_scans = 0;   // 0: run until stopped
  bool cluster = false;            // also attach to the nodes() of the given nodes, as they appear
  unsigned max_nodes = 64;         // nodes attached at most (--cluster)
  bool quiet = false;
  ObserverSettings observer;
};

// Parses argv and the environment. Returns 0 to run, or an exit status (help printed: 0
// via `exit_now`, an error already printed: 2).
int parse_options(int argc, char** argv, Options& out, bool& exit_now);

}  // namespace actorscope::beam
