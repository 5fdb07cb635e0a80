// Mouse events on the last frame drawn: tabs, list rows, the wheel.
#include "mouse.hpp"

#include "selection.hpp"
#include "actorscope/view/flow.hpp"

namespace actorscope::tui {

unsigned handle_mouse(const MouseEvent& m, ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.searching || ui.asking_time || ui.kill_asked) return kNothing;  // a prompt waits for its key
  switch (m.kind) {
    case MouseEvent::Kind::WheelUp: return move_selection(ctx, -kWheelRows);
    case MouseEvent::Kind::WheelDown: return move_selection(ctx, kWheelRows);
    case MouseEvent::Kind::Click: break;
  }
  if (m.y == ui.tabs_y) {
    for (const auto& t : ui.tabs)
      if (m.x >= t.x0 && m.x < t.x1) {
        ui.message.clear();
        return show_view(ctx, t.view);
      }
    return kNothing;
  }
  if (ui.list_y < 0 || m.y < ui.list_y || m.y >= ui.list_y + ui.body_rows) return kNothing;
  ListCursor& cur = ui.cursor[static_cast<size_t>(ui.view)];
  auto lock = ctx.client.lock();
  const view::Replica& r = ctx.client.replica();
  // The row under the pointer in the frame the user sees: its offset, rows counted anew.
  const size_t n = follow_selection(ui, ui.view, r);
  const size_t row = cur.offset + static_cast<size_t>(m.y - ui.list_y);
  if (row >= n) return kNothing;
  cur.selected = row;
  cur.at_top = false;
  remember_selection(ui, ui.view, r);
  if (ui.view == ViewId::Flow && !ui.flow_subtree)  // a click on an edge shows its history, as Enter does
    if (auto edges = view::flow_map(r, ui.node, ui.thresholds).edges; row < edges.size()) ui.flow_edge = edges[row].key;
  ui.message.clear();
  return kRedraw;
}

}  // namespace actorscope::tui
