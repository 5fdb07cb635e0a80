// Encoders and decoders of the actorscope wire format (see protocol/SPEC.md).
#include "actorscope/protocol/codec.hpp"

#include <algorithm>
#include <cstring>

namespace actorscope::proto {

// ---- names -------------------------------------------------------------------------------
std::string_view name(ActorKind k) { return k == ActorKind::Supervisor ? "supervisor" : "worker"; }
std::string_view name(Strategy s) {
  switch (s) {
    case Strategy::None: return "none";
    case Strategy::OneForOne: return "one_for_one";
    case Strategy::OneForAll: return "one_for_all";
    case Strategy::RestForOne: return "rest_for_one";
    case Strategy::SimpleOneForOne: return "simple_one_for_one";
  }
  return "none";
}
std::string_view name(RestartType r) {
  switch (r) {
    case RestartType::Permanent: return "permanent";
    case RestartType::Transient: return "transient";
    case RestartType::Temporary: return "temporary";
  }
  return "permanent";
}
std::string_view name(ExitReason r) {
  switch (r) {
    case ExitReason::Normal: return "normal";
    case ExitReason::Shutdown: return "shutdown";
    case ExitReason::ShutdownTerm: return "shutdown_term";
    case ExitReason::Killed: return "killed";
    case ExitReason::Error: return "error";
    case ExitReason::Unknown: return "unknown";
  }
  return "unknown";
}
std::string_view name(LinkOp o) {
  switch (o) {
    case LinkOp::Link: return "link";
    case LinkOp::Unlink: return "unlink";
    case LinkOp::Monitor: return "monitor";
    case LinkOp::Demonitor: return "demonitor";
  }
  return "link";
}
std::string_view name(DropKind d) {
  switch (d) {
    case DropKind::Restart: return "restart";
    case DropKind::Link: return "link";
    case DropKind::Telemetry: return "telemetry";
    case DropKind::Stats: return "stats";
    case DropKind::String: return "string";
    case DropKind::Other: return "other";
  }
  return "other";
}
bool exit_is_clean(ExitReason r) {
  return r == ExitReason::Normal || r == ExitReason::Shutdown || r == ExitReason::ShutdownTerm;
}
bool is_known_frame_type(uint8_t t) {
  switch (static_cast<FrameType>(t)) {
    case FrameType::Hello:
    case FrameType::Welcome:
    case FrameType::Reject:
    case FrameType::Goodbye:
    case FrameType::Batch:
    case FrameType::View:
    case FrameType::Command:
    case FrameType::CommandResult:
      return true;
  }
  return false;
}

// ---- frames --------------------------------------------------------------------------------
size_t begin_frame(std::vector<uint8_t>& out, FrameType type, uint32_t seq) {
  size_t at = out.size();
  Writer w(out);
  w.u32(0);
  w.u8(static_cast<uint8_t>(type));
  w.u32(seq);
  return at;
}

void finish_frame(std::vector<uint8_t>& out, size_t header_offset) {
  uint32_t len = static_cast<uint32_t>(out.size() - header_offset - kFrameHeaderSize);
  for (size_t i = 0; i < 4; ++i) out[header_offset + i] = static_cast<uint8_t>(len >> (8 * i));
}

FrameHeader parse_frame_header(const uint8_t* p) {
  FrameHeader h;
  h.length = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
             static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
  h.type = static_cast<FrameType>(p[4]);
  h.seq = static_cast<uint32_t>(p[5]) | static_cast<uint32_t>(p[6]) << 8 |
          static_cast<uint32_t>(p[7]) << 16 | static_cast<uint32_t>(p[8]) << 24;
  return h;
}

void FrameDecoder::feed(const uint8_t* p, size_t n) {
  if (failed()) return;
  // Compact once the consumed prefix dominates, so the buffer stays bounded by one frame.
  if (start_ > 0 && start_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(start_));
    start_ = 0;
  }
  // Room for the whole frame at once, as soon as its header is in: grown by doubling, a
  // 1 MiB frame read 64 KiB at a time was copied five times, 2 MiB into fresh memory. A
  // length over the limit gets nothing (next() refuses it).
  if (size_t avail = buf_.size() - start_; avail < kFrameHeaderSize) {
    const size_t k = std::min(n, kFrameHeaderSize - avail);
    buf_.insert(buf_.end(), p, p + k);
    p += k;
    n -= k;
  }
  if (n > 0 && buf_.size() - start_ >= kFrameHeaderSize) {
    const FrameHeader h = parse_frame_header(buf_.data() + start_);
    const size_t frame_end = start_ + kFrameHeaderSize + h.length;
    if (h.length <= max_frame_ && frame_end > buf_.capacity() && frame_end > buf_.size() + n) buf_.reserve(frame_end);
  }
  buf_.insert(buf_.end(), p, p + n);
}

bool FrameDecoder::next(FrameHeader& header, const uint8_t*& payload) {
  if (failed()) return false;
  size_t avail = buf_.size() - start_;
  if (avail < kFrameHeaderSize) return false;
  FrameHeader h = parse_frame_header(buf_.data() + start_);
  if (!is_known_frame_type(static_cast<uint8_t>(h.type))) {
    error_ = "unknown frame type " + std::to_string(static_cast<unsigned>(h.type));
    return false;
  }
  if (h.length > max_frame_) {
    error_ = "frame of " + std::to_string(h.length) + " bytes exceeds the limit of " + std::to_string(max_frame_);
    return false;
  }
  if (h.seq != expected_seq_) {
    error_ = "frame sequence " + std::to_string(h.seq) + " where " + std::to_string(expected_seq_) + " was expected";
    return false;
  }
  if (avail < kFrameHeaderSize + h.length) return false;
  header = h;
  payload = buf_.data() + start_ + kFrameHeaderSize;
  start_ += kFrameHeaderSize + h.length;
  ++expected_seq_;
  return true;
}

// ---- handshake -----------------------------------------------------------------------------
void encode(Writer& w, const Hello& m) {
  w.bytes(kMagic, sizeof kMagic);
  w.u16(m.version_major);
  w.u16(m.version_minor);
  w.varint(m.capabilities);
  w.u8(static_cast<uint8_t>(m.role));
  w.str(m.token);
  w.str(m.node);
  w.varint(m.incarnation);
  w.varint(m.pid);
  w.str(m.host);
  w.str(m.program);
  w.varint(m.anchor_mono_ns);
  w.varint(m.anchor_wall_ns);
  w.varint(m.max_frame);
}

bool decode(Reader& r, Hello& m, std::string& error) {
  char magic[sizeof kMagic];
  for (char& c : magic) c = static_cast<char>(r.u8());
  if (!r.ok() || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    error = "bad magic: not an actorscope peer";
    return false;
  }
  m.version_major = r.u16();
  m.version_minor = r.u16();
  if (r.ok() && m.version_major != kVersionMajor) {
    error = "unsupported protocol version " + std::to_string(m.version_major) + "." +
            std::to_string(m.version_minor) + " (this side speaks " + std::to_string(kVersionMajor) + ".x)";
    return false;
  }
  m.capabilities = r.varint();
  m.role = static_cast<Role>(r.u8());
  m.token = std::string(r.str(kMaxTokenLen));
  m.node = std::string(r.str(kMaxStringLen));
  m.incarnation = r.varint();
  m.pid = r.varint();
  m.host = std::string(r.str(kMaxStringLen));
  m.program = std::string(r.str(kMaxStringLen));
  m.anchor_mono_ns = r.varint();
  m.anchor_wall_ns = r.varint();
  m.max_frame = r.varint32();
  if (!r.ok()) {
    error = std::string("malformed hello: ") + r.error();
    return false;
  }
  if (m.role != Role::Agent && m.role != Role::Viewer) {
    error = "unknown role " + std::to_string(static_cast<unsigned>(m.role));
    return false;
  }
  if (m.max_frame < 4096) {
    error = "hello announces a max frame below 4096 bytes";
    return false;
  }
  return true;
}

void encode(Writer& w, const Welcome& m) {
  w.u16(m.version_major);
  w.u16(m.version_minor);
  w.varint(m.capabilities);
  w.varint(m.session);
  w.str(m.collector);
  w.varint(m.max_frame);
}

bool decode(Reader& r, Welcome& m, std::string& error) {
  m.version_major = r.u16();
  m.version_minor = r.u16();
  m.capabilities = r.varint();
  m.session = r.varint();
  m.collector = std::string(r.str(kMaxStringLen));
  m.max_frame = r.varint32();
  if (!r.ok()) {
    error = std::string("malformed welcome: ") + r.error();
    return false;
  }
  if (m.version_major != kVersionMajor) {
    error = "collector speaks protocol version " + std::to_string(m.version_major);
    return false;
  }
  return true;
}

void encode(Writer& w, const Reject& m) {
  w.u8(static_cast<uint8_t>(m.code));
  w.str(m.message);
}

bool decode(Reader& r, Reject& m, std::string& error) {
  m.code = static_cast<RejectCode>(r.u8());
  m.message = std::string(r.str(kMaxStringLen));
  if (!r.ok()) {
    error = std::string("malformed reject: ") + r.error();
    return false;
  }
  return true;
}

// ---- commands --------------------------------------------------------------------------------
void encode(Writer& w, const Command& m) {
  w.varint(m.request);
  w.u8(static_cast<uint8_t>(m.kind));
  w.varint(m.actor);
}

bool decode(Reader& r, Command& m, std::string& error) {
  m.request = r.varint();
  uint8_t kind = r.u8();
  m.actor = r.varint();
  if (!r.ok()) {
    error = std::string("malformed command: ") + r.error();
    return false;
  }
  if (kind != static_cast<uint8_t>(CommandKind::Kill)) {
    error = "unknown command " + std::to_string(kind);
    return false;
  }
  m.kind = static_cast<CommandKind>(kind);
  if (m.actor == 0) {
    error = "command names actor 0";
    return false;
  }
  return true;  // trailing bytes: fields of a newer minor, ignored
}

void encode(Writer& w, const CommandResult& m) {
  w.varint(m.request);
  w.u8(m.ok ? 1 : 0);
  w.str(std::string_view(m.message).substr(0, kMaxCommandMessageLen));
}

bool decode(Reader& r, CommandResult& m, std::string& error) {
  m.request = r.varint();
  uint8_t ok = r.u8();
  m.message = std::string(r.str(kMaxCommandMessageLen));
  if (!r.ok()) {
    error = std::string("malformed command result: ") + r.error();
    return false;
  }
  if (ok > 1) {
    error = "command result with ok = " + std::to_string(ok);
    return false;
  }
  m.ok = ok == 1;
  return true;
}

// ---- records ---------------------------------------------------------------------------------
namespace {

// Writes tag and a 2-byte length placeholder; end_record() patches it (a varint may be
// written non-minimally, so 2 bytes always fit bodies up to 16383 bytes).
size_t begin_record(Writer& w, RecordType t) {
  w.u8(static_cast<uint8_t>(t));
  size_t at = w.size();
  w.u8(0);
  w.u8(0);
  return at;
}

void end_record(Writer& w, size_t at) {
  auto& b = w.buffer();
  size_t len = b.size() - at - 2;
  if (len <= 0x3fff) {
    b[at] = static_cast<uint8_t>((len & 0x7f) | 0x80);
    b[at + 1] = static_cast<uint8_t>(len >> 7);
    return;
  }
  // Long body (only telemetry can be): widen the length field to 3 bytes.
  b.insert(b.begin() + static_cast<ptrdiff_t>(at) + 2, 0);
  b[at] = static_cast<uint8_t>((len & 0x7f) | 0x80);
  b[at + 1] = static_cast<uint8_t>(((len >> 7) & 0x7f) | 0x80);
  b[at + 2] = static_cast<uint8_t>(len >> 14);
}

template <class E>
E get_enum(Reader& r, uint8_t max, const char* what) {
  uint8_t v = r.u8();
  if (v > max) r.fail(what);
  return static_cast<E>(v);
}

}  // namespace

void encode(Writer& w, const StringDef& m) {
  size_t at = begin_record(w, RecordType::StringDef);
  w.varint(m.id);
  w.str(m.text);
  end_record(w, at);
}
bool decode_body(Reader& r, StringDef& m) {
  m.id = r.varint32();
  m.text = r.str(kMaxStringLen);
  if (r.ok() && m.id == 0) r.fail("string id 0 is reserved");
  return r.ok();
}

void encode(Writer& w, const ActorSpawned& m) {
  size_t at = begin_record(w, RecordType::ActorSpawned);
  w.varint(m.t_ns);
  w.varint(m.actor);
  w.varint(m.parent);
  w.varint(m.name);
  w.varint(m.type);
  w.varint(m.child_id);
  w.u8(static_cast<uint8_t>(m.kind));
  w.u8(static_cast<uint8_t>(m.restart));
  w.u8(static_cast<uint8_t>(m.strategy));
  w.varint(m.intensity);
  w.varint(m.period_ms);
  end_record(w, at);
}
bool decode_body(Reader& r, ActorSpawned& m) {
  m.t_ns = r.varint();
  m.actor = r.varint();
  m.parent = r.varint();
  m.name = r.varint32();
  m.type = r.varint32();
  m.child_id = r.varint32();
  m.kind = get_enum<ActorKind>(r, 1, "unknown actor kind");
  m.restart = get_enum<RestartType>(r, 2, "unknown restart type");
  m.strategy = get_enum<Strategy>(r, 4, "unknown supervisor strategy");
  m.intensity = r.varint32();
  m.period_ms = r.varint32();
  if (r.ok() && m.actor == 0) r.fail("actor id 0 is reserved");
  return r.ok();
}

// The trailing inline reason text of ActorExited and ChildRestarted (an addition to 1.0):
// written only when there is one, so a record without it is byte for byte a 1.0 record.
static void put_reason_inline(Writer& w, std::string_view text) {
  if (!text.empty()) w.str(text.substr(0, kMaxStringLen));
}
static std::string_view get_reason_inline(Reader& r) { return r.ok() && !r.empty() ? r.str(kMaxStringLen) : std::string_view(); }

void encode(Writer& w, const ActorExited& m) {
  size_t at = begin_record(w, RecordType::ActorExited);
  w.varint(m.t_ns);
  w.varint(m.actor);
  w.u8(static_cast<uint8_t>(m.reason));
  w.varint(m.reason_text);
  put_reason_inline(w, m.reason_inline);
  end_record(w, at);
}
bool decode_body(Reader& r, ActorExited& m) {
  m.t_ns = r.varint();
  m.actor = r.varint();
  m.reason = get_enum<ExitReason>(r, 5, "unknown exit reason");
  m.reason_text = r.varint32();
  m.reason_inline = get_reason_inline(r);
  return r.ok();
}

void encode(Writer& w, const ChildRestarted& m) {
  size_t at = begin_record(w, RecordType::ChildRestarted);
  w.varint(m.t_ns);
  w.varint(m.supervisor);
  w.varint(m.child_id);
  w.varint(m.old_actor);
  w.varint(m.new_actor);
  w.u8(static_cast<uint8_t>(m.reason));
  w.varint(m.reason_text);
  put_reason_inline(w, m.reason_inline);
  end_record(w, at);
}
bool decode_body(Reader& r, ChildRestarted& m) {
  m.t_ns = r.varint();
  m.supervisor = r.varint();
  m.child_id = r.varint32();
  m.old_actor = r.varint();
  m.new_actor = r.varint();
  m.reason = get_enum<ExitReason>(r, 5, "unknown exit reason");
  m.reason_text = r.varint32();
  m.reason_inline = get_reason_inline(r);
  return r.ok();
}

void encode(Writer& w, const Link& m) {
  size_t at = begin_record(w, RecordType::Link);
  w.varint(m.t_ns);
  w.varint(m.a);
  w.varint(m.b);
  w.u8(static_cast<uint8_t>(m.op));
  end_record(w, at);
}
bool decode_body(Reader& r, Link& m) {
  m.t_ns = r.varint();
  m.a = r.varint();
  m.b = r.varint();
  m.op = get_enum<LinkOp>(r, 3, "unknown link operation");
  return r.ok();
}

void encode(Writer& w, const ActorStats& m) {
  size_t at = begin_record(w, RecordType::ActorStats);
  w.varint(m.actor);
  w.varint(m.mailbox);
  w.varint(m.enqueued);
  w.varint(m.dequeued);
  w.varint(m.busy_ns);
  w.varint(m.restarts);
  put_buckets(w, m.hist);
  end_record(w, at);
}
// decode_body(Reader&, ActorStats&) is inline, in codec.hpp.

void encode(Writer& w, const Telemetry& m) {
  size_t at = begin_record(w, RecordType::Telemetry);
  w.varint(m.t_ns);
  w.varint(m.actor);
  w.varint(m.event);
  uint8_t nm = m.n_measurements > kMaxTelemetryFields ? kMaxTelemetryFields : m.n_measurements;
  uint8_t nd = m.n_metadata > kMaxTelemetryFields ? kMaxTelemetryFields : m.n_metadata;
  w.u8(nm);
  for (uint8_t i = 0; i < nm; ++i) {
    w.varint(m.measurements[i].key);
    w.f64(m.measurements[i].value);
  }
  w.u8(nd);
  for (uint8_t i = 0; i < nd; ++i) {
    w.varint(m.metadata[i].key);
    w.str(m.metadata[i].value.substr(0, kMaxStringLen));
  }
  end_record(w, at);
}
bool decode_body(Reader& r, Telemetry& m) {
  m.t_ns = r.varint();
  m.actor = r.varint();
  m.event = r.varint32();
  m.n_measurements = r.u8();
  if (m.n_measurements > kMaxTelemetryFields) r.fail("too many telemetry measurements");
  for (uint8_t i = 0; r.ok() && i < m.n_measurements; ++i) {
    m.measurements[i].key = r.varint32();
    m.measurements[i].value = r.f64();
  }
  m.n_metadata = r.u8();
  if (r.ok() && m.n_metadata > kMaxTelemetryFields) r.fail("too many telemetry metadata pairs");
  for (uint8_t i = 0; r.ok() && i < m.n_metadata; ++i) {
    m.metadata[i].key = r.varint32();
    m.metadata[i].value = r.str(kMaxStringLen);
  }
  if (r.ok() && m.event == 0) r.fail("telemetry event without a name");
  return r.ok();
}

void encode(Writer& w, const Dropped& m) {
  size_t at = begin_record(w, RecordType::Dropped);
  w.u8(static_cast<uint8_t>(kDropKindCount));
  for (uint64_t c : m.counts) w.varint(c);
  end_record(w, at);
}
bool decode_body(Reader& r, Dropped& m) {
  uint8_t n = r.u8();
  for (uint8_t i = 0; r.ok() && i < n; ++i) {
    uint64_t c = r.varint();
    if (i < kDropKindCount) m.counts[i] = c;  // kinds from a newer minor: ignored
  }
  return r.ok();
}

void encode(Writer& w, const SnapshotBegin& m) {
  size_t at = begin_record(w, RecordType::SnapshotBegin);
  w.varint(m.snapshot);
  w.varint(m.actors);
  end_record(w, at);
}
bool decode_body(Reader& r, SnapshotBegin& m) {
  m.snapshot = r.varint();
  m.actors = r.varint();
  return r.ok();
}

void encode(Writer& w, const SnapshotEnd& m) {
  size_t at = begin_record(w, RecordType::SnapshotEnd);
  w.varint(m.snapshot);
  end_record(w, at);
}
bool decode_body(Reader& r, SnapshotEnd& m) {
  m.snapshot = r.varint();
  return r.ok();
}

void encode(Writer& w, const Heartbeat& m) {
  size_t at = begin_record(w, RecordType::Heartbeat);
  w.varint(m.t_ns);
  w.varint(m.live_actors);
  w.varint(m.agent_bytes);
  w.varint(m.ring_bytes_used);
  w.varint(m.flushes);
  end_record(w, at);
}
bool decode_body(Reader& r, Heartbeat& m) {
  m.t_ns = r.varint();
  m.live_actors = r.varint();
  m.agent_bytes = r.varint();
  m.ring_bytes_used = r.varint();
  m.flushes = r.varint();
  return r.ok();
}

void encode(Writer& w, const TypeTotals& m) {
  size_t at = begin_record(w, RecordType::TypeTotals);
  w.varint(m.type);
  w.varint(m.spawned);
  w.varint(m.exited);
  w.varint(m.enqueued);
  w.varint(m.dequeued);
  w.varint(m.busy_ns);
  put_buckets(w, m.hist);
  if (m.has_exited_by_reason) {
    w.u8(static_cast<uint8_t>(kExitReasonCount));
    for (uint64_t c : m.exited_by_reason) w.varint(c);
  }
  end_record(w, at);
}
void encode(Writer& w, const SupervisorTotals& m) {
  size_t at = begin_record(w, RecordType::SupervisorTotals);
  w.varint(m.supervisor);
  w.varint(m.restarts);
  w.varint(m.escalations);
  end_record(w, at);
}
bool decode_body(Reader& r, SupervisorTotals& m) {
  m.supervisor = r.varint32();
  m.restarts = r.varint();
  m.escalations = r.varint();
  return r.ok();
}
void encode(Writer& w, const TelemetryTotals& m) {
  size_t at = begin_record(w, RecordType::TelemetryTotals);
  w.varint(m.event);
  w.varint(m.count);
  end_record(w, at);
}
bool decode_body(Reader& r, TelemetryTotals& m) {
  m.event = r.varint32();
  m.count = r.varint();
  if (r.ok() && m.event == 0) r.fail("telemetry totals without an event name");
  return r.ok();
}
void encode(Writer& w, const NodeGauges& m) {
  size_t at = begin_record(w, RecordType::NodeGauges);
  w.varint(m.t_ns);
  uint8_t n = m.n > kMaxNodeGauges ? static_cast<uint8_t>(kMaxNodeGauges) : m.n;
  w.u8(n);
  for (uint8_t i = 0; i < n; ++i) {
    w.varint(m.values[i].gauge);
    w.f64(m.values[i].value);
  }
  end_record(w, at);
}
bool decode_body(Reader& r, NodeGauges& m) {
  m.t_ns = r.varint();
  m.n = r.u8();
  if (r.ok() && m.n > kMaxNodeGauges) r.fail("too many node gauges");
  for (uint8_t i = 0; r.ok() && i < m.n; ++i) {
    m.values[i].gauge = r.varint32();
    m.values[i].value = r.f64();
  }
  return r.ok();
}
void encode(Writer& w, const FlowEdges& m) {
  size_t at = begin_record(w, RecordType::FlowEdges);
  w.varint(m.sample_every);
  w.varint(m.unrecorded);
  uint16_t n = m.n > kMaxFlowEdges ? static_cast<uint16_t>(kMaxFlowEdges) : m.n;
  w.varint(n);
  for (uint16_t i = 0; i < n; ++i) {
    const FlowEdge& e = m.edges[i];
    w.varint(e.from);
    w.varint(e.to);
    w.varint(e.type);
    w.varint(e.count);
    w.varint(e.from_type);
    w.varint(e.to_type);
  }
  end_record(w, at);
}
bool decode_body(Reader& r, FlowEdges& m) {
  m.sample_every = r.varint32();
  m.unrecorded = r.varint();
  uint64_t n = r.varint();
  if (r.ok() && m.sample_every == 0) r.fail("flow edges sampled 1 in 0");
  if (r.ok() && n > kMaxFlowEdges) r.fail("too many flow edges");
  if (!r.ok()) return false;
  m.n = static_cast<uint16_t>(n);
  for (uint16_t i = 0; r.ok() && i < m.n; ++i) {
    FlowEdge& e = m.edges[i];
    e.from = r.varint();
    e.to = r.varint();
    e.type = r.varint32();
    e.count = r.varint();
    e.from_type = r.varint32();
    e.to_type = r.varint32();
    if (r.ok() && (e.to == 0 || e.count == 0)) r.fail("flow edge without a receiver or a count");
  }
  return r.ok();
}
void encode(Writer& w, const Handling& m) {
  size_t at = begin_record(w, RecordType::Handling);
  w.varint(m.t_ns);
  uint8_t n = m.n > kMaxHandling ? static_cast<uint8_t>(kMaxHandling) : m.n;
  w.u8(n);
  for (uint8_t i = 0; i < n; ++i) {
    w.varint(m.now[i].actor);
    w.varint(m.now[i].type);
    w.varint(m.now[i].busy_ns);
  }
  end_record(w, at);
}
bool decode_body(Reader& r, Handling& m) {
  m.t_ns = r.varint();
  m.n = r.u8();
  if (r.ok() && m.n > kMaxHandling) r.fail("too many handling actors");
  for (uint8_t i = 0; r.ok() && i < m.n; ++i) {
    m.now[i].actor = r.varint();
    m.now[i].type = r.varint32();
    m.now[i].busy_ns = r.varint();
    if (r.ok() && m.now[i].actor == 0) r.fail("handling without an actor");
  }
  return r.ok();
}
void encode(Writer& w, const SupervisorEscalated& m) {
  size_t at = begin_record(w, RecordType::SupervisorEscalated);
  w.varint(m.t_ns);
  w.varint(m.supervisor);
  end_record(w, at);
}
bool decode_body(Reader& r, SupervisorEscalated& m) {
  m.t_ns = r.varint();
  m.supervisor = r.varint();
  return r.ok();
}

bool decode_body(Reader& r, TypeTotals& m) {
  m.type = r.varint32();
  m.spawned = r.varint();
  m.exited = r.varint();
  m.enqueued = r.varint();
  m.dequeued = r.varint();
  m.busy_ns = r.varint();
  get_buckets(r, m.hist);
  // Trailing addition: exits per reason (reasons of a newer minor are ignored).
  if (r.ok() && !r.empty()) {
    uint8_t n = r.u8();
    for (uint8_t i = 0; r.ok() && i < n; ++i) {
      uint64_t c = r.varint();
      if (i < kExitReasonCount) m.exited_by_reason[i] = c;
    }
    m.has_exited_by_reason = r.ok();
  }
  return r.ok();
}

}  // namespace actorscope::proto
