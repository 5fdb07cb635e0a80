// Draws the Overview panel from the header view-model and the collector's kept history.
#include "overview_panel.hpp"
#include "drawn_text.hpp"

#include <algorithm>
#include <string>

#include "charts.hpp"
#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/header.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

std::string count(double v) { return view::format_count(static_cast<uint64_t>(v + 0.5)); }
std::string rate(double v) { return view::format_rate(v); }
std::string per_min(double v) { return view::format_rate(v, "/min"); }

// A number with its label and a sparkline, in a fixed-width card.
void card(const char* label, const std::string& value, const std::vector<double>* history, ImVec4 colour,
          float width) {
  ImGui::BeginGroup();
  ImGui::PushStyleColor(ImGuiCol_Text, style::kTextMuted);
  ImGui::TextUnformatted(label);
  ImGui::PopStyleColor();
  ImGui::PushFont(style::fonts().large);
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
  if (history)
    sparkline(*history, ImVec2(width - 16, 22), colour);
  else
    ImGui::Dummy(ImVec2(width - 16, 22));
  ImGui::EndGroup();
}

}  // namespace

void OverviewPanel::draw(AppState& app) {
  series_.update(app.feed, app.node);
  draw_cards(app);
  ImGui::Spacing();
  draw_charts(app);
  ImGui::Spacing();
  draw_nodes(app);
}

void OverviewPanel::draw_cards(AppState& app) {
  const view::HeaderModel h = view::header(app.replica(), app.node);
  using M = pv::Metric;
  // The cards show the instant the replica holds: live, or the past instant asked for.
  std::vector<double> actors_hist(series_.points(M::Actors).end() - std::min<size_t>(series_.points(M::Actors).size(), 300),
                                  series_.points(M::Actors).end());
  std::vector<double> mailbox_hist(series_.points(M::MailboxTotal).end() - std::min<size_t>(series_.points(M::MailboxTotal).size(), 300),
                                   series_.points(M::MailboxTotal).end());
  const float w = std::max(150.0f, (ImGui::GetContentRegionAvail().x - 6 * ImGui::GetStyle().ItemSpacing.x) / 7.0f);
  ImGui::BeginChild("cards", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 2 + 48 * ImGui::GetIO().FontGlobalScale + 30), true,
                    ImGuiWindowFlags_NoScrollbar);
  std::string nodes = std::to_string(h.nodes_connected) + " / " + std::to_string(h.nodes);
  card("NODES up / known", nodes, nullptr, h.nodes_connected == h.nodes ? style::kGood : style::kWarn, w);
  ImGui::SameLine(w);
  card("ACTORS", count(static_cast<double>(h.actors)), &actors_hist, style::kText, w);
  ImGui::SameLine(2 * w);
  // A BEAM node counts no messages processed (its rates are reductions, in its VM line): "-".
  card("MESSAGES", h.msgs_known ? rate(h.msgs_per_s) : std::string("-"), &h.msgs_history,
       style::kAccent, w);
  ImGui::SameLine(3 * w);
  const view::DisplayThresholds& t = app.settings.thresholds;
  const double rpm = h.restarts_per_min;
  const bool restarting = view::restart_rate_severity(rpm, t) != view::Severity::normal;
  card("RESTARTS", per_min(rpm), &h.restarts_history, restarting ? style::kRestart : style::kText, w);
  ImGui::SameLine(4 * w);
  const double mb = static_cast<double>(h.mailbox_total);
  card("MAILBOXES (sum)", count(mb), &mailbox_hist,
       style::severity_colour(view::mailbox_total_severity(static_cast<uint64_t>(mb + 0.5), t)), w);
  ImGui::SameLine(5 * w);
  const double drops = static_cast<double>(h.drops);
  card("DROPS", count(drops), nullptr, style::severity_colour(view::drops_severity(static_cast<uint64_t>(drops + 0.5), t)), w);
  ImGui::SameLine(6 * w);
  card("WARNINGS", std::to_string(h.warnings), nullptr, style::severity_colour(view::warnings_severity(h.warnings, t), style::kGood), w);
  ImGui::EndChild();
  // The VM line (BEAM nodes): label and value pairs, wrapped to the panel's width.
  if (!h.vm_title.empty()) {
    ImGui::TextDisabled("%s", h.vm_title.c_str());
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    for (const auto& f : h.vm) {
      std::string text = f.label + " " + f.value;
      float need = ImGui::CalcTextSize(text.c_str()).x + 3 * ImGui::GetStyle().ItemSpacing.x;
      if (ImGui::GetItemRectMax().x + need < right) ImGui::SameLine(0, 2 * ImGui::GetStyle().ItemSpacing.x);
      ImGui::PushStyleColor(ImGuiCol_Text, style::kTextMuted);
      ImGui::TextUnformatted(f.label.c_str());
      ImGui::PopStyleColor();
      ImGui::SameLine();
      ImGui::TextColored(style::severity_colour(f.severity, style::kText), "%s", f.value.c_str());
    }
  }
}

void OverviewPanel::draw_charts(AppState& app) {
  using M = pv::Metric;
  const view::Replica& r = app.replica();
  size_t longest = 0;
  for (size_t m = 0; m < pv::kMetricCount; ++m) longest = std::max(longest, series_.points(static_cast<M>(m)).size());
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("HISTORY");
  ImGui::SameLine();
  if (longest > 1) {
    const std::string span =
        view::format_duration_ns(static_cast<uint64_t>(longest * series_.step_s(M::MessagesPerSec) * 1e9));
    if (r.showing_past())
      ImGui::TextDisabled("%s up to the instant shown, one point per %.0fs; click a chart to show another instant",
                          span.c_str(), series_.step_s(M::MessagesPerSec));
    else
      ImGui::TextDisabled("last %s, one point per %.0fs; click a chart to show that instant in every panel",
                          span.c_str(), series_.step_s(M::MessagesPerSec));
  } else {
    ImGui::TextDisabled("waiting for the collector's history");
  }
  struct Chart {
    M metric;
    const char* title;
    std::string (*format)(double);
    ImVec4 colour;
  };
  const Chart charts[] = {
      {M::MessagesPerSec, "Messages processed per second", rate, style::kAccent},
      {M::RestartsPerMin, "Restarts per minute", per_min, style::kRestart},
      {M::MailboxTotal, "Messages waiting in mailboxes (sum)", count, style::kWarn},
      {M::Actors, "Live actors", count, style::kGood},
  };
  const float avail = ImGui::GetContentRegionAvail().x;
  const float cw = (avail - ImGui::GetStyle().ItemSpacing.x) / 2;
  const float ch = std::max(140.0f, ImGui::GetContentRegionAvail().y * 0.36f);
  for (int i = 0; i < 4; ++i) {
    const Chart& c = charts[i];
    const auto& pts = series_.points(c.metric);
    // Counts (mailboxes, actors) mark only whole numbers: an empty chart read "1 / 1 / 0".
    ChartStyle st{c.colour, c.title, c.format, series_.step_s(c.metric), c.format == count, series_.end_wall_ns(c.metric)};
    // The line marks the instant shown (past); a click asks for the instant under it.
    const uint64_t step_ns = static_cast<uint64_t>(st.step_s * 1e9);
    int cursor_index = -1;
    if (r.showing_past() && st.end_wall_ns && step_ns && !pts.empty()) {
      const uint64_t shown = r.instant().wall_ns;
      const uint64_t back = shown >= st.end_wall_ns ? 0 : (st.end_wall_ns - shown + step_ns / 2) / step_ns;
      if (back < pts.size()) cursor_index = static_cast<int>(pts.size() - 1 - back);
    }
    const int under = time_chart(c.title, pts, ImVec2(cw, ch), st, cursor_index);
    if (under >= 0 && ImGui::IsItemClicked() && st.end_wall_ns && step_ns) {
      const uint64_t back = pts.size() - 1 - static_cast<size_t>(under);
      // the newest point of a live chart is now: live; any other point is a past instant
      app.show_instant(back == 0 && !r.showing_past() ? 0 : st.end_wall_ns - back * step_ns);
    }
    if (i % 2 == 0) ImGui::SameLine();
  }
}

void OverviewPanel::draw_nodes(AppState& app) {
  ImGui::TextDisabled("NODES");
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("nodes", 10, flags, ImVec2(0, 0))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* c : {"Node", "Host", "Program (pid)", "Status", "Actors", "Messages/s", "Restarts", "Mailboxes", "Drops", "Warnings"})
    ImGui::TableSetupColumn(c);
  ImGui::TableHeadersRow();
  for (const auto& [id, n] : app.replica().nodes()) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const bool sel = app.node == id;
    if (ImGui::Selectable(n.name.c_str(), sel, ImGuiSelectableFlags_SpanAllColumns))
      app.node = sel ? 0 : id;  // clicking the shown node goes back to all nodes
    if (ImGui::IsItemHovered()) {
      drawn_text::Pause keep;
      ImGui::SetTooltip("Click to show only this node (again: all nodes)");
    }
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(n.host.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%s (%llu)", n.program.c_str(), static_cast<unsigned long long>(n.pid));
    ImGui::TableNextColumn();
    ImGui::TextColored(n.connected ? style::kGood : style::kBad, n.connected ? "connected" : "gone");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(view::format_count(n.actors).c_str());
    ImGui::TableNextColumn();
    // a BEAM node counts no messages processed (its work is in its VM line's red/s)
    ImGui::TextUnformatted(n.rate_unit == pv::RateUnit::Reductions ? "-" : view::format_rate(view::msgs_per_s(n)).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(view::format_count(n.restarts).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(view::format_count(n.mailbox_total).c_str());
    ImGui::TableNextColumn();
    const view::DisplayThresholds& t = app.settings.thresholds;
    ImGui::TextColored(style::severity_colour(view::drops_severity(n.drops, t)), "%s", view::format_count(n.drops).c_str());
    ImGui::TableNextColumn();
    ImGui::TextColored(style::severity_colour(view::warnings_severity(n.warnings, t)), "%llu", static_cast<unsigned long long>(n.warnings));
  }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
