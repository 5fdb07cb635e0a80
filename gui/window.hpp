// The desktop window: GLFW + an OpenGL 3 context + Dear ImGui's backends, one frame at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "input_queue.hpp"

struct GLFWwindow;

namespace actorscope::gui {

struct WindowSettings {
  int width = 1600;
  int height = 1000;
  std::string title = "actorscope";
  std::string ini_path;  // empty: layout not remembered (screenshot mode)
  bool vsync = true;
  bool ignore_mouse = false;  // screenshots: no hover effects from wherever the pointer is
};

class Window {
 public:
  Window() = default;
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Opens the window and the ImGui context. False with a one-line reason in `error`.
  bool open(const WindowSettings& settings, std::string& error);
  bool should_close() const;
  // Takes what the system sent (input, resizes, wake-ups) without waiting.
  void poll_events();
  // Sleeps until an event, a wake() or `timeout_s` passes, whichever is first.
  void wait_events(double timeout_s);
  // Ends a wait_events() now; callable from any thread.
  static void wake();
  // True when input arrived (or the window needs repainting) since the last call.
  bool take_input();
  // Input kept for the next frames (a second click within one frame waits for the next).
  bool input_pending() const { return !input_.empty(); }
  // Starts an ImGui frame with the next share of queued input.
  void begin_frame();
  // Renders the ImGui frame into the back buffer (not yet shown).
  void render();
  // Shows the back buffer.
  void present();
  // The back buffer as top-down RGBA rows; call between render() and present().
  std::vector<uint8_t> read_back_buffer(int& width, int& height) const;

 private:
  GLFWwindow* window_ = nullptr;
  std::string ini_path_;  // ImGui keeps a pointer to it
  bool imgui_ready_ = false;
  bool ignore_mouse_ = false;
  InputQueue input_;
  bool input_arrived_ = true;  // the first frame

  static void on_cursor(GLFWwindow* w, double x, double y);
  static void on_enter(GLFWwindow* w, int entered);
  static void on_button(GLFWwindow* w, int button, int action, int mods);
  static void on_scroll(GLFWwindow* w, double dx, double dy);
  static void on_key(GLFWwindow* w, int key, int scancode, int action, int mods);
  static void on_char(GLFWwindow* w, unsigned c);
  static void on_focus(GLFWwindow* w, int focused);
  static void on_repaint(GLFWwindow* w);
  static void on_resize(GLFWwindow* w, int width, int height);
  void queue(const InputEvent& e);
};

}  // namespace actorscope::gui
