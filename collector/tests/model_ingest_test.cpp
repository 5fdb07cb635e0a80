// Unit tests of batch ingest: look-ahead stats lookups give the same model as one record at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::ExitReason;
using testing::Stream;

// Applies a batch payload one record at a time (no look-ahead), as apply() callers do.
void apply_one_by_one(Model& m, NodeKey n, const std::vector<uint8_t>& batch) {
  ModelIngest ingest{m, n};
  proto::decode_records(batch.data(), batch.size(), ingest);
  m.commit();
}

void expect_same_actors(const Model& a, const Model& b, NodeKey n) {
  ASSERT_EQ(a.node(n)->live_actors, b.node(n)->live_actors);
  a.for_each_actor(n, [&](const Actor& x) {
    const Actor* y = b.actor(n, x.id);
    ASSERT_NE(y, nullptr) << x.id;
    EXPECT_EQ(x.mailbox, y->mailbox) << x.id;
    EXPECT_EQ(x.enqueued, y->enqueued) << x.id;
    EXPECT_EQ(x.dequeued, y->dequeued) << x.id;
    EXPECT_EQ(x.hist, y->hist) << x.id;
  });
  auto ta = a.types(n);
  auto tb = b.types(n);
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].dequeued(), tb[i].dequeued());
    EXPECT_EQ(ta[i].mailbox_sum, tb[i].mailbox_sum);
  }
  EXPECT_EQ(a.stats().anomalies, b.stats().anomalies);
  EXPECT_EQ(a.stats().records_applied, b.stats().records_applied);
}

TEST(ModelIngest, RandomOrderStatsMatchOneRecordAtATime) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3000; ++i) ids.push_back(i % 2 ? 1000 + static_cast<uint64_t>(i) : rng() >> 8);
  // Two ids whose hashes share their high half: the index must tell them apart by the row.
  ids.push_back(145076580151772ull);
  ids.push_back(45257354082082ull);
  Stream s;
  for (uint64_t id : ids) s.spawn(id, 0, id % 3 ? "a" : "b");
  std::vector<uint8_t> spawns = s.take();
  std::vector<std::vector<uint8_t>> rounds;
  for (uint64_t round = 1; round <= 4; ++round) {
    std::shuffle(ids.begin(), ids.end(), rng);
    for (size_t i = 0; i < ids.size(); ++i) {
      s.stats(ids[i], round + i % 7, 10 * round, 10 * round - i % 3);
      if (i % 500 == 0) s.stats(777'777'777, 1, 1, 1);            // unknown: an anomaly, in place
      if (i % 700 == 0) s.exit(ids[(i + 1) % ids.size()], ExitReason::Normal);  // not a stats record: a barrier
    }
    rounds.push_back(s.take());
  }
  Model piped, plain;
  NodeKey n = piped.on_hello(1, testing::hello("a"));
  ASSERT_EQ(plain.on_hello(1, testing::hello("a")), n);
  ASSERT_TRUE(piped.apply_batch(n, spawns.data(), spawns.size()).ok);
  apply_one_by_one(plain, n, spawns);
  for (const auto& b : rounds) {
    ASSERT_TRUE(piped.apply_batch(n, b.data(), b.size()).ok);
    apply_one_by_one(plain, n, b);
  }
  expect_same_actors(piped, plain, n);
  EXPECT_EQ(piped.actor(n, 145076580151772ull)->enqueued, 40u);
  EXPECT_EQ(piped.actor(n, 45257354082082ull)->enqueued, 40u);
  EXPECT_GT(piped.stats().anomalies[static_cast<size_t>(Anomaly::UnknownActor)], 0u);
}

// A sample's counters advance together when none went back; one that went back keeps its
// value (an anomaly each) while the others advance, and counters at 2^63 or more (which the
// together-path leaves to the one-by-one path) advance exactly.
TEST(ModelIngest, CountersThatWentBackKeepTheirValueAndTheOthersAdvance) {
  constexpr uint64_t kHigh = 1ull << 63;
  Stream s;
  s.spawn(1, 0, "a").spawn(2, 0, "a");
  s.stats(1, 0, 10, 8, 100, {5, 0, 3});
  s.stats(1, 0, 12, 7, 150, {6, 0, 2, 0, 0, 0, 0, 0, 0, 1});  // dequeued and bucket 2 went back
  s.stats(2, 0, kHigh + 5, kHigh, 0, {0, kHigh});
  s.stats(2, 0, kHigh + 9, kHigh + 1, 7, {0, kHigh + 2});
  s.stats(2, 0, 5, kHigh + 1, 7, {0, kHigh + 2});              // enqueued went back across 2^63
  const std::vector<uint8_t> batch = s.take();
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  ASSERT_TRUE(m.apply_batch(n, batch.data(), batch.size()).ok);

  const Actor* a = m.actor(n, 1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->enqueued, 12u);
  EXPECT_EQ(a->dequeued, 8u);
  EXPECT_EQ(a->busy_ns, 150u);
  EXPECT_EQ(a->hist, (std::array<uint64_t, proto::kHistogramBuckets>{6, 0, 3, 0, 0, 0, 0, 0, 0, 1}));
  const Actor* b = m.actor(n, 2);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->enqueued, kHigh + 9);
  EXPECT_EQ(b->dequeued, kHigh + 1);
  EXPECT_EQ(b->busy_ns, 7u);
  EXPECT_EQ(b->hist[1], kHigh + 2);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::CounterWentBack)], 3u);

  uint64_t enqueued = 0, dequeued = 0, busy = 0, slow = 0, b1 = 0, b2 = 0;
  for (const TypeAggregate& t : m.types(n)) {
    enqueued += t.enqueued();
    dequeued += t.dequeued();
    busy += t.busy_ns();
    b1 += t.hist(1);
    b2 += t.hist(2);
    slow += t.hist(9);
  }
  EXPECT_EQ(enqueued, 12 + kHigh + 9);
  EXPECT_EQ(dequeued, 8 + kHigh + 1);
  EXPECT_EQ(busy, 157u);
  EXPECT_EQ(b1, kHigh + 2);
  EXPECT_EQ(b2, 3u);
  EXPECT_EQ(slow, 1u);
}

TEST(ModelIngest, StatsBeforeAMalformedRecordStayApplied) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w");
  s.apply(m, n);
  s.stats(1, 0, 5, 5).stats(2, 0, 6, 6);
  std::vector<uint8_t> b = s.take();
  b.push_back(static_cast<uint8_t>(proto::RecordType::ActorStats));
  b.push_back(0x7f);  // a body length past the end
  proto::DecodeResult r = m.apply_batch(n, b.data(), b.size());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(m.actor(n, 1)->dequeued, 5u);
  EXPECT_EQ(m.actor(n, 2)->dequeued, 6u);
}

TEST(ModelIngest, ABatchAppliedInPartsEqualsItAppliedWhole) {
  // What the ingest loop does with a frame too large for one turn: parts of a few records,
  // in order. Spawns, stats, exits and restarts depend on what came before them.
  Stream s;
  s.spawn(1, 0, "sup", "top", proto::ActorKind::Supervisor, "", 5, 1000);
  for (uint64_t id = 2; id < 400; ++id) s.spawn(id, 1, id % 2 ? "a" : "b", "", proto::ActorKind::Worker, "c" + std::to_string(id));
  for (uint64_t id = 2; id < 400; ++id) s.stats(id, id % 5, id, id - id % 5);
  for (uint64_t id = 2; id < 100; ++id) {
    s.exit(id, ExitReason::Error, "boom");
    s.restart(1, "c" + std::to_string(id), id, id + 1000);
    s.spawn(id + 1000, 1, "a", "", proto::ActorKind::Worker, "c" + std::to_string(id));
  }
  std::vector<uint8_t> b = s.take();
  Model whole, parts;
  NodeKey n = whole.on_hello(1, testing::hello("a"));
  ASSERT_EQ(parts.on_hello(1, testing::hello("a")), n);
  ASSERT_TRUE(whole.apply_batch(n, b.data(), b.size()).ok);
  size_t offset = 0, calls = 0, records = 0;
  while (offset < b.size()) {
    size_t before = offset;
    proto::DecodeResult r = parts.apply_batch_part(n, b.data(), b.size(), offset, 7);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_GT(offset, before);
    EXPECT_LE(r.records, 7u);
    records += r.records;
    ++calls;
  }
  EXPECT_EQ(offset, b.size());
  EXPECT_EQ(records, whole.stats().records_applied);
  EXPECT_EQ(calls, (records + 6) / 7);
  expect_same_actors(whole, parts, n);
  EXPECT_EQ(parts.node(n)->live_actors, 399u);
  ASSERT_NE(parts.supervisor(n, 1), nullptr);
  EXPECT_GT(parts.supervisor(n, 1)->restarts, 0u);
  EXPECT_EQ(parts.supervisor(n, 1)->restarts, whole.supervisor(n, 1)->restarts);
  EXPECT_EQ(parts.stats().anomalies[static_cast<size_t>(Anomaly::UnknownActor)], 0u);
  EXPECT_EQ(parts.version(), whole.version() + calls - 1);  // each part is committed
}

// A part also ends once its records hold max_bytes (with at least one record in it): a flow
// record of 256 edges costs what 256 small records do, and the loop looks at the clock by parts.
TEST(ModelIngest, ABatchPartEndsAtItsByteBudgetWithAtLeastOneRecord) {
  Stream s;
  for (uint64_t id = 1; id <= 40; ++id) s.spawn(id, 0, "w" + std::to_string(id % 3));
  std::vector<uint8_t> b = s.take();
  Model whole, parts;
  NodeKey n = whole.on_hello(1, testing::hello("a"));
  ASSERT_EQ(parts.on_hello(1, testing::hello("a")), n);
  ASSERT_TRUE(whole.apply_batch(n, b.data(), b.size()).ok);
  // Records' sizes, read independently of the model: a tag, a varint length, the body.
  std::vector<size_t> sizes;
  for (proto::Reader r(b.data(), b.size()); !r.empty();) {
    const uint8_t* at = r.pos();
    r.u8();
    r.sub(static_cast<size_t>(r.varint()));
    sizes.push_back(static_cast<size_t>(r.pos() - at));
  }
  ASSERT_EQ(sizes.size(), whole.stats().records_applied);
  constexpr size_t kBytes = 40;  // a few spawns' worth; a string definition alone may pass it
  size_t offset = 0, next = 0, records = 0;
  while (offset < b.size()) {
    // The expected part: records up to and including the one that reaches kBytes.
    size_t expect = 0, bytes = 0;
    while (next + expect < sizes.size() && expect < 256) {
      bytes += sizes[next + expect++];
      if (bytes >= kBytes) break;
    }
    proto::DecodeResult r = parts.apply_batch_part(n, b.data(), b.size(), offset, 256, kBytes);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.records, expect);
    ASSERT_GE(r.records, 1u);
    next += expect;
    records += r.records;
  }
  EXPECT_EQ(records, sizes.size());
  expect_same_actors(whole, parts, n);
}

TEST(ModelIngest, AMalformedRecordStopsTheBatchPartThatHoldsIt) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").spawn(3, 0, "w");
  std::vector<uint8_t> b = s.take();
  b.push_back(static_cast<uint8_t>(proto::RecordType::ActorStats));
  b.push_back(0x7f);  // a body length past the end
  size_t offset = 0;
  proto::DecodeResult r = m.apply_batch_part(n, b.data(), b.size(), offset, 3);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 3u);  // the string definition and two spawns
  EXPECT_EQ(m.node(n)->live_actors, 2u);
  r = m.apply_batch_part(n, b.data(), b.size(), offset, 3);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.records, 1u);  // the third spawn, then the malformed record
  EXPECT_EQ(m.node(n)->live_actors, 3u);
}

}  // namespace
}  // namespace actorscope::collector
