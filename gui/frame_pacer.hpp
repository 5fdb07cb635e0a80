// When the GUI draws: after input, when what the collector sent changes what is shown, while
// something animates, and now and then for the clock; otherwise it waits (an idle observer
// of a million actors should cost nothing).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "actorscope/view/replica.hpp"

namespace actorscope::gui {

struct FramePacerSettings {
  int settle_frames = 2;          // frames drawn after input or new data (ImGui lays out in two)
  double animation_s = 1.0 / 30;  // frame period while something animates (restart flashes)
  double idle_redraw_s = 1.0;     // when nothing happens, a frame this often (for the "last update"
                                  // clock and the charts' newest second) ...
  double idle_cpu_share = 0.015;  // ... unless the idle process (its frames and what it does
                                  // between them, measured) would take more than this share of
                                  // one core: a software renderer's frames are spaced out ...
  double idle_redraw_max_s = 3.0;   // ... up to this far apart
  double reply_after_input_s = 3.0;  // replies this soon after input are drawn at once
};

// What a frame shows from the replica, reduced to numbers: a frame is drawn when it moves.
// Ticks alone (the collector's heartbeat) do not move it.
struct DataMark {
  uint64_t snapshots = 0, actor_changes = 0, events = 0, last_event = 0, events_dropped = 0;
  uint64_t warnings = 0, nodes = 0, actors = 0, mailbox_total = 0, drops = 0;
  double msgs_per_s = 0, restarts_per_min = 0;
  bool in_snapshot = false, connected = false;
  std::string status;
  bool operator==(const DataMark&) const = default;
};
DataMark data_mark(const view::Replica& r, bool connected, std::string status);
// The replies to the viewer's own requests (detail, series, events pages, commands), which
// panels ask for again every second or two: new ones are drawn at once only right after
// input (the user is waiting for them), else with the next frame due anyway.
uint64_t replies_mark(const view::Replica& r);

class FramePacer {
 public:
  explicit FramePacer(FramePacerSettings s = {}) : s_(s) {}
  void on_input(double now) {
    pending_ = s_.settle_frames;
    input_at_ = now;
  }
  void on_data() { pending_ = std::max(pending_, s_.settle_frames); }
  void on_reply(double now) {
    if (now - input_at_ <= s_.reply_after_input_s) on_data();
  }
  // Seconds from `now` until the next frame is due; 0: draw now.
  double wait_s(double now) const;
  // A frame was drawn at `now`; `animating`: it shows something that moves; `frame_cpu_s`:
  // the CPU time the process spent drawing it and `process_cpu_s` the process's CPU time
  // now (every thread, a software renderer's too; negative: unknown).
  void drew(double now, bool animating, double frame_cpu_s = -1, double process_cpu_s = -1);
  // The period of idle frames now (idle_redraw_s, or longer where frames are dear).
  double idle_period_s() const { return idle_period_; }

 private:
  FramePacerSettings s_;
  int pending_ = 1;  // the first frame
  bool animating_ = false;
  double last_ = 0;
  double input_at_ = -1e9;
  // Measured while idle, smoothed (-1: not yet): CPU seconds per idle frame, and the CPU
  // share taken between frames (receiving data, answering the window system).
  double frame_cost_ = -1;
  double between_share_ = -1;
  double cpu_at_last_ = -1;  // process CPU time at the last frame's end
  double idle_period_ = s_.idle_redraw_s;
};

}  // namespace actorscope::gui
