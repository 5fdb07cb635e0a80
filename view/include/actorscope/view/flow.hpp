// The flow map view-model: actor types as nodes, estimated messages between them as edges,
// laid out in layers from the sources to the sinks, the receivers coloured by their backlog.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/view/display.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct FlowEdgeView {
  NodeId node = 0;
  std::string from;           // display name of the sending type ("(outside)" for sends not made by an actor)
  std::string to;
  double rate = 0;            // estimated messages/s
  uint64_t messages = 0;      // estimated messages since the node connected
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

}  // namespace actorscope::view
