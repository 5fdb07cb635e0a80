// Text measurement and the plain-text canvas.
#include "canvas.hpp"

#include <algorithm>

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
