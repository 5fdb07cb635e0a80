// Selection by identity: each list says what identifies its rows, and where that item is now.
#include "selection.hpp"

#include "panels.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/telemetry.hpp"
#include "actorscope/view/warnings.hpp"

namespace actorscope::tui {

namespace {

constexpr char kSep = '\x1f';  // never in a name the collector accepts (valid, printable UTF-8)

std::string tree_identity(const view::TreeItem& item) {
  return std::to_string(static_cast<int>(item.kind)) + kSep + std::to_string(item.node) + kSep + item.path + kSep + item.type;
}
std::string telemetry_identity(const view::TelemetryLine& l) {
  return std::to_string(l.row->node) + kSep + l.row->event + kSep + (l.measurement ? "m" + l.measurement->key : std::string("e"));
}
// A warning is known by what it is about: its node, its actor and its kind (its text changes).
std::string warning_identity(const view::pv::Warning& w) { return std::to_string(w.node) + kSep + std::to_string(w.actor) + kSep + w.kind; }
// An edge is known by its node and its two types (its rate, and so its row, changes).
std::string flow_identity(const view::FlowEdgeView& e) {
  return std::to_string(std::get<0>(e.key)) + kSep + std::get<1>(e.key) + kSep + std::get<2>(e.key);
}

// The index of the first row whose identity is `want`, or n.
template <typename Rows, typename Identity>
size_t find_row(const Rows& rows, size_t n, Identity identity, const std::string& want) {
  for (size_t i = 0; i < n; ++i)
    if (identity(rows[i]) == want) return i;
  return n;
}

}  // namespace

size_t follow_selection(UiState& ui, ViewId v, const view::Replica& r, Follow how) {
  ListCursor& cur = ui.cursor[static_cast<size_t>(v)];
  SelectedItem& it = cur.item;
  // A list left at its top shows its top: the worst mailbox, the newest event.
  const bool stay_on_top = how == Follow::Draw && cur.at_top;
  const bool by_identity = it.set && !stay_on_top;
  size_t n = 0, at = 0;
  switch (v) {
    case ViewId::Tree: {
      ui.tree.update(r, ui.node);
      const auto& rows = ui.tree.rows();
      n = rows.size();
      if (by_identity) at = find_row(rows, n, [](const view::TreeRow& row) { return tree_identity(row.item); }, it.text);
      break;
    }
    case ViewId::Actors: {
      ui.actors_query.node = ui.node;
      ui.actors.update(r, ui.actors_query);
      n = ui.actors.size();
      if (by_identity) {
        // Most ticks leave it where it was: only look further when it moved.
        auto w = ui.actors.window(cur.selected, 1);
        at = !w.empty() && w[0]->key() == it.actor ? cur.selected : ui.actors.position_of(it.actor);
        // Gone from the list: a restarted child is followed to its new incarnation.
        if (at >= n && it.child.key() == it.actor) {
          const view::ActorKey now = it.child.update(r);
          if (!(now == it.actor) && r.actor(now)) {
            it.actor = now;
            at = ui.actors.position_of(now);
          }
        }
      }
      break;
    }
    case ViewId::Events: {
      ui.events_query.node = ui.node;
      ui.events.update(r, ui.events_query);
      const auto& rows = ui.events.rows();
      n = rows.size();
      if (by_identity) {
        at = n;
        for (size_t i = 0; i < n && at == n; ++i)
          if (rows[i]->seq == it.seq) at = i;
      }
      break;
    }
    case ViewId::Telemetry: {
      auto lines = view::telemetry_lines(r, ui.node);
      n = lines.size();
      if (by_identity) at = find_row(lines, n, telemetry_identity, it.text);
      break;
    }
    case ViewId::Warnings: {
      auto rows = view::warnings(r, ui.node);
      n = rows.size();
      if (by_identity) at = find_row(rows, n, [](const view::pv::Warning* w) { return warning_identity(*w); }, it.text);
      break;
    }
    case ViewId::Flow: {
      const auto edges = flow_rows(r, ui);
      n = edges.size();
      if (by_identity) at = find_row(edges, n, flow_identity, it.text);
      break;
    }
    case ViewId::Chain:  // fixed lists, made when they were asked for
      n = ui.chain.steps.size();
      at = cur.selected;
      break;
    case ViewId::Diff:
      n = ui.diff.rows.size();
      at = cur.selected;
      break;
    default: return 0;
  }
  // An item no longer listed leaves the selection at its row number (clamped by the panel).
  if (stay_on_top) cur.selected = 0;
  else if (by_identity && at < n) cur.selected = at;
  return n;
}

void remember_selection(UiState& ui, ViewId v, const view::Replica& r) {
  ListCursor& cur = ui.cursor[static_cast<size_t>(v)];
  SelectedItem it;
  const size_t sel = cur.selected;
  switch (v) {
    case ViewId::Tree:
      if (sel < ui.tree.rows().size()) it.text = tree_identity(ui.tree.rows()[sel].item), it.set = true;
      break;
    case ViewId::Actors:
      if (auto w = ui.actors.window(sel, 1); !w.empty()) {
        it.actor = w[0]->key();
        it.set = true;
        // the follower is kept while it is on the same actor (set up once per selection)
        if (cur.item.child.key() == it.actor) it.child = std::move(cur.item.child);
        else it.child.reset(r, it.actor);
      }
      break;
    case ViewId::Events:
      if (sel < ui.events.size()) it.seq = ui.events.rows()[sel]->seq, it.set = true;
      break;
    case ViewId::Telemetry:
      if (auto lines = view::telemetry_lines(r, ui.node); sel < lines.size()) it.text = telemetry_identity(lines[sel]), it.set = true;
      break;
    case ViewId::Warnings:
      if (auto rows = view::warnings(r, ui.node); sel < rows.size()) it.text = warning_identity(*rows[sel]), it.set = true;
      break;
    case ViewId::Flow:
      if (auto edges = flow_rows(r, ui); sel < edges.size())
        it.text = flow_identity(edges[sel]), it.set = true;
      break;
    default: return;
  }
  cur.item = std::move(it);
}

}  // namespace actorscope::tui
