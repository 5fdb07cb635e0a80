// The panels of actorscope-top: each draws one part of the screen from the replica.
#pragma once

#include "canvas.hpp"
#include "ui_state.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::tui {

// Every panel draws inside rows [top, top + height) of the canvas.
// 3 rows, 4 with a VM line (BEAM nodes); returns how many it drew.
int draw_header(Canvas& c, int top, const view::Replica& r, UiState& ui);
void draw_tree(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_actors(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_events(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_telemetry(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_warnings(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_flow(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
// The Flow view's rows as listed: the edges between types, or, while ui.flow_subtree is set,
// between the groups of that supervisor's subtree.
std::vector<view::FlowEdgeView> flow_rows(const view::Replica& r, const UiState& ui);
void draw_detail(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_chain(Canvas& c, int top, int height, const view::Replica& r, UiState& ui);
void draw_diff(Canvas& c, int top, int height, UiState& ui);
void draw_help(Canvas& c, int top, int height, UiState& ui);
// The help screen's lines below its title: the key table, then the mouse.
std::vector<std::string> help_lines();
void draw_status(Canvas& c, int y, const UiState& ui, const std::string& partial, const view::Replica& r);
// The wall clock (Unix ns): what "now" is for the instants a user types.
uint64_t wall_clock_ns();
// The style of a severity: Critical, Warning, or `normal` for the normal level.
Style style_of(view::Severity s, Style normal = Style::Normal);
// A sparkline of the last `width` values, glyphs from ui.glyphs.
std::string sparkline(const std::vector<double>& values, int width, const Glyphs& g);

// The whole frame: header, the current panel, the status line.
void draw_frame(Canvas& c, const view::Replica& r, UiState& ui);

}  // namespace actorscope::tui
