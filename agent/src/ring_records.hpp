// The private layout of records in the per-thread rings (host byte order, never on a wire).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "actorscope/agent.h"
#include "ring.hpp"

namespace actorscope::agent {

enum class RingKind : uint8_t { ChildRestarted = 1, Link = 2, Telemetry = 3, Escalated = 4 };

inline constexpr size_t kMaxRingText = 1024;  // reason texts, metadata values
inline constexpr size_t kMaxRingName = 255;   // event names, keys, child ids

// Counts bytes, so that a record is sized before it is reserved in the ring.
struct SizeSink {
  size_t n = 0;
  void put(const void*, size_t k) { n += k; }
  template <class T>
  void put_value(const T&) { n += sizeof(T); }
};

template <class Sink>
void put_text(Sink& s, const char* text, size_t max) {
  size_t len = text ? strnlen(text, max) : 0;
  uint16_t n = static_cast<uint16_t>(len);
  s.put_value(n);
  s.put(text, len);
}

// Reads back what the producer wrote; a short record yields zeros.
class RingReader {
 public:
  explicit RingReader(const std::vector<uint8_t>& b) : p_(b.data()), end_(b.data() + b.size()) {}
  RingReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  template <class T>
  T get() {
    T v{};
    if (size_t(end_ - p_) >= sizeof v) {
      std::memcpy(&v, p_, sizeof v);
      p_ += sizeof v;
    } else {
      p_ = end_;
    }
    return v;
  }
  std::string_view text() {
    uint16_t n = get<uint16_t>();
    if (size_t(end_ - p_) < n) n = static_cast<uint16_t>(end_ - p_);
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace actorscope::agent
