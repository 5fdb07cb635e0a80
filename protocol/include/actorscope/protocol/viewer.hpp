// The viewer conversation: messages carried inside View frames between a viewer and the collector.
// protocol/VIEWER.md is the normative text; this header follows it field by field.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/messages.hpp"
#include "actorscope/protocol/wire.hpp"

namespace actorscope::proto::viewer {

// ---- limits ------------------------------------------------------------------------------
inline constexpr size_t kDefaultChunkBytes = 64u << 10;  // a View frame's payload is cut near this size
inline constexpr size_t kMaxWarnings = 4096;                // warnings in one Warnings message
inline constexpr size_t kMaxChain = 256;                 // parent chain entries in a detail reply
inline constexpr size_t kMaxLinks = 4096;                // links in a detail reply
inline constexpr size_t kMaxPageEvents = 4096;           // events in one page or detail reply
inline constexpr size_t kMaxSeriesPoints = 86400;        // points in one series reply
inline constexpr size_t kMaxMeasurements = kMaxTelemetryFields;
inline constexpr uint8_t kMaxDeltaHz = 10;

// ---- message tags --------------------------------------------------------------------------
// Every message is: u8 tag, varint body length, body. Unknown tags are skipped; body bytes
// past the known fields are ignored (minor-version additions).
enum class Tag : uint8_t {
  // viewer -> collector
  Subscribe = 0x01,
  DetailRequest = 0x02,
  EventsRequest = 0x03,
  SeriesRequest = 0x04,
  KillRequest = 0x05,
  ShowInstant = 0x06,      // an addition: older collectors skip it (and so never answer)
  TimelineRequest = 0x07,  // an addition, likewise
  ExportRequest = 0x08,    // an addition, likewise
  SubtreeFlowRequest = 0x09,  // an addition, likewise
  // collector -> viewer
  SnapshotBegin = 0x40,
  SnapshotEnd = 0x41,
  NodeRow = 0x42,
  NodeRemoved = 0x43,
  ActorRow = 0x44,
  ActorStats = 0x45,
  ActorRemoved = 0x46,
  Event = 0x47,
  Warnings = 0x48,
  TelemetryRow = 0x49,
  Tick = 0x4A,
  DetailReply = 0x4B,
  EventsPage = 0x4C,
  SeriesReply = 0x4D,
  CommandResult = 0x4E,
  RequestFailed = 0x4F,
  EventsGap = 0x50,  // an addition: older viewers skip it
  FlowRow = 0x51,    // an addition: older viewers skip it
  InstantShown = 0x52,   // an addition: older viewers skip it
  TimelineReply = 0x53,  // an addition: older viewers skip it
  ExportPart = 0x54,     // an addition: older viewers skip it
  SubtreeFlowReply = 0x55,  // an addition: older viewers skip it
};
inline constexpr size_t kTagCount = 31;
inline constexpr size_t kMaxFlowGroups = 256;      // groups in one SubtreeFlowReply
inline constexpr size_t kMaxFlowGroupEdges = 4096;  // edges in one SubtreeFlowReply
inline constexpr size_t kMaxExportPart = 256 * 1024;  // file bytes in one ExportPart
inline constexpr size_t kMaxTimelineBuckets = 86400;  // buckets in one timeline reply

// Nodes are numbered by the collector (1, 2, ...; 0 means "all nodes" in requests) and keep
// their number for the collector's lifetime, across reconnects of the same node name.
using NodeId = uint32_t;

// ---- viewer -> collector ------------------------------------------------------------------
struct Subscribe {
  std::string node;     // empty: every node; otherwise one node's name
  uint8_t delta_hz = 0;  // 0: the collector's default; capped at kMaxDeltaHz
};

struct DetailRequest {
  uint64_t request = 0;
  NodeId node = 0;
  uint64_t actor = 0;
};

enum class EventKind : uint8_t {
  Spawned = 0,
  Exited = 1,     // a clean exit (normal, shutdown)
  Crashed = 2,    // an abnormal exit (error, killed, unknown)
  Restarted = 3,  // a supervisor restarted a child
  Telemetry = 4,
  NodeUp = 5,
  NodeDown = 6,
  Command = 7,  // a command a viewer sent (kill), accepted or refused
  Warning = 8,  // a warning raised or cleared
};
inline constexpr size_t kEventKindCount = 9;
std::string_view name(EventKind k);
inline constexpr uint32_t kind_bit(EventKind k) { return 1u << static_cast<unsigned>(k); }
inline constexpr uint32_t kAllEventKinds = (1u << kEventKindCount) - 1;

struct EventsRequest {
  uint64_t request = 0;
  NodeId node = 0;                // 0: all nodes
  uint32_t kinds = kAllEventKinds;  // bit set of EventKind
  uint64_t before_seq = 0;        // 0: from the newest; else events with seq < before_seq
  uint32_t limit = 100;           // capped at kMaxPageEvents
  std::string text;               // substring of name or text; empty: any
};

enum class Metric : uint8_t { Actors = 0, MessagesPerSec = 1, RestartsPerMin = 2, MailboxTotal = 3, Drops = 4 };
inline constexpr size_t kMetricCount = 5;
std::string_view name(Metric m);

struct SeriesRequest {
  uint64_t request = 0;
  NodeId node = 0;  // 0: summed over all nodes
  Metric metric = Metric::MessagesPerSec;
  uint32_t seconds = 60;  // the last N seconds
};

struct KillRequest {
  uint64_t request = 0;
  NodeId node = 0;
  uint64_t actor = 0;
  std::string token;  // the collector's token; required even when viewers need none to connect
};

// Show the whole picture as it was at an instant (the collector's flight recorder rebuilds
// it), or live again. The collector answers InstantShown, then streams a snapshot of that
// instant; no deltas follow while a past instant is shown.
struct ShowInstant {
  uint64_t request = 0;
  uint64_t wall_ns = 0;  // Unix ns; 0: live
};
// What happened when, for a timeline: buckets of counts between two instants.
struct TimelineRequest {
  uint64_t request = 0;
  uint64_t from_wall_ns = 0;  // 0: from where history begins
  uint64_t to_wall_ns = 0;    // 0: to now
};

// The collector's flight recorder as a record file (collector/README.md), pulled part by part:
// offset 0 starts an export (what the history holds then is what the file holds), each
// following request asks for the bytes after the last part's. Answered by ExportPart, or
// RequestFailed (no export at that offset, or too many running).
struct ExportRequest {
  uint64_t request = 0;
  uint64_t offset = 0;
};

// Message flow among a supervisor's child subtrees (each child stands for itself and all
// below it), its own, and to and from the rest of the node. Answered by SubtreeFlowReply.
struct SubtreeFlowRequest {
  uint64_t request = 0;
  NodeId node = 0;
  uint64_t supervisor = 0;
  uint32_t max_children = 24;  // children shown; the quieter rest fold into one group (capped at kMaxFlowGroups - 4)
};

// ---- collector -> viewer ------------------------------------------------------------------
enum class InstantMode : uint8_t { Live = 0, Past = 1, Refused = 2 };
inline constexpr uint8_t kInstantModeCount = 3;
struct InstantShown {
  uint64_t request = 0;
  InstantMode mode = InstantMode::Live;
  uint64_t wall_ns = 0;          // the instant shown (Past); 0 otherwise
  uint64_t begins_wall_ns = 0;   // the collector's history reaches back to here ...
  uint64_t ends_wall_ns = 0;     // ... and up to here (0, 0: it keeps none)
  std::string message;           // Refused: why, one line
};
struct TimelineBucket {
  uint64_t wall_ns = 0;  // the bucket's start
  uint32_t crashes = 0, restarts = 0, escalations = 0, nodes_up = 0, nodes_down = 0, warnings = 0;
  bool operator==(const TimelineBucket&) const = default;
};
struct TimelineReply {
  uint64_t request = 0;
  uint64_t begins_wall_ns = 0;  // where history begins and ends now
  uint64_t ends_wall_ns = 0;
  uint32_t bucket_ms = 1000;
  std::vector<TimelineBucket> buckets;  // oldest first; buckets with nothing in them are left out
};

// The file's bytes from `offset` on (at most kMaxExportPart); `last`: the file ends with them.
struct ExportPart {
  uint64_t request = 0;
  uint64_t offset = 0;
  bool last = false;
  uint64_t begins_wall_ns = 0;  // the history the file holds (wall clock)
  uint64_t ends_wall_ns = 0;
  std::vector<uint8_t> bytes;
};

struct SnapshotBegin {
  uint64_t snapshot = 0;  // collector-assigned
  uint64_t nodes = 0;
  uint64_t actors = 0;
  // When the collector started (wall clock, ns since the epoch; 0: not told). Its history
  // begins there: after a collector restart, what came before is gone. Optional trailing
  // field: absent in older collectors' messages.
  uint64_t collector_started_wall_ns = 0;
};
struct SnapshotEnd {
  uint64_t snapshot = 0;
};

// One node gauge as the viewers get it: the last value, and for counters their rate.
struct NodeGaugeRow {
  uint32_t gauge = 0;  // a proto::NodeGauge id
  double value = 0;
  double per_s = 0;    // counters: per second between the last two readings; levels: 0
  bool operator==(const NodeGaugeRow&) const = default;
};
inline constexpr size_t kMaxNodeGaugeRows = 64;
// What a node's actor rates count (ActorStats.msgs_per_s_x100): messages processed, or for a
// BEAM node reductions (its processes' work; it reports no messages processed).
enum class RateUnit : uint8_t { Messages = 0, Reductions = 1 };
inline constexpr uint8_t kRateUnitCount = 2;
struct NodeRow {
  NodeId node = 0;
  std::string name;
  std::string host;
  std::string program;
  uint64_t pid = 0;
  uint64_t incarnation = 0;
  bool connected = false;
  uint64_t actors = 0;           // live
  uint64_t spawned = 0;          // ever, this incarnation
  uint64_t exited = 0;
  uint64_t restarts = 0;         // supervisor restarts, ever
  uint64_t messages = 0;         // processed, ever
  uint64_t mailbox_total = 0;    // sum of current mailbox depths
  uint64_t drops = 0;            // the agent's drops, all kinds
  uint64_t warnings = 0;            // current warnings
  uint64_t msgs_per_s_x100 = 0;  // messages processed per second, x100
  uint64_t restarts_per_min_x100 = 0;
  uint64_t agent_bytes = 0;
  // Addition: the node's gauges (proto::NodeGauge ids) read on its current connection;
  // empty for a node that reports none (and from an older collector).
  std::vector<NodeGaugeRow> gauges;
  // Addition: the node's own snapshot is still arriving at the collector (after a connect
  // or a reconnect): what the collector holds of it is partial. The actors its agent
  // announced, and those described so far.
  bool syncing = false;
  uint64_t sync_actors = 0;
  uint64_t sync_described = 0;
  // Addition: what the node's actor rates count (Messages from an older collector).
  RateUnit rate_unit = RateUnit::Messages;
};
struct NodeRemoved {
  NodeId node = 0;
};

enum class ActorState : uint8_t { Running = 0, Exiting = 1, Restarting = 2 };
std::string_view name(ActorState s);

// What an actor is: sent when it appears or when one of these fields changes.
struct ActorRow {
  NodeId node = 0;
  uint64_t actor = 0;
  uint64_t parent = 0;  // 0: a root
  std::string name;
  std::string type;
  std::string child_id;
  ActorKind kind = ActorKind::Worker;
  RestartType restart = RestartType::Permanent;
  Strategy strategy = Strategy::None;
  uint32_t intensity = 0;
  uint32_t period_ms = 0;
  uint64_t spawned_wall_ns = 0;
};

// How an actor is doing: sent when any of these fields changes.
struct ActorStats {
  NodeId node = 0;
  uint64_t actor = 0;
  ActorState state = ActorState::Running;
  uint64_t mailbox = 0;
  uint64_t enqueued = 0;
  uint64_t dequeued = 0;
  uint64_t busy_ns = 0;
  uint64_t restarts = 0;            // supervisors: restarts performed, ever (all incarnations of this child; the agent's exact count)
  uint32_t restarts_in_period = 0;  // supervisors: budget-counted restarts inside the current period (OTP's count)
  uint64_t msgs_per_s_x100 = 0;     // processed messages per second
  // Trailing fields (additions a 1.0 decoder skips; 0 from an older collector):
  uint64_t processed = 0;           // processing scopes that ended (dequeued counts messages taken out)
  uint64_t child_restarts = 0;      // restarts of this child (its supervisor, its child id), all incarnations
  uint64_t fill_per_s_x100 = 0;     // messages put in its mailbox per second ×100, plus one; 0: not known
                                    // (an older collector, or a node whose rates are reductions)
};

struct ActorRemoved {
  NodeId node = 0;
  uint64_t actor = 0;
};

struct Event {
  uint64_t seq = 0;  // collector-wide, increasing
  uint64_t wall_ns = 0;
  NodeId node = 0;
  EventKind kind = EventKind::Spawned;
  uint64_t actor = 0;
  uint64_t supervisor = 0;  // restarts: the supervisor
  ExitReason reason = ExitReason::Normal;
  std::string name;  // the actor's name, or the telemetry event name
  std::string text;  // reason text, or telemetry measurements rendered "k=v k=v"
  // Not on the wire: in a replica's list, a gap row (from EventsGap) stands for this many
  // events the collector did not send, with seq from `seq` up to the next row's.
  uint64_t not_sent = 0;
};

enum class Severity : uint8_t { Info = 0, Warning = 1, Critical = 2 };
std::string_view name(Severity s);

struct Warning {
  NodeId node = 0;
  uint64_t actor = 0;  // 0: about the node
  std::string kind;    // e.g. "mailbox_growing", "restart_storm"
  Severity severity = Severity::Warning;
  std::string text;
};
// The whole set of current warnings; replaces the previous one.
struct Warnings {
  std::vector<Warning> warnings;
};

using proto::kTelemetryBuckets;  // log2 buckets, see messages.hpp
using proto::telemetry_bucket_bound;

struct MeasurementStats {
  std::string key;
  uint64_t count = 0;
  double sum = 0, min = 0, max = 0, last = 0;
  // Counts per bucket; all zero when the collector sent none (an older collector).
  std::array<uint64_t, kTelemetryBuckets> buckets{};
  // The fine buckets (32 per doubling, ascending index, no empty ones) that percentiles are
  // read from; empty when the collector kept none for this measurement (it was over its
  // bucket budget, or an older collector): percentiles then come from the log2 buckets alone.
  std::vector<proto::FineBucket> fine;
};
// Aggregates of one telemetry event name on one node (upsert).
struct TelemetryRow {
  NodeId node = 0;
  std::string event;
  uint64_t count = 0;
  uint64_t per_s_x100 = 0;
  std::vector<MeasurementStats> measurements;
};

// Ends one snapshot or one delta: the viewer's replica is consistent after it.
struct Tick {
  uint64_t tick = 0;
  uint64_t wall_ns = 0;
  uint64_t viewers_dropped = 0;  // viewers the collector dropped for not reading
};

struct ChainEntry {
  uint64_t actor = 0;
  std::string name;
  std::string type;
};
// One end of a link or monitor, seen from the actor of a detail reply.
enum class LinkKind : uint8_t { Link = 0, Monitors = 1, MonitoredBy = 2 };
std::string_view name(LinkKind k);
struct LinkEntry {
  uint64_t peer = 0;
  LinkKind kind = LinkKind::Link;
  uint32_t count = 1;  // monitors: how many
};
// A supervised child across its incarnations (its supervisor, its child id): what the
// collector counted of it while its actor id changed at every restart.
struct ChildHistory {
  uint64_t supervisor = 0;          // the live supervisor that holds the record
  std::string child_id;
  uint64_t restarts = 0;            // all incarnations
  uint64_t current = 0;             // the actor its last restart started (0: never restarted)
  uint64_t last_crash_actor = 0;    // the incarnation that crashed last (0: no crash seen) ...
  uint64_t last_crash_wall_ns = 0;  // ... when ...
  ExitReason last_reason = ExitReason::Normal;  // ... why ...
  std::string last_text;            // ... and its text (empty when the log no longer holds it)
  bool operator==(const ChildHistory&) const = default;
};
// Message flow into one actor (sampled estimates; rates ×100, decayed over the collector's
// flow window).
inline constexpr size_t kMaxFlowRows = 32;
struct FlowSenderRow {
  uint64_t actor = 0;        // 0: not an actor
  std::string name;          // display name when the collector knows the actor, else ""
  std::string type;          // the sender's actor type ("" for 0; "unknown": an actor the collector did not know)
  uint64_t rate_x100 = 0;    // estimated messages/s ×100
  uint64_t error_x100 = 0;   // at most this much of the rate may be other senders'
  bool operator==(const FlowSenderRow&) const = default;
};
struct FlowTypeRow {
  std::string type;          // message type name ("" unnamed)
  uint64_t rate_x100 = 0;
  bool operator==(const FlowTypeRow&) const = default;
};
struct DetailReply {
  uint64_t request = 0;
  bool found = false;
  NodeId node = 0;
  uint64_t actor = 0;
  std::vector<ChainEntry> chain;  // parent, grandparent, ... up to the root (an actor that is not
                                  // live: from the supervisor its last event names, when live)
  std::vector<LinkEntry> links;
  std::vector<Event> events;      // the actor's recent events, newest first
  // Additions (absent from older collectors):
  std::string name;               // an actor that is not live: its name as its last event tells
  bool has_child = false;         // the actor is a supervisor's child the collector holds a record of
  ChildHistory child;
  // Addition: message flow into it, when its node reports flow.
  bool has_flow = false;
  uint32_t sample_every = 0;       // its agent samples 1 in this many sends
  std::vector<FlowSenderRow> senders;        // highest rate first
  std::vector<FlowTypeRow> message_types;    // highest rate first
  bool handling = false;           // inside a handler at its agent's last flush
  std::string handling_type;
  uint64_t handling_busy_ns = 0;   // how long that message had run, as of this reply
  // Addition: the window the flow rates above are decayed over (0: not said, an older collector).
  uint64_t flow_window_ns = 0;
};

enum class FlowGroupRole : uint8_t { Child = 0, Supervisor = 1, Outside = 2, Unplaced = 3, OtherChildren = 4 };
inline constexpr uint8_t kFlowGroupRoleCount = 5;
struct FlowGroupRow {
  FlowGroupRole role = FlowGroupRole::Child;
  uint64_t actor = 0;              // Child: the child; Supervisor: the supervisor; else 0
  std::string name;                // Child, Supervisor: its name (else child id)
  std::string type;                // its actor type
  uint64_t internal_x100 = 0;      // estimated messages/s between actors of the group ×100
  uint64_t mailbox_max = 0;        // the deepest mailbox among its actors sent to
  uint32_t children = 0;           // OtherChildren: how many are folded into it
  bool operator==(const FlowGroupRow&) const = default;
};
struct FlowGroupEdgeRow {
  uint32_t from = 0, to = 0;       // indices into groups
  uint64_t rate_x100 = 0;          // estimated messages/s ×100
  uint64_t error_x100 = 0;         // at most this much may be other senders' (per-receiver counters replaced)
  bool operator==(const FlowGroupEdgeRow&) const = default;
};
struct SubtreeFlowReply {
  uint64_t request = 0;
  bool found = false;              // the supervisor is a live actor of the node
  NodeId node = 0;
  uint64_t supervisor = 0;
  uint32_t sample_every = 0;       // 0: the node reports no flow
  uint32_t children = 0;           // the supervisor's children, with flow or not
  uint64_t receivers_over_cap = 0; // the node's samples kept per type pair only: missing here
  std::vector<FlowGroupRow> groups;
  std::vector<FlowGroupEdgeRow> edges;  // highest rate first
};

struct EventsPage {
  uint64_t request = 0;
  bool more = false;  // older matching events exist
  std::vector<Event> events;  // newest first
};

struct SeriesReply {
  uint64_t request = 0;
  uint32_t step_ms = 1000;
  uint64_t end_wall_ns = 0;  // time of the last point
  std::vector<double> points;  // oldest first
};

struct CommandResult {
  uint64_t request = 0;
  bool ok = false;
  std::string message;  // why it was refused, or what was done
};

struct RequestFailed {
  uint64_t request = 0;
  std::string message;
};

// The collector did not send `count` events with after_seq < seq < before_seq (its log
// pushed them out before this viewer's turn came, or the per-tick cap held them back and
// the log then dropped them). Comes where those events would have come.
struct EventsGap {
  uint64_t after_seq = 0;
  uint64_t before_seq = 0;
  uint64_t count = 0;
};

// Messages from one actor type to another on one node, estimated from the agent's sampled
// sends (upsert by node, from_type, to_type; sent at most once a second when it changed).
struct FlowRow {
  NodeId node = 0;
  std::string from_type;        // "": not sent by an actor; "unknown": by an actor the collector did not know
  std::string to_type;
  uint64_t rate_x100 = 0;       // estimated messages/s ×100, decayed over the collector's flow window
  uint64_t messages = 0;        // estimated messages, cumulative
  uint32_t sample_every = 1;    // the agent samples 1 in this many sends
  uint64_t to_mailbox_max = 0;  // the receiving type's deepest mailbox now ...
  uint64_t to_mailbox_sum = 0;  // ... and its messages waiting
  bool operator==(const FlowRow&) const = default;
};

// ---- codec -------------------------------------------------------------------------------
// encode() appends one whole message (tag, length, body).
void encode(Writer& w, const Subscribe& m);
void encode(Writer& w, const DetailRequest& m);
void encode(Writer& w, const EventsRequest& m);
void encode(Writer& w, const SeriesRequest& m);
void encode(Writer& w, const KillRequest& m);
void encode(Writer& w, const SnapshotBegin& m);
void encode(Writer& w, const SnapshotEnd& m);
void encode(Writer& w, const NodeRow& m);
void encode(Writer& w, const NodeRemoved& m);
void encode(Writer& w, const ActorRow& m);
void encode(Writer& w, const ActorStats& m);
void encode(Writer& w, const ActorRemoved& m);
void encode(Writer& w, const Event& m);
void encode(Writer& w, const Warnings& m);
void encode(Writer& w, const TelemetryRow& m);
void encode(Writer& w, const Tick& m);
void encode(Writer& w, const DetailReply& m);
void encode(Writer& w, const EventsPage& m);
void encode(Writer& w, const SeriesReply& m);
void encode(Writer& w, const CommandResult& m);
void encode(Writer& w, const RequestFailed& m);
void encode(Writer& w, const EventsGap& m);
void encode(Writer& w, const FlowRow& m);
void encode(Writer& w, const ShowInstant& m);
void encode(Writer& w, const TimelineRequest& m);
void encode(Writer& w, const InstantShown& m);
void encode(Writer& w, const TimelineReply& m);
void encode(Writer& w, const ExportRequest& m);
void encode(Writer& w, const ExportPart& m);
void encode(Writer& w, const SubtreeFlowRequest& m);
void encode(Writer& w, const SubtreeFlowReply& m);

// Body decoders: r holds exactly one message body. False on malformed input.
bool decode_body(Reader& r, Subscribe& m);
bool decode_body(Reader& r, DetailRequest& m);
bool decode_body(Reader& r, EventsRequest& m);
bool decode_body(Reader& r, SeriesRequest& m);
bool decode_body(Reader& r, KillRequest& m);
bool decode_body(Reader& r, SnapshotBegin& m);
bool decode_body(Reader& r, SnapshotEnd& m);
bool decode_body(Reader& r, NodeRow& m);
bool decode_body(Reader& r, NodeRemoved& m);
bool decode_body(Reader& r, ActorRow& m);
bool decode_body(Reader& r, ActorStats& m);
bool decode_body(Reader& r, ActorRemoved& m);
bool decode_body(Reader& r, Event& m);
bool decode_body(Reader& r, Warnings& m);
bool decode_body(Reader& r, TelemetryRow& m);
bool decode_body(Reader& r, Tick& m);
bool decode_body(Reader& r, DetailReply& m);
bool decode_body(Reader& r, EventsPage& m);
bool decode_body(Reader& r, SeriesReply& m);
bool decode_body(Reader& r, CommandResult& m);
bool decode_body(Reader& r, RequestFailed& m);
bool decode_body(Reader& r, EventsGap& m);
bool decode_body(Reader& r, ShowInstant& m);
bool decode_body(Reader& r, TimelineRequest& m);
bool decode_body(Reader& r, InstantShown& m);
bool decode_body(Reader& r, TimelineReply& m);
bool decode_body(Reader& r, ExportRequest& m);
bool decode_body(Reader& r, ExportPart& m);
bool decode_body(Reader& r, SubtreeFlowRequest& m);
bool decode_body(Reader& r, SubtreeFlowReply& m);
bool decode_body(Reader& r, FlowRow& m);

// Decodes every message of a View payload, calling h.on(const X&) for each known one.
// Unknown tags are skipped. Stops at the first malformed message.
template <class Handler>
DecodeResult decode_messages(const uint8_t* p, size_t n, Handler& h);

// Cuts a stream of encoded messages into View frames of about `chunk` payload bytes.
// The caller appends messages to body(); flush_if_full() closes the frame when the chunk is
// reached, flush() closes it unconditionally. Frames go to `out` with consecutive seqs.
class FrameChunker {
 public:
  FrameChunker(std::vector<uint8_t>& out, uint32_t& seq, size_t chunk = kDefaultChunkBytes)
      : out_(out), seq_(seq), chunk_(chunk) {}
  ~FrameChunker() { flush(); }
  Writer& writer() {
    open();
    return w_;
  }
  void flush_if_full() {
    if (open_ && out_.size() - at_ - kFrameHeaderSize >= chunk_) flush();
  }
  void flush();

 private:
  void open();
  std::vector<uint8_t>& out_;
  uint32_t& seq_;
  size_t chunk_;
  Writer w_{out_};
  size_t at_ = 0;
  bool open_ = false;
};

// ---- implementation of decode_messages -----------------------------------------------------
template <class Handler>
DecodeResult decode_messages(const uint8_t* p, size_t n, Handler& h) {
  return proto::detail::decode_tagged(p, n, [&h](uint8_t tag, Reader& body, DecodeResult& res) {
    bool go = true;
    switch (static_cast<Tag>(tag)) {
#define ACTORSCOPE_VIEW_CASE(T) \
  case Tag::T: go = proto::detail::dispatch<Handler, T>(body, h, res); break;
      ACTORSCOPE_VIEW_CASE(Subscribe)
      ACTORSCOPE_VIEW_CASE(DetailRequest)
      ACTORSCOPE_VIEW_CASE(EventsRequest)
      ACTORSCOPE_VIEW_CASE(SeriesRequest)
      ACTORSCOPE_VIEW_CASE(KillRequest)
      ACTORSCOPE_VIEW_CASE(SnapshotBegin)
      ACTORSCOPE_VIEW_CASE(SnapshotEnd)
      ACTORSCOPE_VIEW_CASE(NodeRow)
      ACTORSCOPE_VIEW_CASE(NodeRemoved)
      ACTORSCOPE_VIEW_CASE(ActorRow)
      ACTORSCOPE_VIEW_CASE(ActorStats)
      ACTORSCOPE_VIEW_CASE(ActorRemoved)
      ACTORSCOPE_VIEW_CASE(Event)
      ACTORSCOPE_VIEW_CASE(Warnings)
      ACTORSCOPE_VIEW_CASE(TelemetryRow)
      ACTORSCOPE_VIEW_CASE(Tick)
      ACTORSCOPE_VIEW_CASE(DetailReply)
      ACTORSCOPE_VIEW_CASE(EventsPage)
      ACTORSCOPE_VIEW_CASE(SeriesReply)
      ACTORSCOPE_VIEW_CASE(CommandResult)
      ACTORSCOPE_VIEW_CASE(RequestFailed)
#undef ACTORSCOPE_VIEW_CASE
      case Tag::EventsGap:  // an addition: handlers that do not take it skip it
        if constexpr (requires(const EventsGap& m) { h.on(m); })
          go = proto::detail::dispatch<Handler, EventsGap>(body, h, res);
        break;
      case Tag::FlowRow:  // an addition: handlers that do not take it skip it
        if constexpr (requires(const FlowRow& m) { h.on(m); })
          go = proto::detail::dispatch<Handler, FlowRow>(body, h, res);
        break;
#define ACTORSCOPE_VIEW_ADDITION(T)                         \
  case Tag::T:                                              \
    if constexpr (requires(const T& m) { h.on(m); })        \
      go = proto::detail::dispatch<Handler, T>(body, h, res); \
    break;
      ACTORSCOPE_VIEW_ADDITION(ShowInstant)
      ACTORSCOPE_VIEW_ADDITION(TimelineRequest)
      ACTORSCOPE_VIEW_ADDITION(InstantShown)
      ACTORSCOPE_VIEW_ADDITION(TimelineReply)
      ACTORSCOPE_VIEW_ADDITION(ExportRequest)
      ACTORSCOPE_VIEW_ADDITION(ExportPart)
      ACTORSCOPE_VIEW_ADDITION(SubtreeFlowRequest)
      ACTORSCOPE_VIEW_ADDITION(SubtreeFlowReply)
#undef ACTORSCOPE_VIEW_ADDITION
      default: break;  // unknown: skipped, its length told us how far
    }
    return go;
  });
}

}  // namespace actorscope::proto::viewer
