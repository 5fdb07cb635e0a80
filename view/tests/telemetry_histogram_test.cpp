// Telemetry measurement histograms: their place in the viewer conversation, in the replica, and
// the percentiles read from them.
#include <gtest/gtest.h>

#include <cmath>

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
