// The Warnings panel: the collector's warnings, most severe first.
#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/warnings.hpp"

namespace actorscope::tui {

void draw_warnings(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  follow_selection(ui, ViewId::Warnings, r, Follow::Draw);
  auto rows = view::warnings(r, ui.node);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Warnings)];
  int body = height - 1;
  cur.fit(rows.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Warnings, r);
  ui.list_y = top + 1;
  // TEXT takes what is left; the actor's name gives way first, then the node's.
  const Columns cols(c.width(), {{9, 0, false, 0}, {ui.node != 0 ? 0 : 13, 7, false, 0}, {16, 0, false, 0}, {20, 8, false, 0}, {24, 0, false, 0, true}},
                     ui.glyphs.ellipsis);
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, cols.cell(0, "SEVERITY") + cols.cell(1, "NODE") + cols.cell(2, "KIND") + cols.cell(3, "ACTOR") + "TEXT",
         Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= rows.size()) break;
    const auto& l = *rows[idx];
    const auto* n = r.node(l.node);
    // The text is the last column: the canvas clips it at the edge, nothing follows it.
    std::string line = cols.cell(0, proto::viewer::name(l.severity)) + cols.cell(1, n ? n->name : "?") + cols.cell(2, l.kind) +
                       cols.cell(3, view::warning_subject(r, l)) + l.text;
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    // every row here is a warning: the collector's info level is drawn like its warnings
    c.text(y, 0, line, selected ? Style::Selected : style_of(view::warning_severity(l), Style::Warning));
  }
  if (rows.empty()) c.text(top + 1, 0, "no warnings", Style::Good);
}

}  // namespace actorscope::tui
