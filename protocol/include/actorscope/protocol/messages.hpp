// The one definition of actorscope's messages: enums, frame header, handshake and ingest records.
// protocol/SPEC.md is the normative text; this header follows it field by field.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

namespace actorscope::proto {

// ---- versions and limits -------------------------------------------------------------
inline constexpr char kMagic[8] = {'A', 'C', 'T', 'S', 'C', 'O', 'P', 'E'};
inline constexpr uint16_t kVersionMajor = 1;  // incompatible changes
inline constexpr uint16_t kVersionMinor = 0;  // additions a v1.0 peer can skip

inline constexpr size_t kFrameHeaderSize = 9;               // u32 length, u8 type, u32 seq
inline constexpr uint32_t kDefaultMaxFrame = 1u << 20;      // 1 MiB payload
inline constexpr uint32_t kHardMaxFrame = 16u << 20;        // no setting may exceed this
inline constexpr size_t kMaxStringLen = 4096;               // names, reasons, metadata values
inline constexpr size_t kMaxTokenLen = 1024;
inline constexpr size_t kMaxTelemetryFields = 16;           // measurements, and metadata pairs
inline constexpr size_t kHistogramBuckets = 10;             // see kHistogramBoundsNs

// Upper bounds (inclusive, in ns) of the processing-time histogram buckets; the last is +Inf.
inline constexpr std::array<uint64_t, kHistogramBuckets - 1> kHistogramBoundsNs = {
    10'000,        // 10 us
    50'000,        // 50 us
    100'000,       // 100 us
    500'000,       // 500 us
    1'000'000,     // 1 ms
    10'000'000,    // 10 ms
    100'000'000,   // 100 ms
    1'000'000'000, // 1 s
    5'000'000'000, // 5 s
};

// ---- frames --------------------------------------------------------------------------
enum class FrameType : uint8_t {
  Hello = 0x01,    // client -> collector, first frame of every connection
  Welcome = 0x02,  // collector -> client, handshake accepted
  Reject = 0x03,   // collector -> client, handshake refused; the connection closes
  Goodbye = 0x04,  // either side, orderly close
  Batch = 0x10,    // agent -> collector: a sequence of records
  View = 0x20,     // viewer conversation (see SPEC.md, "Viewer conversation")
  // Commands: sent only on a connection whose Hello and Welcome both carry kCapCommands.
  Command = 0x30,        // collector -> agent: one command (kill an actor)
  CommandResult = 0x31,  // agent -> collector: the outcome of one Command
};
bool is_known_frame_type(uint8_t t);

struct FrameHeader {
  uint32_t length = 0;  // payload bytes after the 9-byte header
  FrameType type{};
  uint32_t seq = 0;     // per direction, starts at 0, +1 per frame
};

enum class Role : uint8_t { Agent = 1, Viewer = 2 };

// Capability bits, announced in Hello and echoed (intersected) in Welcome.
enum Capability : uint64_t {
  kCapCommands = 1u << 0,   // agent: accepts commands (kill); viewer: wants command support
  kCapLz4 = 1u << 1,        // reserved: compressed batches
  // agent: its actors' work is counted in reductions (a BEAM node): ActorStats.dequeued counts
  // reductions, and no processing scopes are reported. A declaration, not a grant: the
  // collector reads it from the Hello and shows reductions/s, never messages/s, for the node.
  kCapReductions = 1u << 2,
  // agent: can report message flow (FlowEdges, Handling); collector: takes it. A grant: an
  // agent sends those records only when the Welcome carries the bit, so an older collector
  // never receives them, and an older agent simply has no flow.
  kCapFlow = 1u << 3,
};

struct Hello {
  uint16_t version_major = kVersionMajor;
  uint16_t version_minor = kVersionMinor;
  uint64_t capabilities = 0;
  Role role = Role::Agent;
  std::string token;         // empty when the collector needs none
  std::string node;          // node name, e.g. "orders@host1"
  uint64_t incarnation = 0;  // differs on every start of the process
  uint64_t pid = 0;
  std::string host;
  std::string program;
  uint64_t anchor_mono_ns = 0;  // the sender's monotonic clock ...
  uint64_t anchor_wall_ns = 0;  // ... and its wall clock (Unix ns), read together
  uint32_t max_frame = kDefaultMaxFrame;  // largest payload the sender accepts
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Welcome {
  uint16_t version_major = kVersionMajor;
  uint16_t version_minor = kVersionMinor;
  uint64_t capabilities = 0;
  uint64_t session = 0;  // collector-assigned connection id
  std::string collector;  // collector name/version for logs
  uint32_t max_frame = kDefaultMaxFrame;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

enum class RejectCode : uint8_t {
  BadMagic = 1,
  BadVersion = 2,
  BadToken = 3,
  BadRole = 4,
  Overloaded = 5,
  Malformed = 6,
  NodeInUse = 7,  // the node is connected and not silent (SPEC.md, "Takeover")
};

struct Reject {
  RejectCode code = RejectCode::Malformed;
  std::string message;
  friend bool operator==(const Reject&, const Reject&) = default;
};

// ---- commands (collector -> agent, agent -> collector) ----------------------------------
enum class CommandKind : uint8_t { Kill = 1 };  // kill: the actor exits with reason killed
inline constexpr size_t kMaxCommandMessageLen = 1024;  // CommandResult.message

struct Command {
  uint64_t request = 0;  // collector-chosen id, echoed in the CommandResult
  CommandKind kind = CommandKind::Kill;
  uint64_t actor = 0;    // the agent's actor id (non-zero)
  friend bool operator==(const Command&, const Command&) = default;
};

struct CommandResult {
  uint64_t request = 0;
  bool ok = false;
  std::string message;  // what was done, or why it was refused; one line
  friend bool operator==(const CommandResult&, const CommandResult&) = default;
};

// ---- domain enums (otp-primer.md) ------------------------------------------------------
enum class ActorKind : uint8_t { Worker = 0, Supervisor = 1 };
enum class Strategy : uint8_t { None = 0, OneForOne = 1, OneForAll = 2, RestForOne = 3, SimpleOneForOne = 4 };
enum class RestartType : uint8_t { Permanent = 0, Transient = 1, Temporary = 2 };
// normal, shutdown and {shutdown, Term} are clean; killed is kill; error is any crash.
enum class ExitReason : uint8_t { Normal = 0, Shutdown = 1, ShutdownTerm = 2, Killed = 3, Error = 4, Unknown = 5 };
inline constexpr size_t kExitReasonCount = 6;
enum class LinkOp : uint8_t { Link = 0, Unlink = 1, Monitor = 2, Demonitor = 3 };
// What the agent had to drop, counted per kind.
enum class DropKind : uint8_t { Restart = 0, Link = 1, Telemetry = 2, Stats = 3, String = 4, Other = 5 };
inline constexpr size_t kDropKindCount = 6;

std::string_view name(ActorKind);
std::string_view name(Strategy);
std::string_view name(RestartType);
std::string_view name(ExitReason);
std::string_view name(LinkOp);
std::string_view name(DropKind);
bool exit_is_clean(ExitReason r);  // normal, shutdown, {shutdown, _}

// ---- records (inside Batch frames) ----------------------------------------------------
// Every record is: u8 tag, varint body length, body. Decoders skip unknown tags and
// ignore body bytes past the fields they know (minor-version additions).
enum class RecordType : uint8_t {
  StringDef = 0x01,
  ActorSpawned = 0x02,
  ActorExited = 0x03,
  ChildRestarted = 0x04,
  Link = 0x05,
  ActorStats = 0x06,
  Telemetry = 0x07,
  Dropped = 0x08,
  SnapshotBegin = 0x09,
  SnapshotEnd = 0x0A,
  Heartbeat = 0x0B,
  TypeTotals = 0x0C,
  SupervisorEscalated = 0x0D,  // an addition a 1.0 decoder skips
  SupervisorTotals = 0x0E,     // an addition a 1.0 decoder skips (snapshot only)
  TelemetryTotals = 0x0F,      // an addition a 1.0 decoder skips (snapshot only)
  NodeGauges = 0x10,           // an addition a 1.0 decoder skips (node_gauges.hpp)
  FlowEdges = 0x11,            // an addition, sent only when kCapFlow was granted
  Handling = 0x12,             // an addition, sent only when kCapFlow was granted
};
inline constexpr size_t kRecordTypeCount = 18;

// String ids are per connection; 0 is the empty string and is never defined.
using StringId = uint32_t;

struct StringDef {
  StringId id = 0;
  std::string_view text;
  friend bool operator==(const StringDef&, const StringDef&) = default;
};

struct ActorSpawned {
  uint64_t t_ns = 0;       // ns since the Hello's anchor_mono_ns
  uint64_t actor = 0;      // non-zero, unique within the node's incarnation
  uint64_t parent = 0;     // 0: a root
  StringId name = 0;       // registered name or label
  StringId type = 0;       // actor type, e.g. "parser"
  StringId child_id = 0;   // id in the parent supervisor's child spec
  ActorKind kind = ActorKind::Worker;
  RestartType restart = RestartType::Permanent;
  Strategy strategy = Strategy::None;  // supervisors only
  uint32_t intensity = 0;              // supervisors only
  uint32_t period_ms = 0;              // supervisors only
  friend bool operator==(const ActorSpawned&, const ActorSpawned&) = default;
};

struct ActorExited {
  uint64_t t_ns = 0;
  uint64_t actor = 0;
  ExitReason reason = ExitReason::Normal;
  StringId reason_text = 0;
  // An addition to 1.0: the reason text itself, not interned. Crash reasons are unbounded
  // (one per crash), so a sender keeps them out of the string table; reason_text is 0 then.
  std::string_view reason_inline;
  friend bool operator==(const ActorExited&, const ActorExited&) = default;
};

struct ChildRestarted {
  uint64_t t_ns = 0;
  uint64_t supervisor = 0;
  StringId child_id = 0;
  uint64_t old_actor = 0;
  uint64_t new_actor = 0;  // 0 when the restart failed or is still pending
  ExitReason reason = ExitReason::Error;
  StringId reason_text = 0;
  std::string_view reason_inline;  // an addition to 1.0, as in ActorExited
  friend bool operator==(const ChildRestarted&, const ChildRestarted&) = default;
};

struct Link {
  uint64_t t_ns = 0;
  uint64_t a = 0;
  uint64_t b = 0;
  LinkOp op = LinkOp::Link;
  friend bool operator==(const Link&, const Link&) = default;
};

// Cumulative counters of one live actor, sent when they changed. Being cumulative,
// a lost or repeated record costs nothing.
struct ActorStats {
  uint64_t actor = 0;
  uint64_t mailbox = 0;     // current depth
  uint64_t enqueued = 0;    // messages ever put in the mailbox
  uint64_t dequeued = 0;    // messages ever taken out
  uint64_t busy_ns = 0;     // time spent processing
  uint64_t restarts = 0;    // supervisors: restarts performed
  std::array<uint64_t, kHistogramBuckets> hist{};  // processing-time counts per bucket
  friend bool operator==(const ActorStats&, const ActorStats&) = default;
};

struct TelemetryMeasurement {
  StringId key = 0;
  double value = 0;
  friend bool operator==(const TelemetryMeasurement&, const TelemetryMeasurement&) = default;
};
struct TelemetryMeta {
  StringId key = 0;
  std::string_view value;  // inline, not interned: values are unbounded
  friend bool operator==(const TelemetryMeta&, const TelemetryMeta&) = default;
};
struct Telemetry {
  uint64_t t_ns = 0;
  uint64_t actor = 0;  // 0: not tied to an actor
  StringId event = 0;  // dotted name, e.g. "my_app.repo.query.stop"
  uint8_t n_measurements = 0;
  uint8_t n_metadata = 0;
  std::array<TelemetryMeasurement, kMaxTelemetryFields> measurements{};
  std::array<TelemetryMeta, kMaxTelemetryFields> metadata{};
  friend bool operator==(const Telemetry&, const Telemetry&) = default;
};

// Cumulative drop counts since the agent started, per kind.
struct Dropped {
  std::array<uint64_t, kDropKindCount> counts{};
  friend bool operator==(const Dropped&, const Dropped&) = default;
};

struct SnapshotBegin {
  uint64_t snapshot = 0;  // agent-assigned id
  uint64_t actors = 0;    // live actors the snapshot will describe
  friend bool operator==(const SnapshotBegin&, const SnapshotBegin&) = default;
};
struct SnapshotEnd {
  uint64_t snapshot = 0;
  friend bool operator==(const SnapshotEnd&, const SnapshotEnd&) = default;
};

struct Heartbeat {
  uint64_t t_ns = 0;
  uint64_t live_actors = 0;
  uint64_t agent_bytes = 0;     // memory the agent holds (cells, rings, tables)
  uint64_t ring_bytes_used = 0;
  uint64_t flushes = 0;
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

// A supervisor exceeded its restart intensity (one more restart than `intensity` within
// `period`): it gives up and leaves the failure to its own supervisor (OTP's
// reached_max_restart_intensity), or, at the top, ends the application. Its exit, if it
// exits, comes as an ActorExited of its own.
struct SupervisorEscalated {
  uint64_t t_ns = 0;
  uint64_t supervisor = 0;
  friend bool operator==(const SupervisorEscalated&, const SupervisorEscalated&) = default;
};

// Cumulative totals of the actors of one type that have exited, so that per-type
// counters survive their actors (and a collector restart).
struct TypeTotals {
  StringId type = 0;
  uint64_t spawned = 0;
  uint64_t exited = 0;
  uint64_t enqueued = 0;
  uint64_t dequeued = 0;
  uint64_t busy_ns = 0;
  std::array<uint64_t, kHistogramBuckets> hist{};
  // Trailing addition: exits per ExitReason, cumulative. Sent (and decoded) only when set;
  // an older agent's TypeTotals has none.
  bool has_exited_by_reason = false;
  std::array<uint64_t, kExitReasonCount> exited_by_reason{};
  friend bool operator==(const TypeTotals&, const TypeTotals&) = default;
};

// Snapshot only: restarts and escalations since the agent started, over every supervisor
// with this label (its name, else its child id), live or exited.
struct SupervisorTotals {
  StringId supervisor = 0;  // 0: unnamed
  uint64_t restarts = 0;
  uint64_t escalations = 0;
  friend bool operator==(const SupervisorTotals&, const SupervisorTotals&) = default;
};

// Snapshot only: telemetry events of one name the agent handled since it started.
struct TelemetryTotals {
  StringId event = 0;  // non-zero
  uint64_t count = 0;
  friend bool operator==(const TelemetryTotals&, const TelemetryTotals&) = default;
};

// Figures of the whole node by fixed id (NodeGauge, node_gauges.hpp): levels, and counters
// cumulative since the source started. Ids this side does not know are kept, and ignored
// by whoever reads them.
inline constexpr size_t kMaxNodeGauges = 64;  // per NodeGauges record
struct NodeGaugeValue {
  uint32_t gauge = 0;  // a NodeGauge id
  double value = 0;
  friend bool operator==(const NodeGaugeValue&, const NodeGaugeValue&) = default;
};
struct NodeGauges {
  uint64_t t_ns = 0;
  uint8_t n = 0;  // at most kMaxNodeGauges
  std::array<NodeGaugeValue, kMaxNodeGauges> values{};
  friend bool operator==(const NodeGauges&, const NodeGauges&) = default;
};

// Message flow, sampled: of every `sample_every` messages put into an actor's mailbox, about
// one is counted with its sender and its message type (a sampled send). Counts are the
// samples since the agent's previous FlowEdges; the messages they stand for are count ×
// sample_every. Exact message counts stay in ActorStats.
inline constexpr size_t kMaxFlowEdges = 256;  // per FlowEdges record
struct FlowEdge {
  uint64_t from = 0;     // the sending actor; 0: not an actor (a thread outside the actors)
  uint64_t to = 0;       // the receiving actor, non-zero
  StringId type = 0;     // the message type's name; 0: unnamed
  uint64_t count = 0;    // sampled sends, non-zero
  StringId from_type = 0;  // the sender's actor type when sampled (0: not an actor) ...
  StringId to_type = 0;    // ... and the receiver's: edges keep their types when the actors are gone by the flush
  friend bool operator==(const FlowEdge&, const FlowEdge&) = default;
};
struct FlowEdges {
  uint32_t sample_every = 1;  // 1 in this many sends is sampled (>= 1)
  uint64_t unrecorded = 0;    // sampled sends the agent could not count (its edge table was full)
  uint16_t n = 0;             // at most kMaxFlowEdges
  std::array<FlowEdge, kMaxFlowEdges> edges{};
  friend bool operator==(const FlowEdges&, const FlowEdges&) = default;
};

// The actors handling a message at t_ns (one per thread running an actor), and for how long
// the message has run. Each record replaces the previous one: an actor not in it is not
// handling a message (or finished within the flush period).
inline constexpr size_t kMaxHandling = 64;  // per Handling record
struct HandlingNow {
  uint64_t actor = 0;    // non-zero
  StringId type = 0;     // the message type's name; 0: unnamed
  uint64_t busy_ns = 0;  // how long this message has run so far
  friend bool operator==(const HandlingNow&, const HandlingNow&) = default;
};
struct Handling {
  uint64_t t_ns = 0;
  uint8_t n = 0;  // at most kMaxHandling
  std::array<HandlingNow, kMaxHandling> now{};
  friend bool operator==(const Handling&, const Handling&) = default;
};

// Telemetry measurements are counted in log2 buckets: bucket i holds values v with
// 2^(i-21) < v <= 2^(i-20); bucket 0 also holds zero, negatives and NaN, the last bucket
// everything larger. The collector keeps them; the viewer conversation carries them.
inline constexpr size_t kTelemetryBuckets = 64;
inline double telemetry_bucket_bound(size_t i) { return std::ldexp(1.0, static_cast<int>(i) - 20); }
inline size_t telemetry_bucket(double v) {
  if (!(v > 0)) return 0;  // zero, negatives and NaN
  if (std::isinf(v)) return kTelemetryBuckets - 1;
  int e = std::ilogb(v);
  // v <= 2^(i-20): i = e + 20, plus one unless v is an exact power of two.
  long i = static_cast<long>(e) + 20 + (v > std::ldexp(1.0, e) ? 1 : 0);
  return static_cast<size_t>(std::clamp<long>(i, 0, static_cast<long>(kTelemetryBuckets) - 1));
}

// Fine telemetry buckets, for percentiles with a stated error: 32 per doubling, each
// (low, high] nested inside one log2 bucket above. Index 0 holds exact zero, index k > 0 the
// positive values of sub-bucket k, index -k the negative values whose magnitude is in it;
// NaN has none. A percentile read at a bucket's midpoint is within kTelemetryFineError of
// the true value (the bucket is at most 1/32 of its low bound wide).
inline constexpr int kTelemetryFinePerDoubling = 32;
inline constexpr double kTelemetryFineError = 1.0 / (2 * kTelemetryFinePerDoubling);  // 1/64 ≈ 1.6 %
inline constexpr int kTelemetryFineExponentBias = 1100;  // frexp exponents go down to -1073
inline constexpr size_t kMaxTelemetryFineBuckets = 4096;  // per measurement on the wire
struct FineBucket {
  int32_t index = 0;
  uint64_t count = 0;
  friend bool operator==(const FineBucket&, const FineBucket&) = default;
};
// The bucket of v, or nullopt-like INT32_MIN for NaN.
inline constexpr int32_t kNoFineBucket = INT32_MIN;
inline int32_t telemetry_fine_bucket(double v) {
  if (std::isnan(v)) return kNoFineBucket;
  if (v == 0) return 0;
  const double a = std::fabs(v);
  int32_t k;
  if (std::isinf(a)) {
    k = (1025 + kTelemetryFineExponentBias) * kTelemetryFinePerDoubling + 1;  // past the largest finite
  } else {
    int e = 0;
    const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
    int sub;
    if (m == 0.5) {  // an exact power of two closes the doubling below: (.., 2^(e-1)]
      --e;
      sub = kTelemetryFinePerDoubling - 1;
    } else {
      sub = static_cast<int>(std::ceil((m - 0.5) * 2 * kTelemetryFinePerDoubling)) - 1;
    }
    k = (e + kTelemetryFineExponentBias) * kTelemetryFinePerDoubling + sub + 1;
  }
  return v < 0 ? -k : k;
}
// The magnitudes bucket k (k != 0) holds: (low, high].
struct FineBounds {
  double low = 0;
  double high = 0;
};
inline FineBounds telemetry_fine_bounds(int32_t index) {
  if (index == 0) return {0, 0};
  const int32_t t = (index < 0 ? -index : index) - 1;
  const int e = t / kTelemetryFinePerDoubling - kTelemetryFineExponentBias;
  const int sub = t % kTelemetryFinePerDoubling;
  const double step = 1.0 / (2 * kTelemetryFinePerDoubling);
  return {std::ldexp(0.5 + sub * step, e), std::ldexp(0.5 + (sub + 1) * step, e)};
}
// The value a percentile falling into bucket k is read as: the middle of its range.
inline double telemetry_fine_value(int32_t index) {
  const FineBounds b = telemetry_fine_bounds(index);
  const double mid = b.low + (b.high - b.low) / 2;
  return index < 0 ? -mid : mid;
}
// The log2 bucket a fine bucket lies in (they nest exactly).
inline size_t telemetry_bucket_of_fine(int32_t index) {
  if (index <= 0) return 0;
  return telemetry_bucket(telemetry_fine_bounds(index).high);
}

// Index of the histogram bucket for a duration in ns.
inline size_t histogram_bucket(uint64_t ns) {
  size_t i = 0;
  while (i < kHistogramBoundsNs.size() && ns > kHistogramBoundsNs[i]) ++i;
  return i;
}

}  // namespace actorscope::proto
