// One-line logging to stderr for the collector, with a process-wide level.
#pragma once

#include <string>
#include <string_view>

namespace actorscope::collector {

enum class LogLevel : int { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
bool parse_log_level(std::string_view text, LogLevel& out);
// Writes "actorscope-collector: <line>" to stderr when level is enabled (thread-safe).
void log_line(LogLevel level, const std::string& line);

}  // namespace actorscope::collector
