// How the Model is seen through the viewer conversation: model state -> wire rows.
#pragma once

#include <optional>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "actorscope/protocol/viewer.hpp"

namespace actorscope::serve {

namespace wire = ::actorscope::proto::viewer;

wire::ActorRow actor_row(const collector::Model& model, collector::NodeKey node, const collector::Actor& a);
wire::ActorStats actor_stats(const collector::Model& model, collector::NodeKey node, const collector::Actor& a);
wire::NodeRow node_row(const collector::Model& model, const collector::Node& n);
wire::TelemetryRow telemetry_row(const collector::Model& model, const collector::TelemetryStats& t);
// One (sender type, receiver type) pair; `to`: the receiving type's aggregate, when live.
wire::FlowRow flow_row(const collector::Model& model, collector::NodeKey node, const collector::FlowPair& p,
                       const collector::TypeAggregate* to);
wire::Warning warning_row(const collector::Warning& l);
// `wall_offset_ns` = wall clock - collector clock, for events without an agent timestamp.
wire::Event event_row(const collector::Model& model, const collector::Event& e, int64_t wall_offset_ns);
// The model's event kinds matching a set of viewer event kinds.
uint32_t model_kinds(uint32_t viewer_kinds);
// Messages per second x100, rounded: rates travel as integers so replicas compare exactly.
uint64_t x100(double v);

// Restarts per minute as every screen says it: the restarts of the (up to) 60 one-second
// points ending at pts[last] — not one second's rate times 60. The NodeRow's value and each
// point of a restarts/min series.
double restarts_in_minute_ending(const std::vector<collector::SeriesPoint>& pts, size_t last);

}  // namespace actorscope::serve
