// Command-line options of actorscope-collector.
#pragma once

#include <string>
#include <vector>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/collector/server.hpp"
#include "actorscope/collector/history.hpp"
#include "actorscope/collector/settings.hpp"

namespace actorscope::collector {

struct DaemonOptions {
  ServerSettings server;
  ModelSettings model;
  HistorySettings history;
  uint64_t max_past_views = 8;  // viewers showing a past instant at once (each holds a model)
  uint64_t max_exports = 2;     // flight-recorder exports pulled at once (each pins its history)
  ExporterSettings exporter;
  std::string metrics = "127.0.0.1:9464";  // "none" disables the exporter
  std::string token_file;
  std::string metrics_token_file;  // /metrics requires this bearer token
  std::string replay;
  double replay_speed = 0;
  bool allow_commands = false;
  LogLevel log_level = LogLevel::Info;
};

enum class ParseOutcome { Run, Help, Error };

// Parses argv. On Error, `error` holds one line.
ParseOutcome parse_options(int argc, char** argv, DaemonOptions& out, std::string& error);
std::string usage();
// Reads a token file: its first line, without trailing whitespace.
bool read_token_file(const std::string& path, std::string& token, std::string& error);

}  // namespace actorscope::collector
