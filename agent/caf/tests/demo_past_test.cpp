// The past, held against the app's own tree: the CAF demo (fixed seed) pauses after each
// crash until its tree is still, prints its live actors and marks the instant with a
// telemetry event. The collector records the run; the flight recorder, fed that recording
// with keyframes close together, rebuilds the tree at each mark, and it must equal the tree
// the demo printed there — every actor, its parent, type, child id and name.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/record.hpp"
#include "child_process.hpp"
#include "loopback.hpp"
#include "stack.hpp"

namespace actorscope::testing {
namespace {

namespace col = actorscope::collector;

// One actor as the demo printed it, or as the rebuilt model holds it.
using Entry = std::tuple<uint64_t, uint64_t, std::string, std::string, std::string>;  // id, parent, type, child, name
using Tree = std::set<Entry>;

// The demo's "demo: snapshot K actors=N" blocks, by K. A snapshot whose tree moved while
// it was marked ("... moved": a restart late on a loaded machine) has no actors listed: it
// is left out, and counted in `moved`.
std::map<uint32_t, Tree> read_snapshots(const std::vector<std::string>& lines, uint32_t& moved) {
  std::map<uint32_t, Tree> out;
  std::regex head(R"(demo: snapshot (\d+) actors=(\d+)( moved)?)");
  std::regex actor(R"(demo: actor id=(\d+) parent=(\d+) type=(\S*) child=(\S*) name=(\S*))");
  Tree* current = nullptr;
  for (const auto& l : lines) {
    std::smatch m;
    if (std::regex_match(l, m, head)) {
      current = m[3].matched ? nullptr : &out[static_cast<uint32_t>(std::stoul(m[1]))];
      moved += m[3].matched ? 1 : 0;
    } else if (current && std::regex_match(l, m, actor)) {
      current->insert({std::stoull(m[1]), std::stoull(m[2]), m[3], m[4], m[5]});
    } else if (l == "demo: end") {
      current = nullptr;
    }
  }
  return out;
}

Tree tree_of(const col::Model& m, col::NodeKey node) {
  Tree t;
  for (const col::Actor& a : m.actor_rows(node))
    if (a.id != 0)  // a free row
      t.insert({a.id, a.parent, std::string(m.text(a.type)), std::string(m.text(a.child_id)), std::string(m.text(a.name))});
  return t;
}

std::string show(const Tree& t) {
  std::string s;
  for (const auto& [id, parent, type, child, name] : t)
    s += "  <" + std::to_string(id) + "> parent <" + std::to_string(parent) + "> " + type + " child=" + child + " name=" + name + "\n";
  return s;
}

// What one tree has that the other has not, both ways.
std::string difference(const Tree& want, const Tree& got) {
  Tree missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::inserter(missing, missing.end()));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::inserter(extra, extra.end()));
  return "in the demo, not rebuilt:\n" + show(missing) + "rebuilt, not in the demo:\n" + show(extra);
}

uint64_t marks_seen(const col::Model& m, col::NodeKey node) {
  for (const auto& t : m.telemetry(node))
    if (m.text(t.event) == "demo.snapshot") return t.count;
  return 0;
}

TEST(DemoPast, TheTreeRebuiltAtEachCrashEqualsTheDemosOwn) {
  TempDir dir;
  const std::string recording = dir.file("demo.rec");
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, {"--record", recording});
  const std::string node_name = "pastdemo";
  const uint32_t kSnapshots = 8;
  ChildProcess demo(ACTORSCOPE_DEMO_BIN,
                    {"--snapshots", std::to_string(kSnapshots), "--seed", "7", "--quiet", "--rate", "300", "--sessions",
                     "8", "--crash-rate", "3", "--storm-every", "2"},
                    {"ACTORSCOPE_COLLECTOR=" + collector.address(), "ACTORSCOPE_NODE=" + node_name,
                     "ACTORSCOPE_FLUSH_MS=50"});
  ASSERT_EQ(demo.wait_exit(150s), 0) << demo.output();
  uint32_t moved = 0;
  std::map<uint32_t, Tree> snapshots = read_snapshots(demo.stdout_lines(), moved);
  ASSERT_EQ(snapshots.size() + moved, kSnapshots) << demo.output();
  ASSERT_GE(snapshots.size(), kSnapshots / 2) << demo.output();
  // The workload moved the tree between snapshots: restarts gave children new ids.
  EXPECT_NE(snapshots.begin()->second, snapshots.rbegin()->second);
  collector.process().signal(SIGTERM);
  ASSERT_EQ(collector.process().wait_exit(30s), 0) << collector.process().output();

  // The recording through a flight recorder whose keyframes come every few KiB of stream,
  // so that most marks are rebuilt from a keyframe plus a replay, not from the start.
  col::HistorySettings hs;
  hs.min_segment_bytes = 4096;
  hs.stream_per_keyframe = 0.01;
  col::History history(hs);
  col::Model model;
  model.set_history(&history);
  col::Replayer replayer(model);
  std::string error;
  ASSERT_TRUE(replayer.open(recording, error)) << error;
  std::vector<uint64_t> marks;  // the model clock of the input that carried the K-th mark
  col::NodeKey node = 0;
  for (;;) {
    uint64_t wait = 0;
    auto state = replayer.step(0, 1, wait);
    ASSERT_NE(state, col::Replayer::State::Failed) << replayer.result().error;
    if (node == 0) node = model.find_node(node_name);
    if (node != 0)
      while (marks.size() < marks_seen(model, node)) marks.push_back(model.now());
    if (state == col::Replayer::State::Done) break;
  }
  EXPECT_TRUE(replayer.result().lost.empty()) << replayer.result().lost;
  ASSERT_EQ(marks.size(), kSnapshots) << "the recording holds " << marks.size() << " marks";
  EXPECT_GT(history.stats().keyframes_taken, kSnapshots / 2) << "keyframes: " << history.stats().keyframes_taken;

  for (const auto& [k, want] : snapshots) {
    SCOPED_TRACE("snapshot " + std::to_string(k));
    std::unique_ptr<col::Model> past = history.at(marks[k - 1]);
    ASSERT_TRUE(past);
    col::NodeKey pn = past->find_node(node_name);
    ASSERT_NE(pn, 0u);
    Tree rebuilt = tree_of(*past, pn);
    EXPECT_EQ(rebuilt.size(), want.size());
    EXPECT_TRUE(rebuilt == want) << difference(want, rebuilt);
  }
}

}  // namespace
}  // namespace actorscope::testing
