// Child processes, scratch directories and test nodes.
#include "nodes.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace actorscope::beam::testing {
namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

std::atomic<int> g_counter{0};

}  // namespace

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const std::string& log)
    : log_(log) {
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Child& Child::operator=(Child&& o) noexcept {
  stop();
  pid_ = o.pid_;
  log_ = std::move(o.log_);
  status_ = o.status_;
  o.pid_ = -1;
  return *this;
}

bool Child::alive() {
  if (pid_ <= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    pid_ = -1;
    return false;
  }
  return true;
}

void Child::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int Child::wait_exit(int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (alive()) {
    if (now_ms() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

void Child::stop() {
  if (pid_ <= 0) return;
  pid_t group = pid_;
  ::kill(pid_, SIGTERM);
  if (wait_exit(3000) < 0) {
    ::kill(pid_, SIGKILL);
    wait_exit(3000);
  }
  ::kill(-group, SIGKILL);  // whatever it started in its own group (erl's helpers)
}

std::string Child::output() const {
  std::ifstream f(log_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Scratch::Scratch() {
  char tmpl[] = "/tmp/actorscope-beam-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
  dir = tmpl;
  std::mt19937_64 rng{std::random_device{}()};
  cookie = "BEAMTEST" + std::to_string(rng());
  cookie_file = dir + "/.erlang.cookie";
  {
    std::ofstream f(cookie_file);
    f << cookie;
  }
  chmod(cookie_file.c_str(), 0400);
  char h[256] = {};
  gethostname(h, sizeof h - 1);
  host = h;
  host = host.substr(0, host.find('.'));
  // epmd: started if none runs (it stays, as with any distributed Erlang use).
  std::system("epmd -daemon >/dev/null 2>&1");
}

Scratch::~Scratch() {
  std::string cmd = "rm -rf '" + dir + "'";
  std::system(cmd.c_str());
}

std::string Scratch::unique(const std::string& prefix) {
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(g_counter++);
}

Node::~Node() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Node> Node::erlang(Scratch& s, const std::vector<std::string>& apps,
                                   const std::vector<std::string>& extra_args) {
  auto node = std::make_unique<Node>();
  Node& n = *node;
  std::string alive = s.unique("bt");
  n.name_ = alive + "@" + s.host;
  std::string port_file = s.dir + "/" + alive + ".port";
  std::string list;
  for (const auto& a : apps) list += (list.empty() ? "" : ",") + a;
  std::vector<std::string> argv = {"erl", "-sname", alive, "-noshell", "-noinput", "-pa", ACTORSCOPE_TEST_EBIN,
                                   "-kernel", "net_ticktime", "4", "-mnesia", "dir", "\"" + s.dir + "/mnesia_" + alive + "\""};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.insert(argv.end(), {"-eval", "actorscope_test_ctl:boot(\"" + port_file + "\", [" + list + "])"});
  n.process_ = Child(argv, {{"HOME", s.dir}}, s.dir + "/" + alive + ".log");
  if (!n.wait_ready(port_file, 60000)) throw std::runtime_error("node did not start: " + n.process_.output());
  return node;
}

std::unique_ptr<Node> Node::elixir(Scratch& s, const std::map<std::string, std::string>& env) {
  auto node = std::make_unique<Node>();
  Node& n = *node;
  std::string alive = s.unique("shop");
  n.name_ = alive + "@" + s.host;
  std::string port_file = s.dir + "/" + alive + ".port";
  std::map<std::string, std::string> e = env;
  e["HOME"] = s.dir;
  e["ACTORSCOPE_CTL_PORT_FILE"] = port_file;
  std::vector<std::string> argv = {"elixir", "--sname", alive, "--erl",
                                   std::string("-noinput -pa ") + ACTORSCOPE_TEST_EBIN + " -kernel net_ticktime 4",
                                   "--no-halt", ACTORSCOPE_SHOP_EXS};
  n.process_ = Child(argv, e, s.dir + "/" + alive + ".log");
  if (!n.wait_ready(port_file, 90000)) throw std::runtime_error("elixir node did not start: " + n.process_.output());
  return node;
}

bool Node::wait_ready(const std::string& port_file, int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (now_ms() < deadline) {
    std::ifstream f(port_file);
    if (f >> port_) return true;
    if (!process_.alive()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string Node::eval(const std::string& expr, int timeout_ms) {
  if (fd_ < 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(static_cast<uint16_t>(port_));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      ::close(fd_);
      fd_ = -1;
      return "";
    }
  }
  std::string line = expr + "\n";
  if (::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) return "";
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  std::string in;
  size_t need = std::string::npos, header = 0;
  while (need == std::string::npos || in.size() < header + need) {
    uint64_t now = now_ms();
    if (now >= deadline) {
      ::close(fd_);
      fd_ = -1;
      return "";
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(deadline - now)) != 1) continue;
    char buf[65536];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;
      return "";
    }
    in.append(buf, static_cast<size_t>(n));
    if (need == std::string::npos) {
      auto nl = in.find('\n');
      if (nl != std::string::npos) {
        need = std::stoul(in.substr(0, nl));
        header = nl + 1;
      }
    }
  }
  return in.substr(header, need);
}

void Node::kill_now() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  process_.signal(SIGKILL);
  process_.wait_exit(5000);
}

Child start_beam(Scratch& s, const std::vector<std::string>& nodes, const std::string& collector,
                 const std::vector<std::string>& extra, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {ACTORSCOPE_BEAM_BIN};
  for (const auto& n : nodes) argv.insert(argv.end(), {"--node", n});
  argv.insert(argv.end(), {"--cookie-file", s.cookie_file, "--collector", collector, "--tick-ms", "50",
                           "--scan-interval-ms", "500", "--tree-interval-ms", "1000"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return Child(argv, env, s.dir + "/" + s.unique("beam") + ".log");
}

}  // namespace actorscope::beam::testing
