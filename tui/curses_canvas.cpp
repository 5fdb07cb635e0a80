// Drawing on the terminal through ncursesw.
#include "curses_canvas.hpp"

#include <curses.h>

#include <string>

namespace actorscope::tui {

CursesCanvas::CursesCanvas(bool color) : color_(color && has_colors()) {
  if (!color_) return;
  start_color();
  use_default_colors();
  init_pair(1, COLOR_CYAN, -1);                // title
  init_pair(2, COLOR_BLACK, COLOR_GREEN);      // column header
  init_pair(3, COLOR_BLACK, COLOR_CYAN);       // selected
  init_pair(4, COLOR_YELLOW, -1);              // warning
  init_pair(5, COLOR_RED, -1);                 // critical
  init_pair(6, COLOR_GREEN, -1);               // good
  init_pair(7, COLOR_BLACK, COLOR_YELLOW);     // active tab
  init_pair(8, COLOR_WHITE, COLOR_BLUE);       // status bar
}

int CursesCanvas::width() const { return COLS; }
int CursesCanvas::height() const { return LINES; }

int CursesCanvas::attr(Style s) const {
  if (!color_) {
    switch (s) {
      case Style::Title: return A_BOLD;
      case Style::ColumnHeader: return A_REVERSE;
      case Style::Selected: return A_REVERSE | A_BOLD;
      case Style::Critical: return A_BOLD;
      case Style::TabActive: return A_REVERSE;
      case Style::Status: return A_REVERSE;
      case Style::Dim: return A_DIM;
      default: return A_NORMAL;
    }
  }
  switch (s) {
    case Style::Title: return COLOR_PAIR(1) | A_BOLD;
    case Style::ColumnHeader: return COLOR_PAIR(2);
    case Style::Selected: return COLOR_PAIR(3);
    case Style::Warning: return COLOR_PAIR(4);
    case Style::Critical: return COLOR_PAIR(5) | A_BOLD;
    case Style::Good: return COLOR_PAIR(6);
    case Style::TabActive: return COLOR_PAIR(7);
    case Style::Status: return COLOR_PAIR(8);
    case Style::Dim: return A_DIM;
    default: return A_NORMAL;
  }
}

void CursesCanvas::text(int y, int x, std::string_view s, Style style, int max_width) {
  if (y < 0 || y >= LINES || x >= COLS) return;
  int limit = COLS - x;
  if (max_width >= 0 && max_width < limit) limit = max_width;
  std::string part(clip(s, limit));
  attrset(attr(style));
  mvaddstr(y, x, part.c_str());
  attrset(A_NORMAL);
}

void CursesCanvas::fill(int y, Style style) {
  if (y < 0 || y >= LINES) return;
  attrset(attr(style));
  mvhline(y, 0, ' ', COLS);
  attrset(A_NORMAL);
}

}  // namespace actorscope::tui
