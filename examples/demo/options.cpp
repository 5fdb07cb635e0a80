// actorscope-demo's command line: flags, defaults and usage.
#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace demo {

namespace {
const char* kUsage =
    "usage: actorscope-demo [flags]\n"
    "A supervised CAF service (ingest -> parsers -> aggregator -> store, sessions) that\n"
    "reports to an actorscope collector ($ACTORSCOPE_COLLECTOR, e.g. tcp:127.0.0.1:7411).\n"
    "  --rate N            requests per second (default 200)\n"
    "  --sessions N        live sessions to keep (default 20)\n"
    "  --parsers N         parsers in the pool (default 4)\n"
    "  --crash-rate X      malformed records, each crashing a parser, per second (default 0.5)\n"
    "  --storm-every S     seconds between restart storms that escalate one level; 0: none (default 20)\n"
    "  --duration S        run for S seconds; 0: until SIGINT/SIGTERM (default 0)\n"
    "  --seed N            random seed (default 1)\n"
    "  --hold              after --duration: stop the traffic, print the registry, wait for a signal\n"
    "  --snapshots N       after each crash, up to N: pause the traffic until the tree is still,\n"
    "                      print its live actors and mark the instant (telemetry demo.snapshot);\n"
    "                      then stop (for tests of the past against the demo's own tree)\n"
    "  --allow-commands    let the collector kill actors (also ACTORSCOPE_ALLOW_COMMANDS=1);\n"
    "                      the collector must run with --allow-commands and a token\n"
    "  --quiet             no live summary on stderr\n"
    "  --help              this text\n";

bool parse_double(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == '\0' && out >= 0;
}
bool parse_u64(const char* s, uint64_t& out) {
  if (*s == '-' || *s == '\0') return false;
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return *end == '\0';
}
}  // namespace

int parse_options(int argc, char** argv, options& o) {
  auto bad = [](const std::string& msg) {
    std::fprintf(stderr, "actorscope-demo: %s\n%s", msg.c_str(), kUsage);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return -1;
    }
    if (flag == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (flag == "--allow-commands") {
      o.allow_commands = true;
      continue;
    }
    if (flag == "--hold") {
      o.hold = true;
      continue;
    }
    bool known = flag == "--rate" || flag == "--sessions" || flag == "--parsers" || flag == "--crash-rate" ||
                 flag == "--storm-every" || flag == "--duration" || flag == "--seed" || flag == "--snapshots";
    if (!known) return bad("unknown flag " + std::string(flag));
    if (i + 1 >= argc) return bad(std::string(flag) + " needs a value");
    const char* v = argv[++i];
    uint64_t u = 0;
    bool ok = true;
    if (flag == "--rate") ok = parse_double(v, o.rate);
    else if (flag == "--crash-rate") ok = parse_double(v, o.crash_rate);
    else if (flag == "--storm-every") ok = parse_double(v, o.storm_every);
    else if (flag == "--duration") ok = parse_double(v, o.duration);
    else if (flag == "--seed") ok = parse_u64(v, o.seed);
    else if (flag == "--sessions") { ok = parse_u64(v, u) && u <= 100000; o.sessions = static_cast<uint32_t>(u); }
    else if (flag == "--snapshots") { ok = parse_u64(v, u) && u <= 100000; o.snapshots = static_cast<uint32_t>(u); }
    else if (flag == "--parsers") { ok = parse_u64(v, u) && u >= 1 && u <= 64; o.parsers = static_cast<uint32_t>(u); }
    if (!ok) return bad("bad value for " + std::string(flag) + ": " + v);
  }
  return 0;
}

}  // namespace demo
