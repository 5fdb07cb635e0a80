// The viewer's copy of the collector's model, kept from a snapshot plus deltas.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <tuple>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "actorscope/protocol/viewer.hpp"

namespace actorscope::view {

// pv: the viewer conversation of the protocol (protocol/viewer.hpp), what the replica is made of.
namespace pv = ::actorscope::proto::viewer;
using pv::NodeId;

struct ActorKey {
  NodeId node = 0;
  uint64_t actor = 0;
  bool operator==(const ActorKey&) const = default;
  auto operator<=>(const ActorKey&) const = default;
};
struct ActorKeyHash {
  size_t operator()(const ActorKey& k) const noexcept {
    uint64_t h = k.actor * 0x9E3779B97F4A7C15ull ^ (uint64_t{k.node} << 1);
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// One live actor: what it is (ActorRow) and how it is doing (ActorStats).
inline constexpr uint32_t kNoRow = 0xFFFFFFFFu;

// An actor plus everything below it (the tree's subtree totals).
struct SubtreeTotals {
  uint64_t actors = 0;  // including itself
  uint64_t mailbox = 0;
  uint64_t restarts = 0;
  uint64_t msgs_per_s_x100 = 0;
  double msgs_per_s() const { return static_cast<double>(msgs_per_s_x100) / 100.0; }
  bool operator==(const SubtreeTotals&) const = default;
};

struct Actor {
  pv::ActorRow row;
  pv::ActorStats stats;
  // Kept up to date at every change (O(depth) per changed actor), so that no viewer has to
  // walk a million actors per tick.
  SubtreeTotals subtree;
  uint32_t pos_in_parent = 0;     // index inside its parent's children list
  uint32_t parent_row = kNoRow;   // the parent's index in actors(), kNoRow when not live
  ActorKey key() const { return {row.node, row.actor}; }
  bool is_supervisor() const { return row.kind == proto::ActorKind::Supervisor; }
  double msgs_per_s() const { return static_cast<double>(stats.msgs_per_s_x100) / 100.0; }
};

// What happened to one actor, for view-models that follow changes instead of rebuilding.
enum class ActorChangeKind : uint8_t {
  Spawned,  // a new row
  Exited,   // its row is gone
  Row,      // name, type, child id, kind or parent changed
  Stats,    // only its stats changed
};
struct ActorChange {
  ActorKey key;
  uint64_t parent = 0;           // its parent (Row: the new one)
  uint64_t old_parent = 0;       // Row: the parent before
  uint32_t row = kNoRow;         // its index in actors() when it happened (Exited: the freed index)
  uint32_t moved_from = kNoRow;  // Exited: the last index, whose actor moved into `row` (kNoRow: none)
  ActorChangeKind kind = ActorChangeKind::Stats;
};

// Header totals at one tick, kept as history for sparklines.
struct TotalsPoint {
  uint64_t wall_ns = 0;
  uint64_t actors = 0;
  double msgs_per_s = 0;
  double restarts_per_min = 0;
  uint64_t mailbox_total = 0;
  uint64_t drops = 0;
};

struct ReplicaSettings {
  size_t max_events = 10'000;        // routine lifecycle events kept (spawns, clean exits,
                                     // restarts, node up), oldest dropped first
  size_t max_incident_events = 10'000;  // incidents kept apart (crashes, node down, commands,
                                        // warnings): a restart storm pushes out only routine
                                        // events, never a crash
  size_t incidents_kept_per_node = 64;  // and each node's newest incidents are kept past that
                                        // bound: a crash storm on one node cannot push another
                                        // node's last crashes out
  size_t max_telemetry_events = 10'000;  // telemetry events kept apart: they push out only
                                         // older telemetry, never a crash
  size_t history_points = 600;       // header totals kept for sparklines (one per tick)
  size_t watched_points = 120;       // mailbox samples kept for the watched actor
  size_t max_changes = 262'144;      // actor changes kept between ticks; beyond, readers rebuild
  size_t change_ticks_kept = 8;      // ticks of actor changes kept for readers that skip some
  size_t former_names = 10'000;      // names of supervisors that are gone, kept for the events
                                     // that still name them (oldest forgotten first)
};

class Replica {
 public:
  explicit Replica(ReplicaSettings settings = {});

  // Applies one View payload. False (with error()) when malformed; what came before stays.
  bool apply(const uint8_t* payload, size_t len);
  const std::string& error() const { return error_; }

  // ---- state ----
  // Bumped at every Tick: view-models rebuild when it moves.
  uint64_t version() const { return version_; }
  bool has_snapshot() const { return snapshots_ > 0 && !in_snapshot_; }
  uint64_t snapshots() const { return snapshots_; }
  // A snapshot is arriving (the replica holds part of it), and the actors it will describe.
  bool in_snapshot() const { return in_snapshot_; }
  uint64_t snapshot_actors() const { return snapshot_actors_; }
  const pv::Tick& last_tick() const { return last_tick_; }

  const std::map<NodeId, pv::NodeRow>& nodes() const { return nodes_; }
  const pv::NodeRow* node(NodeId id) const;
  NodeId find_node(std::string_view name) const;

  size_t actor_count() const { return actors_.size(); }
  const std::vector<Actor>& actors() const { return actors_; }  // dense, unordered
  const Actor* actor(ActorKey k) const;
  // The display name a supervisor had when it left the replica (it exited, or its node went
  // away): events kept after it still say who restarted a child. Empty when never known.
  std::string former_name(ActorKey k) const;
  // Children of an actor (parent 0: the node's roots and orphans), unordered.
  const std::vector<uint64_t>* children(ActorKey parent) const;
  // Every children list, by parent (parents that are not live make orphans).
  const std::unordered_map<ActorKey, std::vector<uint64_t>, ActorKeyHash>& children_lists() const { return children_; }

  const std::deque<pv::Event>& events() const { return events_; }  // oldest first
  // Events dropped to stay within max_events / max_telemetry_events: all, and by kind.
  uint64_t events_dropped() const { return events_dropped_; }
  // Events the collector said it did not send (EventsGap), since this replica started.
  uint64_t events_not_sent() const { return events_not_sent_; }
  uint64_t events_dropped(pv::EventKind kind) const {
    return static_cast<size_t>(kind) < pv::kEventKindCount ? events_dropped_by_kind_[static_cast<size_t>(kind)] : 0;
  }
  const std::vector<pv::Warning>& warnings() const { return warnings_; }
  const std::map<std::pair<NodeId, std::string>, pv::TelemetryRow>& telemetry() const { return telemetry_; }
  // Message flow between actor types (estimates), by (node, from type, to type).
  using FlowKey = std::tuple<NodeId, std::string, std::string>;
  const std::map<FlowKey, pv::FlowRow>& flow() const { return flow_; }
  // Header totals, one point per tick: all nodes (node 0) or one node.
  const std::deque<TotalsPoint>& history(NodeId node = 0) const;

  // The actor whose mailbox is sampled at every tick (the one in the detail view).
  void watch(std::optional<ActorKey> k);
  const std::deque<uint64_t>& watched_mailbox() const { return watched_mailbox_; }

  // Latest replies, by kind.
  const std::optional<pv::DetailReply>& detail() const { return detail_; }
  const std::optional<pv::EventsPage>& events_page() const { return events_page_; }
  const std::optional<pv::SeriesReply>& series() const { return series_; }
  const std::optional<pv::CommandResult>& command() const { return command_; }
  const std::optional<pv::RequestFailed>& failure() const { return failure_; }
  // What the collector last said of the instant shown (Client::show_instant): live (the
  // default), a past instant (the replica then holds that instant and stands still), or a
  // refusal; with how far back its history reaches.
  const pv::InstantShown& instant() const { return instant_; }
  bool showing_past() const { return instant_.mode == pv::InstantMode::Past; }
  // ... and the whole of that instant has arrived (its snapshot ended).
  bool past_ready() const { return showing_past() && snapshots_ > instant_snapshots_ && !in_snapshot_; }
  const std::optional<pv::TimelineReply>& timeline() const { return timeline_; }
  // The last answer about the flow among a supervisor's child subtrees.
  const std::optional<pv::SubtreeFlowReply>& subtree_flow() const { return subtree_flow_; }

  // ---- actor changes, for view-models that follow them ----
  // A position in the change journal; read it after an update, pass it back next time.
  uint64_t change_seq() const { return changes_base_ + changes_.size(); }
  // The changes after `seq`, oldest first (snapshots are not journalled). nullopt when some
  // are no longer kept (a new snapshot, more than max_changes, a reader that skipped more
  // than change_ticks_kept ticks): rebuild from scratch then.
  std::optional<std::span<const ActorChange>> changes_since(uint64_t seq) const;
  // Changes dropped unread because the journal was full (counted, never silent).
  uint64_t changes_dropped() const { return changes_dropped_; }

  // Totals over the nodes (node 0: every connected node; a node: its own, its last state
  // when it is gone).
  TotalsPoint totals(NodeId node = 0) const;

  void clear();

  // ---- message handlers (decode_messages calls these) ----
  void on(const pv::SnapshotBegin&);
  void on(const pv::SnapshotEnd&);
  void on(const pv::NodeRow&);
  void on(const pv::NodeRemoved&);
  void on(const pv::ActorRow&);
  void on(const pv::ActorStats&);
  void on(const pv::ActorRemoved&);
  void on(const pv::Event&);
  void on(const pv::Warnings&);
  void on(const pv::TelemetryRow&);
  void on(const pv::FlowRow&);
  void on(const pv::Tick&);
  void on(const pv::DetailReply& m) { detail_ = m; }
  void on(const pv::EventsPage& m) { events_page_ = m; }
  void on(const pv::SeriesReply& m) { series_ = m; }
  void on(const pv::CommandResult& m) { command_ = m; }
  void on(const pv::RequestFailed& m) { failure_ = m; }
  void on(const pv::InstantShown& m);
  void on(const pv::TimelineReply& m) { timeline_ = m; }
  void on(const pv::SubtreeFlowReply& m) { subtree_flow_ = m; }
  // Kept as a row of the events list (pv::Event::not_sent), where the events were.
  void on(const pv::EventsGap& m);
  // Requests travel the other way: a replica ignores them.
  template <class Request>
  void on(const Request&) {}

 private:
  void remember_former(ActorKey k, std::string name);
  std::unordered_map<ActorKey, std::string, ActorKeyHash> former_names_;
  std::deque<ActorKey> former_order_;
  void remove_actor(ActorKey k);
  void link_child(const Actor& a, uint32_t row);
  void unlink_child(const Actor& a);
  void set_children_parent_row(ActorKey parent, uint32_t row);
  uint32_t row_of(ActorKey k) const;
  std::vector<uint64_t>& children_list(ActorKey parent);
  void add_to_ancestors(uint32_t parent_row, const SubtreeTotals& t, bool subtract, uint32_t self = kNoRow);
  void record(const ActorChange& c);
  void trim_events();
  void forget_changes();

  // Snapshots and deltas come in runs (siblings in a row, stats right after their row):
  // the last actor and the last children list looked up are remembered, and checked
  // before use, so that most messages cost one hash look-up instead of four.
  mutable ActorKey last_key_{};
  mutable uint32_t last_row_ = kNoRow;
  ActorKey last_list_key_{};
  std::vector<uint64_t>* last_list_ = nullptr;

  ReplicaSettings settings_;
  std::string error_;
  uint64_t version_ = 0;
  uint64_t snapshots_ = 0;
  bool in_snapshot_ = false;
  uint64_t snapshot_actors_ = 0;
  pv::Tick last_tick_;
  std::map<NodeId, pv::NodeRow> nodes_;
  std::vector<Actor> actors_;
  std::unordered_map<ActorKey, uint32_t, ActorKeyHash> index_;
  std::unordered_map<ActorKey, std::vector<uint64_t>, ActorKeyHash> children_;
  std::deque<pv::Event> events_;  // all three shares, in seq order
  size_t telemetry_events_ = 0;   // how many of events_ are telemetry
  size_t incident_events_ = 0;    // how many are incidents (see is_incident)
  size_t incidents_past_bound_ = 0;  // incidents the last trim kept past the bound (per node)
  uint64_t events_dropped_ = 0;
  uint64_t events_not_sent_ = 0;
  std::array<uint64_t, pv::kEventKindCount> events_dropped_by_kind_{};
  std::vector<pv::Warning> warnings_;
  std::map<std::pair<NodeId, std::string>, pv::TelemetryRow> telemetry_;
  std::map<FlowKey, pv::FlowRow> flow_;
  std::deque<TotalsPoint> history_;
  std::map<NodeId, std::deque<TotalsPoint>> node_history_;
  std::deque<TotalsPoint> no_history_;
  std::optional<ActorKey> watched_;
  std::deque<uint64_t> watched_mailbox_;
  std::optional<pv::DetailReply> detail_;
  std::optional<pv::EventsPage> events_page_;
  std::optional<pv::SeriesReply> series_;
  std::optional<pv::CommandResult> command_;
  std::optional<pv::RequestFailed> failure_;
  pv::InstantShown instant_;
  uint64_t instant_snapshots_ = 0;  // snapshots_ when the instant shown was answered
  std::optional<pv::TimelineReply> timeline_;
  std::optional<pv::SubtreeFlowReply> subtree_flow_;
  std::vector<ActorChange> changes_;
  uint64_t changes_base_ = 0;       // the seq of changes_[0]
  std::deque<uint64_t> tick_seqs_;  // change_seq() at each recent tick, for trimming
  uint64_t changes_dropped_ = 0;
};

}  // namespace actorscope::view
