// Starting, watching and reaping a test's child processes (fork/exec, pipes, a reader per stream).
#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace actorscope::testing {

ChildProcess::ChildProcess(std::string program, std::vector<std::string> args, std::vector<std::string> env,
                           unsigned long max_open_files) {
  name_ = program.substr(program.find_last_of('/') + 1);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "ACTORSCOPE_", 11) != 0) envs.emplace_back(*e);
  for (auto& e : env) envs.push_back(e);
  std::vector<char*> argv{program.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (max_open_files > 0) {
      rlimit lim{static_cast<rlim_t>(max_open_files), static_cast<rlim_t>(max_open_files)};
      if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(126);
    }
    execve(argv[0], argv.data(), envp.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_reader_ = std::thread([this, fd = out[0]] { read_stream(fd, false); });
  err_reader_ = std::thread([this, fd = err[0]] { read_stream(fd, true); });
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    wait_exit(10s);
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void ChildProcess::read_stream(int fd, bool is_stderr) {
  std::string partial;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::lock_guard<std::mutex> lock(mutex_);
      (is_stderr ? err_ : out_).push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
      changed_.notify_all();
    }
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!partial.empty()) (is_stderr ? err_ : out_).push_back(partial);
  --open_streams_;
  changed_.notify_all();
}

std::optional<std::vector<std::string>> ChildProcess::wait_for_line(const std::string& pattern,
                                                                    std::chrono::milliseconds timeout,
                                                                    bool from_stderr) {
  std::regex re(pattern);
  std::unique_lock<std::mutex> lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t seen = 0;
  for (;;) {
    const auto& lines = from_stderr ? err_ : out_;
    for (; seen < lines.size(); ++seen) {
      std::smatch m;
      if (std::regex_search(lines[seen], m, re)) {
        std::vector<std::string> groups;
        for (const auto& g : m) groups.push_back(g.str());
        groups[0] = lines[seen];
        return groups;
      }
    }
    if (open_streams_ == 0) return std::nullopt;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && seen == lines.size()) return std::nullopt;
  }
}

std::vector<std::string> ChildProcess::stdout_lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return out_;
}

std::vector<std::string> ChildProcess::stderr_lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return err_;
}

std::string ChildProcess::output() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string s = "--- " + name_ + " stdout ---\n";
  for (const auto& l : out_) s += l + "\n";
  s += "--- " + name_ + " stderr ---\n";
  for (const auto& l : err_) s += l + "\n";
  return s;
}

void ChildProcess::signal(int sig) {
  if (running()) kill(pid_, sig);
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return r == 0;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  eventually([&] { return !running(); }, timeout, 10ms);
  // Its output is complete once both streams reached their end.
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return open_streams_ == 0; });
  return exit_code_;
}

std::string FinishedRun::all() const {
  std::string s;
  for (const auto& l : out) s += l + "\n";
  for (const auto& l : err) s += "stderr: " + l + "\n";
  return s;
}

bool FinishedRun::shows(const std::string& text) const {
  for (const auto& l : out)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

FinishedRun run_to_end(const std::string& program, const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  ChildProcess p(program, args);
  FinishedRun r;
  r.code = p.wait_exit(timeout).value_or(-1);
  r.out = p.stdout_lines();
  r.err = p.stderr_lines();
  return r;
}

}  // namespace actorscope::testing
