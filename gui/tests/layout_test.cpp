// The drawn tree's layout and the command line: the GUI's only logic that is not drawing
// and not in the view library.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "charts.hpp"
#include "imgui.h"
#include "options.hpp"
#include "tree_layout.hpp"

namespace {

using actorscope::gui::keep_in_sight;
using actorscope::gui::layout_tree;
using actorscope::gui::TreeView;
using actorscope::view::TreeRow;

std::vector<TreeRow> rows_at_depths(std::initializer_list<unsigned> depths) {
  std::vector<TreeRow> rows;
  for (unsigned d : depths) {
    TreeRow r;
    r.depth = d;
    rows.push_back(r);
  }
  return rows;
}

TEST(TreeLayout, LeavesTakeConsecutiveRowsAndParentsSitBetweenTheirChildren) {
  // node
  //   sup_a
  //     w1
  //     w2
  //     w3
  //   w4
  const auto slots = layout_tree(rows_at_depths({0, 1, 2, 2, 2, 1}));
  ASSERT_EQ(slots.size(), 6u);
  EXPECT_FLOAT_EQ(slots[2].y, 0);
  EXPECT_FLOAT_EQ(slots[3].y, 1);
  EXPECT_FLOAT_EQ(slots[4].y, 2);
  EXPECT_FLOAT_EQ(slots[5].y, 3);
  EXPECT_FLOAT_EQ(slots[1].y, 1);    // between w1 and w3
  EXPECT_FLOAT_EQ(slots[0].y, 2);    // between sup_a (1) and w4 (3)
  EXPECT_EQ(slots[1].parent, 0);
  EXPECT_EQ(slots[4].parent, 1);
  EXPECT_EQ(slots[5].parent, 0);
  EXPECT_EQ(slots[0].parent, -1);
  EXPECT_FLOAT_EQ(slots[4].x, 2);
}

TEST(TreeLayout, SeveralTopRowsStackWithoutOverlap) {
  const auto slots = layout_tree(rows_at_depths({0, 1, 0, 1, 1}));
  EXPECT_FLOAT_EQ(slots[1].y, 0);
  EXPECT_FLOAT_EQ(slots[3].y, 1);
  EXPECT_FLOAT_EQ(slots[4].y, 2);
  EXPECT_FLOAT_EQ(slots[2].y, 1.5f);
  EXPECT_EQ(slots[2].parent, -1);
}

// sup_a, sup_b (an open group of 3 workers under it), sup_c: the group and sup_b stay level
// with the first member, next to sup_a, instead of moving to the middle of the column.
TEST(TreeLayout, AnOpenGroupHangsItsMembersBelowIt) {
  auto rows = rows_at_depths({0, 1, 1, 2, 3, 3, 3, 1});
  rows[3].kind = actorscope::view::TreeRowKind::Group;
  const auto slots = layout_tree(rows);
  EXPECT_FLOAT_EQ(slots[1].y, 0);  // sup_a
  EXPECT_FLOAT_EQ(slots[4].y, 1);  // the first member
  EXPECT_FLOAT_EQ(slots[3].y, 1);  // its group, level with it
  EXPECT_FLOAT_EQ(slots[2].y, 1);  // sup_b, centred on its only child
  EXPECT_FLOAT_EQ(slots[7].y, 4);  // sup_c, after the column
}

TEST(TreeLayout, NoRowsNoSlots) { EXPECT_TRUE(layout_tree({}).empty()); }

// A group expanded at the right edge of a 1000 x 600 canvas: its members' column (x 800..1100
// at zoom 1) is brought in by the least move, and nothing else changes.
TEST(TreeLayout, KeepInSightMovesLeastToShowTheChildrenColumn) {
  const TreeView v = keep_in_sight({0, 0, 1}, 500, 100, 1100, 150, 1000, 600, 20, 0.15f);
  EXPECT_FLOAT_EQ(v.zoom, 1);
  EXPECT_FLOAT_EQ(v.pan_x, 1000 - 20 - 1100);
  EXPECT_FLOAT_EQ(v.pan_y, 0);
  // already in sight: the view stays as it is
  const TreeView same = keep_in_sight({-30, 40, 0.5f}, 100, 100, 400, 300, 1000, 600, 20, 0.15f);
  EXPECT_FLOAT_EQ(same.pan_x, -30);
  EXPECT_FLOAT_EQ(same.pan_y, 40);
  EXPECT_FLOAT_EQ(same.zoom, 0.5f);
}

// A parent far above the box it expanded: zoomed out until both fit, never below min_zoom.
TEST(TreeLayout, KeepInSightZoomsOutWhenItCannotFit) {
  const TreeView v = keep_in_sight({0, 0, 1}, 0, 0, 500, 2000, 1000, 600, 20, 0.15f);
  EXPECT_FLOAT_EQ(v.zoom, 560.0f / 2000);
  EXPECT_GE(v.pan_y + 0 * v.zoom, 20);
  EXPECT_LE(v.pan_y + 2000 * v.zoom, 600 - 20 + 0.01f);
  const TreeView floor = keep_in_sight({0, 0, 1}, 0, 0, 500, 100000, 1000, 600, 20, 0.15f);
  EXPECT_FLOAT_EQ(floor.zoom, 0.15f);
  EXPECT_GE(floor.pan_y, 20);  // the start (the parent, above) stays in sight
}

int parse(std::vector<const char*> args, actorscope::gui::Options& o) {
  args.insert(args.begin(), "actorscope-gui");
  return actorscope::gui::parse_options(static_cast<int>(args.size()), const_cast<char**>(args.data()), o);
}

TEST(GuiOptions, ScreenshotFlagsAreRead) {
  actorscope::gui::Options o;
  ASSERT_EQ(parse({"--collector", "unix:/x.sock", "--screenshot", "a.png", "--panel", "tree", "--size", "800x600",
                   "--frames", "7"},
                  o),
            0);
  EXPECT_EQ(o.collector, "unix:/x.sock");
  EXPECT_EQ(o.screenshot, "a.png");
  EXPECT_EQ(o.panel, "tree");
  EXPECT_EQ(o.width, 800);
  EXPECT_EQ(o.height, 600);
  EXPECT_EQ(o.frames, 7);
}

TEST(GuiOptions, BadValuesAreRefused) {
  actorscope::gui::Options o;
  EXPECT_EQ(parse({"--scale", "9"}, o), 2);
  EXPECT_EQ(parse({"--size", "10x10"}, o), 2);
  EXPECT_EQ(parse({"--collector", "a", "--listen", "b"}, o), 2);
  EXPECT_EQ(parse({"--frames"}, o), 2);
  // a snapshot on request is for a running window; --screenshot takes its own
  EXPECT_EQ(parse({"--screenshot", "a.png", "--snap-dir", "d"}, o), 2);
}

TEST(GuiOptions, SnapDirIsRead) {
  actorscope::gui::Options o;
  ASSERT_EQ(parse({"--collector", "unix:/x.sock", "--snap-dir", "/tmp/snaps"}, o), 0);
  EXPECT_EQ(o.snap_dir, "/tmp/snaps");
}

// A title cut to a box's width keeps whole UTF-8 characters: "worker ×188" never ends in the
// first byte of "×" (drawn as '?').
TEST(FitText, CutsWholeCharactersAndMarksTheCut) {
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(800, 600);
  io.Fonts->AddFontDefault();
  io.Fonts->Build();
  ImGui::NewFrame();
  const std::string title = "worker \xC3\x97" "188";
  EXPECT_EQ(actorscope::gui::fit_text(title, 1000), title);
  int cut = 0;
  for (float width = 1; width < ImGui::CalcTextSize(title.c_str()).x; width += 1) {
    const std::string shown = actorscope::gui::fit_text(title, width);
    if (shown.empty()) continue;
    ++cut;
    ASSERT_GE(shown.size(), 3u);
    EXPECT_EQ(shown.substr(shown.size() - 3), "...") << shown;
    const std::string kept = shown.substr(0, shown.size() - 3);
    EXPECT_EQ(title.compare(0, kept.size(), kept), 0) << shown;
    if (!kept.empty()) {
      EXPECT_NE(static_cast<unsigned char>(kept.back()), 0xC3) << "a character cut in half at width " << width;
    }
  }
  EXPECT_GT(cut, 3);
  ImGui::EndFrame();
  ImGui::DestroyContext(ctx);
}

}  // namespace
