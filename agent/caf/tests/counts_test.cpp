// The cell's counts of an instrumented CAF actor, read from outside: messages handled
// after become() are counted, messages that waited in the mailbox are counted in, a long run
// of short messages (added up in batches) is counted exactly, and an actor killed during a
// run counts what it handled and not what it left waiting. Behaviours combined with or_else
// and handlers that skip are counted the same way.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/spawn.hpp"
#include "actorscope/caf/totals.hpp"
#include "eventually.hpp"

using namespace std::chrono_literals;

namespace {
using first_atom = caf::atom_constant<caf::atom("first")>;
using then_atom = caf::atom_constant<caf::atom("then")>;

uint64_t load(const uint64_t& x) {
  return __atomic_load_n(&x, __ATOMIC_RELAXED);
}

uint64_t timed_of(const actorscope_actor* cell) {
  uint64_t timed = 0;
  for (const uint32_t& n : cell->hist) timed += __atomic_load_n(&n, __ATOMIC_RELAXED);
  return timed;
}

class CafCounts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    actorscope_config cfg;
    actorscope_config_init(&cfg);
    cfg.collector = nullptr;  // live cells, no collector
    ASSERT_EQ(actorscope_start(&cfg), 0);
  }
  static void TearDownTestSuite() { actorscope_stop(); }

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
};

TEST_F(CafCounts, MessagesHandledAfterBecomeAreCounted) {
  actorscope::caf::actor_info info;
  info.type = "changeling";
  auto a = actorscope::caf::spawn(sys, info, [](caf::event_based_actor* self) -> caf::behavior {
    return {[self](first_atom) {
      self->become([](then_atom) { return 2; });
      return 1;
    }};
  });
  actorscope_actor* cell = actorscope::caf::detail::registered_cell(a.id());
  ASSERT_NE(cell, nullptr);
  caf::scoped_actor client{sys};
  int replies = 0;
  client->request(a, 30s, first_atom::value).receive([&](int) { ++replies; }, [](caf::error&) {});
  for (int i = 0; i < 3; ++i)
    client->request(a, 30s, then_atom::value).receive([&](int x) { replies += x == 2; }, [](caf::error&) {});
  ASSERT_EQ(replies, 4);
  // The last reply is sent from the handler, before the adapter counts the message.
  EXPECT_TRUE(actorscope::testing::eventually([&] { return load(cell->dequeued) == 4; }));
  EXPECT_EQ(load(cell->enqueued), 4u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

// An actor busy in its first message while `waiting` more arrive, then released: each
// message is counted in, processed and timed, once.
void expect_each_counted(caf::actor_system& sys, const char* type, uint64_t waiting) {
  std::promise<void> entered, release;
  std::shared_future<void> gate = release.get_future().share();
  actorscope::caf::actor_info info;
  info.type = type;
  auto a = actorscope::caf::spawn(sys, info, [&entered, gate](caf::event_based_actor*) -> caf::behavior {
    return {
        [&entered, gate](first_atom) {
          entered.set_value();
          gate.wait();
        },
        [](then_atom) {},
    };
  });
  actorscope_actor* cell = actorscope::caf::detail::registered_cell(a.id());
  ASSERT_NE(cell, nullptr);
  caf::anon_send(a, first_atom::value);
  entered.get_future().wait();
  for (uint64_t i = 0; i < waiting; ++i) caf::anon_send(a, then_atom::value);
  release.set_value();
  EXPECT_TRUE(actorscope::testing::eventually([&] { return load(cell->dequeued) == waiting + 1; }))
      << load(cell->dequeued);
  EXPECT_EQ(load(cell->enqueued), waiting + 1);  // in = processed + waiting: nothing left waiting
  uint64_t timed = 0;
  for (uint32_t n : cell->hist) timed += n;
  EXPECT_EQ(timed, waiting + 1);  // one processing time per message
  EXPECT_GT(load(cell->busy_ticks), 0u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_F(CafCounts, MessagesThatWaitedWhileTheActorWasBusyAreCountedIn) {
  expect_each_counted(sys, "slowpoke", 5);
}

TEST_F(CafCounts, ALongRunOfShortMessagesIsCountedExactly) {
  // Handled in one run: many batches and a remainder.
  expect_each_counted(sys, "sprinter", 1000 + 7);
}

TEST_F(CafCounts, AnActorKilledDuringARunCountsWhatItHandledNotWhatWaited) {
  std::promise<void> entered, release;
  std::shared_future<void> gate = release.get_future().share();
  auto handled = std::make_shared<std::atomic<uint64_t>>(0);
  actorscope::caf::actor_info info;
  info.type = "interrupted";
  auto a = actorscope::caf::spawn(sys, info, [&entered, gate, handled](caf::event_based_actor*) -> caf::behavior {
    return {
        [handled](first_atom) { ++*handled; },
        [&entered, gate, handled](then_atom) {
          // The 20th blocks until the kill is in the mailbox: the run's last messages are still
          // added up on the probe (the exit waits) when the actor exits.
          if (++*handled == 20) {
            entered.set_value();
            gate.wait();
          }
        },
    };
  });
  caf::scoped_actor client{sys};
  client->monitor(a);
  caf::anon_send(a, first_atom::value);
  for (int i = 0; i < 500; ++i) caf::anon_send(a, then_atom::value);
  entered.get_future().wait();
  caf::anon_send_exit(a, caf::exit_reason::kill);
  release.set_value();
  client->receive([](const caf::down_msg&) {});
  // The adapter's count at the exit is the cell's: exactly the messages the handlers ran.
  uint64_t processed = 0;
  EXPECT_TRUE(actorscope::testing::eventually([&] {
    for (const auto& t : actorscope::caf::current_totals().types)
      if (t.type == "interrupted" && t.exited == 1) {
        processed = t.processed;
        return true;
      }
    return false;
  }));
  EXPECT_EQ(processed, handled->load());
  EXPECT_GE(handled->load(), 20u);
}

// A behaviour that is not a plain list of handlers (two combined with or_else) is called
// through as it is: both parts answer, and each message is counted and timed once.
TEST_F(CafCounts, ACombinedBehaviourAnswersFromBothPartsAndCountsEachMessageOnce) {
  actorscope::caf::actor_info info;
  info.type = "combined";
  auto a = actorscope::caf::spawn(sys, info, [](caf::event_based_actor*) -> caf::behavior {
    caf::message_handler first{[](first_atom) { return 1; }};
    caf::message_handler then{[](then_atom) { return 2; }};
    return first.or_else(then);
  });
  actorscope_actor* cell = actorscope::caf::detail::registered_cell(a.id());
  ASSERT_NE(cell, nullptr);
  caf::scoped_actor client{sys};
  int sum = 0;
  for (int i = 0; i < 3; ++i) {
    client->request(a, 30s, first_atom::value).receive([&](int x) { sum += x; }, [](caf::error&) {});
    client->request(a, 30s, then_atom::value).receive([&](int x) { sum += x; }, [](caf::error&) {});
  }
  ASSERT_EQ(sum, 9);
  // The last message's time reaches the cell after its reply and its count.
  EXPECT_TRUE(actorscope::testing::eventually([&] { return timed_of(cell) == 6; })) << timed_of(cell);
  EXPECT_EQ(load(cell->dequeued), 6u);
  EXPECT_EQ(load(cell->enqueued), 6u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

// Messages a handler skips stay in the mailbox and are not counted as handled; once a
// become() takes them, each is counted and timed once.
TEST_F(CafCounts, SkippedMessagesAreCountedOnceWhenTheyAreFinallyHandled) {
  actorscope::caf::actor_info info;
  info.type = "skipper";
  auto handled = std::make_shared<std::atomic<int>>(0);
  auto a = actorscope::caf::spawn(sys, info, [handled](caf::event_based_actor* self) -> caf::behavior {
    return {
        [](then_atom) { return caf::skip(); },
        [self, handled](first_atom) { self->become([handled](then_atom) { ++*handled; }); },
    };
  });
  actorscope_actor* cell = actorscope::caf::detail::registered_cell(a.id());
  ASSERT_NE(cell, nullptr);
  for (int i = 0; i < 3; ++i) caf::anon_send(a, then_atom::value);
  caf::anon_send(a, first_atom::value);
  EXPECT_TRUE(actorscope::testing::eventually([&] { return handled->load() == 3 && timed_of(cell) == 4; }))
      << handled->load() << " " << timed_of(cell);
  // The three skips are neither timed nor counted as handled messages.
  EXPECT_EQ(load(cell->dequeued), 4u);
  EXPECT_EQ(load(cell->enqueued), 4u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace
