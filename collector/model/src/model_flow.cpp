// The model's message flow: sampled sends aggregated by (sender type, receiver type) and,
// per receiving actor, its top senders and message types (Space-Saving counters); and what
// actors are handling now.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

double decay_factor(uint64_t from_ns, uint64_t to_ns, uint64_t window_ns) {
  if (to_ns <= from_ns || window_ns == 0) return 1;
  return std::exp(-static_cast<double>(to_ns - from_ns) / static_cast<double>(window_ns));
}

// An exponentially decayed rate: `messages` arriving now add messages / window (so a steady
// r per second reads r).
void add_rate(double& rate, uint64_t& at_ns, uint64_t now_ns, double messages, uint64_t window_ns) {
  rate = rate * decay_factor(at_ns, now_ns, window_ns) + messages / (static_cast<double>(std::max<uint64_t>(window_ns, 1)) / 1e9);
  at_ns = std::max(at_ns, now_ns);
}

void decay_to(FlowSender& e, uint64_t now_ns, uint64_t window_ns) {
  double f = decay_factor(e.rate_at_ns, now_ns, window_ns);
  e.rate *= f;
  e.error *= f;
  e.rate_at_ns = std::max(e.rate_at_ns, now_ns);
}

// Space-Saving (Metwally et al.): at most k counters; a key without one takes the place of
// the smallest, inheriting its count as both count and error, so a counter never reads less
// than its key's true rate and overstates it by at most `error`.
//
// Every counter is decayed to now first, all of them together: counters that were last
// decayed at the same instant (all of them, after the first time) share one factor, so a
// sample costs one exp() per list, not one per counter (a record of 256 edges to receivers
// with full lists cost 4 000 of them).
void decay_all(std::vector<FlowSender>& v, uint64_t now_ns, uint64_t window_ns) {
  uint64_t from_ns = 0;
  double f = 1;
  bool known = false;
  for (FlowSender& e : v) {
    if (e.rate_at_ns >= now_ns) continue;
    if (!known || e.rate_at_ns != from_ns) {
      from_ns = e.rate_at_ns;
      f = decay_factor(from_ns, now_ns, window_ns);
      known = true;
    }
    e.rate *= f;
    e.error *= f;
    e.rate_at_ns = now_ns;
  }
}

void count_in(std::vector<FlowSender>& v, size_t k, bool by_type, uint64_t from, uint64_t from_parent, Str type,
              double messages, uint64_t now_ns, uint64_t window_ns) {
  decay_all(v, now_ns, window_ns);
  for (FlowSender& e : v)
    if (by_type ? e.type == type : e.from == from) {
      add_rate(e.rate, e.rate_at_ns, now_ns, messages, window_ns);
      if (!by_type) e.type = type;
      if (from_parent != kSenderParentUnknown) e.from_parent = from_parent;
      return;
    }
  if (v.size() < std::max<size_t>(k, 1)) {
    FlowSender e;
    e.from = from;
    e.from_parent = from_parent;
    e.type = type;
    e.rate_at_ns = now_ns;
    add_rate(e.rate, e.rate_at_ns, now_ns, messages, window_ns);
    v.push_back(e);
    return;
  }
  size_t smallest = 0;
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].rate < v[smallest].rate) smallest = i;
  FlowSender& e = v[smallest];
  e.from = from;
  e.from_parent = from_parent;
  e.type = type;
  e.error = e.rate;
  add_rate(e.rate, e.rate_at_ns, now_ns, messages, window_ns);
}

// Counts a peer sends: added without wrapping, so no counter it feeds can go backwards.
uint64_t add_capped(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }
uint64_t times_capped(uint64_t a, uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

std::vector<FlowSender> ranked(std::vector<FlowSender> v, uint64_t now_ns, uint64_t window_ns, size_t limit) {
  for (FlowSender& e : v) decay_to(e, now_ns, window_ns);
  std::sort(v.begin(), v.end(), [](const FlowSender& a, const FlowSender& b) {
    return a.rate != b.rate ? a.rate > b.rate : a.from != b.from ? a.from < b.from : a.type < b.type;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

// A decayed rate starts from zero: for the first window of a receiver's life it reads low by
// 1 - e^(-age/window), the factor returned here, which its rates are divided by. The age counts
// from when the collector could first see the receiver's messages (its spawn, or the node's
// connection when it is older), and is taken as at least a second: a younger estimate rests on
// too few samples to be scaled further. A type pair's rates count from the node's connection.
double warm_up(uint64_t born_ns, uint64_t now_ns, uint64_t window_ns) {
  if (window_ns == 0) return 1;
  const uint64_t age = std::max<uint64_t>(now_ns > born_ns ? now_ns - born_ns : 0, kNsPerSecond);
  return 1 - std::exp(-static_cast<double>(age) / static_cast<double>(window_ns));
}
double warm_up(const NodeData& n, const Actor& receiver, uint64_t now_ns, uint64_t window_ns) {
  const uint64_t since_anchor = receiver.spawn_wall_ns > n.info.anchor_wall_ns ? receiver.spawn_wall_ns - n.info.anchor_wall_ns : 0;
  return warm_up(n.info.connected_at_ns + since_anchor, now_ns, window_ns);
}

std::vector<FlowSender> scaled(std::vector<FlowSender> v, double by) {
  for (FlowSender& e : v) {
    e.rate /= by;
    e.error /= by;
  }
  return v;
}

}  // namespace

void Model::apply(NodeKey key, const proto::FlowEdges& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  // Flow is behind a capability: an agent that did not offer it does not get to send it.
  if (!n->info.flow) {
    m.anomaly(Anomaly::FlowNotOffered);
    return;
  }
  const ModelSettings& s = m.settings;
  uint32_t every = std::max<uint32_t>(r.sample_every, 1);
  n->flow.sample_every = every;
  n->flow.unrecorded = add_capped(n->flow.unrecorded, r.unrecorded);
  size_t count = std::min<size_t>(r.n, proto::kMaxFlowEdges);
  for (size_t i = 0; i < count; ++i) {
    const proto::FlowEdge& e = r.edges[i];
    n->flow.samples = add_capped(n->flow.samples, e.count);
    double messages = static_cast<double>(e.count) * every;
    Row to_row = n->index.find(e.to, n->rows);
    Row from_row = e.from ? n->index.find(e.from, n->rows) : kNoRow;
    // The actors' types from the model; else as the agent sampled them (the actor has gone
    // since); else unknown.
    auto type_of = [&](Row row, proto::StringId sampled) {
      if (row != kNoRow) return n->rows[row].type;
      Str t = m.resolve(*n, sampled);
      return t ? t : StringPool::kUnknown;
    };
    Str to_type = type_of(to_row, e.to_type);
    Str from_type = e.from == 0 ? 0 : type_of(from_row, e.from_type);
    Str message_type = m.resolve(*n, e.type);

    // By type pair: bounded; past the cap the samples count in (other, other).
    uint64_t pair_key = (uint64_t{from_type} << 32) | to_type;
    auto slot = n->flow_pair_slots.find(pair_key);
    if (slot == n->flow_pair_slots.end()) {
      if (n->flow_pairs.size() >= s.max_flow_pairs_per_node) {
        n->flow.pairs_over_cap = add_capped(n->flow.pairs_over_cap, e.count);
        m.anomaly(Anomaly::TooManyFlowPairs);
        pair_key = (uint64_t{StringPool::kOverflow} << 32) | StringPool::kOverflow;
        from_type = to_type = StringPool::kOverflow;
        slot = n->flow_pair_slots.find(pair_key);
      }
      if (slot == n->flow_pair_slots.end()) {
        slot = n->flow_pair_slots.emplace(pair_key, static_cast<uint32_t>(n->flow_pairs.size())).first;
        FlowPair p;
        p.from_type = from_type;
        p.to_type = to_type;
        p.born_ns = n->info.connected_at_ns;
        n->flow_pairs.push_back(p);
      }
    }
    FlowPair& p = n->flow_pairs[slot->second];
    p.samples = add_capped(p.samples, e.count);
    p.messages = add_capped(p.messages, times_capped(e.count, every));
    add_rate(p.rate, p.rate_at_ns, m.now, messages, s.flow_rate_window_ns);

    // By receiving actor: its top senders and message types, for actors the model knows.
    if (to_row == kNoRow) continue;
    ReceiverFlows::Flow* rf = n->flow_receivers.for_write(e.to, n->flow_receivers.size() < s.max_flow_receivers_per_node);
    if (!rf) {
      n->flow.receivers_over_cap = add_capped(n->flow.receivers_over_cap, e.count);
      m.anomaly(Anomaly::TooManyFlowReceivers);
      continue;
    }
    rf->row = to_row;
    const uint64_t from_parent = from_row != kNoRow ? n->rows[from_row].parent : kSenderParentUnknown;
    count_in(rf->senders, s.flow_senders_per_actor, false, e.from, from_parent, from_type, messages, m.now,
             s.flow_rate_window_ns);
    count_in(rf->types, s.flow_senders_per_actor, true, 0, kSenderParentUnknown, message_type, messages, m.now,
             s.flow_rate_window_ns);
  }
}

void Model::apply(NodeKey key, const proto::Handling& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  if (!n->info.flow) {
    m.anomaly(Anomaly::FlowNotOffered);
    return;
  }
  n->handling.clear();  // each record replaces the last
  size_t count = std::min<size_t>(r.n, proto::kMaxHandling);
  for (size_t i = 0; i < count; ++i)
    n->handling[r.now[i].actor] = HandlingNow{m.resolve(*n, r.now[i].type), r.now[i].busy_ns, m.now};
}

// Per series step: each pair's messages since the last step, and receivers that went quiet
// or away are forgotten.
void Model::Impl::step_flow(NodeData& n, uint64_t now_ns) {
  for (FlowPair& p : n.flow_pairs) {
    uint64_t delta = p.messages - p.messages_at_step;
    p.messages_at_step = p.messages;
    p.history[p.history_next] = static_cast<uint32_t>(std::min<uint64_t>(delta, UINT32_MAX));
    p.history_next = (p.history_next + 1) % kFlowHistory;
    p.history_count = std::min<uint32_t>(p.history_count + 1, kFlowHistory);
  }
  uint64_t window = settings.flow_rate_window_ns;
  // Read only, so that a receiver a keyframe shares stays shared: its rates decayed to now
  // as a reader decays them, in place only when the next sample comes.
  n.flow_receivers.erase_if([&](const ReceiverFlows::Flow& f) {
    double left = 0;
    for (const FlowSender& e : f.senders) left += e.rate * decay_factor(e.rate_at_ns, now_ns, window);
    // Gone, or below a message a minute: nothing left to show.
    return left < 1.0 / 60 || n.index.find(f.receiver, n.rows) == kNoRow;
  });
  if (n.info.state != NodeState::Connected) n.handling.clear();
}

std::span<const FlowPair> Model::flow_pairs(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const FlowPair>(n->flow_pairs) : std::span<const FlowPair>();
}

double Model::flow_rate(const FlowPair& p) const {
  const uint64_t window = impl_->settings.flow_rate_window_ns;
  return p.rate * decay_factor(p.rate_at_ns, impl_->now, window) / warm_up(p.born_ns, impl_->now, window);
}

// One receiver's kept senders or message types, ranked and read as rates of its life so far.
std::vector<FlowSender> Model::receiver_rates(NodeKey key, uint64_t actor, size_t limit, bool types) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return {};
  const ReceiverFlows::Flow* f = n->flow_receivers.find(actor);
  const Row row = n->index.find(actor, n->rows);
  if (!f || row == kNoRow) return {};
  const uint64_t window = impl_->settings.flow_rate_window_ns;
  return scaled(ranked(types ? f->types : f->senders, impl_->now, window, limit),
                warm_up(*n, n->rows[row], impl_->now, window));
}

std::vector<FlowSender> Model::top_senders(NodeKey key, uint64_t actor, size_t limit) const {
  return receiver_rates(key, actor, limit, false);
}

std::vector<FlowSender> Model::message_mix(NodeKey key, uint64_t actor, size_t limit) const {
  return receiver_rates(key, actor, limit, true);
}

FlowStats Model::flow_stats(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->flow : FlowStats{};
}

SubtreeFlow Model::subtree_flow(NodeKey key, uint64_t supervisor, size_t max_children) const {
  SubtreeFlow out;
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return out;
  const Row sup_row = n->index.find(supervisor, n->rows);
  if (sup_row == kNoRow) return out;
  out.found = true;
  out.sample_every = n->flow.sample_every;
  out.receivers_over_cap = n->flow.receivers_over_cap;
  const Actor& sup = n->rows[sup_row];
  for (Row c = sup.first_child; c != kNoRow; c = n->rows[c].next_sibling) ++out.children;

  // Where an actor belongs: the child of the supervisor above it (its id), or one of these.
  // A receiver is placed by its row's parent, a sender by the parent it had when its sends
  // were counted (kept with them: no look-up per sender, and a sender gone since is still
  // placed where its messages came from). Only ancestors are remembered (a few per supervisor).
  constexpr uint64_t kSelf = ~uint64_t{0}, kOutside = ~uint64_t{0} - 1, kUnplaced = ~uint64_t{0} - 2;
  std::unordered_map<uint64_t, uint64_t> ancestor_place;
  std::vector<uint64_t> path;
  auto place_of_ancestor = [&](uint64_t actor) -> uint64_t {
    path.clear();
    uint64_t at = actor, result = kUnplaced;
    for (size_t depth = 0; depth < 1024; ++depth) {
      if (auto it = ancestor_place.find(at); it != ancestor_place.end()) {
        result = it->second;
        break;
      }
      const Row r = n->index.find(at, n->rows);
      if (r == kNoRow) break;  // a parent the model never saw: unplaced
      path.push_back(at);
      const uint64_t parent = n->rows[r].parent;
      if (parent == supervisor) {
        result = at;
        break;
      }
      if (parent == 0) {
        result = kOutside;
        break;
      }
      at = parent;
    }
    for (uint64_t a : path) ancestor_place[a] = result;
    return result;
  };
  // An actor placed by its parent: the supervisor's child is its own group.
  auto place_by_parent = [&](uint64_t actor, uint64_t parent) -> uint64_t {
    if (actor == 0) return kOutside;  // a send not made by an actor
    if (actor == supervisor) return kSelf;
    if (parent == kSenderParentUnknown) return kUnplaced;
    if (parent == supervisor) return actor;
    if (parent == 0) return kOutside;
    return place_of_ancestor(parent);
  };

  struct Acc {
    double rate = 0, error = 0;
  };
  std::unordered_map<uint64_t, size_t> slot;  // group key -> index into keys
  std::vector<uint64_t> keys;
  std::vector<FlowGroup> groups;
  auto group = [&](uint64_t k) {
    auto [it, fresh] = slot.try_emplace(k, keys.size());
    if (fresh) {
      keys.push_back(k);
      FlowGroup g;
      g.role = k == kSelf ? FlowGroupRole::Supervisor
               : k == kOutside ? FlowGroupRole::Outside
               : k == kUnplaced ? FlowGroupRole::Unplaced
                                : FlowGroupRole::Child;
      const uint64_t actor = k == kSelf ? supervisor : g.role == FlowGroupRole::Child ? k : 0;
      if (actor != 0) {
        const Actor& a = n->rows[n->index.find(actor, n->rows)];
        g.actor = actor;
        g.name = a.name ? a.name : a.child_id;
        g.type = a.type;
      }
      groups.push_back(g);
    }
    return it->second;
  };
  // Each kept sender's estimate between two groups, then each group's traffic: the children
  // are ranked by it before any pair of groups is summed, so that the pairs summed are those
  // of the groups shown (a few hundred), not of every child (a root's can be thousands).
  struct Between {
    uint32_t from, to;
    double rate, error;
  };
  std::vector<Between> between;
  const uint64_t window = impl_->settings.flow_rate_window_ns, now = impl_->now;
  // The receivers' rows, by the hint each keeps (checked by id; a row reused by another actor
  // is looked up), fetched a few ahead: at the caps these are 16 k rows scattered over the table.
  std::vector<std::pair<const ReceiverFlows::Flow*, uint64_t>> receivers;
  receivers.reserve(n->flow_receivers.size());
  n->flow_receivers.for_each([&](const ReceiverFlows::Flow& f) { receivers.emplace_back(&f, f.receiver); });
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < receivers.size(); ++i) {
    if (i + kAhead < receivers.size())
      if (const Row h = receivers[i + kAhead].first->row; h != kNoRow && h < n->rows.size()) __builtin_prefetch(&n->rows[h]);
    const auto& [flow_ptr, receiver] = receivers[i];
    const ReceiverFlows::Flow& flow = *flow_ptr;
    Row rr = flow.row;
    if (rr == kNoRow || rr >= n->rows.size() || n->rows[rr].id != receiver) rr = n->index.find(receiver, n->rows);
    if (rr == kNoRow) continue;  // gone since: forgotten at the next step
    const uint64_t to = place_by_parent(receiver, n->rows[rr].parent);
    const bool inside_to = to != kOutside && to != kUnplaced;
    const double young = warm_up(*n, n->rows[rr], now, window);
    size_t gt = SIZE_MAX;  // the receiver's group, made with its first edge shown
    uint64_t decayed_at = 0;
    double decay = 1;
    for (const FlowSender& e : flow.senders) {
      const uint64_t from = place_by_parent(e.from, e.from_parent);
      const bool inside_from = from != kOutside && from != kUnplaced;
      if (!inside_to && !inside_from) continue;  // neither end under the supervisor
      if (gt == SIZE_MAX) {
        gt = group(to);
        groups[gt].mailbox_max = std::max(groups[gt].mailbox_max, n->rows[rr].mailbox);
      }
      if (e.rate_at_ns != decayed_at) {  // senders counted in one flush share their decay
        decayed_at = e.rate_at_ns;
        decay = decay_factor(e.rate_at_ns, now, window);
      }
      const double f = decay / young;
      const size_t gf = from == to ? gt : group(from);
      if (gt == gf) {
        groups[gt].internal_rate += e.rate * f;
        continue;
      }
      between.push_back({static_cast<uint32_t>(gf), static_cast<uint32_t>(gt), e.rate * f, e.error * f});
    }
  }

  // The children by their traffic (in, out and within), busiest first; past max_children the
  // rest fold into one group.
  std::vector<double> traffic(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) traffic[g] = groups[g].internal_rate;
  for (const Between& b : between) {
    traffic[b.from] += b.rate;
    traffic[b.to] += b.rate;
  }
  std::vector<size_t> order(groups.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = g;
  auto rank = [&](size_t g) { return groups[g].role == FlowGroupRole::Child ? 0 : static_cast<int>(groups[g].role); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (traffic[a] != traffic[b]) return traffic[a] > traffic[b];
    return keys[a] < keys[b];
  });
  std::vector<uint32_t> index_of(groups.size());
  size_t kept_children = 0, folded = SIZE_MAX;
  for (size_t g : order) {
    if (groups[g].role == FlowGroupRole::Child && kept_children++ >= max_children) {
      if (folded == SIZE_MAX) {
        folded = out.groups.size();
        FlowGroup other;
        other.role = FlowGroupRole::OtherChildren;
        out.groups.push_back(other);
      }
      FlowGroup& other = out.groups[folded];
      ++other.children;
      other.mailbox_max = std::max(other.mailbox_max, groups[g].mailbox_max);
      other.internal_rate += groups[g].internal_rate;
      index_of[g] = static_cast<uint32_t>(folded);
      continue;
    }
    index_of[g] = static_cast<uint32_t>(out.groups.size());
    out.groups.push_back(groups[g]);
  }
  // The folded group goes last: it is not a place of its own.
  if (folded != SIZE_MAX && folded + 1 != out.groups.size()) {
    const uint32_t last = static_cast<uint32_t>(out.groups.size() - 1);
    std::rotate(out.groups.begin() + static_cast<std::ptrdiff_t>(folded), out.groups.begin() + static_cast<std::ptrdiff_t>(folded) + 1,
                out.groups.end());
    for (uint32_t& i : index_of) i = i == folded ? last : i > folded ? i - 1 : i;
  }
  std::unordered_map<uint64_t, Acc> merged;
  for (const Between& b : between) {
    const uint32_t f = index_of[b.from], t = index_of[b.to];
    if (f == t) {
      out.groups[f].internal_rate += b.rate;  // between two folded children
      continue;
    }
    Acc& m = merged[(uint64_t{f} << 32) | t];
    m.rate += b.rate;
    m.error += b.error;
  }
  for (const auto& [ends, a] : merged)
    out.edges.push_back({static_cast<uint32_t>(ends >> 32), static_cast<uint32_t>(ends), a.rate, a.error});
  std::sort(out.edges.begin(), out.edges.end(), [](const FlowGroupEdge& a, const FlowGroupEdge& b) {
    return a.rate != b.rate ? a.rate > b.rate : a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  return out;
}

std::vector<const Actor*> Model::deepest_mailboxes(NodeKey key, size_t limit) const {
  std::vector<const Actor*> heap;  // the deepest so far; the shallowest of them on top
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n || limit == 0) return heap;
  auto deeper = [](const Actor* a, const Actor* b) { return a->mailbox != b->mailbox ? a->mailbox > b->mailbox : a->id < b->id; };
  for (Row r : n->watched) {  // may list a row twice
    const Actor& a = n->rows[r];
    if (a.id == 0 || a.mailbox == 0 || std::find(heap.begin(), heap.end(), &a) != heap.end()) continue;
    if (heap.size() < limit) {
      heap.push_back(&a);
      std::push_heap(heap.begin(), heap.end(), deeper);
    } else if (deeper(&a, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), deeper);
      heap.back() = &a;
      std::push_heap(heap.begin(), heap.end(), deeper);
    }
  }
  std::sort(heap.begin(), heap.end(), deeper);
  return heap;
}

const HandlingNow* Model::handling(NodeKey key, uint64_t actor) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n || n->info.state != NodeState::Connected) return nullptr;
  auto it = n->handling.find(actor);
  return it == n->handling.end() ? nullptr : &it->second;
}

}  // namespace actorscope::collector
