// The Events panel: crashes, restarts, exits, telemetry and node events, newest first.
#include <algorithm>

#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

void draw_events(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  follow_selection(ui, ViewId::Events, r, Follow::Draw);
  const auto& rows = ui.events.rows();
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Events)];
  int body = height - 1;
  cur.fit(rows.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Events, r);
  ui.list_y = top + 1;
  // The detail takes what is left; the name gives way first, then the node's name. With one
  // node shown, NODE says nothing new.
  const Columns cols(c.width(), {{9, 0, false, 0}, {ui.node != 0 ? 0 : 15, 7, false, 0}, {10, 0, false, 0}, {26, 12, false, 0}, {24, 0, false, 0, true}},
                     ui.glyphs.ellipsis);
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, cols.cell(0, "TIME") + cols.cell(1, "NODE") + cols.cell(2, "KIND") + cols.cell(3, "NAME") + "REASON / DETAIL",
         Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= rows.size()) break;
    const auto& e = *rows[idx];
    if (e.not_sent > 0) {  // events the collector did not send: a marked row where they were
      int gy = top + 1 + i;
      bool gap_selected = idx == cur.selected;
      if (gap_selected) c.fill(gy, Style::Selected);
      c.text(gy, 0, cols.cell(0, "") + view::gap_text(e), gap_selected ? Style::Selected : Style::Warning);
      continue;
    }
    const auto* n = r.node(e.node);
    std::string line;
    Style st = style_of(view::event_severity(e));
    if (const view::Cascade* cascade = ui.events.cascade(idx)) {
      // One row for a restart cascade; Enter shows its events under it.
      line = cols.cell(0, view::format_clock(e.wall_ns)) + cols.cell(1, n ? n->name : "?") + cols.cell(2, "cascade") +
             (cascade->expanded ? "- " : "+ ") + view::cascade_text(*cascade, r);
      st = cascade->cause && cascade->cause->kind == proto::viewer::EventKind::Crashed ? Style::Critical : Style::Warning;
    } else {
      std::string name = (ui.events.nested(idx) ? "  " : "") + view::event_name(e);
      line = cols.cell(0, view::format_clock(e.wall_ns)) + cols.cell(1, n ? n->name : "?") +
             cols.cell(2, proto::viewer::name(e.kind)) + cols.cell(3, name) + view::event_text(e, &r);
    }
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : st);
  }
  // Under the last row, what the bounded log dropped: room below a list is never left blank
  // while older events are missing from it.
  size_t shown = rows.size() > cur.offset ? rows.size() - cur.offset : 0;
  std::string dropped = view::events_dropped_note(r);
  if (!dropped.empty() && shown < static_cast<size_t>(body)) {
    c.text(top + 1 + static_cast<int>(std::max<size_t>(shown, 1)), 0, dropped, Style::Dim);
  }
  if (rows.empty())
    c.text(top + 1, 0, ui.events_query.kinds & proto::viewer::kind_bit(proto::viewer::EventKind::Telemetry)
                           ? "no events yet" : "no events yet (t shows telemetry events)", Style::Dim);
}

}  // namespace actorscope::tui
