// Draws charts point by point; at most one vertex per pixel column, so 3600 points stay cheap.
#include "charts.hpp"
#include "drawn_text.hpp"

#include <algorithm>
#include <cmath>
#include <cfloat>
#include <cstdio>
#include <ctime>
#include <array>

#include "style.hpp"

namespace actorscope::gui {
namespace {

std::string plain(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// The largest value per pixel column keeps spikes visible when points outnumber pixels.
std::vector<float> columns(const std::vector<double>& pts, int width, double& vmax) {
  std::vector<float> out(static_cast<size_t>(std::max(width, 1)), 0.0f);
  vmax = 0;
  if (pts.empty()) return out;
  for (size_t c = 0; c < out.size(); ++c) {
    size_t a = c * pts.size() / out.size();
    size_t b = std::max(a + 1, (c + 1) * pts.size() / out.size());
    double m = 0;
    for (size_t i = a; i < b && i < pts.size(); ++i) m = std::max(m, pts[i]);
    out[c] = static_cast<float>(m);
    vmax = std::max(vmax, m);
  }
  return out;
}

// The area between a line and the baseline as trapezoids, one per run of columns at the
// same height: a few dozen large quads instead of one thin quad per pixel column, which a
// software rasterizer handles far faster.
void area_under(ImDrawList* dl, const std::vector<ImVec2>& pts, float base, ImU32 colour) {
  if (pts.size() < 2) return;
  const ImVec2 uv = ImGui::GetFontTexUvWhitePixel();
  size_t start = 0;
  for (size_t i = 1; i < pts.size(); ++i) {
    const bool last = i + 1 == pts.size();
    // extend the run while the next point continues the same straight segment
    if (!last && std::fabs((pts[i + 1].y - pts[start].y) * (pts[i].x - pts[start].x) -
                           (pts[i].y - pts[start].y) * (pts[i + 1].x - pts[start].x)) < 0.5f * (pts[i + 1].x - pts[start].x))
      continue;
    const ImVec2 p = pts[start], q = pts[i];
    dl->PrimReserve(6, 4);
    dl->PrimQuadUV(ImVec2(p.x, p.y), ImVec2(q.x, q.y), ImVec2(q.x, base), ImVec2(p.x, base), uv, uv, uv, uv, colour);
    start = i;
  }
}

double nice_ceiling(double v) {
  if (v <= 0) return 1;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (v <= m * p) return m * p;
  return 10 * p;
}

// The axis top for whole numbers: the middle mark must be a whole number too (a depth of 1
// once read "1 / 1 / 0": 0.5 rounded up).
double whole_ceiling(double v) {
  double top = nice_ceiling(std::max(v, 1.0));
  while (std::fmod(top, 2.0) != 0) top = nice_ceiling(top + 1);
  return top;
}

}  // namespace

std::string fit_text(const std::string& text, float width, float font_size) {
  ImFont* font = ImGui::GetFont();
  const float size = font_size > 0 ? font_size : ImGui::GetFontSize();
  auto w = [&](const std::string& t) { return font->CalcTextSizeA(size, FLT_MAX, 0, t.c_str()).x; };
  if (w(text) <= width) return text;
  std::string cut = text;
  while (!cut.empty()) {
    // drop one UTF-8 character: its continuation bytes, then the byte that starts it (a lead
    // byte left behind would draw as '?': "worker ×188" zoomed out read "worker ?..")
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
    if (!cut.empty()) cut.pop_back();
    if (w(cut + "...") <= width) return cut + "...";
  }
  return {};
}

std::vector<TimeTick> time_ticks(uint64_t begins, uint64_t ends, float width, float min_gap_px) {
  std::vector<TimeTick> out;
  if (ends <= begins || width <= 0) return out;
  const double span_s = static_cast<double>(ends - begins) / 1e9;
  static constexpr std::array<uint64_t, 16> kSteps{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600};
  uint64_t step = kSteps.back();
  for (uint64_t s : kSteps)
    if (static_cast<double>(s) / span_s * width >= min_gap_px) {
      step = s;
      break;
    }
  // Round in local time, so that minute and hour marks fall on the clock's minutes and hours.
  const std::time_t t0 = static_cast<std::time_t>(begins / 1'000'000'000ull);
  std::tm tm{};
  localtime_r(&t0, &tm);
  const int64_t offset = tm.tm_gmtoff;
  int64_t first = static_cast<int64_t>(begins / 1'000'000'000ull) + 1;
  const int64_t local = first + offset;
  const int64_t mod = ((local % static_cast<int64_t>(step)) + static_cast<int64_t>(step)) % static_cast<int64_t>(step);
  if (mod) first += static_cast<int64_t>(step) - mod;
  for (uint64_t s = static_cast<uint64_t>(first); s * 1'000'000'000ull <= ends; s += step) {
    const uint64_t w = s * 1'000'000'000ull;
    out.push_back({w, static_cast<float>(static_cast<double>(w - begins) / static_cast<double>(ends - begins) * width)});
  }
  return out;
}

std::string clock_label(uint64_t wall_ns) {
  const std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000ull);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

int time_chart(const char* id, const std::vector<double>& points, ImVec2 size, const ChartStyle& st, int cursor) {
  auto fmt = st.format ? st.format : plain;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  const bool hovered = ImGui::IsItemHovered();
  double peak = 0;
  for (double v : points) peak = std::max(peak, v);
  const float pad_r = ImGui::CalcTextSize(fmt(st.whole_numbers ? whole_ceiling(peak) : nice_ceiling(peak)).c_str()).x + 16;
  const bool clock_axis = st.end_wall_ns != 0 && !points.empty();
  const float pad_l = 8, pad_t = ImGui::GetTextLineHeightWithSpacing() + 4,
              pad_b = clock_axis ? ImGui::GetTextLineHeight() + 8 : 6;
  const ImVec2 a(p0.x + pad_l, p0.y + pad_t), b(p0.x + size.x - pad_r, p0.y + size.y - pad_b);
  dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + size.y), style::u32(style::kPanel), 4.0f);
  // the latest value on the right; the title takes what is left of the line, never under it
  float value_w = 0;
  if (!points.empty()) {
    std::string last = fmt(points.back());
    value_w = ImGui::CalcTextSize(last.c_str()).x;
    dl->AddText(ImVec2(p0.x + size.x - 8 - value_w, p0.y + 4), style::u32(st.colour), last.c_str());
  }
  const std::string title = fit_text(st.title, size.x - pad_l - 8 - value_w - 12);
  dl->AddText(ImVec2(p0.x + pad_l, p0.y + 4), style::u32(style::kTextMuted), title.c_str());
  const int width = static_cast<int>(b.x - a.x);
  if (width <= 2 || b.y - a.y <= 2) return -1;
  double vmax = 0;
  std::vector<float> col = columns(points, width, vmax);
  const double top = st.whole_numbers ? whole_ceiling(vmax) : nice_ceiling(vmax);
  // grid: three lines with their values on the right
  for (int g = 0; g <= 2; ++g) {
    float y = b.y - (b.y - a.y) * g / 2.0f;
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), style::u32(style::kEdge, g == 0 ? 0.6f : 0.25f));
    std::string lab = fmt(top * g / 2.0);
    dl->AddText(ImVec2(b.x + 6, y - ImGui::GetTextLineHeight() * 0.5f), style::u32(style::kTextMuted), lab.c_str());
  }
  if (points.empty()) {
    dl->AddText(ImVec2(a.x + 8, (a.y + b.y) * 0.5f - 8), style::u32(style::kTextMuted), "waiting for data");
    return -1;
  }
  auto y_of = [&](float v) { return b.y - static_cast<float>(v / top) * (b.y - a.y); };
  const ImU32 line = style::u32(st.colour), fill = style::u32(st.colour, 0.18f);
  std::vector<ImVec2> ys(static_cast<size_t>(width));
  for (int x = 0; x < width; ++x) ys[static_cast<size_t>(x)] = ImVec2(a.x + x, y_of(col[static_cast<size_t>(x)]));
  area_under(dl, ys, b.y, fill);
  dl->AddPolyline(ys.data(), width, line, 0, 1.5f);
  auto x_of = [&](int i) { return a.x + (b.x - a.x) * (i + 0.5f) / static_cast<float>(points.size()); };
  // Clock times under the x axis: point i is at end - (n - 1 - i) steps.
  const uint64_t step_ns = static_cast<uint64_t>(st.step_s * 1e9);
  auto wall_of = [&](size_t i) { return st.end_wall_ns - (points.size() - 1 - i) * step_ns; };
  if (clock_axis && st.end_wall_ns > (points.size() - 1) * step_ns) {
    const uint64_t first = wall_of(0), last = st.end_wall_ns;
    const float x_first = x_of(0), x_last = x_of(static_cast<int>(points.size()) - 1);
    const float label_w = ImGui::CalcTextSize("00:00:00").x;
    for (const TimeTick& t : time_ticks(first, last, x_last - x_first, label_w + 20)) {
      const float x = x_first + t.x;
      dl->AddLine(ImVec2(x, b.y), ImVec2(x, b.y + 3), style::u32(style::kEdge));
      const std::string label = clock_label(t.wall_ns);
      const float lx = std::clamp(x - label_w * 0.5f, p0.x + 2, p0.x + size.x - label_w - 2);
      dl->AddText(ImVec2(lx, b.y + 3), style::u32(style::kTextMuted), label.c_str());
      drawn_text::note(label.c_str());
    }
  }
  if (cursor >= 0 && cursor < static_cast<int>(points.size())) {
    float x = x_of(cursor);
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), style::u32(style::kWarn, 0.9f), 1.5f);
  }
  int under = -1;
  if (hovered) {
    float mx = ImGui::GetIO().MousePos.x;
    under = std::clamp(static_cast<int>((mx - a.x) / (b.x - a.x) * points.size()), 0, static_cast<int>(points.size()) - 1);
    dl->AddLine(ImVec2(mx, a.y), ImVec2(mx, b.y), style::u32(style::kText, 0.4f));
    drawn_text::Pause keep;
    if (clock_axis) {
      ImGui::SetTooltip("%s  %s\n%s\nclick: show this instant", st.title,
                        clock_label(wall_of(static_cast<size_t>(under))).c_str(), fmt(points[static_cast<size_t>(under)]).c_str());
    } else {
      int ago = static_cast<int>((points.size() - 1 - under) * st.step_s);
      ImGui::SetTooltip("%s  %dm%02ds ago\n%s", st.title, ago / 60, ago % 60, fmt(points[static_cast<size_t>(under)]).c_str());
    }
  }
  return under;
}

void sparkline(const std::vector<double>& points, ImVec2 size, ImVec4 colour) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  if (points.size() < 2) return;
  double vmax = 0;
  std::vector<float> col = columns(points, static_cast<int>(size.x), vmax);
  if (vmax <= 0) vmax = 1;
  const ImU32 c = style::u32(colour), f = style::u32(colour, 0.15f);
  auto y_of = [&](float v) { return p0.y + size.y - 1 - static_cast<float>(v / vmax) * (size.y - 2); };
  std::vector<ImVec2> ys(col.size());
  for (size_t x = 0; x < col.size(); ++x) ys[x] = ImVec2(p0.x + x, y_of(col[x]));
  area_under(dl, ys, p0.y + size.y, f);
  dl->AddPolyline(ys.data(), static_cast<int>(ys.size()), c, 0, 1.2f);
}

}  // namespace actorscope::gui
