// The flight recorder exported as a record file: opened (replayed into a model of its own),
// it shows what the collector's history showed at every instant from its oldest keyframe on —
// the same nodes and their counts, actors (parents, names, types, stats, rates), roots in order,
// links and monitors in each actor's order, supervisors with their restart budgets and child
// records, per-type and telemetry totals, series, warnings — and its instants are the
// collector's own. Compared against the live
// history's own rebuild of each instant, not against the export's code.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/history_export.hpp"
#include "actorscope/collector/record.hpp"
#include "history_inputs.hpp"

namespace actorscope::collector {
namespace {

using testing::Input;

// What a viewer reads of the nodes, actors, supervisors, series and warnings, as text. Left out
// on purpose: what an export says it does not carry (the event log before the keyframe).
std::string actors_of(const Model& m) {
  std::ostringstream o;
  for (NodeKey k : m.node_keys()) {
    const Node& n = *m.node(k);
    o << "node " << n.name << " inc " << n.incarnation << " state " << int(n.state) << " live " << n.live_actors << " pid "
      << n.pid << " host " << n.host << " anchor " << n.anchor_wall_ns << " restarts " << n.restarts << " crashes "
      << n.crashes << " escalations " << n.escalations << " unseen " << n.unseen_exits << " app_restarts " << n.app_restarts << " telemetry " << n.telemetry_events
      << "\n";
    for (const Supervisor* s : m.supervisors_of(k)) {
      o << " sup " << s->actor << " " << m.text(s->label) << " restarts " << s->total_restarts() << " esc " << s->escalations
        << " budget " << m.restart_budget_used(k, s->actor) << "\n";
      for (const ChildRecord& c : s->per_child)
        o << "  child " << m.text(c.child_id) << " " << c.restarts << " " << c.current << " " << c.last_crash_actor << "\n";
    }
    for (const auto& [label, count] : m.restarts_by_supervisor(k)) o << " restarts_by " << m.text(label) << " " << count << "\n";
    std::vector<std::pair<uint64_t, std::string>> actors;  // by id: where a row lands in the table is the model's business
    m.for_each_actor(k, [&](const Actor& a) {
      std::ostringstream line;
      line << " actor " << a.id << " parent " << a.parent << " " << m.text(a.name) << " " << m.text(a.type) << " "
        << m.text(a.child_id) << " kind " << int(a.kind) << " orphan " << (a.flags & kActorOrphan) << " mb " << a.mailbox
        << " enq " << a.enqueued << " deq " << a.dequeued << " busy " << a.busy_ns << " spawned " << a.spawn_wall_ns
        << " strategy " << int(a.strategy) << " intensity " << a.intensity << "/" << a.period_ms << " child_restarts "
        << m.child_restarts(k, a) << " rate " << a.messages_per_s << " fill " << a.fill_per_s << " streak "
        << int(a.growth_streak) << " progress " << a.last_progress_ns << "\n";
      for (const ActorLink& l : m.links(k, a.id)) line << "  link " << l.other << " " << int(l.kind) << " " << l.count << "\n";
      actors.emplace_back(a.id, line.str());
    });
    std::sort(actors.begin(), actors.end());
    for (const auto& a : actors) o << a.second;
    std::function<void(uint64_t, int)> tree = [&](uint64_t parent, int depth) {
      m.for_each_child(k, parent, [&](const Actor& a) {
        o << std::string(static_cast<size_t>(depth), ' ') << " tree " << a.id << "\n";
        tree(a.id, depth + 1);
      });
    };
    tree(0, 0);
    std::vector<std::string> totals;  // by name: the order of their slots is the model's business
    for (const TelemetryStats& t : m.telemetry(k)) {
      std::ostringstream line;
      line.precision(17);
      line << " telemetry " << m.text(t.event) << " " << t.count << " " << t.rate << "\n";
      for (const MeasurementStats& ms : t.measurements)
        line << "  " << m.text(ms.key) << " " << ms.count << " " << ms.sum << " " << ms.min << " " << ms.max << " " << ms.last
             << " fine " << ms.fine.size() << "\n";
      totals.push_back(line.str());
    }
    for (const TypeAggregate& t : m.types(k))
      totals.push_back(" type " + std::string(m.text(t.type)) + " live " + std::to_string(t.live_total()) + " mb " +
                       std::to_string(t.mailbox_sum) + " spawns " + std::to_string(t.spawns.value()) + " exits " +
                       std::to_string(t.exits.value()) + " processed " + std::to_string(t.processed()) + "\n");
    std::sort(totals.begin(), totals.end());
    for (const std::string& t : totals) o << t;
    for (const SeriesPoint& p : m.series(k, 1000))
      o << " point " << p.at_ns << " " << p.seconds << " " << p.live_actors << " " << p.messages_per_s << " "
        << p.restarts_per_s << " " << p.crashes_per_s << " " << p.mailbox_total << " " << p.mailbox_max << " "
        << p.drops_per_s << "\n";
  }
  for (const Warning& w : m.warnings()) o << "warning " << int(w.kind) << " " << w.actor << " " << w.text << "\n";
  return o.str();
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".rec")).string();
}

TEST(HistoryExport, AnExportedHistoryOpensAsTheSameStateAtEveryInstantFromItsOldestKeyframe) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Input> inputs = testing::random_inputs(seed, 1500);
    HistorySettings hs;
    hs.min_segment_bytes = 2048;
    hs.stream_per_keyframe = 0;
    hs.max_age_ns = 1ull << 60;
    hs.max_bytes = 64 * 1024;  // the oldest segments fall off: the export starts at a keyframe with state
    History history(hs);
    Model live(testing::small_settings());
    live.set_history(&history);
    std::map<int, NodeKey> keys;
    testing::feed(live, inputs, keys);
    history.set_wall_offset(1'234'567'890);
    ASSERT_GT(history.stats().evicted_segments, 0u);
    const HistoryExportPlan plan = history.export_plan();
    ASSERT_TRUE(plan.ok);
    ASSERT_GT(plan.keyframe->stats().live_actors, 0u) << "the test must export a keyframe with actors";

    const std::string path = temp_path("export-" + std::to_string(seed));
    std::string error;
    ASSERT_TRUE(write_history_export(plan, path, error)) << error;
    RecordIndex index;
    ASSERT_TRUE(read_record_index(path, index, error)) << error;
    EXPECT_EQ(index.lost, "");
    EXPECT_EQ(index.first_at, plan.begins_at);
    EXPECT_EQ(index.last_at, inputs.back().at);

    History opened_history;
    Model opened(testing::small_settings());
    opened.set_history(&opened_history);
    ReplayResult r = replay(path, opened);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.bad_batches, 0u);
    EXPECT_EQ(opened_history.wall_offset(), 1'234'567'890) << "the opened file's instants are the collector's";
    EXPECT_EQ(opened_history.stats().begins_at, plan.begins_at);
    EXPECT_TRUE(testing::same_state(actors_of(live), actors_of(opened)));

    std::mt19937_64 rng(seed);
    std::vector<uint64_t> instants = {plan.begins_at, inputs.back().at};
    for (int i = 0; i < 8; ++i) instants.push_back(plan.begins_at + rng() % (inputs.back().at - plan.begins_at + 1));
    for (uint64_t t : instants) {
      SCOPED_TRACE("instant " + std::to_string(t));
      std::unique_ptr<Model> want = history.at(t);
      std::unique_ptr<Model> got = opened_history.at(t);
      ASSERT_NE(want, nullptr);
      ASSERT_NE(got, nullptr);
      ASSERT_TRUE(testing::same_state(actors_of(*want), actors_of(*got)));
    }
    std::remove(path.c_str());
  }
}

// Written in parts (as a viewer pulls it), the file is the same as written at once, and each
// part is whole blocks.
TEST(HistoryExport, PartsMakeTheSameFile) {
  const std::vector<Input> inputs = testing::random_inputs(5, 6000);
  HistorySettings hs;
  hs.min_segment_bytes = 4096;
  hs.stream_per_keyframe = 0;
  History history(hs);
  Model live(testing::small_settings());
  live.set_history(&history);
  std::map<int, NodeKey> keys;
  testing::feed(live, inputs, keys);
  std::vector<uint8_t> whole, parts;
  HistoryExport a(history.export_plan()), b(history.export_plan());
  while (a.next(whole, SIZE_MAX)) {
  }
  EXPECT_TRUE(a.done());
  size_t calls = 0;
  for (std::vector<uint8_t> part; b.next(part, 1); part.clear()) {
    ++calls;
    parts.insert(parts.end(), part.begin(), part.end());
  }
  EXPECT_GE(calls, 2u);
  EXPECT_EQ(whole, parts);
  EXPECT_EQ(a.bytes(), whole.size());
  EXPECT_FALSE(a.next(whole, SIZE_MAX)) << "nothing after the end";
}

// A keyframe of many actors: their counts go in several entries of bounded size, and all of
// them arrive (rates, growth streaks) in the opened file.
TEST(HistoryExport, AKeyframeOfManyActorsCarriesEveryActorsCountsInBoundedEntries) {
  Model live(testing::small_settings());
  proto::Hello h = testing::hello("big", 1);
  h.anchor_wall_ns = 1'700'000'000'000'000'000ull;
  live.set_now(1'000'000'000);
  const NodeKey node = live.on_hello(1, h);
  constexpr uint64_t kActors = 40'000;
  for (int round = 0; round < 2; ++round) {
    testing::Stream s;
    for (uint64_t id = 1; id <= kActors; ++id) {
      if (round == 0) s.spawn(id, 0, "worker", "w" + std::to_string(id));
      s.stats(id, id % 5 + static_cast<uint64_t>(round) * 3, 100 * static_cast<uint64_t>(round + 1) + id % 7, 50, 1000);
    }
    const std::vector<uint8_t> b = s.take();
    live.set_now(1'000'000'000 + static_cast<uint64_t>(round) * 1'000'000'000);
    live.apply_batch(node, b.data(), b.size());
    live.tick(1'000'000'000 + static_cast<uint64_t>(round) * 1'000'000'000);
  }
  History history;
  live.set_history(&history);  // the first keyframe holds the actors
  history.set_wall_offset(5);
  const std::string path = temp_path("export-big");
  std::string error;
  ASSERT_TRUE(write_history_export(history.export_plan(), path, error)) << error;
  RecordIndex index;
  ASSERT_TRUE(read_record_index(path, index, error)) << error;
  EXPECT_EQ(index.lost, "");
  for (const RecordBlock& b : index.blocks) EXPECT_LT(b.length, 1u << 20) << "a block of " << b.length << " bytes";
  Model opened(testing::small_settings());
  ReplayResult r = replay(path, opened);
  ASSERT_TRUE(r.ok) << r.error;
  size_t rated = 0;
  live.for_each_actor(node, [&](const Actor& a) { rated += a.messages_per_s > 0 || a.fill_per_s > 0; });
  EXPECT_GT(rated, 2 * 16'384u) << "the counts must need several entries";
  EXPECT_TRUE(testing::same_state(actors_of(live), actors_of(opened)));
  std::remove(path.c_str());
}

// No history (it runs with --history-age 0): the export is an empty recording, not an error.
TEST(HistoryExport, NoHistoryIsAnEmptyRecording) {
  HistorySettings off;
  off.max_age_ns = 0;
  History history(off);
  Model live;
  live.set_history(&history);
  HistoryExport x(history.export_plan());
  EXPECT_FALSE(x.ok());
  std::vector<uint8_t> out;
  EXPECT_TRUE(x.next(out, SIZE_MAX));
  EXPECT_EQ(out.size(), kRecordFileHeaderSize);
  EXPECT_TRUE(x.done());
}

}  // namespace
}  // namespace actorscope::collector
