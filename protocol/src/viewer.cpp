// Encoders and decoders of the viewer conversation (see protocol/VIEWER.md).
#include "actorscope/protocol/viewer.hpp"

#include <algorithm>
#include <climits>

namespace actorscope::proto::viewer {

std::string_view name(EventKind k) {
  switch (k) {
    case EventKind::Spawned: return "spawned";
    case EventKind::Exited: return "exited";
    case EventKind::Crashed: return "crashed";
    case EventKind::Restarted: return "restarted";
    case EventKind::Telemetry: return "telemetry";
    case EventKind::NodeUp: return "node_up";
    case EventKind::NodeDown: return "node_down";
    case EventKind::Command: return "command";
    case EventKind::Warning: return "warning";
  }
  return "unknown";
}
std::string_view name(LinkKind k) {
  switch (k) {
    case LinkKind::Link: return "link";
    case LinkKind::Monitors: return "monitors";
    case LinkKind::MonitoredBy: return "monitored_by";
  }
  return "link";
}
std::string_view name(Metric m) {
  switch (m) {
    case Metric::Actors: return "actors";
    case Metric::MessagesPerSec: return "messages_per_s";
    case Metric::RestartsPerMin: return "restarts_per_min";
    case Metric::MailboxTotal: return "mailbox_total";
    case Metric::Drops: return "drops";
  }
  return "unknown";
}
std::string_view name(ActorState s) {
  switch (s) {
    case ActorState::Running: return "running";
    case ActorState::Exiting: return "exiting";
    case ActorState::Restarting: return "restarting";
  }
  return "running";
}
std::string_view name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "warning";
}

// ---- framing helpers -------------------------------------------------------------------------
namespace {

// Writes tag + varint length + body; the body is built by `fill` into a scratch buffer.
template <class Fill>
void message(Writer& w, Tag tag, Fill&& fill) {
  thread_local std::vector<uint8_t> scratch;
  scratch.clear();
  Writer b(scratch);
  fill(b);
  w.u8(static_cast<uint8_t>(tag));
  w.varint(scratch.size());
  w.bytes(scratch.data(), scratch.size());
}

template <class E>
bool enum_in_range(uint8_t v, E last) { return v <= static_cast<uint8_t>(last); }

std::string str(Reader& r) { return std::string(r.str(kMaxStringLen)); }

void event_body(Writer& b, const Event& m) {
  b.varint(m.seq);
  b.varint(m.wall_ns);
  b.varint(m.node);
  b.u8(static_cast<uint8_t>(m.kind));
  b.varint(m.actor);
  b.varint(m.supervisor);
  b.u8(static_cast<uint8_t>(m.reason));
  b.str(m.name);
  b.str(m.text);
}
// An embedded event is length-prefixed so that later additions stay skippable.
void embedded_event(Writer& b, const Event& m) {
  std::vector<uint8_t> tmp;
  Writer t(tmp);
  event_body(t, m);
  b.varint(tmp.size());
  b.bytes(tmp.data(), tmp.size());
}
bool event_fields(Reader& r, Event& m) {
  m.seq = r.varint();
  m.wall_ns = r.varint();
  m.node = r.varint32();
  uint8_t kind = r.u8();
  m.actor = r.varint();
  m.supervisor = r.varint();
  uint8_t reason = r.u8();
  m.name = str(r);
  m.text = str(r);
  if (!r.ok()) return false;
  if (!enum_in_range(kind, EventKind::Warning) || reason >= kExitReasonCount) {
    r.fail("event kind or reason out of range");
    return false;
  }
  m.kind = static_cast<EventKind>(kind);
  m.reason = static_cast<ExitReason>(reason);
  return true;
}
bool embedded_events(Reader& r, std::vector<Event>& out) {
  uint64_t n = r.varint();
  if (n > kMaxPageEvents || n > r.remaining()) {
    r.fail("too many events");
    return false;
  }
  out.resize(static_cast<size_t>(n));
  for (auto& e : out) {
    uint64_t len = r.varint();
    if (!r.ok() || len > r.remaining()) {
      r.fail("event length past the end of the message");
      return false;
    }
    Reader sub = r.sub(static_cast<size_t>(len));
    if (!event_fields(sub, e)) {
      r.fail(sub.error() ? sub.error() : "malformed event");
      return false;
    }
  }
  return r.ok();
}
// A count read before a list: bounded by its limit and by the bytes left (each item >= 1 byte).
bool count(Reader& r, size_t limit, uint64_t& n) {
  n = r.varint();
  if (!r.ok()) return false;
  if (n > limit || n > r.remaining()) {
    r.fail("list longer than its limit");
    return false;
  }
  return true;
}

}  // namespace

void FrameChunker::open() {
  if (open_) return;
  at_ = begin_frame(out_, FrameType::View, seq_++);
  open_ = true;
}
void FrameChunker::flush() {
  if (!open_) return;
  finish_frame(out_, at_);
  open_ = false;
}

// ---- viewer -> collector -----------------------------------------------------------------------
void encode(Writer& w, const Subscribe& m) {
  message(w, Tag::Subscribe, [&](Writer& b) {
    b.str(m.node);
    b.u8(m.delta_hz);
  });
}
bool decode_body(Reader& r, Subscribe& m) {
  m.node = str(r);
  m.delta_hz = r.u8();
  return r.ok();
}

void encode(Writer& w, const DetailRequest& m) {
  message(w, Tag::DetailRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.node);
    b.varint(m.actor);
  });
}
bool decode_body(Reader& r, DetailRequest& m) {
  m.request = r.varint();
  m.node = r.varint32();
  m.actor = r.varint();
  return r.ok();
}

void encode(Writer& w, const EventsRequest& m) {
  message(w, Tag::EventsRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.node);
    b.varint(m.kinds);
    b.varint(m.before_seq);
    b.varint(m.limit);
    b.str(m.text);
  });
}
bool decode_body(Reader& r, EventsRequest& m) {
  m.request = r.varint();
  m.node = r.varint32();
  m.kinds = r.varint32();
  m.before_seq = r.varint();
  m.limit = r.varint32();
  m.text = str(r);
  return r.ok();
}

void encode(Writer& w, const SeriesRequest& m) {
  message(w, Tag::SeriesRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.node);
    b.u8(static_cast<uint8_t>(m.metric));
    b.varint(m.seconds);
  });
}
bool decode_body(Reader& r, SeriesRequest& m) {
  m.request = r.varint();
  m.node = r.varint32();
  uint8_t metric = r.u8();
  m.seconds = r.varint32();
  if (r.ok() && metric >= kMetricCount) r.fail("unknown metric");
  m.metric = static_cast<Metric>(metric);
  return r.ok();
}

void encode(Writer& w, const KillRequest& m) {
  message(w, Tag::KillRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.node);
    b.varint(m.actor);
    b.str(m.token);
  });
}
bool decode_body(Reader& r, KillRequest& m) {
  m.request = r.varint();
  m.node = r.varint32();
  m.actor = r.varint();
  m.token = std::string(r.str(kMaxTokenLen));
  return r.ok();
}

// ---- collector -> viewer -----------------------------------------------------------------------
void encode(Writer& w, const SnapshotBegin& m) {
  message(w, Tag::SnapshotBegin, [&](Writer& b) {
    b.varint(m.snapshot);
    b.varint(m.nodes);
    b.varint(m.actors);
    if (m.collector_started_wall_ns != 0) b.varint(m.collector_started_wall_ns);
  });
}
bool decode_body(Reader& r, SnapshotBegin& m) {
  m.snapshot = r.varint();
  m.nodes = r.varint();
  m.actors = r.varint();
  m.collector_started_wall_ns = r.ok() && r.remaining() > 0 ? r.varint() : 0;
  return r.ok();
}

void encode(Writer& w, const SnapshotEnd& m) {
  message(w, Tag::SnapshotEnd, [&](Writer& b) { b.varint(m.snapshot); });
}
bool decode_body(Reader& r, SnapshotEnd& m) {
  m.snapshot = r.varint();
  return r.ok();
}

void encode(Writer& w, const NodeRow& m) {
  message(w, Tag::NodeRow, [&](Writer& b) {
    b.varint(m.node);
    b.str(m.name);
    b.str(m.host);
    b.str(m.program);
    b.varint(m.pid);
    b.varint(m.incarnation);
    b.u8(m.connected ? 1 : 0);
    b.varint(m.actors);
    b.varint(m.spawned);
    b.varint(m.exited);
    b.varint(m.restarts);
    b.varint(m.messages);
    b.varint(m.mailbox_total);
    b.varint(m.drops);
    b.varint(m.warnings);
    b.varint(m.msgs_per_s_x100);
    b.varint(m.restarts_per_min_x100);
    b.varint(m.agent_bytes);
    const bool unit = m.rate_unit != RateUnit::Messages;
    if (!m.gauges.empty() || m.syncing || unit) {  // the gauges' count comes first, even when 0
      size_t n = std::min(m.gauges.size(), kMaxNodeGaugeRows);
      b.varint(n);
      for (size_t i = 0; i < n; ++i) {
        b.varint(m.gauges[i].gauge);
        b.f64(m.gauges[i].value);
        b.f64(m.gauges[i].per_s);
      }
    }
    if (m.syncing || unit) {  // present, possibly "not syncing", whenever the unit follows
      b.u8(m.syncing ? 1 : 0);
      b.varint(m.syncing ? m.sync_actors : 0);
      b.varint(m.syncing ? m.sync_described : 0);
    }
    if (unit) b.u8(static_cast<uint8_t>(m.rate_unit));
  });
}
bool decode_body(Reader& r, NodeRow& m) {
  m.node = r.varint32();
  m.name = str(r);
  m.host = str(r);
  m.program = str(r);
  m.pid = r.varint();
  m.incarnation = r.varint();
  m.connected = r.u8() != 0;
  m.actors = r.varint();
  m.spawned = r.varint();
  m.exited = r.varint();
  m.restarts = r.varint();
  m.messages = r.varint();
  m.mailbox_total = r.varint();
  m.drops = r.varint();
  m.warnings = r.varint();
  m.msgs_per_s_x100 = r.varint();
  m.restarts_per_min_x100 = r.varint();
  m.agent_bytes = r.varint();
  // Addition: the node's gauges (absent from older collectors and for nodes without any).
  if (r.ok() && !r.empty()) {
    uint64_t n = r.varint();
    if (r.ok() && n > kMaxNodeGaugeRows) r.fail("too many node gauges");
    for (uint64_t i = 0; r.ok() && i < n; ++i) {
      NodeGaugeRow g;
      g.gauge = r.varint32();
      g.value = r.f64();
      g.per_s = r.f64();
      if (r.ok()) m.gauges.push_back(g);
    }
  }
  // Addition: the node is syncing (absent when it is not, and from older collectors).
  if (r.ok() && !r.empty()) {
    m.syncing = r.u8() != 0;
    m.sync_actors = r.varint();
    m.sync_described = r.varint();
  }
  // Addition: the rate unit (absent for Messages, and from older collectors).
  if (r.ok() && !r.empty()) {
    uint8_t u = r.u8();
    if (r.ok() && u >= kRateUnitCount) r.fail("unknown rate unit");
    m.rate_unit = static_cast<RateUnit>(u);
  }
  return r.ok();
}

void encode(Writer& w, const NodeRemoved& m) {
  message(w, Tag::NodeRemoved, [&](Writer& b) { b.varint(m.node); });
}
bool decode_body(Reader& r, NodeRemoved& m) {
  m.node = r.varint32();
  return r.ok();
}

void encode(Writer& w, const ActorRow& m) {
  message(w, Tag::ActorRow, [&](Writer& b) {
    b.varint(m.node);
    b.varint(m.actor);
    b.varint(m.parent);
    b.str(m.name);
    b.str(m.type);
    b.str(m.child_id);
    b.u8(static_cast<uint8_t>(m.kind));
    b.u8(static_cast<uint8_t>(m.restart));
    b.u8(static_cast<uint8_t>(m.strategy));
    b.varint(m.intensity);
    b.varint(m.period_ms);
    b.varint(m.spawned_wall_ns);
  });
}
bool decode_body(Reader& r, ActorRow& m) {
  m.node = r.varint32();
  m.actor = r.varint();
  m.parent = r.varint();
  m.name = str(r);
  m.type = str(r);
  m.child_id = str(r);
  uint8_t kind = r.u8(), restart = r.u8(), strategy = r.u8();
  m.intensity = r.varint32();
  m.period_ms = r.varint32();
  m.spawned_wall_ns = r.varint();
  if (!r.ok()) return false;
  if (!enum_in_range(kind, ActorKind::Supervisor) || !enum_in_range(restart, RestartType::Temporary) ||
      !enum_in_range(strategy, Strategy::SimpleOneForOne)) {
    r.fail("actor kind, restart type or strategy out of range");
    return false;
  }
  m.kind = static_cast<ActorKind>(kind);
  m.restart = static_cast<RestartType>(restart);
  m.strategy = static_cast<Strategy>(strategy);
  return true;
}

void encode(Writer& w, const ActorStats& m) {
  message(w, Tag::ActorStats, [&](Writer& b) {
    b.varint(m.node);
    b.varint(m.actor);
    b.u8(static_cast<uint8_t>(m.state));
    b.varint(m.mailbox);
    b.varint(m.enqueued);
    b.varint(m.dequeued);
    b.varint(m.busy_ns);
    b.varint(m.restarts);
    b.varint(m.restarts_in_period);
    b.varint(m.msgs_per_s_x100);
    b.varint(m.processed);
    b.varint(m.child_restarts);
    b.varint(m.fill_per_s_x100);
  });
}
bool decode_body(Reader& r, ActorStats& m) {
  m.node = r.varint32();
  m.actor = r.varint();
  uint8_t state = r.u8();
  m.mailbox = r.varint();
  m.enqueued = r.varint();
  m.dequeued = r.varint();
  m.busy_ns = r.varint();
  m.restarts = r.varint();
  m.restarts_in_period = r.varint32();
  m.msgs_per_s_x100 = r.varint();
  m.processed = r.ok() && r.remaining() > 0 ? r.varint() : 0;
  m.child_restarts = r.ok() && r.remaining() > 0 ? r.varint() : 0;
  m.fill_per_s_x100 = r.ok() && r.remaining() > 0 ? r.varint() : 0;
  if (r.ok() && !enum_in_range(state, ActorState::Restarting)) r.fail("actor state out of range");
  m.state = static_cast<ActorState>(state);
  return r.ok();
}

void encode(Writer& w, const ActorRemoved& m) {
  message(w, Tag::ActorRemoved, [&](Writer& b) {
    b.varint(m.node);
    b.varint(m.actor);
  });
}
bool decode_body(Reader& r, ActorRemoved& m) {
  m.node = r.varint32();
  m.actor = r.varint();
  return r.ok();
}

void encode(Writer& w, const Event& m) {
  message(w, Tag::Event, [&](Writer& b) { event_body(b, m); });
}
bool decode_body(Reader& r, Event& m) { return event_fields(r, m); }

void encode(Writer& w, const Warnings& m) {
  message(w, Tag::Warnings, [&](Writer& b) {
    size_t n = std::min(m.warnings.size(), kMaxWarnings);
    b.varint(n);
    for (size_t i = 0; i < n; ++i) {
      const Warning& l = m.warnings[i];
      b.varint(l.node);
      b.varint(l.actor);
      b.str(l.kind);
      b.u8(static_cast<uint8_t>(l.severity));
      b.str(l.text);
    }
  });
}
bool decode_body(Reader& r, Warnings& m) {
  uint64_t n;
  if (!count(r, kMaxWarnings, n)) return false;
  m.warnings.resize(static_cast<size_t>(n));
  for (auto& l : m.warnings) {
    l.node = r.varint32();
    l.actor = r.varint();
    l.kind = str(r);
    uint8_t sev = r.u8();
    l.text = str(r);
    if (r.ok() && !enum_in_range(sev, Severity::Critical)) r.fail("severity out of range");
    l.severity = static_cast<Severity>(sev);
    if (!r.ok()) return false;
  }
  return true;
}

// Fine buckets: a count, then the first index (zigzag) and each next one as the step from the
// previous (≥ 1), each followed by its count (≥ 1).
static void put_fine(Writer& b, const std::vector<proto::FineBucket>& fine) {
  const size_t n = std::min(fine.size(), proto::kMaxTelemetryFineBuckets);
  b.varint(n);
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0)
      b.svarint(fine[i].index);
    else
      b.varint(static_cast<uint64_t>(static_cast<int64_t>(fine[i].index) - prev));
    prev = fine[i].index;
    b.varint(fine[i].count);
  }
}
static bool get_fine(Reader& r, std::vector<proto::FineBucket>& fine) {
  uint64_t n;
  if (!count(r, proto::kMaxTelemetryFineBuckets, n)) return false;
  fine.resize(static_cast<size_t>(n));
  int64_t index = 0;
  for (size_t i = 0; i < fine.size(); ++i) {
    if (i == 0) {
      index = r.svarint();
    } else {
      uint64_t step = r.varint();
      if (step == 0 || step > (uint64_t{1} << 32)) {
        r.fail("fine bucket indices not ascending");
        return false;
      }
      index += static_cast<int64_t>(step);
    }
    if (index < INT32_MIN + 1 || index > INT32_MAX) {
      r.fail("fine bucket index out of range");
      return false;
    }
    fine[i].index = static_cast<int32_t>(index);
    fine[i].count = r.varint();
    if (r.ok() && fine[i].count == 0) {
      r.fail("empty fine bucket");
      return false;
    }
  }
  return r.ok();
}

void encode(Writer& w, const TelemetryRow& m) {
  message(w, Tag::TelemetryRow, [&](Writer& b) {
    b.varint(m.node);
    b.str(m.event);
    b.varint(m.count);
    b.varint(m.per_s_x100);
    size_t n = std::min(m.measurements.size(), kMaxMeasurements);
    b.varint(n);
    for (size_t i = 0; i < n; ++i) {
      const auto& s = m.measurements[i];
      b.str(s.key);
      b.varint(s.count);
      b.f64(s.sum);
      b.f64(s.min);
      b.f64(s.max);
      b.f64(s.last);
    }
    // Histograms follow the whole list, so that decoders that predate them stop before them.
    for (size_t i = 0; i < n; ++i) put_buckets(b, m.measurements[i].buckets);
    // Fine buckets follow the log2 ones, for the same reason.
    for (size_t i = 0; i < n; ++i) put_fine(b, m.measurements[i].fine);
  });
}
bool decode_body(Reader& r, TelemetryRow& m) {
  m.node = r.varint32();
  m.event = str(r);
  m.count = r.varint();
  m.per_s_x100 = r.varint();
  uint64_t n;
  if (!count(r, kMaxMeasurements, n)) return false;
  m.measurements.resize(static_cast<size_t>(n));
  for (auto& s : m.measurements) {
    s.key = str(r);
    s.count = r.varint();
    s.sum = r.f64();
    s.min = r.f64();
    s.max = r.f64();
    s.last = r.f64();
  }
  // No bytes left: an encoder without histograms; the buckets stay zero.
  if (!r.ok() || r.empty()) return r.ok();
  for (auto& s : m.measurements) get_buckets(r, s.buckets);
  if (!r.ok() || r.empty()) return r.ok();  // an older collector: no fine buckets
  for (auto& s : m.measurements)
    if (!get_fine(r, s.fine)) return false;
  return r.ok();
}

void encode(Writer& w, const Tick& m) {
  message(w, Tag::Tick, [&](Writer& b) {
    b.varint(m.tick);
    b.varint(m.wall_ns);
    b.varint(m.viewers_dropped);
  });
}
bool decode_body(Reader& r, Tick& m) {
  m.tick = r.varint();
  m.wall_ns = r.varint();
  m.viewers_dropped = r.varint();
  return r.ok();
}

void encode(Writer& w, const DetailReply& m) {
  message(w, Tag::DetailReply, [&](Writer& b) {
    b.varint(m.request);
    b.u8(m.found ? 1 : 0);
    b.varint(m.node);
    b.varint(m.actor);
    size_t nc = std::min(m.chain.size(), kMaxChain);
    b.varint(nc);
    for (size_t i = 0; i < nc; ++i) {
      b.varint(m.chain[i].actor);
      b.str(m.chain[i].name);
      b.str(m.chain[i].type);
    }
    size_t nl = std::min(m.links.size(), kMaxLinks);
    b.varint(nl);
    for (size_t i = 0; i < nl; ++i) {
      b.varint(m.links[i].peer);
      b.u8(static_cast<uint8_t>(m.links[i].kind));
      b.varint(m.links[i].count);
    }
    size_t ne = std::min(m.events.size(), kMaxPageEvents);
    b.varint(ne);
    for (size_t i = 0; i < ne; ++i) embedded_event(b, m.events[i]);
    b.str(m.name);
    b.u8(m.has_child ? 1 : 0);
    if (m.has_child) {
      b.varint(m.child.supervisor);
      b.str(m.child.child_id);
      b.varint(m.child.restarts);
      b.varint(m.child.current);
      b.varint(m.child.last_crash_actor);
      b.varint(m.child.last_crash_wall_ns);
      b.u8(static_cast<uint8_t>(m.child.last_reason));
      b.str(m.child.last_text);
    }
    b.u8(m.has_flow ? 1 : 0);
    if (m.has_flow) {
      b.varint(m.sample_every);
      size_t ns = std::min(m.senders.size(), kMaxFlowRows);
      b.varint(ns);
      for (size_t i = 0; i < ns; ++i) {
        const FlowSenderRow& f = m.senders[i];
        b.varint(f.actor);
        b.str(f.name);
        b.str(f.type);
        b.varint(f.rate_x100);
        b.varint(f.error_x100);
      }
      size_t nt = std::min(m.message_types.size(), kMaxFlowRows);
      b.varint(nt);
      for (size_t i = 0; i < nt; ++i) {
        b.str(m.message_types[i].type);
        b.varint(m.message_types[i].rate_x100);
      }
      b.u8(m.handling ? 1 : 0);
      if (m.handling) {
        b.str(m.handling_type);
        b.varint(m.handling_busy_ns);
      }
      b.varint(m.flow_window_ns);  // an addition: older viewers stop before it
    }
  });
}
bool decode_body(Reader& r, DetailReply& m) {
  m.request = r.varint();
  m.found = r.u8() != 0;
  m.node = r.varint32();
  m.actor = r.varint();
  uint64_t n;
  if (!count(r, kMaxChain, n)) return false;
  m.chain.resize(static_cast<size_t>(n));
  for (auto& c : m.chain) {
    c.actor = r.varint();
    c.name = str(r);
    c.type = str(r);
  }
  if (!count(r, kMaxLinks, n)) return false;
  m.links.resize(static_cast<size_t>(n));
  for (auto& l : m.links) {
    l.peer = r.varint();
    uint8_t kind = r.u8();
    l.count = r.varint32();
    if (r.ok() && !enum_in_range(kind, LinkKind::MonitoredBy)) r.fail("link kind out of range");
    l.kind = static_cast<LinkKind>(kind);
  }
  if (!r.ok() || !embedded_events(r, m.events)) return false;
  // Additions: the name of an actor that is not live, and the child's history.
  if (!r.empty()) m.name = str(r);
  if (r.ok() && !r.empty()) m.has_child = r.u8() != 0;
  if (r.ok() && m.has_child) {
    m.child.supervisor = r.varint();
    m.child.child_id = str(r);
    m.child.restarts = r.varint();
    m.child.current = r.varint();
    m.child.last_crash_actor = r.varint();
    m.child.last_crash_wall_ns = r.varint();
    uint8_t reason = r.u8();
    m.child.last_text = str(r);
    if (r.ok() && reason >= kExitReasonCount) r.fail("child's exit reason out of range");
    m.child.last_reason = static_cast<ExitReason>(reason);
  }
  // Addition: the message flow into it.
  if (r.ok() && !r.empty()) m.has_flow = r.u8() != 0;
  if (r.ok() && m.has_flow) {
    m.sample_every = r.varint32();
    if (!count(r, kMaxFlowRows, n)) return false;
    m.senders.resize(static_cast<size_t>(n));
    for (auto& f : m.senders) {
      f.actor = r.varint();
      f.name = str(r);
      f.type = str(r);
      f.rate_x100 = r.varint();
      f.error_x100 = r.varint();
    }
    if (!count(r, kMaxFlowRows, n)) return false;
    m.message_types.resize(static_cast<size_t>(n));
    for (auto& t : m.message_types) {
      t.type = str(r);
      t.rate_x100 = r.varint();
    }
    m.handling = r.u8() != 0;
    if (r.ok() && m.handling) {
      m.handling_type = str(r);
      m.handling_busy_ns = r.varint();
    }
    // Addition: the rates' window (absent from older collectors).
    if (r.ok() && !r.empty()) m.flow_window_ns = r.varint();
  }
  return r.ok();
}

void encode(Writer& w, const EventsPage& m) {
  message(w, Tag::EventsPage, [&](Writer& b) {
    b.varint(m.request);
    b.u8(m.more ? 1 : 0);
    size_t ne = std::min(m.events.size(), kMaxPageEvents);
    b.varint(ne);
    for (size_t i = 0; i < ne; ++i) embedded_event(b, m.events[i]);
  });
}
bool decode_body(Reader& r, EventsPage& m) {
  m.request = r.varint();
  m.more = r.u8() != 0;
  return r.ok() && embedded_events(r, m.events);
}

void encode(Writer& w, const SeriesReply& m) {
  message(w, Tag::SeriesReply, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.step_ms);
    b.varint(m.end_wall_ns);
    size_t n = std::min(m.points.size(), kMaxSeriesPoints);
    b.varint(n);
    for (size_t i = 0; i < n; ++i) b.f64(m.points[i]);
  });
}
bool decode_body(Reader& r, SeriesReply& m) {
  m.request = r.varint();
  m.step_ms = r.varint32();
  m.end_wall_ns = r.varint();
  uint64_t n;
  if (!count(r, kMaxSeriesPoints, n)) return false;
  if (n * 8 > r.remaining()) {
    r.fail("series points past the end of the message");
    return false;
  }
  m.points.resize(static_cast<size_t>(n));
  for (auto& p : m.points) p = r.f64();
  return r.ok();
}

void encode(Writer& w, const CommandResult& m) {
  message(w, Tag::CommandResult, [&](Writer& b) {
    b.varint(m.request);
    b.u8(m.ok ? 1 : 0);
    b.str(m.message);
  });
}
bool decode_body(Reader& r, CommandResult& m) {
  m.request = r.varint();
  m.ok = r.u8() != 0;
  m.message = str(r);
  return r.ok();
}

void encode(Writer& w, const RequestFailed& m) {
  message(w, Tag::RequestFailed, [&](Writer& b) {
    b.varint(m.request);
    b.str(m.message);
  });
}
bool decode_body(Reader& r, RequestFailed& m) {
  m.request = r.varint();
  m.message = str(r);
  return r.ok();
}

void encode(Writer& w, const EventsGap& m) {
  message(w, Tag::EventsGap, [&](Writer& b) {
    b.varint(m.after_seq);
    b.varint(m.before_seq);
    b.varint(m.count);
  });
}
bool decode_body(Reader& r, EventsGap& m) {
  m.after_seq = r.varint();
  m.before_seq = r.varint();
  m.count = r.varint();
  if (r.ok() && (m.before_seq <= m.after_seq || m.count == 0)) r.fail("events gap with nothing in it");
  return r.ok();
}

void encode(Writer& w, const ShowInstant& m) {
  message(w, Tag::ShowInstant, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.wall_ns);
  });
}
bool decode_body(Reader& r, ShowInstant& m) {
  m.request = r.varint();
  m.wall_ns = r.varint();
  return r.ok();
}
void encode(Writer& w, const TimelineRequest& m) {
  message(w, Tag::TimelineRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.from_wall_ns);
    b.varint(m.to_wall_ns);
  });
}
bool decode_body(Reader& r, TimelineRequest& m) {
  m.request = r.varint();
  m.from_wall_ns = r.varint();
  m.to_wall_ns = r.varint();
  return r.ok();
}
void encode(Writer& w, const InstantShown& m) {
  message(w, Tag::InstantShown, [&](Writer& b) {
    b.varint(m.request);
    b.u8(static_cast<uint8_t>(m.mode));
    b.varint(m.wall_ns);
    b.varint(m.begins_wall_ns);
    b.varint(m.ends_wall_ns);
    b.str(m.message);
  });
}
bool decode_body(Reader& r, InstantShown& m) {
  m.request = r.varint();
  uint8_t mode = r.u8();
  m.wall_ns = r.varint();
  m.begins_wall_ns = r.varint();
  m.ends_wall_ns = r.varint();
  m.message = str(r);
  if (r.ok() && mode >= kInstantModeCount) r.fail("unknown instant mode");
  m.mode = static_cast<InstantMode>(mode);
  return r.ok();
}
void encode(Writer& w, const TimelineReply& m) {
  message(w, Tag::TimelineReply, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.begins_wall_ns);
    b.varint(m.ends_wall_ns);
    b.varint(m.bucket_ms);
    size_t n = std::min(m.buckets.size(), kMaxTimelineBuckets);
    b.varint(n);
    for (size_t i = 0; i < n; ++i) {
      const TimelineBucket& t = m.buckets[i];
      b.varint(t.wall_ns);
      b.varint(t.crashes);
      b.varint(t.restarts);
      b.varint(t.escalations);
      b.varint(t.nodes_up);
      b.varint(t.nodes_down);
      b.varint(t.warnings);
    }
  });
}
bool decode_body(Reader& r, TimelineReply& m) {
  m.request = r.varint();
  m.begins_wall_ns = r.varint();
  m.ends_wall_ns = r.varint();
  m.bucket_ms = r.varint32();
  uint64_t n;
  if (!count(r, kMaxTimelineBuckets, n)) return false;
  if (n * 7 > r.remaining()) {
    r.fail("timeline buckets past the end of the message");
    return false;
  }
  m.buckets.resize(static_cast<size_t>(n));
  for (auto& t : m.buckets) {
    t.wall_ns = r.varint();
    t.crashes = r.varint32();
    t.restarts = r.varint32();
    t.escalations = r.varint32();
    t.nodes_up = r.varint32();
    t.nodes_down = r.varint32();
    t.warnings = r.varint32();
  }
  return r.ok();
}
void encode(Writer& w, const ExportRequest& m) {
  message(w, Tag::ExportRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.offset);
  });
}
bool decode_body(Reader& r, ExportRequest& m) {
  m.request = r.varint();
  m.offset = r.varint();
  return r.ok();
}
void encode(Writer& w, const ExportPart& m) {
  message(w, Tag::ExportPart, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.offset);
    b.u8(m.last ? 1 : 0);
    b.varint(m.begins_wall_ns);
    b.varint(m.ends_wall_ns);
    const size_t n = std::min(m.bytes.size(), kMaxExportPart);
    b.varint(n);
    b.bytes(m.bytes.data(), n);
  });
}
bool decode_body(Reader& r, ExportPart& m) {
  m.request = r.varint();
  m.offset = r.varint();
  m.last = r.u8() != 0;
  m.begins_wall_ns = r.varint();
  m.ends_wall_ns = r.varint();
  const std::string_view bytes = r.str(kMaxExportPart);
  m.bytes.assign(bytes.begin(), bytes.end());
  return r.ok();
}

void encode(Writer& w, const FlowRow& m) {
  message(w, Tag::FlowRow, [&](Writer& b) {
    b.varint(m.node);
    b.str(m.from_type);
    b.str(m.to_type);
    b.varint(m.rate_x100);
    b.varint(m.messages);
    b.varint(m.sample_every);
    b.varint(m.to_mailbox_max);
    b.varint(m.to_mailbox_sum);
  });
}
bool decode_body(Reader& r, FlowRow& m) {
  m.node = r.varint32();
  m.from_type = str(r);
  m.to_type = str(r);
  m.rate_x100 = r.varint();
  m.messages = r.varint();
  m.sample_every = r.varint32();
  m.to_mailbox_max = r.varint();
  m.to_mailbox_sum = r.varint();
  if (r.ok() && m.sample_every == 0) r.fail("flow row sampled 1 in 0");
  return r.ok();
}

void encode(Writer& w, const SubtreeFlowRequest& m) {
  message(w, Tag::SubtreeFlowRequest, [&](Writer& b) {
    b.varint(m.request);
    b.varint(m.node);
    b.varint(m.supervisor);
    b.varint(m.max_children);
  });
}
bool decode_body(Reader& r, SubtreeFlowRequest& m) {
  m.request = r.varint();
  m.node = r.varint32();
  m.supervisor = r.varint();
  m.max_children = r.varint32();
  return r.ok();
}
void encode(Writer& w, const SubtreeFlowReply& m) {
  message(w, Tag::SubtreeFlowReply, [&](Writer& b) {
    b.varint(m.request);
    b.u8(m.found ? 1 : 0);
    b.varint(m.node);
    b.varint(m.supervisor);
    b.varint(m.sample_every);
    b.varint(m.children);
    b.varint(m.receivers_over_cap);
    const size_t groups = std::min(m.groups.size(), kMaxFlowGroups);
    b.varint(groups);
    for (size_t i = 0; i < groups; ++i) {
      const FlowGroupRow& g = m.groups[i];
      b.u8(static_cast<uint8_t>(g.role));
      b.varint(g.actor);
      b.str(g.name);
      b.str(g.type);
      b.varint(g.internal_x100);
      b.varint(g.mailbox_max);
      b.varint(g.children);
    }
    // Only edges between groups sent.
    size_t edges = 0;
    for (const FlowGroupEdgeRow& e : m.edges) edges += e.from < groups && e.to < groups && edges < kMaxFlowGroupEdges;
    b.varint(edges);
    size_t written = 0;
    for (const FlowGroupEdgeRow& e : m.edges) {
      if (written == edges) break;
      if (e.from >= groups || e.to >= groups) continue;
      b.varint(e.from);
      b.varint(e.to);
      b.varint(e.rate_x100);
      b.varint(e.error_x100);
      ++written;
    }
  });
}
bool decode_body(Reader& r, SubtreeFlowReply& m) {
  m.request = r.varint();
  m.found = r.u8() != 0;
  m.node = r.varint32();
  m.supervisor = r.varint();
  m.sample_every = r.varint32();
  m.children = r.varint32();
  m.receivers_over_cap = r.varint();
  uint64_t n;
  if (!count(r, kMaxFlowGroups, n)) return false;
  m.groups.resize(static_cast<size_t>(n));
  for (FlowGroupRow& g : m.groups) {
    const uint8_t role = r.u8();
    if (r.ok() && role >= kFlowGroupRoleCount) r.fail("unknown flow group role");
    g.role = static_cast<FlowGroupRole>(role);
    g.actor = r.varint();
    g.name = str(r);
    g.type = str(r);
    g.internal_x100 = r.varint();
    g.mailbox_max = r.varint();
    g.children = r.varint32();
    if (!r.ok()) return false;
  }
  if (!count(r, kMaxFlowGroupEdges, n)) return false;
  m.edges.resize(static_cast<size_t>(n));
  for (FlowGroupEdgeRow& e : m.edges) {
    e.from = r.varint32();
    e.to = r.varint32();
    e.rate_x100 = r.varint();
    e.error_x100 = r.varint();
    if (r.ok() && (e.from >= m.groups.size() || e.to >= m.groups.size() || e.from == e.to))
      r.fail("flow edge between groups not in the reply");
    if (!r.ok()) return false;
  }
  return r.ok();
}

}  // namespace actorscope::proto::viewer
