// Telemetry lines: the replica's telemetry rows in name order, each followed by its measurements.
#include "actorscope/view/telemetry.hpp"

#include <algorithm>

namespace actorscope::view {

bool is_time_stamp(std::string_view key) { return key == "system_time" || key == "monotonic_time"; }

std::vector<TelemetryLine> telemetry_lines(const Replica& replica, NodeId node) {
  std::vector<const pv::TelemetryRow*> rows;
  for (const auto& [key, row] : replica.telemetry())
    if (node == 0 || key.first == node) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    return a->event != b->event ? a->event < b->event : a->node < b->node;
  });
  std::vector<TelemetryLine> out;
  for (const auto* r : rows) {
    out.push_back({r, nullptr});
    for (const auto& m : r->measurements)
      if (!is_time_stamp(m.key)) out.push_back({r, &m});
  }
  return out;
}

}  // namespace actorscope::view
