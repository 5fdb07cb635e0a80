// The Telemetry view-model: per event name, count, rate and measurement statistics.
#pragma once

#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct TelemetryLine {
  const pv::TelemetryRow* row = nullptr;
  const pv::MeasurementStats* measurement = nullptr;  // null: the event's own line
  double per_s() const { return row ? static_cast<double>(row->per_s_x100) / 100.0 : 0; }  // the event's rate
  double mean() const { return measurement && measurement->count ? measurement->sum / static_cast<double>(measurement->count) : 0; }
};

// One line per event (sorted by name, then node), followed by one line per measurement.
std::vector<TelemetryLine> telemetry_lines(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
