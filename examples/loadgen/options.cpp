// Parsing and validation of actorscope-loadgen's flags, and its usage text.
#include "options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace loadgen {
namespace {

const char kUsage[] =
    "usage: actorscope-loadgen [options]\n"
    "A synthetic actor system (threads and queues) reporting to actorscope through its agent.\n"
    "\n"
    "workload:\n"
    "  --actors N            workers under the supervision tree (default 1000)\n"
    "  --depth D             levels of supervisors, 1 = only the top one (default 3)\n"
    "  --fanout F            child supervisors per supervisor (default 4)\n"
    "  --strategies LIST     strategies cycled per level, from one_for_one, one_for_all,\n"
    "                        rest_for_one, simple_one_for_one (default: all four, in that order)\n"
    "  --restart TYPE        workers' restart type: permanent, transient, temporary (default permanent)\n"
    "  --intensity N         max restarts per supervisor within the period (default 3)\n"
    "  --period-ms MS        restart period, in real (monotonic) time (default 5000)\n"
    "  --workload-clock      measure the period in message number / rate (rate 0: 10000/s)\n"
    "                        instead of real time, so that a seed gives the same counts\n"
    "  --rate R              messages per second in total, 0 = as fast as possible (default 0)\n"
    "  --messages N          send exactly N messages, then stop (exact, repeatable counts)\n"
    "  --duration SECONDS    send for this long (default 10, unless --messages is given)\n"
    "  --crash-rate P        probability that a message crashes its worker (default 0.001)\n"
    "  --slow-consumer       add an actor \"slow-consumer\" whose mailbox grows\n"
    "  --slow-every N        every Nth message goes to the slow consumer (default 100)\n"
    "  --slow-us US          its processing time per message (default 1000)\n"
    "  --telemetry-rate P    probability that a message emits telemetry (default 0.01)\n"
    "  --threads T           threads running the actors (default 2)\n"
    "  --queue-limit N       messages waiting per thread before the sender waits (default 65536)\n"
    "  --seed S              random seed (default 1)\n"
    "  --stay SECONDS        afterwards keep the actors alive this long, 0 = until SIGINT/SIGTERM\n"
    "  --scale               spawn the actors idle, as fast as possible, and send nothing\n"
    "  --traffic FROM>TO:RATE  beside the workload, actor FROM sends to actor TO at RATE\n"
    "                        messages/s for --duration (repeatable; each name is one actor of\n"
    "                        that type); the counts line then ends with sent_FROM>TO=N\n"
    "agent (default: the environment, ACTORSCOPE_COLLECTOR, ACTORSCOPE_NODE, ...):\n"
    "  --collector ADDR      tcp:HOST:PORT or unix:PATH\n"
    "  --node NAME           node name\n"
    "  --wait-connected S    wait up to S seconds for the collector before starting (default 0: no wait)\n"
    "  --token-file FILE     file holding the collector's token\n"
    "  --flush-ms MS         agent flush period\n"
    "  --help                this text\n"
    "\n"
    "At the end it prints one line of exact counts, e.g.\n"
    "loadgen: actors_alive=1022 supervisors=21 workers=1001 restarts=17 crashes=17 ...\n";

bool parse_u64(const char* s, uint64_t& v) {
  if (!s || !*s || *s == '-') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long x = std::strtoull(s, &end, 10);
  if (errno || *end) return false;
  v = x;
  return true;
}

bool parse_u32(const char* s, uint32_t& v) {
  uint64_t x;
  if (!parse_u64(s, x) || x > UINT32_MAX) return false;
  v = static_cast<uint32_t>(x);
  return true;
}

bool parse_double(const char* s, double& v) {
  if (!s || !*s) return false;
  errno = 0;
  char* end = nullptr;
  v = std::strtod(s, &end);
  return !errno && !*end && std::isfinite(v) && v >= 0;
}

bool parse_strategy(std::string_view s, actorscope_strategy& out) {
  if (s == "one_for_one") out = ACTORSCOPE_ONE_FOR_ONE;
  else if (s == "one_for_all") out = ACTORSCOPE_ONE_FOR_ALL;
  else if (s == "rest_for_one") out = ACTORSCOPE_REST_FOR_ONE;
  else if (s == "simple_one_for_one") out = ACTORSCOPE_SIMPLE_ONE_FOR_ONE;
  else return false;
  return true;
}

bool parse_strategies(const char* s, std::vector<actorscope_strategy>& out) {
  out.clear();
  std::string_view rest(s ? s : "");
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    actorscope_strategy st;
    if (!parse_strategy(rest.substr(0, comma), st)) return false;
    out.push_back(st);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return !out.empty();
}

bool parse_restart(std::string_view s, actorscope_restart& out) {
  if (s == "permanent") out = ACTORSCOPE_PERMANENT;
  else if (s == "transient") out = ACTORSCOPE_TRANSIENT;
  else if (s == "temporary") out = ACTORSCOPE_TEMPORARY;
  else return false;
  return true;
}

int bad(const char* flag, const char* value, const char* what) {
  std::fprintf(stderr, "actorscope-loadgen: %s %s: %s\n%s", flag, value ? value : "(missing)", what, kUsage);
  return 2;
}

}  // namespace

const char* strategy_name(actorscope_strategy s) {
  switch (s) {
    case ACTORSCOPE_ONE_FOR_ONE: return "one_for_one";
    case ACTORSCOPE_ONE_FOR_ALL: return "one_for_all";
    case ACTORSCOPE_REST_FOR_ONE: return "rest_for_one";
    case ACTORSCOPE_SIMPLE_ONE_FOR_ONE: return "simple_one_for_one";
    default: return "none";
  }
}

int parse_options(int argc, char** argv, Options& o) {
  bool duration_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view f = argv[i];
    if (f == "--help" || f == "-h") {
      std::fputs(kUsage, stdout);
      return 1;
    }
    if (f == "--slow-consumer") { o.slow_consumer = true; continue; }
    if (f == "--scale") { o.scale = true; continue; }
    if (f == "--workload-clock") { o.workload_clock = true; continue; }
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    bool known = true, ok = false;
    const char* what = "expects a non-negative integer";
    uint64_t u = 0;
    if (f == "--actors") ok = parse_u32(v, o.actors);
    else if (f == "--depth") { ok = parse_u32(v, o.depth) && o.depth >= 1 && o.depth <= 16; what = "expects 1..16"; }
    else if (f == "--fanout") { ok = parse_u32(v, o.fanout) && o.fanout >= 1 && o.fanout <= 1024; what = "expects 1..1024"; }
    else if (f == "--strategies") { ok = parse_strategies(v, o.strategies); what = "expects a comma-separated list of one_for_one, one_for_all, rest_for_one, simple_one_for_one"; }
    else if (f == "--restart") { ok = v && parse_restart(v, o.worker_restart); what = "expects permanent, transient or temporary"; }
    else if (f == "--intensity") ok = parse_u32(v, o.intensity);
    else if (f == "--period-ms") { ok = parse_u32(v, o.period_ms) && o.period_ms > 0; what = "expects a positive integer"; }
    else if (f == "--rate") { ok = parse_double(v, o.rate); what = "expects a non-negative number"; }
    else if (f == "--duration") { ok = parse_double(v, o.duration_s); duration_given = true; what = "expects a non-negative number of seconds"; }
    else if (f == "--messages") { ok = parse_u64(v, u) && u <= (1ull << 62); o.messages = static_cast<int64_t>(u); }
    else if (f == "--crash-rate") { ok = parse_double(v, o.crash_rate) && o.crash_rate <= 1; what = "expects a probability in 0..1"; }
    else if (f == "--telemetry-rate") { ok = parse_double(v, o.telemetry_rate) && o.telemetry_rate <= 1; what = "expects a probability in 0..1"; }
    else if (f == "--slow-every") { ok = parse_u32(v, o.slow_every) && o.slow_every > 0; what = "expects a positive integer"; }
    else if (f == "--slow-us") ok = parse_u32(v, o.slow_us);
    else if (f == "--threads") { ok = parse_u32(v, o.threads) && o.threads >= 1 && o.threads <= 256; what = "expects 1..256"; }
    else if (f == "--queue-limit") { ok = parse_u32(v, o.queue_limit) && o.queue_limit > 0; what = "expects a positive integer"; }
    else if (f == "--seed") ok = parse_u64(v, o.seed);
    else if (f == "--stay") { ok = parse_double(v, o.stay_s); o.stay = true; what = "expects a non-negative number of seconds"; }
    else if (f == "--collector") { ok = v && *v; if (ok) o.collector = v; what = "expects tcp:HOST:PORT or unix:PATH"; }
    else if (f == "--wait-connected") { ok = parse_double(v, o.wait_connected_s); what = "expects a non-negative number of seconds"; }
    else if (f == "--node") { ok = v && *v; if (ok) o.node = v; what = "expects a name"; }
    else if (f == "--token-file") { ok = v && *v; if (ok) o.token_file = v; what = "expects a file name"; }
    else if (f == "--flush-ms") ok = parse_u32(v, o.flush_ms);
    else if (f == "--traffic") {
      TrafficEdge e;
      ok = v && parse_traffic_edge(v, e);
      if (ok) o.traffic.push_back(e);
      what = "expects FROM>TO:RATE, two different names and a rate in messages/s, e.g. ingest>parser:1000";
    }
    else known = false;
    if (!known) {
      std::fprintf(stderr, "actorscope-loadgen: unknown flag %s\n%s", argv[i], kUsage);
      return 2;
    }
    if (!ok) return bad(argv[i], v, what);
    ++i;
  }
  if (o.scale) o.messages = 0;
  if (o.messages < 0 && !duration_given) o.duration_s = 10;
  if (!o.traffic.empty() && !duration_given) o.duration_s = 10;
  return 0;
}

}  // namespace loadgen
