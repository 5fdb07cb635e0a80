// Tree diff: both instants are marked the same way, then walked in path order.
#include "actorscope/view/tree_diff.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/instant.hpp"
#include "actorscope/view/tree.hpp"

namespace actorscope::view {

namespace {

// The path of child ids from the root, through live parents ("#id" where a parent is not held).
std::string path_of(const Replica& r, const Actor& a) {
  std::vector<std::string> steps;
  const Actor* at = &a;
  for (int guard = 0; at && guard < 256; ++guard) {
    steps.push_back(path_step(*at));
    if (at->row.parent == 0) break;
    const Actor* up = r.actor(ActorKey{at->row.node, at->row.parent});
    if (!up) steps.push_back("#" + std::to_string(at->row.parent));
    at = up;
  }
  const pv::NodeRow* n = r.node(a.row.node);
  std::string out = n ? n->name : "node" + std::to_string(a.row.node);
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) out += "/" + *it;
  return out;
}

}  // namespace

TreeMark mark_tree(const Replica& r, NodeId node) {
  TreeMark m;
  m.set = true;
  m.past = r.showing_past();
  m.wall_ns = m.past ? r.instant().wall_ns : r.last_tick().wall_ns;
  m.node = node;
  m.actors.reserve(r.actor_count());
  for (const Actor& a : r.actors()) {
    if (node != 0 && a.row.node != node) continue;
    m.actors.push_back(MarkedActor{a.key(), path_of(r, a), display_name(a), a.row.type, a.stats.mailbox, a.stats.child_restarts});
  }
  std::sort(m.actors.begin(), m.actors.end(), [](const MarkedActor& x, const MarkedActor& y) {
    return x.path != y.path ? x.path < y.path : x.key < y.key;
  });
  return m;
}

std::string_view name(DiffKind k) {
  switch (k) {
    case DiffKind::Spawned: return "spawned";
    case DiffKind::Exited: return "exited";
    case DiffKind::Restarted: return "restarted";
    case DiffKind::Mailbox: return "mailbox";
  }
  return "?";
}

TreeDiff diff_trees(const TreeMark& a, const TreeMark& b) {
  TreeDiff d;
  d.from_wall_ns = a.wall_ns;
  d.to_wall_ns = b.wall_ns;
  // A path names one child while it is unique on both sides (a dynamic supervisor's children
  // may share one): such an actor matches by path — the same child, restarted when its id
  // changed. Others match by actor id.
  std::map<std::string_view, std::pair<size_t, size_t>> count;  // path -> (before, after)
  for (const auto& x : a.actors) ++count[x.path].first;
  for (const auto& x : b.actors) ++count[x.path].second;
  std::map<ActorKey, const MarkedActor*> after_by_key;
  for (const auto& x : b.actors) after_by_key[x.key] = &x;
  std::map<std::string_view, const MarkedActor*> after_by_path;
  for (const auto& x : b.actors)
    if (count[x.path].first <= 1 && count[x.path].second == 1) after_by_path[x.path] = &x;
  std::set<ActorKey> matched;
  std::vector<DiffRow> changes, mailboxes;
  auto row = [](DiffKind k, const MarkedActor& m) {
    DiffRow r;
    r.kind = k;
    r.path = m.path;
    r.name = m.name;
    r.type = m.type;
    return r;
  };
  for (const auto& x : a.actors) {
    const MarkedActor* y = nullptr;
    if (auto it = after_by_key.find(x.key); it != after_by_key.end()) y = it->second;
    else if (count[x.path].first == 1)
      if (auto p = after_by_path.find(x.path); p != after_by_path.end()) y = p->second;
    if (!y) {
      DiffRow r = row(DiffKind::Exited, x);
      r.before = x.key;
      r.mailbox_before = x.mailbox;
      changes.push_back(std::move(r));
      continue;
    }
    matched.insert(y->key);
    if (!(y->key == x.key)) {
      DiffRow r = row(DiffKind::Restarted, *y);
      r.before = x.key;
      r.after = y->key;
      r.mailbox_before = x.mailbox;
      r.mailbox_after = y->mailbox;
      r.restarts = y->child_restarts > x.child_restarts ? y->child_restarts - x.child_restarts : 0;
      changes.push_back(std::move(r));
    } else if (x.mailbox != y->mailbox) {
      DiffRow r = row(DiffKind::Mailbox, *y);
      r.before = r.after = x.key;
      r.mailbox_before = x.mailbox;
      r.mailbox_after = y->mailbox;
      mailboxes.push_back(std::move(r));
    }
  }
  for (const auto& y : b.actors)
    if (!matched.count(y.key)) {
      DiffRow r = row(DiffKind::Spawned, y);
      r.after = y.key;
      r.mailbox_after = y.mailbox;
      changes.push_back(std::move(r));
    }
  auto order = [](DiffKind k) { return k == DiffKind::Restarted ? 0 : k == DiffKind::Exited ? 1 : 2; };
  std::stable_sort(changes.begin(), changes.end(), [&](const DiffRow& x, const DiffRow& y) {
    return order(x.kind) != order(y.kind) ? order(x.kind) < order(y.kind) : x.path < y.path;
  });
  std::stable_sort(mailboxes.begin(), mailboxes.end(), [](const DiffRow& x, const DiffRow& y) {
    const uint64_t dx = static_cast<uint64_t>(std::llabs(x.mailbox_delta())), dy = static_cast<uint64_t>(std::llabs(y.mailbox_delta()));
    return dx != dy ? dx > dy : x.path < y.path;
  });
  for (const auto& r : changes) {
    if (r.kind == DiffKind::Spawned) ++d.spawned;
    else if (r.kind == DiffKind::Exited) ++d.exited;
    else ++d.restarted;
  }
  d.mailbox_changed = mailboxes.size();
  d.rows = std::move(changes);
  d.rows.insert(d.rows.end(), std::make_move_iterator(mailboxes.begin()), std::make_move_iterator(mailboxes.end()));
  return d;
}

std::string diff_summary(const TreeDiff& d) {
  return format_instant(d.from_wall_ns, d.to_wall_ns) + " -> " + format_instant(d.to_wall_ns, d.to_wall_ns) + ": " +
         format_count(d.spawned) + " spawned, " + format_count(d.exited) + " exited, " + format_count(d.restarted) +
         " restarted, " + format_count(d.mailbox_changed) + (d.mailbox_changed == 1 ? " mailbox" : " mailboxes") + " changed";
}

std::string diff_row_text(const DiffRow& r) {
  std::string out = std::string(name(r.kind));
  out.resize(11, ' ');
  out += r.path;
  if (r.kind == DiffKind::Restarted)
    out += r.restarts ? "  (" + std::to_string(r.restarts) + (r.restarts == 1 ? " restart)" : " restarts)")
                      : std::string("  (a new incarnation)");
  switch (r.kind) {
    case DiffKind::Spawned: out += "  mailbox " + format_count(r.mailbox_after); break;
    case DiffKind::Exited: out += "  mailbox was " + format_count(r.mailbox_before); break;
    default: {
      const int64_t delta = r.mailbox_delta();
      if (r.kind == DiffKind::Restarted && delta == 0) break;  // only what moved
      out += "  mailbox " + format_count(r.mailbox_before) + " -> " + format_count(r.mailbox_after) + " (" +
             (delta >= 0 ? "+" : "-") + format_count(static_cast<uint64_t>(std::llabs(delta))) + ")";
    }
  }
  return out;
}

}  // namespace actorscope::view
