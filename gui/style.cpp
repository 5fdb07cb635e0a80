// The GUI's theme and fonts; panels take colours from here, never literals.
#include "style.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace actorscope::gui::style {
namespace {

Fonts g_fonts;

// Debian's fonts-dejavu-core; without it ImGui's built-in bitmap font is used.
constexpr const char* kSansPaths[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                      "/usr/share/fonts/TTF/DejaVuSans.ttf"};
constexpr const char* kMonoPaths[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
                                      "/usr/share/fonts/TTF/DejaVuSansMono.ttf"};
constexpr float kFontSize = 15.0f;       // body text, at scale 1
constexpr float kLargeFontSize = 24.0f;  // header totals, at scale 1

const char* first_existing(const char* const* paths, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (std::filesystem::exists(paths[i])) return paths[i];
  return nullptr;
}

ImFont* load(const char* path, float size) {
  ImGuiIO& io = ImGui::GetIO();
  static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x2190, 0x21FF, 0x2500, 0x25FF, 0x00D7, 0x00D7, 0x2026, 0x2026, 0};
  if (path) return io.Fonts->AddFontFromFileTTF(path, size, nullptr, kRanges);
  ImFontConfig cfg;
  cfg.SizePixels = size;
  return io.Fonts->AddFontDefault(&cfg);
}

}  // namespace

ImU32 u32(const ImVec4& c, float alpha) { return ImGui::ColorConvertFloat4ToU32(ImVec4(c.x, c.y, c.z, c.w * alpha)); }

ImVec4 severity_colour(view::Severity s, const ImVec4& normal) {
  switch (s) {
    case view::Severity::critical: return kBad;
    case view::Severity::warn: return kWarn;
    default: return normal;
  }
}

ImVec4 mailbox_colour(uint64_t depth, const view::DisplayThresholds& th) {
  if (depth == 0) return kWorker;
  // 1 -> 0, the warn depth -> 0.5, the critical depth -> 1, log scale in between
  const double d = static_cast<double>(depth);
  const double warn = static_cast<double>(std::max<uint64_t>(view::mailbox_depth_at(view::Severity::warn, th), 2));
  const double crit = std::max(static_cast<double>(view::mailbox_depth_at(view::Severity::critical, th)), warn * 2);
  const double level = d <= warn ? 0.5 * std::log(d) / std::log(warn) : 0.5 + 0.5 * std::log(d / warn) / std::log(crit / warn);
  float t = std::clamp(static_cast<float>(level), 0.0f, 1.0f);
  auto mix = [](const ImVec4& a, const ImVec4& b, float k) {
    return ImVec4(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k, a.z + (b.z - a.z) * k, 1.0f);
  };
  const ImVec4 calm{0.18f, 0.36f, 0.26f, 1.0f};
  const ImVec4 amber{0.62f, 0.46f, 0.12f, 1.0f};
  const ImVec4 red{0.70f, 0.20f, 0.18f, 1.0f};
  return t < 0.5f ? mix(calm, amber, t * 2.0f) : mix(amber, red, (t - 0.5f) * 2.0f);
}

ImVec4 series_colour(int index) {
  static const ImVec4 kSeries[] = {kAccent, kGood, kWarn, kRestart, kBad, {0.35f, 0.80f, 0.85f, 1.0f}};
  return kSeries[static_cast<size_t>(index) % (sizeof kSeries / sizeof kSeries[0])];
}

const Fonts& fonts() { return g_fonts; }

void apply(float scale) {
  const char* sans = first_existing(kSansPaths, std::size(kSansPaths));
  const char* mono = first_existing(kMonoPaths, std::size(kMonoPaths));
  g_fonts.regular = load(sans, std::round(kFontSize * scale));
  g_fonts.large = load(sans, std::round(kLargeFontSize * scale));
  g_fonts.mono = load(mono ? mono : sans, std::round(kFontSize * scale));
  ImGui::GetIO().FontDefault = g_fonts.regular;

  ImGuiStyle& s = ImGui::GetStyle();
  ImGui::StyleColorsDark(&s);
  s.WindowPadding = ImVec2(10, 10);
  s.FramePadding = ImVec2(8, 4);
  s.ItemSpacing = ImVec2(8, 6);
  s.CellPadding = ImVec2(6, 3);
  s.WindowRounding = 0.0f;
  s.ChildRounding = 4.0f;
  s.FrameRounding = 3.0f;
  s.TabRounding = 3.0f;
  s.ScrollbarSize = 14.0f;
  s.WindowBorderSize = 0.0f;
  s.ScaleAllSizes(scale);

  ImVec4* c = s.Colors;
  c[ImGuiCol_Text] = kText;
  c[ImGuiCol_TextDisabled] = kTextMuted;
  c[ImGuiCol_WindowBg] = kBackground;
  // Child windows (tables, the tree canvas) draw no fill of their own: the clear colour
  // shows through, and a software renderer saves a full-screen layer per panel.
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = ImVec4(0.13f, 0.14f, 0.17f, 0.98f);
  c[ImGuiCol_Border] = ImVec4(0.24f, 0.26f, 0.30f, 1.0f);
  c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.17f, 0.20f, 1.0f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.20f, 0.22f, 0.26f, 1.0f);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.22f, 0.25f, 0.30f, 1.0f);
  c[ImGuiCol_TitleBg] = kPanel;
  c[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.20f, 0.28f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.20f, 0.32f, 0.50f, 0.70f);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.24f, 0.38f, 0.60f, 0.80f);
  c[ImGuiCol_HeaderActive] = ImVec4(0.26f, 0.42f, 0.66f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.20f, 0.24f, 0.30f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.26f, 0.34f, 0.46f, 1.0f);
  c[ImGuiCol_ButtonActive] = ImVec4(0.30f, 0.42f, 0.60f, 1.0f);
  c[ImGuiCol_Tab] = ImVec4(0.14f, 0.15f, 0.18f, 1.0f);
  c[ImGuiCol_TabHovered] = ImVec4(0.26f, 0.38f, 0.58f, 1.0f);
  c[ImGuiCol_TabActive] = ImVec4(0.20f, 0.32f, 0.50f, 1.0f);
  c[ImGuiCol_TableHeaderBg] = ImVec4(0.15f, 0.16f, 0.19f, 1.0f);
  c[ImGuiCol_TableRowBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.025f);
  c[ImGuiCol_TableBorderStrong] = ImVec4(0.24f, 0.26f, 0.30f, 1.0f);
  c[ImGuiCol_TableBorderLight] = ImVec4(0.19f, 0.21f, 0.24f, 1.0f);
  c[ImGuiCol_PlotLines] = kAccent;
  c[ImGuiCol_PlotHistogram] = kAccent;
  c[ImGuiCol_CheckMark] = kAccent;
  c[ImGuiCol_SliderGrab] = kAccent;
}

}  // namespace actorscope::gui::style
