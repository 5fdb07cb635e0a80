// The Warnings panel: the collector's warnings, most severe first.
#include "panels.hpp"
#include "actorscope/view/warnings.hpp"

namespace actorscope::tui {

void draw_warnings(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  auto rows = view::warnings(r, ui.node);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Warnings)];
  int body = height - 1;
  cur.fit(rows.size(), static_cast<size_t>(body));
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, pad("SEVERITY", 10) + pad("NODE", 12) + pad("KIND", 18) + pad("ACTOR", 10) + "TEXT", Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= rows.size()) break;
    const auto& l = *rows[idx];
    const auto* n = r.node(l.node);
    std::string line = pad(proto::viewer::name(l.severity), 10) + pad(n ? n->name : "?", 12) + pad(l.kind, 18) +
                       pad(l.actor ? std::to_string(l.actor) : "-", 10) + l.text;
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    // every row here is a warning: the collector's info level is drawn like its warnings
    c.text(y, 0, line, selected ? Style::Selected : style_of(view::warning_severity(l), Style::Warning));
  }
  if (rows.empty()) c.text(top + 1, 0, "no warnings", Style::Good);
}

}  // namespace actorscope::tui
