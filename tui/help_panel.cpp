// The help screen: every key, from the same table the loop dispatches on.
#include "keys.hpp"
#include "panels.hpp"

namespace actorscope::tui {

void draw_help(Canvas& c, int top, int height) {
  int y = top;
  c.text(y++, 0, "actorscope-top keys", Style::Title);
  for (const auto& k : key_bindings()) {
    if (y >= top + height) break;
    c.text(y++, 2, pad(k.keys, 22) + std::string(k.help));
  }
}

}  // namespace actorscope::tui
