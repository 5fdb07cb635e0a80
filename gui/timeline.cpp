// Draws the timeline strip and turns clicks, drags and [ ] into instants asked of the collector.
#include "timeline.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "drawn_text.hpp"
#include "probe.hpp"
#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/export.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/instant.hpp"
#include "imgui.h"

namespace actorscope::gui {

std::optional<uint64_t> DragThrottle::moved(uint64_t wall_ns, double now_s) {
  if (sent_any_ && (wall_ns == last_ || now_s - sent_at_ < interval_s_)) return std::nullopt;
  sent_any_ = true;
  last_ = wall_ns;
  sent_at_ = now_s;
  return wall_ns;
}

std::optional<uint64_t> DragThrottle::released(uint64_t wall_ns) {
  const bool again = sent_any_ && wall_ns == last_;
  sent_any_ = false;  // the next drag starts afresh
  if (again) return std::nullopt;
  last_ = wall_ns;
  return wall_ns;
}

namespace {

constexpr float kMarkerLane = 7;   // height of one marker lane
constexpr int kLanes = 5;          // crashes, restart storms, escalations, nodes, warnings
constexpr double kRefreshS = 2.0;  // the timeline is asked again this often
constexpr double kReplyTimeoutS = 10.0;

struct Lane {
  const char* name;
  ImVec4 colour;
};
const Lane kLaneInfo[kLanes] = {
    {"crash", style::kBad},
    {"restart storm", style::kRestart},
    {"escalation", style::kEscalation},
    {"node up / down", style::kGood},
    {"warning", style::kWarn},
};

// What happened in one pixel column of the strip.
struct Column {
  uint32_t crashes = 0, restarts = 0, escalations = 0, nodes_up = 0, nodes_down = 0, warnings = 0;
  uint32_t bucket_ms_sum = 0;  // how much time the buckets counted here cover
};

}  // namespace

float Timeline::height() {
  return ImGui::GetFrameHeightWithSpacing() + kLanes * kMarkerLane + ImGui::GetTextLineHeight() + 10;
}

void Timeline::refresh(AppState& app) {
  const auto& t = app.replica().timeline();
  const bool answered = t && t->request == request_;
  if (request_ && !answered && app.time - asked_at_ < kReplyTimeoutS) return;  // one in flight
  if (request_ && answered && app.time - asked_at_ < kRefreshS) return;
  if (!request_ && app.time - asked_at_ < kRefreshS) return;  // not sent last time: not connected yet
  if (!app.feed.connected()) return;
  request_ = app.feed.request_timeline(0, 0);
  asked_at_ = app.time;
}

namespace {
uint64_t steady_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

void Timeline::draw(AppState& app) {
  // The past played forward: the next instant once the last one has come whole.
  if (app.playback.playing())
    if (auto at = app.playback.tick(app.replica(), app.instant_request, app.now_wall_ns(), steady_ns()))
      app.show_instant(*at, false);
  refresh(app);
  draw_controls(app);
  draw_strip(app);
}

// The diff's window: the summary, then a row per change (restarts, exits, spawns, then mailbox
// deltas, largest first).
void Timeline::draw_diff() {
  if (!diff_open_) return;
  ImGui::SetNextWindowSize(ImVec2(820, 380), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("What changed###diff", &diff_open_)) {
    ImGui::End();
    return;
  }
  drawn_text::begin_window();
  drawn_text::note("[window] What changed");
  ImGui::TextUnformatted(view::diff_summary(diff_).c_str());
  ImGui::Separator();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(diff_.rows.size()));
  while (clipper.Step())
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const view::DiffRow& row = diff_.rows[static_cast<size_t>(i)];
      ImVec4 colour = style::kText;
      switch (row.kind) {
        case view::DiffKind::Restarted: colour = style::kRestart; break;
        case view::DiffKind::Exited: colour = style::kBad; break;
        case view::DiffKind::Spawned: colour = style::kGood; break;
        case view::DiffKind::Mailbox: colour = style::kText; break;
      }
      ImGui::TextColored(colour, "%s", view::diff_row_text(row).c_str());
    }
  if (diff_.rows.empty()) ImGui::TextDisabled("nothing changed between the two instants");
  drawn_text::end_window();
  ImGui::End();
}

// Save history: the collector's flight recorder written as a recording in the working
// directory (actorscope-history-STAMP.rec, opened with --open); what it holds once written.
void Timeline::draw_save(AppState& app) {
  const view::ExportStatus s = app.feed.export_status();
  const bool running = s.state == view::ExportStatus::State::Running;
  if (running) ImGui::BeginDisabled();
  if (ImGui::SmallButton("Save history")) {
    const uint64_t wall = app.now_wall_ns();
    const std::string csv = view::export_file_name("history", wall);  // actorscope-history-STAMP.csv
    std::error_code ec;
    const std::string path = (std::filesystem::current_path(ec) / (csv.substr(0, csv.size() - 4) + ".rec")).string();
    std::string error;
    save_note_ = app.feed.start_export(path, error) ? "saving the history to " + path : "save history: " + error;
    save_seen_ = true;
  }
  if (running) ImGui::EndDisabled();
  probe::item("timeline-save");
  if (save_seen_ && s.state == view::ExportStatus::State::Done)
    save_note_ = "history " + clock_label(s.begins_wall_ns) + " to " + clock_label(s.ends_wall_ns) + ", " +
                 view::format_bytes(s.bytes) + " in " + s.path + " (open it with --open)";
  else if (save_seen_ && s.state == view::ExportStatus::State::Failed)
    save_note_ = "save history failed: " + s.error;
  if (!save_note_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", save_note_.c_str());
  }
}

void Timeline::draw_controls(AppState& app) {
  const view::Replica& r = app.replica();
  const uint64_t now = app.now_wall_ns();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("TIMELINE");
  ImGui::SameLine();
  const bool live = !r.showing_past() && app.feed.shown_instant() == 0;
  if (live) ImGui::BeginDisabled();
  if (ImGui::Button("Now")) app.show_instant(0);
  if (live) ImGui::EndDisabled();
  probe::item("timeline-now");
  ImGui::SameLine();
  if (ImGui::Button(app.playback.playing() ? "Pause" : "Play")) {
    if (app.playback.playing())
      app.playback.pause();
    else if (!app.playback.play(r, now, steady_ns()))
      app.instant_note = "nothing to play: the collector keeps no history";
  }
  probe::item("timeline-play");
  ImGui::SameLine();
  if (ImGui::SmallButton("-")) app.playback.change_speed(-1);
  ImGui::SameLine();
  ImGui::TextDisabled("%s", app.playback.speed_text().c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("+")) app.playback.change_speed(+1);
  ImGui::SameLine();
  if (r.showing_past())
    ImGui::TextColored(style::kBad, "%s", view::instant_banner(r, now).c_str());
  else if (app.feed.shown_instant())
    ImGui::TextColored(style::kWarn, "%s", app.instant_note.c_str());
  else
    ImGui::TextColored(style::kGood, "live");
  ImGui::SameLine(0, 18);
  std::string reach = view::history_reach(r, now);  // told with an instant; else the timeline's span
  if (reach.empty() && r.timeline() && r.timeline()->ends_wall_ns > r.timeline()->begins_wall_ns)
    reach = "history from " + clock_label(r.timeline()->begins_wall_ns) + " to " + clock_label(r.timeline()->ends_wall_ns);
  ImGui::TextDisabled("%s", reach.empty() ? "no history from the collector" : reach.c_str());
  // The collector counts the markers of all its nodes together: said so when one node is shown.
  if (app.node != 0) {
    ImGui::SameLine(0, 18);
    ImGui::TextColored(style::kWarn, "markers: all nodes");
  }
  ImGui::SameLine(0, 18);
  ImGui::TextDisabled("[ ] step 10 s, click or drag the strip");
  ImGui::SameLine(0, 18);
  draw_save(app);
  ImGui::SameLine(0, 18);
  if (ImGui::SmallButton("Mark")) mark_ = view::mark_tree(r, app.node);
  probe::item("timeline-mark");
  if (ImGui::IsItemHovered()) {
    drawn_text::Pause keep;
    ImGui::SetTooltip("%s", mark_.set ? ("marked " + view::format_instant(mark_.wall_ns, now) + "; mark the instant shown instead").c_str()
                                      : "mark the instant shown, to compare another one with it");
  }
  ImGui::SameLine();
  if (!mark_.set) ImGui::BeginDisabled();
  if (ImGui::SmallButton("What changed?")) {
    diff_ = view::diff_trees(mark_, view::mark_tree(r, mark_.node));
    diff_open_ = true;
  }
  if (!mark_.set) ImGui::EndDisabled();
  probe::item("timeline-diff");
  if (const std::string refused = view::instant_refusal(r); !refused.empty()) {
    ImGui::SameLine(0, 18);
    ImGui::TextColored(style::kBad, "%s", refused.c_str());
  }
  // the legend, on the right when there is room
  float legend_w = 0;
  for (const Lane& l : kLaneInfo) legend_w += ImGui::CalcTextSize(l.name).x + 26;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  ImGui::SameLine();
  if (ImGui::GetCursorScreenPos().x + legend_w < right) {
    ImGui::SetCursorScreenPos(ImVec2(right - legend_w, ImGui::GetCursorScreenPos().y));
    for (const Lane& l : kLaneInfo) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float s = ImGui::GetTextLineHeight() * 0.6f;
      const float y = p.y + (ImGui::GetFrameHeight() - s) * 0.5f;
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + s, y + s), style::u32(l.colour));
      ImGui::SetCursorScreenPos(ImVec2(p.x + s + 5, p.y));
      ImGui::AlignTextToFramePadding();
      ImGui::TextDisabled("%s", l.name);
      ImGui::SameLine(0, 14);
    }
  }
  ImGui::NewLine();
}

void Timeline::draw_strip(AppState& app) {
  const view::Replica& r = app.replica();
  const auto& t = r.timeline();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lanes_h = kLanes * kMarkerLane;
  const ImVec2 size(ImGui::GetContentRegionAvail().x, lanes_h + ImGui::GetTextLineHeight() + 6);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##timeline", size);
  probe::item("timeline");
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  const bool released = ImGui::IsItemDeactivated();
  dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + lanes_h + 2), style::u32(style::kPanel), 3.0f);
  const uint64_t begins = t ? t->begins_wall_ns : 0, ends = t ? t->ends_wall_ns : 0;
  if (!t || ends <= begins) {
    const char* why = t ? "the collector keeps no history yet" : "waiting for the collector's timeline";
    dl->AddText(ImVec2(p0.x + 8, p0.y + (lanes_h - ImGui::GetTextLineHeight()) * 0.5f), style::u32(style::kTextMuted), why);
    drawn_text::note(why);
    return;
  }
  // The strip runs from where history begins (left) to its newest instant (right, live).
  const float x0 = p0.x + 4, x1 = p0.x + size.x - 4;
  const double span = static_cast<double>(ends - begins);
  auto x_of = [&](uint64_t w) {
    const uint64_t c = std::clamp(w, begins, ends);
    return x0 + static_cast<float>(static_cast<double>(c - begins) / span) * (x1 - x0);
  };
  auto wall_at = [&](float x) -> uint64_t {
    if (x >= x1 - 2) return 0;  // the right end: live
    const double f = std::clamp((x - x0) / (x1 - x0), 0.0f, 1.0f);
    return begins + static_cast<uint64_t>(f * span);
  };
  char where[96];
  std::snprintf(where, sizeof where, "%.1f %.1f %llu %llu", x0, x1, static_cast<unsigned long long>(begins),
                static_cast<unsigned long long>(ends));
  probe::value("timeline-span", where);  // x0 x1 begins_wall_ns ends_wall_ns: for tests that drag it

  // markers, summed per pixel column
  const int cols = std::max(1, static_cast<int>(x1 - x0) + 1);
  std::vector<Column> col(static_cast<size_t>(cols));
  for (const auto& b : t->buckets) {
    const int c = std::clamp(static_cast<int>(x_of(b.wall_ns + t->bucket_ms * 500'000ull) - x0), 0, cols - 1);
    Column& k = col[static_cast<size_t>(c)];
    k.crashes += b.crashes;
    k.restarts += b.restarts;
    k.escalations += b.escalations;
    k.nodes_up += b.nodes_up;
    k.nodes_down += b.nodes_down;
    k.warnings += b.warnings;
    k.bucket_ms_sum += t->bucket_ms;
  }
  const view::DisplayThresholds& th = app.settings.thresholds;
  for (int c = 0; c < cols; ++c) {
    const Column& k = col[static_cast<size_t>(c)];
    if (!k.bucket_ms_sum) continue;
    const float x = x0 + static_cast<float>(c);
    auto mark = [&](int lane, ImVec4 colour, float alpha) {
      const float y = p0.y + 1 + lane * kMarkerLane;
      dl->AddRectFilled(ImVec2(x - 1, y + 1), ImVec2(x + 2, y + kMarkerLane - 1), style::u32(colour, alpha));
    };
    if (k.crashes) mark(0, style::kBad, 1.0f);
    // Restarts: a storm (the restart rate the displays call high) in full colour, a few faintly.
    if (k.restarts) {
      const double per_min = k.restarts * 60000.0 / std::max<uint32_t>(t->bucket_ms, k.bucket_ms_sum);
      mark(1, style::kRestart, view::restart_rate_severity(per_min, th) != view::Severity::normal ? 1.0f : 0.35f);
    }
    if (k.escalations) mark(2, style::kEscalation, 1.0f);
    if (k.nodes_up) mark(3, style::kGood, 1.0f);
    if (k.nodes_down) mark(3, style::kNodeDown, 1.0f);
    if (k.warnings) mark(4, style::kWarn, 1.0f);
  }

  // time labels under the strip
  const float label_w = ImGui::CalcTextSize("00:00:00").x;
  const float label_y = p0.y + lanes_h + 4;
  for (const TimeTick& tick : time_ticks(begins, ends, x1 - x0, label_w + 24)) {
    const float x = x0 + tick.x;
    dl->AddLine(ImVec2(x, p0.y + lanes_h - 2), ImVec2(x, p0.y + lanes_h + 3), style::u32(style::kEdge));
    const std::string label = clock_label(tick.wall_ns);
    const float lx = std::clamp(x - label_w * 0.5f, p0.x, p0.x + size.x - label_w);
    dl->AddText(ImVec2(lx, label_y), style::u32(style::kTextMuted), label.c_str());
    drawn_text::note(label.c_str());
  }

  // a click or a drag asks for the instant under the pointer, throttled
  if (active) {
    const uint64_t w = wall_at(ImGui::GetIO().MousePos.x);
    dragged_ = w;
    if (auto send = throttle_.moved(w, app.time)) app.show_instant(*send);
  }
  // Released: the frame after the last one the strip was held in (whether or not ImGui
  // reported the deactivation, which a press and release close together can skip).
  if ((released || !active) && dragged_) {
    if (auto send = throttle_.released(*dragged_)) app.show_instant(*send);
    dragged_.reset();
  }

  // the handle: where the drag is, else the instant shown (or asked for), else live at the right
  uint64_t at = 0;
  if (dragged_)
    at = *dragged_;
  else if (r.showing_past())
    at = r.instant().wall_ns;
  else
    at = app.feed.shown_instant();
  const bool past = at != 0;
  const float hx = past ? x_of(at) : x1;
  const ImU32 hc = style::u32(past ? style::kBad : style::kGood);
  dl->AddLine(ImVec2(hx, p0.y - 2), ImVec2(hx, p0.y + lanes_h + 2), hc, 2.0f);
  dl->AddTriangleFilled(ImVec2(hx - 6, p0.y - 4), ImVec2(hx + 6, p0.y - 4), ImVec2(hx, p0.y + 4), hc);
  probe::value("timeline-handle", std::to_string(static_cast<int>(hx)));
  probe::value("timeline-held", dragged_ ? "1" : "0");
  probe::value("instant", r.showing_past() ? std::to_string(r.instant().wall_ns) : std::string("live"));
  probe::value("instant-asked", std::to_string(app.feed.shown_instant()));
  probe::value("past-ready", r.past_ready() ? "1" : "0");

  if (hovered && !active) {
    const float mx = ImGui::GetIO().MousePos.x;
    const uint64_t w = wall_at(mx);
    dl->AddLine(ImVec2(mx, p0.y), ImVec2(mx, p0.y + lanes_h), style::u32(style::kText, 0.4f));
    Column sum;
    const int c = static_cast<int>(mx - x0);
    for (int i = std::max(0, c - 2); i <= std::min(cols - 1, c + 2); ++i) {
      const Column& k = col[static_cast<size_t>(i)];
      sum.crashes += k.crashes;
      sum.restarts += k.restarts;
      sum.escalations += k.escalations;
      sum.nodes_up += k.nodes_up;
      sum.nodes_down += k.nodes_down;
      sum.warnings += k.warnings;
    }
    drawn_text::Pause keep;
    ImGui::SetTooltip("%s  (click or drag: show this instant)\ncrashes %u  restarts %u  escalations %u\nnodes up %u  down %u  warnings %u",
                      w ? view::format_instant(w, app.now_wall_ns()).c_str() : "now, live", sum.crashes, sum.restarts,
                      sum.escalations, sum.nodes_up, sum.nodes_down, sum.warnings);
  }
}

}  // namespace actorscope::gui
