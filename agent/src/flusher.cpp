// Each flush: lifecycle list, rings, dirty cells -> records in Batch frames -> socket.
#include "flusher.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cells.hpp"
#include "commands.hpp"
#include "clock.hpp"
#include "ring_records.hpp"
#include "shared.hpp"
#include "strings.hpp"
#include "type_totals.hpp"

namespace actorscope::agent {

inline constexpr uint64_t kHeartbeatNs = 1'000'000'000;
inline constexpr uint64_t kStopWaitNs = 1'000'000'000;
inline constexpr size_t kMaxRecheck = 16384;  // cells re-read once after a flush

std::vector<TypeTotal>& type_totals() {
  static auto* t = new std::vector<TypeTotal>();
  return *t;
}

namespace {

TypeTotal& total_of(uint16_t type) {
  auto& t = type_totals();
  if (type >= t.size()) t.resize(size_t(type) + 1);
  return t[type];
}

template <class T>
T load(const T& field) {
  return __atomic_load_n(&field, __ATOMIC_RELAXED);
}

// A spawn's time: event_ms holds ms since the anchor while the actor lives.
uint64_t spawn_t_ns(const actorscope_actor* a) { return uint64_t(load(a->event_ms)) * 1'000'000; }

// An exit's time: exit() leaves the low 32 bits of µs since the anchor in event_ms (the
// flusher reads it within a flush or two, far inside the 71 min the stamp wraps in). The
// end of that µs: a record of the same µs from another thread sorts before the exit.
uint64_t exit_t_ns(const actorscope_actor* a) {
  uint64_t now_us = since_anchor_ns() / 1000;
  uint32_t ago = static_cast<uint32_t>(now_us) - load(a->event_ms);
  uint64_t us = now_us >= ago ? now_us - ago : 0;
  return us * 1000 + 999;
}

}  // namespace

Flusher::Flusher(Settings s, uint64_t incarnation)
    : s_(std::move(s)), incarnation_(incarnation), backoff_ms_(s_.backoff_min_ms), rng_(incarnation) {}

void Flusher::request_stop() {
  stop_deadline_ns_.store(mono_ns() + kStopWaitNs);
  stop_.store(true);
  Shared& sh = shared();
  std::lock_guard<std::mutex> lock(sh.wake_mu);
  sh.wake_cv.notify_all();
}

void Flusher::log(const std::string& line) {
  if (line == last_log_) return;
  last_log_ = line;
  std::fprintf(stderr, "actorscope: %s\n", line.c_str());
}

void Flusher::run() {
  Shared& sh = shared();
  for (;;) {
    bool stopping = stop_.load();
    try {
      if (!stopping) maybe_connect();
      flush();
      if (!stopping && conn_.is_open() && !conn_.poll_incoming(0)) on_lost();
      if (!stopping && conn_.is_open()) run_commands();
    } catch (...) {
      // Out of memory while encoding: give up this connection; the next one resends all.
      log("out of memory while flushing; reconnecting");
      conn_.close(false);
      shared().connected.store(0);
    }
    if (stopping) break;
    std::unique_lock<std::mutex> lock(sh.wake_mu);
    sh.wake_cv.wait_for(lock, std::chrono::milliseconds(s_.flush_ms),
                        [&] { return stop_.load() || sh.wake_requested.load(std::memory_order_relaxed); });
  }
  set_flow_sampling(0);
  try {
    conn_.close(true);
  } catch (...) {
  }
  sh.connected.store(0);
}

void Flusher::maybe_connect() {
  if (conn_.is_open() || s_.collector.kind == Address::Kind::None) return;
  uint64_t now = mono_ns();
  if (now < next_attempt_ns_) return;
  std::string message;
  uint64_t caps = s_.allow_commands ? uint64_t(proto::kCapCommands) : 0;
  if (s_.flow_sample_every) caps |= proto::kCapFlow;
  Connection::Open r = conn_.open(s_, incarnation_, caps, message);
  Shared& sh = shared();
  if (r == Connection::Open::Ok) {
    // Sampling runs only while a collector takes what it samples.
    set_flow_sampling(conn_.flow_granted() ? s_.flow_sample_every : 0);
    handling_sent_ = 0;
    sh.connects.fetch_add(1);
    sh.connected.store(1);
    backoff_ms_ = s_.backoff_min_ms;
    log("connected to " + s_.collector.text + " as " + s_.node);
    send_snapshot();
    return;
  }
  if (r == Connection::Open::Rejected)
    log(message + "; retrying later");
  else
    log("collector " + s_.collector.text + " unreachable (" + message + "); retrying quietly");
  // Exponential backoff with jitter: a random delay in [backoff/2, backoff].
  uint64_t half = backoff_ms_ / 2;
  uint64_t delay_ms = half + (half ? rng_() % (half + 1) : 0);
  next_attempt_ns_ = mono_ns() + delay_ms * 1'000'000;
  backoff_ms_ = static_cast<uint32_t>(std::min<uint64_t>(uint64_t(backoff_ms_) * 2, s_.backoff_max_ms));
}

void Flusher::run_commands() {
  std::vector<proto::Command> todo;
  todo.swap(conn_.commands());
  for (const proto::Command& c : todo) {
    proto::CommandResult r = run_command(c, s_.allow_commands);
    if (!conn_.send_command_result(r)) {
      on_lost();
      return;
    }
  }
}

void Flusher::on_lost() {
  shared().connected.store(0);
  set_flow_sampling(0);
  log("connection to " + s_.collector.text + " lost (" + conn_.lost_reason() + "); reconnecting");
  backoff_ms_ = s_.backoff_min_ms;
  uint64_t delay_ms = backoff_ms_ / 2 + rng_() % (backoff_ms_ / 2 + 1);
  next_attempt_ns_ = mono_ns() + delay_ms * 1'000'000;
}

void Flusher::flush() {
  Shared& sh = shared();
  sh.wake_requested.store(false, std::memory_order_relaxed);
  // Stopping: everything before the stop's deadline. Otherwise no deadline for the flush as a
  // whole: each piece sent (kSendChunkBytes) has kSendTimeoutMs of its own, so a collector that
  // reads slowly but steadily keeps its agent, and only one that stops reading loses it (a
  // million actors' snapshot is 128 MB: within one timeout it failed, and was sent again).
  conn_.set_deadline(stop_.load() ? stop_deadline_ns_.load() : 0);
  ++flush_no_;
  bool was_open = conn_.is_open();

  // The last flush before stopping sends everything: nothing comes after it.
  uint64_t cut = stop_.load() ? UINT64_MAX : since_anchor_ns();
  drain_lifecycle();
  std::vector<ThreadState*> threads = registered_threads(), orphans;
  drain_rings(threads, orphans);
  emit_pending(cut);
  emit_changed_stats(threads);
  emit_flow(threads);
  free_orphans(orphans);
  emit_type_totals(false);
  if (conn_.is_open()) {
    emit_dropped();
    uint64_t now = mono_ns();
    if (now - last_heartbeat_ns_ >= kHeartbeatNs) {
      last_heartbeat_ns_ = now;
      proto::Heartbeat hb;
      hb.t_ns = since_anchor_ns();
      hb.live_actors = sh.live_actors.load();
      hb.agent_bytes = cells().bytes() + sh.budget_used.load();
      hb.ring_bytes_used = ring_bytes_used();
      hb.flushes = sh.flushes.load() + 1;
      conn_.emit(hb);
    }
    conn_.send_queued();
  }
  sh.bytes_sent.store(conn_.bytes_sent());
  if (was_open && !conn_.is_open()) on_lost();
  cells().release_quarantined(flush_no_);
  sh.flushes.fetch_add(1);
}

void Flusher::emit_flow(const std::vector<ThreadState*>& threads) {
  // Taken even when not connected (sampling stops then, but a send may race with that).
  bool send = conn_.flow_granted();
  proto::FlowEdges rec;
  rec.sample_every = s_.flow_sample_every ? s_.flow_sample_every : 1;
  uint64_t unrecorded = take_flow_unrecorded_elsewhere();
  for (ThreadState* st : threads)
    st->flow.take(
        [&](const FlowEdgeCount& e) {
          if (!send) return;
          rec.edges[rec.n++] = proto::FlowEdge{e.from, e.to, conn_.str(e.type), e.count,
                                               e.from ? conn_.str(type_string(e.from_type)) : 0, conn_.str(type_string(e.to_type))};
          if (rec.n == proto::kMaxFlowEdges) {
            rec.unrecorded = unrecorded;
            unrecorded = 0;
            conn_.emit(rec);
            rec.n = 0;
          }
        },
        unrecorded);
  if (!send) return;
  rec.unrecorded = unrecorded;
  if (rec.n > 0 || rec.unrecorded > 0) conn_.emit(rec);

  // What each thread is handling now, read consistently (its thread may be writing it).
  proto::Handling h;
  h.t_ns = since_anchor_ns();
  uint64_t now = actorscope_now();
  for (ThreadState* st : threads) {
    if (h.n == proto::kMaxHandling || st->orphaned.load(std::memory_order_acquire)) continue;
    const actorscope_running& slot = st->running;
    for (int attempt = 0; attempt < 4; ++attempt) {
      uint32_t q = __atomic_load_n(&slot.seq, __ATOMIC_ACQUIRE);
      uint64_t actor = __atomic_load_n(&slot.actor, __ATOMIC_RELAXED);
      uint32_t type = __atomic_load_n(&slot.type, __ATOMIC_RELAXED);
      uint64_t since = __atomic_load_n(&slot.since, __ATOMIC_RELAXED);
      __atomic_thread_fence(__ATOMIC_ACQUIRE);
      if ((q & 1) || __atomic_load_n(&slot.seq, __ATOMIC_RELAXED) != q) continue;
      if (actor != 0) h.now[h.n++] = proto::HandlingNow{actor, conn_.str(type), now > since ? ticks_to_ns(now - since) : 0};
      break;
    }
  }
  if (h.n > 0 || handling_sent_ > 0) conn_.emit(h);
  handling_sent_ = h.n;
}

void Flusher::send_snapshot() {
  uint64_t live = 0;
  cells().for_each([&](actorscope_actor* a) { live += reported_live(load_state(a)); });
  proto::SnapshotBegin begin;
  begin.snapshot = ++snapshot_id_;
  begin.actors = live;
  conn_.emit(begin);
  std::map<uint32_t, uint64_t> live_restarts;  // by supervisor label: what the ActorStats below say
  cells().for_each([&](actorscope_actor* a) {
    uint8_t st = load_state(a);
    if (!reported_live(st)) return;
    emit_spawned(a, st == kLive ? spawn_t_ns(a) : exit_t_ns(a));  // exiting: event_ms holds the exit
    uint64_t restarts = emit_stats(a);
    if (load(a->flags) & 1) live_restarts[a->name != 0 ? a->name : a->child_id] += restarts;
  });
  emit_type_totals(true);
  emit_snapshot_totals(live_restarts);
  emit_dropped();
  conn_.emit(proto::SnapshotEnd{snapshot_id_});
  conn_.send_queued();
}

void Flusher::emit_snapshot_totals(const std::map<uint32_t, uint64_t>& live_restarts) {
  if (!conn_.is_open()) return;
  // Escalations of live supervisors, by label (the ids are looked up once per snapshot).
  std::map<uint32_t, uint64_t> live_escalations;
  if (!escalations_.empty())
    cells().for_each([&](actorscope_actor* a) {
      auto it = escalations_.find(a->id);
      if (it != escalations_.end() && reported_live(load_state(a)))
        live_escalations[a->name != 0 ? a->name : a->child_id] += it->second;
    });
  std::map<uint32_t, SupervisorTotal> totals = exited_supervisors_;
  for (const auto& [label, n] : live_restarts) totals[label].restarts += n;
  for (const auto& [label, n] : live_escalations) totals[label].escalations += n;
  for (const auto& [label, t] : totals) {
    if (t.restarts == 0 && t.escalations == 0) continue;
    conn_.emit(proto::SupervisorTotals{conn_.str(label), t.restarts, t.escalations});
  }
  for (const auto& [event, n] : telemetry_counts_) {
    proto::StringId id = conn_.str(event);
    if (id != 0) conn_.emit(proto::TelemetryTotals{id, n});
  }
}

void Flusher::drain_lifecycle() {
  for (actorscope_actor* a = lifecycle_take_all(); a;) {
    actorscope_actor* next = a->next;  // read first: once live, an exit may push it again
    uint8_t st = load_state(a);
    if (st == kSpawnPending) {
      if (__atomic_compare_exchange_n(&a->lifecycle, &st, uint8_t(kLive), false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
        TypeTotal& t = total_of(a->type);
        ++t.spawned;
        t.changed = true;
        // Read now: once live, an exit may overwrite event_ms before the records go out.
        pending_.push_back({spawn_t_ns(a), Pending::Spawn, a, 0, 0});
        a = next;
        continue;
      }
    }
    while (st == kExitingUnreported || st == kExitingReported) {  // exit() is writing the cell
      std::this_thread::yield();
      st = load_state(a);
    }
    if (st == kExitBeforeReport) {
      TypeTotal& t = total_of(a->type);
      ++t.spawned;
      // Its spawn time is gone (the exit overwrote it): the spawn record carries the exit's
      // time and goes first of all, before anything this actor did (a supervisor's restarts).
      uint64_t at = exit_t_ns(a);
      pending_.push_back({0, Pending::SpawnOfExited, a, at, 0});
      pending_.push_back({at, Pending::Exit, a, 0, 0});
    } else if (st == kExitPending) {
      pending_.push_back({exit_t_ns(a), Pending::Exit, a, 0, 0});
    }
    a = next;
  }
}

void Flusher::emit_pending(uint64_t cut_ns) {
  // Each source is in order already (one thread's ring, the lifecycle list per cell); a
  // stable sort by the agent's clock merges them and keeps equal times in arrival order.
  std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& x, const Pending& y) { return x.t_ns < y.t_ns; });
  later_.clear();
  later_bytes_.clear();
  for (const Pending& p : pending_) {
    if (p.t_ns >= cut_ns && p.kind != Pending::Spawn) {
      Pending keep = p;
      if (p.kind == Pending::Ring) {
        keep.offset = later_bytes_.size();
        later_bytes_.insert(later_bytes_.end(), ring_bytes_.begin() + static_cast<std::ptrdiff_t>(p.offset),
                            ring_bytes_.begin() + static_cast<std::ptrdiff_t>(p.offset + p.size));
      }
      later_.push_back(keep);
      continue;
    }
    switch (p.kind) {
      case Pending::Spawn:
        emit_spawned(p.cell, p.t_ns);
        emit_stats(p.cell);
        break;
      case Pending::SpawnOfExited:
        emit_spawned(p.cell, p.offset);  // offset holds the record's time
        emit_stats(p.cell);
        break;
      case Pending::Exit:
        report_exit(p.cell, p.t_ns);
        break;
      case Pending::Ring:
        handle_ring_record(ring_bytes_.data() + p.offset, p.size);
        break;
    }
  }
  pending_.swap(later_);
  ring_bytes_.swap(later_bytes_);
}

void Flusher::report_exit(actorscope_actor* a, uint64_t t_ns) {
  emit_stats(a);  // final counters first
  proto::ActorExited m;
  m.t_ns = t_ns;
  m.actor = a->id;
  m.reason = static_cast<proto::ExitReason>(a->exit_reason);
  std::string text = reason_texts().take(a->exit_text);
  a->exit_text = 0;
  m.reason_inline = text;
  if (conn_.is_open()) conn_.emit(m);

  TypeTotal& t = total_of(a->type);
  ++t.exited;
  ++t.exited_by_reason[a->exit_reason < proto::kExitReasonCount ? a->exit_reason : proto::kExitReasonCount - 1];
  if (load(a->flags) & 1) {  // a supervisor: its counts join those of its label's exited ones
    SupervisorTotal& s = exited_supervisors_[a->name != 0 ? a->name : a->child_id];
    s.restarts += load(a->restarts);
    if (auto it = escalations_.find(a->id); it != escalations_.end()) {
      s.escalations += it->second;
      escalations_.erase(it);
    }
  }
  t.enqueued += load(a->enqueued);
  t.dequeued += load(a->dequeued);
  t.busy_ns += ticks_to_ns(load(a->busy_ticks));
  for (size_t i = 0; i < proto::kHistogramBuckets; ++i) t.hist[i] += load(a->hist[i]);
  t.changed = true;

  __atomic_store_n(&a->lifecycle, uint8_t(kDead), __ATOMIC_RELEASE);
  cells().quarantine(a, flush_no_);
}

void Flusher::emit_spawned(const actorscope_actor* a, uint64_t t_ns) {
  if (!conn_.is_open()) return;
  proto::ActorSpawned m;
  m.t_ns = t_ns;
  m.actor = a->id;
  m.parent = a->parent_id;
  m.name = conn_.str(a->name);
  m.type = conn_.str(type_string(a->type));
  m.child_id = conn_.str(a->child_id);
  uint8_t flags = load(a->flags);
  m.kind = static_cast<proto::ActorKind>(flags & 1);
  m.restart = static_cast<proto::RestartType>((flags >> 1) & 3);
  m.strategy = static_cast<proto::Strategy>((flags >> 3) & 7);
  m.intensity = a->intensity;
  m.period_ms = a->period_ms;
  conn_.emit(m);
}

uint64_t Flusher::emit_stats(const actorscope_actor* a) {
  if (!conn_.is_open()) return 0;
  proto::ActorStats m;
  m.actor = a->id;
  m.enqueued = load(a->enqueued);
  m.dequeued = load(a->dequeued);
  uint32_t depth = load(a->depth);
  m.mailbox = depth != UINT32_MAX ? depth : (m.enqueued > m.dequeued ? m.enqueued - m.dequeued : 0);
  m.busy_ns = ticks_to_ns(load(a->busy_ticks));
  m.restarts = load(a->restarts);
  for (size_t i = 0; i < proto::kHistogramBuckets; ++i) m.hist[i] = load(a->hist[i]);
  conn_.emit(m);
  return m.restarts;
}

void Flusher::drain_rings(std::vector<ThreadState*>& threads, std::vector<ThreadState*>& orphans) {
  for (ThreadState* st : threads) {
    // Seen orphaned before draining: its thread wrote its last record already.
    if (st->orphaned.load(std::memory_order_acquire)) orphans.push_back(st);
    while (st->ring.pop(rec_buf_)) {
      // Every ring record starts with its kind (u8) and the agent's time (u64).
      RingReader r(rec_buf_);
      r.get<uint8_t>();
      uint64_t t = r.get<uint64_t>();
      pending_.push_back({t, Pending::Ring, nullptr, ring_bytes_.size(), rec_buf_.size()});
      ring_bytes_.insert(ring_bytes_.end(), rec_buf_.begin(), rec_buf_.end());
    }
  }
}

void Flusher::handle_ring_record(const uint8_t* rec, size_t size) {
  RingReader r(rec, size);
  auto kind = static_cast<RingKind>(r.get<uint8_t>());
  DropKind drop = kind == RingKind::ChildRestarted || kind == RingKind::Escalated ? DropKind::Restart
                  : kind == RingKind::Link         ? DropKind::Link
                                                   : DropKind::Telemetry;
  // Counted whether or not a collector hears of it: the snapshot carries the totals.
  if (kind == RingKind::Escalated || kind == RingKind::Telemetry) {
    RingReader c(rec, size);
    c.get<uint8_t>();
    c.get<uint64_t>();
    if (kind == RingKind::Escalated) {
      ++escalations_[c.get<uint64_t>()];
    } else {
      c.get<uint64_t>();
      uint32_t event = strings().intern(c.text());
      if (event != 0) ++telemetry_counts_[event];
    }
  }
  if (!conn_.is_open()) {
    count_drop(drop);  // not kept while disconnected: live state goes in the next snapshot
    return;
  }
  bool sent = false;
  StringTable& st = strings();
  switch (kind) {
    case RingKind::ChildRestarted: {
      proto::ChildRestarted m;
      m.t_ns = r.get<uint64_t>();
      m.supervisor = r.get<uint64_t>();
      m.old_actor = r.get<uint64_t>();
      m.new_actor = r.get<uint64_t>();
      uint8_t reason = r.get<uint8_t>();
      m.reason = static_cast<proto::ExitReason>(reason <= 5 ? reason : 5);
      m.child_id = conn_.str(st.intern(r.text()));
      m.reason_inline = r.text();  // not interned: see ReasonTexts
      sent = conn_.emit(m);
      break;
    }
    case RingKind::Escalated: {
      proto::SupervisorEscalated m;
      m.t_ns = r.get<uint64_t>();
      m.supervisor = r.get<uint64_t>();
      sent = conn_.emit(m);
      break;
    }
    case RingKind::Link: {
      proto::Link m;
      m.t_ns = r.get<uint64_t>();
      m.a = r.get<uint64_t>();
      m.b = r.get<uint64_t>();
      uint8_t op = r.get<uint8_t>();
      m.op = static_cast<proto::LinkOp>(op <= 3 ? op : 0);
      sent = conn_.emit(m);
      break;
    }
    case RingKind::Telemetry: {
      proto::Telemetry m;
      m.t_ns = r.get<uint64_t>();
      m.actor = r.get<uint64_t>();
      m.event = conn_.str(st.intern(r.text()));
      m.n_measurements = std::min<uint8_t>(r.get<uint8_t>(), proto::kMaxTelemetryFields);
      for (uint8_t i = 0; i < m.n_measurements; ++i) {
        m.measurements[i].key = conn_.str(st.intern(r.text()));
        m.measurements[i].value = r.get<double>();
      }
      m.n_metadata = std::min<uint8_t>(r.get<uint8_t>(), proto::kMaxTelemetryFields);
      for (uint8_t i = 0; i < m.n_metadata; ++i) {
        m.metadata[i].key = conn_.str(st.intern(r.text()));
        m.metadata[i].value = r.text();
      }
      sent = m.event != 0 && conn_.emit(m);
      break;
    }
    default:
      drop = DropKind::Other;
      break;
  }
  if (!sent) count_drop(drop);
}

void Flusher::emit_changed_stats(std::vector<ThreadState*>& threads) {
  Shared& sh = shared();
  recheck_next_.clear();
  auto remember = [&](actorscope_actor* a) {
    if (recheck_next_.size() >= kMaxRecheck) return;
    recheck_next_.push_back({a, load(a->enqueued), load(a->dequeued), load(a->busy_ticks), load(a->depth),
                             load(a->restarts)});
  };
  // Clear the dirty bytes BEFORE reading the counters: a hook that runs after the read
  // sees a clear byte and marks the cell again.
  auto clear = [](actorscope_actor* a) {
    __atomic_store_n(&a->send_dirty, uint8_t(0), __ATOMIC_RELAXED);
    __atomic_store_n(&a->recv_dirty, uint8_t(0), __ATOMIC_RELAXED);
  };
  auto report = [&](actorscope_actor* a) {
    if (!reported_live(load_state(a))) return;  // spawn or exit reports carry its counters
    emit_stats(a);
    remember(a);
  };

  dirty_.clear();
  for (ThreadState* st : threads) st->dirty.drain([&](actorscope_actor* a) { dirty_.push_back(a); });
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  for (actorscope_actor* a : dirty_) clear(a);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (actorscope_actor* a : dirty_) report(a);

  // A dirty buffer overflowed: walk every cell (no list of them is kept, memory stays flat).
  if (sh.rescan.exchange(false)) {
    cells().for_each([&](actorscope_actor* a) {
      if (!load(a->send_dirty) && !load(a->recv_dirty)) return;
      clear(a);
      __atomic_thread_fence(__ATOMIC_SEQ_CST);
      report(a);
    });
  }

  // A hook whose counter store was still in flight when the byte was cleared is caught
  // here, one flush later, instead of waiting for that actor's next message.
  for (const Recheck& r : recheck_) {
    actorscope_actor* a = r.cell;
    if (std::binary_search(dirty_.begin(), dirty_.end(), a) || !reported_live(load_state(a))) continue;
    if (load(a->enqueued) != r.enqueued || load(a->dequeued) != r.dequeued || load(a->busy_ticks) != r.busy_ticks ||
        load(a->depth) != r.depth || load(a->restarts) != r.restarts) {
      emit_stats(a);
    }
  }
  recheck_.swap(recheck_next_);
}

void Flusher::emit_type_totals(bool all) {
  auto& totals = type_totals();
  for (size_t i = 0; i < totals.size(); ++i) {
    TypeTotal& t = totals[i];
    if (!all && !t.changed) continue;
    if (t.spawned == 0) continue;  // a type no spawn was reported of (index 0: no type) has nothing to say
    if (!conn_.is_open()) continue;  // stays changed; the next snapshot sends it anyway
    proto::TypeTotals m;
    m.type = conn_.str(type_string(static_cast<uint16_t>(i)));
    m.spawned = t.spawned;
    m.exited = t.exited;
    m.enqueued = t.enqueued;
    m.dequeued = t.dequeued;
    m.busy_ns = t.busy_ns;
    m.hist = t.hist;
    m.has_exited_by_reason = true;
    m.exited_by_reason = t.exited_by_reason;
    if (conn_.emit(m)) t.changed = false;
  }
}

void Flusher::emit_dropped() {
  proto::Dropped d;
  for (size_t i = 0; i < proto::kDropKindCount; ++i) d.counts[i] = shared().drops[i].load(std::memory_order_relaxed);
  conn_.emit(d);
}

}  // namespace actorscope::agent
