// Command line: nodes, cookie (a file or ERLANG_COOKIE, never argv), collector, budgets.
#include "options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "actorscope/protocol/token.hpp"

namespace actorscope::beam {
namespace {

const char* kUsage =
    "usage: actorscope-beam --node NAME@HOST [--node ...] [options]\n"
    "Attaches to running Erlang/Elixir nodes as a hidden C node and reports their supervision\n"
    "trees, processes, restarts and VM statistics to an actorscope collector. Nothing is loaded\n"
    "on the nodes; what the attach creates there is removed when it leaves.\n"
    "\n"
    "  --node NAME@HOST        node to attach to (short or long name); repeatable\n"
    "  --cluster               also attach to every node the given nodes are connected to\n"
    "                          (their nodes()), as they appear; each is its own actorscope node\n"
    "  --max-nodes N           attach to at most N nodes (default 64)\n"
    "  --cookie-file PATH      file holding the cookie (default ~/.erlang.cookie);\n"
    "                          ERLANG_COOKIE in the environment is used when no file is given.\n"
    "                          A cookie is never taken from the command line, where ps shows it.\n"
    "  --collector ADDR        tcp:HOST:PORT or unix:PATH (default tcp:127.0.0.1:7411,\n"
    "                          or ACTORSCOPE_COLLECTOR); token from ACTORSCOPE_TOKEN_FILE\n"
    "  --token-file PATH       the collector's token (default: ACTORSCOPE_TOKEN_FILE)\n"
    "  --tick-ms N             one round of work every N ms (default 100)\n"
    "  --scan-budget-ms N      wall time per tick spent on the process scan (default 20)\n"
    "  --scan-interval-ms N    a full process scan starts at most every N ms (default 2000),\n"
    "                          up to 4x that while scans find nothing new\n"
    "  --scan-duty-percent N   and no more often than a scan may keep the node busy N % of\n"
    "                          the time (default 5; 0: no such limit)\n"
    "  --tree-interval-ms N    supervision walk every N ms (default 5000), up to 8x that\n"
    "                          while the tree does not change; at once after a restart\n"
    "  --call-timeout-ms N     every request to a node times out after N ms (default 3000)\n"
    "  --exit-after-scans N    stop after N full process scans (benchmarks)\n"
    "  --quiet                 log only errors\n"
    "  --help                  this text\n";

bool read_secret(const std::string& path, std::string& out, std::string& error, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = std::string("cannot read ") + what + " file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  return true;
}

bool number(const char* flag, const char* text, unsigned lo, unsigned hi, unsigned& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = text ? std::strtoul(text, &end, 10) : 0;
  if (!text || errno || !end || *end || v < lo || v > hi) {
    std::fprintf(stderr, "actorscope-beam: %s expects a number from %u to %u\n", flag, lo, hi);
    return false;
  }
  out = static_cast<unsigned>(v);
  return true;
}

}  // namespace

int parse_options(int argc, char** argv, Options& o, bool& exit_now) {
  exit_now = false;
  std::string cookie_file, token_file;
  if (const char* c = std::getenv("ACTORSCOPE_COLLECTOR"); c && *c) o.collector = c;
  if (const char* t = std::getenv("ACTORSCOPE_TOKEN_FILE"); t && *t) token_file = t;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto need = [&]() {
      if (!v) std::fprintf(stderr, "actorscope-beam: %s needs a value\n", a.c_str());
      return v != nullptr;
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      exit_now = true;
      return 0;
    } else if (a == "--node") {
      if (!need()) return 2;
      o.nodes.push_back(v), ++i;
    } else if (a == "--cookie" || a == "-setcookie" || a == "--setcookie") {
      std::fprintf(stderr, "actorscope-beam: a cookie is never taken from the command line (ps shows it): "
                           "use --cookie-file PATH or ERLANG_COOKIE\n");
      return 2;
    } else if (a == "--cookie-file") {
      if (!need()) return 2;
      cookie_file = v, ++i;
    } else if (a == "--collector") {
      if (!need()) return 2;
      o.collector = v, ++i;
    } else if (a == "--token-file") {
      if (!need()) return 2;
      token_file = v, ++i;
    } else if (a == "--tick-ms") {
      if (!number("--tick-ms", v, 10, 10000, o.observer.tick_ms)) return 2;
      ++i;
    } else if (a == "--scan-budget-ms") {
      if (!number("--scan-budget-ms", v, 1, 10000, o.observer.scan_budget_ms)) return 2;
      ++i;
    } else if (a == "--scan-interval-ms") {
      if (!number("--scan-interval-ms", v, 0, 3600000, o.observer.scan_interval_ms)) return 2;
      ++i;
    } else if (a == "--scan-duty-percent") {
      if (!number("--scan-duty-percent", v, 0, 100, o.observer.scan_duty_percent)) return 2;
      ++i;
    } else if (a == "--tree-interval-ms") {
      if (!number("--tree-interval-ms", v, 100, 3600000, o.observer.tree_interval_ms)) return 2;
      ++i;
    } else if (a == "--call-timeout-ms") {
      if (!number("--call-timeout-ms", v, 100, 600000, o.call_timeout_ms)) return 2;
      o.inner_timeout_ms = std::max(50u, o.call_timeout_ms / 3);
      ++i;
    } else if (a == "--exit-after-scans") {
      if (!number("--exit-after-scans", v, 1, 1000000, o.exit_after_scans)) return 2;
      ++i;
    } else if (a == "--cluster") {
      o.cluster = true;
    } else if (a == "--max-nodes") {
      if (!number("--max-nodes", v, 1, 4096, o.max_nodes)) return 2;
      ++i;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else {
      std::fprintf(stderr, "actorscope-beam: unknown option '%s' (see --help)\n", a.c_str());
      return 2;
    }
  }
  if (o.nodes.empty()) {
    std::fprintf(stderr, "actorscope-beam: which node? give --node NAME@HOST (see --help)\n");
    return 2;
  }
  for (const auto& n : o.nodes) {
    auto at = n.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == n.size()) {
      std::fprintf(stderr, "actorscope-beam: node '%s': expected NAME@HOST\n", n.c_str());
      return 2;
    }
  }
  std::string error;
  const char* env_cookie = std::getenv("ERLANG_COOKIE");
  if (!cookie_file.empty()) {
    if (!read_secret(cookie_file, o.cookie, error, "cookie")) {
      std::fprintf(stderr, "actorscope-beam: %s\n", error.c_str());
      return 2;
    }
    o.cookie_origin = cookie_file;
  } else if (env_cookie && *env_cookie) {
    o.cookie = env_cookie;
    o.cookie_origin = "ERLANG_COOKIE";
  } else {
    const char* home = std::getenv("HOME");
    std::string path = std::string(home ? home : "") + "/.erlang.cookie";
    if (!read_secret(path, o.cookie, error, "cookie")) {
      std::fprintf(stderr, "actorscope-beam: %s (give --cookie-file or set ERLANG_COOKIE)\n", error.c_str());
      return 2;
    }
    o.cookie_origin = path;
  }
  if (o.cookie.empty() || o.cookie.size() > 255) {
    std::fprintf(stderr, "actorscope-beam: the cookie from %s is empty or longer than 255 bytes\n", o.cookie_origin.c_str());
    return 2;
  }
  if (!token_file.empty()) {
    if (!proto::read_token_file(token_file, o.token, error)) {
      std::fprintf(stderr, "actorscope-beam: %s\n", error.c_str());
      return 2;
    }
    if (o.token.size() > 1024) {
      std::fprintf(stderr, "actorscope-beam: token file '%s' holds more than 1024 bytes\n", token_file.c_str());
      return 2;
    }
  }
  std::string host, path;
  int port = 0;
  if (!parse_collector_address(o.collector, host, port, path, error)) {
    std::fprintf(stderr, "actorscope-beam: %s\n", error.c_str());
    return 2;
  }
  return 0;
}

}  // namespace actorscope::beam
