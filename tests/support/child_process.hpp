// A child process started by a test: its output captured line by line, killed when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "eventually.hpp"

namespace actorscope::testing {

using namespace std::chrono_literals;

class ChildProcess {
 public:
  // Starts `program` with `args`. The child's environment is the test's, without any
  // ACTORSCOPE_* variable, plus `env` ("NAME=value" entries). `max_open_files` > 0: the
  // child's RLIMIT_NOFILE, set before exec (to run it out of descriptors).
  ChildProcess(std::string program, std::vector<std::string> args, std::vector<std::string> env = {},
               unsigned long max_open_files = 0);
  ~ChildProcess();  // SIGKILL if still running, then reaps it
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  // The first line (stdout or stderr, per `from_stderr`) matching `pattern`, waiting up to
  // `timeout`; returns its capture groups (group 0 = the whole line), nullopt on timeout
  // or when the child exited without printing it.
  std::optional<std::vector<std::string>> wait_for_line(const std::string& pattern, std::chrono::milliseconds timeout,
                                                        bool from_stderr = false);
  std::vector<std::string> stdout_lines() const;
  std::vector<std::string> stderr_lines() const;
  // Both streams, for failure messages.
  std::string output() const;

  void signal(int sig);
  // Waits for the child to exit and its output to end; its exit code (128 + signal when
  // killed), nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  void read_stream(int fd, bool is_stderr);

  std::string name_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> out_, err_;
  int open_streams_ = 2;
  std::thread out_reader_, err_reader_;
};

// A program run to its end: exit code (-1 when it did not end in time) and its lines.
struct FinishedRun {
  int code = -1;
  std::vector<std::string> out, err;
  std::string all() const;                     // stdout, then stderr lines marked as such
  bool shows(const std::string& text) const;  // some stdout line contains text
};
FinishedRun run_to_end(const std::string& program, const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace actorscope::testing
