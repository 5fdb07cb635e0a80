// The model's handling of strings, telemetry, drop counts, heartbeats and type totals.
#include <algorithm>
#include <cmath>

#include "model_impl.hpp"

namespace actorscope::collector {

void Model::apply(NodeKey key, const proto::StringDef& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  if (r.id == 0 || r.id >= m.settings.max_string_id) {
    m.anomaly(Anomaly::BadStringId);
    return;
  }
  if (!n->strings.define(r.id, m.pool.intern(r.text), m.settings.max_strings_per_node)) m.anomaly(Anomaly::TooManyStrings);
}

TelemetryStats* Model::Impl::telemetry_slot(NodeData& n, NodeKey key, Str event) {
  // Each node has its own budget of event names; past it, new names count as "other".
  if (settings.max_telemetry_events_per_node != 0 && n.telemetry.size() >= settings.max_telemetry_events_per_node &&
      !n.telemetry_slots.count(event)) {
    anomaly(Anomaly::TooManyTelemetryEvents);
    event = StringPool::kOverflow;
  }
  auto [it, fresh] = n.telemetry_slots.try_emplace(event, static_cast<uint32_t>(n.telemetry.size()));
  if (fresh) {
    TelemetryStats& t = n.telemetry.emplace_back();
    t.node = key;
    t.event = event;
  }
  return &n.telemetry[it->second];
}

void Model::apply(NodeKey key, const proto::TelemetryTotals& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n || r.event == 0) return;
  TelemetryStats& t = *m.telemetry_slot(*n, key, m.resolve_label(*n, r.event));
  if (r.count <= t.count) return;  // counted here already (a reconnect to this model)
  // Events before this snapshot: the count and its rate baseline move together.
  uint64_t delta = r.count - t.count;
  t.count += delta;
  t.count_at_step += delta;
  n->info.telemetry_events += delta;
  n->prev_telemetry += delta;
  m.note_change(key, ChangeKind::NodeChanged, 0);
}

namespace {

// One more value in a measurement's fine buckets, unless they are past their budget: then
// they are dropped whole (a partial histogram would misstate every percentile) and the
// measurement's percentiles come from its log2 buckets, shown as rough by the viewers.
void count_fine(Model::Impl& m, NodeData& n, MeasurementStats& ms, double v) {
  if (ms.fine_dropped) return;
  const int32_t k = proto::telemetry_fine_bucket(v);
  if (k == proto::kNoFineBucket) return;
  auto it = std::lower_bound(ms.fine.begin(), ms.fine.end(), k,
                             [](const proto::FineBucket& b, int32_t i) { return b.index < i; });
  if (it != ms.fine.end() && it->index == k) {
    ++it->count;
    return;
  }
  if (ms.fine.size() >= m.settings.max_telemetry_buckets_per_measurement ||
      n.telemetry_fine_buckets >= m.settings.max_telemetry_buckets_per_node) {
    m.anomaly(Anomaly::TooManyTelemetryBuckets);
    n.telemetry_fine_buckets -= ms.fine.size();
    std::vector<proto::FineBucket>().swap(ms.fine);
    ms.fine_dropped = true;
    return;
  }
  ms.fine.insert(it, proto::FineBucket{k, 1});
  ++n.telemetry_fine_buckets;
}

}  // namespace

void Model::apply(NodeKey key, const proto::Telemetry& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  TelemetryStats& t = *m.telemetry_slot(*n, key, m.resolve_label(*n, r.event));
  Str event = t.event;
  ++t.count;
  ++n->info.telemetry_events;
  size_t nm = std::min<size_t>(r.n_measurements, proto::kMaxTelemetryFields);
  for (size_t i = 0; i < nm; ++i) {
    Str k = m.resolve(*n, r.measurements[i].key);
    double v = r.measurements[i].value;
    auto ms = std::find_if(t.measurements.begin(), t.measurements.end(), [&](const MeasurementStats& s) { return s.key == k; });
    if (ms == t.measurements.end()) {
      if (t.measurements.size() >= m.settings.max_measurements_per_event) {
        m.anomaly(Anomaly::TooManyMeasurements);
        continue;
      }
      ms = t.measurements.insert(t.measurements.end(), MeasurementStats{});
      ms->key = k;
      ms->min = ms->max = v;
    }
    ++ms->count;
    ms->sum += v;
    ms->min = std::min(ms->min, v);
    ms->max = std::max(ms->max, v);
    ms->last = v;
    ++ms->buckets[telemetry_bucket(v)];
    count_fine(m, *n, *ms, v);
  }
  Event& e = m.push_event(EventKind::Telemetry, key);
  e.wall_ns = m.wall(*n, r.t_ns);
  e.actor = r.actor;
  e.name = event;
  e.value = nm > 0 ? r.measurements[0].value : 0;
}

void Model::apply(NodeKey key, const proto::Dropped& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  bool changed = false;
  for (size_t i = 0; i < proto::kDropKindCount; ++i) {
    if (r.counts[i] < n->drops_last[i]) {
      m.anomaly(Anomaly::CounterWentBack);
      continue;
    }
    changed |= r.counts[i] != n->drops_last[i];
    n->drops_last[i] = r.counts[i];
    n->info.drops[i] = n->drops_base[i] + n->drops_last[i];
  }
  if (changed) m.note_change(key, ChangeKind::NodeChanged, 0);
}

void Model::apply(NodeKey key, const proto::Heartbeat& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  n->info.last_heartbeat_ns = m.now;
  n->info.heartbeat = r;
}

void Model::apply(NodeKey key, const proto::TypeTotals& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  TypeAggregate& t = n->types[m.type_slot(*n, m.resolve_label(*n, r.type))];
  auto up = [](uint64_t& field, uint64_t v) { field = std::max(field, v); };
  uint64_t processed_before = t.processed();
  up(t.spawns.agent, r.spawned);
  up(t.exits.agent, r.exited);
  up(t.retired_enqueued.agent, r.enqueued);
  up(t.retired_dequeued.agent, r.dequeued);
  up(t.retired_busy_ns.agent, r.busy_ns);
  for (size_t i = 0; i < proto::kHistogramBuckets; ++i) up(t.retired_hist[i].agent, r.hist[i]);
  // A snapshot's totals describe the past: messages the agent's exited actors handled
  // before this connection move the rate baseline, not the current window.
  if (n->info.snapshot_in_progress) n->prev_messages += t.processed() - processed_before;
  if (r.has_exited_by_reason) {
    t.agent_reports_reasons = true;
    for (size_t i = 0; i < proto::kExitReasonCount; ++i) up(t.exit_reasons[i].agent, r.exited_by_reason[i]);
    m.sync_exit_reasons(*n, t);
  }
}

// ---- names ------------------------------------------------------------------------------------------
std::string_view name(EventKind k) {
  switch (k) {
    case EventKind::Exit: return "exit";
    case EventKind::Crash: return "crash";
    case EventKind::Restart: return "restart";
    case EventKind::Telemetry: return "telemetry";
    case EventKind::NodeConnected: return "node_connected";
    case EventKind::NodeReconnected: return "node_reconnected";
    case EventKind::NodeRestarted: return "node_restarted";
    case EventKind::NodeDisconnected: return "node_disconnected";
    case EventKind::NodeForgotten: return "node_forgotten";
    case EventKind::WarningRaised: return "warning_raised";
    case EventKind::WarningCleared: return "warning_cleared";
    case EventKind::Escalation: return "escalation";
  }
  return "unknown";
}

std::string_view name(WarningKind k) {
  switch (k) {
    case WarningKind::MailboxGrowing: return "mailbox_growing";
    case WarningKind::SlowHandler: return "slow_handler";
    case WarningKind::StuckActor: return "stuck_actor";
    case WarningKind::RestartStorm: return "restart_storm";
    case WarningKind::AgentDrops: return "agent_drops";
    case WarningKind::MailboxLarge: return "mailbox_large";
    case WarningKind::MailboxWait: return "mailbox_wait";
  }
  return "unknown";
}

std::string_view name(Anomaly a) {
  switch (a) {
    case Anomaly::UnknownString: return "unknown_string";
    case Anomaly::BadStringId: return "bad_string_id";
    case Anomaly::UnknownActor: return "unknown_actor";
    case Anomaly::DuplicateSpawn: return "duplicate_spawn";
    case Anomaly::CounterWentBack: return "counter_went_back";
    case Anomaly::UnknownNode: return "unknown_node";
    case Anomaly::BadEnum: return "bad_enum";
    case Anomaly::ParentCycle: return "parent_cycle";
    case Anomaly::TooManyMeasurements: return "too_many_measurements";
    case Anomaly::TooManyStrings: return "too_many_strings";
    case Anomaly::TooManyTelemetryEvents: return "too_many_telemetry_events";
    case Anomaly::TooManyTypes: return "too_many_types";
    case Anomaly::TooManyTelemetryBuckets: return "too_many_telemetry_buckets";
    case Anomaly::TooManyFlowPairs: return "too_many_flow_pairs";
    case Anomaly::TooManyFlowReceivers: return "too_many_flow_receivers";
    case Anomaly::FlowNotOffered: return "flow_not_offered";
    case Anomaly::ParentChainTooDeep: return "parent_chain_too_deep";
    case Anomaly::SuccessorScanCut: return "successor_scan_cut";
  }
  return "unknown";
}

}  // namespace actorscope::collector
