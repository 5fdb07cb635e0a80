// The text a frame drew, for tests that check what the GUI shows rather than how many
// colours it has: Dear ImGui's own capture (every widget's text) plus the panel markers and
// canvas labels the GUI adds with note().
#pragma once

#include <string>

namespace actorscope::gui::drawn_text {

// Starts recording a frame's text; windows record between begin_window() and end_window().
void begin_frame();
// Stops recording and keeps what the frame drew, replacing the previous frame's text.
void end_frame();
// Dear ImGui captures text per top-level window (its End() stops a capture): call right after
// a top-level window's Begin() and right before its End(). Both do nothing unless recording.
void begin_window();
void end_window();
// The last frame's text: one drawn item per line, roughly in drawing order.
const std::string& last_frame();
// Adds a line to the capture (text drawn straight into a draw list, section markers); does
// nothing while no capture runs.
void note(const char* text);
// A tooltip is a top-level window of its own, and its End() stops Dear ImGui's capture, which
// would lose the text of the window under it: hold one of these around a tooltip. It keeps
// what was captured so far and starts capturing again after the tooltip (whose own text is
// not recorded). Does nothing unless recording.
class Pause {
 public:
  Pause();
  ~Pause();
  Pause(const Pause&) = delete;
  Pause& operator=(const Pause&) = delete;

 private:
  bool paused_ = false;
};
// Writes the last frame's text; false with a one-line reason.
bool write(const std::string& path, std::string& error);

}  // namespace actorscope::gui::drawn_text
