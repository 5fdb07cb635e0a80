// Known traffic: named actors sending to each other at fixed rates, for checking what the
// flow map and the top senders estimate against what was really sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

struct TrafficEdge {
  std::string from, to;  // actor names, also their types
  double rate = 0;       // messages per second
  uint64_t sent = 0;     // after the run: exactly how many were sent
};

// Parses "FROM>TO:RATE" (e.g. "ingest>parser:1000"). Returns false on anything else.
bool parse_traffic_edge(const std::string& spec, TrafficEdge& out);

// Spawns one root actor per name, then sends along every edge at its rate (each edge on
// its own thread, paced by the clock, the receiver taking each message at once) for
// `seconds` or until stop() says so. Fills each edge's `sent`.
void run_known_traffic(std::vector<TrafficEdge>& edges, double seconds, bool (*stop)());

}  // namespace loadgen
