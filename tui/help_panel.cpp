// The help screen: every key, from the same table the loop dispatches on; it scrolls, and
// says so, when the terminal is shorter than the list.
#include "keys.hpp"
#include "panels.hpp"

namespace actorscope::tui {

std::vector<std::string> help_lines() {
  std::vector<std::string> out;
  for (const auto& k : key_bindings()) out.push_back("  " + pad(k.keys, 22) + std::string(k.help));
  out.push_back("");
  out.push_back("  mouse                 click a tab or a row to choose it, the wheel scrolls");
  out.push_back("                        (Shift + drag still selects text in most terminals)");
  return out;
}

void draw_help(Canvas& c, int top, int height, UiState& ui) {
  const auto lines = help_lines();
  const size_t total = lines.size();
  const size_t room = height > 1 ? static_cast<size_t>(height - 1) : 1;  // under the title
  // Where the list does not fit, the last row says how much is left below.
  const size_t max_offset = total > room ? total - room : 0;
  if (ui.help_offset > max_offset) ui.help_offset = max_offset;
  const size_t shown = ui.help_offset < max_offset ? room - 1 : room;
  std::string title = "actorscope-top keys";
  if (total > room)
    title += "   lines " + std::to_string(ui.help_offset + 1) + "-" + std::to_string(std::min(total, ui.help_offset + shown)) +
             " of " + std::to_string(total) + ", Up/Down/PgUp/PgDn scroll, Esc closes";
  c.text(top, 0, title, Style::Title);
  int y = top + 1;
  for (size_t i = ui.help_offset; i < total && i < ui.help_offset + shown; ++i) c.text(y++, 0, lines[i]);
  if (ui.help_offset < max_offset)
    c.text(y, 0, "  -- " + std::to_string(total - ui.help_offset - shown) + " more below: Down, j or PgDn --", Style::Dim);
}

}  // namespace actorscope::tui
