// A viewer's replica, fed by a session over a real Model, equals the model after a snapshot
// and after deltas; back-pressure and commands behave as the viewer conversation says.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/serve/serve.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/header.hpp"
#include "actorscope/view/partial.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/replica.hpp"

namespace {

using namespace actorscope;
namespace wire = proto::viewer;

// Captures frames as a real connection would queue them; `reading` drains at every pump().
class CapturingConnection : public collector::Connection {
 public:
  CapturingConnection() { hello_.capabilities = proto::kCapCommands; }  // as viewers ask
  void without_commands() { hello_.capabilities = 0; }
  uint64_t id() const override { return 7; }
  const std::string& peer() const override { return peer_; }
  const proto::Hello& hello() const override { return hello_; }
  bool send_frame(proto::FrameType type, const uint8_t* p, size_t n) override {
    if (queued_ + n > limit) return false;
    frames.push_back({type, std::vector<uint8_t>(p, p + n)});
    queued_ += n;
    return true;
  }
  size_t queued_bytes() const override { return queued_; }
  void close(const std::string& reason) override { closed = reason; }
  // Commands are held here, as the server holds them until the agent answers.
  void send_command(collector::NodeKey node, uint64_t actor, proto::CommandKind, collector::CommandDone done) override {
    commands.push_back({node, actor, std::move(done)});
  }
  struct SentCommand {
    collector::NodeKey node;
    uint64_t actor;
    collector::CommandDone done;
  };
  std::vector<SentCommand> commands;
  // The viewer reads everything queued.
  void pump(view::Replica& r) {
    for (auto& [type, bytes] : frames)
      if (type == proto::FrameType::View) {
        ASSERT_TRUE(r.apply(bytes.data(), bytes.size())) << r.error();
      }
    frames.clear();
    queued_ = 0;
  }
  std::vector<std::pair<proto::FrameType, std::vector<uint8_t>>> frames;
  std::string closed;
  size_t limit = 1u << 30;

 private:
  std::string peer_ = "test";
  proto::Hello hello_;
  size_t queued_ = 0;
};

struct App {
  collector::Model model;
  collector::NodeKey node = 0;
  uint64_t now = 1'000'000'000;
  proto::StringId next_string = 1;

  App() {
    proto::Hello h;
    h.node = "orders@host";
    h.incarnation = 1;
    h.capabilities = proto::kCapFlow;
    node = model.on_hello(1, h);
    model.set_now(now);
  }
  proto::StringId str(const std::string& s) {
    proto::StringDef d{next_string, s};
    model.apply(node, d);
    return next_string++;
  }
  void spawn(uint64_t id, uint64_t parent, const std::string& name, const std::string& type, bool supervisor = false) {
    proto::ActorSpawned s;
    s.actor = id;
    s.parent = parent;
    s.name = str(name);
    s.type = str(type);
    s.child_id = str(name);
    s.kind = supervisor ? proto::ActorKind::Supervisor : proto::ActorKind::Worker;
    if (supervisor) {
      s.strategy = proto::Strategy::OneForOne;
      s.intensity = 3;
      s.period_ms = 5000;
    }
    model.apply(node, s);
  }
  void stats(uint64_t id, uint64_t mailbox, uint64_t dequeued) {
    proto::ActorStats s;
    s.actor = id;
    s.mailbox = mailbox;
    s.enqueued = mailbox + dequeued;
    s.dequeued = dequeued;
    s.busy_ns = dequeued * 1000;
    model.apply(node, s);
  }
  void exit(uint64_t id, proto::ExitReason why) {
    proto::ActorExited e;
    e.actor = id;
    e.reason = why;
    e.reason_text = str("boom");
    model.apply(node, e);
  }
  void tick() {
    model.commit();
    now += 100'000'000;
    model.tick(now);
  }
};

// A fresh viewer's answer to a detail request for `actor` (nullopt when none came).
std::optional<wire::DetailReply> detail_of(App& app, uint64_t actor, uint64_t request = 1) {
  CapturingConnection conn;
  auto session = serve::make_session(conn, app.model, serve::ServeOptions{}, std::make_shared<serve::ServeCounters>());
  std::vector<uint8_t> m;
  proto::Writer w(m);
  wire::encode(w, wire::DetailRequest{request, app.node, actor});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
  view::Replica replica;
  conn.pump(replica);
  return replica.detail();
}

// Every live actor of the model is in the replica with the same fields, and nothing else.
void expect_equal(const collector::Model& model, const view::Replica& replica) {
  size_t live = 0;
  for (collector::NodeKey k : model.node_keys()) {
    model.for_each_actor(k, [&](const collector::Actor& a) {
      ++live;
      const view::Actor* r = replica.actor({k, a.id});
      ASSERT_NE(r, nullptr) << "actor " << a.id << " missing from the replica";
      EXPECT_EQ(r->row.parent, a.parent);
      EXPECT_EQ(r->row.name, model.text(a.name));
      EXPECT_EQ(r->row.type, model.text(a.type));
      EXPECT_EQ(r->row.kind, a.kind);
      EXPECT_EQ(r->stats.mailbox, a.mailbox);
      EXPECT_EQ(r->stats.dequeued, a.dequeued);
      EXPECT_EQ(r->stats.busy_ns, a.busy_ns);
    });
    const auto* n = model.node(k);
    ASSERT_NE(replica.node(k), nullptr);
    EXPECT_EQ(replica.node(k)->name, n->name);
    EXPECT_EQ(replica.node(k)->actors, n->live_actors);
  }
  EXPECT_EQ(replica.actor_count(), live);
}

std::vector<uint8_t> view_frame(const wire::Subscribe& s) {
  std::vector<uint8_t> out;
  proto::Writer w(out);
  wire::encode(w, s);
  return out;
}

TEST(ViewerSession, ReplicaAfterSnapshotAndDeltasEqualsTheModel) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  for (uint64_t i = 2; i < 300; ++i) app.spawn(i, 1, "session", "session");
  app.stats(5, 40, 100);
  app.tick();

  CapturingConnection conn;
  auto counters = std::make_shared<serve::ServeCounters>();
  serve::ServeOptions opts;
  opts.chunk_bytes = 4096;  // many frames for a small snapshot
  auto session = serve::make_session(conn, app.model, opts, counters);
  auto sub = view_frame(wire::Subscribe{"", 10});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(), sub.size());
  session->on_tick(app.now);
  view::Replica replica;
  conn.pump(replica);
  EXPECT_GT(conn.frames.size() + 1, 0u);
  ASSERT_TRUE(replica.has_snapshot());
  expect_equal(app.model, replica);

  // Deltas: new actors, changed stats, exits.
  app.spawn(400, 1, "late", "worker");
  app.stats(7, 999, 5);
  app.exit(3, proto::ExitReason::Error);
  app.exit(4, proto::ExitReason::Normal);
  app.tick();
  session->on_tick(app.now);
  conn.pump(replica);
  expect_equal(app.model, replica);
  EXPECT_EQ(replica.actor({app.node, 7})->stats.mailbox, 999u);
  EXPECT_EQ(replica.actor({app.node, 3}), nullptr);
  bool crash_seen = false;
  for (const auto& e : replica.events()) crash_seen |= e.kind == wire::EventKind::Crashed && e.actor == 3;
  EXPECT_TRUE(crash_seen);
}

TEST(ViewerSession, SnapshotStreamsAcrossTicksWhenTheQueueIsFull) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  for (uint64_t i = 2; i < 3000; ++i) app.spawn(i, 1, "w" + std::to_string(i), "worker");
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.chunk_bytes = 2048;
  opts.snapshot_fill_bytes = 8192;  // a few frames per tick
  auto session = serve::make_session(conn, app.model, opts, std::make_shared<serve::ServeCounters>());
  auto sub = view_frame(wire::Subscribe{"", 10});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(), sub.size());
  view::Replica replica;
  int ticks = 0;
  // Changes made while the snapshot streams must still arrive.
  while (!replica.has_snapshot() && ticks < 1000) {
    session->on_tick(app.now);
    conn.pump(replica);
    if (ticks == 2) {
      app.stats(2, 77, 1);
      app.exit(2999, proto::ExitReason::Error);
      app.tick();
    }
    ++ticks;
  }
  ASSERT_TRUE(replica.has_snapshot());
  EXPECT_GT(ticks, 3);  // it did take several ticks
  expect_equal(app.model, replica);
}

// Partial data is marked: while the viewer's snapshot streams, the note says how much has
// come; while a node's own snapshot streams into the collector, the node row says so.
TEST(ViewerSession, PartialDataIsMarkedUntilItIsWhole) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  for (uint64_t i = 2; i <= 3000; ++i) app.spawn(i, 1, "w" + std::to_string(i), "worker");
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.chunk_bytes = 2048;
  opts.snapshot_fill_bytes = 8192;
  auto session = serve::make_session(conn, app.model, opts, std::make_shared<serve::ServeCounters>());
  view::Replica replica;
  EXPECT_EQ(view::partial_note(replica), "waiting for the collector's snapshot");
  auto sub = view_frame(wire::Subscribe{"", 10});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(), sub.size());
  int partial_frames = 0;
  for (int ticks = 0; !replica.has_snapshot() && ticks < 1000; ++ticks) {
    session->on_tick(app.now);
    conn.pump(replica);
    if (!replica.in_snapshot()) continue;
    ++partial_frames;
    const std::string note = view::partial_note(replica);
    EXPECT_EQ(note.rfind("loading: ", 0), 0u) << note;
    EXPECT_NE(note.find(" of 3.0k actors received, what is shown is partial"), std::string::npos) << note;
    EXPECT_LT(replica.actor_count(), 3000u);
  }
  ASSERT_TRUE(replica.has_snapshot());
  EXPECT_GT(partial_frames, 0);
  EXPECT_EQ(view::partial_note(replica), "");

  // The agent reconnects and resends its snapshot: 5 actors announced, 2 described so far.
  app.model.apply(app.node, proto::SnapshotBegin{2, 5});
  app.spawn(1, 0, "root", "root_sup", true);
  app.spawn(2, 1, "w2", "worker");
  app.tick();
  session->on_tick(app.now);
  conn.pump(replica);
  const wire::NodeRow* n = replica.node(app.node);
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->syncing);
  EXPECT_EQ(n->sync_actors, 5u);
  EXPECT_EQ(n->sync_described, 2u);
  EXPECT_EQ(view::partial_note(replica), "node orders@host is syncing: 2 of 5 actors at the collector, what is shown is partial");
  for (uint64_t i = 3; i <= 5; ++i) app.spawn(i, 1, "w" + std::to_string(i), "worker");
  app.model.apply(app.node, proto::SnapshotEnd{2});
  app.tick();
  session->on_tick(app.now);
  conn.pump(replica);
  EXPECT_FALSE(replica.node(app.node)->syncing);
  EXPECT_EQ(view::partial_note(replica), "");
  EXPECT_EQ(replica.node(app.node)->actors, 5u) << "the snapshot's end removed what it did not describe";
}

TEST(ViewerSession, ViewerThatStopsReadingIsDropped) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  for (uint64_t i = 2; i < 200; ++i) app.spawn(i, 1, "w", "worker");
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.max_queue_bytes = 16 * 1024;
  auto counters = std::make_shared<serve::ServeCounters>();
  auto session = serve::make_session(conn, app.model, opts, counters);
  auto sub = view_frame(wire::Subscribe{"", 10});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(), sub.size());
  for (int i = 0; i < 200 && conn.closed.empty(); ++i) {
    for (uint64_t a = 2; a < 200; ++a) app.stats(a, static_cast<uint64_t>(i), static_cast<uint64_t>(i) * 10);
    app.tick();
    session->on_tick(app.now);  // never pumped: the viewer does not read
  }
  EXPECT_NE(conn.closed.find("fell behind"), std::string::npos) << conn.closed;
  EXPECT_EQ(counters->viewers_dropped.load(), 1u);
}

TEST(ViewerSession, DetailCarriesTheParentChainAndLinks) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.spawn(2, 1, "mid", "sup", true);
  app.spawn(3, 2, "leaf", "worker");
  app.spawn(4, 1, "peer", "worker");
  proto::Link link;
  link.a = 3;
  link.b = 4;
  link.op = proto::LinkOp::Link;
  app.model.apply(app.node, link);
  app.exit(3, proto::ExitReason::Error);
  app.spawn(5, 2, "leaf", "worker");
  link.a = 5;
  app.model.apply(app.node, link);
  app.tick();
  const auto reply = detail_of(app, 5, 9);
  ASSERT_TRUE(reply.has_value());
  const auto& d = *reply;
  EXPECT_EQ(d.request, 9u);
  EXPECT_TRUE(d.found);
  ASSERT_EQ(d.chain.size(), 2u);
  EXPECT_EQ(d.chain[0].name, "mid");
  EXPECT_EQ(d.chain[1].name, "root");
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].peer, 4u);
  EXPECT_EQ(d.links[0].kind, wire::LinkKind::Link);
}

TEST(ViewerSession, KillIsRefusedWithAReason) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.tick();
  struct Case {
    bool allow;
    const char* token;
    uint64_t actor;
    const char* reason;
  };
  for (const Case& c : {Case{false, "secret", 1, "--allow-commands"}, Case{true, "wrong", 1, "wrong token"},
                        Case{true, "secret", 99, "not live"}, Case{true, "secret", 1, "did not ask for commands"}}) {
    CapturingConnection conn;
    if (std::string_view(c.reason) == "did not ask for commands") conn.without_commands();
    serve::ServeOptions opts;
    opts.allow_commands = c.allow;
    opts.token = "secret";
    auto session = serve::make_session(conn, app.model, opts, std::make_shared<serve::ServeCounters>());
    std::vector<uint8_t> m;
    proto::Writer w(m);
    wire::encode(w, wire::KillRequest{42, app.node, c.actor, c.token});
    session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
    EXPECT_TRUE(conn.commands.empty()) << "a refused kill reached the agent";
    view::Replica replica;
    conn.pump(replica);
    ASSERT_TRUE(replica.command().has_value());
    EXPECT_EQ(replica.command()->request, 42u);
    EXPECT_FALSE(replica.command()->ok);
    EXPECT_NE(replica.command()->message.find(c.reason), std::string::npos) << replica.command()->message;
  }
}

TEST(ViewerSession, AcceptedKillGoesToTheAgentAndItsAnswerIsTheReply) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.allow_commands = true;
  opts.token = "secret";
  auto counters = std::make_shared<serve::ServeCounters>();
  auto session = serve::make_session(conn, app.model, opts, counters);
  std::vector<uint8_t> m;
  proto::Writer w(m);
  wire::encode(w, wire::KillRequest{43, app.node, 1, "secret"});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
  ASSERT_EQ(conn.commands.size(), 1u);
  EXPECT_EQ(conn.commands[0].node, app.node);
  EXPECT_EQ(conn.commands[0].actor, 1u);
  view::Replica replica;
  conn.pump(replica);
  EXPECT_FALSE(replica.command().has_value()) << "replied before the agent answered";
  conn.commands[0].done({true, "done: sent kill to actor 1"});
  conn.pump(replica);
  ASSERT_TRUE(replica.command().has_value());
  EXPECT_EQ(replica.command()->request, 43u);
  EXPECT_TRUE(replica.command()->ok);
  EXPECT_EQ(replica.command()->message, "done: sent kill to actor 1");
  EXPECT_EQ(counters->commands_done.load(), 1u);
}

TEST(ViewerSession, AMalformedRequestAnswersRequestFailedAndKeepsEarlierReplies) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.tick();
  CapturingConnection conn;
  auto counters = std::make_shared<serve::ServeCounters>();
  auto session = serve::make_session(conn, app.model, serve::ServeOptions{}, counters);
  std::vector<uint8_t> m;
  proto::Writer w(m);
  wire::encode(w, wire::DetailRequest{5, app.node, 1});
  m.push_back(0x32);  // a request tag whose length runs past the end of the frame
  m.push_back(0x7f);
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
  EXPECT_EQ(conn.closed, "") << "a malformed request closed the viewer";
  EXPECT_EQ(counters->requests_failed.load(), 1u);
  view::Replica replica;
  conn.pump(replica);
  ASSERT_TRUE(replica.detail().has_value()) << "the reply computed before the bad message was lost";
  EXPECT_EQ(replica.detail()->request, 5u);
}

TEST(ViewerSession, AFrameOfManySearchesIsBoundedByItsBudget) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  for (uint64_t id = 2; id < 2000; ++id) {
    app.spawn(id, 1, "w", "worker", false);
    app.exit(id, proto::ExitReason::Normal);  // one event each
  }
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.max_events_scanned_per_frame = 1000;
  auto counters = std::make_shared<serve::ServeCounters>();
  auto session = serve::make_session(conn, app.model, opts, counters);
  std::vector<uint8_t> m;
  proto::Writer w(m);
  for (uint64_t r = 1; r <= 50; ++r) {
    wire::EventsRequest q;
    q.request = r;
    q.text = "no event holds this";
    wire::encode(w, q);
  }
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
  // The first request spends the frame's budget; the rest are told to ask again.
  EXPECT_EQ(counters->requests_failed.load(), 49u);
  EXPECT_EQ(conn.closed, "");
}

// A viewer subscribed to `model`, reading everything the session queues.
struct Viewer {
  CapturingConnection conn;
  std::unique_ptr<collector::Session> session;
  view::Replica replica;
  explicit Viewer(const collector::Model& model) {
    session = serve::make_session(conn, model, serve::ServeOptions{}, std::make_shared<serve::ServeCounters>());
    auto sub = view_frame(wire::Subscribe{"", 10});
    session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(),
                      sub.size());
  }
  void tick(uint64_t now) {
    session->on_tick(now);
    conn.pump(replica);
  }
};

proto::ActorStats handled(uint64_t id, uint64_t messages) {
  proto::ActorStats s;
  s.actor = id;
  s.enqueued = messages;
  s.dequeued = messages;
  s.hist[0] = messages;
  return s;
}

TEST(ViewerSession, HeaderRatesCountTheFirstWindowAfterAConnect) {
  // A short run: the node connects, 3000 messages are handled and 8 children restarted
  // before the collector's first step, half a second after the connect.
  constexpr uint64_t kSec = 1'000'000'000;
  collector::Model model;
  model.set_now(5 * kSec);
  proto::Hello h;
  h.node = "short@host";
  collector::NodeKey node = model.on_hello(1, h);
  model.apply(node, proto::StringDef{1, "w1"});
  proto::ActorSpawned sup;
  sup.actor = 1;
  sup.kind = proto::ActorKind::Supervisor;
  sup.strategy = proto::Strategy::OneForOne;
  sup.intensity = 100;
  sup.period_ms = 5000;
  model.apply(node, sup);
  uint64_t id = 10;
  for (int i = 0; i < 8; ++i, ++id) {
    proto::ActorSpawned c;
    c.actor = id;
    c.parent = 1;
    c.child_id = 1;
    model.apply(node, c);
    proto::ChildRestarted r;
    r.supervisor = 1;
    r.child_id = 1;
    r.old_actor = id;
    r.new_actor = id + 1;
    model.apply(node, r);
  }
  proto::ActorSpawned last;
  last.actor = id;
  last.parent = 1;
  last.child_id = 1;
  model.apply(node, last);
  model.apply(node, handled(id, 0));
  model.set_now(5 * kSec + kSec / 4);
  model.apply(node, handled(id, 3000));
  model.tick(5 * kSec + kSec / 2);
  model.commit();
  Viewer v(model);
  v.tick(5 * kSec + kSec / 2);
  ASSERT_TRUE(v.replica.has_snapshot());
  view::HeaderModel hm = view::header(v.replica);
  EXPECT_DOUBLE_EQ(hm.msgs_per_s, 3000.0 / 0.5);
  EXPECT_DOUBLE_EQ(hm.restarts_per_min, 8.0);  // all 8 are in the last minute
  // A second later nothing new happened: no messages now, still 8 restarts in the minute.
  model.set_now(6 * kSec + kSec / 2);
  model.tick(6 * kSec + kSec / 2);
  model.commit();
  v.tick(6 * kSec + kSec / 2);
  hm = view::header(v.replica);
  EXPECT_DOUBLE_EQ(hm.msgs_per_s, 0.0);
  EXPECT_DOUBLE_EQ(hm.restarts_per_min, 8.0);
}


TEST(ViewerSession, AnIdleActorsMsgPerSecondDecaysToZeroOnTheViewersScreen) {
  constexpr uint64_t kSec = 1'000'000'000;
  collector::Model model;
  model.set_now(1 * kSec);
  proto::Hello h;
  h.node = "idle@host";
  collector::NodeKey node = model.on_hello(1, h);
  proto::ActorSpawned w;
  w.actor = 5;
  model.apply(node, w);
  model.apply(node, handled(5, 0));
  model.set_now(2 * kSec);
  model.apply(node, handled(5, 2000));  // 2000 handled in one second, then idle
  model.tick(2 * kSec);
  model.commit();
  Viewer v(model);
  v.tick(2 * kSec);
  ASSERT_TRUE(v.replica.has_snapshot());
  ASSERT_NE(v.replica.actor({node, 5}), nullptr);
  EXPECT_EQ(v.replica.actor({node, 5})->stats.msgs_per_s_x100, 2000u * 100);
  // Time passes with no sample (the agent sends none for an idle actor): 11 s later the
  // viewer must not still read 2.0k msg/s.
  for (uint64_t t = 2 * kSec + kSec / 10; t <= 13 * kSec; t += kSec / 10) {
    model.set_now(t);
    model.tick(t);
    model.commit();
    v.tick(t);
  }
  EXPECT_EQ(v.replica.actor({node, 5})->stats.msgs_per_s_x100, 0u);
  EXPECT_EQ(v.replica.actor({node, 5})->subtree.msgs_per_s_x100, 0u);
}

TEST(ViewerSession, AViewerThatJoinsAfterATelemetryBurstStillSeesTheCrashes) {
  // 8 crashes with 3 restarts each and 22 shutdown exits, then 1500 telemetry events: a
  // viewer that subscribes now (actorscope-top --batch --view events) must show them all.
  App app;
  app.spawn(1, 0, "pool", "pool_sup", true);
  proto::StringId child = app.str("w");
  uint64_t id = 10;
  auto restart = [&](uint64_t old_id, uint64_t new_id) {
    proto::ChildRestarted r;
    r.supervisor = 1;
    r.child_id = child;
    r.old_actor = old_id;
    r.new_actor = new_id;
    app.model.apply(app.node, r);
    app.spawn(new_id, 1, "w", "worker");
  };
  for (int crash = 0; crash < 8; ++crash) {
    app.spawn(id, 1, "w", "worker");
    app.exit(id, proto::ExitReason::Error);
    for (int k = 0; k < 3; ++k, ++id) restart(id, id + 1);
    app.exit(id++, proto::ExitReason::Shutdown);
  }
  for (int i = 0; i < 14; ++i, ++id) {
    app.spawn(id, 1, "s", "session");
    app.exit(id, proto::ExitReason::Shutdown);
  }
  proto::Telemetry t;
  t.event = app.str("db.query.stop");
  for (int i = 0; i < 1500; ++i) app.model.apply(app.node, t);
  app.tick();
  Viewer v(app.model);
  v.tick(app.now);
  ASSERT_TRUE(v.replica.has_snapshot());
  view::EventsList list;
  view::EventsQuery q;
  q.kinds = view::kInterestingEvents;
  list.update(v.replica, q);
  size_t crashes = 0, restarts = 0, exits = 0;
  for (const wire::Event* e : list.events()) {  // every event, cascades unfolded
    // Every exit and crash row names its supervisor (the actor's parent), as restarts do.
    if (e->kind == wire::EventKind::Crashed || e->kind == wire::EventKind::Exited) {
      EXPECT_EQ(e->supervisor, 1u) << e->seq;
    }
    crashes += e->kind == wire::EventKind::Crashed;
    restarts += e->kind == wire::EventKind::Restarted;
    exits += e->kind == wire::EventKind::Exited;
  }
  EXPECT_EQ(crashes, 8u);
  EXPECT_EQ(restarts, 24u);
  EXPECT_EQ(exits, 22u);
  // The newest telemetry comes too, apart (as many as the snapshot sends of each share).
  size_t telemetry = 0;
  for (const wire::Event& e : v.replica.events()) telemetry += e.kind == wire::EventKind::Telemetry;
  EXPECT_EQ(telemetry, serve::ServeOptions{}.snapshot_events);
}

TEST(ViewerSession, ABurstBeyondTheTickCapAndTheLogIsShownAsGaps) {
  // A log of 4000 events (2000 for telemetry) and at most 2000 events per tick: a burst of
  // 12 000 telemetry events with 30 crashes among them cannot all reach the viewer. What does
  // not is announced as gaps, and the replica keeps them as rows.
  collector::ModelSettings settings;
  settings.event_log_capacity = 4000;
  settings.event_log_lifecycle_share = 0.5;
  collector::Model model(settings);
  uint64_t now = 1'000'000'000;
  model.set_now(now);
  proto::Hello h;
  h.node = "burst@host";
  h.incarnation = 1;
  collector::NodeKey node = model.on_hello(1, h);
  model.apply(node, proto::StringDef{1, "w"});
  model.apply(node, proto::StringDef{2, "db.query.stop"});
  model.commit();
  Viewer v(model);
  v.tick(now);
  ASSERT_TRUE(v.replica.has_snapshot());
  const uint64_t before = model.last_event_seq();

  constexpr int kTelemetry = 12'000, kCrashes = 30;
  proto::Telemetry t;
  t.event = 2;
  for (int i = 0; i < kTelemetry; ++i) {
    model.apply(node, t);
    if (i % (kTelemetry / kCrashes) == 0) {
      proto::ActorSpawned sp;
      sp.actor = static_cast<uint64_t>(100 + i);
      sp.type = 1;
      model.apply(node, sp);
      model.apply(node, proto::ActorExited{0, sp.actor, proto::ExitReason::Error, 0, {}});
    }
  }
  model.commit();
  const uint64_t logged = model.last_event_seq() - before;
  ASSERT_GT(logged, 2 * serve::ServeOptions{}.events_per_tick) << "more than one tick's worth";
  for (int i = 0; i < 50 && (v.replica.events().empty() || v.replica.events().back().seq < model.last_event_seq()); ++i) {
    now += 100'000'000;
    v.tick(now);
  }
  uint64_t received = 0, not_sent = 0, gaps = 0, crashes = 0;
  for (const wire::Event& e : v.replica.events()) {
    if (e.seq <= before) continue;
    if (e.not_sent > 0) {
      not_sent += e.not_sent;
      ++gaps;
    } else {
      ++received;
      crashes += e.kind == wire::EventKind::Crashed;
    }
  }
  EXPECT_GT(gaps, 0u);
  EXPECT_EQ(received + not_sent, logged) << received << " received, " << not_sent << " announced as not sent";
  EXPECT_EQ(v.replica.events_not_sent(), not_sent);
  EXPECT_EQ(crashes, static_cast<uint64_t>(kCrashes)) << "the log keeps crashes apart from telemetry";
  // The events list shows each gap as a marked row, whatever kinds it shows.
  view::EventsList list;
  view::EventsQuery q;
  q.kinds = view::kInterestingEvents;
  list.update(v.replica, q);
  uint64_t listed_gaps = 0;
  for (const wire::Event* e : list.rows())
    if (e->not_sent > 0) {
      ++listed_gaps;
      EXPECT_NE(view::gap_text(*e).find(" not shown"), std::string::npos) << view::gap_text(*e);
    }
  EXPECT_EQ(listed_gaps, gaps);
  wire::Event g;
  g.not_sent = 2563;
  EXPECT_EQ(view::gap_text(g), "\u2026 2 563 events not shown \u2026");
}

}  // namespace

// Issue: the Overview's RESTARTS card read 13k/min while the chart beside it read 41k/min in
// the same frame. The chart's restarts/min at each point is the header's quantity at that
// moment: the restarts within the minute ending there.
TEST(ViewerSession, TheRestartsChartSaysWhatTheHeaderSays) {
  constexpr uint64_t kSec = 1'000'000'000;
  collector::Model model;
  model.set_now(10 * kSec);
  proto::Hello h;
  h.node = "bursty@host";
  collector::NodeKey node = model.on_hello(1, h);
  proto::ActorSpawned sup;
  sup.actor = 1;
  sup.kind = proto::ActorKind::Supervisor;
  sup.strategy = proto::Strategy::OneForOne;
  sup.intensity = 1000;
  sup.period_ms = 5000;
  model.apply(node, sup);
  uint64_t id = 10;
  proto::ActorSpawned first;
  first.actor = id;
  first.parent = 1;
  first.child_id = 1;
  model.apply(node, first);
  model.apply(node, proto::StringDef{1, "worker"});
  auto restart = [&](int n) {
    for (int i = 0; i < n; ++i, ++id) {
      proto::ChildRestarted r;
      r.supervisor = 1;
      r.child_id = 1;
      r.reason = proto::ExitReason::Error;
      r.old_actor = id;
      r.new_actor = id + 1;
      model.apply(node, r);
      proto::ActorSpawned c;
      c.actor = id + 1;
      c.parent = 1;
      c.child_id = 1;
      model.apply(node, c);
    }
  };
  // Bursts of 5, then 3, then 4, one second apart, within one minute; 90 s of steps.
  const int bursts[] = {5, 0, 3, 0, 0, 4};
  uint64_t now = 10 * kSec;
  for (int s = 0; s < 90; ++s) {
    if (s < 6) restart(bursts[s]);
    now += kSec;
    model.set_now(now);
    model.tick(now);
  }
  Viewer v(model);
  v.tick(now);
  std::vector<uint8_t> ask;
  proto::Writer w(ask);
  wire::encode(w, wire::SeriesRequest{9, 0, wire::Metric::RestartsPerMin, 90});
  v.session->on_frame(proto::FrameHeader{static_cast<uint32_t>(ask.size()), proto::FrameType::View, 2}, ask.data(), ask.size());
  v.tick(now + kSec / 10);
  ASSERT_TRUE(v.replica.series().has_value());
  const auto& pts = v.replica.series()->points;
  ASSERT_EQ(pts.size(), 90u);
  // The reference, from the bursts fed in: at the point for second s (0-based), the restarts
  // of the seconds s-59 .. s.
  for (size_t s = 0; s < pts.size(); ++s) {
    double want = 0;
    for (size_t b = 0; b < 6; ++b)
      if (b <= s && s < b + 60) want += bursts[b];
    EXPECT_DOUBLE_EQ(pts[s], want) << "second " << s;
  }
  // And the newest point equals the header's restarts/min in the same frame.
  view::HeaderModel hm = view::header(v.replica);
  EXPECT_DOUBLE_EQ(pts.back(), hm.restarts_per_min);
}

// A child is a thing at the collector too: the detail of its current incarnation carries its
// history across incarnations; the detail of an incarnation that is gone names it and starts
// its chain at its supervisor; a kill of a gone incarnation names node, child and successor.
TEST(ViewerSession, DetailAndKillKnowTheChildAcrossItsIncarnations) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.spawn(2, 1, "pool", "sup", true);
  app.spawn(3, 2, "parser3", "parser");
  app.exit(3, proto::ExitReason::Error);  // reason text "boom"
  proto::ChildRestarted rs;
  rs.supervisor = 2;
  rs.child_id = app.str("parser3");
  rs.old_actor = 3;
  rs.new_actor = 4;
  rs.reason = proto::ExitReason::Error;
  app.model.apply(app.node, rs);
  app.spawn(4, 2, "parser3", "parser");
  app.tick();
  CapturingConnection conn;
  serve::ServeOptions opts;
  opts.allow_commands = true;
  opts.token = "secret";
  auto session = serve::make_session(conn, app.model, opts, std::make_shared<serve::ServeCounters>());
  view::Replica replica;
  auto ask = [&](auto request) {
    std::vector<uint8_t> m;
    proto::Writer w(m);
    wire::encode(w, request);
    session->on_frame(proto::FrameHeader{static_cast<uint32_t>(m.size()), proto::FrameType::View, 1}, m.data(), m.size());
    conn.pump(replica);
  };

  ask(wire::DetailRequest{1, app.node, 4});
  ASSERT_TRUE(replica.detail().has_value());
  {
    const auto& d = *replica.detail();
    EXPECT_TRUE(d.found);
    ASSERT_TRUE(d.has_child);
    EXPECT_EQ(d.child.supervisor, 2u);
    EXPECT_EQ(d.child.child_id, "parser3");
    EXPECT_EQ(d.child.restarts, 1u);
    EXPECT_EQ(d.child.current, 4u);
    EXPECT_EQ(d.child.last_crash_actor, 3u);
    EXPECT_EQ(d.child.last_reason, proto::ExitReason::Error);
    EXPECT_EQ(d.child.last_text, "boom");
    EXPECT_TRUE(d.name.empty()) << "a live actor's name comes with its row";
  }

  ask(wire::DetailRequest{2, app.node, 3});
  ASSERT_TRUE(replica.detail().has_value());
  {
    const auto& d = *replica.detail();
    EXPECT_EQ(d.request, 2u);
    EXPECT_FALSE(d.found);
    EXPECT_EQ(d.name, "parser3");
    ASSERT_EQ(d.chain.size(), 2u) << "from the supervisor its exit names";
    EXPECT_EQ(d.chain[0].name, "pool");
    EXPECT_EQ(d.chain[1].name, "root");
    ASSERT_TRUE(d.has_child);
    EXPECT_EQ(d.child.current, 4u);
    // The view shows it by that name, with its history.
    view::DetailModel dm = view::detail(replica, {app.node, 3});
    EXPECT_EQ(dm.name, "parser3");
    ASSERT_EQ(dm.chain.size(), 2u);
    EXPECT_EQ(dm.child_text.rfind("restarted 1\u00d7, last crash: error: boom", 0), 0u) << dm.child_text;
  }

  ask(wire::KillRequest{3, app.node, 3, "secret"});
  ASSERT_TRUE(replica.command().has_value());
  EXPECT_FALSE(replica.command()->ok);
  EXPECT_NE(replica.command()->message.find("parser3 (actor 3) on orders@host is no longer live: its supervisor restarted it as actor 4"),
            std::string::npos)
      << replica.command()->message;
  EXPECT_TRUE(conn.commands.empty());
}

TEST(ViewerSession, AViewerThatJoinsAfterACrashStormOnOneNodeSeesAnotherNodesCrash) {
  App app;  // orders@host: 30 000 crashes, more than the log's incident share holds
  proto::Hello h;
  h.node = "billing@host";
  h.incarnation = 1;
  collector::NodeKey billing = app.model.on_hello(2, h);
  app.model.apply(billing, proto::StringDef{1, "invoicer"});
  proto::ActorSpawned s;
  s.actor = 77;
  s.name = 1;
  s.type = 1;
  app.model.apply(billing, s);
  proto::ActorExited crash;
  crash.actor = 77;
  crash.reason = proto::ExitReason::Error;
  crash.reason_text = 1;
  app.model.apply(billing, crash);
  for (uint64_t id = 100; id < 30'100; ++id) {
    app.spawn(id, 0, "w", "worker");
    app.exit(id, proto::ExitReason::Error);
  }
  app.tick();
  ASSERT_GT(app.model.stats().events_dropped, 0u) << "the storm must push incidents out of the shared log";
  Viewer v(app.model);
  v.tick(app.now);
  ASSERT_TRUE(v.replica.has_snapshot());
  size_t billing_crashes = 0, orders_crashes = 0;
  for (const wire::Event& e : v.replica.events()) {
    if (e.kind != wire::EventKind::Crashed) continue;
    if (e.node == billing) {
      ++billing_crashes;
      EXPECT_EQ(e.actor, 77u);
      EXPECT_EQ(e.name, "invoicer");
    } else {
      ++orders_crashes;
    }
  }
  EXPECT_EQ(billing_crashes, 1u) << "billing's crash was pushed out by orders' storm";
  EXPECT_GE(orders_crashes, serve::ServeOptions{}.snapshot_events);
}

// The answer at the mailbox: who sends to this actor, what, and what it is handling.
TEST(ViewerSession, DetailNamesTheTopSendersTheMessageTypesAndWhatTheActorIsHandling) {
  App app;
  app.spawn(1, 0, "ingest-1", "ingest");
  app.spawn(2, 0, "store", "store");
  app.spawn(3, 0, "clock", "clock");
  proto::StringId write = app.str("write_batch"), tick = app.str("tick");
  // 5 s of one flush every 100 ms: ingest-1 sends 3 sampled writes (96 messages at 1 in 32),
  // the clock one tick every fourth flush (8 a second): 960/s against 80/s.
  for (int flush = 0; flush < 50; ++flush) {
    proto::FlowEdges e;
    e.sample_every = 32;
    e.edges[e.n++] = {1, 2, write, 3};
    if (flush % 4 == 0) e.edges[e.n++] = {3, 2, tick, 1};
    app.model.apply(app.node, e);
    app.tick();
  }
  proto::Handling h;
  h.n = 1;
  h.now[0] = {2, write, 1'500'000'000};
  app.model.apply(app.node, h);
  const auto reply = detail_of(app, 2);
  ASSERT_TRUE(reply.has_value());
  const auto& d = *reply;
  ASSERT_TRUE(d.has_flow);
  EXPECT_EQ(d.sample_every, 32u);
  ASSERT_EQ(d.senders.size(), 2u);
  EXPECT_EQ(d.senders[0].actor, 1u) << "the top sender of the store is the ingest";
  EXPECT_EQ(d.senders[0].name, "ingest-1");
  EXPECT_EQ(d.senders[0].type, "ingest");
  EXPECT_EQ(d.senders[1].name, "clock");
  // Decayed over 10 s for 5 s: between 1 - e^-0.5 (39 %) of the steady rate and the steady rate.
  EXPECT_GT(d.senders[0].rate_x100, 960u * 100 * 35 / 100);
  EXPECT_LT(d.senders[0].rate_x100, 960u * 100);
  EXPECT_GT(d.senders[0].rate_x100, 10 * d.senders[1].rate_x100);
  ASSERT_EQ(d.message_types.size(), 2u);
  EXPECT_EQ(d.message_types[0].type, "write_batch");
  EXPECT_EQ(d.message_types[1].type, "tick");
  EXPECT_TRUE(d.handling);
  EXPECT_EQ(d.handling_type, "write_batch");
  EXPECT_EQ(d.handling_busy_ns, 1'500'000'000u);
  // What the viewers print.
  std::string handling, senders, types;
  view::flow_texts(d, handling, senders, types);
  EXPECT_EQ(handling, "handling write_batch for 1.5s");
  EXPECT_EQ(senders.rfind("senders (sampled 1 in 32, rates over 10s): ingest-1 (ingest) ~", 0), 0u) << senders;
  EXPECT_NE(senders.find(", clock (clock) ~"), std::string::npos) << senders;
  EXPECT_EQ(types.rfind("message types: write_batch ~", 0), 0u) << types;
}

// The flow map's rows are the model's type pairs, with the receiving type's backlog.
TEST(ViewerSession, FlowRowsAreTheModelsTypePairsWithTheReceiversBacklog) {
  App app;
  app.spawn(1, 0, "ingest-1", "ingest");
  app.spawn(2, 0, "parser-1", "parser");
  app.stats(2, 1500, 10);
  proto::FlowEdges e;
  e.sample_every = 16;
  e.n = 2;
  e.edges[0] = {1, 2, 0, 40};
  e.edges[1] = {0, 1, 0, 5};
  app.model.apply(app.node, e);
  app.tick();
  Viewer v(app.model);
  v.tick(app.now);
  ASSERT_TRUE(v.replica.has_snapshot());
  const auto& flow = v.replica.flow();
  ASSERT_EQ(flow.size(), 2u);
  const wire::FlowRow& parser = flow.at({app.node, "ingest", "parser"});
  EXPECT_EQ(parser.messages, 640u);
  EXPECT_EQ(parser.sample_every, 16u);
  EXPECT_EQ(parser.to_mailbox_max, 1500u);
  const wire::FlowRow& outside = flow.at({app.node, "", "ingest"});
  EXPECT_EQ(outside.messages, 80u);
  for (const collector::FlowPair& p : app.model.flow_pairs(app.node)) {
    if (app.model.text(p.to_type) == "parser") {
      EXPECT_EQ(parser.rate_x100, static_cast<uint64_t>(std::llround(app.model.flow_rate(p) * 100)));
    }
  }
}

// A restart storm replaced the supervisor too: the detail of the child's gone incarnation
// starts its chain at the supervisor's successor, which holds the child now.
TEST(ViewerSession, DetailOfAGoneChildWhoseSupervisorWasReplacedStartsAtTheSuccessor) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.spawn(2, 1, "pool", "sup", true);
  app.spawn(3, 2, "parser3", "parser");
  app.exit(3, proto::ExitReason::Error);
  app.exit(2, proto::ExitReason::Shutdown);  // the pool gives up; the root restarts it as 5
  proto::ChildRestarted pool;
  pool.supervisor = 1;
  pool.child_id = app.str("pool");
  pool.old_actor = 2;
  pool.new_actor = 5;
  pool.reason = proto::ExitReason::Shutdown;
  app.model.apply(app.node, pool);
  app.spawn(5, 1, "pool", "sup", true);
  app.spawn(6, 5, "parser3", "parser");
  app.tick();
  const auto reply = detail_of(app, 3);
  ASSERT_TRUE(reply.has_value());
  const auto& d = *reply;
  EXPECT_FALSE(d.found);
  EXPECT_EQ(d.name, "parser3");
  ASSERT_EQ(d.chain.size(), 2u) << "the successor of the pool, then the root";
  EXPECT_EQ(d.chain[0].actor, 5u);
  EXPECT_EQ(d.chain[0].name, "pool");
  EXPECT_EQ(d.chain[1].actor, 1u);
}

// The same in a storm: the pool was replaced twice, and so many restarts came after that
// the log holds none of the pool's own events (nor would the frame's scan budget reach them).
// The chain still starts at the pool's live incarnation, and the child's history is there.
TEST(ViewerSession, DetailOfAGoneChildInAStormThatReplacedItsSupervisorTwiceStartsAtTheLiveOne) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.spawn(2, 1, "pool", "sup", true);
  app.spawn(3, 2, "parser3", "parser");
  app.exit(3, proto::ExitReason::Error);
  const proto::StringId pool_id = app.str("pool");
  auto replace_pool = [&](uint64_t old_pool, uint64_t new_pool) {
    app.exit(old_pool, proto::ExitReason::Shutdown);
    proto::ChildRestarted r;
    r.supervisor = 1;
    r.child_id = pool_id;
    r.old_actor = old_pool;
    r.new_actor = new_pool;
    r.reason = proto::ExitReason::Shutdown;
    app.model.apply(app.node, r);
    app.spawn(new_pool, 1, "pool", "sup", true);
  };
  replace_pool(2, 5);
  replace_pool(5, 8);
  app.spawn(9, 8, "w", "worker");
  const proto::StringId w = app.str("w");
  uint64_t worker = 9;
  for (int i = 0; i < 120'000; ++i) {  // more than the whole event log holds
    proto::ChildRestarted r;
    r.supervisor = 8;
    r.child_id = w;
    r.old_actor = worker;
    r.new_actor = worker + 1;
    r.reason = proto::ExitReason::Shutdown;
    app.model.apply(app.node, r);
    ++worker;
  }
  app.tick();
  collector::EventQuery q;
  q.before_seq = app.model.last_event_seq() + 1;
  q.node = app.node;
  q.actor = 5;
  ASSERT_TRUE(app.model.events(q).empty()) << "the log still holds an event of the middle pool: no storm";
  const auto reply = detail_of(app, 3);
  ASSERT_TRUE(reply.has_value());
  const auto& d = *reply;
  EXPECT_FALSE(d.found);
  EXPECT_EQ(d.name, "parser3");
  ASSERT_EQ(d.chain.size(), 2u) << "the pool's live incarnation, then the root";
  EXPECT_EQ(d.chain[0].actor, 8u);
  EXPECT_EQ(d.chain[0].name, "pool");
  EXPECT_EQ(d.chain[1].actor, 1u);
  ASSERT_TRUE(d.has_child) << "the child's history, carried across the pool's incarnations";
  EXPECT_EQ(d.child.supervisor, 8u);
  EXPECT_EQ(d.child.last_crash_actor, 3u);
}

// A viewer is sent each actor's fill rate beside its drain rate (×100, plus one: 0 means not
// known), as the model holds it; for a BEAM node, whose mailboxes are sampled, none.
TEST(ViewerSession, ActorStatsCarryTheMailboxsFillRate) {
  App app;
  app.spawn(1, 0, "ingest-1", "ingest");
  app.stats(1, 0, 0);
  app.tick();
  app.stats(1, 50, 150);  // 200 put in, 150 taken out over 100 ms
  app.tick();
  const collector::Actor* a = app.model.actor(app.node, 1);
  ASSERT_NE(a, nullptr);
  ASSERT_GT(a->fill_per_s, 0.0f);
  Viewer v(app.model);
  v.tick(app.now);
  const view::Actor* seen = v.replica.actor({app.node, 1});
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->stats.fill_per_s_x100, static_cast<uint64_t>(std::llround(a->fill_per_s * 100.0)) + 1);
  EXPECT_EQ(seen->stats.fill_per_s_x100, 2000'00u + 1) << "200 in 100 ms";
  // A BEAM node: not known.
  proto::Hello h;
  h.node = "shop@web-1";
  h.incarnation = 1;
  h.capabilities = proto::kCapReductions;
  const collector::NodeKey beam = app.model.on_hello(2, h);
  proto::ActorSpawned s;
  s.actor = 7;
  app.model.apply(beam, s);
  app.model.commit();
  Viewer w(app.model);
  w.tick(app.now);
  const view::Actor* proc = w.replica.actor({beam, 7});
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->stats.fill_per_s_x100, 0u);
}

namespace {

// Applies records as one Batch, as the live ingest does (what the flight recorder records).
template <class... R>
void apply_batch(App& app, const R&... records) {
  std::vector<uint8_t> b;
  proto::Writer w(b);
  (proto::encode(w, records), ...);
  app.model.apply_batch(app.node, b.data(), b.size());
}

template <class Msg>
void send(collector::Session& session, const Msg& message) {
  std::vector<uint8_t> bytes;
  proto::Writer w(bytes);
  wire::encode(w, message);
  session.on_frame(proto::FrameHeader{static_cast<uint32_t>(bytes.size()), proto::FrameType::View, 1}, bytes.data(),
                   bytes.size());
}

// Ticks the session until the replica shows what `done` waits for: the past instant is
// rebuilt on a thread of its own. False after 20 s.
template <class Done>
bool tick_until(collector::Session& session, CapturingConnection& conn, view::Replica& replica, uint64_t now, Done done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    session.on_tick(now);
    conn.pump(replica);
    if (done()) return true;
    std::this_thread::yield();
  }
  return false;
}

}  // namespace

// Time travel through a viewer session: shown a past instant, the replica holds the model as
// it was then (an actor that has crashed since, a mailbox that has drained since, none of the
// actors spawned since), stands still while the live model moves, and is live again after.
TEST(ViewerSession, APastInstantIsTheModelAsItWasThenAndStandsStillUntilLiveAgain) {
  App app;
  collector::History history;
  app.model.set_history(&history);
  const uint64_t history_begins = app.model.now();
  apply_batch(app, proto::StringDef{101, "root"}, proto::StringDef{102, "worker"}, proto::StringDef{103, "boom"});
  proto::ActorSpawned root;
  root.actor = 1;
  root.name = root.type = root.child_id = 101;
  root.kind = proto::ActorKind::Supervisor;
  root.strategy = proto::Strategy::OneForOne;
  root.intensity = 3;
  root.period_ms = 5000;
  apply_batch(app, root);
  for (uint64_t i = 2; i <= 40; ++i) {
    proto::ActorSpawned w;
    w.actor = i;
    w.parent = 1;
    w.type = w.child_id = 102;
    apply_batch(app, w);
  }
  proto::ActorStats backlog;
  backlog.actor = 5;
  backlog.mailbox = 30'000;
  backlog.enqueued = 31'000;
  backlog.dequeued = 1'000;
  apply_batch(app, backlog);
  app.tick();
  app.tick();
  const uint64_t then_model = app.model.now();
  const std::unique_ptr<collector::Model> then = app.model.clone();  // the reference: the model at that instant

  // Since then: actor 3 crashed, actor 100 was spawned, actor 5 drained.
  proto::ActorExited crash;
  crash.actor = 3;
  crash.reason = proto::ExitReason::Error;
  crash.reason_text = 103;
  proto::ActorSpawned late;
  late.actor = 100;
  late.parent = 1;
  late.type = late.child_id = 102;
  backlog.mailbox = 0;
  backlog.dequeued = 31'000;
  app.now += 1'000'000'000;
  app.model.set_now(app.now);
  apply_batch(app, crash, late, backlog);
  app.tick();
  const uint64_t after_model = app.model.now();
  const std::unique_ptr<collector::Model> after = app.model.clone();  // the reference a step later

  CapturingConnection conn;
  auto counters = std::make_shared<serve::ServeCounters>();
  auto session = serve::make_session(conn, app.model, serve::ServeOptions{}, counters);
  send(*session, wire::Subscribe{"", 10});
  session->on_tick(app.now);
  view::Replica replica;
  conn.pump(replica);
  expect_equal(app.model, replica);
  ASSERT_EQ(replica.actor({app.node, 3}), nullptr);

  // The past instant (the history's clock is the model's here: no wall clock was told).
  const uint64_t then_wall = history.to_wall(then_model);
  send(*session, wire::ShowInstant{7, then_wall});
  ASSERT_TRUE(tick_until(*session, conn, replica, app.now, [&] { return replica.showing_past(); }));
  EXPECT_EQ(replica.instant().wall_ns, then_wall);
  EXPECT_EQ(replica.instant().request, 7u);
  EXPECT_EQ(replica.instant().begins_wall_ns, history.to_wall(history_begins));
  EXPECT_EQ(counters->instants_shown.load(), 1u);
  EXPECT_EQ(counters->past_views.load(), 1);
  expect_equal(*then, replica);
  ASSERT_NE(replica.actor({app.node, 3}), nullptr) << "not crashed yet at that instant";
  EXPECT_EQ(replica.actor({app.node, 100}), nullptr) << "not spawned yet";
  EXPECT_EQ(replica.actor({app.node, 5})->stats.mailbox, 30'000u);

  // The live model moves on; the past stands still, and a kill is refused there.
  proto::ActorSpawned later = late;
  later.actor = 101;
  app.now += 1'000'000'000;  // after the instant `after` stands for
  app.model.set_now(app.now);
  apply_batch(app, later);
  app.tick();
  session->on_tick(app.now + 1'000'000'000);
  conn.pump(replica);
  expect_equal(*then, replica);
  EXPECT_EQ(replica.actor({app.node, 101}), nullptr);

  // A step forward goes on from the instant shown (no keyframe lies between): the crash and the
  // late spawn are there, and nothing after.
  EXPECT_EQ(counters->rebuilds_from_shown.load(), 0u);
  send(*session, wire::ShowInstant{11, history.to_wall(after_model)});
  ASSERT_TRUE(tick_until(*session, conn, replica, app.now + 1'000'000'000,
                         [&] { return replica.instant().request == 11 && replica.has_snapshot(); }));
  EXPECT_EQ(counters->rebuilds_from_shown.load(), 1u);
  EXPECT_EQ(counters->instants_shown.load(), 2u);
  expect_equal(*after, replica);
  EXPECT_EQ(replica.actor({app.node, 3}), nullptr) << "crashed by then";
  EXPECT_NE(replica.actor({app.node, 100}), nullptr) << "spawned by then";
  EXPECT_EQ(replica.actor({app.node, 101}), nullptr) << "not yet";

  // Before history begins: refused, the instant shown stays.
  send(*session, wire::ShowInstant{8, history.to_wall(history_begins) - 1});
  conn.pump(replica);
  EXPECT_TRUE(replica.showing_past());
  EXPECT_EQ(replica.instant().request, 8u);
  EXPECT_NE(replica.instant().message.find("before this collector's history begins"), std::string::npos)
      << replica.instant().message;

  // Live again: the live model, and deltas again.
  send(*session, wire::ShowInstant{9, 0});
  ASSERT_TRUE(tick_until(*session, conn, replica, app.now + 2'000'000'000, [&] { return replica.has_snapshot() && !replica.showing_past() && replica.actor({app.node, 101}); }));
  expect_equal(app.model, replica);
  EXPECT_EQ(counters->past_views.load(), 0);

  // The timeline counts the crash.
  send(*session, wire::TimelineRequest{10, 0, 0});
  conn.pump(replica);
  ASSERT_TRUE(replica.timeline().has_value());
  uint64_t crashes = 0;
  for (const auto& b : replica.timeline()->buckets) crashes += b.crashes;
  EXPECT_EQ(crashes, 1u);
  EXPECT_EQ(replica.timeline()->begins_wall_ns, history.to_wall(history_begins));
}

// Without a flight recorder the past is refused with the reason, and the viewer stays live.
TEST(ViewerSession, WithoutHistoryThePastIsRefusedAndTheViewerStaysLive) {
  App app;
  app.spawn(1, 0, "root", "root_sup", true);
  app.tick();
  CapturingConnection conn;
  auto session = serve::make_session(conn, app.model, serve::ServeOptions{}, std::make_shared<serve::ServeCounters>());
  send(*session, wire::Subscribe{"", 10});
  send(*session, wire::ShowInstant{3, 12345});
  session->on_tick(app.now);
  view::Replica replica;
  conn.pump(replica);
  EXPECT_FALSE(replica.showing_past());
  EXPECT_NE(replica.instant().message.find("--history-age 0"), std::string::npos) << replica.instant().message;
  expect_equal(app.model, replica);
}

// Viewers in the past each hold a model: past ServeOptions::max_past_views they are refused,
// and one going back to live makes room.
TEST(ViewerSession, ViewersInThePastAreBoundedAndEachLeavingMakesRoom) {
  App app;
  collector::History history;
  app.model.set_history(&history);
  proto::ActorSpawned a;
  a.actor = 1;
  apply_batch(app, a);
  app.tick();
  const uint64_t then = history.to_wall(app.model.now());
  app.tick();
  auto counters = std::make_shared<serve::ServeCounters>();
  serve::ServeOptions opts;
  opts.max_past_views = 2;
  std::vector<std::unique_ptr<CapturingConnection>> conns;
  std::vector<std::unique_ptr<collector::Session>> sessions;
  std::vector<view::Replica> replicas(3);
  for (int i = 0; i < 3; ++i) {
    conns.push_back(std::make_unique<CapturingConnection>());
    sessions.push_back(serve::make_session(*conns.back(), app.model, opts, counters));
    send(*sessions.back(), wire::Subscribe{"", 10});
  }
  for (int i = 0; i < 2; ++i) {
    send(*sessions[static_cast<size_t>(i)], wire::ShowInstant{1, then});
    ASSERT_TRUE(tick_until(*sessions[static_cast<size_t>(i)], *conns[static_cast<size_t>(i)], replicas[static_cast<size_t>(i)], app.now,
                           [&] { return replicas[static_cast<size_t>(i)].past_ready(); }));
  }
  EXPECT_EQ(counters->past_views.load(), 2);
  send(*sessions[2], wire::ShowInstant{5, then});
  sessions[2]->on_tick(app.now);
  conns[2]->pump(replicas[2]);
  EXPECT_FALSE(replicas[2].showing_past());
  EXPECT_NE(replicas[2].instant().message.find("busy: 2 viewers"), std::string::npos) << replicas[2].instant().message;
  EXPECT_EQ(counters->rebuilds_refused.load(), 1u);
  // One goes back to live (or leaves): the third gets its instant.
  send(*sessions[0], wire::ShowInstant{2, 0});
  EXPECT_EQ(counters->past_views.load(), 1);
  send(*sessions[2], wire::ShowInstant{6, then});
  ASSERT_TRUE(tick_until(*sessions[2], *conns[2], replicas[2], app.now, [&] { return replicas[2].past_ready(); }));
  sessions[1].reset();  // a viewer that leaves in the past frees its place too
  EXPECT_EQ(counters->past_views.load(), 1);
}

namespace {
// What a viewer pulling an export reads off the session's frames.
struct ExportReader {
  std::vector<wire::ExportPart> parts;
  std::vector<wire::RequestFailed> failed;
  void on(const wire::ExportPart& m) { parts.push_back(m); }
  void on(const wire::RequestFailed& m) { failed.push_back(m); }
  template <class T>
  void on(const T&) {}
  void read(CapturingConnection& conn) {
    for (auto& [type, bytes] : conn.frames) {
      if (type == proto::FrameType::View) {
        ASSERT_TRUE(wire::decode_messages(bytes.data(), bytes.size(), *this).ok);
      }
    }
    conn.frames.clear();
  }
};
}  // namespace

// The flight recorder, pulled part by part, is a record file that opens with the actors the
// collector had; a part asked at the wrong offset is refused, and exports are bounded.
TEST(ViewerSession, TheHistoryIsExportedPartByPartAndExportsAreBounded) {
  App app;
  collector::History history;
  app.model.set_history(&history);
  constexpr uint64_t kActors = 20'000;  // enough for several parts
  std::vector<uint8_t> batch;
  for (uint64_t id = 1; id <= kActors; ++id) {
    proto::Writer w(batch);
    proto::ActorSpawned s;
    s.actor = id;
    s.parent = id == 1 ? 0 : 1;
    s.name = static_cast<proto::StringId>(id);
    proto::encode(w, proto::StringDef{s.name, "worker-" + std::to_string(id)});
    proto::encode(w, s);
    proto::encode(w, proto::ActorStats{id, id % 17, 100 + id, 100, 5000, 0, {}});
    if (id % 500 == 0) {
      app.model.apply_batch(app.node, batch.data(), batch.size());
      batch.clear();
      app.tick();
    }
  }
  auto counters = std::make_shared<serve::ServeCounters>();
  serve::ServeOptions opts;
  opts.max_exports = 1;
  CapturingConnection conn, other_conn;
  auto session = serve::make_session(conn, app.model, opts, counters);
  auto other = serve::make_session(other_conn, app.model, opts, counters);
  ExportReader reader, other_reader;

  std::vector<uint8_t> file;
  send(*session, wire::ExportRequest{1, 0});
  reader.read(conn);
  ASSERT_EQ(reader.parts.size(), 1u);
  EXPECT_EQ(counters->exports_running.load(), 1u);
  // A second export past max_exports: refused, counted.
  send(*other, wire::ExportRequest{2, 0});
  other_reader.read(other_conn);
  ASSERT_EQ(other_reader.failed.size(), 1u);
  EXPECT_NE(other_reader.failed[0].message.find("busy"), std::string::npos) << other_reader.failed[0].message;
  EXPECT_EQ(counters->exports_refused.load(), 1u);
  // The wrong offset: refused, and the export goes on from the right one.
  send(*session, wire::ExportRequest{3, 12345});
  reader.read(conn);
  ASSERT_EQ(reader.failed.size(), 1u);
  EXPECT_EQ(reader.failed[0].request, 3u);
  for (uint64_t request = 4; !reader.parts.back().last; ++request) {
    const wire::ExportPart& p = reader.parts.back();
    EXPECT_EQ(p.offset, file.size());
    EXPECT_LE(p.bytes.size(), wire::kMaxExportPart);
    file.insert(file.end(), p.bytes.begin(), p.bytes.end());
    send(*session, wire::ExportRequest{request, file.size()});
    reader.read(conn);
    ASSERT_LT(request, 1000u);
  }
  file.insert(file.end(), reader.parts.back().bytes.begin(), reader.parts.back().bytes.end());
  EXPECT_GT(reader.parts.size(), 2u);
  EXPECT_EQ(reader.parts.back().begins_wall_ns, history.to_wall(history.stats().begins_at));
  EXPECT_EQ(counters->exports_running.load(), 0u) << "the last part ends the export";

  const std::string path = ::testing::TempDir() + "/session-export.rec";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(file.data(), 1, file.size(), f), file.size());
    std::fclose(f);
  }
  collector::Model opened;
  collector::ReplayResult r = collector::replay(path, opened);
  ASSERT_TRUE(r.ok) << r.error;
  const collector::NodeKey node = opened.find_node("orders@host");
  ASSERT_NE(node, 0u);
  EXPECT_EQ(opened.node(node)->live_actors, kActors);
  const collector::Actor* a = opened.actor(node, 12'345);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(opened.text(a->name), "worker-12345");
  EXPECT_EQ(a->mailbox, 12'345u % 17);
  std::remove(path.c_str());

  // Now there is room: the other viewer's export starts; its viewer leaving ends it.
  send(*other, wire::ExportRequest{5, 0});
  other_reader.read(other_conn);
  ASSERT_EQ(other_reader.parts.size(), 1u);
  EXPECT_EQ(counters->exports_running.load(), 1u);
  other.reset();
  EXPECT_EQ(counters->exports_running.load(), 0u);
}

// A frame of many export requests costs one part: the others are told busy, and the export
// goes on from where that part ended.
TEST(ViewerSession, AFrameOfManyExportRequestsIsGivenOnePart) {
  App app;
  collector::History history;
  app.model.set_history(&history);
  std::vector<uint8_t> batch;
  for (uint64_t id = 1; id <= 20'000; ++id) {
    proto::Writer w(batch);
    proto::encode(w, proto::ActorSpawned{0, id, 0, 0, 0, 0, proto::ActorKind::Worker, proto::RestartType::Permanent,
                                         proto::Strategy::None, 0, 0});
    proto::encode(w, proto::ActorStats{id, id % 17, 100 + id, 100, 5000, 0, {}});
  }
  app.model.apply_batch(app.node, batch.data(), batch.size());
  app.tick();
  CapturingConnection conn;
  auto session = serve::make_session(conn, app.model, serve::ServeOptions{}, std::make_shared<serve::ServeCounters>());
  std::vector<uint8_t> frame;
  proto::Writer w(frame);
  for (uint64_t request = 1; request <= 50; ++request) wire::encode(w, wire::ExportRequest{request, 0});
  session->on_frame(proto::FrameHeader{static_cast<uint32_t>(frame.size()), proto::FrameType::View, 1}, frame.data(),
                    frame.size());
  ExportReader reader;
  reader.read(conn);
  ASSERT_EQ(reader.parts.size(), 1u);
  EXPECT_EQ(reader.parts[0].request, 1u);
  EXPECT_FALSE(reader.parts[0].last) << "the file must take more than one part for this test";
  EXPECT_EQ(reader.failed.size(), 49u);
  send(*session, wire::ExportRequest{51, reader.parts[0].bytes.size()});
  reader.read(conn);
  ASSERT_EQ(reader.parts.size(), 2u);
  EXPECT_EQ(reader.parts[1].offset, reader.parts[0].bytes.size());
}

// The flow among a supervisor's child subtrees, asked for and answered: the groups and edges
// the model computes, as the viewers show them (names, rates, the note on what is missing).
TEST(ViewerSession, SubtreeFlowIsTheModelsGroupsAndEdgesAsTheViewersShowThem) {
  App app;
  app.spawn(1, 0, "pipeline", "pipeline_sup", true);
  app.spawn(2, 1, "parsers", "parser_sup", true);
  app.spawn(3, 1, "store", "store");
  app.spawn(4, 2, "parser-1", "parser");
  app.spawn(5, 0, "ingest-1", "ingest");
  app.stats(3, 700, 10);
  proto::FlowEdges e;
  e.sample_every = 16;
  e.n = 4;
  e.edges[0] = {4, 3, 0, 40};  // parser-1 (under parsers) -> store: parsers -> store
  e.edges[1] = {5, 4, 0, 10};  // ingest-1 (outside) -> parser-1: outside -> parsers
  e.edges[2] = {2, 4, 0, 2};   // parsers -> its own child: within parsers
  e.edges[3] = {5, 6, 0, 3};   // outside -> outside: not in the answer
  app.model.apply(app.node, e);
  app.tick();
  Viewer v(app.model);
  v.tick(app.now);
  ASSERT_TRUE(v.replica.has_snapshot());
  send(*v.session, wire::SubtreeFlowRequest{21, app.node, 1, 24});
  v.conn.pump(v.replica);
  ASSERT_TRUE(v.replica.subtree_flow().has_value());
  const wire::SubtreeFlowReply& r = *v.replica.subtree_flow();
  EXPECT_EQ(r.request, 21u);
  EXPECT_TRUE(r.found);
  EXPECT_EQ(r.children, 2u);
  const collector::SubtreeFlow f = app.model.subtree_flow(app.node, 1, 24);
  ASSERT_EQ(r.groups.size(), f.groups.size());
  ASSERT_EQ(r.edges.size(), f.edges.size());
  ASSERT_EQ(r.edges.size(), 2u);
  for (size_t i = 0; i < f.edges.size(); ++i)
    EXPECT_EQ(r.edges[i].rate_x100, static_cast<uint64_t>(std::llround(f.edges[i].rate * 100)));

  const view::SubtreeFlowView sv = view::subtree_flow_view(v.replica, app.node, 1, view::DisplayThresholds{});
  ASSERT_EQ(sv.state, view::SubtreeFlowView::State::Shown);
  EXPECT_EQ(sv.title, "flow within pipeline on " + v.replica.node(app.node)->name + ": 2 of 2 children sent or received");
  ASSERT_EQ(sv.map.edges.size(), 2u);
  EXPECT_EQ(sv.map.edges[0].from, "parsers");
  EXPECT_EQ(sv.map.edges[0].to, "store");
  EXPECT_EQ(sv.map.edges[1].from, "(outside pipeline)");
  EXPECT_EQ(sv.map.edges[1].to, "parsers");
  // 640 messages over the 10 s window, decayed for the tick since: the model's own figure.
  EXPECT_NEAR(sv.map.edges[0].rate, f.edges[0].rate, 0.01);
  EXPECT_GT(sv.map.edges[0].rate, 4 * sv.map.edges[1].rate - 0.01);
  for (const view::FlowTypeView& t : sv.map.types) {
    if (t.name == "parsers") {
      EXPECT_TRUE(t.supervisor) << "a child supervisor can be opened";
      EXPECT_EQ(t.actor, 2u);
      EXPECT_GT(t.internal_rate, 0);
    }
    if (t.name == "store") {
      EXPECT_EQ(view::flow_group_caption(t), "deepest mailbox 700");
    }
  }
  EXPECT_EQ(view::subtree_flow_root(v.replica, app.node, 4), 2u) << "a worker: its supervisor";
  EXPECT_EQ(view::subtree_flow_root(v.replica, app.node, 2), 2u) << "a supervisor: itself";
  // Another supervisor than the one answered: waiting, not the wrong answer.
  EXPECT_EQ(view::subtree_flow_view(v.replica, app.node, 2, view::DisplayThresholds{}).state, view::SubtreeFlowView::State::Waiting);
  // Unknown node: a one-line refusal.
  send(*v.session, wire::SubtreeFlowRequest{22, 999, 1, 24});
  v.conn.pump(v.replica);
  ASSERT_TRUE(v.replica.failure().has_value());
  EXPECT_EQ(v.replica.failure()->request, 22u);
  // A frame of many requests is answered once: the rest are refused as busy, not computed.
  std::vector<uint8_t> bytes;
  proto::Writer w(bytes);
  for (uint64_t id = 30; id < 130; ++id) wire::encode(w, wire::SubtreeFlowRequest{id, app.node, 2, 24});
  v.session->on_frame(proto::FrameHeader{static_cast<uint32_t>(bytes.size()), proto::FrameType::View, 1}, bytes.data(),
                      bytes.size());
  v.conn.pump(v.replica);
  ASSERT_TRUE(v.replica.subtree_flow().has_value());
  EXPECT_EQ(v.replica.subtree_flow()->request, 30u) << "the frame's first request is answered";
  ASSERT_TRUE(v.replica.failure().has_value());
  EXPECT_EQ(v.replica.failure()->request, 129u);
  EXPECT_NE(v.replica.failure()->message.find("busy: one flow by subtree per frame"), std::string::npos)
      << v.replica.failure()->message;
}
