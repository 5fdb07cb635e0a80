// Captures a frame's text through Dear ImGui's logging into its internal buffer, window by
// window. Capturing turns off ImGuiListClipper's clipping, so it is meant for screenshots,
// not every frame.
#include "drawn_text.hpp"

#include <fstream>

#include "imgui.h"
#include "imgui_internal.h"

namespace actorscope::gui::drawn_text {
namespace {
bool g_recording = false;
std::string g_frame;  // the windows finished in this frame
std::string g_last;   // the last complete frame
}  // namespace

void begin_frame() {
  g_recording = true;
  g_frame.clear();
}

void end_frame() {
  if (!g_recording) return;
  g_last = g_frame;
  g_recording = false;
}

void begin_window() {
  if (g_recording && !ImGui::GetCurrentContext()->LogEnabled) ImGui::LogToBuffer();
}

void end_window() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  if (!g_recording || !g.LogEnabled) return;
  g_frame.append(g.LogBuffer.begin(), g.LogBuffer.end());
  g_frame += '\n';
  ImGui::LogFinish();
}

Pause::Pause() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  if (!g_recording || !g.LogEnabled) return;
  g_frame.append(g.LogBuffer.begin(), g.LogBuffer.end());
  ImGui::LogFinish();
  paused_ = true;
}

Pause::~Pause() {
  if (paused_ && !ImGui::GetCurrentContext()->LogEnabled) ImGui::LogToBuffer();
}

const std::string& last_frame() { return g_last; }

void note(const char* text) {
  if (ImGui::GetCurrentContext() && ImGui::GetCurrentContext()->LogEnabled) ImGui::LogText("\n%s\n", text);
}

bool write(const std::string& path, std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!(out << g_last << '\n')) {
    error = "cannot write the drawn text to " + path;
    return false;
  }
  return true;
}

}  // namespace actorscope::gui::drawn_text
