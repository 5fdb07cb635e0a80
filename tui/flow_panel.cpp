// The Flow panel: estimated messages between actor types, busiest first, each receiver
// coloured by its backlog, under the pipeline's order from its sources; Enter on an edge
// shows its rate since this viewer connected under the table. By supervisor subtree (s), the
// same table between one supervisor's child subtrees, as the collector answered for it.
#include <algorithm>
#include <string>
#include <vector>

#include "panels.hpp"
#include "selection.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

namespace {

constexpr int kHistoryRows = 4;  // under the table: title, sparkline, range, what the record is

// One edge's history: what it is, its rate as a sparkline, its range and where it comes from.
void draw_edge_history(Canvas& c, int y, const view::Replica& r, const UiState& ui) {
  const view::FlowEdgeHistory h = view::flow_edge_history(ui.flow_history, r, *ui.flow_edge);
  c.text(y, 0, h.title + "   (Esc closes)", h.gone ? Style::Dim : Style::Title);
  if (h.known)
    c.text(y + 1, 0, "~msg/s " + sparkline(h.rates, std::clamp(static_cast<int>(h.rates.size()), 10, std::max(10, c.width() - 8)), ui.glyphs),
           Style::Good);
  else
    c.text(y + 1, 0, "no point yet: the first comes with the next tick", Style::Dim);
  c.text(y + 2, 0, h.range, Style::Dim);
  c.text(y + 3, 0, h.scope, Style::Dim);
}

// `text` in lines of at most `width` bytes, broken at spaces where there is one.
std::vector<std::string> wrapped(const std::string& text, int width) {
  std::vector<std::string> out;
  size_t at = 0;
  const size_t w = static_cast<size_t>(width);
  while (text.size() - at > w) {
    size_t cut = text.rfind(' ', at + w);
    if (cut == std::string::npos || cut <= at) cut = at + w;
    out.push_back(text.substr(at, cut - at));
    at = cut < text.size() && text[cut] == ' ' ? cut + 1 : cut;
  }
  out.push_back(text.substr(at));
  return out;
}

// By subtree: the title, what the estimates rest on, then the groups' edges, busiest first.
void draw_subtree_flow(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  // A supervisor restarted has a new id: the view follows it there, and asks again.
  if (const view::ActorKey now = ui.flow_subtree_child.update(r); now.actor != 0 && !(now == *ui.flow_subtree)) {
    ui.flow_subtree = now;
    ui.flow_subtree_asked_ns = 0;
  }
  const view::ActorKey sup = *ui.flow_subtree;
  const view::SubtreeFlowView v = view::subtree_flow_view(r, sup.node, sup.actor, ui.thresholds);
  c.text(top, 0, v.title, Style::Title);
  int y = top + 1;
  for (const std::string& note : v.notes)  // wrapped at spaces: a note is read whole
    for (const std::string& line : wrapped(note, std::max(c.width(), 20)))
      if (y < top + height - 1) c.text(y++, 0, line, Style::Dim);
  if (y < top + height) c.text(y++, 0, "s: by type   u: up to its supervisor   Enter: into a child supervisor, or a worker's detail", Style::Dim);
  if (v.state != view::SubtreeFlowView::State::Shown) return;
  if (v.map.edges.empty()) {
    if (y < top + height) c.text(y, 0, "no sampled sends to or from this subtree in the rate window", Style::Dim);
    return;
  }
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Flow)];
  follow_selection(ui, ViewId::Flow, r, Follow::Draw);
  const int body = std::max(top + height - (y + 1), 1);
  cur.fit(v.map.edges.size(), static_cast<size_t>(body));
  remember_selection(ui, ViewId::Flow, r);
  ui.list_y = y + 1;
  ui.body_rows = body;
  const Columns cols(c.width(), {{24, 10, false, 0}, {24, 10, false, 0}, {10, 0, true, 0}, {17, 0, true, 0}, {12, 0, true, 0}},
                     ui.glyphs.ellipsis);
  c.fill(y, Style::ColumnHeader);
  c.text(y, 0, cols.cell(0, "FROM") + cols.cell(1, "TO") + cols.cell(2, "~MSG/S") + cols.cell(3, "OTHERS' AT MOST") + cols.cell(4, "TO MAILBOX"),
         Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    const size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= v.map.edges.size()) break;
    const view::FlowEdgeView& e = v.map.edges[idx];
    const std::string line = cols.cell(0, e.from) + cols.cell(1, e.to) + cols.cell(2, view::format_rate(e.rate, "")) +
                             cols.cell(3, e.error > 0 ? view::format_rate(e.error, "") : "-") + cols.cell(4, view::format_count(e.to_mailbox_max));
    const int row = y + 1 + i;
    const bool selected = idx == cur.selected;
    if (selected) c.fill(row, Style::Selected);
    c.text(row, 0, line, selected ? Style::Selected : style_of(e.pressure));
  }
}

}  // namespace

std::vector<view::FlowEdgeView> flow_rows(const view::Replica& r, const UiState& ui) {
  if (ui.flow_subtree)
    return view::subtree_flow_view(r, ui.flow_subtree->node, ui.flow_subtree->actor, ui.thresholds).map.edges;
  return view::flow_map(r, ui.node, ui.thresholds).edges;
}

void draw_flow(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  if (ui.flow_subtree) {
    ui.flow_edge.reset();
    draw_subtree_flow(c, top, height, r, ui);
    return;
  }
  view::FlowMap m = view::flow_map(r, ui.node, ui.thresholds);
  if (m.edges.empty()) {
    c.text(top, 0, view::kNoFlow[0], Style::Dim);
    c.text(top + 1, 0, view::kNoFlow[1], Style::Dim);
    return;
  }
  // The history of a node not shown is closed with the node filter.
  if (ui.flow_edge && ui.node != 0 && std::get<0>(*ui.flow_edge) != ui.node) ui.flow_edge.reset();
  const bool history = ui.flow_edge.has_value() && height - 2 - kHistoryRows >= 3;
  c.text(top, 0, view::flow_summary(m), Style::Dim);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Flow)];
  follow_selection(ui, ViewId::Flow, r, Follow::Draw);  // the bar stays on its edge as rates re-sort
  int body = height - 2 - (history ? kHistoryRows + 1 : 0);
  cur.fit(m.edges.size(), static_cast<size_t>(std::max(body, 1)));
  remember_selection(ui, ViewId::Flow, r);
  ui.list_y = top + 2;
  ui.body_rows = std::max(body, 1);  // the mouse's rows: the table's, not the history's
  const Columns cols(c.width(), {{ui.node != 0 ? 0 : 13, 7, false, 0}, {20, 8, false, 0}, {20, 8, false, 0}, {10, 0, true, 0},
                                 {11, 0, true, 0}, {12, 0, true, 0}},
                     ui.glyphs.ellipsis);
  c.fill(top + 1, Style::ColumnHeader);
  c.text(top + 1, 0,
         cols.cell(0, "NODE") + cols.cell(1, "FROM") + cols.cell(2, "TO") + cols.cell(3, "~MSG/S") + cols.cell(4, "~MESSAGES") +
             cols.cell(5, "TO MAILBOX"),
         Style::ColumnHeader);
  int shown = 0;
  for (int i = 0; i < body; ++i, ++shown) {
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
  if (history) draw_edge_history(c, top + 2 + shown + 1, r, ui);
}

}  // namespace actorscope::tui
