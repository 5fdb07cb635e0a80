// The collector's live model of every connected app: pure state, no I/O, no threads.
//
// The ingest path calls on_hello(), then apply() for every decoded record (or
// apply_batch() for a whole Batch payload), commit() after each batch, and tick() a few
// times per second. Readers (exporter, viewer sessions, the viewers' replica) use the
// const accessors. Nothing here locks: the owner serialises access.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "actorscope/collector/model_types.hpp"
#include "actorscope/collector/settings.hpp"
#include "actorscope/collector/strings.hpp"
#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

class History;

class Model {
 public:
  explicit Model(ModelSettings settings = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelSettings& settings() const;

  // A deep copy: the same state, which then goes its own way (the model of a past instant
  // rebuilt from a keyframe).
  std::unique_ptr<Model> clone() const;
  // The same, to be kept as a keyframe: its event log is held frozen (compressed) and its
  // strings are shared with this model's, thawed and indexed again by clone(). Nothing but
  // clone() may read a keyframe's events or intern into its strings.
  std::unique_ptr<Model> clone_keyframe() const;
  // The same keyframe made in steps, so that no one step holds the model's user for long: all
  // but the nodes' actor rows, id indexes and event logs is copied now; continue_keyframe
  // copies (or freezes) those, up to about max_bytes per call, and a row, index part or event
  // this model changes or pushes out before the copy reached it is copied first, as it was. The copy is the model as it was at begin_keyframe.
  // One at a time: a copy in progress is dropped.
  void begin_keyframe();
  // The copy once it is whole (then none is in progress), else nullptr.
  std::unique_ptr<Model> continue_keyframe(size_t max_bytes);
  bool keyframe_in_progress() const { return keyframe_ != nullptr; }
  // A keyframe's actor rows and id indexes compressed (a ninth and about half of their size
  // with 100 000 actors): from then on only clone() reads them, unpacking them into the copy.
  // For a keyframe no one else holds yet (the flight recorder packs each on a thread of its own).
  void pack_tables();
  bool tables_packed() const;
  // The bytes of its actor rows and id indexes as held: what a keyframe copy of it copies on
  // the loop thread, nearly all of the copy's work. O(nodes), no walk over the rows.
  uint64_t table_bytes() const;

  // ---- time axis ---------------------------------------------------------------------------
  // From now on, every input (on_hello, apply_batch, on_disconnect, tick) is also given to
  // `history` after it was applied, with the clock it was applied at (nullptr: none). A
  // copy made by clone() has none.
  void set_history(History* history);
  History* history() const { return history_; }

  // ---- clock -------------------------------------------------------------------------
  // The collector clock (any monotonic ns) used to stamp what is applied next: arrival
  // time of the frame being applied. tick() also sets it. Replay sets recorded times.
  void set_now(uint64_t now_ns);
  uint64_t now() const;

  // ---- ingest --------------------------------------------------------------------------
  // A validated Hello from connection `conn`. Same node name and incarnation: a
  // reconnect; a new incarnation: the app restarted. Either way the node's string table
  // starts empty and the snapshot that follows replaces its actors.
  NodeKey on_hello(uint64_t conn, const proto::Hello& hello);
  // The connection ended. Ignored when `conn` no longer feeds the node (a newer
  // connection took it over). The node is kept as Gone until expiry.
  void on_disconnect(NodeKey node, uint64_t conn);
  // The connection currently feeding the node (0 when gone or unknown).
  uint64_t connection_of(NodeKey node) const;

  void apply(NodeKey node, const proto::StringDef& r);
  void apply(NodeKey node, const proto::ActorSpawned& r);
  void apply(NodeKey node, const proto::ActorExited& r);
  void apply(NodeKey node, const proto::ChildRestarted& r);
  void apply(NodeKey node, const proto::Link& r);
  void apply(NodeKey node, const proto::ActorStats& r);
  void apply(NodeKey node, const proto::Telemetry& r);
  void apply(NodeKey node, const proto::Dropped& r);
  void apply(NodeKey node, const proto::SnapshotBegin& r);
  void apply(NodeKey node, const proto::SnapshotEnd& r);
  void apply(NodeKey node, const proto::Heartbeat& r);
  void apply(NodeKey node, const proto::TypeTotals& r);
  void apply(NodeKey node, const proto::SupervisorEscalated& r);
  // The agent's cumulative totals in a snapshot: adopted as the baseline of the counters
  // they match (the larger of what this model counted and what the agent says), outside
  // the rate windows.
  void apply(NodeKey node, const proto::SupervisorTotals& r);
  void apply(NodeKey node, const proto::TelemetryTotals& r);
  // Figures of the whole node by fixed id (a BEAM node's VM): the last reading of each, and
  // for counters the rate since the previous reading of the same connection.
  void apply(NodeKey node, const proto::NodeGauges& r);
  void apply(NodeKey node, const proto::FlowEdges& r);
  void apply(NodeKey node, const proto::Handling& r);

  // Decodes a Batch payload and applies every record, then commit(). On a malformed
  // record, what came before it stays applied and the result says why it stopped.
  proto::DecodeResult apply_batch(NodeKey node, const uint8_t* payload, size_t len);
  // The same, for at most `max_records` records from `offset` on, and no more once
  // `max_bytes` of them are taken (a record's work grows with its size: one flow record holds
  // 256 edges), at least one (then commit()); `offset` moves past them. Lets the ingest loop
  // apply one large Batch over several turns, in order, serving other peers in between.
  proto::DecodeResult apply_batch_part(NodeKey node, const uint8_t* payload, size_t len, size_t& offset,
                                       size_t max_records, size_t max_bytes = SIZE_MAX);

  // Ends a batch: bumps the version when anything changed. Returns the version.
  uint64_t commit();

  // Periodic work at collector time now_ns: at each series step, a time-series point per
  // node, rates, warning evaluation, mailbox maxima, and expiry of gone nodes. What time
  // alone changes (an idle actor's msg/s falling to 0, a restart leaving its supervisor's
  // period) is committed here, so viewers get it without waiting for the next ingest batch.
  void tick(uint64_t now_ns);

  // ---- reading: nodes --------------------------------------------------------------------
  std::vector<NodeKey> node_keys() const;   // in key order
  const Node* node(NodeKey key) const;      // nullptr when unknown or forgotten
  NodeKey find_node(std::string_view name) const;  // 0 when unknown

  // ---- reading: actors ---------------------------------------------------------------------
  // The node's actor table: rows with id 0 are free. Valid until the next mutation.
  ActorRows actor_rows(NodeKey node) const;
  const Actor* actor(NodeKey node, uint64_t id) const;
  Row row_of(NodeKey node, uint64_t id) const;   // kNoRow when not live
  Row first_root(NodeKey node) const;            // roots and orphans, linked by next_sibling

  template <class Fn>  // fn(const Actor&)
  void for_each_actor(NodeKey node, Fn&& fn) const {
    for (const Actor& a : actor_rows(node))
      if (a.id != 0) fn(a);
  }
  // Children of `parent` (0: the roots, including orphans), in spawn order.
  template <class Fn>  // fn(const Actor&)
  void for_each_child(NodeKey node, uint64_t parent, Fn&& fn) const {
    auto rows = actor_rows(node);
    Row r = parent == 0 ? first_root(node) : first_child_of(node, parent);
    while (r != kNoRow && r < rows.size()) {
      fn(rows[r]);
      r = rows[r].next_sibling;
    }
  }
  Row first_child_of(NodeKey node, uint64_t parent) const;

  // ---- reading: links and monitors ----------------------------------------------------------
  // The links and monitors of a live actor, oldest first; empty when it has none. At most
  // ModelSettings::max_links_per_actor; valid until the next mutation.
  std::span<const ActorLink> links(NodeKey node, uint64_t id) const;
  // Links and monitors of that actor that were not kept because its set was full.
  uint64_t links_over_cap(NodeKey node, uint64_t id) const;

  // ---- reading: supervisors -----------------------------------------------------------------
  const Supervisor* supervisor(NodeKey node, uint64_t actor) const;
  // Restarts within the current period / intensity, at the model's clock (0 when the
  // intensity is unknown). 1.0 means one more restart escalates.
  double restart_budget_used(NodeKey node, uint64_t actor) const;
  // Restarts performed per supervisor label ("other" past its cap is the exporter's job).
  template <class Fn>  // fn(const Supervisor&)
  void for_each_supervisor(NodeKey node, Fn&& fn) const {
    for (const Supervisor* s : supervisors_of(node)) fn(*s);
  }
  std::vector<const Supervisor*> supervisors_of(NodeKey node) const;
  // Cumulative restarts per supervisor label on a node, surviving supervisor restarts.
  std::span<const std::pair<Str, uint64_t>> restarts_by_supervisor(NodeKey node) const;
  // Escalations (a supervisor exceeded its restart intensity) per supervisor label on a node.
  std::span<const std::pair<Str, uint64_t>> escalations_by_supervisor(NodeKey node) const;
  // How often the child that `actor` is now (its supervisor, its child id) was restarted,
  // across its incarnations: restart records per child id. 0 for an actor without a
  // supervisor or child id.
  uint64_t child_restarts(NodeKey node, const Actor& actor) const;
  // The child (supervisor, child id) across its incarnations: restarts, last crash, the
  // incarnation its last restart started. nullptr when the supervisor is not live or holds
  // no record of that child (it was never restarted and never crashed).
  const ChildRecord* child(NodeKey node, uint64_t supervisor, Str child_id) const;
  // The live incarnation of the child that a gone supervisor was (its restarts replaced it,
  // however many times): 0 when none is live or the supervisor was forgotten
  // (ModelSettings::gone_supervisors_per_node).
  uint64_t successor_of_supervisor(NodeKey node, uint64_t gone) const;

  // ---- reading: aggregates, telemetry ----------------------------------------------------------
  std::span<const TypeAggregate> types(NodeKey node) const;
  std::span<const TelemetryStats> telemetry(NodeKey node) const;
  // Cumulative agent drops per kind on the node (across incarnations).
  const std::array<uint64_t, proto::kDropKindCount>* drops(NodeKey node) const;

  // ---- reading: message flow (sampled estimates) ----------------------------------------------
  std::span<const FlowPair> flow_pairs(NodeKey node) const;
  // A pair's rate now (decayed to the model's clock; in the first window after its node
  // connected, per second since then).
  double flow_rate(const FlowPair& p) const;
  // The actors (or, past the kept ones, nothing) that sent to `actor`, highest rate first,
  // at most `limit`; and the message types it received. Rates are decayed to now, and for
  // a receiver younger than the rate window they are per second of its life so far (a decayed
  // average starts from zero: a store restarted 2 s ago reads its rate, not a fifth of it).
  std::vector<FlowSender> top_senders(NodeKey node, uint64_t actor, size_t limit) const;
  std::vector<FlowSender> message_mix(NodeKey node, uint64_t actor, size_t limit) const;
  FlowStats flow_stats(NodeKey node) const;
  // The flow among a supervisor's child subtrees, its own, and to and from the rest, from the
  // per-receiver top senders (so it covers the receivers and senders kept there, rates decayed
  // to now). At most max_children children are shown; the quieter rest is folded. Work is
  // bounded by the kept receivers times flow_senders_per_actor.
  SubtreeFlow subtree_flow(NodeKey node, uint64_t supervisor, size_t max_children) const;
  // The node's live actors with the deepest mailboxes, deepest first, at most `n` (a walk of
  // the actors with a non-empty mailbox only).
  std::vector<const Actor*> deepest_mailboxes(NodeKey node, size_t n) const;
  // What the actor was handling at its agent's last flush, or nullptr.
  const HandlingNow* handling(NodeKey node, uint64_t actor) const;

  // ---- reading: events, series, warnings --------------------------------------------------------
  // A page of the event log (see EventQuery). Pointers stay valid until the next mutation.
  // `scanned` receives how many events were examined, `stopped_at` the seq of the last one
  // examined (where a following query may continue).
  std::vector<const Event*> events(const EventQuery& q, size_t* scanned = nullptr, uint64_t* stopped_at = nullptr) const;
  // Events with seq > seq, oldest first, at most `limit`.
  std::vector<const Event*> events_since(uint64_t seq, size_t limit) const;
  uint64_t last_event_seq() const;
  // Events ever logged of one kind (pushed out of the log or not).
  uint64_t events_logged(EventKind kind) const;
  // The event with this seq while the log holds it, else nullptr.
  const Event* event(uint64_t seq) const;
  // A node's newest incidents (at most `limit`), oldest first, wherever the log keeps them:
  // the shared ring is scanned only as far as `scan_budget` (decremented), the node's own
  // kept incidents without a scan.
  std::vector<const Event*> recent_incidents(NodeKey key, size_t limit, size_t& scan_budget) const;
  // The node's time series, oldest first, at most the last `last_n` points.
  std::vector<SeriesPoint> series(NodeKey node, size_t last_n) const;
  const std::vector<Warning>& warnings() const;

  // ---- change journal -------------------------------------------------------------------------
  uint64_t version() const;
  // Changes with version > since, oldest first (an actor may appear more than once).
  // TooOld when some of them were pushed out of the journal: resnapshot.
  SinceResult changes_since(uint64_t since, std::vector<Change>& out) const;

  // The strings the node's current connection defined (agent id, model string), by id: what
  // its next records name by id.
  std::vector<std::pair<uint32_t, Str>> agent_strings(NodeKey node) const;

  // The collector's own counts of a node (NodeCounts), and setting them (after the node's
  // snapshot) to what another model held. Rate baselines move with them: nothing restored is a
  // rate. For a model opened from an export of the history.
  NodeCounts counts(NodeKey node) const;
  void restore_counts(NodeKey node, const NodeCounts& counts);

  // ---- strings and health -----------------------------------------------------------------------
  std::string_view text(Str id) const;
  StringPool& strings();
  ModelStats stats() const;

 // Opaque state (declared public only so the implementation files can name it).
  struct Impl;

 private:
  std::vector<FlowSender> receiver_rates(NodeKey node, uint64_t actor, size_t limit, bool types) const;
  explicit Model(std::unique_ptr<Impl> impl);  // clone()'s: no state made only to be replaced
  void drop_keyframe();
  std::unique_ptr<Impl> impl_;
  History* history_ = nullptr;
  std::unique_ptr<Model> keyframe_;  // a copy in progress (begin_keyframe)
  size_t keyframe_node_ = 0;         // its nodes before this one have all their rows
};

// The counts as bytes (a record file's Counts entry, an input of the history). decode_counts:
// false when they are malformed.
void encode_counts(std::vector<uint8_t>& out, const NodeCounts& counts);
bool decode_counts(const uint8_t* p, size_t len, NodeCounts& counts);

// Drives a Model from proto::decode_records().
struct ModelIngest {
  Model& model;
  NodeKey node;
  template <class Record>
  void on(const Record& r) {
    model.apply(node, r);
  }
};

}  // namespace actorscope::collector
