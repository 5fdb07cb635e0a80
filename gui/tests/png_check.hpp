// Reads a PNG and measures whether it shows something: distinct colours and how much of
// the picture differs from its background.
#pragma once

#include <string>

struct PngStats {
  bool loaded = false;
  int width = 0, height = 0;
  size_t distinct_colours = 0;
  double foreground_fraction = 0;  // pixels that differ from the most common colour
};

PngStats inspect_png(const std::string& path);
