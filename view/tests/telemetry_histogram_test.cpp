// Telemetry measurement histograms: their place in the viewer conversation, in the replica, and
// the percentiles read from them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "actorscope/view/histogram.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/telemetry.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

// The bucket a value lands in, by the definition in VIEWER.md.
size_t bucket_of(double v) {
  if (!(v > 0)) return 0;
  for (size_t i = 0; i < pv::kTelemetryBuckets; ++i)
    if (v <= pv::telemetry_bucket_bound(i)) return i;
  return pv::kTelemetryBuckets - 1;
}

pv::MeasurementStats measured(std::string key, double from, double to) {
  pv::MeasurementStats m;
  m.key = std::move(key);
  m.min = from;
  m.max = to;
  for (double v = from; v <= to; v += 1) {
    ++m.count;
    m.sum += v;
    m.last = v;
    ++m.buckets[bucket_of(v)];
  }
  return m;
}

pv::TelemetryRow sample_row() {
  pv::TelemetryRow row;
  row.node = 3;
  row.event = "db.query";
  row.count = 1000;
  row.per_s_x100 = 12345;
  row.measurements.push_back(measured("duration_ms", 1, 1000));
  pv::MeasurementStats empty;
  empty.key = "rows";
  empty.count = 7;
  row.measurements.push_back(empty);
  row.measurements.push_back(measured("queue", -4, 3));
  return row;
}

struct Rows {
  std::vector<pv::TelemetryRow> rows;
  template <class M>
  void on(const M&) {}
  void on(const pv::TelemetryRow& m) { rows.push_back(m); }
};

void expect_same(const pv::TelemetryRow& a, const pv::TelemetryRow& b) {
  EXPECT_EQ(a.node, b.node);
  EXPECT_EQ(a.event, b.event);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.per_s_x100, b.per_s_x100);
  ASSERT_EQ(a.measurements.size(), b.measurements.size());
  for (size_t i = 0; i < a.measurements.size(); ++i) {
    const auto &x = a.measurements[i], &y = b.measurements[i];
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.count, y.count);
    EXPECT_EQ(x.sum, y.sum);
    EXPECT_EQ(x.min, y.min);
    EXPECT_EQ(x.max, y.max);
    EXPECT_EQ(x.last, y.last);
    EXPECT_EQ(x.buckets, y.buckets) << x.key;
    EXPECT_EQ(x.fine, y.fine) << x.key;
  }
}

}  // namespace

TEST(ViewerCodec, TelemetryHistogramsRoundTrip) {
  const pv::TelemetryRow row = sample_row();
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, row);
  Rows got;
  auto res = pv::decode_messages(buf.data(), buf.size(), got);
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(got.rows.size(), 1u);
  expect_same(got.rows[0], row);
  EXPECT_EQ(got.rows[0].measurements[0].buckets[bucket_of(1000)], 1000u - 512u);
}

// The histograms come after every field an older decoder reads, and a row without them
// (from an older collector) still decodes, with empty histograms.
TEST(ViewerCodec, TelemetryHistogramsTrailTheOlderFields) {
  pv::TelemetryRow row = sample_row();
  std::vector<uint8_t> older_body;
  proto::Writer b(older_body);
  b.varint(row.node);
  b.str(row.event);
  b.varint(row.count);
  b.varint(row.per_s_x100);
  b.varint(row.measurements.size());
  for (const auto& m : row.measurements) {
    b.str(m.key);
    b.varint(m.count);
    b.f64(m.sum);
    b.f64(m.min);
    b.f64(m.max);
    b.f64(m.last);
  }
  std::vector<uint8_t> now;
  proto::Writer w(now);
  pv::encode(w, row);
  ASSERT_GT(now.size(), older_body.size() + 2);
  // tag, one- or two-byte length, then the older body unchanged.
  const size_t at = 1 + ((now[1] & 0x80) ? 2 : 1);
  ASSERT_EQ(now[0], static_cast<uint8_t>(pv::Tag::TelemetryRow));
  EXPECT_TRUE(std::equal(older_body.begin(), older_body.end(), now.begin() + static_cast<long>(at)));

  std::vector<uint8_t> older;
  proto::Writer o(older);
  o.u8(static_cast<uint8_t>(pv::Tag::TelemetryRow));
  o.varint(older_body.size());
  o.bytes(older_body.data(), older_body.size());
  Rows got;
  auto res = pv::decode_messages(older.data(), older.size(), got);
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(got.rows.size(), 1u);
  for (auto& m : row.measurements) m.buckets = {};
  expect_same(got.rows[0], row);
}

TEST(ViewerCodec, TruncatedTelemetryHistogramIsRejected) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, sample_row());
  // Cut the last count off and shorten the message length to match.
  std::vector<uint8_t> cut(buf.begin(), buf.end() - 1);
  ASSERT_EQ(cut[1] & 0x80, 0x80);
  size_t len = (cut[1] & 0x7f) | (static_cast<size_t>(cut[2]) << 7);
  --len;
  cut[1] = static_cast<uint8_t>((len & 0x7f) | 0x80);
  cut[2] = static_cast<uint8_t>(len >> 7);
  Rows got;
  EXPECT_FALSE(pv::decode_messages(cut.data(), cut.size(), got).ok);
  EXPECT_TRUE(got.rows.empty());
}

TEST(Replica, KeepsTelemetryHistograms) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, sample_row());
  view::Replica r;
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  auto lines = view::telemetry_lines(r);
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_NE(lines[1].measurement, nullptr);
  EXPECT_EQ(lines[1].measurement->buckets, sample_row().measurements[0].buckets);
}

// A span's start and stop carry time stamps beside their measurements (as :telemetry.span
// does); the view summarises the measurements only.
TEST(Replica, TimeStampsAreNotMeasurements) {
  pv::TelemetryRow row = sample_row();
  auto stamp = [](std::string key, double at) {
    pv::MeasurementStats m;
    m.key = std::move(key);
    m.count = 1;
    m.sum = m.min = m.max = m.last = at;
    ++m.buckets[bucket_of(at)];
    return m;
  };
  row.measurements.insert(row.measurements.begin(), stamp("monotonic_time", 1.335e13));
  row.measurements.push_back(stamp("system_time", 1.796e18));
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, row);
  view::Replica r;
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  auto lines = view::telemetry_lines(r);
  ASSERT_EQ(lines.size(), 4u);  // the event and its three measurements, as without the stamps
  for (const auto& l : lines)
    if (l.measurement) {
      EXPECT_NE(l.measurement->key, "monotonic_time");
      EXPECT_NE(l.measurement->key, "system_time");
    }
  EXPECT_EQ(lines[1].measurement->key, "duration_ms");
}

TEST(TelemetryHistogram, PercentilesFallInTheRightBucket) {
  const auto m = measured("duration_ms", 1, 1000);  // 1, 2, ..., 1000
  auto p50 = view::percentile(m, 0.50), p90 = view::percentile(m, 0.90), p99 = view::percentile(m, 0.99);
  ASSERT_TRUE(p50 && p90 && p99);
  EXPECT_GT(*p50, 256);  // the true value, 500, is in (256, 512]
  EXPECT_LE(*p50, 512);
  EXPECT_GT(*p90, 512);  // 900 and 990 are in (512, 1000]
  EXPECT_LE(*p90, 1000);
  EXPECT_GT(*p99, *p90);
  EXPECT_LE(*p99, 1000);
  EXPECT_EQ(view::percentile_bucket(m, 0.50), bucket_of(500));
  EXPECT_EQ(view::percentile_bucket(m, 0.99), bucket_of(990));
  EXPECT_EQ(view::percentile(m, 0.0), 1.0);
  EXPECT_EQ(view::percentile(m, 1.0), 1000.0);
}

TEST(TelemetryHistogram, PercentilesStayWithinMinAndMax) {
  pv::MeasurementStats one;
  one.count = 10;
  one.min = one.max = one.last = 5;
  one.sum = 50;
  one.buckets[bucket_of(5)] = 10;
  EXPECT_EQ(view::percentile(one, 0.5), 5.0);
  EXPECT_EQ(view::percentile(one, 0.99), 5.0);

  const auto negative = measured("queue", -4, -1);  // all in bucket 0
  auto p = view::percentile(negative, 0.5);
  ASSERT_TRUE(p);
  EXPECT_GE(*p, -4);
  EXPECT_LE(*p, -1);
}

TEST(TelemetryHistogram, NoBucketsMeansNoPercentiles) {
  pv::MeasurementStats m;
  m.count = 3;
  m.min = 1;
  m.max = 9;
  EXPECT_FALSE(view::percentile(m, 0.5));
  EXPECT_TRUE(view::used_buckets(m).empty());
}

TEST(TelemetryHistogram, UsedBucketsSpanTheNonEmptyOnes) {
  const auto m = measured("duration_ms", 1, 1000);
  auto s = view::used_buckets(m);
  EXPECT_EQ(s.first, bucket_of(1));
  EXPECT_EQ(s.end, bucket_of(1000) + 1);
  auto top = view::bucket_range(m, bucket_of(1000));
  EXPECT_EQ(top.low, 512.0);
  EXPECT_EQ(top.high, 1000.0);  // clipped to the largest value seen
}

// The fine buckets as VIEWER.md defines them: each value lies in (low, high] of its bucket,
// the bucket is at most 1/32 of its low bound wide, lies inside the value's log2 bucket
// (bucket_of above, from the log2 definition), and indices follow the values' order.
TEST(TelemetryHistogram, FineBucketsHoldTheirValuesAndNestInTheLog2Ones) {
  std::vector<double> values = {1e-300, 3e-7, 0.001, 0.5, 1, 1.5, 2, 3, 1000, 1024, 1536, 1537, 65535.5, 1e9, 7.7e12, 1e300};
  for (int e = -30; e <= 50; ++e)
    for (double f : {1.0, 1.0 + 1.0 / 64, 1.03125, 1.5, 1.999})
      values.push_back(std::ldexp(f, e));
  std::sort(values.begin(), values.end());
  int32_t prev = 0;
  for (double v : values) {
    const int32_t k = proto::telemetry_fine_bucket(v);
    const proto::FineBounds b = proto::telemetry_fine_bounds(k);
    EXPECT_LT(b.low, v) << v;
    EXPECT_LE(v, b.high) << v;
    EXPECT_LE(b.high - b.low, b.low / 32) << v;
    EXPECT_EQ(proto::telemetry_bucket_of_fine(k), bucket_of(v)) << v;
    EXPECT_GE(k, prev) << v;
    prev = k;
    EXPECT_EQ(proto::telemetry_fine_bucket(-v), -k) << "negative values mirror: " << v;
    EXPECT_LE(std::fabs(proto::telemetry_fine_value(k) - v), v / 64) << v;
  }
  EXPECT_EQ(proto::telemetry_fine_bucket(0.0), 0);
  EXPECT_EQ(proto::telemetry_fine_bucket(std::nan("")), proto::kNoFineBucket);
  EXPECT_GT(proto::telemetry_fine_bucket(INFINITY), proto::telemetry_fine_bucket(1.7e308));
}

namespace {
// A measurement with fine buckets, built from its values the way the collector counts them.
pv::MeasurementStats fine_measured(const std::vector<double>& values) {
  pv::MeasurementStats m;
  m.key = "duration";
  m.min = values.front();
  m.max = values.front();
  std::map<int32_t, uint64_t> fine;
  for (double v : values) {
    ++m.count;
    m.sum += v;
    m.min = std::min(m.min, v);
    m.max = std::max(m.max, v);
    ++m.buckets[bucket_of(v)];
    ++fine[proto::telemetry_fine_bucket(v)];
  }
  for (auto [k, c] : fine) m.fine.push_back({k, c});
  return m;
}
double exact_percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))));
  return v[rank - 1];
}
}  // namespace

// The case that made log2 buckets lie: a median of 1536 read as 1218. With fine buckets every
// percentile is within 1.6 % of the true one, on any distribution.
TEST(TelemetryHistogram, FinePercentilesAreWithinTheStatedError) {
  std::vector<std::vector<double>> cases;
  cases.push_back(std::vector<double>(99, 1536.0));
  cases.back().push_back(4000);
  std::vector<double> uniform;
  for (int i = 1; i <= 5000; ++i) uniform.push_back(i);
  cases.push_back(uniform);
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lognormal(8, 2);
  std::vector<double> tail;
  for (int i = 0; i < 20000; ++i) tail.push_back(lognormal(rng));
  cases.push_back(tail);
  std::vector<double> mixed;  // negatives, zeros, positives
  for (int i = -300; i <= 700; ++i) mixed.push_back(i % 7 == 0 ? 0 : i * 1.37);
  cases.push_back(mixed);
  for (const auto& values : cases) {
    const auto m = fine_measured(values);
    EXPECT_FALSE(view::rough_percentiles(m));
    for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
      const double exact = exact_percentile(values, q);
      auto shown = view::percentile(m, q);
      ASSERT_TRUE(shown);
      EXPECT_LE(std::fabs(*shown - exact), view::kPercentileError * std::fabs(exact)) << "q " << q << " true " << exact;
      EXPECT_EQ(view::percentile_bucket(m, q), bucket_of(exact)) << "q " << q;
    }
  }
  EXPECT_EQ(view::percentile_text(fine_measured(cases[0]), 0.5), "1536");
}

// Without fine buckets the percentiles are rough, and the text says so.
TEST(TelemetryHistogram, RoughPercentilesAreMarked) {
  auto m = measured("duration_ms", 1, 1000);
  EXPECT_TRUE(view::rough_percentiles(m));
  EXPECT_EQ(view::percentile_text(m, 0.5).substr(0, 1), "~");
  EXPECT_EQ(view::percentile_text(m, 1.0), "1000") << "the maximum is exact";
  pv::MeasurementStats none;
  EXPECT_EQ(view::percentile_text(none, 0.5), "-");
}

TEST(ViewerCodec, FineBucketsRoundTrip) {
  pv::TelemetryRow row = sample_row();
  row.measurements[0] = fine_measured({-5, -5, 0, 1, 2, 3, 1536, 1e12});
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, row);
  Rows got;
  auto res = pv::decode_messages(buf.data(), buf.size(), got);
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_EQ(got.rows[0].measurements[0].fine, row.measurements[0].fine);
  EXPECT_TRUE(got.rows[0].measurements[1].fine.empty());
}
