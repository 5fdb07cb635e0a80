// Colours, fonts and spacing of the GUI: the only place that decides how things look.
#pragma once

#include <cstdint>

#include "actorscope/view/display.hpp"
#include "imgui.h"

namespace actorscope::gui::style {

// Palette (dark, low-glare, like a profiler; status colours stay distinguishable for
// red/green colour blindness by also differing in brightness).
inline const ImVec4 kBackground{0.086f, 0.094f, 0.110f, 1.0f};  // window behind panels
inline const ImVec4 kPanel{0.118f, 0.129f, 0.149f, 1.0f};       // panel and table body
inline const ImVec4 kText{0.88f, 0.90f, 0.92f, 1.0f};
inline const ImVec4 kTextMuted{0.56f, 0.60f, 0.65f, 1.0f};       // labels, units
inline const ImVec4 kAccent{0.33f, 0.62f, 0.98f, 1.0f};          // selection, links, charts
inline const ImVec4 kGood{0.38f, 0.78f, 0.46f, 1.0f};            // running, connected
inline const ImVec4 kWarn{0.98f, 0.74f, 0.26f, 1.0f};            // growing, warnings
inline const ImVec4 kBad{0.96f, 0.36f, 0.33f, 1.0f};             // crashes, critical
inline const ImVec4 kRestart{0.80f, 0.52f, 0.98f, 1.0f};         // restarts (distinct from crashes)
inline const ImVec4 kEscalation{0.98f, 0.45f, 0.72f, 1.0f};      // escalations to a supervisor's parent
inline const ImVec4 kNodeDown{0.55f, 0.85f, 0.95f, 1.0f};        // a node that went away (timeline)
inline const ImVec4 kPastBanner{0.72f, 0.10f, 0.10f, 1.0f};      // the bar over a past instant
inline const ImVec4 kReplayBanner{0.16f, 0.32f, 0.62f, 1.0f};    // the bar over a recording, live at its end
inline const ImVec4 kSupervisor{0.20f, 0.30f, 0.45f, 1.0f};      // supervisor boxes
inline const ImVec4 kWorker{0.17f, 0.19f, 0.22f, 1.0f};          // worker boxes
inline const ImVec4 kEdge{0.40f, 0.44f, 0.50f, 1.0f};            // tree edges

ImU32 u32(const ImVec4& c, float alpha = 1.0f);
// A severity's colour: critical red, warn amber, normal the given colour.
ImVec4 severity_colour(view::Severity s, const ImVec4& normal = kText);
// Mailbox depth to a box colour: 0 is calm, amber at the warn depth, red from the critical
// depth (log scale in between), both from the view's thresholds.
ImVec4 mailbox_colour(uint64_t depth, const view::DisplayThresholds& t);
// A colour per series index, for charts with several lines.
ImVec4 series_colour(int index);

struct Fonts {
  ImFont* regular = nullptr;
  ImFont* large = nullptr;  // header totals
  ImFont* mono = nullptr;   // numbers in tables, ids
};
const Fonts& fonts();

// Loads fonts (DejaVu when installed, else ImGui's own, scaled) and the theme. Call once,
// after the ImGui context exists and before the first frame.
void apply(float scale);

}  // namespace actorscope::gui::style
