// The model's global string pool: every name, type and reason is interned once, up to a cap,
// as valid UTF-8 and at most a settable length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actorscope/collector/seeded_hash.hpp"
#include "actorscope/collector/text.hpp"

namespace actorscope::collector {

// An interned string; 0 is the empty string.
using Str = uint32_t;

class StringPool {
 public:
  // Two ids the collector reserves for itself. No text a peer sends maps to them (a peer's
  // "other" is a string of its own), so the exporter can tell them apart from peer text.
  static constexpr Str kOverflow = 1;  // what a new string reads as once the pool is full
  static constexpr Str kUnknown = 2;   // a string id the agent never defined
  static constexpr std::string_view kOverflowText = "other";
  static constexpr std::string_view kUnknownText = "unknown";

  StringPool() {
    texts_.emplace_back();
    texts_.emplace_back(kOverflowText);
    texts_.emplace_back(kUnknownText);
  }
  // A copy (a model's keyframe) holds its own texts: its index views them, not the original's.
  StringPool(const StringPool& o)
      : texts_(o.texts_), bytes_(o.bytes_), max_strings_(o.max_strings_), max_bytes_(o.max_bytes_),
        max_text_bytes_(o.max_text_bytes_), dropped_(o.dropped_), repairs_(o.repairs_) {
    for (size_t i = 3; i < texts_.size(); ++i) shard_of(texts_[i]).emplace(std::string_view(texts_[i]), static_cast<Str>(i));
  }
  StringPool& operator=(const StringPool& o) {
    if (this != &o) {
      StringPool copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  StringPool(StringPool&&) = default;  // a deque's move keeps its elements where they are
  StringPool& operator=(StringPool&&) = default;
  // Agents choose the strings: past max_strings entries or max_bytes, new ones are not
  // kept; they resolve to kOverflow and are counted. Each text is cut to max_text_bytes
  // (on a character boundary) and invalid UTF-8 is replaced, counted too. 0: no limit.
  void set_limits(size_t max_strings, size_t max_bytes, size_t max_text_bytes = 0) {
    max_strings_ = max_strings;
    max_bytes_ = max_bytes;
    max_text_bytes_ = max_text_bytes;
  }
  // Returns the id of s, adding it on first sight (or kOverflow past the cap).
  Str intern(std::string_view s) {
    if (s.empty()) return 0;
    std::string cleaned;
    if (!text_is_clean(s, max_text_bytes_)) {
      cleaned = clean_text(s, max_text_bytes_, &repairs_);
      s = cleaned;
      if (s.empty()) return 0;
    }
    auto& shard = shard_of(s);
    auto it = shard.find(s);
    if (it != shard.end()) return it->second;
    if (full(s.size())) {
      ++dropped_;
      return kOverflow;
    }
    return add(s);
  }
  bool reserved(Str id) const { return id == kOverflow || id == kUnknown; }
  // Texts repaired on the way in (invalid UTF-8 replaced, cut to the length cap).
  const TextRepairs& repairs() const { return repairs_; }
  // Unknown ids read as "".
  std::string_view text(Str id) const { return id < texts_.size() ? std::string_view(texts_[id]) : std::string_view(); }
  // Strings kept, the empty one included (the reserved ones are not counted).
  size_t size() const { return texts_.size() - 2; }
  size_t memory_bytes() const { return bytes_; }
  // New strings that were not kept because the pool was full.
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kEntryOverhead = sizeof(std::string) + 48;  // deque slot + hash node, roughly
  bool full(size_t len) const {
    if (max_strings_ != 0 && size() >= max_strings_) return true;
    return max_bytes_ != 0 && bytes_ + len + kEntryOverhead > max_bytes_;
  }
  using Shard = std::unordered_map<std::string_view, Str, SeededTextHash>;
  // Texts are peers' choice: hashed with the seed. In shards, so that a rehash moves a 64th of
  // the pool (the whole pool of 600 000 child ids took 69 ms of one loop turn).
  static constexpr size_t kShards = 64;
  Shard& shard_of(std::string_view s) { return ids_[hash_text(s) >> 58]; }
  Str add(std::string_view s) {
    Shard& shard = shard_of(s);
    auto it = shard.find(s);
    if (it != shard.end()) return it->second;
    const std::string& stored = texts_.emplace_back(s);
    Str id = static_cast<Str>(texts_.size() - 1);
    shard.emplace(std::string_view(stored), id);
    bytes_ += stored.size() + kEntryOverhead;
    return id;
  }
  std::deque<std::string> texts_;  // a deque keeps the views in ids_ valid as it grows
  std::array<Shard, kShards> ids_;
  size_t bytes_ = 0;
  size_t max_strings_ = 0;
  size_t max_bytes_ = 0;
  size_t max_text_bytes_ = 0;
  uint64_t dropped_ = 0;
  TextRepairs repairs_;
};

}  // namespace actorscope::collector
