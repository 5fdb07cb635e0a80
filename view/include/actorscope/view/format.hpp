// Formatting shared by the viewers: counts, rates, durations, bytes, reasons, sparkline levels.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::view {

// 999, 1.2k, 34k, 3.4M, 1.2G — at most 5 characters.
std::string format_count(uint64_t n);
// "12/s", "1.2k/s", "0.5/s", "0" for zero.
std::string format_rate(double per_s, std::string_view unit = "/s");
// 850ns, 12us, 3.4ms, 1.2s, 3m05s, 2h10m.
std::string format_duration_ns(uint64_t ns);
// 512B, 1.5KiB, 12MiB, 3.1GiB.
std::string format_bytes(uint64_t n);
// Time between two wall clocks as an age: "now", "12s", "5m", "3h".
std::string format_age(uint64_t then_ns, uint64_t now_ns);
// HH:MM:SS of a wall clock (UTC).
std::string format_clock(uint64_t wall_ns);
// Exit reason and its text: "error: boom", "normal".
std::string format_reason(proto::ExitReason r, std::string_view text);
// A measured value (telemetry measurements, percentiles): four significant digits, "12.35",
// "0.004", "1.235e+04"; "-" when there is none.
std::string format_measurement(double v);
std::string format_measurement(std::optional<double> v);
// Restart budget "2/3 in 5s".
std::string format_budget(uint32_t used, uint32_t intensity, uint32_t period_ms);

// Sparkline data: the last `width` values scaled to levels 0..levels-1 (0 = lowest, and
// for an all-zero series). The renderer picks glyphs for the levels.
std::vector<uint8_t> sparkline_levels(const std::vector<double>& values, size_t width, unsigned levels = 8);

// "worker-2" before "worker-10": digit runs compare as numbers.
bool natural_less(std::string_view a, std::string_view b);

// Lower-cased substring test used by every filter and search.
bool contains_folded(std::string_view haystack, std::string_view needle);

}  // namespace actorscope::view
