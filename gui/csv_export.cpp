// The file side of an export: the name is the view library's, the place the working directory.
#include "csv_export.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "actorscope/view/export.hpp"

namespace actorscope::gui {

std::string export_csv(const std::string& what, const std::string& header, const std::vector<std::string>& lines,
                       uint64_t wall_ns) {
  if (!wall_ns)
    wall_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::current_path(ec) / view::export_file_name(what, wall_ns);
  std::ofstream out(path);
  out << header;
  for (const std::string& l : lines) out << l;
  out.close();
  if (!out) return "cannot write " + path.string() + " (is the working directory writable?)";
  return "wrote " + std::to_string(lines.size()) + " rows to " + path.string();
}

}  // namespace actorscope::gui
