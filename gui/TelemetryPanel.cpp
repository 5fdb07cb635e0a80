// Draws the telemetry view-model. The collector sends count, sum, min, max and last per
// measurement (no buckets), so the "histogram" is a range bar: min..max with mean and last.
#include "TelemetryPanel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "Style.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/telemetry.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

std::string num(double v) {
  char buf[32];
  if (std::fabs(v) >= 1000)
    return view::format_count(static_cast<uint64_t>(std::max(v, 0.0)));
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 10 ? "%.0f" : "%.2f", v);
  return buf;
}

// min..max on a log scale when the range is wide, with ticks for the mean and the last value.
void range_bar(const wire::MeasurementStats& m, double mean, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  ImGui::Dummy(ImVec2(width, h));
  const bool log = m.min > 0 && m.max / m.min > 100;
  auto t = [&](double v) {
    if (m.max <= m.min) return 0.5f;
    double f = log ? std::log(v / m.min) / std::log(m.max / m.min) : (v - m.min) / (m.max - m.min);
    return static_cast<float>(std::clamp(f, 0.0, 1.0));
  };
  dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.35f), ImVec2(p.x + width, p.y + h * 0.65f), style::u32(style::kAccent, 0.25f), 2.0f);
  const float xm = p.x + width * t(mean), xl = p.x + width * t(m.last);
  dl->AddRectFilled(ImVec2(xm - 1.5f, p.y + 1), ImVec2(xm + 1.5f, p.y + h - 1), style::u32(style::kAccent));
  dl->AddTriangleFilled(ImVec2(xl - 4, p.y), ImVec2(xl + 4, p.y), ImVec2(xl, p.y + 6), style::u32(style::kWarn));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("min %s  mean %s  max %s  last %s%s", num(m.min).c_str(), num(mean).c_str(), num(m.max).c_str(),
                      num(m.last).c_str(), log ? "\n(log scale)" : "");
}

}  // namespace

void draw_telemetry(AppState& app) {
  const auto lines = view::telemetry_lines(app.replica(), app.node);
  ImGui::TextDisabled("Events emitted with actorscope's telemetry API (like :telemetry.execute), per name and node. "
                      "Bar: min..max, blue = mean, yellow = last.");
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("telemetry", 9, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Event / measurement", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Node", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("Count", ImGuiTableColumnFlags_WidthFixed, 70);
  ImGui::TableSetupColumn("Rate", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("Min", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Mean", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Max", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Last", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Distribution", ImGuiTableColumnFlags_WidthFixed, 260);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(lines.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const view::TelemetryLine& l = lines[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (!l.measurement) {
        ImGui::TextColored(style::kAccent, "%s", l.row->event.c_str());
        ImGui::TableNextColumn();
        const wire::NodeRow* n = app.replica().node(l.row->node);
        ImGui::TextUnformatted(n ? n->name.c_str() : "?");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::format_count(l.row->count).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::format_rate(l.row->per_s_x100 / 100.0).c_str());
        continue;
      }
      const wire::MeasurementStats& m = *l.measurement;
      ImGui::Indent(ImGui::GetFontSize());
      ImGui::TextDisabled("%s", m.key.c_str());
      ImGui::Unindent(ImGui::GetFontSize());
      ImGui::TableNextColumn();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", view::format_count(m.count).c_str());
      ImGui::TableNextColumn();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(m.min).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(l.mean()).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(m.max).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(m.last).c_str());
      ImGui::TableNextColumn();
      range_bar(m, l.mean(), ImGui::GetContentRegionAvail().x - 8);
    }
  }
  ImGui::EndTable();
  if (lines.empty()) ImGui::TextDisabled("No telemetry events yet.");
}

}  // namespace actorscope::gui
