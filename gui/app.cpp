// Lays out the main window and dispatches to the panel in front.
#include "app.hpp"

#include <algorithm>
#include <string>

#include <time.h>

#include "drawn_text.hpp"
#include "probe.hpp"
#include "style.hpp"
#include "telemetry_panel.hpp"
#include "warnings_panel.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/header.hpp"
#include "actorscope/view/instant.hpp"
#include "actorscope/view/partial.hpp"
#include "imgui.h"

namespace actorscope::gui {

const char* panel_title(Panel p) {
  switch (p) {
    case Panel::Overview: return "Overview";
    case Panel::Tree: return "Supervision tree";
    case Panel::Actors: return "Actors";
    case Panel::Events: return "Events";
    case Panel::Telemetry: return "Telemetry";
    case Panel::Warnings: return "Warnings";
    case Panel::Flow: return "Flow";
  }
  return "?";
}

void AppState::open_actor(view::ActorKey k) {
  selected = k;
  auto it = std::find(actor_windows.begin(), actor_windows.end(), k);
  if (it != actor_windows.end()) {
    ImGui::SetWindowFocus(("###actor" + std::to_string(k.node) + "." + std::to_string(k.actor)).c_str());
    return;
  }
  if (actor_windows.size() >= settings.max_actor_windows) actor_windows.erase(actor_windows.begin());
  actor_windows.push_back(k);
}

uint64_t AppState::now_wall_ns() const {
  if (clock_end_wall_ns) return clock_end_wall_ns;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

void AppState::show_instant(uint64_t wall_ns, bool by_hand) {
  if (by_hand) playback.pause();
  const uint64_t asked = feed.show_instant(wall_ns);
  instant_request = asked;
  if (!asked)
    instant_note = "no history here";
  else
    instant_note = wall_ns ? "asking for " + view::format_instant(wall_ns, now_wall_ns()) + " ..." : "live again";
}

namespace {
// GLFW key codes, which ImGui 1.86 uses as key indices: digits and letters are their ASCII.
constexpr int kKeyDigit1 = '1';
constexpr int kKeyF = 'F';
constexpr int kKeyLeftBracket = '[';
constexpr int kKeyRightBracket = ']';
}  // namespace

void App::handle_keys() {
  ImGuiIO& io = ImGui::GetIO();
  // [ and ] step through the past as in actorscope-top (not while a text field takes keys).
  if (!io.KeyCtrl && !io.WantTextInput) {
    const view::Replica& r = state_.replica();
    if (ImGui::IsKeyPressed(kKeyLeftBracket, true))
      state_.show_instant(view::step_instant(r, state_.now_wall_ns(), -10));
    else if (ImGui::IsKeyPressed(kKeyRightBracket, true) && (r.showing_past() || state_.feed.shown_instant() != 0))
      state_.show_instant(view::step_instant(r, state_.now_wall_ns(), 10));
  }
  if (!io.KeyCtrl) return;
  for (int i = 0; i < kPanelCount; ++i)
    if (ImGui::IsKeyPressed(kKeyDigit1 + i, false)) state_.switch_to = static_cast<Panel>(i);
  if (ImGui::IsKeyPressed(kKeyF, false)) {
    state_.switch_to = Panel::Actors;
    actors_.focus_filter();
  }
}

// A bar across the top that cannot be missed while the picture is not live: PAST and its
// instant (red), REPLAY and the recording (blue when it shows the recording's end).
void App::draw_banner() {
  const view::Replica& r = state_.replica();
  std::string text = view::instant_banner(r, state_.now_wall_ns());
  if (!state_.replay_name.empty()) text = "REPLAY " + state_.replay_name + (text.empty() ? "" : "   " + text);
  if (text.empty()) return;
  ImGui::PushFont(style::fonts().large);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight() + 8;
  const float x0 = ImGui::GetWindowPos().x, x1 = x0 + ImGui::GetWindowWidth();
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(x0, p.y - 4), ImVec2(x1, p.y + h - 4),
                                            style::u32(r.showing_past() ? style::kPastBanner : style::kReplayBanner));
  ImGui::SetCursorScreenPos(ImVec2(p.x + 4, p.y));
  ImGui::TextColored(ImVec4(1, 1, 1, 1), "%s", text.c_str());
  ImGui::PopFont();
  if (r.showing_past()) {
    ImGui::SameLine(0, 24);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 4);
    ImGui::TextColored(ImVec4(1, 0.85f, 0.85f, 1), "every panel shows this instant; Now (under the panels) returns to live");
  }
  ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + h));
  probe::value("banner", text);
}

void App::draw_title_bar() {
  const view::Replica& r = state_.replica();
  ImGui::PushFont(style::fonts().large);
  ImGui::TextColored(style::kAccent, "actorscope");
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 6);
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("NODE");
  ImGui::SameLine();
  const pv::NodeRow* shown = state_.node ? r.node(state_.node) : nullptr;
  const std::string current = shown ? shown->name : "all nodes (" + std::to_string(r.nodes().size()) + ")";
  ImGui::SetNextItemWidth(240);
  if (ImGui::BeginCombo("##node", current.c_str())) {
    if (ImGui::Selectable("all nodes", state_.node == 0)) state_.node = 0;
    for (const auto& [id, n] : r.nodes()) {
      const std::string label = n.name + (n.connected ? "" : "  (gone)");
      if (ImGui::Selectable(label.c_str(), state_.node == id)) state_.node = id;
    }
    ImGui::EndCombo();
  }
  // header totals, always in sight
  const view::HeaderModel h = view::header(r, state_.node);
  ImGui::SameLine(0, 28);
  auto total = [](const char* label, const std::string& v, ImVec4 c) {
    ImGui::TextDisabled("%s", label);
    ImGui::SameLine(0, 5);
    ImGui::TextColored(c, "%s", v.c_str());
    ImGui::SameLine(0, 22);
  };
  total("actors", view::format_count(h.actors), style::kText);
  // A BEAM node counts no messages processed (its rates are reductions): "-".
  total("messages", h.msgs_known ? view::format_rate(h.msgs_per_s) : std::string("-"), style::kAccent);
  const view::DisplayThresholds& t = state_.settings.thresholds;
  const bool restarting = view::restart_rate_severity(h.restarts_per_min, t) != view::Severity::normal;
  total("restarts", view::format_rate(h.restarts_per_min, "/min"), restarting ? style::kRestart : style::kText);
  total("mailboxes", view::format_count(h.mailbox_total), style::severity_colour(view::mailbox_total_severity(h.mailbox_total, t)));
  total("drops", view::format_count(h.drops), style::severity_colour(view::drops_severity(h.drops, t)));
  total("warnings", std::to_string(h.warnings), style::severity_colour(view::warnings_severity(h.warnings, t), style::kGood));
  ImGui::NewLine();
}

void App::draw_status_bar() {
  const float h = ImGui::GetFrameHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p(ImGui::GetWindowPos().x, ImGui::GetWindowPos().y + ImGui::GetWindowHeight() - h);
  dl->AddRectFilled(p, ImVec2(p.x + ImGui::GetWindowWidth(), p.y + h), style::u32(style::kPanel));
  const ImVec4 c = state_.feed.connected() ? style::kGood : style::kWarn;
  dl->AddCircleFilled(ImVec2(p.x + 14, p.y + h * 0.5f), 4.5f, style::u32(c));
  const view::Replica& r = state_.replica();
  std::string text = state_.feed.status();
  // Partial data is never shown as if whole: the note leads the bar, in the warning colour.
  ImVec2 at(p.x + 26, p.y + (h - ImGui::GetTextLineHeight()) * 0.5f);
  if (const std::string partial = view::partial_note(r); !partial.empty()) {
    dl->AddText(at, style::u32(style::kWarn), partial.c_str());
    at.x += ImGui::CalcTextSize(partial.c_str()).x;
    text = "   |   " + text;
  }
  if (r.last_tick().wall_ns) text += "   |   last update " + view::format_clock(r.last_tick().wall_ns) + " UTC";
  if (r.events_dropped()) text += "   |   " + view::format_count(r.events_dropped()) + " old events dropped (cap)";
  text += "   |   Ctrl+1..7 panels, Ctrl+F filter, [ ] step 10 s back / on, double-click an actor to open it";
  dl->AddText(at, style::u32(style::kTextMuted), text.c_str());
}

void App::draw() {
  state_.time = ImGui::GetTime();
  state_.follow_selection();
  // An edge's history is recorded whatever panel is in front (at most one point a step).
  state_.flow_history.update(state_.replica());
  handle_keys();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("actorscope", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground);
  drawn_text::begin_window();
  // Every full-window layer costs a full-screen fill in a software renderer (llvmpipe):
  // the clear colour is the background, and the panel area draws no background of its own.
  draw_banner();
  draw_title_bar();
  // the panels leave room for the timeline and the status bar under them
  const float status_h = ImGui::GetFrameHeight() + Timeline::height() + 4;
  if (ImGui::BeginTabBar("panels")) {
    for (int i = 0; i < kPanelCount; ++i) {
      const Panel p = static_cast<Panel>(i);
      ImGuiTabItemFlags flags = state_.switch_to == p ? ImGuiTabItemFlags_SetSelected : 0;
      std::string label = panel_title(p);
      if (p == Panel::Warnings && !state_.replica().warnings().empty())
        label += " (" + std::to_string(state_.replica().warnings().size()) + ")";
      label += "###" + std::string(panel_title(p));
      const bool in_front = ImGui::BeginTabItem(label.c_str(), nullptr, flags);
      probe::item("tab " + std::string(panel_title(p)));
      if (!in_front) continue;
      current_ = p;
      probe::value("panel", panel_title(p));
      ImGui::BeginChild("panel", ImVec2(0, -status_h - 4), false, ImGuiWindowFlags_NoBackground);
      drawn_text::note(("[panel] " + std::string(panel_title(p))).c_str());
      switch (p) {
        case Panel::Overview: overview_.draw(state_); break;
        case Panel::Tree: tree_.draw(state_); break;
        case Panel::Actors: actors_.draw(state_); break;
        case Panel::Events: events_.draw(state_); break;
        case Panel::Telemetry: draw_telemetry(state_); break;
        case Panel::Warnings: draw_warnings(state_); break;
        case Panel::Flow: flow_.draw(state_); break;
      }
      drawn_text::note("[end panel]");
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  state_.switch_to.reset();
  timeline_.draw(state_);
  draw_status_bar();
  drawn_text::end_window();
  ImGui::End();
  events_.draw_chain(state_);
  timeline_.draw_diff();
  windows_.draw(state_);
}

}  // namespace actorscope::gui
