// Where panels draw: semantic styles on a grid, rendered by ncurses or into plain text (--batch).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actorscope::tui {

// What a piece of text means; the canvas decides how it looks (colours, or none with NO_COLOR).
enum class Style : unsigned char { Normal, Title, ColumnHeader, Selected, Dim, Warning, Critical, Good, Tab, TabActive, Status };

class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual int width() const = 0;
  virtual int height() const = 0;
  // Writes text at (y, x), clipped to max_width columns (and to the canvas).
  virtual void text(int y, int x, std::string_view s, Style style = Style::Normal, int max_width = -1) = 0;
  // Paints a whole line in a style (selection bars, headers).
  virtual void fill(int y, Style style) = 0;
};

// Display width of UTF-8 text, one column per code point (every glyph used here is narrow).
int columns(std::string_view s);
// The prefix of s that fits in `cols` columns.
std::string_view clip(std::string_view s, int cols);
// s padded with spaces (or clipped) to exactly `cols` columns; right-aligned when `right`.
std::string pad(std::string_view s, int cols, bool right = false);
// s as is when it fits in `cols` columns, else cut to cols - 1 with `ellipsis` after it.
std::string shorten(std::string_view s, int cols, std::string_view ellipsis);

// One column of a table row.
struct ColumnSpec {
  int width = 0;      // preferred width in columns (for `fill`: its narrowest)
  int min_width = 0;  // text: narrowest before it is dropped; 0 = the preferred width
  bool right = false; // a number: right-aligned and never cut
  int drop = 0;       // 0: always shown; otherwise dropped, highest first, when even the
                      // narrowest text columns do not fit
  bool fill = false;  // takes the width the others leave (the name column)
};

// A table row laid out to a width. Numbers are never cut: text columns give way first (the
// fill column, then the others from the right, each down to its minimum, cut with an
// ellipsis), then whole columns in their drop order.
class Columns {
 public:
  Columns(int total, std::vector<ColumnSpec> specs, std::string_view ellipsis = "~");
  bool shown(size_t i) const { return widths_[i] > 0; }
  int width(size_t i) const { return widths_[i]; }
  // The text in column i: padded to its width; text keeps a space before the next column and
  // is cut with the ellipsis; a number is whole
  // even when it is wider (it then pushes the rest right: shifted beats wrong); "" when hidden.
  std::string cell(size_t i, std::string_view text) const;

 private:
  std::vector<ColumnSpec> specs_;
  std::vector<int> widths_;
  std::string ellipsis_;
};

// A canvas that keeps plain text: --batch output and golden tests.
class TextCanvas final : public Canvas {
 public:
  TextCanvas(int width, int height);
  int width() const override { return width_; }
  int height() const override { return height_; }
  void text(int y, int x, std::string_view s, Style style, int max_width) override;
  void fill(int, Style) override {}
  // The frame, trailing spaces trimmed, one line per row.
  std::string str() const;

 private:
  int width_, height_;
  std::vector<std::vector<std::string>> cells_;  // one UTF-8 sequence per cell
};

}  // namespace actorscope::tui
