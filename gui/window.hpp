// The desktop window: GLFW + an OpenGL 3 context + Dear ImGui's backends, one frame at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  // Polls input and starts an ImGui frame.
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
};

}  // namespace actorscope::gui
