// Draws the telemetry view-model: per measurement its statistics, p50/p99 and a histogram of
// its log2 buckets (a min..max range bar when an older collector sends no buckets).
#include "telemetry_panel.hpp"
#include "drawn_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "style.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/histogram.hpp"
#include "actorscope/view/telemetry.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

// Measured values in the view's one number format, as the TUI shows them.
std::string num(double v) { return view::format_measurement(v); }

// min..max on a log scale when the range is wide, with ticks for the mean and the last value.
void range_bar(const pv::MeasurementStats& m, double mean, float width) {
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
  if (ImGui::IsItemHovered()) {
    drawn_text::Pause keep;
    ImGui::SetTooltip("min %s  mean %s  max %s  last %s%s", num(m.min).c_str(), num(mean).c_str(), num(m.max).c_str(),
                      num(m.last).c_str(), log ? "\n(log scale)" : "");
  }
}

// What a percentile cell promises: its error bound, or why it has none.
void percentile_tooltip(const pv::MeasurementStats& m) {
  if (!ImGui::IsItemHovered()) return;
  drawn_text::Pause keep;
  if (view::rough_percentiles(m))
    ImGui::SetTooltip("~ rough: read from doublings only, can be off by up to half the value\n"
                      "(the collector kept no fine buckets for this measurement: over its bucket budget)");
  else
    ImGui::SetTooltip("within %.1f%% of the true value (32 buckets per doubling)", 100 * view::kPercentileError);
}

// One bar per bucket from the lowest to the highest non-empty one, heights relative to the
// fullest; the buckets from p99's up in the warning colour. Hover names a bucket's bounds.
void histogram(const pv::MeasurementStats& m, float width) {
  const view::BucketSpan span = view::used_buckets(m);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  ImGui::Dummy(ImVec2(width, h));
  uint64_t top = 0, total = 0;
  for (size_t i = span.first; i < span.end; ++i) {
    top = std::max(top, m.buckets[i]);
    total += m.buckets[i];
  }
  const size_t n = span.end - span.first;
  const float slot = std::min(width / static_cast<float>(n), 18.0f);
  // The tail is marked only when it lies past the median's bucket: one full bucket is no tail.
  const auto b50 = view::percentile_bucket(m, 0.5), b99 = view::percentile_bucket(m, 0.99);
  const size_t tail_from = b50 && b99 && *b99 > *b50 ? *b99 : span.end;
  dl->AddLine(ImVec2(p.x, p.y + h - 0.5f), ImVec2(p.x + slot * static_cast<float>(n), p.y + h - 0.5f),
              style::u32(style::kAccent, 0.35f));
  for (size_t i = span.first; i < span.end; ++i) {
    if (!m.buckets[i]) continue;
    const float x = p.x + slot * static_cast<float>(i - span.first);
    const float bh = std::max(1.5f, (h - 1) * static_cast<float>(m.buckets[i]) / static_cast<float>(top));
    dl->AddRectFilled(ImVec2(x + 1, p.y + h - bh), ImVec2(x + slot - 1, p.y + h),
                      style::u32(i >= tail_from ? style::kWarn : style::kAccent, 0.85f));
  }
  if (!ImGui::IsItemHovered()) return;
  const float mx = ImGui::GetIO().MousePos.x - p.x;
  if (mx < 0 || mx >= slot * static_cast<float>(n)) return;
  const size_t i = span.first + static_cast<size_t>(mx / slot);
  const view::BucketRange r = view::bucket_range(m, i);
  const double share = total ? 100.0 * static_cast<double>(m.buckets[i]) / static_cast<double>(total) : 0;
  drawn_text::Pause keep;
  ImGui::SetTooltip("%s%s .. %s]: %s values (%.1f%%)\np50 %s  p90 %s  p99 %s", i == 0 ? "[" : "(",
                    num(r.low).c_str(), num(r.high).c_str(), view::format_count(m.buckets[i]).c_str(), share,
                    view::percentile_text(m, 0.5).c_str(), view::percentile_text(m, 0.9).c_str(),
                    view::percentile_text(m, 0.99).c_str());
}

}  // namespace

void draw_telemetry(AppState& app) {
  const auto lines = view::telemetry_lines(app.replica(), app.node);
  ImGui::TextDisabled("Events emitted with actorscope's telemetry API (like :telemetry.execute), per name and node. "
                      "Histogram: values per doubling (hover for bounds), yellow = the top 1%% when it stands apart from the median. "
                      "p50/p99 are within %.1f%% of the true values; ~ marks a rough one (hover).",
                      100 * view::kPercentileError);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("telemetry", 11, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Event / measurement", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Node", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("Count", ImGuiTableColumnFlags_WidthFixed, 70);
  ImGui::TableSetupColumn("Rate", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("Min", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Mean", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Max", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("Last", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("p50", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("p99", ImGuiTableColumnFlags_WidthFixed, 60);
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
        const pv::NodeRow* n = app.replica().node(l.row->node);
        ImGui::TextUnformatted(n ? n->name.c_str() : "?");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::format_count(l.row->count).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::format_rate(l.per_s()).c_str());
        continue;
      }
      const pv::MeasurementStats& m = *l.measurement;
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
      ImGui::TextUnformatted(view::percentile_text(m, 0.5).c_str());
      percentile_tooltip(m);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(view::percentile_text(m, 0.99).c_str());
      percentile_tooltip(m);
      ImGui::TableNextColumn();
      if (view::used_buckets(m).empty())
        range_bar(m, l.mean(), ImGui::GetContentRegionAvail().x - 8);
      else
        histogram(m, ImGui::GetContentRegionAvail().x - 8);
    }
  }
  ImGui::EndTable();
  if (lines.empty()) ImGui::TextDisabled("No telemetry events yet.");
}

}  // namespace actorscope::gui
