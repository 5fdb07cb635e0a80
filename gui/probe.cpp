// The probe's records: the latest value per name, kept until overwritten.
#include "probe.hpp"

#include <cstdio>
#include <map>

#include "imgui.h"

namespace actorscope::gui::probe {
namespace {
bool g_on = false;
std::map<std::string, std::string>& records() {
  static std::map<std::string, std::string> r;
  return r;
}
}  // namespace

void enable() { g_on = true; }
bool enabled() { return g_on; }

void item(const std::string& name) {
  if (!g_on) return;
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.0f %.0f %.0f %.0f", a.x, a.y, b.x, b.y);
  records()["rect " + name] = buf;
}

void value(const std::string& key, const std::string& v) {
  if (g_on) records()[key] = v;
}

void forget(const std::string& prefix) {
  if (!g_on) return;
  auto& r = records();
  for (auto it = r.lower_bound(prefix); it != r.end() && it->first.compare(0, prefix.size(), prefix) == 0;) it = r.erase(it);
}

std::string text() {
  std::string out;
  for (const auto& [k, v] : records()) out += k + "|" + v + "\n";
  return out;
}

}  // namespace actorscope::gui::probe
