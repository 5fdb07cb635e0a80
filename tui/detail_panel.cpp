// The Detail panel: one actor's counters, mailbox sparkline, parent chain, links, recent events.
#include "panels.hpp"
#include "actorscope/view/detail.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

void draw_detail(Canvas& c, int top, int height, const view::Replica& r, UiState& ui) {
  if (!ui.detail) {
    c.text(top, 0, "no actor selected: press Enter on a row of Tree or Actors", Style::Dim);
    return;
  }
  // The child shown is followed across its restarts: Detail moves to the new incarnation.
  if (!(ui.detail_child.key() == *ui.detail)) ui.detail_child.reset(r, *ui.detail);
  if (const auto& reply = r.detail()) ui.detail_child.seed(r, *reply);
  const view::ActorKey now = ui.detail_child.update(r);
  if (!(now == *ui.detail)) {
    ui.detail = now;
    ui.detail_moved = true;
  }
  view::DetailModel d = view::detail(r, *ui.detail);
  int y = top;
  auto line = [&](const std::string& s, Style st = Style::Normal) {
    if (y < top + height) c.text(y++, 0, s, st);
  };
  std::string title = d.name + "  <" + std::to_string(d.key.actor) + ">  on " + d.node_name;
  line(title + (d.live ? "" : "  (exited)"), d.live ? Style::Title : Style::Dim);
  const std::string where = ui.detail_child.note();
  if (!where.empty())
    line(where, ui.detail_child.state() == view::ChildState::restarted ? Style::Warning : Style::Critical);
  if (!d.child_text.empty())
    line("child " + d.child->child_id + ": " + d.child_text, d.child->last_crash_actor ? Style::Warning : Style::Normal);
  // An actor that has exited has no row and no counters any more: none are made up.
  if (!d.live) line("counters: not kept once an actor has exited", Style::Dim);
  if (d.live) {
    line("type " + d.row.type + "   kind " + std::string(proto::name(d.row.kind)) + "   restart " +
         std::string(proto::name(d.row.restart)) + "   child id " + d.row.child_id + "   children " + std::to_string(d.children));
    if (d.row.kind == proto::ActorKind::Supervisor)
      line("strategy " + std::string(proto::name(d.row.strategy)) + "   restart budget " +
               view::format_budget(d.stats.restarts_in_period, d.row.intensity, d.row.period_ms) + "   restarts " +
               view::format_count(d.stats.restarts),
           style_of(view::restart_budget_severity(d.stats.restarts_in_period, d.row.intensity, ui.thresholds)));
    const std::string depth = "mailbox " + view::format_count(d.stats.mailbox);
    const Style backlog = style_of(view::mailbox_severity(d.stats.mailbox, ui.thresholds));
    const int depth_y = y;
    if (d.rate_unit == "red/s")  // a BEAM process: its work is reductions; enqueued and busy time are not known
      line(depth + "   reductions " + view::format_count(d.work) + "   red/s " + view::format_rate(d.msgs_per_s, ""));
    else
      line(depth + "   enqueued " + view::format_count(d.stats.enqueued) + "   processed " + view::format_count(d.work) +
           "   msg/s " + view::format_rate(d.msgs_per_s, "") + "   busy " + view::format_duration_ns(d.stats.busy_ns) +
           "   avg " + view::format_duration_ns(d.avg_processing_ns));
    if (backlog != Style::Normal && depth_y < top + height) c.text(depth_y, 0, depth, backlog);
  }
  if (d.live)
    if (const std::string p = view::mailbox_pressure_text(d.stats); !p.empty())
      line(p, style_of(view::mailbox_severity(d.stats.mailbox, ui.thresholds)));
  if (!d.handling_text.empty()) line(d.handling_text, Style::Warning);
  if (!d.senders_text.empty()) line(d.senders_text);
  if (!d.message_types_text.empty()) line(d.message_types_text);
  line("mailbox history " + sparkline(d.mailbox_history, std::max(10, c.width() - 20), ui.glyphs), Style::Good);
  std::string chain = "parents: ";
  // A gone actor's chain comes from the collector: empty there means not known, not a root.
  if (d.chain.empty()) chain += d.live ? "(root)" : d.reply_received ? "(none known: its supervisor has gone too)" : "(asking the collector)";
  for (size_t i = 0; i < d.chain.size(); ++i)
    chain += (i ? " < " : "") + d.chain[i].name;
  line(chain);
  std::string links = "links: ";
  if (d.links.empty()) links += d.reply_received ? "none" : "(asking the collector)";
  for (const auto& l : d.links) {
    std::string who = view::actor_name(r, view::ActorKey{d.key.node, l.peer});
    links += std::string(proto::viewer::name(l.kind)) + " " + who + (l.count > 1 ? " x" + std::to_string(l.count) : "") + "  ";
  }
  line(links);
  line("");
  line("recent events", Style::ColumnHeader);
  for (const auto& e : d.recent_events) {
    std::string what = pad(proto::viewer::name(e.kind), 10) + view::describe(e, &r);
    line("  " + view::format_clock(e.wall_ns) + "  " + what, style_of(view::event_severity(e)));
  }
  if (d.recent_events.empty()) line("  none", Style::Dim);
}

}  // namespace actorscope::tui
