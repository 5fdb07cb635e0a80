// The replica applying snapshot and deltas, and the view-models built on it.
#include <gtest/gtest.h>

#include "actorscope/view/actors_table.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/header.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/tree.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

// Builds View payloads the way a collector would.
struct Feed {
  std::vector<uint8_t> buf;
  proto::Writer w{buf};
  template <class M>
  Feed& add(const M& m) {
    pv::encode(w, m);
    return *this;
  }
  Feed& actor(uint64_t id, uint64_t parent, std::string name, std::string type, uint64_t mailbox = 0,
              proto::ActorKind kind = proto::ActorKind::Worker) {
    pv::ActorRow r;
    r.node = 1;
    r.actor = id;
    r.parent = parent;
    r.name = std::move(name);
    r.child_id = r.name.empty() ? "worker-" + std::to_string(id) : r.name;
    r.type = std::move(type);
    r.kind = kind;
    add(r);
    pv::ActorStats s;
    s.node = 1;
    s.actor = id;
    s.mailbox = mailbox;
    s.msgs_per_s_x100 = id * 100;
    return add(s);
  }
  void into(view::Replica& r) {
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    buf.clear();
  }
};

// node 1: sup(1) > [session x20 (10..29), worker "parser"(2), sub-sup(3) > slow(4)]
void populate(view::Replica& r) {
  Feed f;
  f.add(pv::SnapshotBegin{1, 1, 24});
  pv::NodeRow n;
  n.node = 1;
  n.name = "orders";
  n.connected = true;
  f.add(n);
  f.actor(1, 0, "root", "root_sup", 0, proto::ActorKind::Supervisor);
  f.actor(2, 1, "parser", "parser", 5);
  f.actor(3, 1, "sub", "sub_sup", 0, proto::ActorKind::Supervisor);
  f.actor(4, 3, "slow", "consumer", 9000);
  for (uint64_t i = 10; i < 30; ++i) f.actor(i, 1, "", "session", i);
  f.add(pv::SnapshotEnd{1}).add(pv::Tick{1, 0, 0});
  f.into(r);
}

}  // namespace

TEST(Replica, AppliesSnapshotThenDeltas) {
  view::Replica r;
  populate(r);
  ASSERT_TRUE(r.has_snapshot());
  EXPECT_EQ(r.actor_count(), 24u);
  Feed f;
  f.add(pv::ActorRemoved{1, 2});
  f.actor(40, 3, "new", "worker");
  f.add(pv::Tick{2, 0, 0});
  f.into(r);
  EXPECT_EQ(r.actor({1, 2}), nullptr);
  ASSERT_NE(r.actor({1, 40}), nullptr);
  EXPECT_EQ(r.children({1, 3})->size(), 2u);
  EXPECT_EQ(r.children({1, 1})->size(), 21u);  // 22 children minus the removed parser
  // A new snapshot replaces everything.
  populate(r);
  EXPECT_EQ(r.actor({1, 40}), nullptr);
  EXPECT_EQ(r.actor_count(), 24u);
}

TEST(Replica, RejectsMalformedPayloads) {
  view::Replica r;
  uint8_t junk[] = {0x44, 0x05, 0x01};
  EXPECT_FALSE(r.apply(junk, sizeof junk));
  EXPECT_FALSE(r.error().empty());
}

TEST(ActorsTable, SortsByMailboxFiltersAndInverts) {
  view::Replica r;
  populate(r);
  view::ActorsTable t;
  view::ActorsQuery q;
  t.update(r, q);
  auto top = t.window(0, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0]->row.name, "slow");     // 9000 messages waiting
  EXPECT_EQ(top[1]->row.actor, 29u);        // then the sessions, deepest first
  q.inverted = true;
  t.update(r, q);
  EXPECT_EQ(t.window(t.size() - 1, 1)[0]->row.name, "slow");
  q = {};
  q.filter = "PARS";
  t.update(r, q);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.window(0, 10)[0]->row.name, "parser");
  q = {};
  q.sort = view::ActorColumn::Name;
  t.update(r, q);
  EXPECT_EQ(t.window(0, 1)[0]->row.name, "parser");  // unnamed sessions sort by child id "worker-N"
  // A window deep in the list is ordered like the full sort.
  q = {};
  q.sort = view::ActorColumn::MessagesPerSec;
  t.update(r, q);
  auto deep = t.window(10, 3);
  ASSERT_EQ(deep.size(), 3u);
  EXPECT_GT(deep[0]->stats.msgs_per_s_x100, deep[1]->stats.msgs_per_s_x100);
  EXPECT_EQ(t.position_of({1, 29}), 0u);
}

TEST(TreeModel, GroupsIdenticalSiblingsAndExpandsLazily) {
  view::Replica r;
  populate(r);
  view::TreeModel tree;
  tree.update(r);
  const auto& rows = tree.rows();
  // node, root, parser, sub (collapsed below open depth 2), session x20 group
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].kind, view::TreeRowKind::Node);
  EXPECT_EQ(rows[0].totals.actors, 24u);
  EXPECT_EQ(rows[1].actor->row.name, "root");
  EXPECT_EQ(rows[1].totals.mailbox, 5u + 9000u + (10 + 29) * 20 / 2);
  const auto& group = rows[4];
  EXPECT_EQ(group.kind, view::TreeRowKind::Group);
  EXPECT_EQ(group.group_count, 20u);
  EXPECT_EQ(group.item.type, "session");
  EXPECT_FALSE(group.expanded);
  EXPECT_EQ(rows[3].actor->row.name, "sub");
  EXPECT_FALSE(rows[3].expanded);
  tree.toggle(3);  // expand sub
  tree.update(r);
  EXPECT_EQ(tree.rows().size(), 6u);
  EXPECT_EQ(tree.rows()[4].actor->row.name, "slow");
  EXPECT_TRUE(tree.rows()[4].last_sibling);
  EXPECT_EQ(tree.rows()[4].guides >> 2 & 1, 1u);  // "sub" has a later sibling: a line runs past
  EXPECT_TRUE(tree.rows()[5].last_sibling);        // the group comes last under root
  tree.toggle(5);  // expand the group
  tree.update(r);
  EXPECT_EQ(tree.rows().size(), 26u);
}

TEST(TreeModel, SearchRevealsAHiddenActor) {
  view::Replica r;
  populate(r);
  view::TreeModel tree;
  tree.update(r);
  auto hit = tree.search(r, "slow", 0);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(tree.rows()[*hit].actor->row.name, "slow");
  EXPECT_FALSE(tree.search(r, "nothing-like-this", 0).has_value());
}

TEST(EventsList, FiltersByKindAndText) {
  view::Replica r;
  populate(r);
  Feed f;
  f.add(pv::Event{1, 0, 1, pv::EventKind::Crashed, 2, 0, proto::ExitReason::Error, "parser", "bad input"});
  f.add(pv::Event{2, 0, 1, pv::EventKind::Restarted, 2, 1, proto::ExitReason::Error, "parser", "bad input"});
  f.add(pv::Event{3, 0, 1, pv::EventKind::Telemetry, 0, 0, proto::ExitReason::Normal, "db.query", "12"});
  f.add(pv::Tick{2, 0, 0});
  f.into(r);
  view::EventsList l;
  view::EventsQuery q;
  l.update(r, q);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.rows()[0]->seq, 3u);  // newest first
  q.kinds = pv::kind_bit(pv::EventKind::Crashed);
  l.update(r, q);
  ASSERT_EQ(l.size(), 1u);
  q = {};
  q.filter = "db.";
  l.update(r, q);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l.rows()[0]->kind, pv::EventKind::Telemetry);
}

TEST(TreeModel, TotalsHoldWhenChildrenArriveBeforeTheirParentAndAfterRemovals) {
  view::Replica r;
  Feed f;
  f.add(pv::SnapshotBegin{1, 1, 4});
  pv::NodeRow n;
  n.node = 1;
  n.name = "orders";
  f.add(n);
  f.actor(5, 2, "leaf", "w", 10);  // before its parent
  f.actor(2, 1, "mid", "sup", 1, proto::ActorKind::Supervisor);
  f.actor(1, 0, "root", "sup", 0, proto::ActorKind::Supervisor);
  f.actor(6, 2, "leaf2", "w", 100);
  f.add(pv::SnapshotEnd{1}).add(pv::Tick{1, 0, 0});
  f.into(r);
  view::TreeModel tree;
  tree.update(r);
  EXPECT_EQ(tree.totals_of({1, 1}).actors, 4u);
  EXPECT_EQ(tree.totals_of({1, 1}).mailbox, 111u);
  // Removing the first-inserted row moves the last one into its place.
  f.add(pv::ActorRemoved{1, 5}).add(pv::Tick{2, 0, 0});
  f.into(r);
  tree.update(r);
  EXPECT_EQ(tree.totals_of({1, 1}).actors, 3u);
  EXPECT_EQ(tree.totals_of({1, 2}).mailbox, 101u);
  // The middle supervisor goes: its child is an orphan, listed beside the root.
  f.add(pv::ActorRemoved{1, 2}).add(pv::Tick{3, 0, 0});
  f.into(r);
  tree.update(r);
  EXPECT_EQ(tree.totals_of({1, 1}).actors, 1u);
  EXPECT_EQ(tree.rows()[0].totals.actors, 2u);  // node: root + the orphan
}

TEST(TreeModel, ExpansionSurvivesARestartOfTheExpandedSupervisor) {
  view::Replica r;
  populate(r);
  view::TreeModel tree;
  tree.update(r);
  ASSERT_EQ(tree.rows()[3].actor->row.name, "sub");
  tree.toggle(3);  // expand sub
  tree.update(r);
  ASSERT_TRUE(tree.rows()[3].expanded);
  // sub (actor 3) is restarted as actor 50 with the same child id; its child follows.
  Feed f;
  f.add(pv::ActorRemoved{1, 4}).add(pv::ActorRemoved{1, 3});
  pv::ActorRow sub;
  sub.node = 1;
  sub.actor = 50;
  sub.parent = 1;
  sub.name = "sub";
  sub.child_id = "sub";
  sub.kind = proto::ActorKind::Supervisor;
  f.add(sub);
  f.actor(51, 50, "slow", "consumer", 1);
  f.add(pv::Tick{5, 0, 0});
  f.into(r);
  tree.update(r);
  bool found = false;
  for (const auto& row : tree.rows())
    if (row.actor && row.actor->row.actor == 50) {
      found = true;
      EXPECT_TRUE(row.expanded);
    }
  EXPECT_TRUE(found);
}

TEST(Header, TotalsAndHistoryFollowTheShownNode) {
  view::Replica r;
  Feed f;
  f.add(pv::SnapshotBegin{1, 2, 0});
  pv::NodeRow a, b;
  a.node = 1;
  a.name = "a";
  a.connected = true;
  a.actors = 10;
  a.msgs_per_s_x100 = 100'00;
  b.node = 2;
  b.name = "b";
  b.connected = true;
  b.actors = 5;
  b.msgs_per_s_x100 = 7'00;
  b.drops = 3;
  f.add(a).add(b).add(pv::SnapshotEnd{1}).add(pv::Tick{1, 0, 0}).add(pv::Tick{2, 0, 0});
  f.into(r);
  auto all = view::header(r);
  EXPECT_EQ(all.nodes, 2u);
  EXPECT_EQ(all.nodes_connected, 2u);
  EXPECT_EQ(all.actors, 15u);
  EXPECT_DOUBLE_EQ(all.msgs_per_s, 107.0);
  EXPECT_EQ(all.drops, 3u);
  ASSERT_EQ(all.msgs_history.size(), 2u);
  EXPECT_DOUBLE_EQ(all.msgs_history.back(), 107.0);
  auto only_b = view::header(r, 2);
  EXPECT_EQ(only_b.actors, 5u);
  ASSERT_EQ(only_b.msgs_history.size(), 2u);
  EXPECT_DOUBLE_EQ(only_b.msgs_history.back(), 7.0);
}

TEST(Header, AGoneNodesActorsAreNotCountedAsLive) {
  // The app exited: its node is gone with 321 actors in its last state; another node runs 10.
  view::Replica r;
  Feed f;
  f.add(pv::SnapshotBegin{1, 2, 0});
  pv::NodeRow live, gone;
  live.node = 1;
  live.name = "live";
  live.connected = true;
  live.actors = 10;
  live.msgs_per_s_x100 = 50'00;
  live.restarts_per_min_x100 = 2'00;
  live.mailbox_total = 4;
  gone.node = 2;
  gone.name = "gone";
  gone.connected = false;
  gone.actors = 321;
  gone.msgs_per_s_x100 = 0;
  gone.restarts_per_min_x100 = 24'00;
  gone.mailbox_total = 17;
  gone.drops = 6;
  f.add(live).add(gone).add(pv::SnapshotEnd{1}).add(pv::Tick{1, 0, 0});
  f.into(r);
  auto all = view::header(r);
  EXPECT_EQ(all.nodes, 2u);
  EXPECT_EQ(all.nodes_connected, 1u);
  EXPECT_FALSE(all.gone);
  EXPECT_EQ(all.actors, 10u);
  EXPECT_DOUBLE_EQ(all.msgs_per_s, 50.0);
  EXPECT_DOUBLE_EQ(all.restarts_per_min, 2.0);
  EXPECT_EQ(all.mailbox_total, 4u);
  EXPECT_EQ(all.drops, 0u);
  ASSERT_EQ(all.msgs_history.size(), 1u);
  // The gone node on its own: its last state, marked gone.
  auto only_gone = view::header(r, 2);
  EXPECT_TRUE(only_gone.gone);
  EXPECT_EQ(only_gone.nodes_connected, 0u);
  EXPECT_EQ(only_gone.actors, 321u);
  EXPECT_DOUBLE_EQ(only_gone.restarts_per_min, 24.0);
  EXPECT_EQ(only_gone.mailbox_total, 17u);
  EXPECT_EQ(only_gone.drops, 6u);
  // With only the gone node left, nothing is live.
  view::Replica alone;
  Feed g;
  g.add(pv::SnapshotBegin{2, 1, 0}).add(gone).add(pv::SnapshotEnd{2}).add(pv::Tick{1, 0, 0});
  g.into(alone);
  auto h = view::header(alone);
  EXPECT_EQ(h.nodes, 1u);
  EXPECT_EQ(h.nodes_connected, 0u);
  EXPECT_EQ(h.actors, 0u);
  EXPECT_DOUBLE_EQ(h.restarts_per_min, 0.0);
}

TEST(TreeModel, ChildrenShowInStartOrderNotByName) {
  // A rest_for_one supervisor started db, then cache, then api: a crash of cache restarts
  // cache and api, in that order. The tree shows the order they started in.
  view::Replica r;
  Feed f;
  f.add(pv::SnapshotBegin{1, 1, 4});
  pv::NodeRow n;
  n.node = 1;
  n.name = "shop";
  n.connected = true;
  f.add(n);
  auto child = [&](uint64_t id, uint64_t parent, const std::string& child_id, uint64_t started_ns,
                   proto::ActorKind kind = proto::ActorKind::Worker) {
    pv::ActorRow row;
    row.node = 1;
    row.actor = id;
    row.parent = parent;
    row.child_id = child_id;
    row.type = child_id;
    row.kind = kind;
    row.spawned_wall_ns = started_ns;
    f.add(row);
  };
  child(1, 0, "top", 100, proto::ActorKind::Supervisor);
  child(2, 1, "db", 200);
  child(3, 1, "cache", 300);
  child(4, 1, "api", 400);
  f.add(pv::SnapshotEnd{1}).add(pv::Tick{1, 0, 0});
  f.into(r);
  view::TreeModel tree;
  tree.update(r);
  auto order = [&] {
    std::vector<std::string> ids;
    for (const auto& row : tree.rows())
      if (row.kind == view::TreeRowKind::Actor && row.depth == 2) ids.push_back(row.actor->row.child_id);
    return ids;
  };
  EXPECT_EQ(order(), (std::vector<std::string>{"db", "cache", "api"}));
  // cache crashes: rest_for_one restarts cache (as 5) and api (as 6), later than db.
  f.add(pv::ActorRemoved{1, 4}).add(pv::ActorRemoved{1, 3});
  child(5, 1, "cache", 900);
  child(6, 1, "api", 901);
  f.add(pv::Tick{2, 0, 0});
  f.into(r);
  tree.update(r);
  EXPECT_EQ(order(), (std::vector<std::string>{"db", "cache", "api"}));
  // Two children started at the same instant: the lower id started first.
  child(8, 1, "b_second", 950);
  child(7, 1, "z_first", 950);
  f.add(pv::Tick{3, 0, 0});
  f.into(r);
  tree.update(r);
  EXPECT_EQ(order(), (std::vector<std::string>{"db", "cache", "api", "z_first", "b_second"}));
}

TEST(Detail, ASupervisorsRecentEventsSayWhichChild) {
  view::Replica r;
  populate(r);  // root(1) > sub(3) > slow(4)
  // The collector's reply for sub: its child's exit and restart, and its own crash.
  pv::DetailReply reply;
  reply.node = 1;
  reply.actor = 3;
  reply.events.push_back(pv::Event{7, 0, 1, pv::EventKind::Exited, 4, 0, proto::ExitReason::Shutdown, "slow", ""});
  reply.events.push_back(pv::Event{8, 0, 1, pv::EventKind::Restarted, 4, 3, proto::ExitReason::Error, "slow", "boom"});
  reply.events.push_back(pv::Event{9, 0, 1, pv::EventKind::Crashed, 3, 0, proto::ExitReason::Error, "sub", "too many"});
  Feed f;
  f.add(reply).add(pv::Tick{2, 0, 0});
  f.into(r);
  view::DetailModel d = view::detail(r, {1, 3});
  ASSERT_EQ(d.recent_events.size(), 3u);
  EXPECT_EQ(view::describe(d.recent_events[0], &r), "slow: shutdown");
  EXPECT_EQ(view::describe(d.recent_events[1], &r), "slow: error: boom (by sub)");
  EXPECT_EQ(view::describe(d.recent_events[2], &r), "sub: error: too many");
  // A list shows the name in its own column: the text beside it does not repeat it.
  EXPECT_EQ(view::event_text(d.recent_events[0], &r), "shutdown");
}

// A storm of 100 000 sibling restarts on one node leaves another node's single crash in the
// viewer's list: incidents are kept apart from routine events.
TEST(EventsList, ARestartStormOnOneNodeCannotPushAnotherNodesCrashOut) {
  view::Replica r;  // default bounds
  populate(r);
  Feed f;
  uint64_t seq = 1;
  f.add(pv::Event{seq++, 0, 2, pv::EventKind::Crashed, 77, 1, proto::ExitReason::Error, "billing", "timeout"});
  for (int frame = 0; frame < 100; ++frame) {
    for (int i = 0; i < 1000; ++i)
      f.add(pv::Event{seq++, 0, 1, pv::EventKind::Restarted, 2, 1, proto::ExitReason::Shutdown, "parser", ""});
    f.add(pv::Tick{static_cast<uint64_t>(2 + frame), 0, 0});
    f.into(r);
  }
  view::EventsList l;
  view::EventsQuery q;
  q.kinds = view::kInterestingEvents;
  l.update(r, q);
  size_t crashes = 0, restarts = 0;
  for (const pv::Event* e : l.events()) {  // every event the list holds, cascades unfolded
    crashes += e->kind == pv::EventKind::Crashed && e->node == 2 && e->text == "timeout";
    restarts += e->kind == pv::EventKind::Restarted;
  }
  EXPECT_EQ(crashes, 1u);
  EXPECT_EQ(restarts, view::ReplicaSettings{}.max_events);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Restarted), 100'000u - view::ReplicaSettings{}.max_events);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Crashed), 0u);
}

TEST(EventsList, TelemetryCannotPushCrashesOutOfTheViewersLog) {
  view::ReplicaSettings settings;
  settings.max_events = 40;            // lifecycle events
  settings.max_telemetry_events = 100;
  view::Replica r(settings);
  populate(r);
  Feed f;
  uint64_t seq = 1;
  auto event = [&](pv::EventKind kind, uint64_t actor, proto::ExitReason why, std::string name) {
    f.add(pv::Event{seq++, 0, 1, kind, actor, kind == pv::EventKind::Restarted ? 1u : 0u, why, std::move(name), ""});
  };
  // 8 crashes, 24 restarts and 22 shutdown exits (54 lifecycle events for 40 places), then
  // 1500 telemetry events, in frames of 250 as a collector sends them.
  for (int i = 0; i < 8; ++i) {
    event(pv::EventKind::Crashed, 2, proto::ExitReason::Error, "parser");
    for (int k = 0; k < 3; ++k) event(pv::EventKind::Restarted, 2, proto::ExitReason::Error, "parser");
  }
  for (int i = 0; i < 22; ++i) event(pv::EventKind::Exited, 10, proto::ExitReason::Shutdown, "session");
  f.add(pv::Tick{2, 0, 0});
  f.into(r);
  for (int frame = 0; frame < 6; ++frame) {
    for (int i = 0; i < 250; ++i) event(pv::EventKind::Telemetry, 0, proto::ExitReason::Normal, "db.query");
    f.add(pv::Tick{static_cast<uint64_t>(3 + frame), 0, 0});
    f.into(r);
  }
  // The crashes are incidents, kept apart: all 8 stay. Of the 46 routine events (24 restarts,
  // 22 exits) for 40 places, the 6 oldest restarts went.
  view::EventsList l;
  view::EventsQuery q;
  q.kinds = view::kInterestingEvents;
  l.update(r, q);
  size_t crashes = 0, restarts = 0, exits = 0;
  for (const pv::Event* e : l.events()) {  // every event the list holds, cascades unfolded
    crashes += e->kind == pv::EventKind::Crashed;
    restarts += e->kind == pv::EventKind::Restarted;
    exits += e->kind == pv::EventKind::Exited;
  }
  EXPECT_EQ(crashes, 8u);
  EXPECT_EQ(restarts, 18u);
  EXPECT_EQ(exits, 22u);
  size_t telemetry = 0;
  for (const pv::Event& e : r.events()) telemetry += e.kind == pv::EventKind::Telemetry;
  EXPECT_EQ(telemetry, 100u);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Telemetry), 1400u);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Crashed), 0u);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Restarted), 6u);
  EXPECT_EQ(r.events_dropped(pv::EventKind::Exited), 0u);
  EXPECT_EQ(r.events_dropped(), 1406u);
  // Still one seq order, oldest first.
  for (size_t i = 1; i < r.events().size(); ++i) EXPECT_LT(r.events()[i - 1].seq, r.events()[i].seq);
  // The line under the list says what is missing.
  EXPECT_EQ(view::events_dropped_note(r), "older events dropped to stay within bounds: 1.4k telemetry, 6 restarted");
}
