// The Telemetry panel: per event name, count and rate; per measurement, its statistics (and
// p50/p99 from its histogram in terminals wide enough: within 1.6 %, or "~" when rough).
#include <cstdio>

#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/histogram.hpp"
#include "actorscope/view/telemetry.hpp"

namespace actorscope::tui {

namespace {
std::string num(double v) { return view::format_measurement(v); }
}  // namespace

void draw_telemetry(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  follow_selection(ui, ViewId::Telemetry, r, Follow::Draw);
  auto lines = view::telemetry_lines(r, ui.node);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Telemetry)];
  int body = height - 1;
  cur.fit(lines.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Telemetry, r);
  ui.list_y = top + 1;
  // Numbers are never cut: the name gives way first (down to 16), then NODE; p99, p50 and
  // LAST are left out where even that does not fit. With one node shown, NODE says nothing new.
  const Columns cols(c.width(),
                     {{24, 16, false, 0, true},
                      {ui.node != 0 ? 0 : 13, 7, false, 0},
                      {9, 0, true},
                      {9, 0, true},
                      {10, 0, true},
                      {10, 0, true},
                      {10, 0, true},
                      {10, 0, true, 1},
                      {10, 0, true, 3},
                      {10, 0, true, 2}},
                     ui.glyphs.ellipsis);
  const char* titles[] = {"EVENT / MEASUREMENT", "NODE", "COUNT", "RATE", "MEAN", "MIN", "MAX", "LAST", "P50", "P99"};
  std::string head;
  for (size_t i = 0; i < std::size(titles); ++i) head += cols.cell(i, titles[i]);
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, head, Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= lines.size()) break;
    const auto& l = lines[idx];
    std::string line;
    if (!l.measurement) {
      const auto* n = r.node(l.row->node);
      line = cols.cell(0, l.row->event) + cols.cell(1, n ? n->name : "?") + cols.cell(2, view::format_count(l.row->count)) +
             cols.cell(3, view::format_rate(l.per_s()));
    } else {
      const auto& m = *l.measurement;
      line = cols.cell(0, "  " + m.key) + cols.cell(1, "") + cols.cell(2, view::format_count(m.count)) + cols.cell(3, "") +
             cols.cell(4, num(l.mean())) + cols.cell(5, num(m.min)) + cols.cell(6, num(m.max)) + cols.cell(7, num(m.last)) +
             cols.cell(8, view::percentile_text(m, 0.5)) + cols.cell(9, view::percentile_text(m, 0.99));
    }
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : (l.measurement ? Style::Normal : Style::Title));
  }
  if (lines.empty()) c.text(top + 1, 0, "no telemetry events yet", Style::Dim);
}

}  // namespace actorscope::tui
