// The instant a viewer shows: live, or a past instant rebuilt by the collector's flight
// recorder. How users write an instant, and how it is shown (the same in every viewer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// Reads an instant as a user types it, relative to `now_wall_ns` (Unix ns):
//   "now" or "live"                 -> 0 (live)
//   "-90s", "-5m", "-1h", "-1m30s"   -> that long before now
//   "HH:MM", "HH:MM:SS", "HH:MM:SS.mmm" -> today, local time (yesterday when that is later than now)
//   "YYYY-MM-DD HH:MM:SS[.mmm]" (or with a 'T')  -> local time
//   "@SECONDS[.frac]"               -> Unix time
// False with a one-line error naming what is wrong.
bool parse_instant(std::string_view text, uint64_t now_wall_ns, uint64_t& wall_ns, std::string& error);

// "10:42:17.300" (local time); with the date in front when it is not the day of `now_wall_ns`.
std::string format_instant(uint64_t wall_ns, uint64_t now_wall_ns);

// The banner over every panel while a past instant is shown: "PAST 10:42:17.300"; "" when live.
std::string instant_banner(const Replica& r, uint64_t now_wall_ns);
// How far back the collector's history reaches, for a prompt or a timeline:
// "history from 09:42:17 to 10:47:03"; "" when the collector did not say.
std::string history_reach(const Replica& r, uint64_t now_wall_ns);
// Why the last instant asked for is not shown ("" when it is, or none was refused).
std::string instant_refusal(const Replica& r);

// The instant `seconds` before (negative) or after the one shown (now, when live); not before
// the history begins (as far as the collector said); past its newest instant, 0: live.
uint64_t step_instant(const Replica& r, uint64_t now_wall_ns, int64_t seconds);

}  // namespace actorscope::view
