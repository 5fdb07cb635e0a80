// Reading a telemetry measurement's bucket histogram: percentiles and the buckets worth drawing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// The q-th percentile (0..1) of the measurement's values: the value of rank ceil(q * n)
// (q = 0: the minimum, q = 1: the maximum, both exact). Read from the fine buckets, it is
// the middle of the one that value lies in, so within kPercentileError of it (relative);
// without fine buckets (rough_percentiles), interpolated inside its log2 bucket, which can
// be off by up to half the value. Kept within min..max. Empty when there is no histogram.
std::optional<double> percentile(const pv::MeasurementStats& m, double q);
inline constexpr double kPercentileError = proto::kTelemetryFineError;
// True when the percentiles come from the log2 buckets alone (the collector kept no fine
// ones: the measurement passed its bucket budget, or an older collector).
bool rough_percentiles(const pv::MeasurementStats& m);
// The percentile as a screen shows it: format_measurement's digits, "~" before a rough
// one, "-" when there is none.
std::string percentile_text(const pv::MeasurementStats& m, double q);
// The log2 bucket that percentile falls in.
std::optional<size_t> percentile_bucket(const pv::MeasurementStats& m, double q);

// The buckets from the lowest to the highest non-empty one: [first, end); first == end when
// the histogram is empty.
struct BucketSpan {
  size_t first = 0;
  size_t end = 0;
  bool empty() const { return first == end; }
};
BucketSpan used_buckets(const pv::MeasurementStats& m);

// The values bucket i holds, clipped to the measurement's min..max: (low, high].
struct BucketRange {
  double low = 0;
  double high = 0;
};
BucketRange bucket_range(const pv::MeasurementStats& m, size_t i);

}  // namespace actorscope::view
