// The input queue (no input lost inside one frame) and the frame pacer (idle means no frames).
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>

#include "frame_pacer.hpp"
#include "input_queue.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

class InputQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { ctx_ = ImGui::CreateContext(); }
  void TearDown() override { ImGui::DestroyContext(ctx_); }
  ImGuiIO& io() { return ImGui::GetIO(); }
  InputQueue q_;
  ImGuiContext* ctx_ = nullptr;
};

InputEvent move(float x, float y) { return {InputEvent::Kind::MouseMove, 0, false, x, y}; }
InputEvent button(int b, bool down) { return {InputEvent::Kind::MouseButton, b, down}; }
InputEvent key(int k, bool down) { return {InputEvent::Kind::Key, k, down}; }

TEST_F(InputQueueTest, APressAndReleaseInOneFrameAreSeenInTwo) {
  q_.push(button(0, true));
  q_.push(button(0, false));
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[0]);
  EXPECT_FALSE(q_.empty());
  q_.feed(io());
  EXPECT_FALSE(io().MouseDown[0]);
  EXPECT_TRUE(q_.empty());
}

// A pointer that jumps onto a tab and clicks (xdotool, a tablet, a remote desktop) must be
// seen over the tab for a frame before the press: ImGui 1.86 lets a tab take a press only
// if it, or nothing, was hovered in the frame before.
TEST_F(InputQueueTest, APressWaitsForTheFrameAfterThePointerArrived) {
  q_.push(move(10, 20));
  q_.push(button(0, true));
  q_.push(button(0, false));
  q_.feed(io());
  EXPECT_EQ(io().MousePos.x, 10);
  EXPECT_EQ(io().MousePos.y, 20);
  EXPECT_FALSE(io().MouseDown[0]);
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[0]);
  EXPECT_EQ(io().MousePos.x, 10);
  q_.feed(io());
  EXPECT_FALSE(io().MouseDown[0]);
  EXPECT_TRUE(q_.empty());
}

TEST_F(InputQueueTest, APressWhereThePointerAlreadyIsTakesNoExtraFrame) {
  q_.push(move(10, 20));
  q_.feed(io());
  q_.push(move(10, 20));  // the same place again
  q_.push(button(0, true));
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[0]);
  EXPECT_TRUE(q_.empty());
}

TEST_F(InputQueueTest, ADoubleClickInOneFrameTakesFourFrames) {
  for (bool down : {true, false, true, false}) q_.push(button(0, down));
  for (bool down : {true, false, true, false}) {
    q_.feed(io());
    EXPECT_EQ(io().MouseDown[0], down);
  }
  EXPECT_TRUE(q_.empty());
}

TEST_F(InputQueueTest, TheClickStaysWhereItHappened) {
  q_.push(move(10, 10));
  q_.push(button(1, true));
  q_.push(move(50, 60));
  q_.feed(io());
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[1]);
  EXPECT_EQ(io().MousePos.x, 10);
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[1]);
  EXPECT_EQ(io().MousePos.x, 50);
  EXPECT_EQ(io().MousePos.y, 60);
}

TEST_F(InputQueueTest, AQuickKeyPressIsSeenAndModifiersFollowTheKeys) {
  q_.push(key(GLFW_KEY_LEFT_CONTROL, true));
  q_.push(key(GLFW_KEY_DOWN, true));
  q_.push(key(GLFW_KEY_DOWN, false));
  q_.feed(io());
  EXPECT_TRUE(io().KeyCtrl);
  EXPECT_TRUE(io().KeysDown[GLFW_KEY_DOWN]);
  q_.feed(io());
  EXPECT_FALSE(io().KeysDown[GLFW_KEY_DOWN]);
  EXPECT_TRUE(io().KeyCtrl);
}

TEST_F(InputQueueTest, ButtonsHoldTheirStateAcrossEmptyFrames) {
  q_.push(button(0, true));
  q_.feed(io());
  io().MouseDown[0] = false;  // what the platform backend writes between frames
  q_.feed(io());
  EXPECT_TRUE(io().MouseDown[0]);
}

TEST(FramePacer, DrawsAfterInputThenWaits) {
  FramePacerSettings s;
  FramePacer p(s);
  EXPECT_EQ(p.wait_s(0), 0.0);  // the first frame
  p.drew(0, false);
  EXPECT_GT(p.wait_s(0.01), 0.5);  // idle: only the clock's frame
  p.on_input(0.02);
  for (int i = 0; i < s.settle_frames; ++i) {
    EXPECT_EQ(p.wait_s(0.02), 0.0);
    p.drew(0.02, false);
  }
  EXPECT_GT(p.wait_s(0.03), 0.5);
  EXPECT_EQ(p.wait_s(0.02 + s.idle_redraw_s), 0.0);
}

TEST(FramePacer, AnimationKeepsFramesComingUntilItEnds) {
  FramePacer p;
  p.drew(1.0, true);
  EXPECT_LE(p.wait_s(1.0), 1.0 / 20);
  p.drew(1.04, false);
  EXPECT_GT(p.wait_s(1.05), 0.5);
}

TEST(FramePacer, AnIdleWindowIsKeptWithinItsCpuShareByItsFramesPeriod) {
  FramePacerSettings s;
  FramePacer p(s);
  double t = 0, cpu = 0;
  // An idle window: each frame costs `frame` s of CPU, and `between` s per second go on
  // between frames (data, the window system). Runs it for a while; returns its CPU share.
  auto run = [&](double frame, double between, int frames) {
    double t0 = t, cpu0 = cpu;
    for (int i = 0; i < frames; ++i) {
      double wait = p.wait_s(t);
      t += wait;
      cpu += between * wait + frame;
      p.drew(t, false, frame, cpu);
    }
    return (cpu - cpu0) / (t - t0);
  };
  p.drew(0, false, 0.03, 0.03);  // the first frame: drawn for itself, not for the period
  cpu = 0.03;
  EXPECT_DOUBLE_EQ(p.idle_period_s(), s.idle_redraw_s);
  // 15 ms frames and 1 % between them: 2.5 % at a frame a second; spaced out to fit 1.8 %.
  run(0.015, 0.010, 10);
  EXPECT_LE(run(0.015, 0.010, 10), s.idle_cpu_share + 1e-6);
  EXPECT_NEAR(p.idle_period_s(), 0.015 / (s.idle_cpu_share - 0.010), 0.01);
  // More going on between frames than the share: frames at the longest period, no longer.
  run(0.015, 0.030, 10);
  EXPECT_DOUBLE_EQ(p.idle_period_s(), s.idle_redraw_max_s);
  // Cheap frames (a GPU): back to the clock's second.
  run(0.001, 0.001, 10);
  EXPECT_DOUBLE_EQ(p.idle_period_s(), s.idle_redraw_s);
  // Input is drawn at once, and what its frames cost does not count as idle.
  p.on_input(t + 0.1);
  EXPECT_EQ(p.wait_s(t + 0.1), 0.0);
  p.drew(t + 0.1, false, 5.0, cpu + 5.0);
  EXPECT_DOUBLE_EQ(p.idle_period_s(), s.idle_redraw_s);
}

TEST(FramePacer, NewDataDrawsAFrame) {
  FramePacer p;
  p.drew(0, false);
  p.on_data();
  EXPECT_EQ(p.wait_s(0.1), 0.0);
}

TEST(FramePacer, RepliesDrawAtOnceOnlyRightAfterInput) {
  FramePacer p;
  p.drew(100, false);
  p.on_reply(100.1);  // a periodic refresh, nobody waiting: the next frame due shows it
  EXPECT_GT(p.wait_s(100.1), 0.0);
  p.on_input(200);
  p.drew(200, false);
  p.drew(200, false);
  p.on_reply(200.5);  // what the click asked for
  EXPECT_EQ(p.wait_s(200.5), 0.0);
}

TEST(DataMark, TheSameReplicaGivesTheSameMark) {
  view::Replica r;
  EXPECT_EQ(data_mark(r, true, "connected"), data_mark(r, true, "connected"));
  EXPECT_NE(data_mark(r, true, "connected"), data_mark(r, false, "connecting"));
}

}  // namespace
}  // namespace actorscope::gui
