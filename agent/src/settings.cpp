// Config fields override the environment; defaults fill what neither gives.
#include "settings.hpp"

#include "actorscope/protocol/token.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace actorscope::agent {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

std::string program_name() {
#ifdef __GLIBC__
  if (program_invocation_short_name && *program_invocation_short_name) return program_invocation_short_name;
#endif
  std::ifstream f("/proc/self/comm");  // at most 15 characters, but better than nothing
  std::string s;
  if (f && std::getline(f, s) && !s.empty()) return s;
  return "app";
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

}  // namespace

bool parse_address(const std::string& text, Address& out, std::string& error) {
  out = Address{};
  out.text = text;
  if (text.rfind("unix:", 0) == 0) {
    out.path = text.substr(5);
    if (out.path.empty() || out.path.size() >= 108) {
      error = "collector address '" + text + "': unix socket path empty or too long";
      return false;
    }
    out.kind = Address::Kind::Unix;
    return true;
  }
  if (text.rfind("tcp:", 0) == 0) {
    std::string rest = text.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
      error = "collector address '" + text + "': expected tcp:HOST:PORT";
      return false;
    }
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    errno = 0;
    unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (errno || !end || *end || p == 0 || p > 65535) {
      error = "collector address '" + text + "': port must be 1-65535";
      return false;
    }
    out.kind = Address::Kind::Tcp;
    out.host = host;
    out.port = static_cast<uint16_t>(p);
    return true;
  }
  error = "collector address '" + text + "': expected tcp:HOST:PORT or unix:PATH";
  return false;
}

// An unsigned setting from the environment, when set: min..max or a one-line error.
static bool env_u32(const char* name, uint32_t min, uint32_t max, uint32_t& out, std::string& error) {
  const char* v = env(name);
  if (!v) return true;
  char* end = nullptr;
  errno = 0;
  unsigned long n = std::strtoul(v, &end, 10);
  if (errno || !end || *end || !*v || n < min || n > max) {
    error = std::string(name) + "='" + v + "': expected " + std::to_string(min) + "-" + std::to_string(max);
    return false;
  }
  out = static_cast<uint32_t>(n);
  return true;
}

bool resolve_settings(const actorscope_config* c, Settings& s, std::string& error) {
  actorscope_config zero{};
  if (!c) c = &zero;
  s = Settings{};
  s.host = host_name();
  s.program = program_name();

  const char* disable = env("ACTORSCOPE_DISABLE");
  s.disabled = c->disabled != 0 || (disable && std::strcmp(disable, "0") != 0);
  const char* allow = env("ACTORSCOPE_ALLOW_COMMANDS");
  s.allow_commands = c->allow_commands != 0 || (allow && *allow && std::strcmp(allow, "0") != 0);

  const char* collector = c->collector ? c->collector : env("ACTORSCOPE_COLLECTOR");
  if (collector && *collector && !parse_address(collector, s.collector, error)) return false;

  const char* node = c->node ? c->node : env("ACTORSCOPE_NODE");
  s.node = node && *node ? node : s.program + "@" + s.host;

  if (c->token) {
    s.token = c->token;
  } else if (const char* file = c->token_file ? c->token_file : env("ACTORSCOPE_TOKEN_FILE")) {
    // The one token-file reader every program shares: the same file means the same token.
    if (!proto::read_token_file(file, s.token, error)) return false;
  }

  // TLS: on as soon as a CA (or a client certificate) is named; the files are read at each
  // connect, so a renewed certificate is taken up at the next reconnect.
  const char* ca = env("ACTORSCOPE_TLS_CA");
  const char* cert = env("ACTORSCOPE_TLS_CERT");
  const char* key = env("ACTORSCOPE_TLS_KEY");
  if (ca || cert || key) {
    if (!tls_built_in()) {
      error = std::string(ca ? "ACTORSCOPE_TLS_CA" : cert ? "ACTORSCOPE_TLS_CERT" : "ACTORSCOPE_TLS_KEY") +
              " is set, but this agent was built without TLS (rebuild it with OpenSSL and -DACTORSCOPE_AGENT_TLS=ON)";
      return false;
    }
    if (!cert != !key) {
      error = "ACTORSCOPE_TLS_CERT and ACTORSCOPE_TLS_KEY go together (the agent's certificate and its key, for mutual TLS)";
      return false;
    }
    s.tls.enabled = true;
    s.tls.ca_file = ca ? ca : "";
    s.tls.cert_file = cert ? cert : "";
    s.tls.key_file = key ? key : "";
  }

  if (c->flush_ms) {
    s.flush_ms = c->flush_ms;
  } else if (const char* f = env("ACTORSCOPE_FLUSH_MS")) {
    char* end = nullptr;
    unsigned long v = std::strtoul(f, &end, 10);
    if (!end || *end || v == 0 || v > 60000) {
      error = std::string("ACTORSCOPE_FLUSH_MS='") + f + "': expected 1-60000 (ms)";
      return false;
    }
    s.flush_ms = static_cast<uint32_t>(v);
  }
  // Message flow: 1 in ACTORSCOPE_FLOW_SAMPLE sends sampled (0: off), into per-thread tables
  // of ACTORSCOPE_FLOW_EDGES edges each.
  if (!env_u32("ACTORSCOPE_FLOW_SAMPLE", 0, 1u << 20, s.flow_sample_every, error)) return false;
  if (!env_u32("ACTORSCOPE_FLOW_EDGES", 16, 1u << 16, s.flow_edges, error)) return false;
  if (c->ring_bytes) s.ring_bytes = c->ring_bytes < 1024 ? 1024 : c->ring_bytes;
  if (c->memory_budget) s.memory_budget = c->memory_budget;
  if (c->max_strings) s.max_strings = c->max_strings;
  if (c->backoff_min_ms) s.backoff_min_ms = c->backoff_min_ms;
  if (c->backoff_max_ms) s.backoff_max_ms = c->backoff_max_ms;
  if (s.backoff_max_ms < s.backoff_min_ms) s.backoff_max_ms = s.backoff_min_ms;
  return true;
}

}  // namespace actorscope::agent
