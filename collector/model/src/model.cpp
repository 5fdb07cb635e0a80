// The model's nodes, event log, change journal and read accessors.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <system_error>
#include <thread>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <utility>

#include "model_impl.hpp"
#include "actorscope/collector/history.hpp"

namespace actorscope::collector {

namespace {
struct RowChunkPool {
  std::mutex mu;
  std::condition_variable wake;  // the warmer: fewer than kRowChunksWarm are kept
  std::vector<void*> kept;
  bool warmer = false;           // the warmer thread was started
};
// Never destroyed: models held by statics may give their chunks back after exit began, and
// the warmer waits on it until the process ends.
RowChunkPool& row_chunk_pool() {
  static RowChunkPool* pool = new RowChunkPool;
  return *pool;
}

void* fresh_chunk(bool touch) {
  void* p = std::aligned_alloc(RowStore::kChunkBytes, RowStore::kChunkBytes);
  if (!p) throw std::bad_alloc();
  advise_huge_pages(p, RowStore::kChunkBytes);
  if (touch)  // faulted in (and zeroed by the kernel) here, not where it is taken
    for (size_t at = 0; at < RowStore::kChunkBytes; at += 4096) static_cast<volatile char*>(p)[at] = 0;
  return p;
}

// The warmer's thread: keeps kRowChunksWarm chunks faulted in, so that the thread that takes
// one (the collector's loop) does not wait for the kernel to zero 2 MiB (6 ms on the
// development VM in one huge-page fault, BM_FreshMemory).
void warm_row_chunks(RowChunkPool& pool) {
  std::unique_lock<std::mutex> lock(pool.mu);
  for (;;) {
    pool.wake.wait(lock, [&] { return pool.kept.size() < kRowChunksWarm; });
    lock.unlock();
    void* p = nullptr;
    try {
      p = fresh_chunk(true);
    } catch (const std::bad_alloc&) {
    }
    lock.lock();
    if (!p) return;  // out of memory: chunks are made where they are taken, as without a warmer
    if (pool.kept.size() < kRowChunksKept)
      pool.kept.push_back(p);
    else
      std::free(p);
  }
}
}  // namespace

void* take_row_chunk() {
  RowChunkPool& pool = row_chunk_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    // Started by the first chunk taken: a process whose nodes never outgrow their first
    // chunk (a viewer, a test, a small app) has no warmer and no warm chunks.
    if (!pool.warmer) {
      pool.warmer = true;
      try {
        std::thread(warm_row_chunks, std::ref(pool)).detach();
      } catch (const std::system_error&) {  // no thread: chunks are made where they are taken
      }
    }
    if (!pool.kept.empty()) {
      void* p = pool.kept.back();
      pool.kept.pop_back();
      if (pool.kept.size() < kRowChunksWarm) pool.wake.notify_one();
      return p;
    }
    pool.wake.notify_one();
  }
  return fresh_chunk(false);
}

void give_row_chunk(void* chunk) {
  if (!chunk) return;
  RowChunkPool& pool = row_chunk_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    if (pool.kept.size() < kRowChunksKept) {
      if (pool.kept.capacity() == 0) pool.kept.reserve(kRowChunksKept);
      pool.kept.push_back(chunk);
      return;
    }
  }
  std::free(chunk);
}

Model::Model(ModelSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() { drop_keyframe(); }  // before the rows it copies into go

std::unique_ptr<Model> Model::clone() const {
  std::unique_ptr<Model> copy(new Model(std::make_unique<Impl>(*impl_)));
  Impl& c = *copy->impl_;  // its journal starts empty: older versions are TooOld for it
  c.journal_head = 0;
  c.journal_count = 0;
  c.journal_lost_version = c.version;
  return copy;
}

// What a keyframe holds differently from a plain copy: its event log frozen, its strings
// shared with the live model's (they never change), and, for one made in steps, its nodes'
// rows and indexes empty until copied.
std::unique_ptr<Model> Model::clone_keyframe() const {
  EventRing::FreezeCopies frozen;
  StringPool::ShareCopies shared;
  return clone();
}

void Model::begin_keyframe() {
  drop_keyframe();
  {
    DeferTableCopies deferred;
    keyframe_ = clone_keyframe();
  }
  Impl& key = *keyframe_->impl_;
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    NodeData* from = impl_->nodes[i].get();
    if (!from) continue;
    from->index.copy_into(key.nodes[i]->index);
    from->rows.copy_into(key.nodes[i]->rows);
    from->kept_incidents.freeze_into(key.nodes[i]->kept_incidents);
  }
  impl_->incident_log.freeze_into(key.incident_log);
  impl_->lifecycle_log.freeze_into(key.lifecycle_log);
  impl_->telemetry_log.freeze_into(key.telemetry_log);
  keyframe_node_ = 0;
}

std::unique_ptr<Model> Model::continue_keyframe(size_t max_bytes) {
  if (!keyframe_) return nullptr;
  auto& nodes = impl_->nodes;
  // Nodes made since the copy began are not in it (and have no copy in progress). Each call
  // copies something, however small max_bytes is.
  size_t spent = 0;
  auto left = [&] { return max_bytes > spent ? max_bytes - spent : 1; };
  for (EventRing* ring : {&impl_->incident_log, &impl_->lifecycle_log, &impl_->telemetry_log}) {
    if (ring->freezing()) spent += ring->freeze_some(left());
    if (ring->freezing()) return nullptr;
  }
  for (; keyframe_node_ < nodes.size(); ++keyframe_node_) {
    NodeData* n = nodes[keyframe_node_].get();
    if (!n) continue;
    if (n->kept_incidents.freezing()) spent += n->kept_incidents.freeze_some(left());
    if (n->kept_incidents.freezing()) return nullptr;
    if (n->index.copying()) spent += n->index.copy_some(left());
    if (n->index.copying()) return nullptr;
    if (n->rows.copying()) spent += n->rows.copy_some(std::max<size_t>(left() / sizeof(Actor), 1)) * sizeof(Actor);
    if (n->rows.copying()) return nullptr;
  }
  return std::move(keyframe_);
}

void Model::drop_keyframe() {
  if (!keyframe_) return;
  for (auto& n : impl_->nodes)
    if (n) {
      n->index.abandon_copy();
      n->rows.abandon_copy();
      n->kept_incidents.abandon_freeze();
    }
  impl_->incident_log.abandon_freeze();
  impl_->lifecycle_log.abandon_freeze();
  impl_->telemetry_log.abandon_freeze();
  keyframe_.reset();
}

const ModelSettings& Model::settings() const { return impl_->settings; }
void Model::set_now(uint64_t now_ns) { impl_->now = now_ns; }
uint64_t Model::now() const { return impl_->now; }
void Model::set_history(History* history) {
  drop_keyframe();  // the history that began it is not the one that would get it
  history_ = history;
  if (history_) history_->on_attach(*this);
}
uint64_t Model::events_logged(EventKind kind) const { return impl_->events_by_kind[static_cast<size_t>(kind)]; }

// ---- event log and journal ----------------------------------------------------------------------
Event& Model::Impl::push_event(EventKind kind, NodeKey node) {
  uint64_t seq = next_seq++;
  ++events_by_kind[static_cast<size_t>(kind)];
  std::optional<EventKind> evicted;
  EventRing& ring = ring_of(kind);
  Event& e = &ring == &incident_log ? ring.push(evicted, &evicted_incident) : ring.push(evicted);
  if (evicted && &ring == &incident_log) {
    keep_incident(std::move(evicted_incident));
    evicted.reset();
  }
  if (evicted) count_dropped_event(*evicted);
  e = Event{};
  e.seq = seq;
  e.at_ns = now;
  e.kind = kind;
  e.node = node;
  return e;
}

void Model::Impl::count_dropped_event(EventKind kind) {
  ++events_dropped;
  ++events_dropped_by_kind[static_cast<size_t>(kind)];
}

// An incident the shared ring pushed out stays among its node's newest few: a storm on one
// node then costs another node nothing but its routine events.
void Model::Impl::keep_incident(Event&& e) {
  size_t keep = settings.event_log_incidents_kept_per_node;
  NodeData* n = (e.node != 0 && e.node <= nodes.size()) ? nodes[e.node - 1].get() : nullptr;
  if (!n || keep == 0) {
    count_dropped_event(e.kind);
    return;
  }
  if (!n->kept_incidents.allocated()) n->kept_incidents.set_capacity(keep);
  std::optional<EventKind> evicted;
  n->kept_incidents.push(evicted) = std::move(e);
  if (evicted) count_dropped_event(*evicted);
}

uint64_t Model::commit() {
  if (impl_->dirty) {
    ++impl_->version;
    impl_->dirty = false;
  }
  return impl_->version;
}

uint64_t Model::version() const { return impl_->version; }

SinceResult Model::changes_since(uint64_t since, std::vector<Change>& out) const {
  const Impl& m = *impl_;
  if (since < m.journal_lost_version) return SinceResult::TooOld;
  for (size_t i = 0; i < m.journal_count; ++i) {
    const Change& c = m.journal[(m.journal_head + i) % m.journal.size()];
    if (c.version > since && c.version <= m.version) out.push_back(c);
  }
  return SinceResult::Ok;
}

static bool matches(const Event& e, const EventQuery& q) {
  if (!(q.kinds & (1u << static_cast<unsigned>(e.kind)))) return false;
  if (q.node != 0 && e.node != q.node) return false;
  if (q.actor != 0 && e.actor != q.actor && e.other != q.actor && e.new_actor != q.actor) return false;
  return true;
}

// Walks the rings as one log in seq order (newest first with before_seq, else oldest first):
// a heap of each ring's next event, so a query costs log(rings) per event examined.
std::vector<const Event*> Model::events(const EventQuery& q, size_t* scanned_out, uint64_t* stopped_at) const {
  const Impl& m = *impl_;
  // The three shares, and the incidents nodes kept past the shared one.
  std::vector<const EventRing*> rings;
  if (q.kinds & kIncidentEvents) {
    rings.push_back(&m.incident_log);
    for (const auto& n : m.nodes)
      if (n && n->kept_incidents.size() > 0 && (q.node == 0 || n->info.key == q.node)) rings.push_back(&n->kept_incidents);
  }
  if (q.kinds & kRoutineEvents) rings.push_back(&m.lifecycle_log);
  if (q.kinds & kTelemetryEvents) rings.push_back(&m.telemetry_log);
  bool newest_first = q.before_seq != 0;
  // (seq, ring, position): newest first, position counts the events left below.
  struct Next {
    uint64_t seq;
    size_t ring;
    size_t pos;
  };
  auto later = [newest_first](const Next& a, const Next& b) { return newest_first ? a.seq < b.seq : a.seq > b.seq; };
  std::vector<Next> heap;
  heap.reserve(rings.size());
  auto offer = [&](size_t i, size_t pos) {
    const EventRing& r = *rings[i];
    if (newest_first ? pos == 0 : pos >= r.size()) return;
    heap.push_back({(newest_first ? r.at(pos - 1) : r.at(pos)).seq, i, pos});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (size_t i = 0; i < rings.size(); ++i) offer(i, rings[i]->count_before(newest_first ? q.before_seq : q.after_seq + 1));
  std::vector<const Event*> out;
  size_t scanned = 0;
  uint64_t stop = 0;
  while (out.size() < q.limit && scanned < q.max_scan && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Next n = heap.back();
    heap.pop_back();
    const Event& e = newest_first ? rings[n.ring]->at(n.pos - 1) : rings[n.ring]->at(n.pos);
    offer(n.ring, newest_first ? n.pos - 1 : n.pos + 1);
    ++scanned;
    stop = e.seq;
    if (matches(e, q)) out.push_back(&e);
  }
  if (scanned_out) *scanned_out = scanned;
  if (stopped_at) *stopped_at = stop;
  return out;
}

std::vector<const Event*> Model::events_since(uint64_t seq, size_t limit) const {
  EventQuery q;
  q.after_seq = seq;
  q.limit = limit;
  return events(q);
}

uint64_t Model::last_event_seq() const { return impl_->next_seq - 1; }

// ---- nodes ---------------------------------------------------------------------------------------------
NodeKey Model::on_hello(uint64_t conn, const proto::Hello& hello) {
  Impl& m = *impl_;
  // What the peer named itself is kept and exported: valid UTF-8, length-capped.
  proto::Hello h = hello;
  h.node = m.clean(hello.node);
  h.host = m.clean(hello.host);
  h.program = m.clean(hello.program);
  NodeKey key;
  NodeData* n;
  auto it = m.by_name.find(h.node);
  EventKind kind;
  uint64_t unseen_before = 0;
  if (it == m.by_name.end()) {
    m.nodes.push_back(std::make_unique<NodeData>());
    key = static_cast<NodeKey>(m.nodes.size());
    n = m.nodes.back().get();
    n->info.key = key;
    n->info.name = h.node;
    n->series = SeriesRing(m.settings.series_points);
    n->parent_walk_credit = m.settings.parent_walk_credit;
    n->successor_scan_credit = m.settings.successor_scan_credit;
    n->prev_step_ns = m.now;  // its first rate window starts here: what it sends before the next step counts
    m.by_name.emplace(h.node, key);
    kind = EventKind::NodeConnected;
  } else {
    key = it->second;
    n = m.nodes[key - 1].get();
    if (n->info.incarnation == h.incarnation) {
      ++n->info.reconnects;
      kind = EventKind::NodeReconnected;
    } else {
      // A new process: its actors, ids and cumulative counters start over.
      ++n->info.app_restarts;
      kind = EventKind::NodeRestarted;
      unseen_before = n->info.unseen_exits;
      m.remove_all_actors(*n);
      for (TypeAggregate& t : n->types) {
        t.spawns.fold();
        t.exits.fold();
        t.retired_enqueued.fold();
        t.retired_dequeued.fold();
        t.retired_busy_ns.fold();
        for (auto& c : t.retired_hist) c.fold();
        for (auto& c : t.exit_reasons) c.fold();
        t.agent_reports_reasons = false;  // the new process's agent says for itself
      }
      for (size_t i = 0; i < proto::kDropKindCount; ++i) {
        n->drops_base[i] += n->drops_last[i];
        n->drops_last[i] = 0;
      }
    }
  }
  Node& info = n->info;
  info.host = h.host;
  info.program = h.program;
  info.pid = h.pid;
  info.incarnation = h.incarnation;
  info.rates_in_reductions = (h.capabilities & proto::kCapReductions) != 0;
  info.flow = (h.capabilities & proto::kCapFlow) != 0;
  info.state = NodeState::Connected;
  info.connection = conn;
  info.connected_at_ns = m.now;
  info.gone_at_ns = 0;
  info.anchor_mono_ns = h.anchor_mono_ns;
  info.anchor_wall_ns = h.anchor_wall_ns;
  info.snapshot_in_progress = false;
  n->strings.clear();
  m.cached = {};
  Event& e = m.push_event(kind, key);
  e.detail = h.node + " (pid " + std::to_string(h.pid) + ", " + h.program + ")";
  if (n->info.unseen_exits > unseen_before)
    e.detail += "; " + std::to_string(n->info.unseen_exits - unseen_before) +
                " actors of the previous process counted as exited (reason unknown)";
  e.detail = clean_text(e.detail, 2 * m.settings.max_text_bytes);
  m.note_change(key, ChangeKind::NodeChanged, 0);
  if (history_) history_->on_hello(*this, m.now, conn, hello);
  return key;
}

void Model::on_disconnect(NodeKey key, uint64_t conn) {
  Impl& m = *impl_;
  AfterInput recorded([&] {
    if (history_) history_->on_disconnect(*this, m.now, key, conn);
  });
  if (key == 0 || key > m.nodes.size() || !m.nodes[key - 1]) return;
  NodeData& n = *m.nodes[key - 1];
  if (n.info.connection != conn || n.info.state == NodeState::Gone) return;
  n.info.state = NodeState::Gone;
  n.info.connection = 0;
  n.info.gone_at_ns = m.now;
  n.info.snapshot_in_progress = false;
  n.strings.clear();  // string ids belong to the connection; a reconnect defines them again
  Event& e = m.push_event(EventKind::NodeDisconnected, key);
  e.detail = n.info.name;
  m.note_change(key, ChangeKind::NodeChanged, 0);
  // Each gone node keeps its time series (tens of KB): a peer cycling connections must not
  // pile up thousands of them between two steps.
  if (++m.disconnects_since_sweep > std::max<size_t>(m.settings.max_gone_nodes, 16)) m.forget_gone_past_count();
}

uint64_t Model::connection_of(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->info.connection : 0;
}

std::vector<std::pair<uint32_t, Str>> Model::agent_strings(NodeKey key) const {
  std::vector<std::pair<uint32_t, Str>> out;
  if (const NodeData* n = std::as_const(*impl_).node(key)) n->strings.for_each([&](uint32_t id, Str s) { out.emplace_back(id, s); });
  return out;
}

std::vector<NodeKey> Model::node_keys() const {
  std::vector<NodeKey> keys;
  for (size_t i = 0; i < impl_->nodes.size(); ++i)
    if (impl_->nodes[i]) keys.push_back(static_cast<NodeKey>(i + 1));
  return keys;
}

const Node* Model::node(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? &n->info : nullptr;
}

NodeKey Model::find_node(std::string_view name) const {
  auto it = impl_->by_name.find(text_is_clean(name, impl_->settings.max_text_bytes)
                                    ? std::string(name)
                                    : clean_text(name, impl_->settings.max_text_bytes));
  return it == impl_->by_name.end() ? 0 : it->second;
}

// ---- actors, supervisors, aggregates -------------------------------------------------------------------
ActorRows Model::actor_rows(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->rows.view() : ActorRows();
}

const Actor* Model::actor(NodeKey key, uint64_t id) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return nullptr;
  Row r = n->index.find(id, n->rows);
  return r == kNoRow ? nullptr : &n->rows[r];
}

Row Model::row_of(NodeKey key, uint64_t id) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->index.find(id, n->rows) : kNoRow;
}

Row Model::first_root(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? n->root_first : kNoRow;
}

Row Model::first_child_of(NodeKey key, uint64_t parent) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return kNoRow;
  Row r = n->index.find(parent, n->rows);
  return r == kNoRow ? kNoRow : n->rows[r].first_child;
}

const Supervisor* Model::supervisor(NodeKey key, uint64_t actor) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return nullptr;
  auto it = n->supervisors.find(actor);
  return it == n->supervisors.end() ? nullptr : &it->second;
}

double Model::restart_budget_used(NodeKey key, uint64_t actor) const {
  const Supervisor* s = supervisor(key, actor);
  return s ? restart_budget(*s, impl_->now) : 0.0;
}

std::vector<const Supervisor*> Model::supervisors_of(NodeKey key) const {
  std::vector<const Supervisor*> out;
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return out;
  for (const auto& [id, s] : n->supervisors) out.push_back(&s);
  std::sort(out.begin(), out.end(), [](const Supervisor* a, const Supervisor* b) { return a->actor < b->actor; });
  return out;
}

std::span<const std::pair<Str, uint64_t>> Model::restarts_by_supervisor(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const std::pair<Str, uint64_t>>(n->restarts_by_label) : std::span<const std::pair<Str, uint64_t>>();
}

std::span<const std::pair<Str, uint64_t>> Model::escalations_by_supervisor(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const std::pair<Str, uint64_t>>(n->escalations_by_label) : std::span<const std::pair<Str, uint64_t>>();
}

uint64_t Model::child_restarts(NodeKey key, const Actor& a) const {
  const ChildRecord* c = child(key, a.parent, a.child_id);
  return c ? c->restarts : 0;
}

const Event* Model::event(uint64_t seq) const {
  const Impl& m = *impl_;
  auto find = [seq](const EventRing& ring) -> const Event* {
    size_t below = ring.count_before(seq + 1);
    return below > 0 && ring.at(below - 1).seq == seq ? &ring.at(below - 1) : nullptr;
  };
  for (const EventRing* ring : {&m.incident_log, &m.lifecycle_log, &m.telemetry_log})
    if (const Event* e = find(*ring)) return e;
  for (const auto& n : m.nodes)
    if (n && n->kept_incidents.size() > 0)
      if (const Event* e = find(n->kept_incidents)) return e;
  return nullptr;
}

std::vector<const Event*> Model::recent_incidents(NodeKey key, size_t limit, size_t& scan_budget) const {
  const Impl& m = *impl_;
  std::vector<const Event*> out;
  // The newest of the shared ring first, as far as the budget goes (a storm elsewhere fills
  // it with other nodes' incidents); then the node's own kept ones, which are all older and
  // are read without a scan.
  const EventRing& shared = m.incident_log;
  for (size_t i = shared.size(); i > 0 && out.size() < limit && scan_budget > 0; --i, --scan_budget)
    if (shared.at(i - 1).node == key) out.push_back(&shared.at(i - 1));
  if (const NodeData* n = m.node(key))
    for (size_t i = n->kept_incidents.size(); i > 0 && out.size() < limit; --i) out.push_back(&n->kept_incidents.at(i - 1));
  std::reverse(out.begin(), out.end());
  return out;
}

const ChildRecord* Model::child(NodeKey key, uint64_t supervisor, Str child_id) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n || supervisor == 0 || child_id == 0) return nullptr;
  auto it = n->supervisors.find(supervisor);
  if (it == n->supervisors.end()) return nullptr;
  for (const ChildRecord& c : it->second.per_child)
    if (c.child_id == child_id) return &c;
  return nullptr;
}

uint64_t Model::successor_of_supervisor(NodeKey key, uint64_t gone) const {
  const Impl& m = *impl_;
  const NodeData* n = m.node(key);
  if (!n) return 0;
  return m.live_incarnation(*n, gone, gone);
}

std::span<const TypeAggregate> Model::types(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const TypeAggregate>(n->types) : std::span<const TypeAggregate>();
}

std::span<const TelemetryStats> Model::telemetry(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? std::span<const TelemetryStats>(n->telemetry) : std::span<const TelemetryStats>();
}

const std::array<uint64_t, proto::kDropKindCount>* Model::drops(NodeKey key) const {
  const NodeData* n = std::as_const(*impl_).node(key);
  return n ? &n->info.drops : nullptr;
}

std::vector<SeriesPoint> Model::series(NodeKey key, size_t last_n) const {
  std::vector<SeriesPoint> out;
  const NodeData* n = std::as_const(*impl_).node(key);
  if (!n) return out;
  size_t count = std::min(last_n, n->series.size());
  out.reserve(count);
  for (size_t i = n->series.size() - count; i < n->series.size(); ++i) out.push_back(n->series[i]);
  return out;
}

const std::vector<Warning>& Model::warnings() const { return impl_->warning_list_as_read(); }

// ---- strings and health -----------------------------------------------------------------------------------
std::string_view Model::text(Str id) const { return impl_->pool.text(id); }
StringPool& Model::strings() { return impl_->pool; }

uint64_t Model::table_bytes() const {
  uint64_t bytes = 0;
  for (const auto& n : impl_->nodes)
    if (n) bytes += n->rows.memory_bytes() + n->index.memory_bytes();
  return bytes;
}

ModelStats Model::stats() const {
  const Impl& m = *impl_;
  ModelStats s;
  s.records_applied = m.records;
  s.events_logged = m.next_seq - 1;
  s.events_dropped = m.events_dropped;
  s.events_dropped_by_kind = m.events_dropped_by_kind;
  s.journal_dropped = m.journal_dropped;
  s.warnings_active = m.warnings_active();
  s.warnings_over_cap = m.warnings_over_cap;
  s.strings = m.pool.size();
  s.strings_dropped = m.pool.dropped();
  s.text_invalid_bytes = m.text_invalid_bytes + m.pool.repairs().invalid_bytes;
  s.texts_truncated = m.texts_truncated + m.pool.repairs().truncated;
  s.links_dropped = m.links_dropped;
  s.anomalies = m.anomalies;
  auto ring_bytes = [](const EventRing& ring) {
    uint64_t bytes = ring.frozen_bytes() + ring.slots().capacity() * sizeof(Event);
    for (size_t i = 0; i < ring.slots().size(); ++i)
      if (const Event& e = ring.slots()[i]; e.detail.capacity() > 15) bytes += e.detail.capacity() + 1;  // past the small-string buffer
    return bytes;
  };
  uint64_t mem = m.pool.memory_bytes() + m.journal.capacity() * sizeof(Change);
  for (const EventRing* ring : {&m.incident_log, &m.lifecycle_log, &m.telemetry_log}) mem += ring_bytes(*ring);
  auto text_bytes = [](const std::string& t) { return t.capacity() > 15 ? t.capacity() + 1 : 0; };
  mem += m.row_warnings.bucket_count() * 8;
  for (const auto& [k, rw] : m.row_warnings) mem += sizeof(RowWarning) + sizeof(WarningKey) + 16 + text_bytes(rw.w.text);
  for (const auto& [k, w] : m.other_warnings) mem += sizeof(Warning) + sizeof(WarningKey) + 48 + text_bytes(w.text);
  for (const auto& p : m.nodes) {
    if (!p) continue;
    const NodeData& n = *p;
    ++s.nodes;
    s.live_actors += n.info.live_actors;
    s.supervisors += n.supervisors.size();
    s.types += n.types.size();
    s.links += n.link_ends;
    uint64_t table = n.rows.memory_bytes() + n.index.memory_bytes() + n.free_rows.capacity() * sizeof(Row) +
                     n.watched.capacity() * sizeof(Row) + n.rated.capacity() * sizeof(Row) + n.recheck.capacity() * sizeof(Row) +
                     n.capped.capacity() * sizeof(Row) + n.stuck_wheel.capacity() * sizeof(n.stuck_wheel[0]) +
                     n.warned_gone.capacity() * sizeof(n.warned_gone[0]) +
                     n.budget_watch.capacity() * sizeof(NodeData::BudgetWatch);
    for (const auto& slot : n.stuck_wheel) table += slot.capacity() * sizeof(NodeData::StuckDue);
    s.actor_table_bytes += table;
    mem += sizeof(NodeData) + n.info.name.capacity() * 2 + n.info.host.capacity() + n.info.program.capacity() +
           n.type_slots.size() * 32 + n.telemetry_slots.size() * 32;
    mem += ring_bytes(n.kept_incidents);
    mem += n.flow_pairs.capacity() * sizeof(FlowPair) + n.flow_pair_slots.size() * 32 +
           n.flow_receivers.memory_bytes(m.settings.flow_senders_per_actor) +
           n.handling.size() * (sizeof(HandlingNow) + 32);
    mem += table + n.strings.memory_bytes() + n.types.capacity() * sizeof(TypeAggregate) +
           n.series.memory_bytes() +
           n.links.size() * (sizeof(LinkSet) + 48) + n.link_ends * sizeof(ActorLink);
    for (const auto& [parent, w] : n.orphans) mem += 64 + w.kids.capacity() * sizeof(w.kids[0]);
    for (const auto& [id, sup] : n.supervisors)
      mem += sizeof(Supervisor) + 48 + sup.history.capacity() * 8 + sup.per_child.capacity() * sizeof(ChildRecord);
    for (const auto& t : n.telemetry) {
      mem += sizeof(TelemetryStats) + t.measurements.capacity() * sizeof(MeasurementStats);
      for (const auto& ms : t.measurements) mem += ms.fine.capacity() * sizeof(proto::FineBucket);
    }
  }
  s.memory_bytes = mem;
  return s;
}

}  // namespace actorscope::collector
