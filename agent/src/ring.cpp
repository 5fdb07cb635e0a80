// The byte ring: a u32 length, then the record; copies wrap around the end.
#include "ring.hpp"

namespace actorscope::agent {

Ring::Ring(uint32_t capacity) {
  uint32_t c = 1024;
  while (c * 2 <= capacity && c < (1u << 30)) c *= 2;
  cap_ = c;
  buf_.reset(new uint8_t[cap_]);
}

bool Ring::begin(uint32_t n, Record& r) {
  uint64_t h = head_.load(std::memory_order_relaxed);
  uint64_t need = uint64_t(n) + 4;
  if (need > cap_ || h - tail_.load(std::memory_order_acquire) + need > cap_) return false;
  copy_in(h, &n, 4);
  r.ring_ = this;
  r.at_ = h + 4;
  return true;
}

bool Ring::pop(std::vector<uint8_t>& out) {
  uint64_t t = tail_.load(std::memory_order_relaxed);
  if (t == head_.load(std::memory_order_acquire)) return false;
  uint32_t n = 0;
  copy_out(t, &n, 4);
  out.resize(n);
  copy_out(t + 4, out.data(), n);
  tail_.store(t + 4 + n, std::memory_order_release);
  return true;
}

void Ring::copy_in(uint64_t at, const void* p, size_t n) {
  if (n == 0) return;
  size_t off = at & (cap_ - 1), first = n < cap_ - off ? n : cap_ - off;
  std::memcpy(buf_.get() + off, p, first);
  if (n > first) std::memcpy(buf_.get(), static_cast<const uint8_t*>(p) + first, n - first);
}

void Ring::copy_out(uint64_t at, void* p, size_t n) const {
  if (n == 0) return;
  size_t off = at & (cap_ - 1), first = n < cap_ - off ? n : cap_ - off;
  std::memcpy(p, buf_.get() + off, first);
  if (n > first) std::memcpy(static_cast<uint8_t*>(p) + first, buf_.get(), n - first);
}

}  // namespace actorscope::agent
