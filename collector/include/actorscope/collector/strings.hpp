// The model's global string pool: every name, type and reason is interned once.
#pragma once

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
  StringPool() { texts_.emplace_back(); }
  // Returns the id of s, adding it on first sight.
  Str intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const std::string& stored = texts_.emplace_back(s);
    Str id = static_cast<Str>(texts_.size() - 1);
    ids_.emplace(std::string_view(stored), id);
    bytes_ += stored.size() + sizeof(std::string) + 48;  // rough per-entry overhead
    return id;
  }
  // Unknown ids read as "".
  std::string_view text(Str id) const { return id < texts_.size() ? std::string_view(texts_[id]) : std::string_view(); }
  size_t size() const { return texts_.size(); }
  size_t memory_bytes() const { return bytes_; }

 private:
  std::deque<std::string> texts_;  // a deque keeps the views in ids_ valid as it grows
  std::unordered_map<std::string_view, Str> ids_;
  size_t bytes_ = 0;
};

}  // namespace actorscope::collector
