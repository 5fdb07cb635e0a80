// The model's global string pool: every name, type and reason is interned once, up to a cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace actorscope::collector {

// An interned string; 0 is the empty string.
using Str = uint32_t;

class StringPool {
 public:
  // What a new string reads as once the pool is full (the same word the exporter folds
  // label sets into).
  static constexpr std::string_view kOverflow = "other";

  StringPool() { texts_.emplace_back(); }
  // Agents choose the strings: past max_strings entries or max_bytes, new ones are not
  // kept; they resolve to kOverflow and are counted. 0 means no limit.
  void set_limits(size_t max_strings, size_t max_bytes) {
    max_strings_ = max_strings;
    max_bytes_ = max_bytes;
  }
  // Returns the id of s, adding it on first sight (or kOverflow's id past the cap).
  Str intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    if (full(s.size())) {
      ++dropped_;
      if (overflow_ == 0) overflow_ = add(kOverflow);  // the one entry allowed past the cap
      return overflow_;
    }
    return add(s);
  }
  // Unknown ids read as "".
  std::string_view text(Str id) const { return id < texts_.size() ? std::string_view(texts_[id]) : std::string_view(); }
  size_t size() const { return texts_.size(); }
  size_t memory_bytes() const { return bytes_; }
  // New strings that were not kept because the pool was full.
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kEntryOverhead = sizeof(std::string) + 48;  // deque slot + hash node, roughly
  bool full(size_t len) const {
    if (max_strings_ != 0 && texts_.size() >= max_strings_) return true;
    return max_bytes_ != 0 && bytes_ + len + kEntryOverhead > max_bytes_;
  }
  Str add(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const std::string& stored = texts_.emplace_back(s);
    Str id = static_cast<Str>(texts_.size() - 1);
    ids_.emplace(std::string_view(stored), id);
    bytes_ += stored.size() + kEntryOverhead;
    return id;
  }
  std::deque<std::string> texts_;  // a deque keeps the views in ids_ valid as it grows
  std::unordered_map<std::string_view, Str> ids_;
  size_t bytes_ = 0;
  size_t max_strings_ = 0;
  size_t max_bytes_ = 0;
  uint64_t dropped_ = 0;
  Str overflow_ = 0;
};

}  // namespace actorscope::collector
