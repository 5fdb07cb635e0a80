// Time-series charts and sparklines drawn with ImGui's draw lists (ImPlot is not packaged).
#pragma once

#include <string>
#include <vector>

#include "imgui.h"

namespace actorscope::gui {

struct ChartStyle {
  ImVec4 colour;
  const char* title = "";
  // Formats a value for the axis and the tooltip ("12k/s").
  std::string (*format)(double) = nullptr;
  float step_s = 1.0f;       // seconds between points, for the time axis
  bool whole_numbers = false;  // counts (mailbox depth): the axis marks only whole numbers
};

// `text` cut to `width` pixels at the current font, ending in "..." when it was cut.
std::string fit_text(const std::string& text, float width, float font_size = 0);

// A filled line chart over `points` (oldest first). `cursor`: index of the looked-at point,
// or -1 for none. Returns the index under the mouse, or -1.
int time_chart(const char* id, const std::vector<double>& points, ImVec2 size, const ChartStyle& style,
               int cursor);

// A small inline chart without axes.
void sparkline(const std::vector<double>& points, ImVec2 size, ImVec4 colour);

}  // namespace actorscope::gui
