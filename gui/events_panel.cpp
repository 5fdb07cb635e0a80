// Draws the Events list: kind toggles, a text filter and a supervisor filter over the
// events view-model; a click selects the actor, a double-click opens it.
#include "events_panel.hpp"
#include "drawn_text.hpp"

#include <string>

#include "actor_menu.hpp"
#include "csv_export.hpp"
#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/export.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/instant.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

ImVec4 kind_colour(pv::EventKind k) {
  switch (k) {
    case pv::EventKind::Crashed: return style::kBad;
    case pv::EventKind::Restarted: return style::kRestart;
    case pv::EventKind::Telemetry: return style::kAccent;
    case pv::EventKind::NodeDown: return style::kWarn;
    case pv::EventKind::NodeUp: return style::kGood;
    default: return style::kTextMuted;
  }
}

}  // namespace

void EventsPanel::draw(AppState& app) {
  const view::Replica& r = app.replica();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("SHOW");
  for (size_t k = 0; k < pv::kEventKindCount; ++k) {
    const auto kind = static_cast<pv::EventKind>(k);
    bool on = query_.kinds & pv::kind_bit(kind);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, on ? kind_colour(kind) : style::kTextMuted);
    if (ImGui::Checkbox(std::string(pv::name(kind)).c_str(), &on)) query_.kinds ^= pv::kind_bit(kind);
    ImGui::PopStyleColor();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260);
  ImGui::InputTextWithHint("##filter", "name, reason or text", filter_, sizeof filter_);
  query_.filter = filter_;
  query_.node = app.node;
  if (query_.supervisor.actor) {
    ImGui::SameLine();
    if (ImGui::Button(("supervisor: " + view::known_name(r, query_.supervisor) + "  x").c_str())) query_.supervisor = {};
  }
  list_.update(r, query_);
  const auto& shown = list_.rows();
  ImGui::SameLine();
  ImGui::TextDisabled("%zu events (%s dropped by the size cap)", list_.events().size(), view::format_count(r.events_dropped()).c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("Export CSV")) {
    std::vector<std::string> lines;
    lines.reserve(list_.events().size());
    for (const pv::Event* e : list_.events()) lines.push_back(view::events_csv_row(r, *e));  // cascades unfolded
    exported_ = export_csv("events", view::events_csv_header(), lines, r.last_tick().wall_ns);
  }
  if (!exported_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", exported_.c_str());
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("events", 6, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("Node", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("Actor / event", ImGuiTableColumnFlags_WidthFixed, 200);
  ImGui::TableSetupColumn("Supervisor", ImGuiTableColumnFlags_WidthFixed, 140);
  ImGui::TableSetupColumn("Reason / measurements", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(shown.size()));
  int toggle = -1;  // a cascade row clicked: folded or opened after the table (its rows change)
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const pv::Event& e = *shown[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (const view::Cascade* c = list_.cascade(static_cast<size_t>(i))) {
        // One row for a restart cascade; a click shows its events under it.
        ImGui::PushID(static_cast<int>(e.seq));
        ImGui::PushID("cascade");
        if (ImGui::Selectable(((c->expanded ? "v " : "> ") + view::format_clock(e.wall_ns)).c_str(), false,
                              ImGuiSelectableFlags_SpanAllColumns))
          toggle = i;
        ImGui::PopID();
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::TextColored(c->cause && c->cause->kind == pv::EventKind::Crashed ? style::kBad : style::kRestart, "cascade");
        ImGui::TableNextColumn();
        const pv::NodeRow* cn = r.node(e.node);
        ImGui::TextUnformatted(cn ? cn->name.c_str() : "?");
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::known_name(r, {c->node, c->supervisor}).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(view::cascade_text(*c, r).c_str());
        continue;
      }
      if (e.not_sent > 0) {  // events the collector did not send: a marked row where they were
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::TextColored(style::kWarn, "%s", view::gap_text(e).c_str());
        continue;
      }
      ImGui::PushID(static_cast<int>(e.seq));
      const view::ActorKey key{e.node, e.actor};
      const bool selected = app.selected && *app.selected == key && e.actor;
      if (ImGui::Selectable(view::format_clock(e.wall_ns).c_str(), selected,
                            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick) &&
          e.actor) {
        app.select(key);
        if (ImGui::IsMouseDoubleClicked(0)) app.open_actor(key);
      }
      if (e.actor) {
        const pv::NodeRow* node = r.node(e.node);
        actor_context_menu(app, key,
                           view::format_clock(e.wall_ns) + "\t" + std::string(pv::name(e.kind)) + "\t" +
                               (node ? node->name : "?") + "\t" + view::event_name(e) + "\t" +
                               (e.supervisor ? view::known_name(r, {e.node, e.supervisor}) : "") + "\t" +
                               view::event_text(e, &r));
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextColored(kind_colour(e.kind), "%s", std::string(pv::name(e.kind)).c_str());
      ImGui::TableNextColumn();
      const pv::NodeRow* n = r.node(e.node);
      ImGui::TextUnformatted(n ? n->name.c_str() : "?");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(((list_.nested(static_cast<size_t>(i)) ? "   " : "") + view::event_name(e)).c_str());
      ImGui::TableNextColumn();
      if (e.supervisor) {
        ImGui::PushID(static_cast<int>(e.seq));
        if (ImGui::SmallButton(view::known_name(r, {e.node, e.supervisor}).c_str())) query_.supervisor = {e.node, e.supervisor};
        if (ImGui::IsItemHovered()) {
          drawn_text::Pause keep;
          ImGui::SetTooltip("Show only this supervisor's events");
        }
        ImGui::PopID();
      }
      ImGui::TableNextColumn();
      if (e.kind == pv::EventKind::Exited || e.kind == pv::EventKind::Crashed || e.kind == pv::EventKind::Restarted ||
          view::is_escalation(e)) {
        ImGui::PushID(static_cast<int>(e.seq));
        if (ImGui::SmallButton("why?")) {
          chain_ = view::explain_exit(r, e.seq);
          chain_title_ = view::event_name(e) + " " + std::string(pv::name(e.kind)) + " at " + view::format_instant(e.wall_ns, e.wall_ns);
          chain_open_ = true;
        }
        if (ImGui::IsItemHovered()) {
          drawn_text::Pause keep;
          ImGui::SetTooltip("The chain that led to it: the crash, each supervisor's budget and restarts");
        }
        ImGui::PopID();
        ImGui::SameLine();
      }
      ImGui::TextUnformatted(view::event_text(e, &r).c_str());
    }
  }
  ImGui::EndTable();
  if (toggle >= 0) list_.toggle(static_cast<size_t>(toggle));
}

bool EventsPanel::explain_newest(const view::Replica& r, const std::string& name) {
  const auto& events = r.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const pv::Event& e = *it;
    if (e.not_sent > 0 || e.name != name) continue;
    if (e.kind != pv::EventKind::Exited && e.kind != pv::EventKind::Crashed && e.kind != pv::EventKind::Restarted &&
        !view::is_escalation(e))
      continue;
    chain_ = view::explain_exit(r, e.seq);
    chain_title_ = view::event_name(e) + " " + std::string(pv::name(e.kind)) + " at " + view::format_instant(e.wall_ns, e.wall_ns);
    chain_open_ = true;
    return true;
  }
  return false;
}

// The chain's window: a step per line, indented per escalation climbed; a click shows the past
// at that step (the timeline jumps there).
void EventsPanel::draw_chain(AppState& app) {
  if (!chain_open_) return;
  ImGui::SetNextWindowSize(ImVec2(1300, 380), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin(("Why: " + chain_title_ + "###why").c_str(), &chain_open_)) {
    ImGui::End();
    return;
  }
  drawn_text::begin_window();
  drawn_text::note(("[window] Why: " + chain_title_).c_str());
  ImGui::TextDisabled("%s", chain_.origin_known ? "the crash that started it, what each supervisor did, and what followed"
                                                : "no crash found before it in the events held");
  ImGui::TextDisabled("click a step: the past at that instant (the timeline jumps there); Now returns to live");
  ImGui::Separator();
  for (size_t i = 0; i < chain_.steps.size(); ++i) {
    const view::ChainStep& s = chain_.steps[i];
    ImVec4 colour = style::kText;
    switch (s.kind) {
      case view::ChainStepKind::Crash:
      case view::ChainStepKind::Escalation: colour = style::kBad; break;
      case view::ChainStepKind::Unexplained:
      case view::ChainStepKind::SiblingStopped:
      case view::ChainStepKind::SupervisorExit: colour = style::kWarn; break;
      case view::ChainStepKind::Restart: colour = style::kRestart; break;
    }
    ImGui::PushID(static_cast<int>(i));
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    const std::string line = std::string(s.selected ? "> " : "  ") + std::string(2 * s.depth, ' ') + view::chain_step_text(s);
    if (ImGui::Selectable(line.c_str(), s.selected)) app.show_instant(s.wall_ns);
    ImGui::PopStyleColor();
    ImGui::PopID();
  }
  if (chain_.more) ImGui::TextDisabled("+%zu more steps not listed", chain_.more);
  if (!chain_.note.empty()) {
    ImGui::Separator();
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(style::kWarn, "%s", chain_.note.c_str());
    ImGui::PopTextWrapPos();
  }
  drawn_text::end_window();
  ImGui::End();
}

}  // namespace actorscope::gui
