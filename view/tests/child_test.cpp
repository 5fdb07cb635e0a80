// A child is a thing: a window or a selection follows it across its restarts and its
// supervisor's, and says when it waits for a restart or is gone for good. The replica is fed
// the viewer messages a collector sends; expected keys are the ids this test gives.
#include <gtest/gtest.h>

#include "actorscope/view/child.hpp"
#include "actorscope/view/detail.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

class Feed {
 public:
  explicit Feed(view::Replica& r) : r_(r) {
    pv::encode(w_, pv::SnapshotBegin{1, 1, 0});
    pv::NodeRow n;
    n.node = 1;
    n.name = "orders";
    n.connected = true;
    pv::encode(w_, n);
    pv::encode(w_, pv::SnapshotEnd{1});
    tick();
  }
  Feed& spawn(uint64_t id, uint64_t parent, const std::string& child_id, proto::ActorKind kind = proto::ActorKind::Worker,
              proto::RestartType restart = proto::RestartType::Permanent) {
    pv::ActorRow a;
    a.node = 1;
    a.actor = id;
    a.parent = parent;
    a.child_id = child_id;
    a.type = kind == proto::ActorKind::Supervisor ? "sup" : "parser";
    a.kind = kind;
    a.restart = restart;
    pv::encode(w_, a);
    return *this;
  }
  Feed& exit(uint64_t id, uint64_t parent, bool crash) {
    pv::Event e;
    e.seq = ++seq_;
    e.node = 1;
    e.kind = crash ? pv::EventKind::Crashed : pv::EventKind::Exited;
    e.reason = crash ? proto::ExitReason::Error : proto::ExitReason::Normal;
    e.actor = id;
    e.supervisor = parent;
    pv::encode(w_, e);
    pv::encode(w_, pv::ActorRemoved{1, id});
    return *this;
  }
  void tick() {
    pv::encode(w_, pv::Tick{++ticks_, 1'000'000'000ull * ticks_, 0});
    ASSERT_TRUE(r_.apply(buf_.data(), buf_.size())) << r_.error();
    buf_.clear();
  }

 private:
  view::Replica& r_;
  std::vector<uint8_t> buf_;
  proto::Writer w_{buf_};
  uint64_t seq_ = 0, ticks_ = 0;
};

}  // namespace

TEST(ChildFollower, FollowsTheChildAcrossItsRestartsAndItsSupervisors) {
  view::Replica r;
  Feed f(r);
  f.spawn(1, 0, "top", proto::ActorKind::Supervisor).spawn(10, 1, "pool", proto::ActorKind::Supervisor);
  f.spawn(100, 10, "parser3").spawn(200, 10, "parser4");
  f.tick();
  view::ChildFollower c(r, {1, 100});
  EXPECT_EQ(c.update(r), (view::ActorKey{1, 100}));
  EXPECT_EQ(c.state(), view::ChildState::live);
  EXPECT_EQ(c.path(), "top/pool/parser3");

  // Crashed: nothing live at its place yet, its supervisor lives: waiting for a restart.
  f.exit(100, 10, true);
  f.tick();
  EXPECT_EQ(c.update(r), (view::ActorKey{1, 100}));
  EXPECT_EQ(c.state(), view::ChildState::restarting);
  EXPECT_EQ(c.note(), "exited: waiting for pool to restart it");

  // Restarted: the follower moves to the new incarnation, not to its sibling.
  f.spawn(101, 10, "parser3");
  f.tick();
  EXPECT_EQ(c.update(r), (view::ActorKey{1, 101}));
  EXPECT_EQ(c.state(), view::ChildState::restarted);
  EXPECT_EQ(c.note(), "restarted: now <101> (was <100>)");
  EXPECT_EQ(c.first(), (view::ActorKey{1, 100}));

  // Its supervisor is restarted too (one_for_all above it): the path still leads to it.
  f.exit(101, 10, false).exit(200, 10, false).exit(10, 1, true);
  f.tick();
  EXPECT_EQ(c.update(r), (view::ActorKey{1, 101}));
  EXPECT_EQ(c.state(), view::ChildState::restarting) << "top lives and restarts pool";
  EXPECT_EQ(c.note(), "exited: waiting for top to restart it");
  f.spawn(11, 1, "pool", proto::ActorKind::Supervisor).spawn(110, 11, "parser3").spawn(210, 11, "parser4");
  f.tick();
  EXPECT_EQ(c.update(r), (view::ActorKey{1, 110}));
  EXPECT_EQ(c.moves(), 2u);
  EXPECT_EQ(c.note(), "restarted: now <110> (was <101>)");
}

TEST(ChildFollower, SaysWhenAChildIsGoneForGood) {
  view::Replica r;
  Feed f(r);
  f.spawn(1, 0, "top", proto::ActorKind::Supervisor);
  f.spawn(2, 1, "job", proto::ActorKind::Worker, proto::RestartType::Temporary);
  f.spawn(3, 1, "conn", proto::ActorKind::Worker, proto::RestartType::Transient);
  f.spawn(4, 1, "crashy", proto::ActorKind::Worker, proto::RestartType::Transient);
  f.tick();
  view::ChildFollower temporary(r, {1, 2}), transient_clean(r, {1, 3}), transient_crash(r, {1, 4}), top(r, {1, 1});
  f.exit(2, 1, true).exit(3, 1, false).exit(4, 1, true);
  f.tick();
  temporary.update(r);
  transient_clean.update(r);
  transient_crash.update(r);
  EXPECT_EQ(temporary.state(), view::ChildState::gone);
  EXPECT_EQ(temporary.note(), "gone for good: a temporary child is never restarted");
  EXPECT_EQ(transient_clean.state(), view::ChildState::gone);
  EXPECT_EQ(transient_crash.state(), view::ChildState::restarting) << "a transient child that crashed is restarted";
  // The root supervisor goes: no supervisor is left to restart anything.
  f.exit(1, 0, true);
  f.tick();
  top.update(r);
  transient_crash.update(r);
  EXPECT_EQ(top.state(), view::ChildState::gone);
  EXPECT_EQ(transient_crash.state(), view::ChildState::gone);
  EXPECT_EQ(transient_crash.note(), "gone for good: no supervisor above it lives");
}

// Opened from an event after the actor had gone (a crash row during a restart storm): nothing
// is known of it until the collector's reply names its supervisor and child id; then it is
// followed to the incarnation that supervisor started.
TEST(ChildFollower, AnActorOpenedAfterItWentIsFollowedFromTheCollectorsReply) {
  view::Replica r;
  Feed f(r);
  f.spawn(1, 0, "top", proto::ActorKind::Supervisor);
  f.spawn(10, 1, "pool", proto::ActorKind::Supervisor);
  f.spawn(20, 10, "parser3");
  f.tick();
  f.exit(20, 10, true);
  f.spawn(21, 10, "parser3");
  f.tick();
  view::ChildFollower follow(r, {1, 20});
  follow.update(r);
  EXPECT_EQ(follow.note(), "exited before this viewer saw it") << "not known to be final";
  pv::DetailReply reply;
  reply.node = 1;
  reply.actor = 20;
  reply.name = "parser3";
  reply.has_child = true;
  reply.child.supervisor = 10;
  reply.child.child_id = "parser3";
  reply.child.restarts = 1;
  reply.child.current = 21;
  follow.seed(r, reply);
  EXPECT_EQ(follow.update(r), (view::ActorKey{1, 21}));
  EXPECT_EQ(follow.state(), view::ChildState::restarted);
  EXPECT_EQ(follow.note(), "restarted: now <21> (was <20>)");
  // A reply about another actor changes nothing.
  view::ChildFollower other(r, {1, 99});
  reply.actor = 20;
  other.seed(r, reply);
  other.update(r);
  EXPECT_EQ(other.state(), view::ChildState::gone);
}

// The reply names a supervisor this replica has not seen yet (a paused or lagging viewer): the
// follower looks again once the replica has it, instead of giving up at the first look.
TEST(ChildFollower, AReplyAheadOfTheReplicaIsUsedOnceTheReplicaCatchesUp) {
  view::Replica r;
  Feed f(r);
  f.spawn(1, 0, "top", proto::ActorKind::Supervisor);
  f.spawn(10, 1, "pool", proto::ActorKind::Supervisor);
  f.spawn(20, 10, "parser3");
  f.tick();
  f.exit(20, 10, true);
  f.tick();
  view::ChildFollower follow(r, {1, 20});
  pv::DetailReply reply;
  reply.node = 1;
  reply.actor = 20;
  reply.name = "parser3";
  reply.has_child = true;
  reply.child.supervisor = 11;  // the pool's successor, which the replica does not have yet
  reply.child.child_id = "parser3";
  follow.seed(r, reply);
  follow.update(r);
  EXPECT_EQ(follow.note(), "exited before this viewer saw it");
  f.exit(10, 1, false);
  f.spawn(11, 1, "pool", proto::ActorKind::Supervisor);
  f.spawn(21, 11, "parser3");
  f.tick();
  follow.seed(r, reply);
  EXPECT_EQ(follow.update(r), (view::ActorKey{1, 21}));
  EXPECT_EQ(follow.note(), "restarted: now <21> (was <20>)");
}

// In a storm the supervisor the reply names was replaced again before this replica heard of
// it: the follower finds its place from the chain's names and follows the child there.
TEST(ChildFollower, AReplyNamingASupervisorReplacedSinceIsFollowedByTheChain) {
  view::Replica r;
  Feed f(r);
  f.spawn(1, 0, "top", proto::ActorKind::Supervisor);
  f.spawn(10, 1, "pool", proto::ActorKind::Supervisor);
  f.spawn(20, 10, "parser3");
  f.tick();
  f.exit(20, 10, true).exit(10, 1, false);
  f.spawn(12, 1, "pool", proto::ActorKind::Supervisor).spawn(22, 12, "parser3");  // 11 came and went unseen
  f.tick();
  view::ChildFollower follow(r, {1, 20});
  pv::DetailReply reply;
  reply.node = 1;
  reply.actor = 20;
  reply.has_child = true;
  reply.child.supervisor = 11;
  reply.child.child_id = "parser3";
  reply.chain = {{11, "pool", "sup"}, {1, "top", "sup"}};
  follow.seed(r, reply);
  EXPECT_EQ(follow.update(r), (view::ActorKey{1, 22}));
  EXPECT_EQ(follow.note(), "restarted: now <22> (was <20>)");
  // A chain that leads nowhere in this replica changes nothing.
  view::ChildFollower lost(r, {1, 20});
  reply.chain = {{11, "pool", "sup"}, {99, "elsewhere", "sup"}};
  lost.seed(r, reply);
  lost.update(r);
  EXPECT_EQ(lost.note(), "exited before this viewer saw it");
}

TEST(ChildHistoryText, SaysRestartsAndTheLastCrash) {
  pv::ChildHistory c;
  c.child_id = "parser3";
  EXPECT_EQ(view::child_history_text(c, 0), "never restarted");
  c.restarts = 37;
  c.last_crash_actor = 2294;
  c.last_reason = proto::ExitReason::Error;
  c.last_text = "malformed record 6951";
  c.last_crash_wall_ns = 10'000'000'000ull;
  EXPECT_EQ(view::child_history_text(c, 12'500'000'000ull), "restarted 37\u00d7, last crash: error: malformed record 6951, 2s ago");
  c.last_text.clear();  // the log no longer holds the crash's event: its reason class is known
  EXPECT_EQ(view::child_history_text(c, 10'000'000'000ull), "restarted 37\u00d7, last crash: error, just now");
}
