// PNG output through stb_image_write (Debian's libstb).
#include "screenshot.hpp"

#include <stb/stb_image_write.h>

namespace actorscope::gui {

bool write_png(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba,
               std::string& error) {
  if (width <= 0 || height <= 0 || rgba.size() < static_cast<size_t>(width) * height * 4) {
    error = "nothing to write: the frame is empty";
    return false;
  }
  if (!stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4)) {
    error = "cannot write " + path + " (does its folder exist and is it writable?)";
    return false;
  }
  return true;
}

}  // namespace actorscope::gui
