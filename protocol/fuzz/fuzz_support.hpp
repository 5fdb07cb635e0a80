// What the libFuzzer targets share: a sink that accepts every decoded message, and the
// split of an input into a mode byte (which decoder sees the rest) and the rest.
#pragma once

#include <cstddef>
#include <cstdint>

namespace actorscope::fuzz {

struct CountingSink {
  size_t n = 0;
  template <class T>
  void on(const T&) {
    ++n;
  }
};

struct ModedInput {
  unsigned mode = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// False for the empty input; otherwise the first byte modulo `modes` and what follows it.
inline bool split_mode(const uint8_t* data, size_t size, unsigned modes, ModedInput& out) {
  if (size == 0) return false;
  out.mode = data[0] % modes;
  out.data = data + 1;
  out.size = size - 1;
  return true;
}

}  // namespace actorscope::fuzz
