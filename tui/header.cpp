// The header: totals with sparklines, then the view tabs.
#include "panels.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/header.hpp"
#include "actorscope/view/instant.hpp"

namespace actorscope::tui {

int draw_header(Canvas& c, int top, const view::Replica& r, UiState& ui) {
  view::HeaderModel h = view::header(r, ui.node);
  const int w = c.width();
  c.fill(top, Style::Title);
  std::string who = ui.node ? (r.node(ui.node) ? r.node(ui.node)->name : std::string("?")) : std::string("all nodes");
  const std::string gone = h.gone ? " (gone: last state)" : "";
  const std::string mailbox = "mailbox " + view::format_count(h.mailbox_total);
  std::string totals = "  nodes " + std::to_string(h.nodes_connected) + "/" + std::to_string(h.nodes) + "  actors " +
                       view::format_count(h.actors) + "  " + mailbox;
  if (ui.paused) totals += "  [PAUSED]";
  // The numbers and the gone mark are never cut: a long node name gives way (with an
  // ellipsis) instead.
  // The past is never shown as if live: a banner takes the title's place.
  std::string banner = view::instant_banner(r, ui.clock_end_wall_ns ? ui.clock_end_wall_ns : wall_clock_ns());
  if (!ui.replay_name.empty()) banner = "REPLAY " + ui.replay_name + (banner.empty() ? "" : "  " + banner);
  const std::string title = banner.empty() ? "actorscope-top  " : " " + banner + "  ";
  const int room = w - columns(title) - columns(gone) - columns(totals);
  if (room > 0) who = shorten(who, room, ui.glyphs.ellipsis);
  std::string line = title + who + gone + totals;
  c.text(top, 0, line, Style::Title);
  if (!banner.empty()) c.text(top, 0, " " + banner + " ", Style::Critical);
  // The backlog of all mailboxes is loud here too, by the view's threshold for totals.
  const Style backlog = style_of(view::mailbox_total_severity(h.mailbox_total, ui.thresholds), Style::Title);
  if (backlog != Style::Title) c.text(top, columns(line) - columns(totals) + columns(totals.substr(0, totals.find(mailbox))), mailbox, backlog);
  // Second line: rates with sparklines, drops and warnings.
  int spark_w = w >= 120 ? 20 : 10;
  int x = 0;
  auto field = [&](const std::string& label, Style st) {
    c.text(top + 1, x, label, st);
    x += columns(label);
  };
  // A BEAM node counts no messages processed: "-", not a 0 that reads as idle.
  field("msg/s " + (h.msgs_known ? view::format_rate(h.msgs_per_s, "") : std::string("-")) + " ", Style::Normal);
  field(sparkline(h.msgs_history, spark_w, ui.glyphs), Style::Good);
  field("  restarts/min " + view::format_rate(h.restarts_per_min, "") + " ", Style::Normal);
  field(sparkline(h.restarts_history, spark_w, ui.glyphs), style_of(view::restart_rate_severity(h.restarts_per_min, ui.thresholds), Style::Good));
  field("  drops " + view::format_count(h.drops), style_of(view::drops_severity(h.drops, ui.thresholds)));
  field("  warnings " + std::to_string(h.warnings), style_of(view::warnings_severity(h.warnings, ui.thresholds)));
  if (h.viewers_dropped) field("  viewers dropped " + std::to_string(h.viewers_dropped), Style::Dim);
  int rows = 3;
  // The VM line, for nodes that report one (BEAM nodes): figures until the width runs out.
  if (!h.vm_title.empty()) {
    x = 0;
    c.text(top + 2, x, h.vm_title, Style::Dim);
    x += columns(h.vm_title);
    for (const auto& f : h.vm) {
      std::string text = "  " + f.label + " " + f.value;
      if (x + columns(text) > w) break;
      c.text(top + 2, x, text, style_of(f.severity));
      x += columns(text);
    }
    ++top;
    ++rows;
  }
  // Tabs.
  static const char* const tabs[] = {"1 Tree", "2 Actors", "3 Events", "4 Telemetry", "5 Warnings", "6 Flow"};
  x = 0;
  ui.tabs_y = top + 2;
  ui.tabs.clear();
  for (int i = 0; i < 6; ++i) {
    bool active = static_cast<int>(ui.view) == i;
    std::string t = std::string(" ") + tabs[i] + " ";
    c.text(top + 2, x, t, active ? Style::TabActive : Style::Tab);
    ui.tabs.push_back({x, x + columns(t), static_cast<ViewId>(i)});
    x += columns(t) + 1;
  }
  if (ui.view == ViewId::Detail) c.text(top + 2, x, " Detail ", Style::TabActive);
  if (ui.view == ViewId::Help) c.text(top + 2, x, " Help ", Style::TabActive);
  return rows;
}

}  // namespace actorscope::tui
