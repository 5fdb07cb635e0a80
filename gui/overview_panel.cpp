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

double at(const std::vector<double>& pts, int back) {
  if (pts.empty()) return 0;
  size_t i = pts.size() - 1 - std::min<size_t>(static_cast<size_t>(std::max(back, 0)), pts.size() - 1);
  return pts[i];
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
  const bool past = cursor_ >= 0;
  auto pick = [&](M m, double live) { return past ? at(series_.points(m), cursor_) : live; };
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
  card("ACTORS", count(pick(M::Actors, static_cast<double>(h.actors))), &actors_hist, style::kText, w);
  ImGui::SameLine(2 * w);
  // A BEAM node counts no messages processed (its rates are reductions, in its VM line): "-".
  card("MESSAGES", h.msgs_known ? rate(pick(M::MessagesPerSec, h.msgs_per_s)) : std::string("-"), &h.msgs_history,
       style::kAccent, w);
  ImGui::SameLine(3 * w);
  const view::DisplayThresholds& t = app.settings.thresholds;
  const double rpm = pick(M::RestartsPerMin, h.restarts_per_min);
  const bool restarting = view::restart_rate_severity(rpm, t) != view::Severity::normal;
  card("RESTARTS", per_min(rpm), &h.restarts_history, restarting ? style::kRestart : style::kText, w);
  ImGui::SameLine(4 * w);
  const double mb = pick(M::MailboxTotal, static_cast<double>(h.mailbox_total));
  card("MAILBOXES (sum)", count(mb), &mailbox_hist,
       style::severity_colour(view::mailbox_total_severity(static_cast<uint64_t>(mb + 0.5), t)), w);
  ImGui::SameLine(5 * w);
  const double drops = pick(M::Drops, static_cast<double>(h.drops));
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
  (void)app;
  // Time cursor: how far back the cards and the yellow line look.
  size_t longest = 0;
  for (size_t m = 0; m < pv::kMetricCount; ++m) longest = std::max(longest, series_.points(static_cast<M>(m)).size());
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("HISTORY");
  ImGui::SameLine();
  if (longest > 1) {
    int back = std::max(cursor_, 0);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    // the slider runs oldest (left) to now (right), like the charts
    int pos = static_cast<int>(longest) - 1 - back;
    char label[64];
    if (cursor_ < 0)
      std::snprintf(label, sizeof label, "now");
    else
      std::snprintf(label, sizeof label, "%dm%02ds ago", back / 60, back % 60);
    if (ImGui::SliderInt("##cursor", &pos, 0, static_cast<int>(longest) - 1, label)) {
      back = static_cast<int>(longest) - 1 - pos;
      cursor_ = back == 0 ? -1 : back;
    }
    ImGui::SameLine();
    if (ImGui::Button("Now")) cursor_ = -1;
    ImGui::SameLine();
    ImGui::TextDisabled("last %s, one point per %.0fs (click a chart to look back)",
                        view::format_duration_ns(static_cast<uint64_t>(longest * series_.step_s(M::MessagesPerSec) * 1e9)).c_str(),
                        series_.step_s(M::MessagesPerSec));
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
    ChartStyle st{c.colour, c.title, c.format, series_.step_s(c.metric), c.format == count};
    const int cursor_index = cursor_ < 0 ? -1 : static_cast<int>(pts.size()) - 1 - cursor_;
    int under = time_chart(c.title, pts, ImVec2(cw, ch), st, cursor_index);
    if (under >= 0 && ImGui::IsItemClicked()) {
      int back = static_cast<int>(pts.size()) - 1 - under;
      cursor_ = back == 0 ? -1 : back;
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
