// Playback of the past: the position follows the real clock × speed; an instant is asked only
// once the previous one has been shown.
#include "actorscope/view/playback.hpp"

#include <algorithm>
#include <cstdio>

#include "actorscope/view/instant.hpp"

namespace actorscope::view {

bool Playback::play(const Replica& r, uint64_t now_wall_ns, uint64_t real_ns) {
  const pv::InstantShown& i = r.instant();
  if (i.begins_wall_ns == 0 && !r.timeline()) return false;
  uint64_t from = r.showing_past() ? i.wall_ns : 0;
  if (from == 0) {  // live: from where the history begins
    from = i.begins_wall_ns ? i.begins_wall_ns : r.timeline()->begins_wall_ns;
    if (from == 0 || from >= now_wall_ns) return false;
  }
  position_ = from;
  real_at_ = real_ns;
  asked_at_ = 0;
  playing_ = true;
  return true;
}

double Playback::change_speed(int step) {
  const long n = static_cast<long>(std::size(kSpeeds));
  speed_ = static_cast<size_t>(std::clamp(static_cast<long>(speed_) + step, 0L, n - 1));
  return speed();
}

std::optional<uint64_t> Playback::tick(const Replica& r, uint64_t last_request, uint64_t now_wall_ns, uint64_t real_ns) {
  if (!playing_) return std::nullopt;
  // The instant asked last has not arrived whole: wait for it (the clock moves on meanwhile).
  if (last_request != 0 && (r.instant().request != last_request || (r.showing_past() && !r.past_ready())))
    return std::nullopt;
  if (real_ns < asked_at_ + kMinStepNs) return std::nullopt;
  const uint64_t elapsed = real_ns > real_at_ ? real_ns - real_at_ : 0;
  position_ += static_cast<uint64_t>(static_cast<double>(elapsed) * speed());
  real_at_ = real_ns;
  asked_at_ = real_ns;
  const uint64_t newest = r.instant().ends_wall_ns ? r.instant().ends_wall_ns : now_wall_ns;
  if (position_ >= newest) {
    playing_ = false;
    return 0;  // caught up: live
  }
  return position_;
}

std::string Playback::speed_text() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gx", speed());
  return buf;
}

std::string Playback::status(uint64_t now_wall_ns) const {
  if (!playing_) return "paused";
  return "playing " + speed_text() + " at " + format_instant(position_, now_wall_ns);
}

}  // namespace actorscope::view
