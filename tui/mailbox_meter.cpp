// Sparklines: value history drawn with eight glyph levels (mailbox depth, messages/s, restarts).
#include "panels.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

std::string sparkline(const std::vector<double>& values, int width, const Glyphs& g) {
  std::string out;
  if (width <= 0) return out;
  auto levels = view::sparkline_levels(values, static_cast<size_t>(width), 8);
  for (int i = static_cast<int>(levels.size()); i < width; ++i) out += ' ';  // right-aligned
  for (uint8_t l : levels) out += g.spark[l];
  return out;
}

}  // namespace actorscope::tui
