// A fleet view: two real collectors, each with an agent (loadgen) whose node has the same
// name, watched by one viewer — the view library's client (the replica both viewers share)
// and actorscope-top --batch. Both collectors' nodes are visible, labelled apart; when one
// collector is killed the viewer keeps the other and marks the lost one.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "loopback.hpp"
#include "stack.hpp"
#include "actorscope/view/client.hpp"

using namespace actorscope::testing;
namespace view = actorscope::view;

namespace {

using TopRun = FinishedRun;

TopRun top(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--batch", "--view", "tree", "--size", "200x60"};
  all.insert(all.end(), args.begin(), args.end());
  return run_to_end(ACTORSCOPE_TOP_BIN, all);
}

// The node of the fleet replica named `name`, or nullptr.
const view::pv::NodeRow* node_named(const view::Replica& r, const std::string& name) {
  view::NodeId id = r.find_node(name);
  return id ? r.node(id) : nullptr;
}

}  // namespace

TEST(Fleet, TwoCollectorsInOneViewerAndOneLost) {
  Collector a(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"});
  auto b = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{"tcp:127.0.0.1:0"});
  std::string b_address = b->address();
  // The same node name on both: the fleet keeps them apart by their collector.
  Loadgen la(ACTORSCOPE_LOADGEN_BIN, small_workload(a.address(), "orders"));
  Loadgen lb(ACTORSCOPE_LOADGEN_BIN, small_workload(b_address, "orders"));
  ASSERT_TRUE(la.counts()) << la.process().output();
  ASSERT_TRUE(lb.counts()) << lb.process().output();

  view::ClientOptions o;
  o.fleet = {{a.address(), "east"}, {b_address, "west"}};
  view::Client client(o);
  client.start();
  bool both = eventually([&] {
    auto lock = client.lock();
    const auto* e = node_named(client.replica(), "east/orders");
    const auto* w = node_named(client.replica(), "west/orders");
    return e && w && e->connected && w->connected && e->actors > 0 && w->actors > 0 && e->node != w->node;
  });
  ASSERT_TRUE(both) << client.status();
  {
    auto lock = client.lock();
    const auto& r = client.replica();
    // Every actor belongs to one of the two nodes, and each node's actors are its own.
    uint64_t east = 0, west = 0;
    for (const auto& actor : r.actors()) {
      if (actor.row.node == r.find_node("east/orders")) ++east;
      if (actor.row.node == r.find_node("west/orders")) ++west;
    }
    EXPECT_EQ(east + west, r.actor_count());
    EXPECT_EQ(east, node_named(r, "east/orders")->actors);
    EXPECT_EQ(west, node_named(r, "west/orders")->actors);
  }
  EXPECT_EQ(client.state(), view::ClientState::Connected);
  EXPECT_EQ(client.status(), "east: connected, west: connected");

  TopRun both_seen = top({"--collector", "east=" + a.address(), "--collector", "west=" + b_address});
  EXPECT_EQ(both_seen.code, 0) << both_seen.all();
  EXPECT_TRUE(both_seen.shows("east/orders")) << both_seen.all();
  EXPECT_TRUE(both_seen.shows("west/orders")) << both_seen.all();

  // West's collector dies: its node stays, marked gone, with a row that says why; east goes on.
  b->process().signal(SIGKILL);
  ASSERT_TRUE(b->process().wait_exit(30s));
  bool marked = eventually([&] {
    auto lock = client.lock();
    const auto* w = node_named(client.replica(), "west/orders");
    const auto* down = node_named(client.replica(), "west: collector unreachable");
    return w && !w->connected && down && !down->connected;
  });
  EXPECT_TRUE(marked) << client.status();
  uint64_t version = 0;
  {
    auto lock = client.lock();
    version = client.replica().version();
    const auto* e = node_named(client.replica(), "east/orders");
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->connected);
  }
  // East's ticks still arrive: the replica moves on.
  EXPECT_TRUE(eventually([&] {
    auto lock = client.lock();
    return client.replica().version() > version + 2;
  }));
  EXPECT_EQ(client.state(), view::ClientState::Connected);
  EXPECT_NE(client.status().find("west: unreachable ("), std::string::npos) << client.status();
  EXPECT_EQ(client.status().rfind("east: connected, ", 0), 0u) << client.status();
  client.stop();

  // A new viewer with west down from the start: east's node, and west's row marked.
  std::string collectors_file;
  TempDir dir;
  collectors_file = dir.file("collectors");
  write_file(collectors_file, "# the fleet\neast=" + a.address() + "\nwest=" + b_address + "\n");
  TopRun one_lost = top({"--collectors", collectors_file});
  EXPECT_EQ(one_lost.code, 0) << one_lost.all();
  EXPECT_TRUE(one_lost.shows("east/orders")) << one_lost.all();
  EXPECT_TRUE(one_lost.shows("west: collector unreachable")) << one_lost.all();
  EXPECT_TRUE(one_lost.shows("west: unreachable (")) << one_lost.all();
}
