// The model's time axis: the state rebuilt at a past instant equals the state of a second
// model fed the same inputs only up to that instant (every actor, supervisor budget, event,
// warning, series point), for random input streams; and the history keeps its bounds.
#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <sstream>

#include "actorscope/collector/history.hpp"
#include "history_inputs.hpp"

namespace actorscope::collector {
namespace {

using testing::Input;
using testing::Stream;
using testing::describe;
using testing::feed;
using testing::random_inputs;
using testing::same_state;
using testing::small_settings;

// A history that keeps everything and takes a keyframe once min_segment_bytes of stream came.
HistorySettings keep_all(uint64_t min_segment_bytes) {
  HistorySettings hs;
  hs.min_segment_bytes = min_segment_bytes;
  hs.stream_per_keyframe = 0;
  hs.max_bytes = 1ull << 40;
  hs.max_age_ns = 1ull << 60;
  return hs;
}

// One node of a live model at 1 s, recorded by `history` from its hello on (the first keyframe:
// no actors); `s` is for what the test sends it next.
struct RecordedNode {
  Model live{small_settings()};
  NodeKey n = 0;
  Stream s;
  RecordedNode(History& history, const char* name) {
    live.set_now(1'000'000'000);
    n = live.on_hello(1, testing::hello(name));
    live.set_history(&history);
  }
  // Workers 1..count spawned, applied `per_batch` at a time; false when a batch does not apply.
  bool spawn_workers(uint64_t count, uint64_t per_batch) {
    for (uint64_t id = 1; id <= count; ++id) {
      s.spawn(id, 0, "w");
      if ((id % per_batch == 0 || id == count) && !s.apply(live, n).ok) return false;
    }
    return true;
  }
  // `steps` steps 10 ms apart after `t`, each a batch of stats of actors 1..last (every
  // stride-th; mailbox step % depth), the live model ticking at each when `tick`. Returns the
  // last step's instant, 0 when a batch does not apply.
  uint64_t stats_steps(uint64_t t, int steps, uint64_t last, uint64_t stride, uint64_t depth, bool tick) {
    for (int i = 0; i < steps; ++i) {
      t += 10'000'000;
      live.set_now(t);
      const auto step = static_cast<uint64_t>(i);
      for (uint64_t id = 1; id <= last; id += stride) s.stats(id, step % depth, 1000 + step, 990 + step);
      if (!s.apply(live, n).ok) return 0;
      if (tick) live.tick(t);
    }
    return t;
  }
};

// Each instant the history rebuilds equals a second model fed the inputs only up to it.
void expect_rebuilt_as_fed(const History& history, const std::vector<Input>& inputs, const std::vector<uint64_t>& instants) {
  for (uint64_t t : instants) {
    SCOPED_TRACE("instant " + std::to_string(t));
    Model reference(small_settings());
    std::map<int, NodeKey> ref_keys;
    feed(reference, inputs, ref_keys, t);
    std::unique_ptr<Model> rebuilt = history.at(t);
    ASSERT_NE(rebuilt, nullptr);
    ASSERT_TRUE(same_state(describe(reference), describe(*rebuilt)));
  }
}

TEST(History, TheStateRebuiltAtARandomInstantEqualsAModelFedOnlyUpToIt) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Input> inputs = random_inputs(seed, 1500);
    HistorySettings hs = keep_all(2048);  // many keyframes: instants fall in every segment
    History history(hs);
    Model live(small_settings());
    live.set_history(&history);
    std::map<int, NodeKey> keys;
    feed(live, inputs, keys);
    ASSERT_GT(history.stats().keyframes_taken, 5u);
    ASSERT_EQ(history.stats().evicted_segments, 0u);
    // Each keyframe sealed the stream before it: held compressed, rebuilt from that below.
    ASSERT_LT(history.stats().stream_bytes, history.stats().stream_raw_bytes);
    std::mt19937_64 rng(seed);
    const uint64_t first = inputs.front().at, last = inputs.back().at;
    std::vector<uint64_t> instants = {first, last};
    for (int i = 0; i < 10; ++i) instants.push_back(first + rng() % (last - first + 1));
    for (int i = 0; i < 4; ++i) instants.push_back(inputs[rng() % inputs.size()].at);  // exactly at an input
    expect_rebuilt_as_fed(history, inputs, instants);
    if (::testing::Test::HasFatalFailure()) return;
    // The live model is the rebuilt newest instant too.
    ASSERT_TRUE(same_state(describe(live), describe(*history.at(last))));
  }
}

// A viewer stepping forward: the instant rebuilt on from the one shown before (only the inputs
// after it applied, the sealed chunks before them passed by) equals a model fed the inputs up
// to it; a step back, or one across a keyframe, is rebuilt from the keyframe.
TEST(History, AnInstantRebuiltOnFromTheOneShownBeforeIsTheModelFedUpToIt) {
  size_t went_on = 0, from_keyframe = 0, chunks_passed = 0;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Input> inputs = random_inputs(seed, 12000);
    HistorySettings hs = keep_all(600 << 10);  // segments of several chunks
    hs.chunk_bytes = 64 << 10;
    History history(hs);
    Model live(small_settings());
    live.set_history(&history);
    std::map<int, NodeKey> keys;
    feed(live, inputs, keys);
    std::mt19937_64 rng(seed);
    const uint64_t first = inputs.front().at, last = inputs.back().at;
    uint64_t shown_at = first + rng() % (last - first + 1);
    std::shared_ptr<const Model> shown = history.at(shown_at);
    ASSERT_NE(shown, nullptr);
    for (int step = 0; step < 16; ++step) {
      uint64_t next = step % 5 == 4 ? first + rng() % (last - first + 1)  // anywhere, often back
                                    : std::min(last, shown_at + rng() % ((last - first) / 6 + 1));
      if (step % 3 == 1) next = std::lower_bound(inputs.begin(), inputs.end(), next, [](const Input& in, uint64_t t) {
                                  return in.at < t;
                                })->at;  // exactly at an input
      SCOPED_TRACE("from " + std::to_string(shown_at) + " to " + std::to_string(next));
      const RebuildPlan whole = history.plan(next);
      const RebuildPlan on = history.plan(next, shown, shown_at);
      ASSERT_TRUE(on.ok);
      if (next < shown_at || shown_at < whole.keyframe_at) {
        EXPECT_EQ(on.base, nullptr);
        ++from_keyframe;
      } else {
        ASSERT_EQ(on.base, shown);
        EXPECT_EQ(on.base_at, shown_at);
        EXPECT_LE(on.chunks.size(), whole.chunks.size());
        chunks_passed += whole.chunks.size() - on.chunks.size();
        ++went_on;
      }
      std::shared_ptr<const Model> rebuilt = History::rebuild(on);
      ASSERT_NE(rebuilt, nullptr);
      Model reference(small_settings());
      std::map<int, NodeKey> ref_keys;
      feed(reference, inputs, ref_keys, next);
      ASSERT_TRUE(same_state(describe(reference), describe(*rebuilt)));
      shown = std::move(rebuilt);
      shown_at = next;
    }
  }
  EXPECT_GT(went_on, 20u);
  EXPECT_GT(from_keyframe, 4u);
  EXPECT_GT(chunks_passed, 0u) << "no step passed a chunk by: the segments hold one chunk each";
}

// A keyframe copied in parts, while the model goes on, is the model as it was when the copy
// began: the reference is a whole copy taken at that instant. One row or index shard per input, so that
// most rows are written (or their node starts anew, or is forgotten) before their turn.
TEST(History, AKeyframeCopiedInPartsIsTheModelAsItWasWhenItBegan) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Input> inputs = random_inputs(seed, 1600);
    Model live(small_settings());
    std::map<int, NodeKey> keys;
    const std::vector<Input> before(inputs.begin(), inputs.begin() + 800);
    feed(live, before, keys);
    const std::string reference = describe(*live.clone());
    live.begin_keyframe();
    ASSERT_TRUE(live.keyframe_in_progress());
    std::unique_ptr<Model> copy;
    size_t inputs_during = 0;
    for (size_t i = 800; i < inputs.size() && !copy; ++i) {
      feed(live, {inputs[i]}, keys);
      ++inputs_during;
      copy = live.continue_keyframe(1);  // a row or an index shard per input
    }
    ASSERT_GT(inputs_during, 30u) << "the copy spanned many inputs";
    if (!copy) copy = live.continue_keyframe(SIZE_MAX);
    ASSERT_NE(copy, nullptr);
    EXPECT_FALSE(live.keyframe_in_progress());
    ASSERT_FALSE(same_state(reference, describe(live))) << "the model changed during the copy";
    EXPECT_TRUE(same_state(reference, describe(*copy->clone())));
  }
}

// A node of three row chunks whose rows are written all over while its keyframe is copied a
// little at a time, and whose actors come and go meanwhile: rows saved aside, chunks made once
// many of their rows were, index shards written before their turn. The keyframe is the model
// as it was, rows and index (every actor found by its id, none that came later).
TEST(History, AKeyframeOfALargeNodeWrittenAllOverIsTheModelAsItWas) {
  constexpr uint64_t kActors = 25'000;  // rows in three chunks
  Model live(small_settings());
  NodeKey n = live.on_hello(1, testing::hello("big"));
  Stream s;
  for (uint64_t id = 1; id <= kActors; ++id) s.spawn(id, 0, "w");
  ASSERT_TRUE(s.apply(live, n).ok);
  for (uint64_t id = 1; id <= kActors; ++id) s.stats(id, id % 7, 10 + id, 10 + id - id % 7);
  ASSERT_TRUE(s.apply(live, n).ok);
  const std::string reference = describe(*live.clone());
  live.begin_keyframe();
  std::mt19937_64 rng(5);
  std::unique_ptr<Model> copy;
  uint64_t next_id = kActors + 1, written = 0;
  for (int input = 0; input < 400 && !copy; ++input) {
    for (int k = 0; k < 100; ++k) {  // samples at random rows, many in the last two chunks
      uint64_t id = 1 + rng() % kActors;
      s.stats(id, 100 + input, 1000 + 100 * input + k, 900 + 100 * input);
      ++written;
    }
    s.spawn(next_id++, 0, "late");
    s.exit(1 + rng() % kActors, proto::ExitReason::Normal);
    ASSERT_TRUE(s.apply(live, n).ok);
    copy = live.continue_keyframe(4096);
  }
  ASSERT_GT(written, 20'000u);
  if (!copy) copy = live.continue_keyframe(SIZE_MAX);
  ASSERT_NE(copy, nullptr);
  std::unique_ptr<Model> clone = copy->clone();
  EXPECT_TRUE(same_state(reference, describe(*clone)));
  for (uint64_t id = 1; id <= kActors; ++id) ASSERT_NE(clone->actor(n, id), nullptr) << id;
  for (uint64_t id = kActors + 1; id < next_id; ++id) ASSERT_EQ(clone->actor(n, id), nullptr) << id;
}

// A node of three row chunks, its actors' rows varied (ids, counts, rates, mailboxes).
NodeKey large_node(Model& live, uint64_t actors, Stream& s) {
  NodeKey n = live.on_hello(1, testing::hello("big"));
  for (uint64_t id = 1; id <= actors; ++id) s.spawn(id, id > 10 ? 1 + id % 10 : 0, id % 3 ? "worker" : "store");
  EXPECT_TRUE(s.apply(live, n).ok);
  for (uint64_t id = 1; id <= actors; ++id) s.stats(id, id % 7, 10 + id, 10 + id - id % 7);
  EXPECT_TRUE(s.apply(live, n).ok);
  return n;
}

// A keyframe with its actor rows and index packed holds much less, shows no rows itself, and
// its copy has every row back, byte for byte, every actor found by its id, and the whole state.
TEST(History, AKeyframeWithItsTablesPackedIsSmallerAndItsCopyHasEveryRowBack) {
  constexpr uint64_t kActors = 25'000;
  Model live(small_settings());
  Stream s;
  const NodeKey n = large_node(live, kActors, s);
  std::unique_ptr<Model> key = live.clone_keyframe();
  const uint64_t unpacked = key->stats().memory_bytes;
  EXPECT_FALSE(key->tables_packed());
  key->pack_tables();
  ASSERT_TRUE(key->tables_packed());
  const uint64_t rows_bytes = live.actor_rows(n).size() * sizeof(Actor);
  EXPECT_LT(key->stats().memory_bytes, unpacked - rows_bytes / 2) << "the rows shrink to less than half";
  EXPECT_EQ(key->actor_rows(n).size(), 0u) << "a packed keyframe's rows are read only by its copy";
  EXPECT_EQ(key->actor(n, 1), nullptr) << "nor its index";
  std::unique_ptr<Model> copy = key->clone();
  EXPECT_FALSE(copy->tables_packed());
  const ActorRows want = live.actor_rows(n), got = copy->actor_rows(n);
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < want.size(); ++r)
    ASSERT_EQ(std::memcmp(&want[static_cast<Row>(r)], &got[static_cast<Row>(r)], sizeof(Actor)), 0) << "row " << r;
  EXPECT_TRUE(same_state(describe(live), describe(*copy)));
  for (uint64_t id = 1; id <= kActors; ++id) {
    const Actor* a = copy->actor(n, id);
    ASSERT_NE(a, nullptr) << id;
    ASSERT_EQ(a->id, id);
  }
  EXPECT_EQ(copy->actor(n, kActors + 1), nullptr);
  std::unique_ptr<Model> again = key->clone();  // the packed rows stay: a keyframe is copied many times
  EXPECT_TRUE(same_state(describe(live), describe(*again)));
}

// The recorder packs each keyframe on its own thread and holds it packed from the first input
// keyframe_pack_wait_ns later; a large model's segments are shorter, as many as the bytes allow.
TEST(History, KeyframesAreHeldPackedAndALargeModelsSegmentsAreShorter) {
  constexpr uint64_t kActors = 25'000;  // about 5 MB of rows
  constexpr uint64_t kSecond = 1'000'000'000;
  for (bool tight : {false, true}) {
    SCOPED_TRACE(tight ? "bytes for few keyframes" : "bytes to spare");
    Model live(small_settings());
    Stream s;
    const NodeKey n = large_node(live, kActors, s);
    HistorySettings hs;
    hs.min_segment_bytes = 1ull << 40;  // keyframes by age only
    hs.max_age_ns = 3600 * kSecond;
    // Tight: room for the first keyframe (held unpacked) and about as much again.
    hs.max_bytes = tight ? 2 * live.clone_keyframe()->stats().memory_bytes : 1ull << 40;
    History history(hs);
    live.set_now(kSecond);
    live.set_history(&history);
    const uint64_t by_age = hs.max_age_ns / hs.segments_per_age;
    const uint64_t raw = history.stats().keyframe_raw_bytes;
    // The span follows keyframe_byte_seconds from the keyframe's size (and the bytes held).
    const double want_n = 3600.0 * static_cast<double>(raw) / 1e6 / hs.keyframe_byte_seconds;
    ASSERT_GT(want_n, 2.0 * hs.segments_per_age) << "the model is large enough for shorter segments";
    if (tight)
      EXPECT_EQ(history.stats().segment_span_ns, by_age) << "no more keyframes than the bytes allow";
    else
      EXPECT_EQ(history.stats().segment_span_ns, static_cast<uint64_t>(3600.0 * kSecond / std::min(want_n, 64.0)));
    uint64_t t = kSecond;
    uint64_t packed_seen = 0;
    std::vector<std::pair<uint64_t, std::string>> shown;  // the live model at some instants
    for (int i = 0; i < 1000; ++i) {
      t += kSecond;
      live.set_now(t);
      s.stats(1 + static_cast<uint64_t>(i) % kActors, 3, 100 + i, 90 + i);
      ASSERT_TRUE(s.apply(live, n).ok);
      live.tick(t);
      if (history.stats().keyframe_bytes < history.stats().keyframe_raw_bytes) ++packed_seen;
      if (i % 61 == 0) shown.emplace_back(t, describe(live));
    }
    const HistoryStats st = history.stats();
    // 1000 s: keyframes at the start and after each span.
    if (tight)
      EXPECT_EQ(st.keyframes_taken, 3u);
    else
      EXPECT_GE(st.keyframes_taken, 4u) << "segments shorter than the age's share";
    EXPECT_EQ(st.evicted_segments, 0u);
    EXPECT_GT(packed_seen, 0u);
    EXPECT_LT(st.keyframe_bytes, st.keyframe_raw_bytes) << "the keyframes after the first are held packed";
    EXPECT_TRUE(same_state(describe(live), describe(*history.at(t))));
    for (const auto& [at, state] : shown) {  // instants in every segment, from packed keyframes
      SCOPED_TRACE("instant " + std::to_string(at));
      std::unique_ptr<Model> rebuilt = history.at(at);
      ASSERT_NE(rebuilt, nullptr);
      EXPECT_TRUE(same_state(state, describe(*rebuilt)));
    }
  }
}

// A keyframe by bytes is due at the stream's size as it is held, compressed: a slow,
// compressible stream whose chunks not yet compressed are past the bound brings none.
TEST(History, KeyframesByBytesCountTheStreamAsItIsHeld) {
  HistorySettings hs = keep_all(128 << 10);
  hs.chunk_bytes = 128 << 10;  // a chunk raw is the bound: counted raw, each would bring a keyframe
  hs.compress_backlog_chunks = 0;  // at most one piece not compressed yet, whatever the threads' timing
  // One level whatever the threads' timing: a compressor found behind would step down to a
  // faster level that packs less (a busy machine did), and this test is about the count.
  hs.stream_fastest_level = hs.stream_level;
  History history(hs);
  RecordedNode r(history, "slow");
  auto& [live, n, s] = r;
  ASSERT_TRUE(r.spawn_workers(100, 100));
  const uint64_t t = r.stats_steps(1'000'000'000, 3000, 100, 1, 5, false);
  ASSERT_NE(t, 0u);
  const HistoryStats st = history.stats();
  ASSERT_GT(st.stream_raw_bytes, 16 * hs.min_segment_bytes) << "the raw stream alone would bring 16 keyframes";
  ASSERT_LT(3 * st.stream_bytes, st.stream_raw_bytes) << "the stream compresses";
  EXPECT_GE(st.keyframes_taken, 2u);
  // One per min_segment_bytes held, give or take the chunks not yet compressed at each.
  EXPECT_LE(st.keyframes_taken, st.stream_bytes / hs.min_segment_bytes + 2);
  EXPECT_TRUE(same_state(describe(live), describe(*history.at(t))));
}

// A segment that ended holds no write buffer: its open chunk is sealed, and the buffer it would
// have written next goes on to the new segment. (Each segment kept a whole chunk_bytes of it,
// not counted, for as long as it lived: a twelfth more heap than the recorder's bytes said.)
TEST(History, SegmentsThatEndedHoldNoWriteBuffer) {
  HistorySettings hs = keep_all(8 << 10);
  hs.chunk_bytes = 64 << 10;
  History history(hs);
  RecordedNode r(history, "buffers");
  auto& [live, n, s] = r;
  ASSERT_TRUE(r.spawn_workers(200, 100));
  const uint64_t t = r.stats_steps(2'000'000'000, 2000, 200, 3, 7, true);
  ASSERT_NE(t, 0u);
  const HistoryStats st = history.stats();
  ASSERT_GE(st.segments, 20u) << "many segments ended";
  ASSERT_GT(st.stream_raw_bytes, 4 * hs.chunk_bytes) << "chunks were sealed by size too";
  // The newest segment's open chunk and one spare, each at most a chunk and an input's header.
  EXPECT_LE(st.buffer_bytes, 2 * (hs.chunk_bytes + 64));
  EXPECT_TRUE(same_state(describe(live), describe(*history.at(t))));
}

// What the flight recorder holds in the heap is what its gauge says: the heap in use with a
// recorder, less the same load's without one, against HistoryStats::bytes. (Its segments'
// write buffers were a third more, counted nowhere, before they went on to the next segment.)
// The allocator's own count (mallinfo2) is the reference, so not under a sanitizer, whose
// allocator keeps its own books. Nodes of fewer actors than a row chunk's eighth: no chunk from
// the shared pool, whose warm chunks would move the count by megabytes either way.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ACTORSCOPE_OWN_ALLOCATOR 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ACTORSCOPE_OWN_ALLOCATOR 0
#endif
#endif
#ifndef ACTORSCOPE_OWN_ALLOCATOR
#define ACTORSCOPE_OWN_ALLOCATOR 1
#endif

int64_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = ::mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
#else
  return -1;
#endif
}

// Heap in use grown while a model (and `history`, when given) took a load of crashes,
// restarts and stats on `nodes` nodes; the model is still alive when it is read.
int64_t heap_grown_by(History* history, int nodes, int actors, int seconds) {
  const int64_t before = heap_in_use();
  auto live = std::make_unique<Model>(small_settings());
  live->set_now(1'000'000'000);
  std::vector<NodeKey> keys;
  for (int i = 0; i < nodes; ++i) keys.push_back(live->on_hello(1 + i, testing::hello("node" + std::to_string(i))));
  if (history) live->set_history(history);
  std::vector<Stream> streams(nodes);
  std::vector<std::vector<uint64_t>> ids(nodes, std::vector<uint64_t>(actors + 1));
  std::mt19937 rng(11);
  for (int i = 0; i < nodes; ++i) {
    streams[i].spawn(1, 0, "sup", "root", proto::ActorKind::Supervisor, "", 1000000, 1000);
    for (int a = 2; a <= actors; ++a) {
      streams[i].spawn(a, 1, "worker" + std::to_string(a % 8), "", proto::ActorKind::Worker, "c" + std::to_string(a));
      ids[i][a] = a;
    }
    EXPECT_TRUE(streams[i].apply(*live, keys[i]).ok);
  }
  uint64_t next_id = actors + 1;
  uint64_t t = 1'000'000'000;
  for (int tick = 0; tick < seconds * 10; ++tick) {
    t += 100'000'000;
    live->set_now(t);
    for (int i = 0; i < nodes; ++i) {
      Stream& s = streams[i];
      for (int k = 0; k < actors / 4; ++k) {
        const uint64_t id = ids[i][2 + rng() % (actors - 1)];
        s.stats(id, rng() % 40, 100 + static_cast<uint64_t>(tick), 99 + static_cast<uint64_t>(tick), 1000);
      }
      for (int k = 0; k < 3; ++k) {
        const int a = 2 + static_cast<int>(rng() % (actors - 1));
        const uint64_t fresh = next_id++;
        s.exit_inline(ids[i][a], proto::ExitReason::Error, "boom " + std::to_string(rng() % 1000));
        s.spawn(fresh, 1, "worker" + std::to_string(a % 8), "", proto::ActorKind::Worker, "c" + std::to_string(a));
        s.restart(1, "c" + std::to_string(a), ids[i][a], fresh, proto::ExitReason::Error, "boom");
        ids[i][a] = fresh;
      }
      EXPECT_TRUE(s.apply(*live, keys[i]).ok);
    }
    live->tick(t);
  }
  return heap_in_use() - before;
}

TEST(History, TheHeapItHoldsIsWhatItsGaugeSays) {
  if (!ACTORSCOPE_OWN_ALLOCATOR || heap_in_use() < 0) GTEST_SKIP() << "no allocator count to read here";
  constexpr int kNodes = 8, kActors = 1000, kSeconds = 120;
  HistorySettings hs = keep_all(64 << 10);  // a keyframe every 64 KiB of stream: many of them
  hs.stream_per_keyframe = 0.05;
  const int64_t without = heap_grown_by(nullptr, kNodes, kActors, kSeconds);
  History history(hs);
  const int64_t with = heap_grown_by(&history, kNodes, kActors, kSeconds);
  const HistoryStats st = history.stats();
  ASSERT_GE(st.segments, 20u);
  // The gauge (actorscope_collector_history_bytes) and what --history-bytes bounds.
  const double counted = static_cast<double>(st.bytes);
  ASSERT_GT(counted, 40e6) << "large beside what is not counted: two write buffers, zstd's contexts and scratch";
  EXPECT_LE(st.buffer_bytes, 2 * (hs.chunk_bytes + 64));
  const double real = static_cast<double>(with - without);
  EXPECT_GT(real, 0.85 * counted) << "real " << real << ", counted " << counted;
  EXPECT_LT(real, 1.15 * counted) << "real " << real << ", counted " << counted;
}

// A keyframe by bytes waits for the stream that the model as it is now is worth, not the
// last keyframe: a collector's first keyframe is of the empty model, and a model being filled
// with its actors takes no copy of itself after the first min_segment_bytes of stream.
TEST(History, AGrowingModelsNextKeyframeWaitsForTheStreamItsTablesAreWorth) {
  HistorySettings hs = keep_all(1 << 10);
  hs.chunk_bytes = 1 << 10;
  hs.stream_per_keyframe = 0.1;
  History history(hs);
  RecordedNode r(history, "growing");  // its first keyframe: no actors
  auto& [live, n, s] = r;
  ASSERT_TRUE(r.spawn_workers(6000, 1000));
  HistoryStats st = history.stats();
  ASSERT_GT(st.stream_bytes, 4 * hs.min_segment_bytes) << "by the first keyframe's size, a keyframe would be due";
  ASSERT_LT(st.stream_bytes, live.table_bytes() / 10) << "by the model's, none is";
  EXPECT_EQ(st.segments, 1u);
  EXPECT_FALSE(st.keyframe_copying);
  // Stats reports until the stream held is worth a tenth of the tables: then the next is begun.
  uint64_t t = 1'000'000'000, rounds = 0;
  auto report = [&] {
    t += 100'000'000;
    live.set_now(t);
    for (uint64_t id = 1; id <= 6000; ++id) s.stats(id, (id + rounds) % 7, 100 + rounds * id % 977, 90 + rounds);
    ++rounds;
    return s.apply(live, n).ok;
  };
  while (!history.stats().keyframe_copying && rounds < 400) ASSERT_TRUE(report());
  st = history.stats();
  ASSERT_TRUE(st.keyframe_copying) << rounds << " rounds";
  EXPECT_GT(rounds, 1u);
  EXPECT_GE(st.stream_bytes + 2 * hs.chunk_bytes, live.table_bytes() / 10) << rounds << " rounds";
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(report());  // its copy and packing done
  EXPECT_EQ(history.stats().segments, 2u);
  EXPECT_TRUE(same_state(describe(live), describe(*history.at(t))));
}

// A stream faster than the compressor: the pieces sealed meanwhile wait in a queue and go one
// zstd level faster while it is behind; only past the backlog does the ingest wait for it
// (counted). Every piece is compressed, and the last instant rebuilds as the live model is.
TEST(History, AStreamFasterThanTheCompressorIsQueuedAndGoesFasterAndStillRebuilds) {
  for (const int fastest : {19, -7}) {
    SCOPED_TRACE("fastest level " + std::to_string(fastest));
    HistorySettings hs = keep_all(1ull << 40);  // one segment: every piece stays
    hs.chunk_bytes = 16 << 10;
    hs.stream_level = 19;  // a slow compressor: a piece takes it milliseconds
    hs.stream_fastest_level = fastest;
    hs.compress_backlog_chunks = 2;
    History history(hs);
    RecordedNode r(history, "fast");
    auto& [live, n, s] = r;
    ASSERT_TRUE(r.spawn_workers(2000, 2000));
    uint64_t t = 1'000'000'000;
    int lowest = hs.stream_level;
    for (uint64_t round = 0; round < 60; ++round) {
      t += 1'000'000;
      live.set_now(t);
      for (uint64_t id = 1; id <= 2000; ++id) s.stats(id, (id + round) % 5, 10 + round * id % 997, round);
      ASSERT_TRUE(s.apply(live, n).ok);
      lowest = std::min(lowest, history.stats().stream_level);
    }
    const HistoryStats st = history.stats();
    ASSERT_GT(st.stream_raw_bytes, 40 * hs.chunk_bytes);
    EXPECT_GT(st.compressor_behind, 0u);
    if (fastest == 19) {
      EXPECT_GT(st.compressor_stalls, 0u) << "the backlog of two is passed";
      EXPECT_EQ(lowest, 19);
    } else {
      EXPECT_LT(lowest, 19) << "faster while behind";
    }
    // Rebuilt from the one keyframe through every piece, raw and compressed alike.
    EXPECT_TRUE(same_state(describe(live), describe(*history.at(t))));
  }
}

// The flight recorder with keyframes copied a few rows after each input: every instant,
// including those while a keyframe is being copied, is rebuilt as a model fed up to it.
TEST(History, InstantsWhileAKeyframeIsCopiedAreRebuiltFromTheSegmentBefore) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Input> inputs = random_inputs(seed, 1500);
    HistorySettings hs = keep_all(2048);
    hs.keyframe_copy_bytes_per_input = 3 * sizeof(Actor);
    History history(hs);
    Model live(small_settings());
    live.set_history(&history);
    std::map<int, NodeKey> keys;
    std::vector<uint64_t> while_copying;
    for (const Input& in : inputs) {
      feed(live, {in}, keys);
      if (history.stats().keyframe_copying) while_copying.push_back(in.at);
    }
    ASSERT_GT(history.stats().keyframes_taken, 3u);
    ASSERT_GT(while_copying.size(), 20u);
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> instants = {inputs.back().at};
    for (int i = 0; i < 10; ++i) instants.push_back(while_copying[rng() % while_copying.size()]);
    expect_rebuilt_as_fed(history, inputs, instants);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// A rebuilt model goes on like the live one: more inputs give the same state.
TEST(History, ARebuiltModelIsAModelOfItsOwn) {
  const std::vector<Input> inputs = random_inputs(77, 800);
  History history;
  Model live(small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  feed(live, inputs, keys);
  std::unique_ptr<Model> copy = live.clone();
  EXPECT_EQ(copy->history(), nullptr) << "a copy does not record into the original's history";
  const uint64_t recorded = history.stats().recorded_entries;
  Stream more;
  more.spawn(999'999, 0, "late", "late-one");
  auto bytes = more.take();
  copy->apply_batch(keys[0], bytes.data(), bytes.size());
  EXPECT_EQ(history.stats().recorded_entries, recorded);
  EXPECT_NE(copy->actor(keys[0], 999'999), nullptr);
  EXPECT_EQ(live.actor(keys[0], 999'999), nullptr) << "the original is untouched by its copy";
  EXPECT_TRUE(same_state(describe(live), describe(*history.at(inputs.back().at))));
}

// A keyframe holds its event log frozen (compressed): several times smaller, and a copy of
// it has every event back, field by field (describe() writes every event out).
TEST(History, AKeyframeHoldsItsEventsFrozenAndACopyHasThemAllBack) {
  const std::vector<Input> inputs = random_inputs(31, 3000);
  Model live(small_settings());
  std::map<int, NodeKey> keys;
  feed(live, inputs, keys);
  // Telemetry events with values of every sign, and texts, so that every field is written.
  Stream more;
  for (int i = 0; i < 40; ++i) {
    proto::Telemetry t;
    t.event = more.str("db.query");
    t.n_measurements = 1;
    t.measurements[0].key = more.str("duration");
    t.measurements[0].value = i % 3 == 0 ? -0.0 : (i - 20) * 1.25e-3;
    more.add(t);
  }
  auto bytes = more.take();
  live.apply_batch(keys[0], bytes.data(), bytes.size());
  ASSERT_GT(live.events_since(0, 1'000'000).size(), 250u);

  std::unique_ptr<Model> key = live.clone_keyframe();
  std::unique_ptr<Model> plain = live.clone();
  EXPECT_LT(key->stats().memory_bytes, plain->stats().memory_bytes);
  std::unique_ptr<Model> back = key->clone();
  EXPECT_TRUE(same_state(describe(live), describe(*back)));
  // -0.0 keeps its sign.
  size_t negative_zeros = 0, live_negative_zeros = 0;
  for (const Event* e : back->events_since(0, 1'000'000)) negative_zeros += e->value == 0 && std::signbit(e->value);
  for (const Event* e : live.events_since(0, 1'000'000)) live_negative_zeros += e->value == 0 && std::signbit(e->value);
  EXPECT_EQ(negative_zeros, live_negative_zeros);
  // The copy goes on as a model of its own.
  Stream later;
  later.spawn(888'888, 0, "late", "late-one");
  bytes = later.take();
  back->apply_batch(keys[0], bytes.data(), bytes.size());
  live.apply_batch(keys[0], bytes.data(), bytes.size());
  EXPECT_TRUE(same_state(describe(live), describe(*back)));
}

// Bounded by bytes: the oldest segments go, counted; history begins at the oldest keyframe
// kept, an instant before it cannot be rebuilt, and every instant after it still equals the
// reference.
TEST(History, OldSegmentsFallOffByBytesAndAreCounted) {
  const std::vector<Input> inputs = random_inputs(5, 3000);
  HistorySettings hs;
  hs.min_segment_bytes = 4096;
  hs.stream_per_keyframe = 0;
  hs.max_bytes = 256 * 1024;
  hs.max_age_ns = 1ull << 60;
  History history(hs);
  Model live(small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  feed(live, inputs, keys);
  HistoryStats st = history.stats();
  EXPECT_GT(st.evicted_segments, 0u);
  EXPECT_GT(st.evicted_entries, 0u);
  EXPECT_EQ(st.evicted_entries + st.entries, st.recorded_entries);
  EXPECT_GT(st.begins_at, inputs.front().at);
  EXPECT_EQ(history.at(st.begins_at - 1), nullptr);
  for (uint64_t t : {st.begins_at, (st.begins_at + st.ends_at) / 2, st.ends_at}) {
    Model reference(small_settings());
    std::map<int, NodeKey> ref_keys;
    feed(reference, inputs, ref_keys, t);
    auto rebuilt = history.at(t);
    ASSERT_NE(rebuilt, nullptr);
    EXPECT_TRUE(same_state(describe(reference), describe(*rebuilt)));
  }
}

// Bounded by age: nothing older than max_age plus one segment's span is kept.
TEST(History, OldSegmentsFallOffByAge) {
  const std::vector<Input> inputs = random_inputs(9, 3000);
  HistorySettings hs;
  hs.max_age_ns = 30ull * 1'000'000'000;
  hs.segments_per_age = 6;
  hs.min_segment_bytes = 1ull << 30;  // keyframes by age only
  History history(hs);
  Model live(small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  feed(live, inputs, keys);
  const uint64_t span = hs.max_age_ns / hs.segments_per_age;
  HistoryStats st = history.stats();
  ASSERT_GT(st.ends_at - inputs.front().at, 3 * hs.max_age_ns) << "the run is longer than the age";
  EXPECT_GT(st.evicted_segments, 0u);
  EXPECT_LE(st.ends_at - st.begins_at, hs.max_age_ns + 2 * span);
  EXPECT_GE(st.ends_at - st.begins_at, hs.max_age_ns);
}

// The timeline's buckets count what the model logged: their sums equal the model's totals
// of crashes and restarts since the history began.
TEST(History, TimelineBucketsCountTheModelsIncidents) {
  const std::vector<Input> inputs = random_inputs(3, 2000);
  History history;
  Model live(small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  feed(live, inputs, keys);
  uint64_t crashes = 0, restarts = 0, up = 0, down = 0;
  for (const TimelineBucket& b : history.timeline(0, ~0ull)) {
    crashes += b.crashes;
    restarts += b.restarts;
    up += b.nodes_up;
    down += b.nodes_down;
  }
  EXPECT_EQ(crashes, live.events_logged(EventKind::Crash));
  EXPECT_EQ(restarts, live.events_logged(EventKind::Restart));
  EXPECT_GT(crashes, 0u);
  EXPECT_EQ(up, live.events_logged(EventKind::NodeConnected) + live.events_logged(EventKind::NodeReconnected) +
                    live.events_logged(EventKind::NodeRestarted));
  EXPECT_EQ(down, live.events_logged(EventKind::NodeDisconnected));
  // a window holds only its buckets
  auto part = history.timeline(inputs[500].at, inputs[600].at);
  ASSERT_FALSE(part.empty());
  EXPECT_GE(part.front().at + history.settings().marker_bucket_ns, inputs[500].at);
  EXPECT_LE(part.back().at, inputs[600].at);
}

}  // namespace
}  // namespace actorscope::collector

namespace actorscope::collector {
namespace {

// A node's counts go through their bytes unchanged; cut short or damaged, the bytes are
// refused (or read as something else) without a crash, and never make a few bytes claim a list
// of millions.
TEST(NodeCountsBytes, RoundTripAndRefuseWhatIsCutShort) {
  const std::vector<testing::Input> inputs = testing::random_inputs(21, 2000);
  Model m(testing::small_settings());
  std::map<int, NodeKey> keys;
  testing::feed(m, inputs, keys);
  size_t checked = 0;
  for (NodeKey k : m.node_keys()) {
    const NodeCounts c = m.counts(k);
    std::vector<uint8_t> bytes;
    encode_counts(bytes, c);
    NodeCounts back;
    ASSERT_TRUE(decode_counts(bytes.data(), bytes.size(), back));
    std::vector<uint8_t> again;
    encode_counts(again, back);
    EXPECT_EQ(bytes, again) << "node " << k;
    EXPECT_EQ(back.supervisors.size(), c.supervisors.size());
    EXPECT_EQ(back.series.size(), c.series.size());
    checked += c.supervisors.empty() ? 0 : 1;
    for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 97)
      EXPECT_FALSE(decode_counts(bytes.data(), cut, back)) << "cut at " << cut << " of " << bytes.size();
    std::mt19937_64 rng(k);
    for (int i = 0; i < 200; ++i) {
      std::vector<uint8_t> bad = bytes;
      bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
      (void)decode_counts(bad.data(), bad.size(), back);  // must not crash (ASan, UBSan)
    }
  }
  EXPECT_GT(checked, 0u) << "the stream must give some node supervisors";
  // A list length far past what its bytes can hold is refused at once.
  std::vector<uint8_t> claim;
  proto::Writer w(claim);
  for (int i = 0; i < 7; ++i) w.varint(0);
  w.varint(1u << 19);  // types
  NodeCounts back;
  EXPECT_FALSE(decode_counts(claim.data(), claim.size(), back));
}

}  // namespace
}  // namespace actorscope::collector
