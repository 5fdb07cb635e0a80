// One-line logging to stderr, whole lines at a time so concurrent threads do not interleave.
#include "actorscope/collector/log.hpp"

#include <atomic>
#include <cstdio>

namespace actorscope::collector {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
}

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

bool parse_log_level(std::string_view t, LogLevel& out) {
  if (t == "error") out = LogLevel::Error;
  else if (t == "warn") out = LogLevel::Warn;
  else if (t == "info") out = LogLevel::Info;
  else if (t == "debug") out = LogLevel::Debug;
  else return false;
  return true;
}

void log_line(LogLevel level, const std::string& line) {
  if (static_cast<int>(level) > g_level.load(std::memory_order_relaxed)) return;
  std::string s = "actorscope-collector: " + line + "\n";
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

}  // namespace actorscope::collector
