// Number, rate, duration and reason formatting for both viewers.
#include "actorscope/view/format.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace actorscope::view {

namespace {
std::string printf_str(const char* fmt, double v, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v, suffix);
  return buf;
}
// Scales v by 1000s: one decimal below 10, none above ("1.2k", "34k", "999k" -> "1.0M").
std::string scaled(double v, const char* const* units, size_t n_units, double base) {
  size_t u = 0;
  while (u + 1 < n_units && v >= base * 0.9995) {
    v /= base;
    ++u;
  }
  if (u == 0) return printf_str("%.0f%s", v, units[0]);
  if (v < 9.95) return printf_str("%.1f%s", v, units[u]);
  return printf_str("%.0f%s", v, units[u]);
}
}  // namespace

std::string format_count(uint64_t n) {
  if (n < 1000) return std::to_string(n);
  static const char* const units[] = {"", "k", "M", "G", "T", "P"};
  return scaled(static_cast<double>(n), units, 6, 1000.0);
}

std::string format_rate(double per_s, std::string_view unit) {
  std::string u(unit);
  if (per_s <= 0) return "0";
  if (per_s < 10) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%s", per_s, u.c_str());
    return buf;
  }
  return format_count(static_cast<uint64_t>(per_s + 0.5)) + u;
}

std::string format_duration_ns(uint64_t ns) {
  char buf[32];
  if (ns < 1000) return std::to_string(ns) + "ns";
  double v = static_cast<double>(ns);
  if (ns < 1'000'000) {
    std::snprintf(buf, sizeof buf, v < 9'950 ? "%.1fus" : "%.0fus", v / 1e3);
  } else if (ns < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, v < 9'950'000 ? "%.1fms" : "%.0fms", v / 1e6);
  } else if (ns < 60'000'000'000ull) {
    std::snprintf(buf, sizeof buf, v < 9'950'000'000 ? "%.1fs" : "%.0fs", v / 1e9);
  } else if (ns < 3'600'000'000'000ull) {
    uint64_t s = ns / 1'000'000'000ull;
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    uint64_t m = ns / 60'000'000'000ull;
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(m / 60),
                  static_cast<unsigned long long>(m % 60));
  }
  return buf;
}

std::string format_bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + "B";
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  return scaled(static_cast<double>(n), units, 5, 1024.0);
}

std::string format_age(uint64_t then_ns, uint64_t now_ns) {
  if (then_ns == 0 || now_ns <= then_ns) return "now";
  uint64_t s = (now_ns - then_ns) / 1'000'000'000ull;
  if (s == 0) return "now";
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string format_clock(uint64_t wall_ns) {
  std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000ull);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string format_reason(proto::ExitReason r, std::string_view text) {
  std::string s(proto::name(r));
  if (!text.empty()) {
    s += ": ";
    s += text;
  }
  return s;
}

std::string format_measurement(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string format_measurement(std::optional<double> v) { return v ? format_measurement(*v) : std::string("-"); }

std::string format_budget(uint32_t used, uint32_t intensity, uint32_t period_ms) {
  if (intensity == 0) return "-";
  std::string period = period_ms % 1000 == 0 ? std::to_string(period_ms / 1000) + "s"
                                             : std::to_string(period_ms) + "ms";
  return std::to_string(used) + "/" + std::to_string(intensity) + " in " + period;
}

std::vector<uint8_t> sparkline_levels(const std::vector<double>& values, size_t width, unsigned levels) {
  std::vector<uint8_t> out;
  if (width == 0 || levels == 0) return out;
  size_t start = values.size() > width ? values.size() - width : 0;
  double hi = 0;
  for (size_t i = start; i < values.size(); ++i) hi = std::max(hi, values[i]);
  for (size_t i = start; i < values.size(); ++i) {
    double v = std::max(0.0, values[i]);
    unsigned level = hi > 0 ? static_cast<unsigned>(v / hi * (levels - 1) + 0.5) : 0;
    out.push_back(static_cast<uint8_t>(std::min(level, levels - 1)));
  }
  return out;
}

bool natural_less(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t i0 = i, j0 = j;
      while (i0 < a.size() && a[i0] == '0') ++i0;
      while (j0 < b.size() && b[j0] == '0') ++j0;
      size_t i1 = i0, j1 = j0;
      while (i1 < a.size() && digit(a[i1])) ++i1;
      while (j1 < b.size() && digit(b[j1])) ++j1;
      if (i1 - i0 != j1 - j0) return i1 - i0 < j1 - j0;
      int c = a.substr(i0, i1 - i0).compare(b.substr(j0, j1 - j0));
      if (c != 0) return c < 0;
      i = i1;
      j = j1;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

}  // namespace actorscope::view
