// actorscope-demo: a supervised CAF service reporting to actorscope, with a live summary
// on stderr and its own exact counts on stdout at exit (and at --hold).
#include <signal.h>

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

// After --duration with --hold: stop the traffic and wait until no session is left and
// no restart happened for a second, so the printed registry stays true while we hold.
void quiesce(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  if (auto t = demo::lookup(sys, "traffic")) self->request(t, std::chrono::seconds(5), demo::quiesce_atom::value).receive([](bool) {}, [](caf::error&) {});
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  uint64_t last_restarts = UINT64_MAX;
  auto stable_since = clock_type::now();
  while (clock_type::now() < deadline) {
    auto t = actorscope::caf::current_totals();
    uint64_t sessions = 0;
    for (const auto& ty : t.types)
      if (ty.type == "session") sessions = ty.alive;
    if (t.restarts != last_restarts || sessions != 0) {
      last_restarts = t.restarts;
      stable_since = clock_type::now();
    } else if (clock_type::now() - stable_since >= std::chrono::seconds(1)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
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
  actorscope_start(&config);  // on failure it says why and stays off; the demo runs anyway
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto app = demo::start_app(sys, opt);
    auto start = clock_type::now();
    auto next_summary = start + std::chrono::seconds(2);
    bool signalled = false;
    while (!signalled) {
      double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
      if (opt.duration > 0 && elapsed >= opt.duration) break;
      signalled = wait_for_signal(std::chrono::milliseconds(200));
      if (!opt.quiet && clock_type::now() >= next_summary) {
        print_summary(elapsed);
        next_summary += std::chrono::seconds(2);
      }
    }
    if (!signalled && opt.hold) {
      quiesce(sys);
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
  // Every actor has exited: the counts are final.
  print_registry("final");
  actorscope_stop();
  return 0;
}
