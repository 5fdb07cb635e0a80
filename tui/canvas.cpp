// Text measurement and the plain-text canvas.
#include "canvas.hpp"

#include <algorithm>
#include <utility>

namespace actorscope::tui {

namespace {
size_t seq_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}
}  // namespace

int columns(std::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size(); i += seq_len(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

std::string_view clip(std::string_view s, int cols) {
  size_t i = 0;
  for (int n = 0; i < s.size() && n < cols; ++n) i += seq_len(static_cast<unsigned char>(s[i]));
  return s.substr(0, std::min(i, s.size()));
}

std::string pad(std::string_view s, int cols, bool right) {
  std::string_view c = clip(s, cols);
  std::string spaces(static_cast<size_t>(std::max(0, cols - columns(c))), ' ');
  return right ? spaces + std::string(c) : std::string(c) + spaces;
}

std::string shorten(std::string_view s, int cols, std::string_view ellipsis) {
  if (columns(s) <= cols) return std::string(s);
  if (cols <= 0) return {};
  return std::string(clip(s, std::max(0, cols - columns(ellipsis)))) + std::string(ellipsis);
}

Columns::Columns(int total, std::vector<ColumnSpec> specs, std::string_view ellipsis)
    : specs_(std::move(specs)), widths_(specs_.size(), 0), ellipsis_(ellipsis) {
  auto narrowest = [](const ColumnSpec& c) { return c.right || c.min_width <= 0 ? c.width : std::min(c.width, c.min_width); };
  int used = 0;
  for (size_t i = 0; i < specs_.size(); ++i) used += widths_[i] = specs_[i].width;
  // Text gives way first: the fill column, then the other text columns from the right.
  std::vector<size_t> order;
  for (size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].fill) order.push_back(i);
  for (size_t i = specs_.size(); i-- > 0;)
    if (!specs_[i].fill && !specs_[i].right) order.push_back(i);
  for (size_t i : order) {
    if (used <= total) break;
    int give = std::min(used - total, widths_[i] - narrowest(specs_[i]));
    widths_[i] -= give;
    used -= give;
  }
  // Then whole columns, the highest drop order first.
  while (used > total) {
    size_t victim = specs_.size();
    for (size_t i = 0; i < specs_.size(); ++i)
      if (widths_[i] > 0 && specs_[i].drop > 0 && (victim == specs_.size() || specs_[i].drop > specs_[victim].drop))
        victim = i;
    if (victim == specs_.size()) break;  // nothing left to drop: the canvas clips the end
    used -= widths_[victim];
    widths_[victim] = 0;
  }
  // What is left over goes to the fill column.
  for (size_t i = 0; i < specs_.size() && used < total; ++i)
    if (specs_[i].fill && widths_[i] > 0) {
      widths_[i] += total - used;
      used = total;
    }
}

std::string Columns::cell(size_t i, std::string_view text) const {
  const int w = widths_[i];
  if (w <= 0) return {};
  const int n = columns(text);
  if (specs_[i].right) return n >= w ? std::string(text) : std::string(static_cast<size_t>(w - n), ' ') + std::string(text);
  // Text keeps one space before the next column, so that two cut names never run together.
  if (n < w) return std::string(text) + std::string(static_cast<size_t>(w - n), ' ');
  std::string out = shorten(text, w - 1, ellipsis_);
  return out + std::string(static_cast<size_t>(std::max(0, w - columns(out))), ' ');
}

TextCanvas::TextCanvas(int width, int height)
    : width_(width), height_(height), cells_(static_cast<size_t>(height), std::vector<std::string>(static_cast<size_t>(width), " ")) {}

void TextCanvas::text(int y, int x, std::string_view s, Style, int max_width) {
  if (y < 0 || y >= height_ || x >= width_) return;
  int limit = width_ - x;
  if (max_width >= 0 && max_width < limit) limit = max_width;
  size_t i = 0;
  for (int col = 0; i < s.size() && col < limit; ++col) {
    size_t n = std::min(seq_len(static_cast<unsigned char>(s[i])), s.size() - i);
    if (x + col >= 0) cells_[static_cast<size_t>(y)][static_cast<size_t>(x + col)] = std::string(s.substr(i, n));
    i += n;
  }
}

std::string TextCanvas::str() const {
  std::string out;
  for (const auto& row : cells_) {
    std::string line;
    for (const auto& c : row) line += c;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace actorscope::tui
