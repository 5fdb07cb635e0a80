// The Telemetry panel: per event name, count and rate; per measurement, its statistics (and
// p50/p99 from its histogram in terminals wide enough).
#include <cstdio>
#include <optional>

#include "panels.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/histogram.hpp"
#include "actorscope/view/telemetry.hpp"

namespace actorscope::tui {

namespace {
constexpr int kMinNameWidth = 24;

std::string num(double v) { return view::format_measurement(v); }
std::string num(std::optional<double> v) { return view::format_measurement(v); }
}  // namespace

void draw_telemetry(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  auto lines = view::telemetry_lines(r, ui.node);
  auto& cur = ui.cursor[static_cast<size_t>(ViewId::Telemetry)];
  int body = height - 1;
  cur.fit(lines.size(), static_cast<size_t>(body));
  // p50 and p99 only where they fit beside a name column of the narrowest width.
  const int fixed = 12 + 9 + 9 + 4 * 10;
  const bool percentiles = c.width() >= kMinNameWidth + fixed + 2 * 10;
  const int name_w = std::max(kMinNameWidth, c.width() - fixed - (percentiles ? 2 * 10 : 0));
  c.fill(top, Style::ColumnHeader);
  c.text(top, 0, pad("EVENT / MEASUREMENT", name_w) + pad("NODE", 12) + pad("COUNT", 9, true) + pad("RATE", 9, true) +
                     pad("MEAN", 10, true) + pad("MIN", 10, true) + pad("MAX", 10, true) + pad("LAST", 10, true) +
                     (percentiles ? pad("P50", 10, true) + pad("P99", 10, true) : std::string()),
         Style::ColumnHeader);
  for (int i = 0; i < body; ++i) {
    size_t idx = cur.offset + static_cast<size_t>(i);
    if (idx >= lines.size()) break;
    const auto& l = lines[idx];
    std::string line;
    if (!l.measurement) {
      const auto* n = r.node(l.row->node);
      line = pad(l.row->event, name_w) + pad(n ? n->name : "?", 12) + pad(view::format_count(l.row->count), 9, true) +
             pad(view::format_rate(l.per_s()), 9, true);
    } else {
      const auto& m = *l.measurement;
      line = pad("  " + m.key, name_w) + pad("", 12) + pad(view::format_count(m.count), 9, true) + pad("", 9) +
             pad(num(l.mean()), 10, true) + pad(num(m.min), 10, true) + pad(num(m.max), 10, true) + pad(num(m.last), 10, true);
      if (percentiles)
        line += pad(num(view::percentile(m, 0.5)), 10, true) + pad(num(view::percentile(m, 0.99)), 10, true);
    }
    int y = top + 1 + i;
    bool selected = idx == cur.selected;
    if (selected) c.fill(y, Style::Selected);
    c.text(y, 0, line, selected ? Style::Selected : (l.measurement ? Style::Normal : Style::Title));
  }
  if (lines.empty()) c.text(top + 1, 0, "no telemetry events yet", Style::Dim);
}

}  // namespace actorscope::tui
