// The Actors panel: every actor, sorted on a chosen column, a window at a time.
#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

// Busy time shared by the messages processed (processing scopes that ended; an older
// collector sends dequeued only); "-" where nothing was processed or no time is known (BEAM).
std::string average_processing(const view::Actor& a) {
  const uint64_t handled = a.stats.processed ? a.stats.processed : a.stats.dequeued;
  return handled && a.stats.busy_ns ? view::format_duration_ns(a.stats.busy_ns / handled) : "-";
}

void draw_actors(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  follow_selection(ui, ViewId::Actors, r, Follow::Draw);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Actors)];
  int body = height - 1;
  cur.fit(ui.actors.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Actors, r);
  ui.list_y = top + 1;
  // Numbers are never cut: the name gives way first (down to 16), then TYPE and NODE, then
  // the average, the state and the growth are left out, in that order. With one node shown,
  // NODE says nothing new.
  const bool one_node = ui.node != 0;
  const view::ActorColumn ids[] = {view::ActorColumn::Node,           view::ActorColumn::Name,
                                   view::ActorColumn::Type,           view::ActorColumn::Mailbox,
                                   view::ActorColumn::Growth,         view::ActorColumn::MessagesPerSec,
                                   view::ActorColumn::ProcessingTime, view::ActorColumn::Restarts,
                                   view::ActorColumn::State};
  const Columns cols(c.width(),
                     {{one_node ? 0 : 15, 7, false, 0},
                      {16, 0, false, 0, true},
                      {15, 7, false, 0},
                      {9, 0, true},
                      {8, 0, true, 1},
                      {8, 0, true},
                      {8, 0, true},
                      {9, 0, true},
                      {9, 0, true, 2},
                      {8, 0, true, 3}},
                     ui.glyphs.ellipsis);
  c.fill(top, Style::ColumnHeader);
  int x = 0;
  const view::RateColumn rate = view::rate_column(r, ui.node);
  for (size_t i = 0; i < std::size(ids); ++i) {
    std::string t(ids[i] == view::ActorColumn::MessagesPerSec ? view::rate_title(rate) : view::title(ids[i]));
    if (ids[i] == ui.actors_query.sort) t = (ui.actors_query.inverted ? "^" : "v") + t;
    std::string cell = cols.cell(i, t);
    c.text(top, x, cell, ids[i] == ui.actors_query.sort ? Style::TabActive : Style::ColumnHeader);
    x += columns(cell);
  }
  c.text(top, x, cols.cell(9, "AVG"), Style::ColumnHeader);
  auto rows = ui.actors.window(cur.offset, static_cast<size_t>(body));
  for (size_t i = 0; i < rows.size(); ++i) {
    const view::Actor& a = *rows[i];
    int y = top + 1 + static_cast<int>(i);
    bool selected = cur.offset + i == cur.selected;
    const auto* n = r.node(a.row.node);
    std::string name = view::display_name(a);
    std::string line = cols.cell(0, n ? n->name : "?") + cols.cell(1, name) + cols.cell(2, a.row.type) +
                       cols.cell(3, view::format_count(a.stats.mailbox)) + cols.cell(4, view::growth_cell(a.stats)) +
                       cols.cell(5, view::rate_cell(r, a, rate)) + cols.cell(6, view::busy_cell(r, a)) +
                       cols.cell(7, view::format_count(a.stats.restarts)) + cols.cell(8, proto::viewer::name(a.stats.state)) +
                       cols.cell(9, average_processing(a));
    Style st = style_of(view::mailbox_severity(a.stats.mailbox, ui.thresholds));
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : st);
  }
}

}  // namespace actorscope::tui
