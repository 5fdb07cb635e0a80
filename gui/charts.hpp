// Time-series charts and sparklines drawn with ImGui's draw lists (ImPlot is not packaged).
#pragma once

#include <cstdint>
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
  uint64_t end_wall_ns = 0;    // the last point's wall clock: clock times on the x axis (0: "ago")
};

// A time label on an axis: its instant and how far from the left edge it is drawn.
struct TimeTick {
  uint64_t wall_ns = 0;
  float x = 0;
};
// Round instants (every 1 s .. 6 h) between `begins` and `ends` (Unix ns) across `width`
// pixels, at least `min_gap_px` apart.
std::vector<TimeTick> time_ticks(uint64_t begins_wall_ns, uint64_t ends_wall_ns, float width, float min_gap_px);
// "10:42:17", local time (as the PAST banner and --at read it).
std::string clock_label(uint64_t wall_ns);


// `text` cut to `width` pixels at the current font, ending in "..." when it was cut.
std::string fit_text(const std::string& text, float width, float font_size = 0);

// A filled line chart over `points` (oldest first). `cursor`: index of the looked-at point,
// or -1 for none. Returns the index under the mouse, or -1.
int time_chart(const char* id, const std::vector<double>& points, ImVec2 size, const ChartStyle& style,
               int cursor);

// A small inline chart without axes.
void sparkline(const std::vector<double>& points, ImVec2 size, ImVec4 colour);

}  // namespace actorscope::gui
