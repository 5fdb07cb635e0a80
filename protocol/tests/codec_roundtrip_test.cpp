// Round-trip property tests: decode(encode(m)) == m for random messages of every record type.
#include <gtest/gtest.h>

#include <deque>
#include <variant>

#include "test_messages.hpp"

namespace actorscope::proto {
namespace {

using testing::MessageGen;
using AnyRecord = std::variant<StringDef, ActorSpawned, ActorExited, ChildRestarted, Link, ActorStats, Telemetry,
                               Dropped, SnapshotBegin, SnapshotEnd, Heartbeat, TypeTotals, SupervisorEscalated,
                               SupervisorTotals, TelemetryTotals, NodeGauges, FlowEdges, Handling>;

// Owns the strings that string_views in generated records point into.
struct Arena {
  std::deque<std::string> strings;
  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
};

AnyRecord random_record(MessageGen& g, Arena& arena) {
  switch (g.rng()() % std::variant_size_v<AnyRecord>) {
    case 0: return StringDef{static_cast<StringId>(g.nonzero() & 0xffffffff ? g.nonzero() & 0xffffffff : 1), arena.keep(g.text())};
    case 1: {
      ActorSpawned m;
      m.t_ns = g.any(); m.actor = g.nonzero(); m.parent = g.any(); m.name = g.u32(); m.type = g.u32();
      m.child_id = g.u32(); m.kind = g.pick<ActorKind>(1); m.restart = g.pick<RestartType>(2);
      m.strategy = g.pick<Strategy>(4); m.intensity = g.u32(); m.period_ms = g.u32();
      return m;
    }
    case 2: {
      ActorExited m{g.any(), g.any(), g.pick<ExitReason>(5), g.u32(), {}};
      if (g.rng()() % 2) m.reason_inline = arena.keep(g.text(300));
      return m;
    }
    case 3: {
      ChildRestarted m{g.any(), g.any(), g.u32(), g.any(), g.any(), g.pick<ExitReason>(5), g.u32(), {}};
      if (g.rng()() % 2) m.reason_inline = arena.keep(g.text(300));
      return m;
    }
    case 4: return Link{g.any(), g.any(), g.any(), g.pick<LinkOp>(3)};
    case 5: {
      ActorStats m;
      m.actor = g.any(); m.mailbox = g.any(); m.enqueued = g.any(); m.dequeued = g.any();
      m.busy_ns = g.any(); m.restarts = g.any(); m.hist = g.hist();
      return m;
    }
    case 6: {
      Telemetry m;
      m.t_ns = g.any(); m.actor = g.any(); m.event = static_cast<StringId>(g.nonzero() & 0xffff) | 1;
      m.n_measurements = static_cast<uint8_t>(g.rng()() % (kMaxTelemetryFields + 1));
      for (uint8_t i = 0; i < m.n_measurements; ++i)
        m.measurements[i] = {g.u32(), static_cast<double>(g.any()) / 7.0};
      m.n_metadata = static_cast<uint8_t>(g.rng()() % (kMaxTelemetryFields + 1));
      for (uint8_t i = 0; i < m.n_metadata; ++i) m.metadata[i] = {g.u32(), arena.keep(g.text(200))};
      return m;
    }
    case 7: {
      Dropped m;
      for (auto& c : m.counts) c = g.any();
      return m;
    }
    case 8: return SnapshotBegin{g.any(), g.any()};
    case 9: return SnapshotEnd{g.any()};
    case 10: return Heartbeat{g.any(), g.any(), g.any(), g.any(), g.any()};
    case 12: return SupervisorEscalated{g.any(), g.any()};
    case 13: return SupervisorTotals{g.u32(), g.any(), g.any()};
    case 14: return TelemetryTotals{static_cast<StringId>(g.nonzero() & 0xffff) | 1, g.any()};
    case 15: {
      NodeGauges m;
      m.t_ns = g.any();
      m.n = static_cast<uint8_t>(g.rng()() % (kMaxNodeGauges + 1));
      for (uint8_t i = 0; i < m.n; ++i) m.values[i] = {g.u32(), static_cast<double>(g.any()) / 3.0};
      return m;
    }
    case 16: {
      FlowEdges m;
      m.sample_every = static_cast<uint32_t>(g.nonzero() & 0xffff) | 1;
      m.unrecorded = g.any();
      m.n = static_cast<uint16_t>(g.rng()() % (kMaxFlowEdges + 1));
      for (uint16_t i = 0; i < m.n; ++i) m.edges[i] = {g.any(), g.nonzero(), g.u32(), g.nonzero(), g.u32(), g.u32()};
      return m;
    }
    case 17: {
      Handling m;
      m.t_ns = g.any();
      m.n = static_cast<uint8_t>(g.rng()() % (kMaxHandling + 1));
      for (uint8_t i = 0; i < m.n; ++i) m.now[i] = {g.nonzero(), g.u32(), g.any()};
      return m;
    }
    default: {
      TypeTotals m;
      m.type = g.u32(); m.spawned = g.any(); m.exited = g.any(); m.enqueued = g.any();
      m.dequeued = g.any(); m.busy_ns = g.any(); m.hist = g.hist();
      if (g.rng()() % 2) {  // an agent that reports exits per reason (an addition to 1.0)
        m.has_exited_by_reason = true;
        for (auto& c : m.exited_by_reason) c = g.any();
      }
      return m;
    }
  }
}

struct Collect {
  std::vector<AnyRecord> got;
  template <class T>
  void on(const T& m) {
    got.emplace_back(m);
  }
};

TEST(CodecRoundTrip, RandomBatchesDecodeToWhatWasEncoded) {
  MessageGen g(20261121);
  for (int batch = 0; batch < 500; ++batch) {
    Arena arena;
    std::vector<AnyRecord> sent;
    std::vector<uint8_t> buf;
    Writer w(buf);
    int n = static_cast<int>(g.rng()() % 64) + 1;
    for (int i = 0; i < n; ++i) {
      sent.push_back(random_record(g, arena));
      std::visit([&](const auto& m) { encode(w, m); }, sent.back());
    }
    Collect c;
    DecodeResult res = decode_records(buf.data(), buf.size(), c);
    ASSERT_TRUE(res.ok) << res.error;
    ASSERT_EQ(res.records, sent.size());
    ASSERT_EQ(c.got, sent) << "batch " << batch;
  }
}

// Stats decoded into a handler's own slot, which still holds an earlier record's values (as
// a reused queue slot does): every field is the new record's, none is left from before.
struct StatsInSlot {
  ActorStats slot;
  std::vector<ActorStats> got;
  ActorStats& stats_slot() { return slot; }
  void on_stats_slot() { got.push_back(slot); }
  template <class T>
  void on(const T&) {}
};

TEST(CodecRoundTrip, StatsDecodedIntoAReusedSlotAreWhatWasEncoded) {
  MessageGen g(20261203);
  for (int round = 0; round < 200; ++round) {
    std::vector<ActorStats> sent;
    std::vector<uint8_t> buf;
    Writer w(buf);
    for (int i = 0; i < 8; ++i) {
      ActorStats m;
      m.actor = g.any(); m.mailbox = g.any(); m.enqueued = g.any(); m.dequeued = g.any();
      m.busy_ns = g.any(); m.restarts = g.any(); m.hist = g.hist();
      if (i % 2) m = ActorStats{};  // zeros after values: a field left over would show
      sent.push_back(m);
      encode(w, m);
    }
    StatsInSlot h;
    for (auto& c : h.slot.hist) c = ~0ull;
    h.slot.actor = h.slot.mailbox = h.slot.enqueued = h.slot.dequeued = h.slot.busy_ns = h.slot.restarts = ~0ull;
    DecodeResult res = decode_records(buf.data(), buf.size(), h);
    ASSERT_TRUE(res.ok) << res.error;
    ASSERT_EQ(res.records, sent.size());
    ASSERT_EQ(h.got, sent) << "round " << round;
  }
}

TEST(CodecRoundTrip, LongTelemetryBodyUsesAWiderLengthField) {
  Arena arena;
  Telemetry m;
  m.event = 3;
  m.n_metadata = kMaxTelemetryFields;
  for (auto& md : m.metadata) md = {4, arena.keep(std::string(kMaxStringLen, 'x'))};
  std::vector<uint8_t> buf;
  Writer w(buf);
  encode(w, m);
  ASSERT_GT(buf.size(), 16384u);
  Collect c;
  auto res = decode_records(buf.data(), buf.size(), c);
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(std::get<Telemetry>(c.got[0]), m);
}

// What a 1.0 collector sees of a newer agent's snapshot: the totals records are skipped and
// TypeTotals decodes to its 1.0 fields, its trailing exits per reason ignored.
struct OneZeroHandler {
  std::vector<TypeTotals> totals;
  size_t others = 0;
  void on(const TypeTotals& m) { totals.push_back(m); }
  void on(const StringDef&) { ++others; }
  void on(const ActorSpawned&) { ++others; }
  void on(const ActorExited&) { ++others; }
  void on(const ChildRestarted&) { ++others; }
  void on(const Link&) { ++others; }
  void on(const ActorStats&) { ++others; }
  void on(const Telemetry&) { ++others; }
  void on(const Dropped&) { ++others; }
  void on(const SnapshotBegin&) { ++others; }
  void on(const SnapshotEnd&) { ++others; }
  void on(const Heartbeat&) { ++others; }
};

TEST(CodecRoundTrip, SnapshotTotalsAreSkippedByADecoderThatDoesNotKnowThem) {
  std::vector<uint8_t> buf;
  Writer w(buf);
  encode(w, SnapshotBegin{1, 0});
  TypeTotals tt;
  tt.type = 2; tt.spawned = 9; tt.exited = 5;
  tt.has_exited_by_reason = true;
  tt.exited_by_reason[static_cast<size_t>(ExitReason::Error)] = 3;
  tt.exited_by_reason[static_cast<size_t>(ExitReason::Shutdown)] = 2;
  encode(w, tt);
  encode(w, SupervisorTotals{3, 88, 2});
  encode(w, TelemetryTotals{4, 1500});
  NodeGauges ng;
  ng.n = 1;
  ng.values[0] = {0, 1234};
  encode(w, ng);
  encode(w, SnapshotEnd{1});
  OneZeroHandler h;
  auto res = decode_records(buf.data(), buf.size(), h);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(h.others, 2u);
  ASSERT_EQ(h.totals.size(), 1u);
  // This decoder knows the trailing field; a 1.0 one stops after hist. Either way the 1.0
  // fields are the same.
  EXPECT_EQ(h.totals[0].spawned, 9u);
  EXPECT_EQ(h.totals[0].exited, 5u);
  EXPECT_EQ(h.totals[0].exited_by_reason, tt.exited_by_reason);
}

TEST(CodecRoundTrip, UnknownRecordTagsAreSkippedByLength) {
  std::vector<uint8_t> buf;
  Writer w(buf);
  encode(w, SnapshotBegin{7, 9});
  w.u8(0x7f);  // a record from a newer minor version
  w.varint(3);
  w.u8(1); w.u8(2); w.u8(3);
  encode(w, SnapshotEnd{7});
  Collect c;
  auto res = decode_records(buf.data(), buf.size(), c);
  ASSERT_TRUE(res.ok);
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_EQ(std::get<SnapshotEnd>(c.got[1]).snapshot, 7u);
}

TEST(CodecRoundTrip, TrailingFieldsFromANewerMinorAreIgnored) {
  std::vector<uint8_t> body;
  Writer bw(body);
  bw.varint(42);     // snapshot
  bw.varint(1000);   // a field this version does not know
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.u8(static_cast<uint8_t>(RecordType::SnapshotEnd));
  w.varint(body.size());
  w.bytes(body.data(), body.size());
  Collect c;
  ASSERT_TRUE(decode_records(buf.data(), buf.size(), c).ok);
  EXPECT_EQ(std::get<SnapshotEnd>(c.got.at(0)).snapshot, 42u);
}

TEST(CodecRoundTrip, MalformedRecordsAreRejectedWithAReason) {
  struct Case {
    const char* what;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {"length past the end", {0x02, 0x20, 0x01}},
      {"truncated varint in body", {0x03, 0x02, 0x05, 0x80}},
      {"bad enum", {0x05, 0x04, 0x01, 0x02, 0x03, 0x09}},
      {"actor id 0", {0x02, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {"string id 0", {0x01, 0x02, 0x00, 0x00}},
      {"varint too long", {0x09, 0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
      {"too many measurements", {0x07, 0x04, 0x00, 0x00, 0x01, 0x11}},
      {"histogram mask too wide", {0x06, 0x08, 1, 0, 0, 0, 0, 0, 0x80, 0x08}},
      {"too many node gauges", {0x10, 0x02, 0x00, 0x41}},
      {"node gauge value cut short", {0x10, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00}},
  };
  for (const auto& c : cases) {
    Collect sink;
    auto res = decode_records(c.bytes.data(), c.bytes.size(), sink);
    EXPECT_FALSE(res.ok) << c.what;
    EXPECT_NE(res.error, nullptr) << c.what;
  }
}

// A record's varints may be read looking ahead into the rest of the batch: what a record
// decodes to, and how a malformed one fails, must not depend on what follows it.
TEST(CodecRoundTrip, ARecordDecodesAloneAsItDoesWithBytesBehindIt) {
  const std::vector<uint8_t> ten_ff(10, 0xff);
  struct Case {
    const char* what;
    std::vector<uint8_t> bytes;
    const char* error;  // null: decodes
  };
  std::vector<Case> cases = {
      // Stats (0x06): actor, mailbox, enqueued, dequeued, busy, restarts, mask, buckets.
      {"stats, multi-byte fields at the end", {0x06, 0x0c, 0x81, 0x01, 0, 0, 0, 0xc0, 0x84, 0x3d, 0, 0x01, 0xc8, 0x01}, nullptr},
      {"stats, the largest value last", {0x06, 0x11, 1, 0, 0, 0, 0, 0, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, nullptr},
      {"stats, last varint runs past the record", {0x06, 0x09, 1, 0, 0, 0, 0, 0, 0x01, 0xc8, 0x81}, "truncated varint"},
      {"stats, busy time runs past the record", {0x06, 0x06, 1, 0, 0, 0, 0xc0, 0x84}, "truncated varint"},
      {"stats, varint overflows 64 bits", {0x06, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0}, "varint overflows 64 bits"},
      {"stats, varint longer than 10 bytes", {0x06, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0}, "varint longer than 10 bytes"},
      {"spawn, id runs past the record", {0x02, 0x03, 0x00, 0xff, 0xff}, "truncated varint"},
  };
  for (const auto& c : cases) {
    Collect alone;
    const DecodeResult a = decode_records(c.bytes.data(), c.bytes.size(), alone);
    // The same record, then bytes that read as continuations (0xff), inside a record of an
    // unknown tag that a decoder skips.
    std::vector<uint8_t> more = c.bytes;
    more.push_back(0x7e);
    more.push_back(static_cast<uint8_t>(ten_ff.size()));
    more.insert(more.end(), ten_ff.begin(), ten_ff.end());
    Collect behind;
    const DecodeResult b = decode_records(more.data(), more.size(), behind);
    EXPECT_EQ(a.ok, c.error == nullptr) << c.what;
    EXPECT_STREQ(a.error ? a.error : "", c.error ? c.error : "") << c.what;
    EXPECT_EQ(a.ok, b.ok) << c.what;
    EXPECT_EQ(a.records, b.records) << c.what;
    EXPECT_STREQ(a.error ? a.error : "", b.error ? b.error : "") << c.what;
    EXPECT_EQ(alone.got, behind.got) << c.what;
  }
  // And each read as its own reader does, with the record's end inside the buffer.
  const uint8_t buf[] = {0x80, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  Reader whole(buf, sizeof buf);
  Reader two = whole.sub(2);
  EXPECT_EQ(two.varint(), 0u);
  EXPECT_FALSE(two.ok());
  EXPECT_STREQ(two.error(), "truncated varint");
  Reader three(buf, sizeof buf);
  Reader r3 = three.sub(3);
  EXPECT_EQ(r3.varint(), 1u << 14);
  EXPECT_TRUE(r3.ok());
  EXPECT_TRUE(r3.empty());
}

// The fast stats decoder (no bounds check per field) takes exactly the records the checked
// one takes, to the same values, and ends where it ends: random bodies (valid encodings with
// bytes changed, cut or grown, and random bytes) with the longest fields' bytes behind them.
TEST(CodecRoundTrip, TheFastStatsDecoderAcceptsExactlyWhatTheCheckedOneDoes) {
  MessageGen g(20261203);
  auto& rng = g.rng();
  size_t taken = 0, refused = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<uint8_t> body;
    if (i % 4 == 3) {
      body.resize(rng() % 40);
      for (auto& b : body) b = static_cast<uint8_t>(rng());
    } else {
      ActorStats m;
      m.actor = g.any(); m.mailbox = g.any(); m.enqueued = g.any(); m.dequeued = g.any();
      m.busy_ns = g.any(); m.restarts = g.any();
      for (auto& h : m.hist) h = rng() % 3 ? 0 : g.any();
      std::vector<uint8_t> rec;
      Writer w(rec);
      encode(w, m);
      body.assign(rec.begin() + 3, rec.end());  // tag and two length bytes
      switch (rng() % 4) {
        case 0: break;
        case 1: body[rng() % body.size()] = static_cast<uint8_t>(rng()); break;
        case 2: body.resize(rng() % body.size()); break;
        case 3: body.push_back(static_cast<uint8_t>(rng())); break;
      }
    }
    // The record as an encoder writes it (two length bytes) or with one, then bytes behind.
    std::vector<uint8_t> rec = {static_cast<uint8_t>(RecordType::ActorStats)};
    if (body.size() < 0x80 && rng() % 2) {
      rec.push_back(static_cast<uint8_t>(body.size()));
    } else {
      rec.push_back(static_cast<uint8_t>((body.size() & 0x7f) | 0x80));
      rec.push_back(static_cast<uint8_t>(body.size() >> 7));
    }
    const size_t at = rec.size();
    rec.insert(rec.end(), body.begin(), body.end());
    const size_t end = rec.size();
    for (size_t k = 0; k < detail::kStatsFieldsMaxBytes + 3; ++k) rec.push_back(static_cast<uint8_t>(rng() | 0x80));

    Reader checked(rec.data() + at, end - at);
    ActorStats want;
    const bool ok = decode_body(checked, want);
    ActorStats got;
    const uint8_t* next = decode_stats_at(rec.data(), rec.data() + rec.size(), got);
    ASSERT_EQ(next != nullptr, ok) << "case " << i;
    if (ok) {
      EXPECT_EQ(got, want) << "case " << i;
      EXPECT_EQ(next, rec.data() + end) << "case " << i;
      ++taken;
    } else {
      ++refused;
    }
  }
  // Both kinds were seen often.
  EXPECT_GT(taken, 50000u);
  EXPECT_GT(refused, 50000u);
}

// A handler that takes runs of stats records sees the same records, and the same error, as
// one that takes each from the checked decoder.
struct RunTaker : Collect {
  ActorStats slot;
  const uint8_t* on_stats_run(const uint8_t* q, const uint8_t* stop, DecodeResult& res) {
    while (const uint8_t* next = decode_stats_at(q, stop, slot)) {
      got.push_back(slot);
      ++res.records;
      q = next;
    }
    return q;
  }
};

TEST(CodecRoundTrip, RunsOfStatsDecodeAsRecordsOneByOneDo) {
  MessageGen g(7);
  Arena arena;
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> buf;
    Writer w(buf);
    const int n = 1 + static_cast<int>(g.rng()() % 60);
    for (int i = 0; i < n; ++i) {
      if (g.rng()() % 4 == 0) {
        std::visit([&w](const auto& m) { encode(w, m); }, random_record(g, arena));
      } else {
        ActorStats m;
        m.actor = g.nonzero(); m.enqueued = g.any(); m.busy_ns = g.any();
        m.hist[g.rng()() % kHistogramBuckets] = g.any();
        encode(w, m);
      }
    }
    if (round % 3 == 0 && !buf.empty()) buf[g.rng()() % buf.size()] ^= static_cast<uint8_t>(1 + g.rng()() % 255);
    Collect one;
    RunTaker runs;
    const DecodeResult a = decode_records(buf.data(), buf.size(), one);
    const DecodeResult b = decode_records(buf.data(), buf.size(), runs);
    ASSERT_EQ(a.ok, b.ok) << "round " << round;
    EXPECT_EQ(a.records, b.records) << "round " << round;
    EXPECT_STREQ(a.error ? a.error : "", b.error ? b.error : "") << "round " << round;
    EXPECT_EQ(one.got, runs.got) << "round " << round;
  }
}

struct Stopper {
  int seen = 0;
  bool on(const SnapshotBegin&) { return ++seen < 2; }
  template <class T>
  void on(const T&) {}
};

TEST(CodecRoundTrip, HandlerCanStopDecoding) {
  Stopper h;
  std::vector<uint8_t> buf;
  Writer w(buf);
  for (int i = 0; i < 5; ++i) encode(w, SnapshotBegin{1, 1});
  auto res = decode_records(buf.data(), buf.size(), h);
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(h.seen, 2);
}

TEST(Histogram, BucketsFollowTheWireBounds) {
  EXPECT_EQ(histogram_bucket(0), 0u);
  EXPECT_EQ(histogram_bucket(10'000), 0u);
  EXPECT_EQ(histogram_bucket(10'001), 1u);
  EXPECT_EQ(histogram_bucket(1'000'000), 4u);
  EXPECT_EQ(histogram_bucket(5'000'000'000), 8u);
  EXPECT_EQ(histogram_bucket(5'000'000'001), 9u);
}

}  // namespace
}  // namespace actorscope::proto
