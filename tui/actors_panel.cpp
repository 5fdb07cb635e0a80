// The Actors panel: every actor, sorted on a chosen column, a window at a time.
#include "panels.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

void draw_actors(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  ui.actors_query.node = ui.node;
  ui.actors.update(r, ui.actors_query);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Actors)];
  int body = height - 1;
  cur.fit(ui.actors.size(), static_cast<size_t>(body));
  const int w = c.width();
  const int name_w = std::max(16, w - (12 + 14 + 9 + 8 + 8 + 9 + 9 + 8));
  struct Col {
    view::ActorColumn col;
    int width;
    bool right;
  };
  const Col cols[] = {{view::ActorColumn::Node, 12, false},        {view::ActorColumn::Name, name_w, false},
                      {view::ActorColumn::Type, 14, false},        {view::ActorColumn::Mailbox, 9, true},
                      {view::ActorColumn::MessagesPerSec, 8, true}, {view::ActorColumn::ProcessingTime, 8, true},
                      {view::ActorColumn::Restarts, 9, true},      {view::ActorColumn::State, 9, true}};
  c.fill(top, Style::ColumnHeader);
  int x = 0;
  for (const Col& col : cols) {
    std::string t(view::title(col.col));
    if (col.col == ui.actors_query.sort) t = (ui.actors_query.inverted ? "^" : "v") + t;
    c.text(top, x, pad(t, col.width, col.right), col.col == ui.actors_query.sort ? Style::TabActive : Style::ColumnHeader);
    x += col.width;
  }
  c.text(top, x, pad(" AVG", 8, true), Style::ColumnHeader);
  auto rows = ui.actors.window(cur.offset, static_cast<size_t>(body));
  for (size_t i = 0; i < rows.size(); ++i) {
    const view::Actor& a = *rows[i];
    int y = top + 1 + static_cast<int>(i);
    bool selected = cur.offset + i == cur.selected;
    const auto* n = r.node(a.row.node);
    std::string name = view::display_name(a);
    std::string line = pad(n ? n->name : "?", 12) + pad(name, name_w) + pad(a.row.type, 14) +
                       pad(view::format_count(a.stats.mailbox), 9, true) + pad(view::format_rate(a.msgs_per_s(), ""), 8, true) +
                       pad(view::format_duration_ns(a.stats.busy_ns), 8, true) + pad(view::format_count(a.stats.restarts), 9, true) +
                       pad(proto::viewer::name(a.stats.state), 9, true) +
                       pad(a.stats.dequeued ? view::format_duration_ns(a.stats.busy_ns / a.stats.dequeued) : "-", 8, true);
    Style st = style_of(view::mailbox_severity(a.stats.mailbox, ui.thresholds));
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : st);
  }
}

}  // namespace actorscope::tui
