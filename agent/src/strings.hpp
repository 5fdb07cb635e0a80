// Process-wide string interning (types, names, child ids, reasons, event names, keys).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace actorscope::agent {

class StringTable {
 public:
  // The id of s (0 for ""), interning it if new. Over max_strings or the memory budget
  // the result is 0 and a String drop is counted.
  uint32_t intern(std::string_view s);
  // The text of an id; "" for unknown ids.
  std::string text(uint32_t id) const;
  void set_max(uint32_t max_strings);
  uint32_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<const std::string*> texts_{nullptr};  // index = id; 0 is ""
  uint32_t max_ = 65536;
};

StringTable& strings();

// Per-type index (cells hold a u16): the interned id of each type name.
uint16_t type_index(uint32_t type_string);
uint32_t type_string(uint16_t index);
size_t type_count();

}  // namespace actorscope::agent
