// Hashing of keys that peers choose (actor ids, string ids): mixed with a per-process
// random seed, so that a peer cannot pick keys that all land in one bucket or probe run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace actorscope::collector {

// Drawn once per process from the OS's random source (see seeded_hash.cpp).
extern const uint64_t g_hash_seed;
inline uint64_t hash_seed() { return g_hash_seed; }

inline uint64_t mix64(uint64_t x) {  // splitmix64's finaliser: every input bit moves every output bit
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// A text's hash, keyed by the seed: eight bytes at a time through mix64, the length folded in.
inline uint64_t hash_text(std::string_view s) {
  uint64_t h = g_hash_seed ^ (static_cast<uint64_t>(s.size()) * 0x9e3779b97f4a7c15ull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix64(h ^ tail ^ 0xff51afd7ed558ccdull);
}

struct SeededTextHash {
  size_t operator()(std::string_view s) const noexcept { return static_cast<size_t>(hash_text(s)); }
};

struct SeededHash {
  size_t operator()(uint64_t k) const noexcept { return static_cast<size_t>(mix64(k ^ g_hash_seed)); }
  template <class A, class B>
  size_t operator()(const std::pair<A, B>& k) const noexcept {
    return static_cast<size_t>(mix64(mix64(static_cast<uint64_t>(k.first) ^ g_hash_seed) ^ static_cast<uint64_t>(k.second)));
  }
};

}  // namespace actorscope::collector
