// Input events kept across frames: ImGui 1.86 reads button and key state once per frame,
// so a press and release inside one frame (a quick click, a quick double-click) would be lost.
#pragma once

#include <cfloat>
#include <cstdint>
#include <cstddef>
#include <deque>

struct ImGuiIO;

namespace actorscope::gui {

struct InputEvent {
  enum class Kind : uint8_t { MouseMove, MouseLeave, MouseButton, Wheel, Key, Char, Focus };
  Kind kind = Kind::MouseMove;
  int code = 0;       // mouse button, or GLFW key code
  bool down = false;  // press / release; focus gained / lost
  float x = 0, y = 0; // cursor position, or wheel offsets
  unsigned ch = 0;    // a typed character
};

class InputQueue {
 public:
  void push(const InputEvent& e) { events_.push_back(e); }
  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }
  // Gives ImGui one frame's share of the queue: every event up to the second transition of
  // one button or key (which waits for the next frame), no cursor move after a button
  // changed (the click stays where it happened), and no press in the frame that moved the
  // cursor (ImGui must have seen the pointer over an item before it can press it). Writes the
  // mouse position and buttons every frame, since the platform backend overwrites them from
  // the device's current state.
  void feed(ImGuiIO& io);

 private:
  std::deque<InputEvent> events_;
  float mouse_x_ = -FLT_MAX, mouse_y_ = -FLT_MAX;  // outside the window until a move says otherwise
  bool buttons_[5] = {};
};

}  // namespace actorscope::gui
