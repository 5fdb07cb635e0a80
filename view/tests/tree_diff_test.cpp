// What changed between two moments: a tree marked at one tick, changed by the deltas a
// collector sends, compared with the tree after them. Expected rows are the changes this test
// makes, written out.
#include <gtest/gtest.h>

#include "actorscope/view/tree_diff.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

struct Feed {
  view::Replica& r;
  std::vector<uint8_t> buf;
  proto::Writer w{buf};
  uint64_t tick = 0;
  explicit Feed(view::Replica& replica) : r(replica) {}
  void actor(uint64_t id, uint64_t parent, const std::string& child_id, const std::string& type, uint64_t mailbox = 0,
             uint64_t child_restarts = 0, proto::ActorKind kind = proto::ActorKind::Worker) {
    pv::ActorRow a;
    a.node = 1;
    a.actor = id;
    a.parent = parent;
    a.child_id = child_id;
    a.type = type;
    a.kind = kind;
    pv::encode(w, a);
    pv::ActorStats s;
    s.node = 1;
    s.actor = id;
    s.mailbox = mailbox;
    s.child_restarts = child_restarts;
    pv::encode(w, s);
  }
  void stats(uint64_t id, uint64_t mailbox) {
    pv::ActorStats s;
    s.node = 1;
    s.actor = id;
    s.mailbox = mailbox;
    pv::encode(w, s);
  }
  void removed(uint64_t id) { pv::encode(w, pv::ActorRemoved{1, id}); }
  void flush(uint64_t wall_s) {
    pv::encode(w, pv::Tick{++tick, wall_s * 1'000'000'000ull, 0});
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    buf.clear();
  }
};

}  // namespace

TEST(TreeDiff, ARestartedChildIsOneRowAndSpawnsExitsAndMailboxesAreListed) {
  view::Replica r;
  Feed f(r);
  pv::encode(f.w, pv::SnapshotBegin{1, 1, 7});
  pv::NodeRow n;
  n.node = 1;
  n.name = "demo";
  n.connected = true;
  pv::encode(f.w, n);
  f.actor(1, 0, "app_sup", "sup", 0, 0, proto::ActorKind::Supervisor);
  f.actor(2, 1, "pool", "sup", 0, 0, proto::ActorKind::Supervisor);
  f.actor(10, 2, "w1", "worker", 5);
  f.actor(11, 2, "w2", "worker", 5);
  f.actor(3, 1, "sessions", "sup", 0, 0, proto::ActorKind::Supervisor);
  f.actor(20, 3, "session", "session");  // a dynamic supervisor's children share a child id
  f.actor(21, 3, "session", "session");
  pv::encode(f.w, pv::SnapshotEnd{1});
  f.flush(1000);
  const view::TreeMark before = view::mark_tree(r);
  ASSERT_EQ(before.actors.size(), 7u);
  EXPECT_EQ(before.wall_ns, 1000'000'000'000ull);

  f.removed(10);
  f.actor(12, 2, "w1", "worker", 0, 1);  // w1 restarted under a new id
  f.removed(21);
  f.actor(22, 3, "session", "session");
  f.stats(11, 300);
  f.actor(13, 2, "w3", "worker");
  f.flush(1030);
  const view::TreeDiff d = view::diff_trees(before, view::mark_tree(r));

  EXPECT_EQ(d.restarted, 1u);
  EXPECT_EQ(d.exited, 1u);
  EXPECT_EQ(d.spawned, 2u);
  EXPECT_EQ(d.mailbox_changed, 1u);
  ASSERT_EQ(d.rows.size(), 5u);
  EXPECT_EQ(d.rows[0].kind, view::DiffKind::Restarted);
  EXPECT_EQ(d.rows[0].path, "demo/app_sup/pool/w1");
  EXPECT_EQ(d.rows[0].before.actor, 10u);
  EXPECT_EQ(d.rows[0].after.actor, 12u);
  EXPECT_EQ(d.rows[0].restarts, 1u);
  EXPECT_EQ(d.rows[0].mailbox_delta(), -5);
  EXPECT_EQ(d.rows[1].kind, view::DiffKind::Exited);
  EXPECT_EQ(d.rows[1].before.actor, 21u) << "shared paths match by actor id";
  EXPECT_EQ(d.rows[2].kind, view::DiffKind::Spawned);
  EXPECT_EQ(d.rows[2].path, "demo/app_sup/pool/w3");
  EXPECT_EQ(d.rows[3].kind, view::DiffKind::Spawned);
  EXPECT_EQ(d.rows[3].after.actor, 22u);
  EXPECT_EQ(d.rows[4].kind, view::DiffKind::Mailbox);
  EXPECT_EQ(d.rows[4].path, "demo/app_sup/pool/w2");
  EXPECT_EQ(d.rows[4].mailbox_delta(), 295);
  EXPECT_NE(view::diff_summary(d).find("2 spawned, 1 exited, 1 restarted, 1 mailbox changed"), std::string::npos)
      << view::diff_summary(d);
  EXPECT_NE(view::diff_row_text(d.rows[4]).find("5 -> 300 (+295)"), std::string::npos) << view::diff_row_text(d.rows[4]);
}

TEST(TreeDiff, TheSameInstantHasNoDifference) {
  view::Replica r;
  Feed f(r);
  pv::encode(f.w, pv::SnapshotBegin{1, 1, 2});
  pv::NodeRow n;
  n.node = 1;
  n.name = "demo";
  pv::encode(f.w, n);
  f.actor(1, 0, "app_sup", "sup", 0, 0, proto::ActorKind::Supervisor);
  f.actor(10, 1, "w1", "worker", 7);
  pv::encode(f.w, pv::SnapshotEnd{1});
  f.flush(5);
  const view::TreeDiff d = view::diff_trees(view::mark_tree(r), view::mark_tree(r));
  EXPECT_TRUE(d.rows.empty());
  EXPECT_EQ(d.spawned + d.exited + d.restarted + d.mailbox_changed, 0u);
}
