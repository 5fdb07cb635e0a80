// Unit tests of the model's global bounds: the string pool's cap.
#include <gtest/gtest.h>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;

TEST(StringPool, PastItsCapNewStringsReadOtherAndAreCounted) {
  StringPool p;
  p.set_limits(4, 0);  // "" plus three
  Str a = p.intern("a");
  Str b = p.intern("b");
  Str c = p.intern("c");
  EXPECT_EQ(p.dropped(), 0u);
  Str d = p.intern("d");
  EXPECT_EQ(p.text(d), "other");
  EXPECT_EQ(p.intern("e"), d);
  EXPECT_EQ(p.dropped(), 2u);
  EXPECT_EQ(p.intern("a"), a) << "strings kept before the cap still resolve";
  EXPECT_EQ(p.text(b), "b");
  EXPECT_EQ(p.text(c), "c");
  EXPECT_EQ(p.size(), 4u) << "the placeholder is reserved, not taken from the cap";
}

TEST(StringPool, TheByteCapHoldsToo) {
  StringPool p;
  p.set_limits(0, 1000);
  std::string big(600, 'x');
  EXPECT_EQ(p.text(p.intern(big)), big);
  EXPECT_EQ(p.text(p.intern(std::string(600, 'y'))), "other");
  EXPECT_EQ(p.dropped(), 1u);
  EXPECT_LE(p.memory_bytes(), 1000u);
}

TEST(Model, StringsPastThePoolCapFoldIntoOtherAndAreExported) {
  ModelSettings st;
  st.max_strings = 8;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (int i = 0; i < 20; ++i) s.spawn(static_cast<uint64_t>(i + 1), 0, "type_" + std::to_string(i));
  ASSERT_TRUE(s.apply(m, n).ok);
  ModelStats ms = m.stats();
  EXPECT_LE(ms.strings, 9u);
  EXPECT_GT(ms.strings_dropped, 0u);
  EXPECT_EQ(m.text(m.actor(n, 20)->type), "other");
  EXPECT_EQ(m.text(m.actor(n, 1)->type), "type_0");
  EXPECT_EQ(ms.anomalies[static_cast<size_t>(Anomaly::UnknownString)], 0u)
      << "a dropped string is defined: records that use it are not anomalies";
  std::string text = to_text(render_model(m, ExporterSettings{}));
  EXPECT_NE(text.find("actorscope_collector_strings_dropped_total " + std::to_string(ms.strings_dropped) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("actor_type=\"other\""), std::string::npos);
}

// A peer whose actors all qualify for a warning fills the table up to max_warnings and no
// further; the refusals are counted and exported, and the warnings kept are the first due.
TEST(Model, WarningsPastTheCapAreRefusedCountedAndExported) {
  ModelSettings st;
  st.max_warnings = 5;
  st.stuck_after_ns = 1'000'000'000;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (uint64_t id = 1; id <= 50; ++id) s.spawn(id, 0, "worker");
  for (uint64_t id = 1; id <= 50; ++id) s.stats(id, 10 + id, 10 + id, 0);  // waiting, nothing processed
  ASSERT_TRUE(s.apply(m, n).ok);
  m.tick(1);
  m.tick(3'000'000'000);
  EXPECT_EQ(m.warnings().size(), 5u);
  EXPECT_EQ(m.stats().warnings_active, 5u);
  const uint64_t refused = m.stats().warnings_over_cap;
  EXPECT_EQ(refused, 45u) << "each of the other 45 stuck actors, once";
  std::string text = to_text(render_model(m, ExporterSettings{}));
  EXPECT_NE(text.find("actorscope_collector_warnings_refused_total " + std::to_string(refused) + "\n"), std::string::npos)
      << text;
  m.tick(4'000'000'000);  // nothing changed: no actor is looked at again, nothing more refused
  EXPECT_EQ(m.stats().warnings_over_cap, refused);
  EXPECT_EQ(m.warnings().size(), 5u);
}

// Reason texts sent inline live in their event and go with it: thousands of distinct crash
// reasons leave the string pool as it was, the event log holds at most its capacity of them,
// and each is cleaned like any peer text (cut to max_text_bytes, invalid UTF-8 replaced).
TEST(Model, InlineReasonTextsStayInTheirEventsNotInTheStringPool) {
  ModelSettings st;
  st.event_log_capacity = 200;
  st.max_text_bytes = 64;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "root", proto::ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(2, 1, "worker", "", proto::ActorKind::Worker, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  size_t strings_before = m.stats().strings;
  for (uint64_t i = 0; i < 3000; ++i) {
    std::string reason = "{badmatch,{error," + std::to_string(i) + "}}";
    s.spawn(100 + i, 1, "worker", "", proto::ActorKind::Worker, "w");
    s.exit_inline(100 + i, proto::ExitReason::Error, reason);
    s.restart(1, "w", 100 + i, 0, proto::ExitReason::Error, reason);
  }
  s.spawn(9000, 1, "worker", "", proto::ActorKind::Worker, "w");
  s.exit_inline(9000, proto::ExitReason::Error, "\xff" + std::string(100, 'x'));
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.stats().strings, strings_before);
  EventQuery q;
  q.before_seq = UINT64_MAX;
  q.limit = 1000;
  auto evs = m.events(q);
  ASSERT_FALSE(evs.empty());
  EXPECT_LE(evs.size(), 200u);
  // Newest first: the invalid byte replaced by U+FFFD, the text cut to 64 bytes.
  EXPECT_EQ(evs[0]->kind, EventKind::Crash);
  EXPECT_EQ(evs[0]->detail, "\xef\xbf\xbd" + std::string(61, 'x'));
  bool checked = false;
  for (const Event* e : evs) {
    if (e->kind != EventKind::Crash || e->actor == 9000) continue;
    EXPECT_EQ(e->detail, "{badmatch,{error," + std::to_string(e->actor - 100) + "}}");
    EXPECT_EQ(e->text, 0u);
    checked = true;
  }
  EXPECT_TRUE(checked);
}

// Rows never move once their chunk is full (they live in fixed chunks: a vector grown in place
// moved the whole table within one record's time; only the first chunk, 2 MiB at most, grows
// by moving), and every actor stays found through its index.
TEST(Model, ActorRowsStayInPlaceAsTheTableGrows) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  const uint64_t first_chunk = ActorRows::kChunkRows;
  for (uint64_t i = 1; i <= first_chunk + 1; ++i) s.spawn(i << 40 | 1, 0, "t");
  ASSERT_TRUE(s.apply(m, n).ok);
  const Actor* first = m.actor(n, 1ull << 40 | 1);
  const Actor* second_chunk = m.actor(n, (first_chunk + 1) << 40 | 1);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second_chunk, nullptr);
  const uint64_t actors = 6 * first_chunk;
  for (uint64_t i = first_chunk + 2; i <= actors; ++i) s.spawn(i << 40 | 1, 0, "t");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.actor(n, 1ull << 40 | 1), first);
  EXPECT_EQ(m.actor(n, (first_chunk + 1) << 40 | 1), second_chunk);
  size_t live = 0;
  for (const Actor& a : m.actor_rows(n)) live += a.id != 0;
  EXPECT_EQ(live, actors);
  for (uint64_t i = 1; i <= actors; i += 997) {
    const Actor* a = m.actor(n, i << 40 | 1);
    ASSERT_NE(a, nullptr) << i;
    EXPECT_EQ(a->id, i << 40 | 1);
  }
}

// Row chunks that a model gives back are kept for the next tables (a keyframe's copy, a
// rebuilt instant): a table grown into them, and a copy of it, hold only their own rows.
TEST(Model, ATableGrownIntoRowChunksAnotherModelGaveBackHoldsOnlyItsOwnRows) {
  const uint64_t chunk = ActorRows::kChunkRows;
  {
    Model gone;
    NodeKey n = gone.on_hello(1, testing::hello("gone"));
    Stream s;
    for (uint64_t i = 1; i <= 4 * chunk; ++i) s.spawn(i << 40 | 1, 0, "old");
    for (uint64_t i = 1; i <= 4 * chunk; ++i) s.stats(i << 40 | 1, 7, 9, 2);
    ASSERT_TRUE(s.apply(gone, n).ok);
  }
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  const uint64_t actors = 2 * chunk + 10;  // the last chunk mostly unused
  for (uint64_t i = 1; i <= actors; ++i) s.spawn(i << 40 | 2, 0, "new");
  ASSERT_TRUE(s.apply(m, n).ok);
  std::unique_ptr<Model> copy = m.clone();
  for (const Model* model : std::initializer_list<const Model*>{&m, copy.get()}) {
    size_t live = 0, foreign = 0, sampled = 0;
    for (const Actor& a : model->actor_rows(n)) {
      live += a.id != 0;
      foreign += a.id != 0 && (a.id & 0xff) != 2;
      sampled += a.mailbox != 0 || a.enqueued != 0;
    }
    EXPECT_EQ(live, actors);
    EXPECT_EQ(foreign, 0u);
    EXPECT_EQ(sampled, 0u);
    for (uint64_t i = 1; i <= actors; i += 499) {
      const Actor* a = model->actor(n, i << 40 | 2);
      ASSERT_NE(a, nullptr) << i;
      EXPECT_EQ(a->id, i << 40 | 2);
      EXPECT_EQ(model->actor(n, i << 40 | 1), nullptr) << i;
    }
  }
}

// Fine telemetry buckets are bounded per measurement and per node; a measurement that would
// pass either loses all of them (never a partial set, which would misstate percentiles),
// keeps its log2 buckets and its exact count, and the drop is counted.
TEST(Model, FineTelemetryBucketsStayWithinTheirBudgets) {
  ModelSettings st;
  st.max_telemetry_buckets_per_measurement = 40;
  st.max_telemetry_buckets_per_node = 60;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  m.apply(n, proto::StringDef{1, "db.query"});
  m.apply(n, proto::StringDef{2, "duration"});
  m.apply(n, proto::StringDef{3, "rows"});
  auto send = [&](proto::StringId key, double v) {
    proto::Telemetry t;
    t.event = 1;
    t.n_measurements = 1;
    t.measurements[0] = {key, v};
    m.apply(n, t);
  };
  // 30 values, each its own fine bucket (spaced by more than 1/32): within both budgets.
  for (int i = 0; i < 30; ++i) send(2, std::ldexp(1.0, i / 4) * (1.0 + 0.2 * (i % 4)));
  auto measurement = [&](std::string_view key) -> const MeasurementStats* {
    for (const auto& t : m.telemetry(n))
      for (const auto& ms : t.measurements)
        if (m.text(ms.key) == key) return &ms;
    return nullptr;
  };
  const MeasurementStats* d = measurement("duration");
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->fine_dropped);
  uint64_t in_fine = 0;
  for (const auto& b : d->fine) in_fine += b.count;
  EXPECT_EQ(in_fine, 30u) << "every value is in the fine buckets";
  EXPECT_EQ(d->fine.size(), 30u);
  for (size_t i = 1; i < d->fine.size(); ++i) EXPECT_LT(d->fine[i - 1].index, d->fine[i].index) << "ascending";
  // A second measurement takes the node past its budget of 60 at its 31st bucket.
  for (int i = 0; i < 31; ++i) send(3, 1000.0 + 100.0 * i);
  const MeasurementStats* rows = measurement("rows");
  ASSERT_NE(rows, nullptr);
  EXPECT_TRUE(rows->fine_dropped);
  EXPECT_TRUE(rows->fine.empty());
  EXPECT_EQ(rows->count, 31u) << "the exact count stays";
  uint64_t in_log2 = 0;
  for (uint64_t c : rows->buckets) in_log2 += c;
  EXPECT_EQ(in_log2, 31u) << "the log2 buckets keep every value";
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::TooManyTelemetryBuckets)], 1u);
  // Its budget is given back: "duration" grows to its own cap of 40, then drops too.
  d = measurement("duration");
  for (int i = 0; i < 10; ++i) send(2, 1e6 * (1 + i));
  EXPECT_FALSE(measurement("duration")->fine_dropped) << "40 buckets: at its cap, not past it";
  send(2, 1e9);
  EXPECT_TRUE(measurement("duration")->fine_dropped);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::TooManyTelemetryBuckets)], 2u);
  send(2, 5.0);  // no anomaly per value once dropped
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::TooManyTelemetryBuckets)], 2u);
  std::string text = to_text(render_model(m, ExporterSettings{}));
  EXPECT_NE(text.find("actorscope_collector_model_anomalies_total{kind=\"too_many_telemetry_buckets\"} 2\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace actorscope::collector
