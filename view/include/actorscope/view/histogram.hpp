// Reading a telemetry measurement's bucket histogram: percentiles and the buckets worth drawing.
#pragma once

#include <cstddef>
#include <optional>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// The value below which a fraction q (0..1) of the measurement's values fall, estimated from
// its buckets (interpolated inside the bucket, kept within min..max). Empty when the
// measurement carries no histogram.
std::optional<double> percentile(const pv::MeasurementStats& m, double q);
// The bucket that percentile falls in.
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
