// One-line logging to stderr for the collector, with a process-wide level.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace actorscope::collector {

enum class LogLevel : int { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
bool parse_log_level(std::string_view text, LogLevel& out);
// Writes "actorscope-collector: <line>" to the sink when level is enabled (thread-safe).
void log_line(LogLevel level, const std::string& line);

// Where log lines go: stderr by default. A sink gets each whole line with its newline and
// may be called from any thread (one at a time). An empty sink restores stderr.
using LogSink = std::function<void(std::string_view line)>;
void set_log_sink(LogSink sink);
// A sink appending to a file (for a collector inside a viewer, whose terminal is the
// viewer's). False with a one-line error when the file cannot be opened.
bool log_to_file(const std::string& path, std::string& error);

}  // namespace actorscope::collector
