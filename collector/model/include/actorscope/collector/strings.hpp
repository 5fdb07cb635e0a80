// The model's global string pool: every name, type and reason is interned once, up to a cap,
// as valid UTF-8 and at most a settable length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
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
    add_text("");
    add_text(kOverflowText);
    add_text(kUnknownText);
  }
  // A copy holds its own texts to add to, and its own index of them. Texts never change once
  // added, so full blocks of them are shared with the original, not copied.
  StringPool(const StringPool& o)
      : count_(o.count_), bytes_(o.bytes_), max_strings_(o.max_strings_), max_bytes_(o.max_bytes_),
        max_text_bytes_(o.max_text_bytes_), dropped_(o.dropped_), repairs_(o.repairs_) {
    blocks_ = o.blocks_;
    if (share_copies_) {  // a keyframe's: reads none of it until it is copied in turn
      frozen_ = true;
      return;
    }
    if (count_ % kBlockTexts != 0) {  // the block still being filled is the original's to fill
      auto own = std::make_shared<Block>();
      for (size_t i = 0; i < count_ % kBlockTexts; ++i) own->texts[i] = blocks_.back()->texts[i];
      blocks_.back() = std::move(own);
    }
    for (size_t i = 3; i < count_; ++i) shard_of(text(static_cast<Str>(i))).emplace(text(static_cast<Str>(i)), static_cast<Str>(i));
  }
  StringPool& operator=(const StringPool& o) {
    if (this != &o) {
      StringPool copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  // While one lives on this thread, pools copied share every text with the original and have
  // no index: a keyframe's copy costs a pointer per block. Such a pool is only ever copied
  // (Model::clone_keyframe); its copy indexes its texts again. The original adds texts only
  // past those the copy holds, and never changes one, so the two may live on other threads.
  struct ShareCopies {
    ShareCopies() { share_copies_ = true; }
    ~ShareCopies() { share_copies_ = false; }
    ShareCopies(const ShareCopies&) = delete;
    ShareCopies& operator=(const ShareCopies&) = delete;
  };
  StringPool(StringPool&&) = default;  // blocks stay where they are
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
  std::string_view text(Str id) const {
    return id < count_ ? std::string_view(blocks_[id / kBlockTexts]->texts[id % kBlockTexts]) : std::string_view();
  }
  // Strings kept, the empty one included (the reserved ones are not counted).
  size_t size() const { return count_ - 2; }
  // A shared (keyframe's) pool holds nothing of its own but its block pointers.
  size_t memory_bytes() const { return frozen_ ? blocks_.capacity() * sizeof(blocks_[0]) : bytes_; }
  // New strings that were not kept because the pool was full.
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kEntryOverhead = sizeof(std::string) + 48;  // block slot + hash node, roughly
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
    const Str id = add_text(s);
    shard.emplace(text(id), id);
    bytes_ += s.size() + kEntryOverhead;
    return id;
  }
  // Texts in blocks that never move (the views in ids_ stay valid) and are shared by copies.
  static constexpr size_t kBlockTexts = 4096;
  struct Block {
    std::string texts[kBlockTexts];
  };
  Str add_text(std::string_view s) {
    if (count_ % kBlockTexts == 0) blocks_.push_back(std::make_shared<Block>());
    blocks_.back()->texts[count_ % kBlockTexts] = s;
    return static_cast<Str>(count_++);
  }
  static inline thread_local bool share_copies_ = false;
  std::vector<std::shared_ptr<Block>> blocks_;
  size_t count_ = 0;
  bool frozen_ = false;  // copied within ShareCopies: no index, never added to
  std::array<Shard, kShards> ids_;
  size_t bytes_ = 0;
  size_t max_strings_ = 0;
  size_t max_bytes_ = 0;
  size_t max_text_bytes_ = 0;
  uint64_t dropped_ = 0;
  TextRepairs repairs_;
};

}  // namespace actorscope::collector
