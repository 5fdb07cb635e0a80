// The projection of the Model onto the viewer conversation's rows.
#include "actorscope/serve/rows.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace actorscope::serve {

using collector::EventKind;

uint64_t x100(double v) {
  // A peer's counts can make a rate of any size: past what the integer holds it reads the most.
  if (!(v > 0) || !std::isfinite(v)) return 0;
  if (v * 100.0 >= 9.0e18) return 9'000'000'000'000'000'000ull;
  return static_cast<uint64_t>(std::llround(v * 100.0));
}

wire::ActorRow actor_row(const collector::Model& model, collector::NodeKey node, const collector::Actor& a) {
  wire::ActorRow r;
  r.node = node;
  r.actor = a.id;
  r.parent = a.parent;
  r.name = std::string(model.text(a.name));
  r.type = std::string(model.text(a.type));
  r.child_id = std::string(model.text(a.child_id));
  r.kind = a.kind;
  r.restart = a.restart;
  r.strategy = a.strategy;
  r.intensity = a.intensity;
  r.period_ms = a.period_ms;
  r.spawned_wall_ns = a.spawn_wall_ns;
  return r;
}

wire::ActorStats actor_stats(const collector::Model& model, collector::NodeKey node, const collector::Actor& a) {
  wire::ActorStats s;
  s.node = node;
  s.actor = a.id;
  s.mailbox = a.mailbox;
  s.enqueued = a.enqueued;
  s.dequeued = a.dequeued;
  s.busy_ns = a.busy_ns;
  s.msgs_per_s_x100 = x100(a.messages_per_s);
  if (!model.node(node) || !model.node(node)->rates_in_reductions) s.fill_per_s_x100 = x100(a.fill_per_s) + 1;
  for (uint64_t h : a.hist) s.processed += h;
  s.child_restarts = model.child_restarts(node, a);
  if (a.kind == proto::ActorKind::Supervisor) {
    // Restarts this supervisor performed, all its incarnations (the agent's exact count).
    if (const auto* sup = model.supervisor(node, a.id)) s.restarts = sup->total_restarts();
    double used = model.restart_budget_used(node, a.id);
    s.restarts_in_period = static_cast<uint32_t>(std::lround(used * a.intensity));
  }
  return s;
}

double restarts_in_minute_ending(const std::vector<collector::SeriesPoint>& pts, size_t last) {
  constexpr size_t kMinutePoints = 60;
  double sum = 0;
  for (size_t j = last + 1 > kMinutePoints ? last + 1 - kMinutePoints : 0; j <= last && j < pts.size(); ++j)
    sum += static_cast<double>(pts[j].restarts_per_s) * pts[j].seconds;
  return sum;
}

wire::NodeRow node_row(const collector::Model& model, const collector::Node& n) {
  wire::NodeRow r;
  r.node = n.key;
  r.name = n.name;
  r.host = n.host;
  r.program = n.program;
  r.pid = n.pid;
  r.incarnation = n.incarnation;
  r.connected = n.state == collector::NodeState::Connected;
  r.actors = n.live_actors;
  r.syncing = n.snapshot_in_progress && n.state == collector::NodeState::Connected;
  if (r.syncing) {
    r.sync_actors = n.snapshot_actors;
    r.sync_described = n.snapshot_described;
  }
  r.restarts = n.restarts;
  for (const auto& t : model.types(n.key)) {
    r.spawned += t.spawns.value();
    r.exited += t.exits.value();
    r.messages += t.processed();
    r.mailbox_total += t.mailbox_sum;
  }
  for (uint64_t d : n.drops) r.drops += d;
  for (const auto& l : model.warnings())
    if (l.node == n.key) ++r.warnings;
  // Restarts/min is what happened in the last minute (one point per second), not the last
  // second's rate times 60: one burst must not read as a storm of thousands per minute.
  auto series = model.series(n.key, 60);
  if (!series.empty()) {
    r.msgs_per_s_x100 = x100(series.back().messages_per_s);
    r.restarts_per_min_x100 = x100(restarts_in_minute_ending(series, series.size() - 1));
  }
  r.agent_bytes = n.heartbeat.agent_bytes;
  r.rate_unit = n.rates_in_reductions ? wire::RateUnit::Reductions : wire::RateUnit::Messages;
  // The node's gauges from its current connection (a gone node has none that are true now).
  for (size_t g = 0; g < n.gauges.size(); ++g) {
    const collector::GaugeReading& reading = n.gauges[g];
    if (reading.set && n.connection != 0 && reading.connection == n.connection)
      r.gauges.push_back(wire::NodeGaugeRow{static_cast<uint32_t>(g), reading.value, reading.per_s});
  }
  return r;
}

wire::FlowRow flow_row(const collector::Model& model, collector::NodeKey node, const collector::FlowPair& p,
                       const collector::TypeAggregate* to) {
  wire::FlowRow r;
  r.node = node;
  r.from_type = std::string(model.text(p.from_type));
  r.to_type = std::string(model.text(p.to_type));
  r.rate_x100 = x100(model.flow_rate(p));
  r.messages = p.messages;
  r.sample_every = std::max<uint32_t>(model.flow_stats(node).sample_every, 1);
  if (to) {
    r.to_mailbox_max = to->mailbox_max;
    r.to_mailbox_sum = to->mailbox_sum;
  }
  return r;
}

wire::TelemetryRow telemetry_row(const collector::Model& model, const collector::TelemetryStats& t) {
  wire::TelemetryRow r;
  r.node = t.node;
  r.event = std::string(model.text(t.event));
  r.count = t.count;
  r.per_s_x100 = x100(t.rate);
  for (const auto& m : t.measurements) {
    if (r.measurements.size() == wire::kMaxMeasurements) break;
    auto& out = r.measurements.emplace_back();
    out.key = std::string(model.text(m.key));
    out.count = m.count;
    out.sum = m.sum;
    out.min = m.min;
    out.max = m.max;
    out.last = m.last;
    out.buckets = m.buckets;
    out.fine = m.fine;
  }
  return r;
}

wire::Warning warning_row(const collector::Warning& l) {
  wire::Warning r;
  r.node = l.node;
  r.actor = l.actor;
  r.kind = std::string(collector::name(l.kind));
  r.severity = l.kind == collector::WarningKind::RestartStorm || l.kind == collector::WarningKind::StuckActor
                   ? wire::Severity::Critical
                   : wire::Severity::Warning;
  r.text = l.text;
  return r;
}

namespace {
wire::EventKind viewer_kind(EventKind k) {
  switch (k) {
    case EventKind::Exit: return wire::EventKind::Exited;
    case EventKind::Crash: return wire::EventKind::Crashed;
    case EventKind::Restart: return wire::EventKind::Restarted;
    case EventKind::Telemetry: return wire::EventKind::Telemetry;
    case EventKind::NodeConnected:
    case EventKind::NodeReconnected:
    case EventKind::NodeRestarted: return wire::EventKind::NodeUp;
    case EventKind::NodeDisconnected:
    case EventKind::NodeForgotten: return wire::EventKind::NodeDown;
    case EventKind::WarningRaised:
    case EventKind::WarningCleared:
    case EventKind::Escalation: return wire::EventKind::Warning;
  }
  return wire::EventKind::Warning;
}
}  // namespace

uint32_t model_kinds(uint32_t viewer_kinds) {
  uint32_t out = 0;
  for (size_t k = 0; k < collector::kEventKindCount; ++k)
    if (viewer_kinds & wire::kind_bit(viewer_kind(static_cast<EventKind>(k)))) out |= 1u << k;
  return out;
}

wire::Event event_row(const collector::Model& model, const collector::Event& e, int64_t wall_offset_ns) {
  wire::Event r;
  r.seq = e.seq;
  r.wall_ns = e.wall_ns ? e.wall_ns : static_cast<uint64_t>(static_cast<int64_t>(e.at_ns) + wall_offset_ns);
  r.node = e.node;
  r.kind = viewer_kind(e.kind);
  r.actor = e.actor;
  r.reason = e.reason;
  r.name = std::string(model.text(e.name));
  switch (e.kind) {
    case EventKind::Restart:
      r.supervisor = e.other;
      r.text = std::string(model.text(e.text));
      break;
    case EventKind::Telemetry: {
      // The shortest text that reads back as the same double: a value is never rounded here
      // (with "%g", 1999999 read "2e+06").
      char buf[48];
      auto res = std::to_chars(buf, buf + sizeof buf, e.value);
      r.text.assign(buf, res.ptr);
      break;
    }
    case EventKind::Exit:
    case EventKind::Crash:
      r.supervisor = e.other;  // its parent, the supervisor that sees the exit
      r.text = std::string(model.text(e.text));
      break;
    case EventKind::Escalation:
      // A warning to older viewers; marked as the supervisor giving up (it exits with
      // shutdown) and who sees that as a failure, so that an exit's chain can climb it.
      r.supervisor = e.other;
      r.reason = proto::ExitReason::Shutdown;
      r.text = e.detail;
      break;
    default:
      r.text = e.detail;
      if (r.name.empty())
        if (const auto* n = model.node(e.node)) r.name = n->name;
      break;
  }
  if (r.text.empty() && !e.detail.empty()) r.text = e.detail;
  return r;
}

}  // namespace actorscope::serve
