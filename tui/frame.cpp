// The whole frame: header, the current panel and the status line.
#include "panels.hpp"
#include "actorscope/view/partial.hpp"

namespace actorscope::tui {

Style style_of(view::Severity s, Style normal) {
  switch (s) {
    case view::Severity::critical: return Style::Critical;
    case view::Severity::warn: return Style::Warning;
    default: return normal;
  }
}

void draw_status(Canvas& c, int y, const UiState& ui, const std::string& partial) {
  c.fill(y, Style::Status);
  std::string s;
  if (ui.searching)
    s = "/" + ui.search_input + "_";
  else if (!ui.message.empty())
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
  }
  draw_status(c, h - 1, ui, view::partial_note(r));
}

}  // namespace actorscope::tui
