// One-line logging to stderr for the collector, with a process-wide level.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>

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

namespace actorscope::collector {

// Logs a refusal at most once per interval per (peer, reason): a flood of refusals costs one
// line per peer per interval, plus the count of lines suppressed meanwhile. The table of keys
// is bounded: past max_keys distinct keys in one interval, the rest share one key.
class LogLimiter {
 public:
  explicit LogLimiter(uint64_t interval_ns = 10'000'000'000ull, size_t max_keys = 1024)
      : interval_ns_(interval_ns), max_keys_(max_keys) {}
  // Logs `line` (with how many were suppressed since the last one) when the key's interval
  // has passed; otherwise counts it. Returns true when it logged.
  bool log(LogLevel level, uint64_t now_ns, const std::string& peer, std::string_view reason, const std::string& line);
  uint64_t suppressed_total() const { return suppressed_total_; }

 private:
  struct Entry {
    uint64_t last_ns = 0;
    uint64_t suppressed = 0;
    std::time_t last_wall = 0;  // when the last line was logged, for "... and N more since HH:MM:SS"
  };
  uint64_t interval_ns_;
  size_t max_keys_;
  uint64_t window_start_ns_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t suppressed_total_ = 0;
};

}  // namespace actorscope::collector
