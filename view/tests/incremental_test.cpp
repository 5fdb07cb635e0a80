// The view-models that follow the replica's changes give what a from-scratch build gives,
// after random runs of spawns, exits, moves, renames and stats changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "actorscope/view/actors_table.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/tree.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

constexpr uint64_t kIds = 300;  // actor ids 1..kIds; a parent's id is always smaller (no cycles)

// A random supervision workload applied straight to a replica.
struct Workload {
  std::mt19937_64 rng;
  view::Replica& r;
  std::map<view::ActorKey, bool> live;
  Workload(uint64_t seed, view::Replica& replica) : rng(seed), r(replica) {}

  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  pv::ActorRow row_for(pv::NodeId node, uint64_t id) {
    pv::ActorRow a;
    a.node = node;
    a.actor = id;
    a.parent = id < 4 ? 0 : pick(id);  // 0 (a root) or any smaller id, live or not
    a.kind = pick(4) == 0 ? proto::ActorKind::Supervisor : proto::ActorKind::Worker;
    static const char* types[] = {"session", "session", "conn", "parser"};
    a.type = types[pick(4)];
    a.name = pick(3) == 0 ? "n" + std::to_string(pick(50)) : "";
    a.child_id = pick(5) == 0 ? "" : "c" + std::to_string(pick(40));
    return a;
  }
  void stats(pv::NodeId node, uint64_t id) {
    pv::ActorStats s;
    s.node = node;
    s.actor = id;
    s.mailbox = pick(6);  // few values: many ties
    s.restarts = pick(3);
    s.msgs_per_s_x100 = pick(1000);
    s.fill_per_s_x100 = pick(3) == 0 ? 0 : 1 + pick(1000);  // not known, or a fill rate
    s.busy_ns = pick(1'000'000);
    s.state = static_cast<pv::ActorState>(pick(2));
    r.on(s);
  }
  void spawn(pv::NodeId node, uint64_t id) {
    r.on(row_for(node, id));
    live[{node, id}] = true;
    if (pick(4) != 0) stats(node, id);
  }
  void snapshot() {
    r.on(pv::SnapshotBegin{1, 2, kIds});
    live.clear();
    for (pv::NodeId node : {1u, 2u}) {
      pv::NodeRow n;
      n.node = node;
      n.name = "node" + std::to_string(node);
      r.on(n);
    }
    std::vector<uint64_t> ids;
    for (uint64_t i = 1; i <= kIds; ++i) ids.push_back(i);
    std::shuffle(ids.begin(), ids.end(), rng);  // children often come before their parent
    for (uint64_t id : ids)
      if (pick(2) == 0) spawn(id % 5 == 0 ? 2 : 1, id);
    r.on(pv::SnapshotEnd{1});
  }
  view::ActorKey any_live() {
    auto it = live.begin();
    std::advance(it, static_cast<long>(pick(live.size())));
    return it->first;
  }
  // One tick's worth of changes.
  void tick(uint64_t n) {
    for (int op = 0, ops = static_cast<int>(pick(12)); op < ops; ++op) {
      uint64_t what = pick(10);
      if (what < 2) {
        uint64_t id = 1 + pick(kIds);
        pv::NodeId node = id % 5 == 0 ? 2 : 1;
        if (!live.count({node, id})) spawn(node, id);
      } else if (what < 4 && !live.empty()) {
        view::ActorKey k = any_live();
        r.on(pv::ActorRemoved{k.node, k.actor});
        live.erase(k);
      } else if (what < 5 && !live.empty()) {
        view::ActorKey k = any_live();
        r.on(row_for(k.node, k.actor));  // moved, renamed, retyped
      } else if (!live.empty()) {
        view::ActorKey k = any_live();
        stats(k.node, k.actor);
      }
    }
    r.on(pv::Tick{n, 0, 0});
  }
};

// Subtree totals the slow way: every actor adds itself to each live ancestor.
std::map<view::ActorKey, view::SubtreeTotals> naive_totals(const view::Replica& r) {
  std::map<view::ActorKey, view::SubtreeTotals> t;
  for (const view::Actor& a : r.actors()) {
    const view::Actor* p = &a;
    for (int steps = 0; p && steps < 1000; ++steps) {
      auto& s = t[p->key()];
      s.actors += 1;
      s.mailbox += a.stats.mailbox;
      s.restarts += a.stats.restarts;
      s.msgs_per_s_x100 += a.stats.msgs_per_s_x100;
      p = p->row.parent ? r.actor({a.row.node, p->row.parent}) : nullptr;
    }
  }
  return t;
}

// Growth the slow way: fill (×100, plus one; 0 not known) less the drain; not known last.
int growth_order(const pv::ActorStats& a, const pv::ActorStats& b) {
  const bool ka = a.fill_per_s_x100 != 0, kb = b.fill_per_s_x100 != 0;
  if (ka != kb) return ka ? -1 : 1;
  if (!ka) return 0;
  const double ga = static_cast<double>(a.fill_per_s_x100) - 1 - static_cast<double>(a.msgs_per_s_x100);
  const double gb = static_cast<double>(b.fill_per_s_x100) - 1 - static_cast<double>(b.msgs_per_s_x100);
  return ga == gb ? 0 : (ga > gb ? -1 : 1);
}

// The actor list the slow way: filter, then sort everything.
std::vector<view::ActorKey> naive_order(const view::Replica& r, const view::ActorsQuery& q) {
  std::vector<const view::Actor*> rows;
  for (const view::Actor& a : r.actors()) {
    if (q.node != 0 && a.row.node != q.node) continue;
    if (!q.filter.empty() && !view::contains_folded(a.row.name, q.filter) && !view::contains_folded(a.row.type, q.filter) &&
        !view::contains_folded(a.row.child_id, q.filter))
      continue;
    rows.push_back(&a);
  }
  auto cmp = [&](const view::Actor* a, const view::Actor* b) {
    auto num = [](uint64_t x, uint64_t y) { return x == y ? 0 : (x > y ? -1 : 1); };
    auto txt = [](const std::string& x, const std::string& y) { int c = x.compare(y); return c < 0 ? -1 : (c > 0 ? 1 : 0); };
    auto shown = [](const view::Actor* x) -> const std::string& { return x->row.name.empty() ? x->row.child_id : x->row.name; };
    int c = 0;
    switch (q.sort) {
      case view::ActorColumn::Mailbox: c = num(a->stats.mailbox, b->stats.mailbox); break;
      case view::ActorColumn::MessagesPerSec: c = num(a->stats.msgs_per_s_x100, b->stats.msgs_per_s_x100); break;
      case view::ActorColumn::ProcessingTime: c = num(a->stats.busy_ns, b->stats.busy_ns); break;
      case view::ActorColumn::Restarts: c = num(a->stats.restarts, b->stats.restarts); break;
      case view::ActorColumn::Name: c = txt(shown(a), shown(b)); break;
      case view::ActorColumn::Type: c = txt(a->row.type, b->row.type); break;
      case view::ActorColumn::Node: c = num(b->row.node, a->row.node); break;
      case view::ActorColumn::State: c = num(static_cast<uint64_t>(a->stats.state), static_cast<uint64_t>(b->stats.state)); break;
      case view::ActorColumn::Growth: c = growth_order(a->stats, b->stats); break;
    }
    if (q.inverted) c = -c;
    if (c != 0) return c < 0;
    return a->key() < b->key();
  };
  std::sort(rows.begin(), rows.end(), cmp);
  std::vector<view::ActorKey> keys;
  for (const view::Actor* a : rows) keys.push_back(a->key());
  return keys;
}

void expect_same_rows(const std::vector<view::TreeRow>& got, const std::vector<view::TreeRow>& want, uint64_t tick) {
  ASSERT_EQ(got.size(), want.size()) << "tick " << tick;
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& g = got[i];
    const auto& w = want[i];
    SCOPED_TRACE("tick " + std::to_string(tick) + " row " + std::to_string(i) + " " + w.item.path);
    EXPECT_EQ(g.kind, w.kind);
    EXPECT_EQ(g.depth, w.depth);
    EXPECT_TRUE(g.item == w.item);
    EXPECT_EQ(g.actor, w.actor);
    EXPECT_TRUE(g.key == w.key);
    EXPECT_EQ(g.group_count, w.group_count);
    EXPECT_EQ(g.has_children, w.has_children);
    EXPECT_EQ(g.expanded, w.expanded);
    EXPECT_EQ(g.last_sibling, w.last_sibling);
    EXPECT_EQ(g.guides, w.guides);
    EXPECT_TRUE(g.totals == w.totals);
  }
}

struct Expansion {
  view::TreeItem item;
  unsigned depth;
  bool expanded;
};

enum class Check { Tree, Table };

void run(uint64_t seed, view::ReplicaSettings settings, Check check) {
  view::Replica r(settings);
  Workload w(seed, r);
  w.snapshot();
  w.r.on(pv::Tick{1, 0, 0});
  view::TreeSettings ts;
  ts.group_min = 3;
  view::TreeModel tree(ts);
  std::vector<Expansion> expansions;
  view::ActorsTable lazy;                                  // sorts fully at most every second
  view::ActorsTable eager(view::ActorsTableSettings{0});  // always back to a complete order
  view::ActorsQuery q;
  for (uint64_t t = 2; t < 160; ++t) {
    if (t == 80) w.snapshot();  // a reconnect: everything replaced
    w.tick(t);
    // The replica's subtree totals against the slow sum.
    auto totals = naive_totals(r);  // both checks: the replica keeps them
    for (const view::Actor& a : r.actors()) ASSERT_TRUE(a.subtree == totals[a.key()]) << "tick " << t << " actor " << a.row.actor;
    if (check == Check::Tree) {
      // The tree, followed tick after tick, against a fresh one with the same expansion.
      tree.update(r);
      if (w.pick(3) == 0 && !tree.rows().empty()) {
        size_t i = w.pick(tree.rows().size());
        const auto& row = tree.rows()[i];
        if (row.has_children) {
          expansions.push_back({row.item, row.depth, !row.expanded});
          tree.toggle(i);
          tree.update(r);
        }
      }
      view::TreeModel fresh(ts);
      for (const auto& e : expansions) fresh.set_expanded(e.item, e.depth, e.expanded);
      fresh.update(r);
      expect_same_rows(tree.rows(), fresh.rows(), t);
      if (::testing::Test::HasFatalFailure()) return;
      // A group under an actor: its totals are its members' (childless workers of its type).
      const auto& rows = tree.rows();
      for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].kind != view::TreeRowKind::Group) continue;
        size_t p = i;
        while (p > 0 && rows[p].depth + 1 != rows[i].depth) --p;
        if (rows[p].kind != view::TreeRowKind::Actor) continue;
        view::SubtreeTotals sum;
        size_t members = 0;
        for (uint64_t c : *r.children(rows[p].key)) {
          const view::Actor* m = r.actor({rows[p].key.node, c});
          if (!m || m->row.type != rows[i].item.type || m->is_supervisor() || r.children(m->key())) continue;
          ++members;
          sum.actors += totals[m->key()].actors;
          sum.mailbox += totals[m->key()].mailbox;
          sum.restarts += totals[m->key()].restarts;
          sum.msgs_per_s_x100 += totals[m->key()].msgs_per_s_x100;
        }
        EXPECT_EQ(rows[i].group_count, members) << "tick " << t;
        EXPECT_TRUE(rows[i].totals == sum) << "tick " << t << " group " << rows[i].item.path;
      }
      continue;
    }
    // The actor list, for a query that changes now and then.
    if (w.pick(25) == 0) {
      q.sort = static_cast<view::ActorColumn>(w.pick(view::kActorColumnCount));
      q.inverted = w.pick(2) == 0;
      q.filter = w.pick(3) == 0 ? (w.pick(2) ? "SESS" : "c1") : "";
      q.node = static_cast<pv::NodeId>(w.pick(3));
    }
    auto want = naive_order(r, q);
    for (view::ActorsTable* table : {&lazy, &eager}) {
      table->update(r, q);
      ASSERT_EQ(table->size(), want.size()) << "tick " << t;
      size_t offset = want.empty() ? 0 : w.pick(want.size());
      auto win = table->window(offset, 7);
      for (size_t i = 0; i < win.size(); ++i) EXPECT_TRUE(win[i]->key() == want[offset + i]) << "tick " << t << " row " << offset + i;
      if (!want.empty()) {
        size_t p = w.pick(want.size());
        EXPECT_EQ(table->position_of(want[p]), p) << "tick " << t;
      }
    }
    auto all = eager.window(0, want.size());
    ASSERT_EQ(all.size(), want.size());
    for (size_t i = 0; i < all.size(); ++i) ASSERT_TRUE(all[i]->key() == want[i]) << "tick " << t << " row " << i;
    EXPECT_TRUE(eager.fully_sorted());
  }
}

}  // namespace

TEST(TreeModel, FollowingChangesMatchesAFreshBuild) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    run(seed, {}, Check::Tree);
    if (HasFatalFailure()) return;
  }
}

TEST(TreeModel, FollowingChangesMatchesAFreshBuildWhenTheJournalOverflows) {
  view::ReplicaSettings s;
  s.max_changes = 5;  // most ticks overflow: readers start over
  s.change_ticks_kept = 1;
  for (uint64_t seed = 11; seed <= 13; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    run(seed, s, Check::Tree);
    if (HasFatalFailure()) return;
  }
}

TEST(ActorsTable, FollowingChangesMatchesAFullSort) {
  for (uint64_t seed = 21; seed <= 26; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    run(seed, {}, Check::Table);
    if (HasFatalFailure()) return;
  }
}

TEST(ActorsTable, FollowingChangesMatchesAFullSortWhenTheJournalOverflows) {
  view::ReplicaSettings s;
  s.max_changes = 5;
  s.change_ticks_kept = 1;
  for (uint64_t seed = 31; seed <= 33; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    run(seed, s, Check::Table);
    if (HasFatalFailure()) return;
  }
}

TEST(Replica, ChangeJournalSaysWhenReadersMustStartOver) {
  view::ReplicaSettings s;
  s.max_changes = 4;
  view::Replica r(s);
  Workload w(7, r);
  w.snapshot();
  uint64_t seq = r.change_seq();
  ASSERT_TRUE(r.changes_since(seq).has_value());
  EXPECT_TRUE(r.changes_since(seq)->empty());
  auto stats_of_any = [&] {
    view::ActorKey k = w.any_live();
    w.stats(k.node, k.actor);
  };
  stats_of_any();
  ASSERT_TRUE(r.changes_since(seq).has_value());
  EXPECT_EQ(r.changes_since(seq)->size(), 1u);
  EXPECT_EQ((*r.changes_since(seq))[0].kind, view::ActorChangeKind::Stats);
  for (int i = 0; i < 4; ++i) stats_of_any();
  EXPECT_FALSE(r.changes_since(seq).has_value());  // more than max_changes: dropped, counted
  EXPECT_EQ(r.changes_dropped(), 4u);
  uint64_t now = r.change_seq();
  w.snapshot();
  EXPECT_FALSE(r.changes_since(now).has_value());  // a snapshot replaces everything
}

// A snapshot that streams across ticks is not journalled: a table that looked in the middle
// of it rebuilds when it ends, so that its rows still name the right actors.
TEST(ActorsTableFollow, ATableThatLookedMidSnapshotRebuildsWhenItEnds) {
  view::Replica r;
  auto apply = [&](auto&&... m) {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    (pv::encode(w, m), ...);
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  };
  auto row = [](uint64_t id, const char* name) {
    pv::ActorRow a;
    a.node = 1;
    a.actor = id;
    a.name = name;
    a.type = "t";
    return a;
  };
  auto stats = [](uint64_t id, uint64_t mailbox) {
    pv::ActorStats s;
    s.node = 1;
    s.actor = id;
    s.mailbox = mailbox;
    return s;
  };
  pv::NodeRow n;
  n.node = 1;
  n.name = "a";
  n.connected = true;
  apply(pv::SnapshotBegin{1, 1, 3}, n, row(1, "sup-a"), row(2, "sup-b"), pv::Tick{1, 0, 0});
  view::ActorsTable t;
  view::ActorsQuery q;
  q.sort = view::ActorColumn::Mailbox;
  t.update(r, q);
  ASSERT_EQ(t.size(), 2u);
  // Still in the snapshot: sup-a goes, the consumer comes with its backlog (same row count).
  apply(pv::ActorRemoved{1, 1}, row(3, "consumer"), stats(3, 6800), pv::SnapshotEnd{1}, pv::Tick{2, 0, 0});
  t.update(r, q);
  auto w = t.window(0, 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0]->row.name, "consumer");
  EXPECT_EQ(w[0]->stats.mailbox, 6800u);
  EXPECT_EQ(w[1]->row.name, "sup-b");
}
