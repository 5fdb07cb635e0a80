// Hooks at any time: before start, while stop and start run, after stop, and while the process exits.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/agent.h"
#include "fake_collector.hpp"

using actorscope::testing::FakeCollector;
using actorscope::testing::Seen;

namespace {

actorscope_config fast_config(const std::string& address) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.collector = address.c_str();
  c.node = "late@test";
  c.flush_ms = 10;
  c.backoff_min_ms = 10;
  c.backoff_max_ms = 100;
  c.ring_bytes = 4096;  // small rings: drops and half-full wake-ups happen too
  return c;
}

actorscope_actor* spawn_worker(const char* type, uint64_t parent = 0, actorscope_kind kind = ACTORSCOPE_WORKER) {
  actorscope_spawn_info i{};
  i.type = type;
  i.name = type;
  i.parent_id = parent;
  i.kind = kind;
  if (kind == ACTORSCOPE_SUPERVISOR) {
    i.strategy = ACTORSCOPE_ONE_FOR_ONE;
    i.intensity = 3;
    i.period_ms = 5000;
  }
  return actorscope_spawn(&i);
}

// Every hook an app may call on a cell, in the order a runtime would.
void every_hook(actorscope_actor* sup, actorscope_actor* a, uint64_t n) {
  actorscope_enqueue(a);
  actorscope_dequeue(a);
  actorscope_mailbox_depth(a, n % 7);
  uint64_t begin = actorscope_process_begin(a);
  actorscope_process_end(a, begin);
  actorscope_measurement m[] = {{"n", double(n)}};
  actorscope_meta md[] = {{"where", "late"}};
  actorscope_telemetry_execute("late.hook", m, 1, md, 1, a);
  uint64_t token = actorscope_span_start("late.span", md, 1, a);
  if (n % 2) actorscope_span_stop("late.span", token, md, 1, a);
  else actorscope_span_exception("late.span", token, "error", "late fault", md, 1, a);
  actorscope_child_restarted(sup, "late-child", actorscope_actor_id(a), actorscope_actor_id(a), ACTORSCOPE_EXIT_ERROR,
                             "late restart");
  actorscope_link(actorscope_actor_id(sup), actorscope_actor_id(a), ACTORSCOPE_MONITOR);
}

// The actors of one application thread, spawned on that thread.
struct AppThread {
  actorscope_actor* sup = nullptr;
  std::vector<actorscope_actor*> workers;
};

// Waits (30 s at most) until the agent has completed one more handshake than it had.
bool connected_once_more() {
  static uint64_t seen = 0;
  for (int i = 0; i < 3000; ++i) {
    actorscope_stats st;
    actorscope_get_stats(&st);
    if (st.connects > seen && st.connected) {
      seen = st.connects;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class AfterStopTest : public ::testing::Test {
 protected:
  void TearDown() override { actorscope_stop(); }
};

}  // namespace

TEST_F(AfterStopTest, HooksBeforeTheFirstStartDoNothing) {
  actorscope_stop();  // a stop without a start is harmless
  if (actorscope_enabled()) GTEST_SKIP() << "another test in this process started the agent";
  EXPECT_EQ(spawn_worker("early"), nullptr);
  every_hook(nullptr, nullptr, 1);
  actorscope_exit(nullptr, ACTORSCOPE_EXIT_NORMAL, "early");
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.connected, 0u);
}

// Threads run every hook on their actors while the agent is stopped and started again and
// again; then they exit their actors while it is stopped. The next start reports all of it.
TEST_F(AfterStopTest, HooksFromManyThreadsAcrossStopAndStartAreSafe) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  constexpr int kThreads = 4, kActorsPerThread = 200, kCycles = 6;
  std::vector<AppThread> apps(kThreads);
  std::atomic<int> spawned{0};
  std::atomic<bool> exit_now{false};
  std::atomic<int> exited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      AppThread& app = apps[t];
      app.sup = spawn_worker("late_sup", 0, ACTORSCOPE_SUPERVISOR);
      for (int i = 0; i < kActorsPerThread; ++i)
        app.workers.push_back(spawn_worker("late_worker", actorscope_actor_id(app.sup)));
      spawned.fetch_add(1);
      uint64_t n = 0;
      for (; !exit_now.load(); ++n) every_hook(app.sup, app.workers[n % app.workers.size()], n);
      for (actorscope_actor* w : app.workers) actorscope_exit(w, ACTORSCOPE_EXIT_ERROR, "exited while stopped");
      actorscope_exit(app.sup, ACTORSCOPE_EXIT_SHUTDOWN, nullptr);
      // Late hooks on exited cells, as a sender racing the exit would do.
      for (actorscope_actor* w : app.workers) every_hook(app.sup, w, ++n);
      exited.fetch_add(1);
    });
  while (spawned.load() < kThreads) std::this_thread::yield();
  for (int i = 0; i < kCycles; ++i) {
    ASSERT_TRUE(connected_once_more());  // so that each stop has a final flush to send
    actorscope_stop();
    ASSERT_EQ(actorscope_start(&c), 0);
  }
  ASSERT_TRUE(connected_once_more());
  actorscope_stop();
  exit_now.store(true);
  for (auto& t : threads) t.join();  // the threads end too: their rings become orphans
  ASSERT_EQ(exited.load(), kThreads);

  // Threads that never ran a hook before the stop run them only now.
  std::vector<std::thread> late;
  for (int t = 0; t < kThreads; ++t)
    late.emplace_back([&, t] {
      for (uint64_t n = 0; n < 1000; ++n) every_hook(apps[t].sup, apps[t].workers[n % kActorsPerThread], n);
    });
  for (auto& t : late) t.join();

  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_actor* after = spawn_worker("after_restart");
  ASSERT_NE(after, nullptr);
  actorscope_enqueue(after);
  std::vector<uint64_t> ids;
  for (const AppThread& app : apps) {
    ids.push_back(actorscope_actor_id(app.sup));
    for (actorscope_actor* w : app.workers) ids.push_back(actorscope_actor_id(w));
  }
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) {
    for (uint64_t id : ids)
      if (!s.exits.count(id)) return false;
    auto it = s.stats.find(actorscope_actor_id(after));
    return it != s.stats.end() && it->second.enqueued == 1;
  }));
  Seen s = fc.seen();
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
  EXPECT_EQ(s.exits.at(ids[1]).text, "exited while stopped");
  EXPECT_EQ(s.exits.at(ids[0]).exited.reason, actorscope::proto::ExitReason::Shutdown);
  EXPECT_GE(s.hellos.size(), size_t(kCycles) + 2);
}

// A process whose actors go on running hooks after actorscope_stop, while main returns
// and static destructors run, still exits cleanly (no heap corruption, no crash).
TEST(AfterStopDeathTest, HooksWhileTheProcessExitsAfterStop) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        actorscope_config c;
        actorscope_config_init(&c);
        c.collector = nullptr;
        c.flush_ms = 5;
        if (actorscope_start(&c) != 0) std::_Exit(3);
        std::atomic<int> ready{0};
        for (int t = 0; t < 4; ++t)
          std::thread([&ready] {
            actorscope_actor* sup = spawn_worker("exit_sup", 0, ACTORSCOPE_SUPERVISOR);
            std::vector<actorscope_actor*> workers;
            for (int i = 0; i < 100; ++i) workers.push_back(spawn_worker("exit_worker", actorscope_actor_id(sup)));
            ready.fetch_add(1);
            for (uint64_t n = 0;; ++n) {
              actorscope_actor* w = workers[n % workers.size()];
              every_hook(sup, w, n);
              if (n % 3 == 0) actorscope_exit(w, ACTORSCOPE_EXIT_NORMAL, "late exit");
            }
          }).detach();
        while (ready.load() < 4) std::this_thread::yield();
        actorscope_stop();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}
