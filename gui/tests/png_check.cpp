// PNG measurements for the screenshot test, through stb_image (Debian's libstb).
#include "png_check.hpp"

#include <stb/stb_image.h>

#include <cstdint>
#include <unordered_map>

PngStats inspect_png(const std::string& path) {
  PngStats s;
  int channels = 0;
  unsigned char* px = stbi_load(path.c_str(), &s.width, &s.height, &channels, 3);
  if (!px) return s;
  s.loaded = true;
  std::unordered_map<uint32_t, size_t> counts;
  const size_t n = static_cast<size_t>(s.width) * s.height;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t rgb = px[3 * i] | (px[3 * i + 1] << 8) | (px[3 * i + 2] << 16);
    ++counts[rgb];
  }
  stbi_image_free(px);
  size_t most = 0;
  for (const auto& [c, k] : counts) most = std::max(most, k);
  s.distinct_colours = counts.size();
  s.foreground_fraction = n ? 1.0 - static_cast<double>(most) / static_cast<double>(n) : 0;
  return s;
}
