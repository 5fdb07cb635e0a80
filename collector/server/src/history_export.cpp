// The flight recorder as a record file: the oldest keyframe as snapshots, then the stream.
#include "actorscope/collector/history_export.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <tuple>
#include <unordered_map>

#include "actorscope/collector/record.hpp"
#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

namespace {
constexpr size_t kBatchBytes = 256 * 1024;     // a snapshot's records are cut into batches of this
constexpr size_t kActorsPerStep = 4096;        // actors described between two size checks
constexpr size_t kActorCountsPerEntry = 16384; // actors' counts per Counts entry (about 0.7 MiB)
// Ids for strings the agent's table lacks, counting down from below the model's limit on ids
// (agents count up from 1).
constexpr uint32_t kFreshStringIds = ModelSettings{}.max_string_id - 1;
constexpr uint64_t kGoneConnection = 1ull << 63;   // connection ids for nodes gone at the keyframe
}  // namespace

struct HistoryExport::Impl {
  HistoryExportPlan plan;
  enum class Stage : uint8_t { Header, Hellos, Nodes, Stream, Finished } stage = Stage::Header;
  RecordBlockBuilder block;
  uint64_t bytes = 0, entries = 0;

  // ---- the keyframe, node by node ----
  std::vector<NodeKey> nodes;
  size_t node_i = 0;
  enum class Part : uint8_t { Begin, Actors, Links, End, ActorCounts } part = Part::Begin;
  std::vector<uint8_t> batch;  // records of the current node not yet in an entry
  std::unordered_map<Str, proto::StringId> ids;  // the current node's strings
  uint32_t next_fresh = kFreshStringIds;
  std::vector<uint8_t> strings_batch;  // StringDefs for the fresh ids, ahead of the records that use them
  Row walk = kNoRow;                   // the actor walk: next row, and the rows whose children are walked
  std::vector<Row> walk_up;
  struct LinkItem {
    uint64_t a = 0, b = 0;  // a link (a < b), or a monitoring b
    bool monitor = false;
    uint32_t count = 1;     // monitors
  };
  struct TupleHash {
    size_t operator()(const std::tuple<uint64_t, uint64_t, bool>& t) const {
      return std::hash<uint64_t>()(std::get<0>(t) * 0x9E3779B97F4A7C15ull ^ std::get<1>(t)) ^ std::get<2>(t);
    }
  };
  std::vector<LinkItem> links;  // the node's links and monitors, in the order they are written
  size_t link_next = 0;
  std::vector<ActorCounts> actor_counts;  // the node's actors' counts, written after its own
  size_t actor_counts_next = 0;

  // ---- the stream ----
  size_t chunk_i = 0;
  std::vector<uint8_t> raw;

  explicit Impl(HistoryExportPlan p) : plan(std::move(p)) {
    if (plan.ok && plan.keyframe) nodes = plan.keyframe->node_keys();
  }

  // The keyframe, readable: a keyframe held with its actor rows packed is read from a copy
  // (made once, at the first read, not under the model's lock that the plan was taken under).
  mutable std::shared_ptr<const Model> readable;
  const Model& key() const {
    if (!readable) readable = plan.keyframe->tables_packed() ? std::shared_ptr<const Model>(plan.keyframe->clone()) : plan.keyframe;
    return *readable;
  }

  void add(RecordEntry kind, uint64_t conn, uint64_t at, const uint8_t* p, size_t len, std::vector<uint8_t>& out) {
    ++entries;
    if (block.add(kind, conn, at, p, len)) take(out);
  }
  void take(std::vector<uint8_t>& out) {
    const size_t before = out.size();
    block.take(out);
    bytes += out.size() - before;
  }

  uint64_t connection(const Node& n) const {
    return n.state == NodeState::Connected && n.connection != 0 ? n.connection : kGoneConnection | n.key;
  }

  // The agent id of a model string: the node's own id when its agent defined it, else a fresh one.
  proto::StringId sid(Str s) {
    if (s == 0) return 0;
    auto [it, fresh] = ids.try_emplace(s, 0);
    if (fresh) {
      it->second = next_fresh--;
      proto::Writer w(strings_batch);
      proto::encode(w, proto::StringDef{it->second, key().text(s)});
    }
    return it->second;
  }
  template <class Record>
  void record(const Record& r) {
    proto::Writer w(batch);
    proto::encode(w, r);
  }
  // The node's records so far as one Batch entry (fresh string definitions first).
  void flush_batch(const Node& n, std::vector<uint8_t>& out) {
    if (!strings_batch.empty()) {
      strings_batch.insert(strings_batch.end(), batch.begin(), batch.end());
      batch.swap(strings_batch);
      strings_batch.clear();
    }
    if (batch.empty()) return;
    add(RecordEntry::Batch, connection(n), plan.begins_at, batch.data(), batch.size(), out);
    batch.clear();
  }

  void hello(const Node& n, std::vector<uint8_t>& out) {
    proto::Hello h;
    h.capabilities = (n.rates_in_reductions ? uint64_t{proto::kCapReductions} : 0) | (n.flow ? uint64_t{proto::kCapFlow} : 0);
    h.role = proto::Role::Agent;
    h.node = n.name;
    h.incarnation = n.incarnation;
    h.pid = n.pid;
    h.host = n.host;
    h.program = n.program;
    h.anchor_mono_ns = n.anchor_mono_ns;
    h.anchor_wall_ns = n.anchor_wall_ns;
    h.max_frame = proto::kHardMaxFrame;
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    proto::encode(w, h);
    add(RecordEntry::Hello, connection(n), plan.begins_at, buf.data(), buf.size(), out);
  }

  void begin_node(NodeKey k, const Node& n) {
    ids.clear();
    next_fresh = kFreshStringIds;
    for (const auto& [id, s] : key().agent_strings(k)) {
      ids.emplace(s, id);
      record(proto::StringDef{id, key().text(s)});
    }
    record(proto::SnapshotBegin{n.snapshots + 1, n.live_actors});
    walk = key().first_root(k);
    walk_up.clear();
  }

  void describe(NodeKey k, const Actor& a) {
    proto::ActorSpawned s;
    s.t_ns = a.spawn_wall_ns > key().node(k)->anchor_wall_ns ? a.spawn_wall_ns - key().node(k)->anchor_wall_ns : 0;
    s.actor = a.id;
    s.parent = a.parent;
    s.name = sid(a.name);
    s.type = sid(a.type);
    s.child_id = sid(a.child_id);
    s.kind = a.kind;
    s.restart = a.restart;
    s.strategy = a.strategy;
    s.intensity = a.intensity;
    s.period_ms = a.period_ms;
    record(s);
    proto::ActorStats st;
    st.actor = a.id;
    st.mailbox = a.mailbox;
    st.enqueued = a.enqueued;
    st.dequeued = a.dequeued;
    st.busy_ns = a.busy_ns;
    st.hist = a.hist;
    if (const Supervisor* sv = key().supervisor(k, a.id)) st.restarts = sv->restarts;
    record(st);
  }

  // Parents before their children, children in spawn order: the walk resumes where it stopped.
  bool walk_actors(NodeKey k) {
    const ActorRows rows = key().actor_rows(k);
    for (size_t n = 0; n < kActorsPerStep; ++n) {
      if (walk == kNoRow || walk >= rows.size()) return true;
      const Actor& a = rows[walk];
      describe(k, a);
      if (a.first_child != kNoRow) {
        walk_up.push_back(walk);
        walk = a.first_child;
        continue;
      }
      Row r = walk;
      while (rows[r].next_sibling == kNoRow && !walk_up.empty()) {
        r = walk_up.back();
        walk_up.pop_back();
      }
      walk = rows[r].next_sibling;
    }
    return walk == kNoRow;
  }

  // Links and monitors in an order that gives every actor its own order (oldest first): each
  // actor's list orders the items it holds, and any order that keeps all of those (the order
  // they were made in is one) makes the same lists again.
  void order_links(NodeKey k) {
    links.clear();
    link_next = 0;
    std::unordered_map<std::tuple<uint64_t, uint64_t, bool>, size_t, TupleHash> index;
    std::vector<std::vector<size_t>> after;  // item -> the items that follow it in some actor's list
    std::vector<uint32_t> before;            // how many items precede it
    const ActorRows rows = key().actor_rows(k);
    for (const Actor& a : rows) {
      if (a.id == 0 || !(a.flags & kActorLinked)) continue;
      size_t prev = SIZE_MAX;
      for (const ActorLink& l : key().links(k, a.id)) {
        LinkItem item;
        switch (l.kind) {
          case LinkKind::Link:
            item = {std::min(a.id, l.other), std::max(a.id, l.other), false, 1};
            break;
          case LinkKind::Monitors:
            item = {a.id, l.other, true, l.count};
            break;
          case LinkKind::MonitoredBy:
            item = {l.other, a.id, true, l.count};
            break;
        }
        auto [it, fresh] = index.try_emplace(std::make_tuple(item.a, item.b, item.monitor), links.size());
        if (fresh) {
          links.push_back(item);
          after.emplace_back();
          before.push_back(0);
        }
        if (prev != SIZE_MAX) {
          after[prev].push_back(it->second);
          ++before[it->second];
        }
        prev = it->second;
      }
    }
    // Kahn's order, first seen first among the free ones.
    std::vector<size_t> order, ready;
    order.reserve(links.size());
    for (size_t i = 0; i < links.size(); ++i)
      if (before[i] == 0) ready.push_back(i);
    std::make_heap(ready.begin(), ready.end(), std::greater<>());
    while (!ready.empty()) {
      std::pop_heap(ready.begin(), ready.end(), std::greater<>());
      const size_t i = ready.back();
      ready.pop_back();
      order.push_back(i);
      for (size_t j : after[i])
        if (--before[j] == 0) {
          ready.push_back(j);
          std::push_heap(ready.begin(), ready.end(), std::greater<>());
        }
    }
    if (order.size() < links.size())  // cannot happen with lists made in one order; kept whole anyway
      for (size_t i = 0; i < links.size(); ++i)
        if (before[i] != 0) order.push_back(i);
    std::vector<LinkItem> sorted;
    sorted.reserve(order.size());
    for (size_t i : order) sorted.push_back(links[i]);
    links.swap(sorted);
  }

  bool walk_links() {
    for (size_t n = 0; n < kActorsPerStep && link_next < links.size(); ++n, ++link_next) {
      const LinkItem& l = links[link_next];
      for (uint32_t i = 0; i < (l.monitor ? l.count : 1); ++i)
        record(proto::Link{0, l.a, l.b, l.monitor ? proto::LinkOp::Monitor : proto::LinkOp::Link});
    }
    return link_next >= links.size();
  }

  void end_node(const Node& n) {
    if (n.last_heartbeat_ns != 0) record(n.heartbeat);
    proto::NodeGauges g;
    for (size_t i = 0; i < n.gauges.size() && g.n < proto::kMaxNodeGauges; ++i) {
      if (!n.gauges[i].set) continue;
      g.values[g.n++] = {static_cast<uint32_t>(i), n.gauges[i].value};
      g.t_ns = std::max(g.t_ns, n.gauges[i].t_ns);
    }
    if (g.n > 0) record(g);
    record(proto::SnapshotEnd{n.snapshots + 1});
  }

  void write_counts(const Node& n, const NodeCounts& counts, std::vector<uint8_t>& out) {
    std::vector<uint8_t> payload;
    encode_counts(payload, counts);
    add(RecordEntry::Counts, connection(n), plan.begins_at, payload.data(), payload.size(), out);
  }

  // One step of the keyframe's nodes; false once they are all written.
  bool step_nodes(std::vector<uint8_t>& out) {
    if (node_i >= nodes.size()) return false;
    const NodeKey k = nodes[node_i];
    const Node* n = key().node(k);
    if (!n) {
      ++node_i;
      return true;
    }
    switch (part) {
      case Part::Begin:
        begin_node(k, *n);
        part = Part::Actors;
        break;
      case Part::Actors:
        if (walk_actors(k)) {
          order_links(k);
          part = Part::Links;
        }
        break;
      case Part::Links:
        if (walk_links()) part = Part::End;
        break;
      case Part::End: {
        end_node(*n);
        flush_batch(*n, out);
        // The collector's own counts, which no agent record can set: after the snapshot, whose
        // spawns they replace. The actors' part grows with the node: it follows in entries of
        // a bounded size, one per step.
        NodeCounts counts = key().counts(k);
        actor_counts = std::move(counts.actors);
        actor_counts_next = 0;
        counts.actors.clear();
        write_counts(*n, counts, out);
        part = Part::ActorCounts;
        break;
      }
      case Part::ActorCounts: {
        if (actor_counts_next < actor_counts.size()) {
          NodeCounts more;
          more.actors_only = true;
          const size_t end = std::min(actor_counts.size(), actor_counts_next + kActorCountsPerEntry);
          more.actors.assign(actor_counts.begin() + static_cast<std::ptrdiff_t>(actor_counts_next),
                             actor_counts.begin() + static_cast<std::ptrdiff_t>(end));
          actor_counts_next = end;
          write_counts(*n, more, out);
          return true;
        }
        actor_counts = {};
        if (n->state != NodeState::Connected) add(RecordEntry::Disconnect, connection(*n), plan.begins_at, nullptr, 0, out);
        part = Part::Begin;
        ++node_i;
        return true;
      }
    }
    if (batch.size() + strings_batch.size() >= kBatchBytes) flush_batch(*n, out);
    return true;
  }

  void convert(const std::vector<uint8_t>& inputs, std::vector<uint8_t>& out) {
    History::for_each_input(inputs, [&](const HistoryInput& in) {
      switch (in.kind) {
        case HistoryInputKind::Hello:
          add(RecordEntry::Hello, in.conn, in.at, in.payload, in.len, out);
          break;
        case HistoryInputKind::Batch:
          add(RecordEntry::Batch, in.conn, in.at, in.payload, in.len, out);
          break;
        case HistoryInputKind::Disconnect:
          add(RecordEntry::Disconnect, in.conn, in.at, nullptr, 0, out);
          break;
        case HistoryInputKind::Counts:
          add(RecordEntry::Counts, in.conn, in.at, in.payload, in.len, out);
          break;
        case HistoryInputKind::Tick:
          add(RecordEntry::Tick, 0, in.at, nullptr, 0, out);
          break;
      }
      return true;
    });
  }

  // One step of the stream: a chunk (or the open tail); false once it is all written.
  bool step_stream(std::vector<uint8_t>& out) {
    if (chunk_i < plan.chunks.size()) {
      if (History::decompress(*plan.chunks[chunk_i], raw)) convert(raw, out);
      ++chunk_i;
      return true;
    }
    if (chunk_i == plan.chunks.size()) {
      convert(plan.tail, out);
      ++chunk_i;
      return true;
    }
    return false;
  }

  bool next(std::vector<uint8_t>& out, size_t max_bytes) {
    const size_t start = out.size();
    while (stage != Stage::Finished && out.size() - start < max_bytes) {
      switch (stage) {
        case Stage::Header: {
          const size_t before = out.size();
          append_record_file_header(out);
          bytes += out.size() - before;
          if (plan.ok) {
            std::vector<uint8_t> p;
            proto::Writer w(p);
            w.u64(static_cast<uint64_t>(plan.wall_offset));
            w.u8(1);  // the collector's ticks follow: the replay ticks with them only
            add(RecordEntry::WallClock, 0, plan.begins_at, p.data(), p.size(), out);
          }
          stage = plan.ok ? Stage::Hellos : Stage::Finished;
          if (!plan.ok) take(out);
          break;
        }
        case Stage::Hellos:  // every node's Hello first, as they all come before the snapshots
          for (NodeKey k : nodes)
            if (const Node* n = key().node(k)) hello(*n, out);
          stage = Stage::Nodes;
          break;
        case Stage::Nodes:
          if (!step_nodes(out)) stage = Stage::Stream;
          break;
        case Stage::Stream:
          if (!step_stream(out)) {
            take(out);
            stage = Stage::Finished;
          }
          break;
        case Stage::Finished:
          break;
      }
    }
    return out.size() > start;
  }
};

HistoryExport::HistoryExport(HistoryExportPlan plan) : impl_(std::make_unique<Impl>(std::move(plan))) {}
HistoryExport::~HistoryExport() = default;
bool HistoryExport::ok() const { return impl_->plan.ok; }
bool HistoryExport::next(std::vector<uint8_t>& out, size_t max_bytes) { return impl_->next(out, max_bytes); }
bool HistoryExport::done() const { return impl_->stage == Impl::Stage::Finished; }
uint64_t HistoryExport::bytes() const { return impl_->bytes; }
uint64_t HistoryExport::entries() const { return impl_->entries; }
uint64_t HistoryExport::begins_at() const { return impl_->plan.begins_at; }
uint64_t HistoryExport::ends_at() const { return impl_->plan.ends_at; }

bool write_history_export(HistoryExportPlan plan, const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  HistoryExport x(std::move(plan));
  std::vector<uint8_t> part;
  bool ok = true;
  while (ok && x.next(part, 4u << 20)) {
    ok = std::fwrite(part.data(), 1, part.size(), f) == part.size();
    part.clear();
  }
  ok = std::fclose(f) == 0 && ok;
  if (!ok) error = "cannot write " + path + ": " + std::strerror(errno);
  return ok;
}

}  // namespace actorscope::collector
