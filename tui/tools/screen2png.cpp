// Renders a terminal capture (text with SGR colour escapes, as `tmux capture-pane -e -p`
// prints it) into a PNG with a monospace TrueType font: the TUI's screenshots.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace {

struct Rgb {
  uint8_t r, g, b;
};
constexpr Rgb kBackground{0x1d, 0x1f, 0x21};
constexpr Rgb kForeground{0xd0, 0xd0, 0xd0};
const Rgb kPalette[16] = {{0x1d, 0x1f, 0x21}, {0xcc, 0x66, 0x66}, {0xb5, 0xbd, 0x68}, {0xf0, 0xc6, 0x74},
                          {0x81, 0xa2, 0xbe}, {0xb2, 0x94, 0xbb}, {0x8a, 0xbe, 0xb7}, {0xc5, 0xc8, 0xc6},
                          {0x66, 0x66, 0x66}, {0xd5, 0x4e, 0x53}, {0xb9, 0xca, 0x4a}, {0xe7, 0xc5, 0x47},
                          {0x7a, 0xa6, 0xda}, {0xc3, 0x97, 0xd8}, {0x70, 0xc0, 0xb1}, {0xea, 0xea, 0xea}};

Rgb xterm256(int n) {
  if (n < 16) return kPalette[n];
  if (n < 232) {
    n -= 16;
    auto level = [](int v) { return static_cast<uint8_t>(v ? 55 + v * 40 : 0); };
    return {level(n / 36), level(n / 6 % 6), level(n % 6)};
  }
  uint8_t v = static_cast<uint8_t>(8 + (n - 232) * 10);
  return {v, v, v};
}

struct Cell {
  uint32_t cp = ' ';
  Rgb fg = kForeground, bg = kBackground;
  bool bold = false;
};

struct Pen {
  Rgb fg = kForeground, bg = kBackground;
  bool bold = false, reverse = false, fg_default = true, bg_default = true;
};

void apply_sgr(Pen& pen, const std::vector<int>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int p = params[i];
    if (p == 0) pen = Pen{};
    else if (p == 1) pen.bold = true;
    else if (p == 22) pen.bold = false;
    else if (p == 7) pen.reverse = true;
    else if (p == 27) pen.reverse = false;
    else if (p >= 30 && p <= 37) pen.fg = kPalette[p - 30], pen.fg_default = false;
    else if (p >= 90 && p <= 97) pen.fg = kPalette[p - 90 + 8], pen.fg_default = false;
    else if (p >= 40 && p <= 47) pen.bg = kPalette[p - 40], pen.bg_default = false;
    else if (p >= 100 && p <= 107) pen.bg = kPalette[p - 100 + 8], pen.bg_default = false;
    else if (p == 39) pen.fg = kForeground, pen.fg_default = true;
    else if (p == 49) pen.bg = kBackground, pen.bg_default = true;
    else if ((p == 38 || p == 48) && i + 2 < params.size() && params[i + 1] == 5) {
      Rgb c = xterm256(params[i + 2]);
      if (p == 38) pen.fg = c, pen.fg_default = false;
      else pen.bg = c, pen.bg_default = false;
      i += 2;
    }
  }
}

// Decodes one UTF-8 code point at s[i], advancing i.
uint32_t next_cp(const std::string& s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 0;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: screen2png CAPTURE.txt OUT.png FONT.ttf [BOLD.ttf] [PIXELS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto load = [](const char* path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<unsigned char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  std::vector<unsigned char> regular = load(argv[3]);
  std::vector<unsigned char> bold = argc > 4 ? load(argv[4]) : regular;
  float px = argc > 5 ? std::stof(argv[5]) : 16.0f;
  stbtt_fontinfo font[2];
  if (regular.empty() || !stbtt_InitFont(&font[0], regular.data(), 0) || !stbtt_InitFont(&font[1], bold.data(), 0)) {
    std::fprintf(stderr, "screen2png: cannot load font %s\n", argv[3]);
    return 1;
  }
  // Parse the capture into a grid of cells.
  std::vector<std::vector<Cell>> grid(1);
  Pen pen;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      grid.emplace_back();  // the pen carries on: tmux writes an attribute only where it changes,
      ++i;                  // and a run of lines in one style has it only on the first
    } else if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      size_t j = i + 2;
      std::vector<int> params;
      int v = 0;
      bool have = false;
      while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == ';')) {
        if (text[j] == ';') params.push_back(have ? v : 0), v = 0, have = false;
        else v = v * 10 + (text[j] - '0'), have = true;
        ++j;
      }
      params.push_back(have ? v : 0);
      if (j < text.size() && text[j] == 'm') apply_sgr(pen, params);
      i = j + 1;
    } else {
      Cell c;
      c.cp = next_cp(text, i);
      c.fg = pen.reverse ? (pen.bg_default ? kBackground : pen.bg) : pen.fg;
      c.bg = pen.reverse ? (pen.fg_default ? kForeground : pen.fg) : pen.bg;
      c.bold = pen.bold;
      grid.back().push_back(c);
    }
  }
  while (!grid.empty() && grid.back().empty()) grid.pop_back();
  size_t cols = 0;
  for (auto& row : grid) cols = std::max(cols, row.size());
  float scale = stbtt_ScaleForPixelHeight(&font[0], px);
  int ascent, descent, gap, advance, lsb;
  stbtt_GetFontVMetrics(&font[0], &ascent, &descent, &gap);
  stbtt_GetCodepointHMetrics(&font[0], 'M', &advance, &lsb);
  int cw = static_cast<int>(advance * scale + 0.5f), ch = static_cast<int>((ascent - descent + gap) * scale + 0.5f);
  int baseline = static_cast<int>(ascent * scale);
  int pad = 8;
  int W = static_cast<int>(cols) * cw + 2 * pad, H = static_cast<int>(grid.size()) * ch + 2 * pad;
  std::vector<uint8_t> img(static_cast<size_t>(W) * H * 3);
  for (size_t p = 0; p < img.size(); p += 3) img[p] = kBackground.r, img[p + 1] = kBackground.g, img[p + 2] = kBackground.b;
  for (size_t y = 0; y < grid.size(); ++y)
    for (size_t x = 0; x < grid[y].size(); ++x) {
      const Cell& c = grid[y][x];
      int x0 = pad + static_cast<int>(x) * cw, y0 = pad + static_cast<int>(y) * ch;
      for (int yy = 0; yy < ch; ++yy)
        for (int xx = 0; xx < cw; ++xx) {
          uint8_t* p = &img[(static_cast<size_t>(y0 + yy) * W + x0 + xx) * 3];
          p[0] = c.bg.r, p[1] = c.bg.g, p[2] = c.bg.b;
        }
      if (c.cp == ' ') continue;
      const stbtt_fontinfo& f = font[c.bold ? 1 : 0];
      // Block elements fill the cell exactly, so sparklines look continuous.
      if (c.cp >= 0x2581 && c.cp <= 0x2588) {
        int h = ch * static_cast<int>(c.cp - 0x2580) / 8;
        for (int yy = ch - h; yy < ch; ++yy)
          for (int xx = 0; xx < cw; ++xx) {
            uint8_t* p = &img[(static_cast<size_t>(y0 + yy) * W + x0 + xx) * 3];
            p[0] = c.fg.r, p[1] = c.fg.g, p[2] = c.fg.b;
          }
        continue;
      }
      int gw, gh, gx, gy;
      unsigned char* bmp = stbtt_GetCodepointBitmap(&f, 0, scale, static_cast<int>(c.cp), &gw, &gh, &gx, &gy);
      int bx0, by0, bx1, by1;
      stbtt_GetCodepointBitmapBox(&f, static_cast<int>(c.cp), scale, scale, &bx0, &by0, &bx1, &by1);
      for (int yy = 0; yy < gh; ++yy)
        for (int xx = 0; xx < gw; ++xx) {
          int X = x0 + bx0 + xx, Y = y0 + baseline + by0 + yy;
          if (X < 0 || Y < 0 || X >= W || Y >= H) continue;
          float a = bmp[yy * gw + xx] / 255.0f;
          uint8_t* p = &img[(static_cast<size_t>(Y) * W + X) * 3];
          p[0] = static_cast<uint8_t>(p[0] * (1 - a) + c.fg.r * a);
          p[1] = static_cast<uint8_t>(p[1] * (1 - a) + c.fg.g * a);
          p[2] = static_cast<uint8_t>(p[2] * (1 - a) + c.fg.b * a);
        }
      stbtt_FreeBitmap(bmp, nullptr);
    }
  if (!stbi_write_png(argv[2], W, H, 3, img.data(), W * 3)) {
    std::fprintf(stderr, "screen2png: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
