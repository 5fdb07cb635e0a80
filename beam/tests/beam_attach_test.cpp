// actorscope-beam against real Erlang and Elixir nodes: the trees it reports equal an
// independent walk, restarts show as they happen, hostile processes and load do not hurt the
// node, nothing is left behind after SIGKILL, and user errors get one clear line.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "nodes.hpp"
#include "sink.hpp"
#include "actorscope/protocol/messages.hpp"
#include "actorscope/protocol/node_gauges.hpp"

using namespace actorscope;
using namespace actorscope::beam::testing;

namespace {

struct WalkChild {
  std::string pid, type, id;
};
struct WalkSupervisor {
  std::string strategy;
  std::vector<WalkChild> children;
};

std::map<std::string, WalkSupervisor> parse_walk(const std::string& text) {
  std::map<std::string, WalkSupervisor> out;
  std::istringstream in(text);
  std::string line, current;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string kind, pid, a;
    l >> kind >> pid >> a;
    if (kind == "sup") {
      current = pid;
      out[pid].strategy = a;
    } else if (kind == "child") {
      std::string id;
      std::getline(l, id);
      if (!id.empty() && id[0] == ' ') id.erase(0, 1);
      out[current].children.push_back(WalkChild{pid, a, id});
    }
  }
  return out;
}

// Differences between the walk and what actorscope-beam reported; empty when they agree.
std::string compare(const std::map<std::string, WalkSupervisor>& walk, const SinkState& s) {
  std::map<std::string, uint64_t> by_pid;
  for (const auto& [id, a] : s.actors) by_pid[pid_of(id)] = id;
  std::ostringstream diff;
  int shown = 0;
  auto note = [&](const std::string& d) {
    if (shown++ < 8) diff << d << "\n";
  };
  for (const auto& [sup_pid, sup] : walk) {
    auto it = by_pid.find(sup_pid);
    if (it == by_pid.end()) {
      note("supervisor " + sup_pid + " not reported");
      continue;
    }
    const SinkActor& a = s.actors.at(it->second);
    if (a.kind != proto::ActorKind::Supervisor) note("supervisor " + sup_pid + " (" + a.name + ") reported as a worker");
    if (std::string(proto::name(a.strategy)) != sup.strategy)
      note("supervisor " + sup_pid + " (" + a.name + ") strategy " + std::string(proto::name(a.strategy)) + ", walk says " + sup.strategy);
    bool dynamic = sup.strategy == "simple_one_for_one";
    std::set<std::string> walked;
    for (const auto& c : sup.children) {
      walked.insert(c.pid);
      auto ci = by_pid.find(c.pid);
      if (ci == by_pid.end()) {
        note("child " + c.id + " " + c.pid + " of " + a.name + " not reported");
        continue;
      }
      const SinkActor& ca = s.actors.at(ci->second);
      if (ca.parent != it->second) note("child " + c.id + " " + c.pid + " reported under another parent");
      std::string want_id = dynamic && c.id == "undefined" ? "" : c.id;
      if (ca.child_id != want_id) note("child " + c.pid + " id '" + ca.child_id + "', walk says '" + want_id + "'");
      bool is_sup = c.type == "supervisor";
      if ((ca.kind == proto::ActorKind::Supervisor) != is_sup) note("child " + c.id + " kind differs");
    }
    for (const auto& [id, ca] : s.actors)
      if (ca.parent == it->second && !walked.count(pid_of(id)))
        note("reported child " + pid_of(id) + " (" + ca.child_id + ") of " + a.name + " is not in the walk");
  }
  return diff.str();
}

// Polls until the reported tree equals the node's own walk; returns the last difference.
std::string wait_tree_equal(Node& node, Sink& sink, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string diff = "no walk";
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = node.eval("actorscope_test_ctl:walk().");
    diff = compare(parse_walk(text), sink.state());
    if (!text.empty() && diff.empty()) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return diff;
}

uint64_t actor_named(const SinkState& s, const std::string& name) {
  for (const auto& [id, a] : s.actors)
    if (a.name == name) return id;
  return 0;
}

std::string restarts_text(const SinkState& s) {
  std::ostringstream o;
  for (const auto& r : s.restarts)
    o << "restart sup=" << pid_of(r.supervisor) << " id=" << r.child_id << " old=" << pid_of(r.old_actor)
      << " new=" << (r.new_actor ? pid_of(r.new_actor) : "-") << " reason=" << proto::name(r.reason) << " " << r.text << "\n";
  return o.str();
}

bool output_has(Child& c, const std::string& text, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (c.output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// ---- one Erlang node: kernel, stdlib, sasl, inets (httpd), ssl, mnesia and beamtest ----------
class ErlangNode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new Scratch();
    node_ = Node::erlang(*scratch_, {"sasl", "inets", "ssl", "mnesia", "beamtest"}).release();
    sink_ = new Sink();
    beam_ = new Child(start_beam(*scratch_, {node_->name()}, sink_->address()));
  }
  static void TearDownTestSuite() {
    delete beam_;
    delete sink_;
    delete node_;
    delete scratch_;
  }
  static Scratch* scratch_;
  static Node* node_;
  static Sink* sink_;
  static Child* beam_;
};
Scratch* ErlangNode::scratch_ = nullptr;
Node* ErlangNode::node_ = nullptr;
Sink* ErlangNode::sink_ = nullptr;
Child* ErlangNode::beam_ = nullptr;

TEST_F(ErlangNode, TreeEqualsAnIndependentWalk) {
  ASSERT_TRUE(sink_->wait([](const SinkState& s) { return s.snapshots >= 1 && s.actors.size() > 30; }, 60000))
      << beam_->output();
  std::string diff = wait_tree_equal(*node_, *sink_, 60000);
  EXPECT_EQ(diff, "") << beam_->output();
  SinkState s = sink_->state();
  // Every application of the node, with its master, is there.
  for (const char* app : {"kernel", "sasl", "inets", "ssl", "mnesia", "beamtest"}) {
    uint64_t id = actor_named(s, app);
    ASSERT_NE(id, 0u) << app;
    EXPECT_EQ(s.actors[id].type, "application");
  }
  uint64_t top = actor_named(s, "beamtest_sup");
  ASSERT_NE(top, 0u);
  EXPECT_EQ(s.actors[top].strategy, proto::Strategy::OneForOne);
  EXPECT_EQ(s.actors[top].intensity, 5u);
  EXPECT_EQ(s.actors[top].period_ms, 10000u);
  uint64_t pool = actor_named(s, "beamtest_pool");
  ASSERT_NE(pool, 0u);
  EXPECT_EQ(s.actors[pool].strategy, proto::Strategy::RestForOne);
  EXPECT_EQ(s.actors[pool].child_id, "beamtest_pool");
  // The GenServer posing as a supervisor: in the tree, without children, the walk went on.
  uint64_t liar = actor_named(s, "beamtest_liar");
  ASSERT_NE(liar, 0u);
  EXPECT_EQ(s.actors[liar].strategy, proto::Strategy::None);
  // Process count, within the scan's drift.
  ASSERT_TRUE(sink_->wait([this](const SinkState& st) {
    long count = std::stol("0" + node_->eval("erlang:system_info(process_count)."));
    long seen = static_cast<long>(st.actors.size());
    return count > 0 && std::labs(seen - count) <= std::max(20L, count / 50);
  }, 30000));
  // Distribution ticks are answered: the node (net_ticktime 4 s) never dropped us.
  EXPECT_EQ(sink_->state().hellos, 1);
}

TEST_F(ErlangNode, KilledWorkerAppearsAsRestart) {
  ASSERT_TRUE(sink_->wait([](const SinkState& s) { return actor_named(s, "beamtest_worker") != 0; }, 60000));
  std::string old_pid = node_->eval("actorscope_test_ctl:pid(beamtest_worker).");
  ASSERT_NE(old_pid, "none");
  node_->eval("exit(whereis(beamtest_worker), kill), ok.");
  SinkState s;
  auto restarted = [&](const SinkState& st) {
    for (const auto& r : st.restarts)
      if (r.child_id == "beamtest_worker" && pid_of(r.old_actor) == old_pid && r.new_actor != 0) return true;
    return false;
  };
  ASSERT_TRUE(sink_->wait(restarted, 20000, &s)) << beam_->output();
  std::string new_pid = node_->eval("actorscope_test_ctl:pid(beamtest_worker).");
  for (const auto& r : s.restarts) {
    if (r.child_id != "beamtest_worker" || pid_of(r.old_actor) != old_pid) continue;
    EXPECT_EQ(r.reason, proto::ExitReason::Killed);
    EXPECT_EQ(pid_of(r.new_actor), new_pid);
    EXPECT_EQ(r.supervisor, actor_named(s, "beamtest_sup"));
  }
  EXPECT_EQ(s.actors.count(s.restarts.back().old_actor), 0u) << "the old process is gone";

  // rest_for_one: the failed child restarts (killed), the one after it along (shutdown).
  std::string w2 = node_->eval("actorscope_test_ctl:pid(beamtest_w2).");
  node_->eval("exit(whereis(beamtest_w1), kill), ok.");
  ASSERT_TRUE(sink_->wait([&](const SinkState& st) {
    bool first = false, second = false;
    for (const auto& r : st.restarts) {
      first |= r.child_id == "{pool_worker,1}" && r.reason == proto::ExitReason::Killed;
      second |= r.child_id == "{pool_worker,2}" && pid_of(r.old_actor) == w2 && r.reason == proto::ExitReason::Shutdown;
    }
    return first && second;
  }, 20000, &s)) << beam_->output() << restarts_text(s);
}

TEST_F(ErlangNode, HostileProcessesAndLoadLeaveTheNodeResponsive) {
  ASSERT_EQ(node_->eval("actorscope_test_ctl:flood(beamtest_flood, 1000000)."), "1000000");
  ASSERT_EQ(node_->eval("actorscope_test_ctl:load(4)."), "ok");
  SinkState s;
  ASSERT_TRUE(sink_->wait([](const SinkState& st) {
    uint64_t id = actor_named(st, "beamtest_flood");
    return id != 0 && st.actors.at(id).mailbox >= 1000000;
  }, 60000, &s)) << beam_->output();
  // The node answers a round trip while it is observed under load.
  EXPECT_EQ(node_->eval("ok.", 30000), "ok");
  EXPECT_EQ(node_->eval("net_adm:ping(node()).", 30000), "pong");
  EXPECT_TRUE(beam_->alive());
  // The attach reports its own cost on the node, under load too.
  uint64_t seen = sink_->state().gauge_records;
  ASSERT_TRUE(sink_->wait([seen](const SinkState& st) { return st.gauge_records > seen + 1; }, 20000));
  EXPECT_GT(sink_->state().gauges.at(static_cast<uint32_t>(proto::NodeGauge::BeamAttachReductions)), 0);
  node_->eval("actorscope_test_ctl:unload(), exit(whereis(beamtest_flood), kill), ok.");
}

// The VM figures are the node's own: limits and schedulers equal what the node says, the
// counters grow, the utilisation is a share and the relay's own cost is reported.
TEST_F(ErlangNode, VmGaugesAreTheNodesOwn) {
  using G = proto::NodeGauge;
  auto value = [](const SinkState& st, G g) {
    auto it = st.gauges.find(static_cast<uint32_t>(g));
    return it == st.gauges.end() ? -1.0 : it->second;
  };
  SinkState first;
  ASSERT_TRUE(sink_->wait([&](const SinkState& st) { return value(st, G::BeamSchedulerUtilization) >= 0; }, 30000, &first))
      << beam_->output();
  auto node_says = [this](const char* what) { return std::stod("0" + node_->eval(std::string("erlang:system_info(") + what + ").")); };
  EXPECT_EQ(value(first, G::BeamProcessLimit), node_says("process_limit"));
  EXPECT_EQ(value(first, G::BeamAtomLimit), node_says("atom_limit"));
  EXPECT_EQ(value(first, G::BeamPortLimit), node_says("port_limit"));
  EXPECT_EQ(value(first, G::BeamEtsTableLimit), node_says("ets_limit"));
  EXPECT_EQ(value(first, G::BeamSchedulersOnline), node_says("schedulers_online"));
  double processes = node_says("process_count");
  EXPECT_NEAR(value(first, G::BeamProcesses), processes, std::max(20.0, processes / 10));
  EXPECT_GE(value(first, G::BeamSchedulerUtilization), 0.0);
  EXPECT_LE(value(first, G::BeamSchedulerUtilization), 1.0);
  EXPECT_GT(value(first, G::BeamMemoryAllocated), value(first, G::BeamMemoryProcesses));
  EXPECT_GT(value(first, G::BeamMemoryEts), 0);  // mnesia runs
  EXPECT_GT(value(first, G::BeamAtoms), 1000);
  EXPECT_GT(value(first, G::BeamEtsTables), 10);
  EXPECT_GT(value(first, G::BeamAttachMemory), 0);
  // Counters only grow while the relay lives: the next reading is larger.
  SinkState later;
  ASSERT_TRUE(sink_->wait([&](const SinkState& st) {
    return value(st, G::BeamReductions) > value(first, G::BeamReductions) &&
           value(st, G::BeamAttachReductions) > value(first, G::BeamAttachReductions);
  }, 30000, &later));
  EXPECT_GE(value(later, G::BeamGcRuns), value(first, G::BeamGcRuns));
  EXPECT_GT(value(later, G::BeamGcReclaimed), 0);
}

// Links and monitors, read with a process's full items, reach the collector as Link records.
TEST_F(ErlangNode, LinksAndMonitorsAreReported) {
  ASSERT_EQ(node_->eval("P = spawn(fun() -> erlang:monitor(process, whereis(beamtest_worker)), "
                        "register(beamtest_watcher, self()), receive stop -> ok end end), ok."),
            "ok");
  SinkState s;
  auto both = [&](const SinkState& st) {
    uint64_t watcher = actor_named(st, "beamtest_watcher"), worker = actor_named(st, "beamtest_worker");
    uint64_t sup = actor_named(st, "beamtest_sup");
    bool linked = st.links.count({worker, sup}) || st.links.count({sup, worker});
    return watcher && worker && linked && st.monitors.count({watcher, worker});
  };
  EXPECT_TRUE(sink_->wait(both, 30000, &s)) << "links " << s.links.size() << ", monitors " << s.monitors.size();
  node_->eval("beamtest_watcher ! stop, ok.");
}

TEST_F(ErlangNode, NothingLeftAfterSigkill) {
  ASSERT_TRUE(sink_->wait([](const SinkState& s) { return s.snapshots >= 1; }, 60000));
  EXPECT_EQ(node_->eval("actorscope_test_ctl:audit()."), "relays=1 filters=1 traced=0 hidden=1 swt=1");
  beam_->signal(SIGKILL);
  beam_->wait_exit(5000);
  std::string audit;
  for (int i = 0; i < 100; ++i) {
    audit = node_->eval("actorscope_test_ctl:audit().");
    if (audit == "relays=0 filters=0 traced=0 hidden=0 swt=0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(audit, "relays=0 filters=0 traced=0 hidden=0 swt=0");
}

// ---- an Elixir node: Supervisor, DynamicSupervisor with 10 000 children, Registry, ----------
// ---- Task.Supervisor, Agent ------------------------------------------------------------------
TEST(ElixirNode, TreeEqualsAnIndependentWalk) {
  Scratch scratch;
  auto node = Node::elixir(scratch, {{"SHOP_ORDERS", "10000"}, {"SHOP_TRAFFIC", "0"}});
  Sink sink;
  Child beam = start_beam(scratch, {node->name()}, sink.address());
  ASSERT_TRUE(sink.wait([](const SinkState& s) {
    uint64_t orders = actor_named(s, "Shop.Orders");
    if (orders == 0) return false;
    size_t n = 0;
    for (const auto& [id, a] : s.actors) n += a.parent == orders;
    return n == 10000;
  }, 90000)) << beam.output();
  EXPECT_EQ(wait_tree_equal(*node, sink, 60000), "") << beam.output();
  SinkState s = sink.state();
  uint64_t orders = actor_named(s, "Shop.Orders");
  EXPECT_EQ(s.actors[orders].strategy, proto::Strategy::SimpleOneForOne);
  EXPECT_EQ(s.actors[orders].intensity, 10u);
  // A DynamicSupervisor's children carry their restart type (Shop.Order: transient).
  size_t transient = 0, children = 0;
  for (const auto& [id, a] : s.actors)
    if (a.parent == orders) ++children, transient += a.restart == proto::RestartType::Transient;
  EXPECT_EQ(transient, children);
  uint64_t payments = actor_named(s, "Shop.Payments");
  ASSERT_NE(payments, 0u);
  EXPECT_EQ(s.actors[payments].strategy, proto::Strategy::OneForAll);
  EXPECT_EQ(s.actors[payments].intensity, 3u);
  EXPECT_EQ(s.actors[payments].period_ms, 5000u);
  for (const char* name : {"Shop.Registry", "Shop.Tasks", "Shop.Inventory", "Shop.Cart", "shop"})
    EXPECT_NE(actor_named(s, name), 0u) << name;
  EXPECT_EQ(s.actors[actor_named(s, "Shop.Tasks")].kind, proto::ActorKind::Supervisor);
  EXPECT_EQ(s.actors[actor_named(s, "Shop.Inventory")].type, "Shop.Inventory");
}

// ---- several nodes: --cluster follows nodes() -------------------------------------------------
TEST(BeamCluster, EachNodeOfTheClusterIsItsOwnNode) {
  Scratch scratch;
  auto a = Node::erlang(scratch, {"sasl"});
  auto b = Node::erlang(scratch, {});
  ASSERT_EQ(b->eval("net_adm:ping('" + a->name() + "')."), "pong");
  Sink sink;
  // Only `a` is named: `b` is found among a's nodes().
  Child beam = start_beam(scratch, {a->name()}, sink.address(), {"--cluster"});
  std::map<std::string, SinkState> nodes;
  auto attached = [](const SinkState& s) {
    return s.connected && s.snapshots >= 1 && s.gauges.count(static_cast<uint32_t>(proto::NodeGauge::BeamProcesses));
  };
  ASSERT_TRUE(sink.wait_nodes([&](const std::map<std::string, SinkState>& m) {
    return m.count(a->name()) && m.count(b->name()) && attached(m.at(a->name())) && attached(m.at(b->name()));
  }, 60000, &nodes)) << beam.output();
  EXPECT_EQ(nodes.size(), 2u);
  // Each node's figures are its own: sasl runs on a only.
  auto has_app = [](const SinkState& s, const std::string& app) {
    for (const auto& [id, actor] : s.actors)
      if (actor.name == app && actor.type == "application") return true;
    return false;
  };
  EXPECT_TRUE(has_app(nodes[a->name()], "sasl"));
  EXPECT_FALSE(has_app(nodes[b->name()], "sasl"));
  EXPECT_TRUE(has_app(nodes[b->name()], "kernel"));
  EXPECT_EQ(nodes[a->name()].hellos, 1);
  EXPECT_EQ(nodes[b->name()].hellos, 1);
}

TEST(BeamCluster, RepeatedNodeAttachesEach) {
  Scratch scratch;
  auto a = Node::erlang(scratch, {});
  auto b = Node::erlang(scratch, {});
  Sink sink;
  Child beam = start_beam(scratch, {a->name(), b->name()}, sink.address());
  ASSERT_TRUE(sink.wait_nodes([&](const std::map<std::string, SinkState>& m) {
    return m.count(a->name()) && m.count(b->name()) && m.at(a->name()).snapshots >= 1 && m.at(b->name()).snapshots >= 1;
  }, 60000)) << beam.output();
  // Not in a cluster, and not asked to follow one: nothing else is attached.
  EXPECT_EQ(sink.nodes().size(), 2u);
}

// ---- user errors: one clear line, retries, no crash -------------------------------------------
TEST(BeamErrors, WrongCookieIsOneClearLine) {
  Scratch scratch;
  auto node = Node::erlang(scratch, {});
  Sink sink;
  std::string wrong = scratch.dir + "/wrong.cookie";
  { std::ofstream(wrong) << "NOT-THE-COOKIE"; }
  Child beam = start_beam(scratch, {node->name()}, sink.address(), {"--cookie-file", wrong});
  ASSERT_TRUE(output_has(beam, "wrong cookie?", 30000)) << beam.output();
  EXPECT_TRUE(beam.alive());
  EXPECT_EQ(count_of(beam.output(), "wrong cookie?"), 1u) << "the same error is logged once while it lasts";
  EXPECT_EQ(sink.state().hellos, 0);
}

TEST(BeamErrors, NoEpmdIsOneClearLine) {
  Scratch scratch;
  Sink sink;
  Child beam = start_beam(scratch, {"nobody@" + scratch.host}, sink.address(), {}, {{"ERL_EPMD_PORT", "9"}});
  ASSERT_TRUE(output_has(beam, "no epmd on", 30000)) << beam.output();
  EXPECT_TRUE(beam.alive());
}

TEST(BeamErrors, NodeGoneThenBack) {
  Scratch scratch;
  auto node = Node::erlang(scratch, {});
  std::string name = node->name();
  Sink sink;
  Child beam = start_beam(scratch, {name}, sink.address(), {}, {{"ERLANG_COOKIE", scratch.cookie}});
  ASSERT_TRUE(sink.wait([](const SinkState& s) { return s.snapshots >= 1 && s.actors.size() > 20; }, 60000)) << beam.output();
  node->kill_now();
  ASSERT_TRUE(output_has(beam, "lost the connection", 30000)) << beam.output();
  ASSERT_TRUE(sink.wait([](const SinkState& s) { return !s.connected; }, 30000));
  ASSERT_TRUE(output_has(beam, "is not running", 30000)) << beam.output();
  EXPECT_TRUE(beam.alive());
}

TEST(BeamErrors, CookieIsNeverTakenFromTheCommandLine) {
  Scratch scratch;
  Child beam({ACTORSCOPE_BEAM_BIN, "--node", "a@b", "--cookie", "secret"}, {}, scratch.dir + "/argv.log");
  EXPECT_EQ(beam.wait_exit(10000), 2);
  EXPECT_NE(beam.output().find("never taken from the command line"), std::string::npos);
}
