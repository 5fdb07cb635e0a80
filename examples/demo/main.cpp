// actorscope-demo: a supervised CAF service reporting to actorscope, with a live summary
// on stderr and its own exact counts on stdout at exit (and at --hold).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/supervisor.hpp"
#include "actorscope/caf/totals.hpp"
#include "messages.hpp"
#include "options.hpp"
#include "service.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// Waits up to `timeout` for SIGINT/SIGTERM (blocked in every thread). True when one came.
bool wait_for_signal(std::chrono::milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000000};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

void print_registry(const char* title) {
  auto t = actorscope::caf::current_totals();
  std::printf("demo: %s actors_alive=%llu restarts=%llu messages_processed=%llu\n", title,
              static_cast<unsigned long long>(t.alive), static_cast<unsigned long long>(t.restarts),
              static_cast<unsigned long long>(t.messages_processed));
  for (const auto& ty : t.types)
    std::printf("demo: type=%s alive=%llu spawned=%llu exited=%llu processed=%llu\n", ty.type.c_str(),
                static_cast<unsigned long long>(ty.alive), static_cast<unsigned long long>(ty.spawned),
                static_cast<unsigned long long>(ty.exited), static_cast<unsigned long long>(ty.processed));
  for (const auto& s : t.supervisors)
    std::printf("demo: supervisor=%s restarts=%llu\n", s.name.c_str(), static_cast<unsigned long long>(s.restarts));
  std::printf("demo: end\n");
  std::fflush(stdout);
}

void print_summary(double seconds) {
  auto t = actorscope::caf::current_totals();
  uint64_t sessions = 0;
  for (const auto& ty : t.types)
    if (ty.type == "session") sessions = ty.alive;
  std::fprintf(stderr, "demo: t=%.0fs actors=%llu sessions=%llu restarts=%llu processed(exited)=%llu\n", seconds,
               static_cast<unsigned long long>(t.alive), static_cast<unsigned long long>(sessions),
               static_cast<unsigned long long>(t.restarts), static_cast<unsigned long long>(t.messages_processed));
}

// Asks the traffic actor to pause (quiesce_atom) or go on (resume_atom), and waits for its answer.
template <class Atom>
void ask_traffic(caf::actor_system& sys, Atom what) {
  caf::scoped_actor self{sys};
  if (auto t = demo::lookup(sys, "traffic")) self->request(t, std::chrono::seconds(5), what).receive([](bool) {}, [](caf::error&) {});
}

// Pauses the traffic (its sessions end) and waits until the tree is still: no session
// left, and no spawn, exit or restart for `still`. False when it did not settle in 30 s.
bool quiesce(caf::actor_system& sys, std::chrono::milliseconds still) {
  ask_traffic(sys, demo::quiesce_atom::value);
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  uint64_t last[3] = {UINT64_MAX, 0, 0};
  auto stable_since = clock_type::now();
  while (clock_type::now() < deadline) {
    auto t = actorscope::caf::current_totals();
    uint64_t sessions = 0;
    for (const auto& ty : t.types)
      if (ty.type == "session") sessions = ty.alive;
    uint64_t now[3] = {t.restarts, t.alive, t.spawned};
    if (!std::equal(now, now + 3, last) || sessions != 0) {
      std::copy(now, now + 3, last);
      stable_since = clock_type::now();
    } else if (clock_type::now() - stable_since >= still) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Waits until the agent has flushed `n` more times, so that what happened before the call
// has been sent: at most 10 s, and not at all while it is not connected (then nothing is sent).
void wait_flushes(uint64_t n) {
  actorscope_stats st;
  actorscope_get_stats(&st);
  uint64_t target = st.flushes + n;
  auto deadline = clock_type::now() + std::chrono::seconds(10);
  while (st.flushes < target && st.connected && clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    actorscope_get_stats(&st);
  }
}

// --snapshots N: after each crash (a restart), up to N, the traffic pauses until the tree
// is still; its live actors are printed, and the instant is marked in actorscope by a
// `demo.snapshot` telemetry event (measurement `index`) sent after everything before it,
// so that the tree rebuilt at that event can be held against the printed one. True when a
// signal cut it short.
bool take_snapshots(caf::actor_system& sys, uint32_t count) {
  uint64_t seen = actorscope::caf::current_totals().restarts;
  for (uint32_t k = 1; k <= count; ++k) {
    auto give_up = clock_type::now() + std::chrono::seconds(60);
    while (actorscope::caf::current_totals().restarts == seen) {
      if (wait_for_signal(std::chrono::milliseconds(10))) return true;
      if (clock_type::now() > give_up) {
        std::fprintf(stderr, "actorscope-demo: no crash for 60 s; snapshots stop at %u\n", k - 1);
        return false;
      }
    }
    if (!quiesce(sys, std::chrono::milliseconds(300))) {
      std::fprintf(stderr, "actorscope-demo: the tree did not settle in 30 s; snapshots stop at %u\n", k - 1);
      return false;
    }
    auto tree = actorscope::caf::live_actors();
    wait_flushes(2);
    actorscope_measurement m{"index", static_cast<double>(k)};
    actorscope_telemetry_execute("demo.snapshot", &m, 1, nullptr, 0, nullptr);
    wait_flushes(2);
    // A tree that moved while it was marked (a late restart on a loaded machine) is not
    // the tree at the mark: said so, not printed.
    bool still = actorscope::caf::live_actors() == tree;
    std::printf("demo: snapshot %u actors=%zu%s\n", k, tree.size(), still ? "" : " moved");
    if (still) {
      for (const auto& a : tree)
        std::printf("demo: actor id=%llu parent=%llu type=%s child=%s name=%s\n", static_cast<unsigned long long>(a.id),
                    static_cast<unsigned long long>(a.parent), a.type.c_str(), a.child_id.c_str(), a.name.c_str());
    }
    std::printf("demo: end\n");
    std::fflush(stdout);
    seen = actorscope::caf::current_totals().restarts;
    ask_traffic(sys, demo::resume_atom::value);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  demo::options opt;
  if (int rc = demo::parse_options(argc, argv, opt); rc != 0) return rc < 0 ? 0 : rc;

  // Block the signals before any thread starts, so that only the main loop takes them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  actorscope_config config;
  actorscope_config_init(&config);  // everything else from the environment
  config.allow_commands = opt.allow_commands ? 1 : 0;
  actorscope::caf::enable_kill_commands();  // used only when commands are allowed
  actorscope::caf::keep_live_actors(opt.snapshots > 0);
  actorscope_start(&config);  // on failure it says why and stays off; the demo runs anyway
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto app = demo::start_app(sys, opt);
    auto start = clock_type::now();
    auto next_summary = start + std::chrono::seconds(2);
    bool signalled = opt.snapshots > 0 && take_snapshots(sys, opt.snapshots);
    while (!signalled && opt.snapshots == 0) {
      double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
      if (opt.duration > 0 && elapsed >= opt.duration) break;
      signalled = wait_for_signal(std::chrono::milliseconds(200));
      if (!opt.quiet && clock_type::now() >= next_summary) {
        print_summary(elapsed);
        next_summary += std::chrono::seconds(2);
      }
    }
    if (!signalled && opt.hold && opt.snapshots == 0) {
      quiesce(sys, std::chrono::seconds(1));
      print_registry("holding");
      while (!wait_for_signal(std::chrono::milliseconds(1000))) {
      }
    }
    // Ordered shutdown: the top supervisor stops its children in reverse start order.
    caf::scoped_actor self{sys};
    self->monitor(app);
    self->send_exit(app, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {});
  }
  // Every actor has exited: the counts are final. They reach the collector with the next
  // flushes, waited for here: the agent's own last flush at stop is bounded (1 s) and, on a
  // loaded machine, could leave the last exits behind.
  print_registry("final");
  wait_flushes(2);
  actorscope_stop();
  return 0;
}
