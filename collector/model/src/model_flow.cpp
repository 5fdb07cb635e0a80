// The model's message flow: sampled sends aggregated by (sender type, receiver type) and,
// per receiving actor, its top senders and message types (Space-Saving counters); and what
// actors are handling now.
#include <algorithm>
#include <cmath>

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
void count_in(std::vector<FlowSender>& v, size_t k, bool by_type, uint64_t from, Str type, double messages,
              uint64_t now_ns, uint64_t window_ns) {
  for (FlowSender& e : v)
    if (by_type ? e.type == type : e.from == from) {
      decay_to(e, now_ns, window_ns);
      add_rate(e.rate, e.rate_at_ns, now_ns, messages, window_ns);
      if (!by_type) e.type = type;
      return;
    }
  if (v.size() < std::max<size_t>(k, 1)) {
    FlowSender e;
    e.from = from;
    e.type = type;
    e.rate_at_ns = now_ns;
    add_rate(e.rate, e.rate_at_ns, now_ns, messages, window_ns);
    v.push_back(e);
    return;
  }
  size_t smallest = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    decay_to(v[i], now_ns, window_ns);
    if (v[i].rate < v[smallest].rate) smallest = i;
  }
  FlowSender& e = v[smallest];
  e.from = from;
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
        n->flow_pairs.push_back(p);
      }
    }
    FlowPair& p = n->flow_pairs[slot->second];
    p.samples = add_capped(p.samples, e.count);
    p.messages = add_capped(p.messages, times_capped(e.count, every));
    add_rate(p.rate, p.rate_at_ns, m.now, messages, s.flow_rate_window_ns);

    // By receiving actor: its top senders and message types, for actors the model knows.
    if (to_row == kNoRow) continue;
    auto rf = n->flow_receivers.find(e.to);
    if (rf == n->flow_receivers.end()) {
      if (n->flow_receivers.size() >= s.max_flow_receivers_per_node) {
        n->flow.receivers_over_cap = add_capped(n->flow.receivers_over_cap, e.count);
        m.anomaly(Anomaly::TooManyFlowReceivers);
        continue;
      }
      rf = n->flow_receivers.emplace(e.to, NodeData::ReceiverFlow{}).first;
    }
    count_in(rf->second.senders, s.flow_senders_per_actor, false, e.from, from_type, messages, m.now, s.flow_rate_window_ns);
    count_in(rf->second.types, s.flow_senders_per_actor, true, 0, message_type, messages, m.now, s.flow_rate_window_ns);
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
  for (auto it = n.flow_receivers.begin(); it != n.flow_receivers.end();) {
    double left = 0;
    for (FlowSender& e : it->second.senders) {
      decay_to(e, now_ns, window);
      left += e.rate;
    }
    bool gone = n.index.find(it->first, n.rows) == kNoRow;
    // Below a message a minute: nothing left to show.
    it = gone || left < 1.0 / 60 ? n.flow_receivers.erase(it) : std::next(it);
  }
  if (n.info.state != NodeState::Connected) n.handling.clear();
}

std::span<const FlowPair> Model::flow_pairs(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const FlowPair>(n->flow_pairs) : std::span<const FlowPair>();
}

double Model::flow_rate(const FlowPair& p) const {
  return p.rate * decay_factor(p.rate_at_ns, impl_->now, impl_->settings.flow_rate_window_ns);
}

std::vector<FlowSender> Model::top_senders(NodeKey key, uint64_t actor, size_t limit) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return {};
  auto it = n->flow_receivers.find(actor);
  if (it == n->flow_receivers.end()) return {};
  return ranked(it->second.senders, impl_->now, impl_->settings.flow_rate_window_ns, limit);
}

std::vector<FlowSender> Model::message_mix(NodeKey key, uint64_t actor, size_t limit) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return {};
  auto it = n->flow_receivers.find(actor);
  if (it == n->flow_receivers.end()) return {};
  return ranked(it->second.types, impl_->now, impl_->settings.flow_rate_window_ns, limit);
}

FlowStats Model::flow_stats(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->flow : FlowStats{};
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
