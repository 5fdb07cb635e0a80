// Opens GLFW + OpenGL 3 (GLSL 130, so Mesa llvmpipe under Xvfb works) and drives ImGui frames.
#include "window.hpp"

#include <GLFW/glfw3.h>  // includes GL/gl.h: glReadPixels, glClear

#include <cfloat>
#include <cstdio>

#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"
#include "style.hpp"

namespace actorscope::gui {
namespace {
std::string g_glfw_error;
void on_glfw_error(int code, const char* text) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (text ? text : "?");
}
}  // namespace

Window::~Window() {
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::open(const WindowSettings& s, std::string& error) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    error = "cannot open the display (" + g_glfw_error + "); is DISPLAY set? (use xvfb-run for headless)";
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  window_ = glfwCreateWindow(s.width, s.height, s.title.c_str(), nullptr, nullptr);
  if (!window_) {
    error = "cannot create an OpenGL 3.0 window (" + g_glfw_error + ")";
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(s.vsync ? 1 : 0);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  ini_path_ = s.ini_path;
  ignore_mouse_ = s.ignore_mouse;
  io.IniFilename = ini_path_.empty() ? nullptr : ini_path_.c_str();
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.ConfigInputTextCursorBlink = false;  // a blinking cursor would need frames while idle
  // Input goes through our queue (input_queue.hpp), not straight into ImGui: the backend's
  // callbacks are not installed, and ours forward what the backend still needs.
  ImGui_ImplGlfw_InitForOpenGL(window_, false);
  glfwSetWindowUserPointer(window_, this);
  glfwSetCursorPosCallback(window_, on_cursor);
  glfwSetCursorEnterCallback(window_, on_enter);
  glfwSetMouseButtonCallback(window_, on_button);
  glfwSetScrollCallback(window_, on_scroll);
  glfwSetKeyCallback(window_, on_key);
  glfwSetCharCallback(window_, on_char);
  glfwSetWindowFocusCallback(window_, on_focus);
  glfwSetWindowRefreshCallback(window_, on_repaint);
  glfwSetFramebufferSizeCallback(window_, on_resize);
  ImGui_ImplOpenGL3_Init("#version 130");
  imgui_ready_ = true;
  return true;
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

void Window::poll_events() { glfwPollEvents(); }

void Window::wait_events(double timeout_s) {
  if (timeout_s <= 0)
    glfwPollEvents();
  else
    glfwWaitEventsTimeout(timeout_s);
}

void Window::wake() { glfwPostEmptyEvent(); }

bool Window::take_input() {
  const bool arrived = input_arrived_;
  input_arrived_ = false;
  return arrived;
}

void Window::queue(const InputEvent& e) {
  input_.push(e);
  input_arrived_ = true;
}

namespace {
Window& owner(GLFWwindow* w) { return *static_cast<Window*>(glfwGetWindowUserPointer(w)); }
}  // namespace

void Window::on_cursor(GLFWwindow* w, double x, double y) {
  owner(w).queue({InputEvent::Kind::MouseMove, 0, false, static_cast<float>(x), static_cast<float>(y)});
}
void Window::on_enter(GLFWwindow* w, int entered) {
  ImGui_ImplGlfw_CursorEnterCallback(w, entered);  // the backend tracks which window has the mouse
  if (!entered) owner(w).queue({InputEvent::Kind::MouseLeave});
  else owner(w).input_arrived_ = true;
}
void Window::on_button(GLFWwindow* w, int button, int action, int) {
  owner(w).queue({InputEvent::Kind::MouseButton, button, action == GLFW_PRESS});
}
void Window::on_scroll(GLFWwindow* w, double dx, double dy) {
  owner(w).queue({InputEvent::Kind::Wheel, 0, false, static_cast<float>(dx), static_cast<float>(dy)});
}
void Window::on_key(GLFWwindow* w, int key, int, int action, int) {
  if (action == GLFW_REPEAT) {  // a held key: ImGui repeats by itself, but a frame must come
    owner(w).input_arrived_ = true;
    return;
  }
  owner(w).queue({InputEvent::Kind::Key, key, action == GLFW_PRESS});
}
void Window::on_char(GLFWwindow* w, unsigned c) {
  InputEvent e{InputEvent::Kind::Char};
  e.ch = c;
  owner(w).queue(e);
}
void Window::on_focus(GLFWwindow* w, int focused) { owner(w).queue({InputEvent::Kind::Focus, 0, focused != 0}); }
void Window::on_repaint(GLFWwindow* w) { owner(w).input_arrived_ = true; }
void Window::on_resize(GLFWwindow* w, int, int) { owner(w).input_arrived_ = true; }

void Window::begin_frame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  input_.feed(ImGui::GetIO());
  if (ignore_mouse_) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
}

void Window::render() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = style::kBackground;
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::present() { glfwSwapBuffers(window_); }

std::vector<uint8_t> Window::read_back_buffer(int& width, int& height) const {
  glfwGetFramebufferSize(window_, &width, &height);
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  glFinish();
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  // OpenGL's rows go bottom-up; PNG's go top-down.
  const size_t row = static_cast<size_t>(width) * 4;
  std::vector<uint8_t> line(row);
  for (int y = 0; y < height / 2; ++y) {
    uint8_t* a = rgba.data() + row * y;
    uint8_t* b = rgba.data() + row * (height - 1 - y);
    std::copy(a, a + row, line.data());
    std::copy(b, b + row, a);
    std::copy(line.begin(), line.end(), b);
  }
  for (size_t i = 3; i < rgba.size(); i += 4) rgba[i] = 255;  // opaque, whatever GL left in alpha
  return rgba;
}

}  // namespace actorscope::gui
