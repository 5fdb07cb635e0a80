// The Chain panel: why an exit happened, step by step (view::explain_exit), from the event
// chosen in Events; Enter shows the past at a step.
#include "panels.hpp"
#include "actorscope/view/exit_chain.hpp"

namespace actorscope::tui {

namespace {
Style style_of(view::ChainStepKind k) {
  switch (k) {
    case view::ChainStepKind::Crash:
    case view::ChainStepKind::Escalation: return Style::Critical;
    case view::ChainStepKind::Unexplained:
    case view::ChainStepKind::SiblingStopped:
    case view::ChainStepKind::SupervisorExit: return Style::Warning;
    case view::ChainStepKind::Restart: return Style::Normal;
  }
  return Style::Normal;
}
}  // namespace

void draw_chain(Canvas& c, int top, int height, const view::Replica&, UiState& ui) {
  const view::ExitChain& chain = ui.chain;
  if (!chain.found && chain.steps.empty()) {
    c.text(top, 0, ui.chain_seq ? chain.note : "no chain: press x on an exit, a crash or a restart in Events (3)", Style::Dim);
    return;
  }
  c.text(top, 0, chain.origin_known ? "Why: the crash that started it, what each supervisor did, and what followed"
                                    : "Why: what the events held tell (no crash found before it)",
         Style::Title);
  const int notes = chain.note.empty() ? 1 : 2;
  const int body = std::max(1, height - 1 - notes);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Chain)];
  cur.fit(chain.steps.size(), static_cast<size_t>(body));
  ui.list_y = top + 1;
  for (int i = 0; i < body; ++i) {
    const size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= chain.steps.size()) break;
    const view::ChainStep& s = chain.steps[idx];
    const int y = top + 1 + i;
    const bool selected = idx == cur.selected;
    std::string line = std::string(s.selected ? "> " : "  ") + std::string(2 * s.depth, ' ') + view::chain_step_text(s);
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : style_of(s.kind));
  }
  int y = top + 1 + std::min(body, static_cast<int>(chain.steps.size() - std::min(cur.offset, chain.steps.size())));
  if (chain.more) c.text(y++, 0, "+" + std::to_string(chain.more) + " more steps not listed", Style::Dim);
  if (!chain.note.empty()) c.text(y++, 0, chain.note, Style::Warning);
  c.text(y, 0, "> the event asked for   Enter: show the past at that step   Esc: back to Events", Style::Dim);
}

}  // namespace actorscope::tui
