// What a test driving the real window needs to know: where things are drawn and what is in
// front, written with the frame count to the --status-file. Off (and free) otherwise.
#pragma once

#include <string>

namespace actorscope::gui::probe {

void enable();
bool enabled();
// Records the last item's rectangle under `name` ("tab Events", "actor-row 0").
void item(const std::string& name);
// Records a value ("panel Events").
void value(const std::string& key, const std::string& v);
// Drops the records whose name starts with `prefix` (what a frame redraws from scratch).
void forget(const std::string& prefix);
// Every record as lines: "rect NAME|x0 y0 x1 y1", "KEY|VALUE".
std::string text();

}  // namespace actorscope::gui::probe
