// Kill commands end to end: a viewer asks the collector, which asks loadgen's agent; the
// actor exits with reason killed and its supervisor restarts it. And every refusal.
#include <gtest/gtest.h>

#include <optional>

#include "child_process.hpp"
#include "loopback.hpp"
#include "stack.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::testing {
namespace {

namespace wire = proto::viewer;

constexpr const char* kToken = "kill-test-secret";

std::unique_ptr<view::Client> viewer(const std::string& address, const std::string& token) {
  view::ClientOptions o;
  o.address = address;
  o.token = token;
  auto c = std::make_unique<view::Client>(o);
  c->start();
  return c;
}

// A live worker of `node` under a supervisor, once the replica shows one.
std::optional<view::Actor> some_worker(view::Client& c, const std::string& node_name, wire::NodeId& node) {
  std::optional<view::Actor> found;
  eventually([&] {
    auto lock = c.lock();
    const view::Replica& r = c.replica();
    if (!r.has_snapshot()) return false;
    node = 0;
    for (const auto& [id, row] : r.nodes())
      if (row.name == node_name && row.connected) node = id;
    if (!node) return false;
    for (const view::Actor& a : r.actors())
      if (a.row.node == node && !a.is_supervisor() && a.row.parent != 0 && a.row.type == "worker") {
        found = a;
        return true;
      }
    return false;
  });
  return found;
}

// The answer to request `id`, once it arrived.
std::optional<wire::CommandResult> answer(view::Client& c, uint64_t id) {
  std::optional<wire::CommandResult> res;
  eventually([&] {
    auto lock = c.lock();
    const auto& r = c.replica().command();
    if (r && r->request == id) res = r;
    return res.has_value();
  });
  return res;
}

class KillTest : public ::testing::Test {
 protected:
  void SetUp() override { write_file(dir.file("token"), std::string(kToken) + "\n"); }
  std::vector<std::string> loadgen_args(const Collector& c, const std::string& node) {
    auto args = small_workload(c.address(), node);
    args.push_back("--token-file");
    args.push_back(dir.file("token"));
    return args;
  }
  TempDir dir;
};

TEST_F(KillTest, AllowedEverywhere_ActorIsKilledAndRestarted_RefusalsSayWhy) {
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0,
                      {"--token-file", dir.file("token"), "--allow-commands"});
  Loadgen allowed(ACTORSCOPE_LOADGEN_BIN, loadgen_args(collector, "allowed"), {"ACTORSCOPE_ALLOW_COMMANDS=1"});
  Loadgen closed(ACTORSCOPE_LOADGEN_BIN, loadgen_args(collector, "closed"));
  ASSERT_TRUE(allowed.counts()) << allowed.process().output();
  ASSERT_TRUE(closed.counts()) << closed.process().output();

  auto client = viewer(collector.address(), kToken);
  ASSERT_TRUE(eventually([&] { return client->commands_allowed(); })) << client->status();
  wire::NodeId node = 0;
  auto victim = some_worker(*client, "allowed", node);
  ASSERT_TRUE(victim) << "no worker of loadgen in the replica";

  // Accepted: the agent's handler kills it, its supervisor restarts it.
  auto res = answer(*client, client->kill(node, victim->row.actor));
  ASSERT_TRUE(res) << "no answer to the kill";
  EXPECT_TRUE(res->ok) << res->message;
  bool exited = false, restarted = false;
  EXPECT_TRUE(eventually([&] {
    auto lock = client->lock();
    for (const wire::Event& e : client->replica().events()) {
      if (e.node != node) continue;
      if (e.actor == victim->row.actor && (e.kind == wire::EventKind::Exited || e.kind == wire::EventKind::Crashed) &&
          e.reason == proto::ExitReason::Killed)
        exited = true;
      if (e.kind == wire::EventKind::Restarted && e.supervisor == victim->row.parent &&
          e.reason == proto::ExitReason::Killed)
        restarted = true;
    }
    return exited && restarted;
  })) << "exit seen: " << exited << ", restart seen: " << restarted;
  EXPECT_TRUE(eventually([&] {
    auto lock = client->lock();
    const auto* kids = client->replica().children({node, victim->row.parent});
    if (!kids) return false;
    for (uint64_t k : *kids) {
      const view::Actor* a = client->replica().actor({node, k});
      if (a && k != victim->row.actor && a->row.child_id == victim->row.child_id) return true;
    }
    return false;
  })) << "no new incarnation of " << victim->row.child_id;
  EXPECT_TRUE(allowed.process().wait_for_line("command kill actor " + std::to_string(victim->row.actor) +
                                                  " from collector: done",
                                              30s, true))
      << allowed.process().output();
  EXPECT_TRUE(collector.process().wait_for_line("kill of actor " + std::to_string(victim->row.actor) + ".*done", 30s,
                                                true))
      << collector.process().output();

  // Refused: a wrong token.
  res = answer(*client, client->request_kill(node, victim->row.actor, "not-the-token"));
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->ok);
  EXPECT_NE(res->message.find("wrong token"), std::string::npos) << res->message;

  // Refused: an agent that does not allow commands.
  wire::NodeId closed_node = 0;
  auto other = some_worker(*client, "closed", closed_node);
  ASSERT_TRUE(other);
  res = answer(*client, client->kill(closed_node, other->row.actor));
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->ok);
  EXPECT_NE(res->message.find("does not accept commands"), std::string::npos) << res->message;
  {
    auto lock = client->lock();
    EXPECT_TRUE(client->replica().actor(other->key())) << "a refused kill killed the actor";
  }
}

TEST_F(KillTest, CollectorWithoutAllowCommands_Refuses) {
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, {"--token-file", dir.file("token")});
  Loadgen allowed(ACTORSCOPE_LOADGEN_BIN, loadgen_args(collector, "allowed"), {"ACTORSCOPE_ALLOW_COMMANDS=1"});
  ASSERT_TRUE(allowed.counts()) << allowed.process().output();
  auto client = viewer(collector.address(), kToken);
  wire::NodeId node = 0;
  auto victim = some_worker(*client, "allowed", node);
  ASSERT_TRUE(victim);
  EXPECT_FALSE(client->commands_allowed());
  auto res = answer(*client, client->kill(node, victim->row.actor));
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->ok);
  EXPECT_NE(res->message.find("--allow-commands"), std::string::npos) << res->message;
}

}  // namespace
}  // namespace actorscope::testing
