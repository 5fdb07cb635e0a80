// The model's links and monitors: a bounded set per actor, kept out of line, both ends.
#include <algorithm>
#include <utility>

#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

// The same link or monitor as the other end sees it.
LinkKind mirror(LinkKind k) {
  switch (k) {
    case LinkKind::Monitors: return LinkKind::MonitoredBy;
    case LinkKind::MonitoredBy: return LinkKind::Monitors;
    case LinkKind::Link: break;
  }
  return LinkKind::Link;
}

ActorLink* find_end(LinkSet& s, uint64_t other, LinkKind kind) {
  for (ActorLink& e : s.ends)
    if (e.other == other && e.kind == kind) return &e;
  return nullptr;
}

}  // namespace

std::string_view name(LinkKind k) {
  switch (k) {
    case LinkKind::Link: return "link";
    case LinkKind::Monitors: return "monitors";
    case LinkKind::MonitoredBy: return "monitored_by";
  }
  return "unknown";
}

void Model::Impl::add_link_end(NodeData& n, Row r, uint64_t other, LinkKind kind) {
  Actor& a = n.rows[r];
  LinkSet& s = n.links[a.id];
  if (ActorLink* e = find_end(s, other, kind)) {
    if (kind != LinkKind::Link) ++e->count;  // linking twice is one link; monitoring twice is two monitors
  } else {
    s.ends.push_back(ActorLink{other, kind, 1});
    ++n.link_ends;
  }
  a.flags |= kActorLinked;
  note_actor(n, a);
}

// Removes one monitor (or the link) `id` holds towards `other`; with `all`, every monitor.
void Model::Impl::remove_link_end(NodeData& n, uint64_t id, uint64_t other, LinkKind kind, bool all) {
  auto it = n.links.find(id);
  if (it == n.links.end()) return;
  LinkSet& s = it->second;
  auto e = std::find_if(s.ends.begin(), s.ends.end(),
                        [&](const ActorLink& x) { return x.other == other && x.kind == kind; });
  if (e == s.ends.end()) return;
  if (!all && e->count > 1) {
    --e->count;
  } else {
    s.ends.erase(e);
    --n.link_ends;
  }
  Row r = n.index.find(id, n.rows);
  if (s.ends.empty()) {
    n.links.erase(it);
    if (r != kNoRow) n.rows[r].flags &= static_cast<uint8_t>(~kActorLinked);
  }
  if (r != kNoRow) note_actor(n, n.rows[r]);
}

// The actor leaves the table: its ends go, and so do the other ends that point at it.
void Model::Impl::remove_links_of(NodeData& n, Actor& a) {
  if (!(a.flags & kActorLinked)) return;
  a.flags &= static_cast<uint8_t>(~kActorLinked);
  auto it = n.links.find(a.id);
  if (it == n.links.end()) return;
  std::vector<ActorLink> ends = std::move(it->second.ends);
  n.links.erase(it);
  n.link_ends -= ends.size();
  for (const ActorLink& e : ends) remove_link_end(n, e.other, a.id, mirror(e.kind), true);
}

void Model::apply(NodeKey key, const proto::Link& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  if (static_cast<uint8_t>(r.op) > static_cast<uint8_t>(proto::LinkOp::Demonitor)) {
    m.anomaly(Anomaly::BadEnum);
    return;
  }
  if (r.a == r.b) return;  // linking to oneself does nothing (as in Erlang)
  Row ra = r.a != 0 ? n->index.find(r.a, n->rows) : kNoRow;
  Row rb = r.b != 0 ? n->index.find(r.b, n->rows) : kNoRow;
  if (ra == kNoRow && rb == kNoRow) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  bool monitor = r.op == proto::LinkOp::Monitor || r.op == proto::LinkOp::Demonitor;
  LinkKind ka = monitor ? LinkKind::Monitors : LinkKind::Link;
  LinkKind kb = mirror(ka);
  if (r.op == proto::LinkOp::Unlink || r.op == proto::LinkOp::Demonitor) {
    m.remove_link_end(*n, r.a, r.b, ka, false);
    m.remove_link_end(*n, r.b, r.a, kb, false);
    return;
  }
  // Both live ends are kept or neither, so that an exit always finds the other end.
  // (An end towards an actor this node does not know, e.g. a remote one, is kept alone.)
  auto full = [&](Row row, uint64_t other, LinkKind kind) -> LinkSet* {
    if (row == kNoRow) return nullptr;
    auto it = n->links.find(n->rows[row].id);
    if (it == n->links.end() || find_end(it->second, other, kind)) return nullptr;
    return it->second.ends.size() >= m.settings.max_links_per_actor ? &it->second : nullptr;
  };
  LinkSet* full_a = full(ra, r.b, ka);
  LinkSet* full_b = full(rb, r.a, kb);
  if (full_a || full_b || m.settings.max_links_per_actor == 0) {
    if (full_a) ++full_a->over_cap;
    if (full_b) ++full_b->over_cap;
    ++m.links_dropped;
    return;
  }
  if (ra != kNoRow) m.add_link_end(*n, ra, r.b, ka);
  if (rb != kNoRow) m.add_link_end(*n, rb, r.a, kb);
}

std::span<const ActorLink> Model::links(NodeKey key, uint64_t id) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return {};
  auto it = n->links.find(id);
  return it == n->links.end() ? std::span<const ActorLink>() : std::span<const ActorLink>(it->second.ends);
}

uint64_t Model::links_over_cap(NodeKey key, uint64_t id) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return 0;
  auto it = n->links.find(id);
  return it == n->links.end() ? 0 : it->second.over_cap;
}

}  // namespace actorscope::collector
