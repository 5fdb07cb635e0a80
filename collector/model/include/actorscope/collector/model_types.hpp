// What the model holds, as plain structs that readers (exporter, viewer sessions) walk.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "actorscope/collector/strings.hpp"
#include "actorscope/protocol/messages.hpp"
#include "actorscope/protocol/node_gauges.hpp"

namespace actorscope::collector {

namespace proto = ::actorscope::proto;

// Identifies a node (one app process lineage, by node name) inside this model; 0 is none.
// A reconnect or restart of the same node name keeps its key.
using NodeKey = uint32_t;
// Row index inside a node's actor table.
using Row = uint32_t;
inline constexpr Row kNoRow = std::numeric_limits<Row>::max();

// ---- nodes -----------------------------------------------------------------------------
enum class NodeState : uint8_t { Connected = 0, Gone = 1 };

// The last reading of one node gauge (NodeGauges record, proto::NodeGauge ids).
struct GaugeReading {
  bool set = false;         // a reading has come (current when `connection` is the node's)
  double value = 0;         // levels as read; counters cumulative since the source started
  double per_s = 0;         // counters: the rate between the last two readings (0 after a reset)
  uint64_t t_ns = 0;        // the agent's clock at the reading
  uint64_t connection = 0;  // rates are taken only between readings of one connection
};

struct Node {
  NodeKey key = 0;
  std::string name;             // e.g. "orders@host1"
  std::string host;
  std::string program;
  uint64_t pid = 0;
  uint64_t incarnation = 0;
  // What its actors' rates count: its agent declares reductions (kCapReductions, a BEAM
  // node) or they are messages processed (processing scopes that ended).
  bool rates_in_reductions = false;
  bool flow = false;            // its agent offered message flow (capability bit 3): flow records are taken
  NodeState state = NodeState::Connected;
  uint64_t connection = 0;      // the server's id of the connection feeding it
  uint64_t connected_at_ns = 0; // collector clock
  uint64_t gone_at_ns = 0;      // collector clock, when state is Gone
  uint64_t anchor_mono_ns = 0;  // the agent's clock anchor from its Hello
  uint64_t anchor_wall_ns = 0;
  uint64_t reconnects = 0;      // Hellos with the same incarnation after the first
  uint64_t app_restarts = 0;    // Hellos with a new incarnation
  std::array<uint64_t, proto::kDropKindCount> drops{};  // cumulative, across incarnations
  uint64_t last_heartbeat_ns = 0;  // collector clock; 0 before the first
  proto::Heartbeat heartbeat{};    // the last one
  bool snapshot_in_progress = false;
  uint64_t snapshot_actors = 0;    // the snapshot in progress: actors the agent announced ...
  uint64_t snapshot_described = 0; // ... and those described so far
  uint64_t snapshots = 0;          // snapshots completed
  uint64_t live_actors = 0;
  uint64_t restarts = 0;           // child restarts seen (all supervisors)
  uint64_t crashes = 0;            // abnormal exits seen
  uint64_t escalations = 0;        // supervisors that exceeded their restart intensity
  uint64_t telemetry_events = 0;
  // Actors removed without an exit record: those a new incarnation's snapshot replaced
  // (they died with the old process) and those a reconnect's snapshot no longer
  // described (they exited while the collector was not connected). Counted as exits
  // with reason unknown.
  uint64_t unseen_exits = 0;
  // Figures of the whole node (a BEAM node's VM), by proto::NodeGauge id.
  std::array<GaugeReading, proto::kNodeGaugeCount> gauges{};
};

// ---- actors ----------------------------------------------------------------------------
// One live actor. Exited actors leave the table (their exit is in the event log and the
// per-type aggregates). A row whose id is 0 is free.
struct Actor {
  // What a stats sample reads and writes comes first (up to kActorStatsBytes): a row that
  // begins in the first half of a cache line is read by a sample in three lines, not four.
  uint64_t id = 0;
  // Cumulative stats, as last reported.
  uint64_t mailbox = 0;
  uint64_t enqueued = 0;
  uint64_t dequeued = 0;
  uint64_t busy_ns = 0;
  std::array<uint64_t, proto::kHistogramBuckets> hist{};
  // Derived.
  uint64_t growth_base = 0;     // mailbox when the current growth streak started
  uint64_t last_sample_ns = 0;  // collector clock of the last stats sample
  uint64_t last_progress_ns = 0;// collector clock when dequeued last moved (or spawn)
  uint32_t type_slot = 0;       // index of its TypeAggregate within the node
  uint32_t journaled = 0;       // low bits of the version it was last journaled at
  float messages_per_s = 0;     // moving average of its samples (actor_rate_smoothing_ns); 0 once no sample came for a rate window;
                                // reductions/s on a node whose rates are in reductions
  float fill_per_s = 0;         // messages put in its mailbox per second, over the same window as
                                // messages_per_s (0 on a node whose rates are reductions: its
                                // mailbox is sampled, not counted)
  proto::ActorKind kind = proto::ActorKind::Worker;
  uint8_t flags = 0;            // kActorOrphan | kActorWatched | kActorLinked | kActorRated | kActorWarned*
  uint8_t growth_streak = 0;    // consecutive samples in which the mailbox grew
  uint8_t step_marks = 0;       // the one-second step's bookkeeping (kStep*)
  uint16_t seen_epoch = 0;      // snapshot bookkeeping
  // The rest: what it is and where it sits in the tree.
  proto::RestartType restart = proto::RestartType::Permanent;
  proto::Strategy strategy = proto::Strategy::None;
  Str name = 0;
  Str type = 0;
  Str child_id = 0;             // id in the parent supervisor's child spec
  Row first_child = kNoRow;     // tree links, row indices within the same node
  Row next_sibling = kNoRow;
  Row prev_sibling = kNoRow;
  uint32_t intensity = 0;       // supervisors
  uint32_t period_ms = 0;       // supervisors
  uint64_t parent = 0;          // 0: a root
  uint64_t spawn_wall_ns = 0;   // agent wall clock (anchor + record time)
};
// The part of a row that a stats sample touches (the ingest prefetches it).
inline constexpr size_t kActorStatsBytes = offsetof(Actor, restart);
static_assert(kActorStatsBytes <= 192 - 24, "a sample's part of a row fits three cache lines for most rows");
inline constexpr uint8_t kActorOrphan = 1;   // its parent is not (yet) known: listed as a root
inline constexpr uint8_t kActorWatched = 2;  // on the model's list of non-empty mailboxes
inline constexpr uint8_t kActorLinked = 4;   // has links or monitors (kept out of line, see ActorLink)
inline constexpr uint8_t kActorRated = 8;    // on the model's list of actors whose msg/s or fill rate is not 0
// Which of its mailbox warnings are raised (so that the one-second step looks a warning up
// only for the actors that have it).
inline constexpr uint8_t kActorWarnedGrowing = 16;
inline constexpr uint8_t kActorWarnedLarge = 32;
inline constexpr uint8_t kActorWarnedWait = 64;
inline constexpr uint8_t kActorWarnedStuck = 128;
inline constexpr uint8_t kActorWarnedMailbox = kActorWarnedGrowing | kActorWarnedLarge | kActorWarnedWait | kActorWarnedStuck;
// Actor::step_marks: the step looks again only at the actors whose warnings may have changed.
inline constexpr uint8_t kStepRecheck = 1;      // on its node's list of actors to look at, at the next step
inline constexpr uint8_t kStepStuckQueued = 2;  // has an entry in its node's queue of stuck deadlines
inline constexpr uint8_t kStepCapped = 4;       // a warning of it was refused past max_warnings: looked at again when there is room

// A node's actor rows, read-only: indexed by Row, iterated in row order (rows whose id is 0
// are free). The rows live in chunks that never move (see the model's RowStore).
class ActorRows {
 public:
  static constexpr size_t kChunkBytes = 2u << 20;
  static constexpr size_t kChunkRows = kChunkBytes / sizeof(Actor);
  ActorRows() = default;
  ActorRows(Actor* const* chunks, size_t size) : chunks_(chunks), size_(size) {}
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Actor& operator[](size_t r) const { return chunks_[r / kChunkRows][r % kChunkRows]; }
  class iterator {
   public:
    iterator(const ActorRows* rows, size_t i) : rows_(rows), i_(i) {}
    const Actor& operator*() const { return (*rows_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const ActorRows* rows_;
    size_t i_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size_); }

 private:
  Actor* const* chunks_ = nullptr;
  size_t size_ = 0;
};

// ---- links and monitors ------------------------------------------------------------------
// One end of a link or monitor as seen from an actor. A Link record with op monitor means
// `a` monitors `b`: a holds {b, Monitors}, b holds {a, MonitoredBy} (Erlang's `monitors`
// and `monitored_by`). Links are symmetric: both hold {other, Link}.
enum class LinkKind : uint8_t { Link = 0, Monitors = 1, MonitoredBy = 2 };
std::string_view name(LinkKind k);

struct ActorLink {
  uint64_t other = 0;          // the actor at the other end (may live on no known row)
  LinkKind kind = LinkKind::Link;
  uint32_t count = 1;          // monitors: how many (each demonitor removes one); links: 1
};

// ---- supervisors -----------------------------------------------------------------------
// A supervisor's child as a thing (OTP: its child spec's id): what happened to it across its
// incarnations, while its actor id changes at every restart. Kept per supervisor, carried
// across the supervisor's own incarnations, bounded by max_children_per_supervisor.
struct ChildRecord {
  Str child_id = 0;
  uint64_t restarts = 0;             // restart records, all incarnations
  uint64_t current = 0;              // the actor its last restart started (0: never restarted)
  // Its last abnormal exit (none seen: last_crash_actor 0): which incarnation, when, why, and
  // the event that holds the reason's text (the text goes when the bounded log pushes the
  // event out: a record keeps no text of its own, so that a peer cannot make us keep any).
  uint64_t last_crash_actor = 0;
  uint64_t last_crash_wall_ns = 0;
  uint64_t last_crash_seq = 0;
  proto::ExitReason last_reason = proto::ExitReason::Normal;
};

// A supervisor is a child too: (its supervisor, its child id). What is counted follows that
// child across its incarnations (restarts_before, per_child); the restart history that the
// budget reads belongs to the incarnation, as in OTP (a restarted supervisor starts afresh).
struct Supervisor {
  uint64_t actor = 0;
  Str label = 0;                         // name, else child id: the metrics label
  uint64_t path = 0;                     // identity across incarnations: its supervisor's path + its child id
  proto::Strategy strategy = proto::Strategy::None;
  uint32_t intensity = 0;
  uint32_t period_ms = 0;
  uint64_t restarts = 0;                 // this incarnation: max(restart records seen, the agent's exact count)
  uint64_t restart_records = 0;
  uint64_t reported_restarts = 0;        // ActorStats.restarts (the agent's exact count, this incarnation)
  uint64_t restarts_before = 0;          // performed by earlier incarnations of the same child
  uint64_t escalations = 0;              // times this child exceeded its intensity (all incarnations)
  std::vector<uint64_t> history;         // collector-clock times of recent restarts (ring), budget-counted only
  size_t history_next = 0;
  uint32_t budget_shown = 0;             // restarts in period at the last change note (see tick)
  bool budget_watched = false;           // in its node's budget_watch list (restarts inside the period)
  uint64_t budget_due_ns = 0;            // while watched: when the tick looks at its budget next (the
                                         // due of its entry in budget_watch; other entries are stale)
  std::vector<ChildRecord> per_child;    // its children by child id, across incarnations of both
  // Restarts performed by this child, across its incarnations.
  uint64_t total_restarts() const { return restarts_before + restarts; }
};

// ---- per-type aggregates -----------------------------------------------------------------
// A counter fed by two cumulative sources that may each lag: what this collector saw
// (local) and what the agent reported (agent). base carries earlier incarnations.
// value() never goes backwards.
struct MonotoneCounter {
  uint64_t base = 0;
  uint64_t local = 0;
  uint64_t agent = 0;
  uint64_t value() const { return base + (local > agent ? local : agent); }
  void fold() {
    base = value();
    local = agent = 0;
  }
};

// Everything /metrics needs about the actors of one type on one node, kept up to date
// on every update so that a scrape is O(types).
struct TypeAggregate {
  Str type = 0;
  std::array<uint64_t, 2> live{};        // by ActorKind
  MonotoneCounter spawns;
  MonotoneCounter exits;
  // Exits per reason: exits_by_reason[r] == exit_reasons[r].value(). local: exits this
  // collector saw (with, for an agent that does not report reasons, those it could not see
  // as unknown); agent: the agent's cumulative count per reason, when it reports them
  // (then it also covers the exits that happened while this collector was not connected).
  std::array<uint64_t, proto::kExitReasonCount> exits_by_reason{};
  std::array<MonotoneCounter, proto::kExitReasonCount> exit_reasons{};
  bool agent_reports_reasons = false;    // this incarnation's agent sent exits per reason
  // Live sums (of the live actors' cumulative stats) ...
  uint64_t live_enqueued = 0;
  uint64_t live_dequeued = 0;
  uint64_t live_busy_ns = 0;
  std::array<uint64_t, proto::kHistogramBuckets> live_hist{};
  // ... plus the retired part, so that totals survive exits.
  MonotoneCounter retired_enqueued;
  MonotoneCounter retired_dequeued;
  MonotoneCounter retired_busy_ns;
  std::array<MonotoneCounter, proto::kHistogramBuckets> retired_hist{};
  uint64_t mailbox_sum = 0;
  uint64_t mailbox_max = 0;              // rises at once; falls at the next series step

  uint64_t enqueued() const { return live_enqueued + retired_enqueued.value(); }
  uint64_t dequeued() const { return live_dequeued + retired_dequeued.value(); }
  uint64_t busy_ns() const { return live_busy_ns + retired_busy_ns.value(); }
  uint64_t hist(size_t i) const { return live_hist[i] + retired_hist[i].value(); }
  // Messages processed: processing scopes that ended (the histogram's count). A message
  // taken out of the mailbox and never handled is dequeued, not processed.
  uint64_t processed() const {
    uint64_t n = 0;
    for (size_t i = 0; i < proto::kHistogramBuckets; ++i) n += hist(i);
    return n;
  }
  uint64_t live_total() const { return live[0] + live[1]; }
};

// ---- telemetry ---------------------------------------------------------------------------
using proto::kTelemetryBuckets;  // log2 buckets, defined with the wire format

struct MeasurementStats {
  Str key = 0;
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double last = 0;
  std::array<uint64_t, kTelemetryBuckets> buckets{};
  // Fine buckets, ascending by index; dropped for good (fine_dropped) once the measurement
  // or its node would pass its bucket budget, so that what is kept is always complete.
  std::vector<proto::FineBucket> fine;
  bool fine_dropped = false;
};

using proto::telemetry_bucket;
using proto::telemetry_bucket_bound;

struct TelemetryStats {
  NodeKey node = 0;
  Str event = 0;
  uint64_t count = 0;
  double rate = 0;            // events/s over the last series step
  uint64_t count_at_step = 0; // bookkeeping for rate
  std::vector<MeasurementStats> measurements;
};

// ---- event log ---------------------------------------------------------------------------
enum class EventKind : uint8_t {
  Exit = 0,              // a clean exit (normal, shutdown)
  Crash = 1,             // an abnormal exit
  Restart = 2,           // a supervisor restarted a child
  Telemetry = 3,
  NodeConnected = 4,     // first Hello of a node name
  NodeReconnected = 5,   // same incarnation
  NodeRestarted = 6,     // new incarnation
  NodeDisconnected = 7,
  NodeForgotten = 8,
  WarningRaised = 9,
  WarningCleared = 10,
  Escalation = 11,       // a supervisor exceeded its restart intensity and gave up
};
inline constexpr size_t kEventKindCount = 12;
inline constexpr uint32_t event_bit(EventKind k) { return 1u << static_cast<unsigned>(k); }
// The events kept apart from routine ones (see ModelSettings::event_log_incident_share): those
// a viewer shows as crashed, node down or warning, which its replica keeps apart the same way.
inline constexpr uint32_t kIncidentEvents = event_bit(EventKind::Crash) | event_bit(EventKind::Escalation) |
                                            event_bit(EventKind::NodeDisconnected) | event_bit(EventKind::NodeForgotten) |
                                            event_bit(EventKind::WarningRaised) | event_bit(EventKind::WarningCleared);
inline constexpr uint32_t kTelemetryEvents = event_bit(EventKind::Telemetry);
inline constexpr uint32_t kRoutineEvents = ((1u << kEventKindCount) - 1) & ~kIncidentEvents & ~kTelemetryEvents;
std::string_view name(EventKind k);

struct Event {
  uint64_t seq = 0;            // global, from 1
  uint64_t at_ns = 0;          // collector clock
  uint64_t wall_ns = 0;        // agent wall clock, 0 when not from an agent record
  uint64_t actor = 0;          // the actor it is about (restart: the old actor)
  uint64_t other = 0;          // restart: the supervisor; telemetry: unused
  NodeKey node = 0;
  EventKind kind = EventKind::Exit;
  proto::ExitReason reason = proto::ExitReason::Normal;
  Str name = 0;                // actor name / child id / telemetry event name
  Str type = 0;                // actor type
  Str child_id = 0;            // exits: the actor's child id (0: none); restarts: in name
  Str text = 0;                // reason text, when an older agent interned it
  uint64_t new_actor = 0;      // restart: the replacement
  double value = 0;            // telemetry: first measurement
  std::string detail;          // exits, restarts: the reason text sent inline; warnings, node events: human text
};

// ---- message flow (sampled) --------------------------------------------------------------
// Edges are estimates: sampled sends × the agent's sampling rate. Rates decay exponentially
// over ModelSettings::flow_rate_window_ns (a steady r messages/s reads r).
inline constexpr size_t kFlowHistory = 60;  // per-step points kept per type pair
struct FlowPair {
  Str from_type = 0;         // 0: not sent by an actor; StringPool::kUnknown: by an actor the
                             // model does not know (gone, or not seen yet); kOverflow: pairs past the cap
  Str to_type = 0;
  uint64_t messages = 0;     // estimated messages, cumulative
  uint64_t samples = 0;      // sampled sends behind them, cumulative
  double rate = 0;           // estimated messages/s at rate_at_ns
  uint64_t rate_at_ns = 0;
  uint64_t born_ns = 0;      // collector clock: its node's connection, where its rate starts from zero
  uint64_t messages_at_step = 0;                  // `messages` at the last series step
  std::array<uint32_t, kFlowHistory> history{};   // estimated messages per series step, ring
  uint32_t history_next = 0, history_count = 0;
};
inline constexpr uint64_t kSenderParentUnknown = ~uint64_t{0};  // not in the model when counted
struct FlowSender {          // one receiving actor's sender (or message type), Space-Saving
  uint64_t from = 0;         // sending actor (0: not an actor); unused for message types
  Str type = 0;              // the sender's actor type, or the message type
  double rate = 0;           // estimated messages/s, decayed like FlowPair::rate
  double error = 0;          // at most this much of `rate` may belong to senders it replaced
  uint64_t rate_at_ns = 0;
  uint64_t from_parent = kSenderParentUnknown;  // the sender's parent when it was counted (0: a
                                                // root); where its sends came from, even once it is gone
};
struct FlowStats {
  uint32_t sample_every = 0;     // the agent's sampling (0: this node reported no flow)
  uint64_t samples = 0;          // sampled sends received
  uint64_t unrecorded = 0;       // sampled sends the agent could not count (its table was full)
  uint64_t pairs_over_cap = 0;   // samples folded into (other, other)
  uint64_t receivers_over_cap = 0;  // samples not kept per receiver (too many receivers)
};
// Message flow between the child subtrees of one supervisor (Model::subtree_flow): each
// child of the supervisor stands for itself and everything below it.
enum class FlowGroupRole : uint8_t {
  Child = 0,          // a child of the supervisor and its subtree
  Supervisor = 1,     // the supervisor itself
  Outside = 2,        // actors not under the supervisor, and sends not made by an actor
  Unplaced = 3,       // senders not in the tree when counted, or whose supervisors are gone since
  OtherChildren = 4,  // the quieter children past the cap, folded into one
};
struct FlowGroup {
  FlowGroupRole role = FlowGroupRole::Child;
  uint64_t actor = 0;          // Child: the child; Supervisor: the supervisor; else 0
  Str name = 0, type = 0;      // Child, Supervisor: the actor's name (else child id) and type
  double internal_rate = 0;    // estimated messages/s between actors of the same group
  uint64_t mailbox_max = 0;    // the deepest mailbox among its actors that were sent to
  uint32_t children = 0;       // OtherChildren: how many children are folded into it
};
struct FlowGroupEdge {
  uint32_t from = 0, to = 0;   // indices into SubtreeFlow::groups, from != to
  double rate = 0;             // estimated messages/s
  double error = 0;            // at most this much of `rate` may come from senders the per-receiver
                               // counters replaced (Space-Saving), wherever they are
};
struct SubtreeFlow {
  bool found = false;           // the supervisor is a live actor of the node
  uint32_t sample_every = 0;    // the node's sampling (0: it reports no flow)
  std::vector<FlowGroup> groups;      // children by traffic, then the supervisor, outside, unplaced, folded
  std::vector<FlowGroupEdge> edges;   // highest rate first
  uint32_t children = 0;        // the supervisor's children, with flow or not
  uint64_t receivers_over_cap = 0;  // the node's samples not kept per receiver: missing here
};

// What an actor was handling when its agent last flushed.
struct HandlingNow {
  Str type = 0;              // message type (0: unnamed)
  uint64_t busy_ns = 0;      // how long it had run then ...
  uint64_t at_ns = 0;        // ... at this collector time
};

struct EventQuery {
  uint64_t before_seq = 0;     // when non-zero: events with seq < before_seq, newest first
  uint64_t after_seq = 0;      // else: events with seq > after_seq, oldest first
  size_t limit = 100;
  uint32_t kinds = ~0u;        // bit (1 << EventKind)
  NodeKey node = 0;            // 0: any
  uint64_t actor = 0;          // 0: any (matches actor, other or new_actor)
  size_t max_scan = SIZE_MAX;  // events examined at most (a query's cost does not grow with the log)
};

// ---- time series -------------------------------------------------------------------------
struct SeriesPoint {
  uint64_t at_ns = 0;          // collector clock at the end of the step
  float seconds = 0;           // the step's length: the rates below are over it (the first
                               // step of a node starts at its connect)
  float live_actors = 0;
  float messages_per_s = 0;
  float restarts_per_s = 0;
  float crashes_per_s = 0;
  float mailbox_total = 0;
  float mailbox_max = 0;
  float drops_per_s = 0;
  float telemetry_per_s = 0;
};

// The collector's own counts of a node, as one model holds them: what an export of the history
// carries beside the agents' records (Model::counts, Model::restore_counts), so that a model
// opened from it counts on from the same figures — node and type totals, and its supervisors'
// restart windows, child records and what gone incarnations left to the next. Strings travel
// as text.
struct TypeCounts {
  std::string type;
  bool agent_reports_reasons = false;
  MonotoneCounter spawns, exits, retired_enqueued, retired_dequeued, retired_busy_ns;
  std::array<MonotoneCounter, proto::kHistogramBuckets> retired_hist{};
  std::array<MonotoneCounter, proto::kExitReasonCount> exit_reasons{};
};
struct ChildCounts {  // a ChildRecord (its last crash's event is not carried: the log is not)
  std::string child_id;
  uint64_t restarts = 0, current = 0, last_crash_actor = 0, last_crash_wall_ns = 0;
  proto::ExitReason last_reason = proto::ExitReason::Normal;
};
struct SupervisorCounts {  // a live supervisor
  uint64_t actor = 0;
  uint64_t restarts = 0, restart_records = 0, reported_restarts = 0, restarts_before = 0, escalations = 0;
  std::vector<uint64_t> history;  // its restart window (ring), as held
  uint64_t history_next = 0;
  std::vector<ChildCounts> per_child;
};
struct CarriedCounts {  // what a gone incarnation left to the next (by the child's path)
  uint64_t path = 0, restarts = 0, escalations = 0;
  std::vector<ChildCounts> per_child;
};
struct GoneSupervisorCounts {
  uint64_t actor = 0, parent = 0;
  std::string child_id;
};
struct ActorCounts {  // what the model worked out of an actor's samples
  uint64_t actor = 0;
  float messages_per_s = 0, fill_per_s = 0;
  uint8_t growth_streak = 0;
  uint64_t growth_base = 0, last_sample_ns = 0, last_progress_ns = 0;
};
struct WarningCounts {  // an active warning of the node
  uint8_t kind = 0;
  uint64_t actor = 0;
  std::string text;
  uint64_t since_ns = 0, seen_ns = 0, peak = 0;
};
struct MeasurementCounts {  // a MeasurementStats, its key as text
  std::string key;
  uint64_t count = 0;
  double sum = 0, min = 0, max = 0, last = 0;
  std::array<uint64_t, proto::kTelemetryBuckets> buckets{};
  std::vector<proto::FineBucket> fine;
  bool fine_dropped = false;
};
struct TelemetryCounts {  // a TelemetryStats
  std::string event;
  uint64_t count = 0, count_at_step = 0;
  double rate = 0;
  std::vector<MeasurementCounts> measurements;
};
struct NodeCounts {
  uint64_t restarts = 0, crashes = 0, escalations = 0, unseen_exits = 0, reconnects = 0, app_restarts = 0;
  uint64_t telemetry_events = 0;
  std::vector<TypeCounts> types;
  std::vector<SupervisorCounts> supervisors;
  std::vector<CarriedCounts> carried;
  std::vector<GoneSupervisorCounts> gone_supervisors;  // oldest first
  std::vector<std::pair<std::string, uint64_t>> restarts_by_label, escalations_by_label;
  // Drops (the agent's baseline and last report), the time series (oldest first) and the
  // baselines of its next point's rates, and when the model's next series step is due (the
  // same for every node).
  std::array<uint64_t, proto::kDropKindCount> drops_base{}, drops_last{};
  uint64_t drops_at_last_warning = 0;
  std::vector<SeriesPoint> series;
  uint64_t prev_step_ns = 0, prev_messages = 0, prev_restarts = 0, prev_crashes = 0, prev_drops = 0, prev_telemetry = 0;
  uint64_t next_step_ns = 0;
  // Live actors with any of it. Their number grows with the node's actors: a writer cuts them
  // into continuations (actors_only), each restored on top of what came before.
  std::vector<ActorCounts> actors;
  bool actors_only = false;
  std::vector<TelemetryCounts> telemetry;
  std::vector<WarningCounts> warnings;  // raised now
};

// ---- warnings -------------------------------------------------------------------------------
enum class WarningKind : uint8_t {
  MailboxGrowing = 0,
  SlowHandler = 1,
  StuckActor = 2,
  RestartStorm = 3,
  AgentDrops = 4,
  MailboxLarge = 5,  // a deep mailbox, growing or not
  MailboxWait = 6,   // a mailbox that takes long to drain at its actor's current rate
};
inline constexpr size_t kWarningKindCount = 7;
std::string_view name(WarningKind k);

struct Warning {
  WarningKind kind = WarningKind::MailboxGrowing;
  NodeKey node = 0;
  uint64_t actor = 0;          // 0 for node-wide warnings (agent drops)
  std::string text;
  uint64_t since_ns = 0;       // collector clock when raised
  uint64_t seen_ns = 0;        // collector clock when last confirmed
  uint64_t peak = 0;           // mailbox warnings: the deepest mailbox seen while raised
};

// ---- change journal ----------------------------------------------------------------------
enum class ChangeKind : uint8_t { ActorChanged = 0, ActorRemoved = 1, NodeChanged = 2, NodeRemoved = 3 };

struct Change {
  uint64_t version = 0;
  NodeKey node = 0;
  ChangeKind kind = ChangeKind::ActorChanged;
  uint64_t actor = 0;          // 0 for node changes
};

enum class SinceResult : uint8_t { Ok = 0, TooOld = 1 };

// ---- model health ------------------------------------------------------------------------
enum class Anomaly : uint8_t {
  UnknownString = 0,      // a record referenced a string id never defined
  BadStringId = 1,        // a string definition with id 0 or past max_string_id
  UnknownActor = 2,       // stats / exit for an actor not in the table
  DuplicateSpawn = 3,     // spawn of a live id outside a snapshot (treated as an update)
  CounterWentBack = 4,    // a cumulative counter decreased (kept the larger)
  UnknownNode = 5,        // a record for a node key the model does not know
  BadEnum = 6,            // an enum value past its range (clamped)
  ParentCycle = 7,        // a parent link that would make a cycle (the actor stays a root)
  TooManyMeasurements = 8,// telemetry measurement keys past max_measurements_per_event (ignored)
  TooManyStrings = 9,     // string definitions past max_strings_per_node (the id stays undefined)
  TooManyTelemetryEvents = 10,  // telemetry event names past max_telemetry_events_per_node (counted as "other")
  TooManyTypes = 11,      // actor types past max_types_per_node (counted as "other")
  TooManyTelemetryBuckets = 12,  // a measurement's fine buckets dropped: past its or its node's budget
  TooManyFlowPairs = 13,  // flow edges of a new type pair past max_flow_pairs_per_node (counted in (other, other))
  TooManyFlowReceivers = 14,  // flow edges to a new receiver past max_flow_receivers_per_node (counted in their pair only)
  FlowNotOffered = 15,    // a flow record from an agent that did not offer flow in its hello (dropped)
  ParentChainTooDeep = 16,  // a parent link not checked for a cycle: the chain above it was longer
                            // than the node's walk credit (the actor stays a root)
  SuccessorScanCut = 17,  // a gone supervisor's next incarnation looked for among fewer siblings
                          // than there are, past the node's scan credit (what it counted may
                          // not reach the next one)
};
inline constexpr size_t kAnomalyCount = 18;
std::string_view name(Anomaly a);

struct ModelStats {
  uint64_t nodes = 0;
  uint64_t live_actors = 0;
  uint64_t supervisors = 0;
  uint64_t types = 0;
  uint64_t records_applied = 0;   // every record, including string definitions
  uint64_t events_logged = 0;     // event-log sequence
  uint64_t events_dropped = 0;    // pushed out of the event log ...
  std::array<uint64_t, kEventKindCount> events_dropped_by_kind{};  // ... by the kind of the event pushed out
  uint64_t journal_dropped = 0;   // pushed out of the journal
  uint64_t warnings_active = 0;
  uint64_t warnings_over_cap = 0;
  uint64_t strings = 0;
  uint64_t strings_dropped = 0;   // new strings past the pool's cap (they read as "other")
  uint64_t text_invalid_bytes = 0;  // invalid UTF-8 bytes or control characters replaced by U+FFFD
  uint64_t texts_truncated = 0;   // texts cut to max_text_bytes
  uint64_t links = 0;             // link and monitor ends held, all nodes
  uint64_t links_dropped = 0;     // links and monitors not kept: an actor's set was full
  std::array<uint64_t, kAnomalyCount> anomalies{};
  uint64_t memory_bytes = 0;      // estimate of what the model holds
  uint64_t actor_table_bytes = 0; // the actor rows and their index only
};

}  // namespace actorscope::collector
