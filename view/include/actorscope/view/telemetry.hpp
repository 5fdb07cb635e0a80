// The Telemetry view-model: per event name, count, rate and measurement statistics.
#pragma once

#include <string_view>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct TelemetryLine {
  const pv::TelemetryRow* row = nullptr;
  const pv::MeasurementStats* measurement = nullptr;  // null: the event's own line
  double per_s() const { return row ? static_cast<double>(row->per_s_x100) / 100.0 : 0; }  // the event's rate
  double mean() const { return measurement && measurement->count ? measurement->sum / static_cast<double>(measurement->count) : 0; }
};

// True for the keys :telemetry uses for time stamps (`system_time`, `monotonic_time`, which
// span start and stop events carry): a point in time, not a quantity, so no mean, min or
// percentile of them means anything.
bool is_time_stamp(std::string_view key);

// One line per event (sorted by name, then node), followed by one line per measurement;
// time stamps are not measurements and get no line.
std::vector<TelemetryLine> telemetry_lines(const Replica& replica, NodeId node = 0);

}  // namespace actorscope::view
