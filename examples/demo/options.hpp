// actorscope-demo's command line: flags, defaults and usage.
#pragma once

#include <cstdint>
#include <string>

namespace demo {

struct options {
  double rate = 200;         // requests per second
  uint32_t sessions = 20;    // live sessions to keep
  uint32_t parsers = 4;      // parser pool size
  double crash_rate = 0.5;   // malformed records (parser crashes) per second
  double storm_every = 20;   // seconds between restart storms; 0: none
  double duration = 0;       // seconds; 0: until SIGINT/SIGTERM
  uint64_t seed = 1;
  bool quiet = false;        // no live summary on stderr
  bool hold = false;         // after --duration: stop traffic, print the registry, wait for a signal
  uint32_t snapshots = 0;    // after each crash, up to N: pause, print the live tree, mark it; then stop
  bool allow_commands = false;  // accept kill commands from the collector (as ACTORSCOPE_ALLOW_COMMANDS=1)
};

// Parses argv: 0 to run; -1 after --help (usage on stdout, exit 0); 2 after a bad flag
// (one line and the usage on stderr).
int parse_options(int argc, char** argv, options& o);

}  // namespace demo
