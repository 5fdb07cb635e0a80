// Play the past forward, like a capture viewer: from the instant shown, the instant advances
// with the wall clock times a speed, asked of the collector one at a time (the next when the
// last has arrived, so a slow rebuild lowers the frame rate, never piles requests up). Past
// the newest instant kept, it goes live and stops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

class Playback {
 public:
  static constexpr double kSpeeds[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
  // Starts from the instant shown (the oldest kept when live); false when the collector keeps
  // no history to play.
  bool play(const Replica& r, uint64_t now_wall_ns, uint64_t real_ns);
  void pause() { playing_ = false; }
  bool playing() const { return playing_; }
  // One speed step faster (+1) or slower (-1); returns the speed.
  double change_speed(int step);
  double speed() const { return kSpeeds[speed_]; }
  std::string speed_text() const;  // "4x", "0.25x"
  // Called every frame: the instant to ask for now (0: live again, and playing stops), or
  // nothing. `last_request` is the request id of the last instant the viewer asked for
  // (Client::show_instant's; 0: none): until its answer has arrived whole, nothing is asked.
  std::optional<uint64_t> tick(const Replica& r, uint64_t last_request, uint64_t now_wall_ns, uint64_t real_ns);
  uint64_t position() const { return position_; }
  // "playing 4x from 10:42:17.300" / "paused" for a status line.
  std::string status(uint64_t now_wall_ns) const;

  static constexpr uint64_t kMinStepNs = 100'000'000;  // no instant asked for sooner than this after the last

 private:
  bool playing_ = false;
  size_t speed_ = 2;  // 1x
  uint64_t position_ = 0;   // the instant played to (wall ns)
  uint64_t real_at_ = 0;    // the real clock when position_ was set
  uint64_t asked_at_ = 0;   // the real clock at the last ask
};

}  // namespace actorscope::view
