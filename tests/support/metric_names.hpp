// The collector's metric and label names the cross-component tests read (one place to follow them).
#pragma once

namespace actorscope::testing::metric {

inline constexpr const char* kActors = "actorscope_actors";                        // gauge: node, actor_type, kind
inline constexpr const char* kRestarts = "actorscope_supervisor_restarts_total";   // counter: node, supervisor
inline constexpr const char* kProcessed = "actorscope_messages_processed_total";   // counter: node, actor_type
inline constexpr const char* kNodeConnected = "actorscope_node_connected";         // gauge: node
inline constexpr const char* kEventLogDropped = "actorscope_collector_event_log_dropped_total";  // counter: kind
inline constexpr const char* kNodeLabel = "node";
inline constexpr const char* kKindLabel = "kind";
inline constexpr const char* kKindWorker = "worker";
inline constexpr const char* kKindSupervisor = "supervisor";

}  // namespace actorscope::testing::metric
