// The timeline under the panels: the collector's kept history as one strip, what happened when
// as markers, and a handle at the instant shown; a click or a drag shows that instant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_state.hpp"
#include "charts.hpp"
#include "actorscope/view/tree_diff.hpp"

namespace actorscope::gui {

// A drag asks for at most one instant per interval (the collector rebuilds each one), and for
// the position it ends on when the button is released.
class DragThrottle {
 public:
  explicit DragThrottle(double interval_s = 0.1) : interval_s_(interval_s) {}
  // The handle is at `wall_ns` now: the instant to ask for, or nothing yet.
  std::optional<uint64_t> moved(uint64_t wall_ns, double now_s);
  // The drag ended at `wall_ns`: the instant to ask for, unless it was the last one asked.
  std::optional<uint64_t> released(uint64_t wall_ns);

 private:
  double interval_s_;
  bool sent_any_ = false;
  uint64_t last_ = 0;
  double sent_at_ = 0;
};

class Timeline {
 public:
  // The strip's height at the current font: the controls line and the strip.
  static float height();
  void draw(AppState& app);
  // "What changed"'s window, a top-level window of its own: drawn after the main window has ended.
  void draw_diff();

 private:
  void refresh(AppState& app);
  void draw_controls(AppState& app);
  void draw_save(AppState& app);
  void draw_strip(AppState& app);

  DragThrottle throttle_;
  std::optional<uint64_t> dragged_;  // where the handle is being dragged (0: live)
  uint64_t request_ = 0;             // the timeline request in flight
  double asked_at_ = -1e9;           // when it was sent (ImGui time)
  // What changed? The tree marked at one instant, compared with the one shown when asked.
  view::TreeMark mark_;
  view::TreeDiff diff_;
  bool diff_open_ = false;
  // Save history: what the last one did (or is doing).
  std::string save_note_;
  bool save_seen_ = false;
};

}  // namespace actorscope::gui
