// Writes an export (CSV lines from the view library) into the working directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actorscope::gui {

// Writes header + lines to ./actorscope-<what>-<time>.csv; returns what to show: "wrote N
// rows to PATH", or why it could not.
std::string export_csv(const std::string& what, const std::string& header, const std::vector<std::string>& lines,
                       uint64_t wall_ns);

}  // namespace actorscope::gui
