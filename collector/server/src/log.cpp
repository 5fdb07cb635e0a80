// One-line logging for the collector, whole lines at a time so concurrent threads do not
// interleave, to stderr or to a sink.
#include "actorscope/collector/log.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

namespace actorscope::collector {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::mutex g_sink_mutex;
LogSink g_sink;  // guarded by g_sink_mutex; empty: stderr
}  // namespace

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
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  if (g_sink) {
    g_sink(s);
    return;
  }
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

void set_log_sink(LogSink sink) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  g_sink = std::move(sink);
}

bool log_to_file(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (!f) {
    error = "cannot open log file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::shared_ptr<std::FILE> file(f, [](std::FILE* p) { std::fclose(p); });
  set_log_sink([file](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), file.get());
    std::fflush(file.get());
  });
  return true;
}

}  // namespace actorscope::collector

namespace actorscope::collector {

bool LogLimiter::log(LogLevel level, uint64_t now_ns, const std::string& peer, std::string_view reason,
                     const std::string& line) {
  if (now_ns >= window_start_ns_ + interval_ns_ && entries_.size() >= max_keys_) {
    // A new interval: forget keys that are quiet, so the table stays small.
    for (auto it = entries_.begin(); it != entries_.end();)
      it = now_ns >= it->second.last_ns + interval_ns_ && it->second.suppressed == 0 ? entries_.erase(it) : std::next(it);
    window_start_ns_ = now_ns;
  }
  std::string key = peer;
  key += '|';
  key += reason;
  if (entries_.size() >= max_keys_ && !entries_.count(key)) key = "(many peers)|" + std::string(reason);
  Entry& e = entries_[key];
  if (e.last_ns != 0 && now_ns < e.last_ns + interval_ns_) {
    ++e.suppressed;
    ++suppressed_total_;
    return false;
  }
  std::string text = line;
  if (e.suppressed > 0) {
    // Since when: the wall-clock time of the last line logged for this key.
    char since[16] = "?";
    std::tm tm{};
    if (localtime_r(&e.last_wall, &tm)) std::strftime(since, sizeof since, "%H:%M:%S", &tm);
    text += " ... and " + std::to_string(e.suppressed) + " more since " + since;
  }
  e.suppressed = 0;
  e.last_ns = now_ns;
  e.last_wall = std::time(nullptr);
  log_line(level, text);
  return true;
}

}  // namespace actorscope::collector
