// The agent's settings: the C config merged with the environment, validated once at start.
#pragma once

#include <cstdint>
#include <string>

#include "actorscope/agent.h"
#include "transport_tls.hpp"

namespace actorscope::agent {

struct Address {
  enum class Kind { None, Tcp, Unix } kind = Kind::None;
  std::string host;  // tcp
  uint16_t port = 0;  // tcp
  std::string path;  // unix
  std::string text;  // as given, for log lines
};

struct Settings {
  Address collector;
  std::string node;
  std::string token;
  std::string host;
  std::string program;
  uint32_t flush_ms = 100;
  uint32_t ring_bytes = 65536;
  uint64_t memory_budget = 16u << 20;
  uint32_t max_strings = 65536;
  uint32_t backoff_min_ms = 250;
  uint32_t backoff_max_ms = 30000;
  uint32_t flow_sample_every = 32;  // ACTORSCOPE_FLOW_SAMPLE: 1 in N sends sampled; 0: no flow
  uint32_t flow_edges = 256;        // ACTORSCOPE_FLOW_EDGES: edges per thread and flush
  bool disabled = false;
  bool allow_commands = false;
  TlsSettings tls;  // ACTORSCOPE_TLS_CA / _CERT / _KEY
};

// Parses "tcp:HOST:PORT" or "unix:PATH"; false with a one-line reason otherwise.
bool parse_address(const std::string& text, Address& out, std::string& error);

// Fills s from c (may be NULL) and the environment. False with a one-line reason when
// the user gave something unusable (bad address, unreadable token file).
bool resolve_settings(const actorscope_config* c, Settings& s, std::string& error);

}  // namespace actorscope::agent
