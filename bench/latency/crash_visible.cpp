// Crash -> visible, end to end at default settings: an actor crashes in a real agent (this
// process is the app), and we time how long until
//   - a connected viewer's replica (view::Client, as both viewers use it) holds the restart, and
//   - actorscope-top's screen (a real actorscope-top in tmux, Events view) shows it,
// through a real actorscope-collector. Median, p99 and max over --crashes N (default 150).
//
// The screen is read by polling `tmux capture-pane` every 2 ms; one capture takes a few ms,
// so the screen figures carry that resolution (stated in the output). The replica is watched
// on the client's update descriptor, as a renderer would.
//
// Usage: actorscope-bench-crash-visible [--crashes N] [--no-top]   (Google Benchmark flags
// that scripts/bench.sh passes are accepted and ignored)
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <actorscope/agent.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/view/client.hpp"

extern char** environ;

namespace {

namespace view = actorscope::view;
namespace proto = actorscope::proto;

using Clock = std::chrono::steady_clock;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

struct Stats {
  double median, p99, max;
};

Stats stats_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5))]; };
  return {at(0.5), at(0.99), v.back()};
}

// True when the replica holds the restart of the child with this reason text.
bool replica_has(view::Client& client, const std::string& marker) {
  auto lock = client.lock();
  const auto& events = client.replica().events();
  for (auto it = events.rbegin(); it != events.rend() && std::distance(events.rbegin(), it) < 64; ++it)
    if (it->kind == proto::viewer::EventKind::Restarted && it->text.find(marker) != std::string::npos) return true;
  return false;
}

// True when one line of the screen shows the restart with this reason text.
bool screen_has(const std::string& screen, const std::string& marker) {
  size_t at = screen.find(marker);
  if (at == std::string::npos) return false;
  size_t begin = screen.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return screen.substr(begin, at - begin).find("restarted") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  int crashes = 150;
  bool with_top = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--crashes" && i + 1 < argc) crashes = std::max(10, std::atoi(argv[++i]));
    else if (a == "--no-top") with_top = false;
    else if (a.rfind("--benchmark_", 0) == 0) continue;
    else {
      std::fprintf(stderr, "usage: %s [--crashes N] [--no-top]\n", argv[0]);
      return 2;
    }
  }
  std::string self = argv[0];
  std::string bin = self.substr(0, self.rfind('/') == std::string::npos ? 0 : self.rfind('/'));
  if (bin.empty()) bin = ".";
  char dir_template[] = "/tmp/actorscope-crash-visible-XXXXXX";
  if (!::mkdtemp(dir_template)) return 1;
  const std::string dir = dir_template;
  const std::string address = "unix:" + dir + "/c.sock";

  pid_t collector = spawn({bin + "/actorscope-collector", "--listen", address, "--metrics", "none"}, dir + "/collector.log");
  if (collector < 0) {
    std::fprintf(stderr, "crash-visible: cannot start %s/actorscope-collector\n", bin.c_str());
    return 1;
  }
  struct stat st{};
  for (int i = 0; i < 500 && ::stat((dir + "/c.sock").c_str(), &st) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  actorscope::Config config;  // default flush period and everything else
  config.collector = address;
  config.node = "crash-bench";
  int rc = 0;
  {
    actorscope::Agent agent(config);
    using actorscope::SpawnInfo;
    auto sup = actorscope::Actor::spawn(
        SpawnInfo("bench_sup").name("bench_sup").supervisor(actorscope::Strategy::OneForOne, 1000000, 1000));
    auto victim = actorscope::Actor::spawn(SpawnInfo("victim").name("victim").parent(sup).child_id("victim"));

    view::ClientOptions co;
    co.address = address;
    view::Client client(co);
    client.start();
    for (int i = 0; i < 1000; ++i) {
      {
        auto lock = client.lock();
        if (client.replica().has_snapshot() && client.replica().find_node("crash-bench")) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    const std::string tmux = "tmux -L actorscope-crash-visible-" + std::to_string(::getpid()) + " -f /dev/null ";
    if (with_top) {
      run(tmux + "new-session -d -x 160 -y 45 " +
          shell_quote("env TERM=xterm-256color LANG=C.UTF-8 " + bin + "/actorscope-top --collector " + address));
      run(tmux + "send-keys -t 0 3");
      bool ready = false;
      for (int i = 0; i < 500 && !ready; ++i) {
        ready = run(tmux + "capture-pane -p -t 0").find("REASON / DETAIL") != std::string::npos;
        if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!ready) {
        std::fprintf(stderr, "crash-visible: actorscope-top did not show its Events view\n");
        with_top = false;
        rc = 1;
      }
    }

    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> gap_ms(150, 350);  // crashes land anywhere in the flush period
    std::vector<double> replica_ms, screen_ms;
    int missed = 0;
    for (int i = 1; i <= crashes; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms(rng)));
      char marker[32];
      std::snprintf(marker, sizeof marker, "boom-%06d", i);
      const auto t0 = Clock::now();
      const uint64_t old_id = victim.id();
      victim.exit(actorscope::ExitReason::Error, marker);
      victim = actorscope::Actor::spawn(SpawnInfo("victim").name("victim").parent(sup).child_id("victim"));
      sup.child_restarted("victim", old_id, victim.id(), actorscope::ExitReason::Error, marker);

      std::optional<double> seen_replica, seen_screen;
      const auto deadline = t0 + std::chrono::seconds(5);
      while ((!seen_replica || (with_top && !seen_screen)) && Clock::now() < deadline) {
        if (!seen_replica) {
          pollfd p{client.update_fd(), POLLIN, 0};
          ::poll(&p, p.fd >= 0 ? 1 : 0, with_top && !seen_screen ? 0 : 1);
          client.consume_update_signal();
          if (replica_has(client, marker))
            seen_replica = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        }
        if (with_top && !seen_screen) {
          if (screen_has(run(tmux + "capture-pane -p -t 0"), marker))
            seen_screen = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          else
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
      if (!seen_replica || (with_top && !seen_screen)) {
        ++missed;
        continue;
      }
      replica_ms.push_back(*seen_replica);
      if (with_top) screen_ms.push_back(*seen_screen);
    }
    if (with_top) run(tmux + "kill-server");
    client.stop();

    std::printf("crash -> visible over %d crashes (default settings: agent flush 100 ms, viewer deltas 10 Hz)\n", crashes);
    if (replica_ms.empty()) {
      std::printf("nothing seen\n");
      rc = 1;
    } else {
      Stats r = stats_of(replica_ms);
      std::printf("viewer replica:      median %6.1f ms  p99 %6.1f ms  max %6.1f ms  (n=%zu)\n", r.median, r.p99, r.max,
                  replica_ms.size());
      if (!screen_ms.empty()) {
        Stats s = stats_of(screen_ms);
        std::printf("actorscope-top screen: median %6.1f ms  p99 %6.1f ms  max %6.1f ms  (n=%zu; tmux polled every 2 ms, "
                    "one capture takes a few ms)\n",
                    s.median, s.p99, s.max, screen_ms.size());
      }
    }
    if (missed) {
      std::printf("not seen within 5 s: %d\n", missed);
      rc = 1;
    }
  }
  ::kill(collector, SIGTERM);
  ::waitpid(collector, nullptr, 0);
  run("rm -rf " + shell_quote(dir));
  return rc;
}
