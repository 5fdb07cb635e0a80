// The Flow panel: estimated messages between actor types, busiest first, each receiver
// coloured by its backlog, under the pipeline's order from its sources.
#include "panels.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

void draw_flow(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  view::FlowMap m = view::flow_map(r, ui.node, ui.thresholds);
  if (m.edges.empty()) {
    c.text(top, 0, "no message flow: the agents shown report none (an older agent, ACTORSCOPE_FLOW_SAMPLE=0,", Style::Dim);
    c.text(top + 1, 0, "or a runtime that does not call actorscope_enqueue_from)", Style::Dim);
    return;
  }
  c.text(top, 0, view::flow_summary(m), Style::Dim);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Flow)];
  int body = height - 2;
  cur.fit(m.edges.size(), static_cast<size_t>(std::max(body, 1)));
  ui.list_y = top + 2;
  const Columns cols(c.width(), {{ui.node != 0 ? 0 : 13, 7, false, 0}, {20, 8, false, 0}, {20, 8, false, 0}, {10, 0, true, 0},
                                 {11, 0, true, 0}, {12, 0, true, 0}},
                     ui.glyphs.ellipsis);
  c.fill(top + 1, Style::ColumnHeader);
  c.text(top + 1, 0,
         cols.cell(0, "NODE") + cols.cell(1, "FROM") + cols.cell(2, "TO") + cols.cell(3, "~MSG/S") + cols.cell(4, "~MESSAGES") +
             cols.cell(5, "TO MAILBOX"),
         Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= m.edges.size()) break;
    const view::FlowEdgeView& e = m.edges[idx];
    const auto* n = r.node(e.node);
    std::string line = cols.cell(0, n ? n->name : "?") + cols.cell(1, e.from) + cols.cell(2, e.to) +
                       cols.cell(3, view::format_rate(e.rate, "")) + cols.cell(4, view::format_count(e.messages)) +
                       cols.cell(5, view::format_count(e.to_mailbox_max));
    int y = top + 2 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : style_of(e.pressure));
  }
}

}  // namespace actorscope::tui
