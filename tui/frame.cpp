// The whole frame: header, the current panel and the status line.
#include "panels.hpp"

#include <time.h>

#include "actorscope/view/instant.hpp"
#include "actorscope/view/partial.hpp"

namespace actorscope::tui {

uint64_t wall_clock_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Style style_of(view::Severity s, Style normal) {
  switch (s) {
    case view::Severity::critical: return Style::Critical;
    case view::Severity::warn: return Style::Warning;
    default: return normal;
  }
}

void draw_status(Canvas& c, int y, const UiState& ui, const std::string& partial, const view::Replica& r) {
  c.fill(y, Style::Status);
  std::string s;
  // The answer to the last instant asked for: a refusal says why; once shown, the ask is done.
  const bool answered = ui.instant_request != 0 && r.instant().request == ui.instant_request;
  if (ui.searching)
    s = "/" + ui.search_input + "_";
  else if (ui.asking_time) {
    const std::string reach = view::history_reach(r, wall_clock_ns());
    s = "time (10:42:17, -5m, 2026-12-01 10:42:17, now): " + ui.time_input + "_" + (reach.empty() ? "" : "   " + reach);
  } else if (answered && !view::instant_refusal(r).empty())
    s = "t: " + view::instant_refusal(r) + (view::history_reach(r, wall_clock_ns()).empty() ? "" : "; " + view::history_reach(r, wall_clock_ns()));
  else if (ui.playback.playing())
    s = view::instant_refusal(r).empty() ? ui.playback.status(wall_clock_ns()) + "   p: pause  + -: speed  t [ ]: jump"
                                         : "t: " + view::instant_refusal(r);
  else if (!ui.message.empty() && !(answered && ui.message.rfind("asking for", 0) == 0))
    s = ui.message;
  else if (!partial.empty()) {
    // Partial data is never shown as if whole: the note takes the line until it is.
    c.fill(y, Style::Warning);
    c.text(y, 0, partial, Style::Warning);
    return;
  } else
    s = "?:help  q:quit  Tab/1-6:views  Enter:detail  /:search  n:node  space:pause  <- ->:sort  i:invert   " + ui.status;
  c.text(y, 0, s, Style::Status);
}

void draw_frame(Canvas& c, const view::Replica& r, UiState& ui) {
  const int h = c.height();
  resolve_pinned_node(ui, r);
  ui.flow_history.update(r);  // whatever view is in front: an edge's history starts when the viewer does
  int top = draw_header(c, 0, r, ui), body = h - top - 1;
  ui.body_rows = std::max(1, body - 1);
  ui.list_y = -1;  // a list panel sets it
  switch (ui.view) {
    case ViewId::Tree: draw_tree(c, top, body, r, ui); break;
    case ViewId::Actors: draw_actors(c, top, body, r, ui); break;
    case ViewId::Events: draw_events(c, top, body, r, ui); break;
    case ViewId::Telemetry: draw_telemetry(c, top, body, r, ui); break;
    case ViewId::Warnings: draw_warnings(c, top, body, r, ui); break;
    case ViewId::Flow: draw_flow(c, top, body, r, ui); break;
    case ViewId::Detail: draw_detail(c, top, body, r, ui); break;
    case ViewId::Help: draw_help(c, top, body, ui); break;
    case ViewId::Chain: draw_chain(c, top, body, r, ui); break;
    case ViewId::Diff: draw_diff(c, top, body, ui); break;
  }
  draw_status(c, h - 1, ui, view::partial_note(r), r);
}

}  // namespace actorscope::tui
