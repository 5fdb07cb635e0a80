// The ncurses canvas: styles become colours, or only bold/reverse when NO_COLOR is set.
#pragma once

#include "canvas.hpp"

namespace actorscope::tui {

class CursesCanvas final : public Canvas {
 public:
  explicit CursesCanvas(bool color);
  int width() const override;
  int height() const override;
  void text(int y, int x, std::string_view s, Style style, int max_width) override;
  void fill(int y, Style style) override;

 private:
  int attr(Style s) const;
  bool color_;
};

}  // namespace actorscope::tui
