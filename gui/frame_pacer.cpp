// The GUI's frame schedule, and the marks that tell a data change from a heartbeat.
#include "frame_pacer.hpp"

#include <algorithm>

namespace actorscope::gui {

DataMark data_mark(const view::Replica& r, bool connected, std::string status) {
  DataMark m;
  m.snapshots = r.snapshots();
  m.in_snapshot = r.in_snapshot();
  m.actor_changes = r.change_seq();
  m.actors = r.actor_count();
  m.events = r.events().size();
  m.last_event = r.events().empty() ? 0 : r.events().back().seq;
  m.events_dropped = r.events_dropped();
  m.warnings = r.warnings().size();
  for (const auto& [id, n] : r.nodes()) m.nodes = m.nodes * 31 + id * 2 + (n.connected ? 1 : 0);
  const view::TotalsPoint t = r.totals(0);
  m.mailbox_total = t.mailbox_total;
  m.drops = t.drops;
  m.msgs_per_s = t.msgs_per_s;
  m.restarts_per_min = t.restarts_per_min;
  m.connected = connected;
  m.status = std::move(status);
  return m;
}

uint64_t replies_mark(const view::Replica& r) {
  auto id = [](const auto& reply) -> uint64_t { return reply ? reply->request : 0; };
  return id(r.detail()) * 7 + id(r.events_page()) * 11 + id(r.series()) * 13 + id(r.command()) * 17 +
         id(r.failure()) * 19;
}

double FramePacer::wait_s(double now) const {
  if (pending_ > 0) return 0;
  const double period = animating_ ? s_.animation_s : idle_period_;
  return std::max(0.0, last_ + period - now);
}

void FramePacer::drew(double now, bool animating, double frame_cpu_s, double process_cpu_s) {
  // A frame drawn only because the idle period ran out: what it and the wait before it cost
  // set the next period, so that f / period + between <= idle_cpu_share.
  const bool idle_frame = pending_ == 0 && !animating_ && !animating;
  if (idle_frame && frame_cpu_s >= 0 && process_cpu_s >= 0 && cpu_at_last_ >= 0 && now > last_) {
    auto smooth = [](double& avg, double x) { avg = avg < 0 ? x : 0.5 * avg + 0.5 * x; };
    smooth(frame_cost_, frame_cpu_s);
    smooth(between_share_, std::max(0.0, process_cpu_s - cpu_at_last_ - frame_cpu_s) / (now - last_));
    const double left = s_.idle_cpu_share - between_share_;
    idle_period_ = left <= 0 ? s_.idle_redraw_max_s
                             : std::clamp(frame_cost_ / left, s_.idle_redraw_s, s_.idle_redraw_max_s);
  }
  cpu_at_last_ = process_cpu_s;
  last_ = now;
  animating_ = animating;
  if (pending_ > 0) --pending_;
}

}  // namespace actorscope::gui
