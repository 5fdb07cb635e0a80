// Draws actor windows over the detail view-model. Charts are sampled here, once per
// collector tick, for each open window (view::ActorHistory keeps the last 300 samples).
#include "actor_window.hpp"

#include <algorithm>
#include <string>

#include "charts.hpp"
#include "drawn_text.hpp"
#include "probe.hpp"
#include "style.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/format.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

std::string count(double v) { return view::format_count(static_cast<uint64_t>(v + 0.5)); }
std::string micros(double v) { return view::format_duration_ns(static_cast<uint64_t>(v * 1000)); }

void field(const char* label, const std::string& value, ImVec4 colour = style::kText) {
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", label);
  ImGui::TableNextColumn();
  ImGui::TextColored(colour, "%s", value.c_str());
}

}  // namespace

void ActorWindows::draw(AppState& app) {
  // forget the state of windows that closed
  for (auto it = states_.begin(); it != states_.end();)
    it = std::find(app.actor_windows.begin(), app.actor_windows.end(), it->first) == app.actor_windows.end()
             ? states_.erase(it)
             : std::next(it);
  // Front to back: windows opened since are in front; a focused one comes to the front.
  std::erase_if(front_, [&](const view::ActorKey& k) {
    return std::find(app.actor_windows.begin(), app.actor_windows.end(), k) == app.actor_windows.end();
  });
  for (const view::ActorKey& k : app.actor_windows)
    if (std::find(front_.begin(), front_.end(), k) == front_.end()) front_.push_back(k);
  // Esc closes the window in front, focused or not (not while a text field or a popup has it).
  const ImGuiIO& io = ImGui::GetIO();
  if (!front_.empty() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) && !io.WantTextInput &&
      !ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) {
    std::erase(app.actor_windows, front_.back());
    front_.pop_back();
  }
  focused_.reset();
  std::vector<view::ActorKey> keep;
  for (size_t i = 0; i < app.actor_windows.size(); ++i) {
    const view::ActorKey key = app.actor_windows[i];
    State& s = states_[key];
    ImGui::SetNextWindowSize(ImVec2(620, 640), ImGuiCond_FirstUseEver);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x - 660 - 30.0f * i, 90 + 30.0f * i), ImGuiCond_FirstUseEver);
    if (draw_one(app, key, s)) keep.push_back(key);
  }
  app.actor_windows = keep;
  probe::value("actor windows", std::to_string(app.actor_windows.size()));
  if (focused_) {
    std::erase(front_, *focused_);
    front_.push_back(*focused_);
  }
}

bool ActorWindows::draw_one(AppState& app, view::ActorKey window, State& s) {
  const view::Replica& r = app.replica();
  if (!s.following) {
    s.follow.reset(r, window);
    s.following = true;
    s.shown = window;
  }
  if (const auto& reply = r.detail()) s.follow.seed(r, *reply);  // opened after it had gone
  const view::ActorKey key = s.follow.update(r);
  if (!(key == s.shown)) {  // a new incarnation: ask for its detail now
    s.shown = key;
    s.reply.reset();
    s.asked = {};
  }
  s.history.sample(r, key);
  const auto now = std::chrono::steady_clock::now();
  if (r.detail() && r.detail()->node == key.node && r.detail()->actor == key.actor) s.reply = r.detail();
  if (now - s.asked > std::chrono::milliseconds(settings_.detail_refresh_ms) && app.feed.connected()) {
    s.pending = app.feed.request_detail(key);
    s.asked = now;
  }
  view::DetailModel d = view::detail(r, key);
  if (s.reply && !d.reply_received) view::apply_reply(d, r, *s.reply);
  const std::string& name = d.name;
  // The ImGui id is the window's own (the key it was opened on): it stays in place as the
  // child it follows is restarted.
  const std::string title = "Actor " + name + " on " + d.node_name + "###actor" + std::to_string(window.node) + "." +
                            std::to_string(window.actor);
  bool open = true;
  if (!ImGui::Begin(title.c_str(), &open)) {
    ImGui::End();
    return open;
  }
  if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) focused_ = window;
  drawn_text::begin_window();
  drawn_text::note(("[window] Actor " + name + " on " + d.node_name).c_str());
  ImGui::PushFont(style::fonts().large);
  ImGui::TextUnformatted(name.c_str());
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled("%s  %s  id %llu", d.row.type.c_str(), std::string(proto::name(d.row.kind)).c_str(),
                      static_cast<unsigned long long>(key.actor));
  // Where the child is: restarted (this window now shows the new incarnation), waiting for its
  // supervisor, or gone for good.
  const std::string where = s.follow.note();
  if (!where.empty()) {
    const view::ChildState st = s.follow.state();
    const ImVec4 c = st == view::ChildState::restarted ? style::kRestart : st == view::ChildState::restarting ? style::kWarn : style::kBad;
    ImGui::TextColored(c, "%s", where.c_str());
  } else if (!d.live) {
    ImGui::TextColored(style::kBad, "This actor is no longer alive.");
  }
  if (!d.child_text.empty()) {
    ImGui::TextColored(d.child && d.child->last_crash_actor ? style::kRestart : style::kTextMuted, "Child %s: %s",
                       d.child->child_id.c_str(), d.child_text.c_str());
  }
  if (!d.handling_text.empty()) ImGui::TextColored(style::kWarn, "%s", d.handling_text.c_str());
  if (!d.senders_text.empty()) ImGui::TextWrapped("%s", d.senders_text.c_str());
  if (!d.message_types_text.empty()) ImGui::TextWrapped("%s", d.message_types_text.c_str());
  if (d.live)
    if (const std::string p = view::mailbox_pressure_text(d.stats); !p.empty()) ImGui::TextWrapped("%s", p.c_str());
  if (ImGui::SmallButton("Show in tree")) app.jump_to(key);

  if (ImGui::BeginTable("counters", 4, ImGuiTableFlags_SizingStretchProp)) {
    field("State", std::string(pv::name(d.stats.state)), d.stats.state == pv::ActorState::Running ? style::kGood : style::kWarn);
    const view::DisplayThresholds& t = app.settings.thresholds;
    field("Mailbox", view::format_count(d.stats.mailbox), style::severity_colour(view::mailbox_severity(d.stats.mailbox, t)));
    const bool beam = d.rate_unit == "red/s";
    field(beam ? "Reductions/s" : "Messages/s", view::format_rate(d.msgs_per_s));
    field(beam ? "Reductions" : "Processed", view::format_count(d.work));
    field("Enqueued", view::format_count(d.stats.enqueued));
    field("Busy (total)", beam ? std::string("-") : view::format_duration_ns(d.stats.busy_ns));
    field("Mean per message", beam ? std::string("-") : view::format_duration_ns(d.avg_processing_ns));
    field("Children", view::format_count(d.children));
    field("Restart", std::string(proto::name(d.row.restart)));
    field("Restarts", view::format_count(d.stats.restarts), d.stats.restarts ? style::kRestart : style::kText);
    if (d.row.kind == proto::ActorKind::Supervisor) {
      field("Strategy", std::string(proto::name(d.row.strategy)), style::kAccent);
      field("Restart budget", view::format_budget(d.stats.restarts_in_period, d.row.intensity, d.row.period_ms),
            style::severity_colour(view::restart_budget_severity(d.stats.restarts_in_period, d.row.intensity, t)));
    }
    if (d.row.spawned_wall_ns) field("Up for", view::format_age(d.row.spawned_wall_ns, r.last_tick().wall_ns));
    ImGui::EndTable();
  }

  const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
  std::vector<double> mb(s.history.mailbox().begin(), s.history.mailbox().end()),
      pt(s.history.processing_us().begin(), s.history.processing_us().end());
  time_chart("##mailbox", mb, ImVec2(w, 130), ChartStyle{style::kWarn, "Mailbox depth", count, 0.1f, true}, -1);
  ImGui::SameLine();
  time_chart("##processing", pt, ImVec2(w, 130), ChartStyle{style::kAccent, "Processing time per message", micros, 0.1f}, -1);

  if (ImGui::CollapsingHeader("Parent chain", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (d.chain.empty()) ImGui::TextDisabled("(a root)");
    // root first, like a path: shop_sup > web_sup > session_sup > this actor
    for (size_t i = d.chain.size(); i-- > 0;) {
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::SmallButton(d.chain[i].name.c_str())) app.open_actor({key.node, d.chain[i].actor});
      if (ImGui::IsItemHovered()) {
        drawn_text::Pause keep;
        ImGui::SetTooltip("%s - click to open", d.chain[i].type.c_str());
      }
      ImGui::SameLine();
      ImGui::TextDisabled(">");
      ImGui::SameLine();
      ImGui::PopID();
    }
    if (!d.chain.empty()) ImGui::TextUnformatted(name.c_str());
  }
  if (ImGui::CollapsingHeader("Links and monitors", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (!d.reply_received) ImGui::TextDisabled("asking the collector...");
    else if (d.links.empty()) ImGui::TextDisabled("none");
    for (const auto& l : d.links) {
      ImGui::BulletText("%s %s%s", std::string(pv::name(l.kind)).c_str(), view::actor_name(r, {key.node, l.peer}).c_str(),
                        l.count > 1 ? (" (x" + std::to_string(l.count) + ")").c_str() : "");
    }
  }
  if (ImGui::CollapsingHeader("Recent events", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (d.recent_events.empty()) ImGui::TextDisabled("none");
    for (const auto& e : d.recent_events) {
      ImGui::TextDisabled("%s", view::format_clock(e.wall_ns).c_str());
      ImGui::SameLine();
      const ImVec4 c = e.kind == pv::EventKind::Crashed ? style::kBad
                       : e.kind == pv::EventKind::Restarted ? style::kRestart
                                                              : style::kText;
      ImGui::TextColored(c, "%-9s", std::string(pv::name(e.kind)).c_str());
      ImGui::SameLine();
      ImGui::TextUnformatted(view::describe(e, &r).c_str());
    }
  }
  if (app.feed.commands_allowed() && d.live) {
    ImGui::Separator();
    ImGui::SetNextItemWidth(220);
    ImGui::InputTextWithHint("##token", "token (empty: the viewer's own)", s.token, sizeof s.token, ImGuiInputTextFlags_Password);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.55f, 0.18f, 0.16f, 1.0f));
    if (ImGui::Button("Kill actor") || app.confirm_kill == key) ImGui::OpenPopup("Kill this actor?");
    if (app.confirm_kill == key) app.confirm_kill.reset();
    ImGui::PopStyleColor();
    // Killing changes the application: one more click, in a modal that names the actor.
    if (ImGui::BeginPopupModal("Kill this actor?", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
      ImGui::Text("Kill %s (actor %llu) on %s? Its supervisor decides whether it restarts.", name.c_str(),
                  static_cast<unsigned long long>(key.actor), d.node_name.c_str());
      if (ImGui::Button("Kill")) {
        s.kill_request = app.feed.request_kill(key, s.token);
        s.kill_result = "sent, waiting for the answer";
        ImGui::CloseCurrentPopup();
      }
      ImGui::SameLine();
      if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
      ImGui::EndPopup();
    }
    const auto& res = r.command();
    if (res && res->request == s.kill_request && s.kill_request) s.kill_result = res->message;  // "done: ..." or "refused: ..."
    if (!s.kill_result.empty()) ImGui::TextWrapped("%s", s.kill_result.c_str());
  }
  drawn_text::end_window();
  ImGui::End();
  return open;
}

}  // namespace actorscope::gui
