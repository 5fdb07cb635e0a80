// Feeds queued GLFW input to ImGui one frame at a time, at most one transition per button or key.
#include "input_queue.hpp"

#include <GLFW/glfw3.h>  // key codes only

#include <cfloat>
#include <iterator>
#include <set>

#include "imgui.h"

namespace actorscope::gui {

void InputQueue::feed(ImGuiIO& io) {
  std::set<int> changed_buttons, changed_keys;
  // ImGui 1.86 lets an item that allows overlap (a tab, an overlapping selectable) take a
  // press only if it, or nothing, was hovered in the frame before: a pointer that jumps onto
  // a tab and presses in the same frame would press nothing. A press therefore waits for the
  // frame after the one that moved the pointer to where it happens.
  bool moved = false;
  while (!events_.empty()) {
    const InputEvent& e = events_.front();
    bool stop = false;
    switch (e.kind) {
      case InputEvent::Kind::MouseMove:
      case InputEvent::Kind::MouseLeave:
        if (!changed_buttons.empty()) {
          stop = true;
          break;
        }
        {
          const float x = e.kind == InputEvent::Kind::MouseMove ? e.x : -FLT_MAX;
          const float y = e.kind == InputEvent::Kind::MouseMove ? e.y : -FLT_MAX;
          moved = moved || x != mouse_x_ || y != mouse_y_;
          mouse_x_ = x;
          mouse_y_ = y;
        }
        break;
      case InputEvent::Kind::MouseButton:
        if (e.code < 0 || e.code >= static_cast<int>(std::size(buttons_))) break;
        if ((moved && e.down) || !changed_buttons.insert(e.code).second) {
          stop = true;
          break;
        }
        buttons_[e.code] = e.down;
        break;
      case InputEvent::Kind::Wheel:
        io.MouseWheelH += e.x;
        io.MouseWheel += e.y;
        break;
      case InputEvent::Kind::Key:
        if (e.code < 0 || e.code >= static_cast<int>(std::size(io.KeysDown))) break;
        if (!changed_keys.insert(e.code).second) {
          stop = true;
          break;
        }
        io.KeysDown[e.code] = e.down;
        break;
      case InputEvent::Kind::Char:
        io.AddInputCharacter(e.ch);
        break;
      case InputEvent::Kind::Focus:
        io.AddFocusEvent(e.down);
        break;
    }
    if (stop) break;
    events_.pop_front();
  }
  io.MousePos = ImVec2(mouse_x_, mouse_y_);
  for (size_t i = 0; i < std::size(buttons_); ++i) io.MouseDown[i] = buttons_[i];
  io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL];
  io.KeyShift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT];
  io.KeyAlt = io.KeysDown[GLFW_KEY_LEFT_ALT] || io.KeysDown[GLFW_KEY_RIGHT_ALT];
  io.KeySuper = io.KeysDown[GLFW_KEY_LEFT_SUPER] || io.KeysDown[GLFW_KEY_RIGHT_SUPER];
}

}  // namespace actorscope::gui
