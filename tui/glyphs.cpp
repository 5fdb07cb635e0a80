// Locale detection for the glyph set.
#include "glyphs.hpp"

#include <langinfo.h>

#include <cstring>

namespace actorscope::tui {

bool locale_is_utf8() {
  const char* cs = nl_langinfo(CODESET);
  return cs && (std::strcmp(cs, "UTF-8") == 0 || std::strcmp(cs, "utf8") == 0);
}

}  // namespace actorscope::tui
