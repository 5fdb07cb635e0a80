// The flow map view-model: actor types as nodes, estimated messages between them as edges,
// laid out in layers from the sources to the sinks, the receivers coloured by their backlog.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "actorscope/view/display.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct FlowEdgeView {
  Replica::FlowKey key;       // the replica's key: node, sending type, receiving type as sent
  NodeId node = 0;
  std::string from;           // display name of the sending type ("(outside)" for sends not made by an actor)
  std::string to;
  double rate = 0;            // estimated messages/s
  double error = 0;           // a map by subtree: at most this much of the rate may be other senders'
  uint64_t messages = 0;      // estimated messages since the node connected (0 on a map by subtree)
  uint64_t to_mailbox_max = 0;
  Severity pressure = Severity::normal;  // the receiving type's deepest mailbox, by the mailbox thresholds
};

struct FlowTypeView {
  NodeId node = 0;
  std::string name;
  int layer = 0;              // 0: sends, receives from no type; each edge goes to a later layer (cycles aside)
  double in_rate = 0, out_rate = 0;
  uint64_t mailbox_max = 0;   // 0 when nothing is known (a pure sender)
  Severity pressure = Severity::normal;
  // A map by supervisor subtree: the group's actor (a child, or the supervisor itself; 0 for
  // the rest), whether that actor is a supervisor (its own subtree can be opened), and the
  // estimated messages/s between actors of the group.
  uint64_t actor = 0;
  bool supervisor = false;
  double internal_rate = 0;
};

struct FlowMap {
  std::vector<FlowEdgeView> edges;  // highest rate first
  std::vector<FlowTypeView> types;  // by node, layer, then name
  uint32_t sample_every = 0;        // the sampling the estimates rest on (the largest of the nodes shown)
  int layers = 0;
};

// node 0: every node. The edges and types of the nodes shown, from the replica's flow rows.
FlowMap flow_map(const Replica& replica, NodeId node, const DisplayThresholds& thresholds);

// "(outside)" names sends not made by an actor.
std::string flow_type_name(const std::string& type);
// The first line of a flow map: what the numbers are and the pipeline's order, e.g.
// "estimated from sampled sends (1 in 32) · (outside) → ingest → parser → aggregator → store".
std::string flow_summary(const FlowMap& m);
// Under a type's name: "deepest mailbox 12", or "sends only" for a type nothing is sent to.
std::string flow_type_caption(const FlowTypeView& t);
// An edge's rate as labelled on a map or a list: always marked as an estimate ("~1.2k/s").
std::string flow_rate_label(double rate);
// What is in front when there is no flow to show (the same words on both screens).
inline constexpr const char* kNoFlow[] = {
    "no message flow: the agents shown report none (an older agent, ACTORSCOPE_FLOW_SAMPLE=0,",
    "or a runtime that does not call actorscope_enqueue_from)"};

// ---- by supervisor subtree ---------------------------------------------------------------
// The flow among one supervisor's child subtrees (each child stands for itself and all below
// it), the supervisor itself, and the rest of the node, as the collector answered a
// SubtreeFlowRequest: the same map, its nodes the groups.
struct SubtreeFlowView {
  enum class State { Waiting, NotFound, NoFlow, Shown };
  State state = State::Waiting;
  NodeId node = 0;
  uint64_t supervisor = 0;
  uint64_t parent = 0;          // the supervisor's own supervisor (0: a root), to go up to
  std::string title;            // "flow within pipeline_sup on shop@demo: 3 of 4 children sent or received"
  std::vector<std::string> notes;  // what the numbers rest on, and what is missing
  FlowMap map;
};
// The reply for (node, supervisor) in the replica, as the map and list show it.
SubtreeFlowView subtree_flow_view(const Replica& replica, NodeId node, uint64_t supervisor, const DisplayThresholds& thresholds);
// The supervisor a map by subtree starts from for a selected actor: the actor when it is a
// supervisor, else its parent; 0 when neither is known.
uint64_t subtree_flow_root(const Replica& replica, NodeId node, uint64_t actor);
// A group's caption: "within ~1.2k/s · deepest mailbox 40".
std::string flow_group_caption(const FlowTypeView& t);

// ---- an edge's rate over time -------------------------------------------------------------
// The collector keeps no history of its flow rows: a viewer records the rates it was sent,
// one point per edge per step, from the moment it connected. Every bound is a setting.
struct FlowHistorySettings {
  size_t points = 120;                 // points kept per edge, the oldest dropped first
  uint64_t step_ns = 1'000'000'000;    // at most one point per step (rows change at most once a second)
  size_t max_edges = 8192;             // edges followed at once (the collector caps 4096 per node)
};

struct FlowPoint {
  uint64_t wall_ns = 0;  // the collector's clock at the tick the rate was read
  double rate = 0;       // estimated messages/s
};

class FlowHistory {
 public:
  explicit FlowHistory(FlowHistorySettings settings = {}) : settings_(settings) {}
  // Records every edge's rate at the replica's last tick, when a step has passed since the
  // last record. True when it recorded. Call it at every data tick, whatever is on screen.
  bool update(const Replica& replica) { return record(replica, replica.last_tick().wall_ns); }
  // The same at a given time (0: not yet known, nothing recorded).
  bool record(const Replica& replica, uint64_t wall_ns);

  // The points of one edge, oldest first; nullptr when it was never recorded (or forgotten).
  const std::deque<FlowPoint>* points(const Replica::FlowKey& edge) const;
  // False once the edge has left the replica (its node went away): its points stay, no new
  // ones come, and it is forgotten when its newest point has left the window.
  bool present(const Replica::FlowKey& edge) const;
  // The edges followed, of one node (0: every node).
  std::vector<Replica::FlowKey> edges(NodeId node) const;
  // Edges not followed because max_edges were followed already, since the start.
  uint64_t not_followed() const { return not_followed_; }
  uint64_t first_ns() const { return first_ns_; }  // the first record (0: none yet)
  const FlowHistorySettings& settings() const { return settings_; }

 private:
  struct Edge {
    std::deque<FlowPoint> points;
    bool present = true;
  };
  FlowHistorySettings settings_;
  std::map<Replica::FlowKey, Edge> edges_;
  uint64_t last_ns_ = 0, first_ns_ = 0;
  uint64_t not_followed_ = 0;
};

// One edge's history as both viewers show it.
struct FlowEdgeHistory {
  bool known = false;            // the edge has points
  std::string title;             // "ingest → parser on shop@demo: ~990/s now"
  std::string scope;             // "since this viewer connected (its own record): 1 point / 1.0s, last 120 kept"
  std::vector<double> rates;     // oldest first
  std::vector<uint64_t> wall_ns;
  float step_s = 1;              // seconds between points
  std::string range;             // "~40/s .. ~990/s over 1m 58s"
  bool gone = false;             // no longer sent by the collector (its node went away)
};
FlowEdgeHistory flow_edge_history(const FlowHistory& history, const Replica& replica, const Replica::FlowKey& edge);

}  // namespace actorscope::view
