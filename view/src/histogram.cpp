// Percentiles and drawable spans of telemetry bucket histograms.
#include "actorscope/view/histogram.hpp"

#include "actorscope/view/format.hpp"

#include <algorithm>
#include <cmath>

namespace actorscope::view {

BucketSpan used_buckets(const pv::MeasurementStats& m) {
  BucketSpan s;
  const auto& b = m.buckets;
  while (s.first < b.size() && b[s.first] == 0) ++s.first;
  if (s.first == b.size()) return {0, 0};
  s.end = b.size();
  while (b[s.end - 1] == 0) --s.end;
  return s;
}

BucketRange bucket_range(const pv::MeasurementStats& m, size_t i) {
  // Bucket 0 also holds zero and negatives, the last bucket everything larger: their open
  // side is the measurement's own extreme.
  double low = i == 0 ? m.min : pv::telemetry_bucket_bound(i - 1);
  double high = i + 1 == pv::kTelemetryBuckets ? m.max : pv::telemetry_bucket_bound(i);
  if (m.count > 0) {
    low = std::max(low, m.min);
    high = std::min(high, m.max);
  }
  if (high < low) high = low;
  return {low, high};
}

namespace {

// Where the value of rank q * total lies: its bucket and how far into it (0..1).
struct Rank {
  size_t bucket = 0;
  double into = 0;
};
std::optional<Rank> locate(const pv::MeasurementStats& m, double q) {
  uint64_t total = 0;
  for (uint64_t c : m.buckets) total += c;
  if (total == 0) return std::nullopt;
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  uint64_t below = 0;
  size_t i = 0;
  for (; i < m.buckets.size(); ++i) {
    if (m.buckets[i] && static_cast<double>(below + m.buckets[i]) >= rank) break;
    below += m.buckets[i];
  }
  if (i == m.buckets.size()) return Rank{used_buckets(m).end - 1, 1.0};  // rounding at q = 1
  const double into = (rank - static_cast<double>(below)) / static_cast<double>(m.buckets[i]);
  return Rank{i, std::clamp(into, 0.0, 1.0)};
}

// The fine bucket holding the value of rank ceil(q * n), n the values in fine buckets.
std::optional<int32_t> locate_fine(const pv::MeasurementStats& m, double q) {
  uint64_t total = 0;
  for (const auto& b : m.fine) total += b.count;
  if (total == 0) return std::nullopt;
  const double want = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total));
  const uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(want), 1, total);
  uint64_t below = 0;
  for (const auto& b : m.fine) {
    below += b.count;
    if (below >= rank) return b.index;
  }
  return m.fine.back().index;
}

}  // namespace

bool rough_percentiles(const pv::MeasurementStats& m) { return m.fine.empty() && !used_buckets(m).empty(); }

std::string percentile_text(const pv::MeasurementStats& m, double q) {
  const auto v = percentile(m, q);
  if (!v) return "-";
  return (rough_percentiles(m) && q > 0 && q < 1 ? "~" : "") + format_measurement(*v);
}

std::optional<size_t> percentile_bucket(const pv::MeasurementStats& m, double q) {
  if (auto k = locate_fine(m, q)) return proto::telemetry_bucket_of_fine(*k);
  auto at = locate(m, q);
  if (!at) return std::nullopt;
  return at->bucket;
}

std::optional<double> percentile(const pv::MeasurementStats& m, double q) {
  if (m.count > 0 && (!m.fine.empty() || !used_buckets(m).empty())) {
    if (q <= 0) return m.min;
    if (q >= 1) return m.max;
  }
  if (auto k = locate_fine(m, q)) {
    double v = proto::telemetry_fine_value(*k);
    if (m.count > 0) v = std::clamp(v, m.min, m.max);
    return v;
  }
  auto at = locate(m, q);
  if (!at) return std::nullopt;
  const BucketRange r = bucket_range(m, at->bucket);
  const double f = at->into;
  // Buckets are log2-wide: interpolate geometrically where both ends are positive.
  double v = r.low > 0 && r.high > r.low ? r.low * std::pow(r.high / r.low, f) : r.low + (r.high - r.low) * f;
  if (m.count > 0) v = std::clamp(v, m.min, m.max);
  return v;
}

}  // namespace actorscope::view
