// View names and list cursor arithmetic.
#include "ui_state.hpp"

namespace actorscope::tui {

std::string_view name(ViewId v) {
  switch (v) {
    case ViewId::Tree: return "tree";
    case ViewId::Actors: return "actors";
    case ViewId::Events: return "events";
    case ViewId::Telemetry: return "telemetry";
    case ViewId::Warnings: return "warnings";
    case ViewId::Flow: return "flow";
    case ViewId::Detail: return "detail";
    case ViewId::Help: return "help";
    case ViewId::Chain: return "chain";
    case ViewId::Diff: return "diff";
  }
  return "tree";
}

std::optional<ViewId> parse_view(std::string_view s) {
  for (size_t i = 0; i < kViewCount; ++i)
    if (name(static_cast<ViewId>(i)) == s) return static_cast<ViewId>(i);
  return std::nullopt;
}

void resolve_pinned_node(UiState& ui, const view::Replica& r) {
  if (ui.pinned_node.empty()) return;
  if (view::NodeId id = r.find_node(ui.pinned_node)) ui.node = id;
}

void ListCursor::fit(size_t n, size_t rows) {
  if (n == 0) {
    selected = offset = 0;
    return;
  }
  if (selected >= n) selected = n - 1;
  if (rows == 0) rows = 1;
  if (selected < offset) offset = selected;
  if (selected >= offset + rows) offset = selected - rows + 1;
  if (offset + rows > n) offset = n > rows ? n - rows : 0;
}

void ListCursor::move(long delta, size_t n) {
  if (n == 0) return;
  long s = static_cast<long>(selected) + delta;
  if (s < 0) s = 0;
  if (s >= static_cast<long>(n)) s = static_cast<long>(n) - 1;
  selected = static_cast<size_t>(s);
}

}  // namespace actorscope::tui
