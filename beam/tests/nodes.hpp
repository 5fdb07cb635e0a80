// Real processes for the tests: Erlang and Elixir nodes with a control channel, and
// actorscope-beam itself; each stopped when its object goes.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace actorscope::beam::testing {

// A child process with its output in a file.
class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const std::string& log);
  ~Child() { stop(); }
  Child(Child&& o) noexcept { *this = std::move(o); }
  Child& operator=(Child&& o) noexcept;
  bool alive();
  void signal(int sig);
  // SIGTERM, then SIGKILL after a grace period; reaps.
  void stop();
  int wait_exit(int timeout_ms);  // exit status, or -1 on timeout
  std::string output() const;     // the log so far
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_;
  int status_ = -1;
};

// A per-test scratch directory with a cookie; epmd running.
struct Scratch {
  Scratch();
  ~Scratch();
  std::string dir;
  std::string cookie_file;  // dir/.erlang.cookie
  std::string cookie;
  std::string host;         // the short host name, as -sname uses it
  std::string unique(const std::string& prefix);  // a node name unique to this run
};

// An Erlang or Elixir node started by the test, with actorscope_test_ctl's control channel.
class Node {
 public:
  // erl with the given applications started (plus beamtest).
  static std::unique_ptr<Node> erlang(Scratch& s, const std::vector<std::string>& apps,
                                      const std::vector<std::string>& extra_args = {});
  // elixir running beam/demo/shop.exs with the given environment.
  static std::unique_ptr<Node> elixir(Scratch& s, const std::map<std::string, std::string>& env);
  Node() = default;
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  // Evaluates an Erlang expression ("E.") on the node; the reply as text ("" on failure).
  std::string eval(const std::string& expr, int timeout_ms = 30000);
  Child& process() { return process_; }
  void kill_now();

 private:
  bool wait_ready(const std::string& port_file, int timeout_ms);
  std::string name_;
  Child process_;
  int port_ = 0;
  int fd_ = -1;
};

// actorscope-beam attached to `node`, reporting to `collector`.
Child start_beam(Scratch& s, const std::vector<std::string>& nodes, const std::string& collector,
                 const std::vector<std::string>& extra = {}, const std::map<std::string, std::string>& env = {});

}  // namespace actorscope::beam::testing
