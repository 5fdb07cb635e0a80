// The Diff panel: what changed between the marked instant and the one shown when d was pressed.
#include <algorithm>

#include "panels.hpp"
#include "actorscope/view/tree_diff.hpp"

namespace actorscope::tui {

void draw_diff(Canvas& c, int top, int height, UiState& ui) {
  const view::TreeDiff& d = ui.diff;
  c.text(top, 0, "What changed: " + view::diff_summary(d), Style::Title);
  const int body = std::max(1, height - 2);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Diff)];
  cur.fit(d.rows.size(), static_cast<size_t>(body));
  ui.list_y = top + 1;
  for (int i = 0; i < body; ++i) {
    const size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= d.rows.size()) break;
    const view::DiffRow& row = d.rows[idx];
    Style st = Style::Normal;
    switch (row.kind) {
      case view::DiffKind::Restarted: st = Style::Warning; break;
      case view::DiffKind::Exited: st = Style::Critical; break;
      case view::DiffKind::Spawned: st = Style::Good; break;
      case view::DiffKind::Mailbox: st = Style::Normal; break;
    }
    const int y = top + 1 + i;
    const bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, view::diff_row_text(row), selected ? Style::Selected : st);
  }
  if (d.rows.empty()) c.text(top + 1, 0, "nothing changed between the two instants", Style::Dim);
  c.text(top + height - 1, 0, "m: mark the instant shown   d: compare again   Esc: back", Style::Dim);
}

}  // namespace actorscope::tui
