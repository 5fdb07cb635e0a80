// Fixed and random protocol messages shared by the protocol tests.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::proto::testing {

// Random values that exercise every varint width, and every enum value.
class MessageGen {
 public:
  explicit MessageGen(uint64_t seed) : rng_(seed) {}

  uint64_t any() {
    int bits = static_cast<int>(rng_() % 65);
    if (bits == 0) return 0;
    uint64_t v = rng_();
    return bits == 64 ? v : v & ((uint64_t{1} << bits) - 1);
  }
  uint64_t nonzero() {
    uint64_t v = any();
    return v ? v : 1;
  }
  uint32_t u32() { return static_cast<uint32_t>(any()); }
  template <class E>
  E pick(uint8_t max) {
    return static_cast<E>(rng_() % (max + 1));
  }
  std::string text(size_t max = 64) {
    std::string s(rng_() % (max + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng_() % 256);
    return s;
  }
  std::array<uint64_t, kHistogramBuckets> hist() {
    std::array<uint64_t, kHistogramBuckets> h{};
    for (auto& v : h) v = rng_() % 3 == 0 ? 0 : any();
    return h;
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace actorscope::proto::testing
