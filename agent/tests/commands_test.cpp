// Commands from the collector: refused unless allowed and handled, carried out through the
// runtime's handler otherwise, and answered with a CommandResult either way.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "actorscope/agent.h"
#include "fake_collector.hpp"

using actorscope::testing::FakeCollector;
using actorscope::testing::Seen;
namespace proto = actorscope::proto;

namespace {

actorscope_config fast_config(const std::string& address, bool allow) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.collector = address.c_str();
  c.node = "orders@test";
  c.flush_ms = 20;
  c.backoff_min_ms = 20;
  c.backoff_max_ms = 200;
  c.allow_commands = allow ? 1 : 0;
  return c;
}

struct Calls {
  std::atomic<int> count{0};
  std::atomic<uint64_t> actor{0};
  std::atomic<int> command{0};
  std::atomic<int> answer{ACTORSCOPE_COMMAND_DONE};
};

int record_call(uint64_t actor, int command, void* user) {
  auto* calls = static_cast<Calls*>(user);
  calls->actor = actor;
  calls->command = command;
  ++calls->count;
  return calls->answer;
}

class CommandsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    actorscope_stop();
    actorscope_set_command_handler(nullptr, nullptr);
    unsetenv("ACTORSCOPE_ALLOW_COMMANDS");
  }
  // Sends one kill and waits for its answer.
  proto::CommandResult kill(FakeCollector& fc, uint64_t request, uint64_t actor) {
    EXPECT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
    fc.send_command(proto::Command{request, proto::CommandKind::Kill, actor});
    EXPECT_TRUE(fc.wait_for([&](const Seen& s) {
      for (auto& r : s.command_results)
        if (r.request == request) return true;
      return false;
    })) << "no answer to command " << request;
    for (auto& r : fc.seen().command_results)
      if (r.request == request) return r;
    return {};
  }
};

TEST_F(CommandsTest, NotAllowedByDefault_NotAnnouncedAndRefused) {
  FakeCollector fc;
  Calls calls;
  actorscope_set_command_handler(record_call, &calls);
  auto c = fast_config(fc.address(), false);
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return !s.hellos.empty(); }));
  EXPECT_EQ(fc.seen().hellos[0].capabilities & proto::kCapCommands, 0u);
  proto::CommandResult r = kill(fc, 5, 42);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("does not accept commands"), std::string::npos) << r.message;
  EXPECT_EQ(calls.count.load(), 0);
  EXPECT_TRUE(fc.seen().errors.empty());
}

TEST_F(CommandsTest, AllowedWithoutAHandler_Refused) {
  FakeCollector fc;
  auto c = fast_config(fc.address(), true);
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return !s.hellos.empty(); }));
  EXPECT_NE(fc.seen().hellos[0].capabilities & proto::kCapCommands, 0u);
  proto::CommandResult r = kill(fc, 6, 42);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("no command handler"), std::string::npos) << r.message;
}

TEST_F(CommandsTest, AllowedByEnvironment_HandlerCarriesItOut) {
  setenv("ACTORSCOPE_ALLOW_COMMANDS", "1", 1);
  FakeCollector fc;
  Calls calls;
  actorscope_set_command_handler(record_call, &calls);
  auto c = fast_config(fc.address(), false);
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return !s.hellos.empty(); }));
  EXPECT_NE(fc.seen().hellos[0].capabilities & proto::kCapCommands, 0u);
  proto::CommandResult r = kill(fc, 7, 1234);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(calls.count.load(), 1);
  EXPECT_EQ(calls.actor.load(), 1234u);
  EXPECT_EQ(calls.command.load(), ACTORSCOPE_COMMAND_KILL);

  calls.answer = ACTORSCOPE_COMMAND_NO_ACTOR;
  r = kill(fc, 8, 99);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("no live actor 99"), std::string::npos) << r.message;
  EXPECT_TRUE(fc.seen().errors.empty());
}

}  // namespace
