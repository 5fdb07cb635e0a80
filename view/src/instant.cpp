// Instants as users type them and as the viewers show them.
#include "actorscope/view/instant.hpp"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace actorscope::view {

namespace {

constexpr uint64_t kNs = 1'000'000'000;

bool digits(std::string_view s, size_t n, int& out) {
  if (s.size() < n) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "HH:MM[:SS[.fff]]": seconds of the day and nanoseconds; false when malformed.
bool clock_of(std::string_view s, int& h, int& m, int& sec, uint64_t& ns) {
  sec = 0;
  ns = 0;
  if (!digits(s, 2, h) || s.size() < 5 || s[2] != ':' || !digits(s.substr(3), 2, m)) return false;
  s.remove_prefix(5);
  if (!s.empty()) {
    if (s[0] != ':' || !digits(s.substr(1), 2, sec)) return false;
    s.remove_prefix(3);
    if (!s.empty()) {
      if (s[0] != '.' || s.size() < 2 || s.size() > 10) return false;
      uint64_t scale = kNs;
      for (char c : s.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        scale /= 10;
        ns += static_cast<uint64_t>(c - '0') * scale;
      }
    }
  }
  return h < 24 && m < 60 && sec < 61;
}

uint64_t local_to_wall(int year, int mon, int day, int h, int m, int s) {
  tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = mon - 1;
  t.tm_mday = day;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = s;
  t.tm_isdst = -1;
  time_t at = mktime(&t);
  return at < 0 ? 0 : static_cast<uint64_t>(at) * kNs;
}

tm local(uint64_t wall_ns) {
  time_t t = static_cast<time_t>(wall_ns / kNs);
  tm out{};
  localtime_r(&t, &out);
  return out;
}

}  // namespace

bool parse_instant(std::string_view text, uint64_t now_wall_ns, uint64_t& wall_ns, std::string& error) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  const std::string what(text);
  if (text == "now" || text == "live") {
    wall_ns = 0;
    return true;
  }
  if (!text.empty() && text[0] == '-') {  // a duration before now: -1h30m, -90s, -500ms
    std::string_view d = text.substr(1);
    uint64_t total = 0;
    bool any = false;
    while (!d.empty()) {
      uint64_t n = 0;
      size_t i = 0;
      while (i < d.size() && std::isdigit(static_cast<unsigned char>(d[i])) && n < 1'000'000'000) n = n * 10 + static_cast<uint64_t>(d[i++] - '0');
      if (i == 0) break;
      d.remove_prefix(i);
      uint64_t unit = 0;
      if (d.substr(0, 2) == "ms") unit = 1'000'000, d.remove_prefix(2);
      else if (!d.empty() && d[0] == 's') unit = kNs, d.remove_prefix(1);
      else if (!d.empty() && d[0] == 'm') unit = 60 * kNs, d.remove_prefix(1);
      else if (!d.empty() && d[0] == 'h') unit = 3600 * kNs, d.remove_prefix(1);
      else if (!d.empty() && d[0] == 'd') unit = 86400 * kNs, d.remove_prefix(1);
      if (unit == 0) break;
      total += n * unit;
      any = true;
    }
    if (!any || !d.empty() || total >= now_wall_ns) {
      error = "'" + what + "' is not a duration before now (like -90s, -5m, -1h30m)";
      return false;
    }
    wall_ns = now_wall_ns - total;
    return true;
  }
  if (!text.empty() && text[0] == '@') {  // Unix seconds
    char* end = nullptr;
    const std::string num(text.substr(1));
    double secs = std::strtod(num.c_str(), &end);
    if (num.empty() || !end || *end != '\0' || !(secs > 0) || secs > 1e11) {
      error = "'" + what + "' is not a Unix time (like @1764585737.5)";
      return false;
    }
    wall_ns = static_cast<uint64_t>(secs * 1e9);
    return true;
  }
  int h = 0, m = 0, s = 0;
  uint64_t ns = 0;
  int year = 0, mon = 0, day = 0;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {  // a date first
    if (!digits(text, 4, year) || !digits(text.substr(5), 2, mon) || !digits(text.substr(8), 2, day) || text.size() < 12 ||
        (text[10] != ' ' && text[10] != 'T') || !clock_of(text.substr(11), h, m, s, ns) || mon < 1 || mon > 12 || day < 1 ||
        day > 31) {
      error = "'" + what + "' is not a date and time (like 2026-12-01 10:42:17)";
      return false;
    }
    wall_ns = local_to_wall(year, mon, day, h, m, s) + ns;
    return wall_ns != 0 || (error = "'" + what + "' cannot be told in local time", false);
  }
  if (!clock_of(text, h, m, s, ns)) {
    error = "'" + what + "' is not an instant: give HH:MM:SS[.mmm], a date and time, -5m, or now";
    return false;
  }
  const tm today = local(now_wall_ns);
  wall_ns = local_to_wall(today.tm_year + 1900, today.tm_mon + 1, today.tm_mday, h, m, s) + ns;
  if (wall_ns > now_wall_ns) {  // later than now today: yesterday's
    const tm y = local(wall_ns - 86400 * kNs);
    wall_ns = local_to_wall(y.tm_year + 1900, y.tm_mon + 1, y.tm_mday, h, m, s) + ns;
  }
  return true;
}

std::string format_instant(uint64_t wall_ns, uint64_t now_wall_ns) {
  const tm t = local(wall_ns), now = local(now_wall_ns);
  char buf[64];
  const unsigned ms = static_cast<unsigned>((wall_ns % kNs) / 1'000'000);
  if (t.tm_year == now.tm_year && t.tm_yday == now.tm_yday)
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03u", t.tm_hour, t.tm_min, t.tm_sec, ms);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03u", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                  t.tm_min, t.tm_sec, ms);
  return buf;
}

std::string instant_banner(const Replica& r, uint64_t now_wall_ns) {
  if (!r.showing_past()) return "";
  return "PAST " + format_instant(r.instant().wall_ns, now_wall_ns);
}

std::string history_reach(const Replica& r, uint64_t now_wall_ns) {
  const pv::InstantShown& i = r.instant();
  if (i.begins_wall_ns == 0 && i.ends_wall_ns == 0) return "";
  auto hms = [&](uint64_t w) {
    std::string s = format_instant(w, now_wall_ns);
    return s.substr(0, s.size() - 4);  // whole seconds
  };
  return "history from " + hms(i.begins_wall_ns) + " to " + hms(i.ends_wall_ns);
}

std::string instant_refusal(const Replica& r) { return r.instant().message; }

uint64_t step_instant(const Replica& r, uint64_t now_wall_ns, int64_t seconds) {
  const uint64_t from = r.showing_past() ? r.instant().wall_ns : now_wall_ns;
  const int64_t delta = seconds * static_cast<int64_t>(kNs);
  const uint64_t oldest = std::max<uint64_t>(r.instant().begins_wall_ns, 1);  // steps stop where history begins
  if (delta < 0 && static_cast<uint64_t>(-delta) >= from - std::min(from, oldest)) return std::min(oldest, from);
  const uint64_t to = static_cast<uint64_t>(static_cast<int64_t>(from) + delta);
  const uint64_t newest = r.instant().ends_wall_ns ? r.instant().ends_wall_ns : now_wall_ns;
  return to >= newest ? 0 : to;
}

}  // namespace actorscope::view
