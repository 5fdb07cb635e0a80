// The Tree panel: supervision trees with strategy, restart budget, mailbox and restarts.
#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

void draw_tree(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  follow_selection(ui, ViewId::Tree, r, Follow::Draw);
  const auto& rows = ui.tree.rows();
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Tree)];
  int body = height - 1;
  cur.fit(rows.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Tree, r);
  ui.list_y = top + 1;
  // Numbers on the right are never cut; the tree takes what is left (at least 20 columns),
  // then STRATEGY and TYPE give way, with an ellipsis.
  const Columns cols(c.width(),
                     {{20, 0, false, 0, true},
                      {15, 7, false, 0},
                      {19, 12, false, 0},  // simple_one_for_one whole where there is room
                      {9, 0, true},
                      {9, 0, true},
                      {9, 0, true},
                      {8, 0, true}},
                     ui.glyphs.ellipsis);
  std::string head = cols.cell(0, "NAME") + cols.cell(1, "TYPE") + cols.cell(2, "STRATEGY") + cols.cell(3, "BUDGET") +
                     cols.cell(4, "MAILBOX") + cols.cell(5, "RESTARTS") + cols.cell(6, "ACTORS");
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, head, Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= rows.size()) break;
    const view::TreeRow& row = rows[idx];
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    std::string indent;
    for (unsigned d = 1; d < row.depth; ++d) indent += d < 64 && (row.guides >> d & 1) ? ui.glyphs.pipe : ui.glyphs.space;
    if (row.depth > 0) indent += row.last_sibling ? ui.glyphs.last : ui.glyphs.branch;
    std::string mark(row.has_children ? (row.expanded ? ui.glyphs.expanded : ui.glyphs.collapsed) : ui.glyphs.leaf);
    std::string name, type, strategy, budget;
    Style st = Style::Normal;
    switch (row.kind) {
      case view::TreeRowKind::Node: {
        const auto* n = r.node(row.item.node);
        name = "node " + (n ? n->name : std::string("?")) + (n && !n->connected ? " (gone)" : "");
        st = n && !n->connected ? Style::Dim : Style::Title;
        break;
      }
      case view::TreeRowKind::Group:
        name = row.item.type + " " + std::string(ui.glyphs.times) + std::to_string(row.group_count);
        type = row.item.type;
        st = Style::Dim;
        break;
      case view::TreeRowKind::Actor: {
        const view::Actor& a = *row.actor;
        name = view::display_name(a);
        type = a.row.type;
        if (a.is_supervisor()) {
          strategy = std::string(proto::name(a.row.strategy));
          budget = a.row.intensity ? std::to_string(a.stats.restarts_in_period) + "/" + std::to_string(a.row.intensity) : "-";
          st = style_of(view::restart_budget_severity(a, ui.thresholds));
        } else {
          // A worker's backlog colours its line as it does in Actors.
          st = style_of(view::mailbox_severity(a.stats.mailbox, ui.thresholds));
        }
        if (a.stats.state != proto::viewer::ActorState::Running) name += " (" + std::string(proto::viewer::name(a.stats.state)) + ")";
        break;
      }
    }
    std::string before = cols.cell(0, indent + mark + " " + name) + cols.cell(1, type) + cols.cell(2, strategy) + cols.cell(3, budget);
    std::string mailbox = cols.cell(4, view::format_count(row.totals.mailbox));
    std::string line = before + mailbox + cols.cell(5, view::format_count(row.totals.restarts)) +
                       cols.cell(6, view::format_count(row.totals.actors));
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : st);
    // The depth shown is loud on every row, a supervisor's or a node's too, by the same
    // thresholds as everywhere else.
    const Style depth = style_of(view::mailbox_severity(row.totals.mailbox, ui.thresholds));
    if (!selected && depth != Style::Normal) c.text(y, columns(before), mailbox, depth);
  }
}

}  // namespace actorscope::tui
