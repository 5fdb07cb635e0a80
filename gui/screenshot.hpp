// Writes a rendered frame as a PNG (screenshot mode, for CI and the documentation).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actorscope::gui {

// rgba: top-down rows of width*4 bytes. False with a one-line reason in `error`.
bool write_png(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba,
               std::string& error);

}  // namespace actorscope::gui
