// Tree and sparkline glyphs: Unicode where the locale speaks UTF-8, ASCII elsewhere.
#pragma once

#include <array>
#include <string_view>

namespace actorscope::tui {

struct Glyphs {
  std::string_view branch, last, pipe, space, expanded, collapsed, leaf, times, ellipsis;
  std::array<std::string_view, 8> spark;
};

inline constexpr Glyphs kUnicodeGlyphs{"├─", "└─", "│ ", "  ", "▾", "▸", "·", "×", "…",
                                        {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}};
inline constexpr Glyphs kAsciiGlyphs{"|-", "`-", "| ", "  ", "-", "+", " ", "x", "~",
                                      {"_", ".", ",", "-", "~", "=", "*", "#"}};

// True when the C library's character set (after setlocale) is UTF-8.
bool locale_is_utf8();

}  // namespace actorscope::tui
