// actorscope-top --batch: a tree opened as deep as asked, an actor's Detail chosen by name or
// id, and a collector that cannot be reached said in one line.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "options.hpp"
#include "panels.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/replica.hpp"
#include "replica_builder.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

// A chain of supervisors seven levels deep ("level0" .. "level6"), and under the deepest a
// run of identical workers that the tree folds into one group by default.
constexpr int kLevels = 7;
constexpr int kWorkers = 10;

view::Replica deep_tree() {
  tui::test::ReplicaBuilder b("deep");
  for (int i = 0; i < kLevels; ++i)
    b.actor(tui::test::ActorSpec(static_cast<uint64_t>(100 + i), i == 0 ? 0 : static_cast<uint64_t>(100 + i - 1),
                                 "level" + std::to_string(i), "sup")
                .as_supervisor());
  for (int i = 0; i < kWorkers; ++i)
    b.actor(tui::test::ActorSpec(static_cast<uint64_t>(500 + i), 100 + kLevels - 1, "", "worker")
                .with_child_id("worker-" + std::to_string(i)));
  return b.build();
}

tui::Options parse(std::vector<std::string> args) {
  args.insert(args.begin(), "actorscope-top");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  tui::Options o;
  EXPECT_FALSE(tui::parse_options(static_cast<int>(argv.size()), argv.data(), o).has_value());
  return o;
}

std::string tree_frame(const view::Replica& r, const tui::Options& o) {
  tui::UiState ui;
  ui.view = tui::ViewId::Tree;
  ui.tree = view::TreeModel(o.tree);
  tui::TextCanvas c(120, 60);
  tui::draw_frame(c, r, ui);
  return c.str();
}

std::string run(const std::string& args, int& exit_code) {
  FILE* p = popen((std::string(ACTORSCOPE_TOP) + " " + args + " 2>&1").c_str(), "r");
  std::string out;
  if (!p) return out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  exit_code = WEXITSTATUS(pclose(p));
  return out;
}

}  // namespace

TEST(BatchExpand, AllShowsEveryActorOfTheReplica) {
  auto r = deep_tree();
  std::string frame = tree_frame(r, parse({"--batch", "--expand", "all"}));
  // The reference is the replica's own list of actors, not the tree's rows.
  for (const auto& a : r.actors()) {
    std::string shown = a.row.name.empty() ? a.row.child_id : a.row.name;
    EXPECT_NE(frame.find(shown), std::string::npos) << shown << " missing from\n" << frame;
  }
}

TEST(BatchExpand, DepthOpensThatManyLevels) {
  auto r = deep_tree();
  std::string frame = tree_frame(r, parse({"--batch", "--expand", "4"}));
  // The roots are level 1 below the node: level0 .. level3 show, level4 not.
  EXPECT_NE(frame.find("level3"), std::string::npos) << frame;
  EXPECT_EQ(frame.find("level4"), std::string::npos) << frame;
  std::string by_default = tree_frame(r, parse({"--batch"}));
  EXPECT_NE(by_default.find("level1"), std::string::npos) << by_default;
  EXPECT_EQ(by_default.find("level2"), std::string::npos) << by_default;
}

TEST(BatchExpand, BadDepthExitsTwo) {
  int code = -1;
  std::string out = run("--batch --expand deep", code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(out.rfind("actorscope-top: --expand needs all or a depth, not 'deep'\n", 0), 0u) << out;
}

TEST(BatchDetail, ActorFoundByIdNameOrChildId) {
  auto r = deep_tree();
  EXPECT_EQ(view::find_actor(r, "103"), (view::ActorKey{1, 103}));
  EXPECT_EQ(view::find_actor(r, "level2"), (view::ActorKey{1, 102}));
  EXPECT_EQ(view::find_actor(r, "worker-3"), (view::ActorKey{1, 503}));
  EXPECT_FALSE(view::find_actor(r, "nobody").has_value());
  EXPECT_FALSE(view::find_actor(r, "level2", 2).has_value()) << "another node";
}

TEST(BatchDetail, DetailViewNeedsAnActor) {
  int code = -1;
  std::string out = run("--batch --view detail", code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(out.rfind("actorscope-top: --view detail needs --actor NAME|ID\n", 0), 0u) << out;
}

TEST(BatchDetail, DetailPanelShowsTheChosenActor) {
  auto r = deep_tree();
  tui::UiState ui;
  ui.view = tui::ViewId::Detail;
  ui.detail = view::find_actor(r, "level3");
  ASSERT_TRUE(ui.detail);
  tui::TextCanvas c(120, 40);
  tui::draw_frame(c, r, ui);
  EXPECT_NE(c.str().find("level3  <103>"), std::string::npos) << c.str();
}

TEST(BatchUnreachable, SaysWhatFailedInOneLine) {
  char tmpl[] = "/tmp/actorscope-top-batch.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string address = "unix:" + dir + "/no-collector.sock";
  int code = -1;
  std::string out = run("--batch --collector " + address, code);
  ::rmdir(dir.c_str());
  EXPECT_EQ(code, 1);
  EXPECT_EQ(out.find("retrying"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("actorscope-top: cannot connect to " + address + ": ", 0), 0u) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line: " << out;
}
